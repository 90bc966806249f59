-- Lift by mechanic (the Promotions page): per mechanic, the median lift of the
-- promotion rows with a baseline, their incremental revenue and how many there
-- are. The median interpolates between the two middle rows of an even count
-- (percentile_cont, as visit_effect.sql). Reads: access_lift.
promo_mechanics AS (
    SELECT
        mechanic,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY lift_pct) AS lift_pct,
        sum(incremental_revenue) AS incremental_revenue,
        count(*) AS rows
    FROM lift_scoped
    WHERE lift_pct IS NOT NULL
    GROUP BY mechanic
)
