-- Per KA manager (stores without one together): stores, visits, Attack stores
-- and how many of them were visited. Reads: period, scope, market_share,
-- fair_share, levels, quadrants, visit_rows, visit_coverage.
visits_by_manager AS (
    SELECT
        ka_manager,
        count(*) AS stores,
        CAST(sum(visits) AS BIGINT) AS visits,
        count(CASE WHEN quadrant = 'Attack' THEN 1 END) AS attack,
        count(CASE WHEN quadrant = 'Attack' AND visits > 0 THEN 1 END) AS attack_visited
    FROM visit_coverage
    GROUP BY ka_manager
)
