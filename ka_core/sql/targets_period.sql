-- The weeks the targets report reads (domain.md, "Targets"): year to date. The
-- years taking part are those of the Mondays of the period's weeks; their weeks
-- run from the first Monday of the first such year up to the period's last week
-- (the week of $date_to, or the latest sales week), whatever $date_from says.
-- Stands in for period.sql: defines `period`, the CTE scope.sql reads. Reads: nothing.
asked AS (
    SELECT
        coalesce(
            CAST(date_trunc('week', CAST($date_from AS DATE)) AS DATE),
            (SELECT min(week) FROM ka_sales_weekly)
        ) AS first_week,
        coalesce(
            CAST(date_trunc('week', CAST($date_to AS DATE)) AS DATE),
            (SELECT max(week) FROM ka_sales_weekly)
        ) AS last_week
),

-- The first Monday on or after 1 January of the first year.
period AS (
    SELECT
        CAST(make_date(year(first_week), 1, 1) + CAST((8 - isodow(make_date(year(first_week), 1, 1))) % 7 AS INTEGER) AS DATE)
            AS first_week,
        CAST(last_week + CAST(6 AS INTEGER) AS DATE) AS last_day
    FROM asked
)
