-- promo-lift: one row per promotion × store × SKU with a sales row in its promo weeks.
WITH
-- include: _promo
SELECT
    promo_id, chain, store_id, sku, mechanic, start_date, end_date, baseline_units,
    promo_units, lift_pct, incremental_units, incremental_revenue,
    incremental_gross_profit, post_dip_pct, oos_visits
FROM lift_in_scope
ORDER BY start_date, promo_id, store_id, sku
