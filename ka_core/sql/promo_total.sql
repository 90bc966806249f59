-- The promotions' return together (the Overview's ROI): (sum of incremental
-- gross profit - sum of cost) / sum of cost, over the promotions with a gross
-- profit and a cost above 0. Reads: period, promo, promo_summary.
promo_total AS (
    SELECT
        count(*) AS promotions,
        sum(incremental_gross_profit) AS incremental_gross_profit,
        sum(cost) AS cost,
        (sum(incremental_gross_profit) - sum(cost)) / nullif(sum(cost), 0) AS roi
    FROM promo_summary
    WHERE incremental_gross_profit IS NOT NULL AND cost > 0
)
