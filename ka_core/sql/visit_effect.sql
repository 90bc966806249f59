-- Did visits move sales (domain.md, "Effects with confidence"): own sales in
-- weeks -6..+6 around a store's first visit after 8 weeks without one, against
-- control stores of the same chain and region. Reads: period, scope.
ve_weeks AS (
    SELECT c.week, CAST(date_diff('day', f.first_week, c.week) / 7 AS INTEGER) AS wi
    FROM (SELECT DISTINCT week FROM ka_sales_weekly) AS c
    CROSS JOIN (SELECT min(week) AS first_week FROM ka_sales_weekly) AS f
),

ve_span AS (
    SELECT max(wi) AS last_wi FROM ve_weeks
),

-- Own revenue of every store in scope in every week of the data (categories in
-- scope; 0 without sales rows), and whether it had a visit that week.
ve_own AS (
    SELECT st.store_id, st.chain, st.region, w.wi, w.week, coalesce(sum(k.own_revenue), 0) AS own
    FROM scope_stores AS st
    CROSS JOIN ve_weeks AS w
    LEFT JOIN ka_sales_weekly AS k
        ON k.store_id = st.store_id
        AND k.week = w.week
        AND k.category IN (SELECT category FROM scope_categories)
    GROUP BY st.store_id, st.chain, st.region, w.wi, w.week
),

ve_visited AS (
    SELECT DISTINCT v.store_id, CAST(date_trunc('week', v.visit_date) AS DATE) AS week
    FROM visits AS v
    WHERE v.category IN (SELECT category FROM scope_categories)
),

-- Per store and week e: base = mean own revenue over e-4..e-1; visits in e-8..e-1
-- and in e-8..e+6.
ve_store_weeks AS (
    SELECT
        o.store_id, o.chain, o.region, o.wi, o.week, o.own,
        CASE WHEN vv.week IS NULL THEN 0 ELSE 1 END AS visited,
        coalesce(sum(o.own) OVER (PARTITION BY o.store_id ORDER BY o.wi ROWS BETWEEN 4 PRECEDING AND 1 PRECEDING), 0)
            / 4.0 AS base,
        coalesce(
            sum(CASE WHEN vv.week IS NULL THEN 0 ELSE 1 END) OVER (
                PARTITION BY o.store_id ORDER BY o.wi ROWS BETWEEN 8 PRECEDING AND 1 PRECEDING
            ),
            0
        ) AS visits_before,
        sum(CASE WHEN vv.week IS NULL THEN 0 ELSE 1 END) OVER (
            PARTITION BY o.store_id ORDER BY o.wi ROWS BETWEEN 8 PRECEDING AND 6 FOLLOWING
        ) AS visits_around
    FROM ve_own AS o
    LEFT JOIN ve_visited AS vv ON vv.store_id = o.store_id AND vv.week = o.week
),

-- Control stores at week e: same chain and region, no visit in e-8..e+6, base > 0.
ve_controls AS (
    SELECT store_id, chain, region, wi, base
    FROM ve_store_weeks
    WHERE visits_around = 0 AND base > 0
),

ve_control_pool AS (
    SELECT chain, region, wi, count(*) AS stores, sum(base) AS base
    FROM ve_controls
    GROUP BY chain, region, wi
),

-- Visit events: e in the period, e-8..e+6 within the data, base > 0, 3 controls.
ve_events AS (
    SELECT
        row_number() OVER (ORDER BY sw.store_id, sw.wi) AS ev,
        sw.store_id, sw.chain, sw.region, sw.wi, sw.base, cp.base AS control_base
    FROM ve_store_weeks AS sw
    CROSS JOIN ve_span AS sp
    CROSS JOIN period
    INNER JOIN ve_control_pool AS cp ON cp.chain = sw.chain AND cp.region = sw.region AND cp.wi = sw.wi
    WHERE sw.visited = 1
      AND sw.visits_before = 0
      AND sw.wi - 8 >= 0
      AND sw.wi + 6 <= sp.last_wi
      AND sw.week BETWEEN period.first_week AND period.last_day
      AND sw.base > 0
      AND cp.stores >= 3
),

ve_rel AS (
    SELECT rel_week FROM (VALUES (-6), (-5), (-4), (-3), (-2), (-1), (0), (1), (2), (3), (4), (5), (6)) AS r (rel_week)
),

-- The controls' own revenue at e+t, summed per event week and pool.
ve_control_own AS (
    SELECT c.chain, c.region, c.wi, r.rel_week, sum(o.own) AS own
    FROM (SELECT DISTINCT chain, region, wi FROM ve_events) AS e
    INNER JOIN ve_controls AS c ON c.chain = e.chain AND c.region = e.region AND c.wi = e.wi
    CROSS JOIN ve_rel AS r
    INNER JOIN ve_own AS o ON o.store_id = c.store_id AND o.wi = c.wi + r.rel_week
    GROUP BY c.chain, c.region, c.wi, r.rel_week
),

-- Per event and t: own(e+t) and expected(t) = base x controls' own(e+t) / controls' base.
ve_event_weeks AS (
    SELECT
        e.ev, r.rel_week, o.own,
        e.base * co.own / e.control_base AS expected
    FROM ve_events AS e
    CROSS JOIN ve_rel AS r
    INNER JOIN ve_own AS o ON o.store_id = e.store_id AND o.wi = e.wi + r.rel_week
    INNER JOIN ve_control_own AS co
        ON co.chain = e.chain AND co.region = e.region AND co.wi = e.wi AND co.rel_week = r.rel_week
),

ve_point AS (
    SELECT rel_week, (sum(own) / nullif(sum(expected), 0) - 1) * 100 AS effect_pct
    FROM ve_event_weeks
    GROUP BY rel_week
),

-- 200 bootstrap resamples of the events, seeded: resample b draws, for each slot
-- j = 1..m, the event h(b, j) mod m + 1, with h (integer arithmetic, the same on
-- every engine) from b, j and the seed 2026: squared, two steps of the MINSTD
-- generator, squared again, all mod 2^31 - 1 (a square stays below 2^62: exact in
-- BIGINT). Without the squares h was linear in j, so a resample spread its draws
-- evenly over the events (80% distinct at m = 114, where random draws give 63%)
-- and the band came out half as wide as the noise.
ve_resamples AS (
    SELECT d1.n * 100 + d2.n * 10 + d3.n AS b
    FROM (VALUES (0), (1)) AS d1 (n)
    CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d2 (n)
    CROSS JOIN (VALUES (0), (1), (2), (3), (4), (5), (6), (7), (8), (9)) AS d3 (n)
),

ve_draws AS (
    SELECT
        d.b,
        (d.h * 48271 % 2147483647 * 48271 % 2147483647) * (d.h * 48271 % 2147483647 * 48271 % 2147483647)
            % 2147483647 % d.m + 1 AS ev
    FROM (
        SELECT
            r.b,
            m.m,
            ((CAST(r.b AS BIGINT) * 1000003 + e.ev * 7919 + 2026) % 2147483647)
                * ((CAST(r.b AS BIGINT) * 1000003 + e.ev * 7919 + 2026) % 2147483647) % 2147483647 AS h
        FROM ve_resamples AS r
        CROSS JOIN ve_events AS e
        CROSS JOIN (SELECT count(*) AS m FROM ve_events) AS m
    ) AS d
),

ve_boot AS (
    SELECT d.b, w.rel_week, (sum(w.own) / nullif(sum(w.expected), 0) - 1) * 100 AS effect_pct
    FROM ve_draws AS d
    INNER JOIN ve_event_weeks AS w ON w.ev = d.ev
    GROUP BY d.b, w.rel_week
),

ve_interval AS (
    SELECT
        rel_week,
        percentile_cont(0.05) WITHIN GROUP (ORDER BY effect_pct) AS low,
        percentile_cont(0.95) WITHIN GROUP (ORDER BY effect_pct) AS high
    FROM ve_boot
    GROUP BY rel_week
),

visit_effect AS (
    SELECT
        r.rel_week,
        (SELECT count(*) FROM ve_events) AS events,
        p.effect_pct,
        i.low,
        i.high
    FROM ve_rel AS r
    LEFT JOIN ve_point AS p ON p.rel_week = r.rel_week
    LEFT JOIN ve_interval AS i ON i.rel_week = r.rel_week
)
