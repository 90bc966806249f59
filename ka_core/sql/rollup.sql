-- The rollup the dashboard reads: one row per chain, per region and for
-- everything in scope, with the shares of `levels` and the stores behind them
-- (all stores in scope, No data included). Reads: period, scope, market_share,
-- fair_share, levels, quadrants.
-- The stores of each group (GROUPING SETS: the total row exists even with no store in scope).
group_stores AS (
    SELECT
        CASE
            WHEN grouping(q.chain) = 0 THEN 'chain'
            WHEN grouping(q.region) = 0 THEN 'region'
            ELSE 'total'
        END AS level,
        CASE
            WHEN grouping(q.chain) = 0 THEN q.chain
            WHEN grouping(q.region) = 0 THEN q.region
        END AS key,
        count(*) AS stores,
        count(CASE WHEN q.quadrant = 'Attack' THEN 1 END) AS attack_stores,
        -- Own sales over every week (the Pareto measure), 0 for a store that sold nothing.
        sum(coalesce(o.own_revenue, 0)) AS own_revenue_all
    FROM quadrants AS q
    LEFT JOIN own_all AS o ON o.store_id = q.store_id
    GROUP BY GROUPING SETS ((q.chain), (q.region), ())
),

rollup_rows AS (
    SELECT
        g.level,
        g.key,
        l.own_revenue,
        l.category_revenue,
        l.customer_share,
        l.market_share,
        l.fair_share_index,
        l.opportunity,
        l.below_fair_share,
        g.stores,
        g.attack_stores,
        g.own_revenue_all
    FROM group_stores AS g
    LEFT JOIN levels AS l ON l.level = g.level AND l.key IS NOT DISTINCT FROM g.key
)
