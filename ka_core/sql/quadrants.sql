-- Attack / defend quadrants: every store in scope across the selected categories
-- (domain.md, "Across several categories" and "Attack / defend quadrants").
-- Reads: period, scope, market_share, fair_share.
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
)
