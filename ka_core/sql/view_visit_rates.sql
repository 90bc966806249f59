-- Execution rates per visit (store, date, rep) in scope: a visit counts as
-- compliant, displayed or executed when all its known rows are; as OOS when
-- any row lists a SKU out of stock.
WITH
-- include: _scope
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
)

SELECT
    count(*) AS visits,
    avg(price_ok) AS price_compliance,
    avg(oos) AS oos_rate,
    avg(display_ok) AS display_ok,
    avg(promo_executed) AS promo_executed
FROM per_visit
