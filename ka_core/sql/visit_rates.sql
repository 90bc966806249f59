-- Execution rates per visit (store, date, rep) in scope: a visit counts as
-- compliant, displayed or executed when all its known rows are; as OOS when
-- any row lists a SKU out of stock. Reads: period, scope, visit_rows.
per_visit AS (
    SELECT
        store_id,
        visit_date,
        rep,
        min(CASE WHEN price_compliant THEN 1 WHEN NOT price_compliant THEN 0 END) AS price_ok,
        max(CASE WHEN oos_skus IS NOT NULL AND oos_skus <> '' THEN 1 ELSE 0 END) AS oos,
        min(CASE WHEN display_ok THEN 1 WHEN NOT display_ok THEN 0 END) AS display_ok,
        min(CASE WHEN promo_executed THEN 1 WHEN NOT promo_executed THEN 0 END) AS promo_executed
    FROM visit_rows
    GROUP BY store_id, visit_date, rep
),

visit_rates AS (
    SELECT
        count(*) AS visits,
        avg(CAST(price_ok AS DOUBLE)) AS price_compliance,
        avg(CAST(oos AS DOUBLE)) AS oos_rate,
        avg(CAST(display_ok AS DOUBLE)) AS display_ok,
        avg(CAST(promo_executed AS DOUBLE)) AS promo_executed
    FROM per_visit
)
