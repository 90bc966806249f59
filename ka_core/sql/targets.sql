-- targets: each targets row of a year taking part whose chain has a store in
-- scope, against the year's weeks to date (domain.md, "Targets"). The
-- CTEs asked and period come from targets_period.sql. Reads: targets_period, scope.
-- Each year taking part (from the first to the last week's year) that has a
-- targets row, its first Monday and the next year's: no series of years is
-- generated (generate_series/range have no common form in DuckDB and Spark, see
-- ka_core/sql/README.md), since only years with a targets row give report rows.
target_years AS (
    SELECT
        y.year,
        CAST(make_date(y.year, 1, 1)
            + CAST((8 - isodow(make_date(y.year, 1, 1))) % 7 AS INTEGER) AS DATE) AS first_monday,
        CAST(make_date(y.year + 1, 1, 1)
            + CAST((8 - isodow(make_date(y.year + 1, 1, 1))) % 7 AS INTEGER) AS DATE) AS next_first_monday
    FROM (SELECT DISTINCT CAST(year AS INTEGER) AS year FROM targets) AS y
    CROSS JOIN asked
    WHERE y.year BETWEEN year(asked.first_week) AND year(asked.last_week)
),

target_calendar AS (
    SELECT
        ty.year,
        ty.first_monday,
        date_diff('day', ty.first_monday, ty.next_first_monday) // 7 AS year_weeks,
        CASE
            WHEN a.last_week >= ty.next_first_monday THEN date_diff('day', ty.first_monday, ty.next_first_monday) // 7
            ELSE date_diff('day', ty.first_monday, a.last_week) // 7 + 1
        END AS weeks_to_date
    FROM target_years AS ty
    CROSS JOIN asked AS a
),

-- Targets rows in scope: the chain has a store in scope; with a category filter,
-- only rows of those categories (a blank category is all categories).
target_rows AS (
    SELECT
        CAST(t.year AS INTEGER) AS year,
        t.chain,
        t.category,
        t.revenue_target,
        t.share_target,
        c.year_weeks,
        c.weeks_to_date
    FROM targets AS t
    INNER JOIN target_calendar AS c ON c.year = CAST(t.year AS INTEGER)
    WHERE t.chain IN (SELECT chain FROM scope_stores)
      AND (cardinality($categories) = 0 OR array_contains($categories, t.category))
),

-- Own sales (every week, as the Pareto) and matched-week sums per row.
target_sales AS (
    SELECT
        r.year,
        r.chain,
        r.category,
        sum(w.own_revenue) AS own_revenue,
        sum(CASE WHEN w.category_revenue IS NOT NULL THEN w.own_revenue END) AS matched_own,
        sum(w.category_revenue) AS matched_category
    FROM target_rows AS r
    INNER JOIN scope_stores AS st ON st.chain = r.chain
    INNER JOIN scw AS w
        ON w.store_id = st.store_id
        AND year(w.week) = r.year
        AND (r.category IS NULL OR w.category = r.category)
    GROUP BY r.year, r.chain, r.category
),

targets_report AS (
    SELECT
        r.year,
        r.chain,
        r.category,
        coalesce(s.own_revenue, 0) AS own_revenue,
        r.revenue_target,
        coalesce(s.own_revenue, 0) / nullif(r.revenue_target, 0) AS attainment,
        CAST(r.weeks_to_date AS DOUBLE) / r.year_weeks AS expected,
        CAST(s.matched_own AS DOUBLE) / nullif(s.matched_category, 0) AS customer_share,
        r.share_target,
        CAST(s.matched_own AS DOUBLE) / nullif(s.matched_category, 0) - nullif(r.share_target, 0) AS share_gap
    FROM target_rows AS r
    LEFT JOIN target_sales AS s
        ON s.year = r.year AND s.chain = r.chain AND s.category IS NOT DISTINCT FROM r.category
)
