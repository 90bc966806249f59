-- One store's visit rows in the period.
WITH
-- include: _scope
SELECT
    visit_date, rep, category, store_category_sales, own_facings, total_facings,
    display_ok, promo_executed, price_compliant, oos_skus, competitor_activity, notes
FROM visit_rows
WHERE store_id = $store_id
ORDER BY visit_date, rep, category
