-- Per promotion in scope: the naive lift (its rows pooled against their own
-- baselines, sum(promo units) / sum(baseline) - 1) next to the lift against
-- control stores and its interval, for the Promotions page.
-- Reads: promo, promo_summary_control.
promo_naive AS (
    SELECT
        promo_id,
        (sum(promo_units) / nullif(sum(baseline_units), 0) - 1) * 100 AS naive_lift_pct
    FROM lift
    WHERE baseline_units IS NOT NULL
    GROUP BY promo_id
),

promo_effects AS (
    SELECT s.promo_id, s.chain, s.mechanic, s.start_date, s.cost, n.naive_lift_pct,
        s.lift_vs_control_pct, s.lift_low, s.lift_high, s.significant
    FROM promo_summary_control AS s
    LEFT JOIN promo_naive AS n ON n.promo_id = s.promo_id
)
