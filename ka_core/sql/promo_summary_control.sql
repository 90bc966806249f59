-- promo-summary with the pooled lift against control stores, its 90% interval
-- and whether the interval excludes 0. Reads: promo_summary, promo_control.
promo_summary_control AS (
    SELECT
        s.*,
        e.lift_vs_control_pct,
        e.lift_low,
        e.lift_high,
        CASE WHEN e.lift_low IS NOT NULL AND e.lift_high IS NOT NULL THEN e.lift_low > 0 OR e.lift_high < 0 END
            AS significant
    FROM promo_summary AS s
    LEFT JOIN promo_effect AS e ON e.promo_id = s.promo_id
)
