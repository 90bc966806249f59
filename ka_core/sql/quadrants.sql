-- Attack / defend quadrants (domain.md): every store in scope with its shares
-- across the selected categories (levels, level 'store') and its class by
-- potential. Reads: period, scope, market_share, fair_share, levels.
store_share AS (
    SELECT
        st.store_id,
        st.store_name,
        st.chain,
        st.region,
        st.ka_manager,
        l.category_revenue AS potential,
        l.own_revenue,
        l.customer_share,
        l.market_share,
        l.fair_share_index,
        l.below_fair_share,
        l.opportunity
    FROM scope_stores AS st
    LEFT JOIN levels AS l ON l.level = 'store' AND l.key = st.store_id
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

store_class AS (
    SELECT
        s.*,
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
            WHEN fair_share_index IS NULL THEN 'No data'
            WHEN abc_by_potential = 'A' AND below_fair_share THEN 'Attack'
            WHEN abc_by_potential = 'A' THEN 'Defend'
            WHEN below_fair_share THEN 'Monitor'
            ELSE 'Maintain'
        END AS quadrant
    FROM store_class
)
