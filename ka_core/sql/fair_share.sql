-- fair-share: one row per store × category with at least one matched week.
WITH
-- include: _scope
SELECT
    store_id, store_name, chain, region, category, own_revenue, category_revenue,
    customer_share, market_share, fair_share_index, opportunity
FROM fair_share
ORDER BY store_id, category
