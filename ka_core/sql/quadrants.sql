-- quadrants: one row per store in scope; stores without a category total are "No data".
WITH
-- include: _scope
SELECT
    store_id, store_name, chain, region, potential, own_revenue, customer_share,
    market_share, fair_share_index, opportunity, quadrant
FROM quadrants
ORDER BY store_id
