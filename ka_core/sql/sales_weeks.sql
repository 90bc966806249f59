-- sales_weeks: how many weeks of the period the scope has sales in (year on year
-- is shown only when the scope has sales in every week of the year-ago period,
-- domain.md). Reads: period, scope.
sales_weeks AS (
    SELECT count(DISTINCT s.week) AS weeks
    FROM sales_scw AS s
    INNER JOIN scope_stores AS st ON st.store_id = s.store_id
)
