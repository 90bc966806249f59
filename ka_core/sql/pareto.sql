-- pareto: chains with own sales in the period (every week: own_all), largest
-- first, with A/B/C. Reads: period, scope.
chain_own AS (
    SELECT st.chain, sum(o.own_revenue) AS own_revenue
    FROM own_all AS o
    INNER JOIN scope_stores AS st ON st.store_id = o.store_id
    GROUP BY st.chain
    HAVING sum(o.own_revenue) > 0
),

ranked AS (
    SELECT
        chain,
        own_revenue,
        own_revenue / nullif(sum(own_revenue) OVER (), 0) AS share,
        sum(own_revenue) OVER (ORDER BY own_revenue DESC, chain ROWS UNBOUNDED PRECEDING)
            / nullif(sum(own_revenue) OVER (), 0) AS cum_share,
        coalesce(sum(own_revenue) OVER (
            ORDER BY own_revenue DESC, chain ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ), 0) / nullif(sum(own_revenue) OVER (), 0) AS cum_before
    FROM chain_own
),

pareto AS (
    SELECT
        *,
        CASE WHEN cum_before < $a_cut THEN 'A' WHEN cum_before < $b_cut THEN 'B' ELSE 'C' END AS abc
    FROM ranked
)
