-- ka-list: every store in scope, classed by own revenue (every week of the
-- period, the traditional measure) and by potential (matched weeks).
-- Reads: period, scope, market_share, fair_share, levels, quadrants.
by_own AS (
    SELECT
        st.store_id,
        coalesce(o.own_revenue, 0) AS own_revenue,
        coalesce(sum(coalesce(o.own_revenue, 0)) OVER (
            ORDER BY coalesce(o.own_revenue, 0) DESC, st.store_id
            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
        ), 0) / nullif(sum(coalesce(o.own_revenue, 0)) OVER (), 0) AS cum_before
    FROM scope_stores AS st
    LEFT JOIN own_all AS o ON o.store_id = st.store_id
),

classed AS (
    SELECT
        q.store_id,
        q.store_name,
        q.chain,
        b.own_revenue,
        q.potential,
        CASE
            WHEN b.cum_before < $a_cut THEN 'A'
            WHEN b.cum_before < $b_cut THEN 'B'
            ELSE 'C'
        END AS abc_by_own,
        q.abc_by_potential
    FROM quadrants AS q
    INNER JOIN by_own AS b ON b.store_id = q.store_id
),

flagged AS (
    SELECT
        *,
        abc_by_own = 'A' AS ka_by_own,
        abc_by_potential = 'A' AS ka_by_potential
    FROM classed
),

ka_list AS (
    SELECT
        *,
        CASE
            WHEN ka_by_potential AND NOT ka_by_own THEN 'missed'
            WHEN ka_by_own AND NOT ka_by_potential THEN 'over-served'
        END AS change
    FROM flagged
)
