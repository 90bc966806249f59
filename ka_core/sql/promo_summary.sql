-- promo-summary: one row per promotion in the period (and, with a region or
-- category filter, with at least one row there). Reads: period, promo.
per_promo AS (
    SELECT
        p.promo_id,
        p.chain,
        p.mechanic,
        p.start_date,
        p.end_date,
        p.cost,
        p.retailer_target_units,
        count(DISTINCT l.store_id) AS stores,
        sum(l.incremental_units) AS incremental_units,
        sum(l.incremental_revenue) AS incremental_revenue,
        CASE
            WHEN count(CASE WHEN l.baseline_units IS NOT NULL AND l.incremental_gross_profit IS NULL THEN 1 END) > 0
                THEN NULL
            ELSE sum(l.incremental_gross_profit)
        END AS incremental_gross_profit,
        coalesce(sum(l.units_sold), 0) AS units_sold
    FROM promos AS p
    LEFT JOIN lift AS l ON l.promo_id = p.promo_id
    WHERE (cardinality($regions) = 0 AND cardinality($categories) = 0)
       OR p.promo_id IN (SELECT promo_id FROM lift_in_scope)
    GROUP BY p.promo_id, p.chain, p.mechanic, p.start_date, p.end_date, p.cost, p.retailer_target_units
),

promo_summary AS (
    SELECT
        *,
        (incremental_gross_profit - cost) / nullif(cost, 0) AS roi,
        CASE WHEN retailer_target_units IS NOT NULL THEN units_sold >= retailer_target_units END AS target_met
    FROM per_promo
)
