-- The promotion reports' rows (domain.md, "Promotions"): lift per promotion,
-- store and SKU. Reads: period, access_promotions.
-- Promotions in scope whose promo weeks overlap the period; their windows may
-- reach outside it.
promos AS (
    SELECT
        p.*,
        CAST(date_trunc('week', p.start_date) AS DATE) AS first_week,
        CAST(date_trunc('week', p.end_date) AS DATE) AS last_week
    FROM promotions_in_scope AS p
    CROSS JOIN period
    WHERE (cardinality($chains) = 0 OR array_contains($chains, p.chain))
      AND CAST(date_trunc('week', p.end_date) AS DATE) >= period.first_week
      AND CAST(date_trunc('week', p.start_date) AS DATE) <= period.last_day
),

-- Every (promotion, store, SKU) any promotion names, in scope or not (promoted
-- weeks are skipped in baselines and exclude control stores whoever looks): a
-- blank store is every store of the chain, a blank SKU every own SKU of the brand.
all_pairs AS (
    SELECT p.promo_id, s.store_id, pr.sku, s.region, pr.category,
        CAST(date_trunc('week', p.start_date) AS DATE) AS first_week,
        CAST(date_trunc('week', p.end_date) AS DATE) AS last_week
    FROM promotions AS p
    INNER JOIN stores AS s ON s.chain = p.chain AND (p.store_id IS NULL OR s.store_id = p.store_id)
    INNER JOIN products AS pr ON pr.sku = p.sku
    UNION ALL
    SELECT p.promo_id, s.store_id, pr.sku, s.region, pr.category,
        CAST(date_trunc('week', p.start_date) AS DATE) AS first_week,
        CAST(date_trunc('week', p.end_date) AS DATE) AS last_week
    FROM promotions AS p
    INNER JOIN stores AS s ON s.chain = p.chain AND (p.store_id IS NULL OR s.store_id = p.store_id)
    INNER JOIN products AS pr ON p.sku IS NULL AND pr.brand = p.brand AND pr.is_own
),

pairs AS (
    SELECT row_number() OVER (ORDER BY a.promo_id, a.store_id, a.sku) AS pair_id, a.*
    FROM all_pairs AS a
    WHERE a.promo_id IN (SELECT promo_id FROM promos)
),

-- Sales rows of each pair from the baseline window to the post window.
pair_weeks AS (
    SELECT
        pa.pair_id, pa.promo_id, pa.store_id, pa.sku, sa.week, sa.units, sa.revenue,
        CASE
            WHEN sa.week < pa.first_week THEN 'base'
            WHEN sa.week <= pa.last_week THEN 'promo'
            ELSE 'post'
        END AS phase
    FROM pairs AS pa
    INNER JOIN sales AS sa
        ON sa.store_id = pa.store_id
        AND sa.sku = pa.sku
        AND sa.week >= pa.first_week - CAST(7 * $baseline_weeks AS INTEGER)
        AND sa.week <= pa.last_week + CAST(7 * $post_weeks AS INTEGER)
),

-- Every (store, SKU, week) under some promotion, over the weeks that have sales:
-- one range join on a small calendar, so that skipping promoted weeks below is
-- an equality anti-join.
calendar AS (
    SELECT DISTINCT week FROM ka_sales_weekly
),

promoted_weeks AS (
    SELECT DISTINCT q.store_id, q.sku, c.week
    FROM all_pairs AS q
    INNER JOIN calendar AS c ON c.week BETWEEN q.first_week AND q.last_week
),

-- Each pair's sums in one pass: baseline and post weeks in which the store-SKU
-- was under no promotion, and promo weeks.
pair_sums AS (
    SELECT
        pw.pair_id,
        sum(CASE WHEN pw.phase = 'base' AND q.week IS NULL THEN 1 ELSE 0 END) AS base_weeks,
        sum(CASE WHEN pw.phase = 'base' AND q.week IS NULL THEN pw.units END) AS base_units,
        sum(CASE WHEN pw.phase = 'base' AND q.week IS NULL THEN pw.revenue END) AS base_revenue,
        sum(CASE WHEN pw.phase = 'post' AND q.week IS NULL THEN 1 ELSE 0 END) AS post_weeks,
        sum(CASE WHEN pw.phase = 'post' AND q.week IS NULL THEN pw.units END) AS post_units,
        sum(CASE WHEN pw.phase = 'promo' THEN 1 ELSE 0 END) AS promo_weeks,
        sum(CASE WHEN pw.phase = 'promo' THEN pw.units END) AS promo_units,
        sum(CASE WHEN pw.phase = 'promo' THEN pw.revenue END) AS promo_revenue
    FROM pair_weeks AS pw
    LEFT JOIN promoted_weeks AS q
        ON q.store_id = pw.store_id AND q.sku = pw.sku AND q.week = pw.week AND pw.phase <> 'promo'
    GROUP BY pw.pair_id
),

pair_lift AS (
    SELECT
        pa.pair_id, pa.promo_id, pa.store_id, pa.sku, pa.region, pa.category,
        CASE WHEN s.base_weeks >= 2 THEN s.base_units / nullif(s.base_weeks, 0) END AS baseline_units,
        CASE WHEN s.base_weeks >= 2 THEN s.base_revenue / nullif(s.base_weeks, 0) END AS baseline_revenue,
        s.post_units / nullif(s.post_weeks, 0) AS post_units,
        s.promo_weeks,
        s.promo_units / nullif(s.promo_weeks, 0) AS promo_units,
        s.promo_units AS units,
        s.promo_revenue AS revenue
    FROM pair_sums AS s
    INNER JOIN pairs AS pa ON pa.pair_id = s.pair_id
),

baseline AS (
    SELECT promo_id, store_id, sku, baseline_units, baseline_revenue
    FROM pair_lift
    WHERE baseline_units IS NOT NULL
),

-- Visits during the promotion that list the SKU as out of stock (oos_skus is
-- stored as codes joined by ';'): each visit row matched once against the
-- promoted SKUs, then joined to the pairs on store and SKU.
oos_marks AS (
    SELECT v.store_id, v.visit_date, k.sku
    FROM visits AS v
    INNER JOIN (SELECT DISTINCT sku FROM pairs) AS k
        ON position(';' || k.sku || ';' IN ';' || v.oos_skus || ';') > 0
    WHERE v.oos_skus IS NOT NULL AND v.oos_skus <> ''
),

oos AS (
    SELECT pa.pair_id, count(*) AS oos_visits
    FROM pairs AS pa
    INNER JOIN promos AS p ON p.promo_id = pa.promo_id
    INNER JOIN oos_marks AS v
        ON v.store_id = pa.store_id
        AND v.sku = pa.sku
        AND v.visit_date BETWEEN p.start_date AND p.end_date
    GROUP BY pa.pair_id
),

lift AS MATERIALIZED (  -- read twice by promo-summary: compute once
    SELECT
        ps.promo_id,
        p.chain,
        ps.store_id,
        ps.sku,
        p.mechanic,
        p.start_date,
        p.end_date,
        ps.baseline_units,
        ps.promo_units,
        (ps.promo_units / nullif(ps.baseline_units, 0) - 1) * 100 AS lift_pct,
        ps.units - ps.promo_weeks * ps.baseline_units AS incremental_units,
        ps.revenue - ps.promo_weeks * ps.baseline_revenue AS incremental_revenue,
        (ps.revenue - ps.promo_weeks * ps.baseline_revenue)
            - (ps.units - ps.promo_weeks * ps.baseline_units) * pr.unit_cost AS incremental_gross_profit,
        (ps.post_units / nullif(ps.baseline_units, 0) - 1) * 100 AS post_dip_pct,
        coalesce(o.oos_visits, 0) AS oos_visits,
        ps.units AS units_sold,
        ps.region,
        ps.category
    FROM pair_lift AS ps
    INNER JOIN promos AS p ON p.promo_id = ps.promo_id
    INNER JOIN products AS pr ON pr.sku = ps.sku
    LEFT JOIN oos AS o ON o.pair_id = ps.pair_id
    WHERE ps.promo_weeks >= 1
),

-- Region and category filters select rows; a promotion's summary keeps all its
-- rows, because its cost is for all of them.
lift_in_scope AS (
    SELECT *
    FROM lift
    WHERE (cardinality($regions) = 0 OR array_contains($regions, region))
      AND (cardinality($categories) = 0 OR array_contains($categories, category))
)
