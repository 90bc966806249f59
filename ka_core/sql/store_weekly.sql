-- One store's weeks: own sales (every week), category total and customer share
-- (weeks where every selected category's total is known). Reads: period, scope.
store_weeks AS (
    SELECT
        week,
        sum(own_revenue) AS own_revenue,
        sum(category_revenue) AS category_revenue,
        count(category_revenue) = count(*) AS all_known
    FROM scw
    WHERE store_id = $store_id
      AND store_id IN (SELECT store_id FROM access_stores)  -- no store outside the user's scope
    GROUP BY week
),

store_weekly AS (
    SELECT
        week,
        own_revenue,
        CASE WHEN all_known THEN category_revenue END AS category_revenue,
        CASE WHEN all_known THEN own_revenue / nullif(category_revenue, 0) END AS customer_share
    FROM store_weeks
)
