-- visit-coverage: one row per store in scope.
-- Reads: period, scope, market_share, fair_share, levels, quadrants, visit_rows.
-- A visit is one (store, date, rep); its category rows count once.
visit_events AS (
    SELECT DISTINCT store_id, visit_date, rep
    FROM visit_rows
),

events_per_store AS (
    SELECT store_id, count(*) AS visits, max(visit_date) AS last_visit
    FROM visit_events
    GROUP BY store_id
),

rows_per_store AS (
    SELECT
        store_id,
        sum(CASE WHEN total_facings IS NOT NULL THEN own_facings END)
            / nullif(sum(CASE WHEN own_facings IS NOT NULL THEN total_facings END), 0) AS share_of_shelf,
        -- DOUBLE, not 1.0: a decimal literal averages to a DECIMAL rounded to 5 places in Spark.
        avg(CAST(CASE WHEN price_compliant THEN 1 WHEN NOT price_compliant THEN 0 END AS DOUBLE)) AS price_compliance,
        avg(CAST(CASE WHEN oos_skus IS NOT NULL AND oos_skus <> '' THEN 1 ELSE 0 END AS DOUBLE)) AS oos_rate
    FROM visit_rows
    GROUP BY store_id
),

-- Days since the last visit count to the period's end: the Sunday of the week of
-- --to if given (a visit later that week is in the period, so never negative),
-- else the later of the last visit and the Sunday of the latest sales week.
period_end AS (
    SELECT coalesce(
        CAST(date_trunc('week', CAST($date_to AS DATE)) AS DATE) + 6,
        greatest(
            (SELECT max(visit_date) FROM visits),
            (SELECT max(week) + 6 FROM sales)
        )
    ) AS end_day
),

visit_coverage AS (
    SELECT
        q.store_id,
        q.store_name,
        q.chain,
        q.ka_manager,
        q.quadrant,
        q.below_fair_share,  -- not a report column: for the coverage of stores below fair share
        coalesce(e.visits, 0) AS visits,
        e.last_visit,
        date_diff('day', e.last_visit, pe.end_day) AS days_since_last_visit,
        r.share_of_shelf,
        r.price_compliance,
        r.oos_rate
    FROM quadrants AS q
    CROSS JOIN period_end AS pe
    LEFT JOIN events_per_store AS e ON e.store_id = q.store_id
    LEFT JOIN rows_per_store AS r ON r.store_id = q.store_id
)
