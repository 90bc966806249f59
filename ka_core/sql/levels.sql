-- Shares at every level at once: a store across its categories, a chain, a
-- region, everything in scope (domain.md: "Across several categories" and "A
-- group of stores ... rolls up the same way, over its store-category rows").
-- Each ratio and the FSI threshold are written here once, for every level.
-- Reads: period, scope, market_share, fair_share.
-- Each store-category row once for every level, under that level's key: its
-- store, its chain, its region, and (key NULL) the total of everything in scope.
level_rows AS (
    SELECT
        l.level,
        CASE l.level WHEN 'store' THEN f.store_id WHEN 'chain' THEN f.chain WHEN 'region' THEN f.region END AS key,
        f.own_revenue,
        f.category_revenue,
        f.market_share,
        f.opportunity
    FROM fair_share AS f
    CROSS JOIN (VALUES ('store'), ('chain'), ('region'), ('total')) AS l (level)
),

level_sums AS (
    SELECT
        level,
        key,
        sum(own_revenue) AS own_revenue,
        sum(category_revenue) AS category_revenue,
        -- Revenue at market share, and the category revenue it is taken over.
        sum(market_share * category_revenue) AS expected_revenue,
        sum(CASE WHEN market_share IS NOT NULL THEN category_revenue END) AS expected_base,
        count(*) AS store_categories,
        count(market_share) AS with_market_share,
        sum(opportunity) AS opportunity
    FROM level_rows
    GROUP BY level, key
),

-- A store-category row has no market share when its market had no revenue in
-- the period (market rows of 0; or no category sales among the tracked stores).
-- - A store: its expected share for its category mix is unknown if one of its
--   categories has none, so the store has no market share ("No data").
-- - A group (chain, region, total) leaves such rows out of its market share,
--   the numerator and the weight alike: it is the market share of the part of
--   the group whose market is known. One category without market figures does
--   not blank a chain or the headline. Customer share keeps every row (it needs
--   no market); opportunity sums the rows that have one.
level_shares AS (
    SELECT
        level,
        key,
        own_revenue,
        category_revenue,
        CAST(own_revenue AS DOUBLE) / nullif(category_revenue, 0) AS customer_share,
        CASE
            WHEN level = 'store' AND with_market_share < store_categories THEN NULL
            ELSE CAST(expected_revenue AS DOUBLE) / nullif(expected_base, 0)
        END AS market_share,
        opportunity
    FROM level_sums
),

levels AS (
    SELECT
        *,
        customer_share / nullif(market_share, 0) * 100 AS fair_share_index,
        -- Rounded: at fair share up to float noise (99.99999999 for 100) is at fair share.
        round(customer_share / nullif(market_share, 0) * 100, 9) < $fsi_threshold AS below_fair_share
    FROM level_shares
)
