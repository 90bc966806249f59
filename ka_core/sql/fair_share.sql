-- Fair share per store and category with at least one matched week.
-- Reads: period, scope, market_share.
fair_share_base AS (
    SELECT
        st.store_id,
        st.store_name,
        st.chain,
        st.region,
        sc.category,
        sc.own_revenue,
        sc.category_revenue,
        sc.own_revenue / nullif(sc.category_revenue, 0) AS customer_share,
        ms.market_share
    FROM store_category AS sc
    INNER JOIN scope_stores AS st ON st.store_id = sc.store_id
    LEFT JOIN market_share AS ms ON ms.region = st.region AND ms.category = sc.category
),

fair_share AS (
    SELECT
        *,
        customer_share / nullif(market_share, 0) * 100 AS fair_share_index,
        CASE
            WHEN customer_share IS NULL OR market_share IS NULL THEN NULL
            -- Below market share by more than float noise (FSI rounded as in levels.sql):
            -- a row at fair share has no opportunity, not 1.7e-17 of one.
            WHEN round(customer_share / nullif(market_share, 0) * 100, 9) < 100
                THEN (market_share - customer_share) * category_revenue
            ELSE 0
        END AS opportunity
    FROM fair_share_base
)
