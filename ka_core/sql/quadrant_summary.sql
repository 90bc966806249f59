-- Stores, opportunity and potential per quadrant (quadrants without a store have
-- no row). Reads: period, scope, market_share, fair_share, levels, quadrants.
quadrant_summary AS (
    SELECT
        quadrant,
        count(*) AS stores,
        coalesce(sum(opportunity), 0) AS opportunity,
        coalesce(sum(potential), 0) AS potential
    FROM quadrants
    GROUP BY quadrant
)
