-- Shared CTEs of the store reports (domain.md, "Definitions").
-- include: _period
scope_stores AS (
    SELECT store_id, store_name, chain, region, ka_manager
    FROM stores
    WHERE ($all_chains OR chain IN $chains)
      AND ($all_regions OR region IN $regions)
),

scope_categories AS (
    SELECT DISTINCT category
    FROM products
    WHERE $all_categories OR category IN $categories
),

-- Sales per store, category and week of the period (ka_sales_weekly is kept
-- current by every load; it sums sales x products once instead of per query).
sales_scw AS (
    SELECT w.store_id, w.category, w.week, w.all_revenue, w.own_revenue, w.has_competitor
    FROM ka_sales_weekly AS w
    CROSS JOIN period
    WHERE w.week BETWEEN period.first_week AND period.last_day
      AND w.category IN (SELECT category FROM scope_categories)
),

-- The category total a visit reported; of several visits in a week, the latest.
visit_scw AS (
    SELECT store_id, category, week, store_category_sales
    FROM (
        SELECT
            v.store_id,
            v.category,
            CAST(date_trunc('week', v.visit_date) AS DATE) AS week,
            v.store_category_sales,
            row_number() OVER (
                PARTITION BY v.store_id, v.category, date_trunc('week', v.visit_date)
                ORDER BY v.visit_date DESC, v.load_id DESC NULLS LAST, v.rep
            ) AS rn
        FROM visits AS v
        WHERE v.store_category_sales IS NOT NULL
          AND v.category IN (SELECT category FROM scope_categories)
    ) AS ranked
    CROSS JOIN period
    WHERE ranked.rn = 1
      AND ranked.week BETWEEN period.first_week AND period.last_day
),

-- T(s,c,w): from sales when the retailer shares category data (a non-own row
-- exists), else from the visit. NULL = unknown, the week is not matched.
scw AS (
    SELECT
        coalesce(s.store_id, v.store_id) AS store_id,
        coalesce(s.category, v.category) AS category,
        coalesce(s.week, v.week) AS week,
        coalesce(s.own_revenue, 0) AS own_revenue,
        CASE WHEN s.has_competitor = 1 THEN s.all_revenue ELSE v.store_category_sales END AS category_revenue
    FROM sales_scw AS s
    FULL OUTER JOIN visit_scw AS v
        ON v.store_id = s.store_id AND v.category = s.category AND v.week = s.week
),

-- Own and category revenue over matched weeks M(s,c,P).
store_category AS (
    SELECT store_id, category, sum(own_revenue) AS own_revenue, sum(category_revenue) AS category_revenue
    FROM scw
    WHERE category_revenue IS NOT NULL
    GROUP BY store_id, category
),

-- Market share is a property of the market: the chain filter never applies,
-- the region filter only at region level.
market_stores AS (
    SELECT store_id, region
    FROM stores
    WHERE $national OR $all_regions OR region IN $regions
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
),

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
            WHEN market_share > customer_share THEN (market_share - customer_share) * category_revenue
            ELSE 0
        END AS opportunity
    FROM fair_share_base
),

-- Per store over the selected categories: expected share for its category mix.
store_totals AS (
    SELECT
        store_id,
        sum(category_revenue) AS potential,
        sum(own_revenue) AS own_revenue,
        CASE WHEN count(market_share) = count(*) THEN sum(market_share * category_revenue) END AS expected_revenue,
        sum(opportunity) AS opportunity
    FROM fair_share
    GROUP BY store_id
),

store_share AS (
    SELECT
        st.store_id,
        st.store_name,
        st.chain,
        st.region,
        st.ka_manager,
        t.potential,
        t.own_revenue,
        t.own_revenue / nullif(t.potential, 0) AS customer_share,
        t.expected_revenue / nullif(t.potential, 0) AS market_share,
        t.opportunity
    FROM scope_stores AS st
    LEFT JOIN store_totals AS t ON t.store_id = st.store_id
),

-- Pareto classes by potential, among stores whose potential is known.
potential_abc AS (
    SELECT
        store_id,
        coalesce(sum(potential) OVER (
            ORDER BY potential DESC, store_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ), 0) / nullif(sum(potential) OVER (), 0) AS cum_before
    FROM store_share
    WHERE potential IS NOT NULL
),

store_quadrant AS (
    SELECT
        s.*,
        s.customer_share / nullif(s.market_share, 0) * 100 AS fair_share_index,
        CASE
            WHEN a.store_id IS NULL THEN NULL
            WHEN a.cum_before < $a_cut THEN 'A'
            WHEN a.cum_before < $b_cut THEN 'B'
            ELSE 'C'
        END AS abc_by_potential
    FROM store_share AS s
    LEFT JOIN potential_abc AS a ON a.store_id = s.store_id
),

-- Visit rows of stores in scope, in the period (by the week of their date), of the categories.
visit_rows AS (
    SELECT v.*
    FROM visits AS v
    INNER JOIN scope_stores AS st ON st.store_id = v.store_id
    CROSS JOIN period
    WHERE CAST(date_trunc('week', v.visit_date) AS DATE) BETWEEN period.first_week AND period.last_day
      AND v.category IN (SELECT category FROM scope_categories)
),

quadrants AS (
    SELECT
        *,
        CASE
            -- Rounded: a store at fair share up to float noise (99.9999999) is at fair share.
            WHEN fair_share_index IS NULL THEN 'No data'
            WHEN abc_by_potential = 'A' AND round(fair_share_index, 9) < $fsi_threshold THEN 'Attack'
            WHEN abc_by_potential = 'A' THEN 'Defend'
            WHEN round(fair_share_index, 9) < $fsi_threshold THEN 'Monitor'
            ELSE 'Maintain'
        END AS quadrant
    FROM store_quadrant
),
