-- Market share per region and category (domain.md, "Definitions"). Reads: period, scope.
-- Market share is a property of the market: the chain filter never applies,
-- the region filter only at region level.
market_stores AS (
    SELECT store_id, region
    FROM stores
    WHERE $national OR cardinality($regions) = 0 OR array_contains($regions, region)
),

tracked AS (
    SELECT ms.region, sc.category, sum(sc.own_revenue) AS own_revenue, sum(sc.category_revenue) AS category_revenue
    FROM store_category AS sc
    INNER JOIN market_stores AS ms ON ms.store_id = sc.store_id
    GROUP BY ms.region, sc.category
),

panel AS (
    SELECT m.region, m.category, sum(m.own_revenue) AS own_revenue, sum(m.market_revenue) AS market_revenue
    FROM market AS m
    CROSS JOIN period
    WHERE m.week BETWEEN period.first_week AND period.last_day
      AND m.category IN (SELECT category FROM scope_categories)
    GROUP BY m.region, m.category
),

panel_national AS (
    SELECT category, sum(own_revenue) / nullif(sum(market_revenue), 0) AS market_share
    FROM panel
    GROUP BY category
),

-- National: the panel only when it covers every region with tracked stores.
national_share AS (
    SELECT
        t.category,
        CASE
            WHEN count(p.region) = count(*) THEN max(pn.market_share)
            ELSE sum(t.own_revenue) / nullif(sum(t.category_revenue), 0)
        END AS market_share
    FROM tracked AS t
    LEFT JOIN panel AS p ON p.region = t.region AND p.category = t.category
    LEFT JOIN panel_national AS pn ON pn.category = t.category
    GROUP BY t.category
),

market_share AS (
    SELECT
        t.region,
        t.category,
        CASE
            WHEN $national THEN n.market_share
            WHEN p.region IS NOT NULL THEN p.own_revenue / nullif(p.market_revenue, 0)
            ELSE t.own_revenue / nullif(t.category_revenue, 0)
        END AS market_share
    FROM tracked AS t
    LEFT JOIN panel AS p ON p.region = t.region AND p.category = t.category
    LEFT JOIN national_share AS n ON n.category = t.category
)
