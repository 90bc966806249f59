-- The scope of the store reports (domain.md, "Definitions"): the stores and
-- categories the filters select (an empty list selects all), and each store's own
-- and category revenue over matched weeks. Reads: period, access.
-- The user's scope (access_stores) intersects the filters, in every store report.
scope_stores AS (
    SELECT store_id, store_name, chain, region, ka_manager
    FROM stores
    WHERE (cardinality($chains) = 0 OR array_contains($chains, chain))
      AND (cardinality($regions) = 0 OR array_contains($regions, region))
      AND store_id IN (SELECT store_id FROM access_stores)
),

scope_categories AS (
    SELECT DISTINCT category
    FROM products
    WHERE cardinality($categories) = 0 OR array_contains($categories, category)
),

-- Sales per store, category and week of the period (ka_sales_weekly is kept
-- current by every load; it sums sales x products once instead of per query).
sales_scw AS (
    SELECT w.store_id, w.category, w.week, w.all_revenue, w.own_revenue, w.has_competitor
    FROM ka_sales_weekly AS w
    CROSS JOIN period
    WHERE w.week BETWEEN period.first_week AND period.last_day
      AND w.category IN (SELECT category FROM scope_categories)
),

-- The category total a visit reported; of several visits in a week, the latest.
visit_scw AS (
    SELECT store_id, category, week, store_category_sales
    FROM (
        SELECT
            v.store_id,
            v.category,
            CAST(date_trunc('week', v.visit_date) AS DATE) AS week,
            v.store_category_sales,
            row_number() OVER (
                PARTITION BY v.store_id, v.category, date_trunc('week', v.visit_date)
                ORDER BY v.visit_date DESC, v.load_id DESC NULLS LAST, v.rep
            ) AS rn
        FROM visits AS v
        WHERE v.store_category_sales IS NOT NULL
          AND v.category IN (SELECT category FROM scope_categories)
    ) AS ranked
    CROSS JOIN period
    WHERE ranked.rn = 1
      AND ranked.week BETWEEN period.first_week AND period.last_day
),

-- T(s,c,w): from sales when the retailer shares category data (a non-own row
-- exists), else from the visit. NULL = unknown, the week is not matched.
-- A reported total below our own sales is a mistake on the sheet: T = max(reported, own).
scw AS (
    SELECT
        coalesce(s.store_id, v.store_id) AS store_id,
        coalesce(s.category, v.category) AS category,
        coalesce(s.week, v.week) AS week,
        coalesce(s.own_revenue, 0) AS own_revenue,
        CASE
            WHEN s.has_competitor = 1 THEN s.all_revenue
            WHEN v.store_category_sales IS NOT NULL
                THEN greatest(v.store_category_sales, coalesce(s.own_revenue, 0))
        END AS category_revenue
    FROM sales_scw AS s
    FULL OUTER JOIN visit_scw AS v
        ON v.store_id = s.store_id AND v.category = s.category AND v.week = s.week
),

-- Own and category revenue over matched weeks M(s,c,P).
store_category AS (
    SELECT store_id, category, sum(own_revenue) AS own_revenue, sum(category_revenue) AS category_revenue
    FROM scw
    WHERE category_revenue IS NOT NULL
    GROUP BY store_id, category
),

-- Own revenue over every week of the period, matched or not: the Pareto measure
-- (domain.md, "KA tiering").
own_all AS (
    SELECT store_id, sum(own_revenue) AS own_revenue
    FROM sales_scw
    GROUP BY store_id
)
