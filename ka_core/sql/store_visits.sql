-- One store's visit rows in the period. Reads: period, scope, visit_rows.
store_visits AS (
    SELECT *
    FROM visit_rows
    WHERE store_id = $store_id
)
