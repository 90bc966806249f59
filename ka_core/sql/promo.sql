-- The promotion reports' rows (domain.md, "Promotions"): lift per promotion,
-- store and SKU. Reads: period.
-- Promotions whose promo weeks overlap the period; their windows may reach outside it.
promos AS (
    SELECT
        p.*,
        CAST(date_trunc('week', p.start_date) AS DATE) AS first_week,
        CAST(date_trunc('week', p.end_date) AS DATE) AS last_week
    FROM promotions AS p
    CROSS JOIN period
    WHERE (cardinality($chains) = 0 OR array_contains($chains, p.chain))
      AND CAST(date_trunc('week', p.end_date) AS DATE) >= period.first_week
      AND CAST(date_trunc('week', p.start_date) AS DATE) <= period.last_day
),

-- Every (promotion, store, SKU) a promotion names: a blank store is every
-- store of the chain, a blank SKU every own SKU of the brand.
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
    SELECT a.*
    FROM all_pairs AS a
    WHERE a.promo_id IN (SELECT promo_id FROM promos)
),

-- Sales rows of each pair from the baseline window to the post window.
pair_weeks AS (
    SELECT
        pa.promo_id, pa.store_id, pa.sku, sa.week, sa.units, sa.revenue,
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

-- Baseline and post weeks in which the store-SKU was under no promotion.
clean_weeks AS (
    SELECT pw.*
    FROM pair_weeks AS pw
    WHERE pw.phase <> 'promo'
      AND NOT EXISTS (
          SELECT 1
          FROM promoted_weeks AS q
          WHERE q.store_id = pw.store_id
            AND q.sku = pw.sku
            AND q.week = pw.week
      )
),

baseline AS (
    SELECT
        promo_id, store_id, sku,
        CASE WHEN count(*) >= 2 THEN avg(units) END AS baseline_units,
        CASE WHEN count(*) >= 2 THEN avg(revenue) END AS baseline_revenue
    FROM clean_weeks
    WHERE phase = 'base'
    GROUP BY promo_id, store_id, sku
),

post AS (
    SELECT promo_id, store_id, sku, avg(units) AS post_units
    FROM clean_weeks
    WHERE phase = 'post'
    GROUP BY promo_id, store_id, sku
),

promo_sales AS (
    SELECT
        promo_id, store_id, sku,
        count(*) AS promo_weeks,
        avg(units) AS promo_units,
        sum(units) AS units,
        sum(revenue) AS revenue
    FROM pair_weeks
    WHERE phase = 'promo'
    GROUP BY promo_id, store_id, sku
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
    SELECT pa.promo_id, pa.store_id, pa.sku, count(*) AS oos_visits
    FROM pairs AS pa
    INNER JOIN promos AS p ON p.promo_id = pa.promo_id
    INNER JOIN oos_marks AS v
        ON v.store_id = pa.store_id
        AND v.sku = pa.sku
        AND v.visit_date BETWEEN p.start_date AND p.end_date
    GROUP BY pa.promo_id, pa.store_id, pa.sku
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
        b.baseline_units,
        ps.promo_units,
        (ps.promo_units / nullif(b.baseline_units, 0) - 1) * 100 AS lift_pct,
        ps.units - ps.promo_weeks * b.baseline_units AS incremental_units,
        ps.revenue - ps.promo_weeks * b.baseline_revenue AS incremental_revenue,
        (ps.revenue - ps.promo_weeks * b.baseline_revenue)
            - (ps.units - ps.promo_weeks * b.baseline_units) * pr.unit_cost AS incremental_gross_profit,
        (po.post_units / nullif(b.baseline_units, 0) - 1) * 100 AS post_dip_pct,
        coalesce(o.oos_visits, 0) AS oos_visits,
        ps.units AS units_sold,
        pa.region,
        pa.category
    FROM promo_sales AS ps
    INNER JOIN promos AS p ON p.promo_id = ps.promo_id
    INNER JOIN pairs AS pa ON pa.promo_id = ps.promo_id AND pa.store_id = ps.store_id AND pa.sku = ps.sku
    INNER JOIN products AS pr ON pr.sku = ps.sku
    LEFT JOIN baseline AS b ON b.promo_id = ps.promo_id AND b.store_id = ps.store_id AND b.sku = ps.sku
    LEFT JOIN post AS po ON po.promo_id = ps.promo_id AND po.store_id = ps.store_id AND po.sku = ps.sku
    LEFT JOIN oos AS o ON o.promo_id = ps.promo_id AND o.store_id = ps.store_id AND o.sku = ps.sku
),

-- Region and category filters select rows; a promotion's summary keeps all its
-- rows, because its cost is for all of them.
lift_in_scope AS (
    SELECT *
    FROM lift
    WHERE (cardinality($regions) = 0 OR array_contains($regions, region))
      AND (cardinality($categories) = 0 OR array_contains($categories, category))
)
