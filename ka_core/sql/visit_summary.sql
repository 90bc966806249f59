-- The Visits page's headline (domain.md, "Visits and execution"): coverage of
-- Attack stores and of stores below fair share, and execution rates per visit.
-- Reads: period, scope, market_share, fair_share, levels, quadrants, visit_rows,
-- visit_coverage, visit_rates.
coverage AS (
    SELECT
        count(CASE WHEN quadrant = 'Attack' THEN 1 END) AS attack_stores,
        count(CASE WHEN quadrant = 'Attack' AND visits > 0 THEN 1 END) AS attack_visited,
        count(CASE WHEN below_fair_share THEN 1 END) AS below_fair_share,
        count(CASE WHEN below_fair_share AND visits > 0 THEN 1 END) AS below_visited
    FROM visit_coverage
),

visit_summary AS (
    SELECT
        c.attack_stores,
        c.attack_visited,
        CAST(c.attack_visited AS DOUBLE) / nullif(c.attack_stores, 0) AS attack_coverage,
        c.below_fair_share,
        c.below_visited,
        CAST(c.below_visited AS DOUBLE) / nullif(c.below_fair_share, 0) AS below_coverage,
        r.visits,
        r.price_compliance,
        r.oos_rate,
        r.display_ok,
        r.promo_executed
    FROM coverage AS c
    CROSS JOIN visit_rates AS r
)
