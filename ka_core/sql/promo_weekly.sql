-- One promotion's weekly units over all its stores and SKUs, from the baseline
-- window to the post window, with its summed baseline and OOS visits.
-- Reads: period, promo.
weekly AS (
    SELECT week, phase, sum(units) AS units, sum(revenue) AS revenue
    FROM pair_weeks
    WHERE promo_id = $promo_id
    GROUP BY week, phase
),

promo_baseline AS (
    SELECT sum(baseline_units) AS baseline_units
    FROM baseline
    WHERE promo_id = $promo_id AND baseline_units IS NOT NULL
),

oos_weeks AS (
    SELECT CAST(date_trunc('week', v.visit_date) AS DATE) AS week, count(*) AS oos_visits
    FROM pairs AS pa
    INNER JOIN promos AS p ON p.promo_id = pa.promo_id
    INNER JOIN visits AS v
        ON v.store_id = pa.store_id
        AND v.visit_date BETWEEN p.start_date AND p.end_date
    WHERE pa.promo_id = $promo_id
      AND position(';' || pa.sku || ';' IN ';' || v.oos_skus || ';') > 0
    GROUP BY CAST(date_trunc('week', v.visit_date) AS DATE)
),

promo_weekly AS (
    SELECT
        w.week,
        w.phase,
        w.units,
        w.revenue,
        b.baseline_units,
        coalesce(o.oos_visits, 0) AS oos_visits
    FROM weekly AS w
    CROSS JOIN promo_baseline AS b
    LEFT JOIN oos_weeks AS o ON o.week = w.week
)
