-- Visit rows of stores in scope, in the period (by the week of their date), of the
-- categories. Reads: period, scope.
visit_rows AS (
    SELECT v.*
    FROM visits AS v
    INNER JOIN scope_stores AS st ON st.store_id = v.store_id
    CROSS JOIN period
    WHERE CAST(date_trunc('week', v.visit_date) AS DATE) BETWEEN period.first_week AND period.last_day
      AND v.category IN (SELECT category FROM scope_categories)
)
