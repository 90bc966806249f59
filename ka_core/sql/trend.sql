-- trend: one row per week and chain with at least one matched store-category row
-- that week (domain.md, "Trend, targets and year on year"). Each week is its own
-- period: market share is that week's, computed as in market_share.sql but per
-- week (market_stores of market_share.sql). Reads: period, scope, market_share.
trend_tracked AS (
    SELECT w.week, ms.region, w.category, sum(w.own_revenue) AS own_revenue, sum(w.category_revenue) AS category_revenue
    FROM scw AS w
    INNER JOIN market_stores AS ms ON ms.store_id = w.store_id
    WHERE w.category_revenue IS NOT NULL
    GROUP BY w.week, ms.region, w.category
),

trend_panel AS (
    SELECT m.week, m.region, m.category, sum(m.own_revenue) AS own_revenue, sum(m.market_revenue) AS market_revenue
    FROM market AS m
    CROSS JOIN period
    WHERE m.week BETWEEN period.first_week AND period.last_day
      AND m.category IN (SELECT category FROM scope_categories)
    GROUP BY m.week, m.region, m.category
),

trend_panel_national AS (
    SELECT week, category, sum(own_revenue) / nullif(sum(market_revenue), 0) AS market_share
    FROM trend_panel
    GROUP BY week, category
),

-- National: the week's panel only when it covers every region with tracked stores that week.
trend_national AS (
    SELECT
        t.week,
        t.category,
        CASE
            WHEN count(p.region) = count(*) THEN max(pn.market_share)
            ELSE sum(t.own_revenue) / nullif(sum(t.category_revenue), 0)
        END AS market_share
    FROM trend_tracked AS t
    LEFT JOIN trend_panel AS p ON p.week = t.week AND p.region = t.region AND p.category = t.category
    LEFT JOIN trend_panel_national AS pn ON pn.week = t.week AND pn.category = t.category
    GROUP BY t.week, t.category
),

trend_market AS (
    SELECT
        t.week,
        t.region,
        t.category,
        CASE
            WHEN $national THEN n.market_share
            WHEN p.region IS NOT NULL THEN p.own_revenue / nullif(p.market_revenue, 0)
            ELSE t.own_revenue / nullif(t.category_revenue, 0)
        END AS market_share
    FROM trend_tracked AS t
    LEFT JOIN trend_panel AS p ON p.week = t.week AND p.region = t.region AND p.category = t.category
    LEFT JOIN trend_national AS n ON n.week = t.week AND n.category = t.category
),

-- The week's fair-share rows of the stores in scope (matched: category total known).
trend_rows AS (
    SELECT w.week, st.chain, w.own_revenue, w.category_revenue, tm.market_share
    FROM scw AS w
    INNER JOIN scope_stores AS st ON st.store_id = w.store_id
    LEFT JOIN trend_market AS tm ON tm.week = w.week AND tm.region = st.region AND tm.category = w.category
    WHERE w.category_revenue IS NOT NULL
),

-- All own sales of the chain's stores in scope that week, matched or not.
trend_own_all AS (
    SELECT s.week, st.chain, sum(s.own_revenue) AS own_revenue_all
    FROM sales_scw AS s
    INNER JOIN scope_stores AS st ON st.store_id = s.store_id
    GROUP BY s.week, st.chain
),

-- The chain's rollup, as in levels.sql: market share weighted by category revenue
-- over the rows that have one.
trend_sums AS (
    SELECT
        week,
        chain,
        sum(own_revenue) AS own_revenue,
        sum(category_revenue) AS category_revenue,
        CAST(sum(own_revenue) AS DOUBLE) / nullif(sum(category_revenue), 0) AS customer_share,
        CAST(sum(market_share * category_revenue) AS DOUBLE)
            / nullif(sum(CASE WHEN market_share IS NOT NULL THEN category_revenue END), 0) AS market_share
    FROM trend_rows
    GROUP BY week, chain
),

trend AS (
    SELECT
        t.week,
        t.chain,
        t.own_revenue,
        t.category_revenue,
        t.customer_share,
        t.market_share,
        t.customer_share / nullif(t.market_share, 0) * 100 AS fair_share_index,
        coalesce(a.own_revenue_all, 0) AS own_revenue_all
    FROM trend_sums AS t
    LEFT JOIN trend_own_all AS a ON a.week = t.week AND a.chain = t.chain
)
