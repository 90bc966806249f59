-- Effects with confidence (domain.md): every promotion's rows against control
-- stores, at the promotion's own weeks (move 0) and moved to weeks where it did
-- not run (placebo weeks, for the 90% interval). Reads: period, promo.
-- Weeks are numbered 0..n from the first week of the sales data; the sum of any
-- window [x, y] is then C(y) - C(x - 1), two lookups in running sums C.
week_index AS (
    SELECT c.week, CAST(date_diff('day', f.first_week, c.week) / 7 AS INTEGER) AS wi
    FROM calendar AS c
    CROSS JOIN (SELECT min(week) AS first_week FROM calendar) AS f
),

week_span AS (
    SELECT min(week) AS first_week, max(wi) AS last_wi, count(*) AS weeks FROM week_index
),

-- Every store and SKU that sold a promoted SKU, numbered (integer keys join
-- fast), with its number of weeks with a sales row.
store_skus AS (
    SELECT
        row_number() OVER (ORDER BY ss.store_id, ss.sku) AS ssid,
        ss.store_id, ss.sku, s.chain, s.region, ss.n_rows
    FROM (
        SELECT store_id, sku, count(*) AS n_rows
        FROM sales
        WHERE sku IN (SELECT sku FROM pairs)
        GROUP BY store_id, sku
    ) AS ss
    INNER JOIN stores AS s ON s.store_id = ss.store_id
),

-- Their sales rows, by number.
ss_sales AS (
    SELECT ss.ssid, wk.wi, sa.units
    FROM sales AS sa
    INNER JOIN store_skus AS ss ON ss.store_id = sa.store_id AND ss.sku = sa.sku
    INNER JOIN week_index AS wk ON wk.week = sa.week
),

ss_promoted AS (
    SELECT ss.ssid, wk.wi
    FROM promoted_weeks AS q
    INNER JOIN store_skus AS ss ON ss.store_id = q.store_id AND ss.sku = q.sku
    INNER JOIN week_index AS wk ON wk.week = q.week
),

-- Weeks without a sales row, of the store-SKUs that miss some.
ss_partial AS (
    SELECT ss.ssid, ss.store_id, ss.sku
    FROM store_skus AS ss
    CROSS JOIN week_span AS ws
    WHERE ss.n_rows < ws.weeks
),

ss_partial_rows AS (
    SELECT p.ssid, sa.week
    FROM ss_partial AS p
    INNER JOIN sales AS sa ON sa.store_id = p.store_id AND sa.sku = p.sku
),

ss_missing AS (
    SELECT p.ssid, wk.wi
    FROM ss_partial AS p
    CROSS JOIN week_index AS wk
    LEFT JOIN ss_partial_rows AS r ON r.ssid = p.ssid AND r.week = wk.week
    WHERE r.ssid IS NULL
),

-- Classes: store-SKUs of one SKU, chain and region with the same weeks without a
-- row and named by the same promotions (so with the same promoted weeks). In any window
-- they pass or fail as controls together and share their baseline and promo
-- week counts, so a class's sums stand for its stores' (a store's mean is its sum
-- over a count every store of the class shares): the windows are evaluated per
-- class, not per store. A class's key lists those weeks and promotions.
ss_class_key AS (
    SELECT ssid, string_agg(tag, ',' ORDER BY tag) AS class_key
    FROM (
        SELECT ssid, 'm' || CAST(wi AS VARCHAR) AS tag FROM ss_missing
        UNION ALL
        SELECT DISTINCT ss.ssid, 'p' || q.promo_id AS tag
        FROM all_pairs AS q
        INNER JOIN store_skus AS ss ON ss.store_id = q.store_id AND ss.sku = q.sku
    ) AS t
    GROUP BY ssid
),

ss_class AS (
    SELECT
        ss.ssid, ss.store_id, ss.sku, ss.chain, ss.region,
        dense_rank() OVER (ORDER BY ss.sku, ss.chain, ss.region, coalesce(k.class_key, '')) AS cid
    FROM store_skus AS ss
    LEFT JOIN ss_class_key AS k ON k.ssid = ss.ssid
),

classes AS (
    SELECT cid, sku, chain, region, count(*) AS stores
    FROM ss_class
    GROUP BY cid, sku, chain, region
),

-- A class's units in each week (summed over its stores), whether its stores
-- have a row (all or none do) and are under a promotion (likewise). The sum
-- reads the class (cid > 0 always) so that DuckDB does not pre-aggregate every
-- sales row by store, SKU and week below the join (its unique key: no gain).
class_sales AS (
    SELECT c.cid, sa.wi, sum(CASE WHEN c.cid > 0 THEN sa.units END) AS units
    FROM ss_sales AS sa
    INNER JOIN ss_class AS c ON c.ssid = sa.ssid
    GROUP BY c.cid, sa.wi
),

class_promoted AS (
    SELECT DISTINCT c.cid, q.wi
    FROM ss_promoted AS q
    INNER JOIN ss_class AS c ON c.ssid = q.ssid
),

class_grid AS (
    SELECT
        c.cid, wk.wi,
        coalesce(s.units, 0) AS units,
        CASE WHEN s.cid IS NULL THEN 0 ELSE 1 END AS has_row,
        CASE WHEN q.cid IS NULL THEN 0 ELSE 1 END AS promoted
    FROM classes AS c
    CROSS JOIN week_index AS wk
    LEFT JOIN class_sales AS s ON s.cid = c.cid AND s.wi = wk.wi
    LEFT JOIN class_promoted AS q ON q.cid = c.cid AND q.wi = wk.wi
),

-- Class numbers run 1..n - 1: (window, class) pairs get one number, wid * n + cid.
class_count AS (
    SELECT CAST(max(cid) + 1 AS BIGINT) AS n FROM classes
),

-- Running sums up to and including each week: units, weeks with a row (per
-- store), promoted weeks, and units and rows of weeks under no promotion.
class_running AS (
    SELECT
        cid, wi,
        sum(units) OVER upto AS cu,
        sum(has_row) OVER upto AS cn,
        sum(promoted) OVER upto AS cp,
        sum(units * (1 - promoted)) OVER upto AS ccu,
        sum(has_row * (1 - promoted)) OVER upto AS ccn
    FROM class_grid
    WINDOW upto AS (PARTITION BY cid ORDER BY wi ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),

-- Store level (the weekly control line of one promotion reads it): every
-- store-SKU in every week, and for a first promo week wi the baseline window
-- [wi - B, wi - 1] as a difference of running sums.

grid AS (
    SELECT
        ss.ssid, wk.wi,
        coalesce(sa.units, 0) AS units,
        CASE WHEN sa.units IS NULL THEN 0 ELSE 1 END AS has_row,
        CASE WHEN q.wi IS NULL THEN 0 ELSE 1 END AS promoted
    FROM store_skus AS ss
    CROSS JOIN week_index AS wk
    LEFT JOIN ss_sales AS sa ON sa.ssid = ss.ssid AND sa.wi = wk.wi
    LEFT JOIN ss_promoted AS q ON q.ssid = ss.ssid AND q.wi = wk.wi
),

running_upto AS (
    SELECT
        ssid, wi, units, has_row, promoted,
        sum(units) OVER upto AS cu,
        sum(has_row) OVER upto AS cn,
        sum(promoted) OVER upto AS cp
    FROM grid
    WINDOW upto AS (PARTITION BY ssid ORDER BY wi ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),

running AS (
    SELECT
        r.*,
        r.cu - r.units - coalesce(rb.cu, 0) AS base_sum,
        r.cn - r.has_row - coalesce(rb.cn, 0) AS base_rows,
        r.cp - r.promoted - coalesce(rb.cp, 0) AS base_promoted
    FROM running_upto AS r
    LEFT JOIN running_upto AS rb ON rb.ssid = r.ssid AND rb.wi = r.wi - $baseline_weeks - 1
),

-- Each promotion's first promo week (a0) and length (l) in week numbers.
promo_span AS (
    SELECT
        p.promo_id,
        CAST(date_diff('day', ws.first_week, p.first_week) / 7 AS INTEGER) AS a0,
        CAST(date_diff('day', p.first_week, p.last_week) / 7 AS INTEGER) + 1 AS l,
        ws.last_wi
    FROM promos AS p
    CROSS JOIN week_span AS ws
),

-- Placebo moves d: the moved baseline window and promo weeks lie within the
-- data and end before the first promo week or start after the last post week;
-- the placebo_moves nearest (ties: the earlier; reports.py binds 40, and 0
-- where no interval is read). Move 0 is the promotion itself.
placebo_moves AS (
    SELECT ps.promo_id, wk.wi - ps.a0 AS d, wk.wi AS a, ps.l
    FROM promo_span AS ps
    CROSS JOIN week_index AS wk
    WHERE wk.wi - $baseline_weeks >= 0
      AND wk.wi + ps.l - 1 <= ps.last_wi
      AND (wk.wi + ps.l - 1 < ps.a0 OR wk.wi - $baseline_weeks > ps.a0 + ps.l - 1 + $post_weeks)
),

moves AS (
    SELECT promo_id, d, a, l
    FROM (
        SELECT pm.*, row_number() OVER (PARTITION BY pm.promo_id ORDER BY abs(pm.d), pm.d) AS nearest
        FROM placebo_moves AS pm
    ) AS m
    WHERE nearest <= $placebo_moves
    UNION ALL
    SELECT promo_id, 0 AS d, a0 AS a, l FROM promo_span
),

-- The last promo week of a move, within the data (the sums stay after its last
-- week); a move needs its first promo week within the data.
move_bounds AS (
    SELECT m.promo_id, m.d, m.a, m.l, least(m.a + m.l - 1, ws.last_wi) AS e
    FROM moves AS m
    CROSS JOIN week_span AS ws
    WHERE m.a >= 0 AND m.a <= ws.last_wi
),

-- Each class's sums over each (SKU, window) a move needs: baseline [a-B, a-1],
-- promo weeks [a, e]. A move finds its classes' sums by one number per window and
-- class (an equality on one column: DuckDB's planner then joins the few rows of
-- the move first, where with three columns it joined every window first).
windows AS (
    SELECT row_number() OVER (ORDER BY sku, a, l) AS wid, sku, a, l, e
    FROM (
        SELECT DISTINCT pa.sku, mb.a, mb.l, mb.e
        FROM move_bounds AS mb
        INNER JOIN (SELECT DISTINCT promo_id, sku FROM pairs) AS pa ON pa.promo_id = mb.promo_id
    ) AS w
),

window_classes AS (
    SELECT
        w.wid * cc.n + c.cid AS wkey, w.sku, w.a, w.l, c.cid, c.chain, c.region, c.stores,
        re.cu - coalesce(ra.cu, 0) AS promo_sum,
        re.cn - coalesce(ra.cn, 0) AS promo_rows,
        re.cp - coalesce(ra.cp, 0) AS promo_promoted,
        coalesce(ra.cu, 0) - coalesce(rb.cu, 0) AS base_sum,
        coalesce(ra.cn, 0) - coalesce(rb.cn, 0) AS base_rows,
        coalesce(ra.cp, 0) - coalesce(rb.cp, 0) AS base_promoted,
        coalesce(ra.ccu, 0) - coalesce(rb.ccu, 0) AS base_clean_sum,
        coalesce(ra.ccn, 0) - coalesce(rb.ccn, 0) AS base_clean_rows
    FROM windows AS w
    INNER JOIN classes AS c ON c.sku = w.sku
    CROSS JOIN class_count AS cc
    INNER JOIN class_running AS re ON re.cid = c.cid AND re.wi = w.e
    LEFT JOIN class_running AS ra ON ra.cid = c.cid AND ra.wi = w.a - 1
    LEFT JOIN class_running AS rb ON rb.cid = c.cid AND rb.wi = w.a - $baseline_weeks - 1
),

-- Control candidates, pooled per chain and region: no promotion on the SKU in
-- the window, >= 2 baseline weeks and >= 1 promo week with a row. A class adds
-- its stores, and its sums over its (shared) week counts: the sum of its stores' means.
window_candidates AS (
    SELECT
        sku, a, l, chain, region, stores,
        CAST(promo_sum AS DOUBLE) / nullif(promo_rows, 0) AS promo_units,
        CAST(base_sum AS DOUBLE) / nullif(base_rows, 0) AS base_units
    FROM window_classes
    WHERE promo_promoted = 0 AND base_promoted = 0 AND base_rows >= 2 AND promo_rows >= 1
),

window_pool AS (
    SELECT
        sku, a, l, chain, region,
        sum(stores) AS stores, sum(promo_units) AS promo_units, sum(base_units) AS base_units
    FROM window_candidates
    GROUP BY sku, a, l, chain, region
),

window_pool_region AS (
    SELECT
        sku, a, l, region,
        sum(stores) AS stores, sum(promo_units) AS promo_units, sum(base_units) AS base_units
    FROM window_candidates
    GROUP BY sku, a, l, region
),

window_pool_all AS (
    SELECT
        sku, a, l,
        sum(stores) AS stores, sum(promo_units) AS promo_units, sum(base_units) AS base_units
    FROM window_candidates
    GROUP BY sku, a, l
),

-- The classes of each promotion's rows (a class is named by the same
-- promotions, so a promotion has all of its stores or none).
promo_classes AS (
    SELECT DISTINCT pa.promo_id, c.cid
    FROM pairs AS pa
    INNER JOIN ss_class AS c ON c.store_id = pa.store_id AND c.sku = pa.sku
),

-- A move's rows, class by class: the promotion's classes in its windows.
move_classes AS (
    SELECT mk.promo_id, mk.d, wc.*
    FROM (
        SELECT mb.promo_id, mb.d, w.wid * cc.n + pc.cid AS wkey
        FROM move_bounds AS mb
        INNER JOIN promo_classes AS pc ON pc.promo_id = mb.promo_id
        INNER JOIN classes AS c ON c.cid = pc.cid
        INNER JOIN windows AS w ON w.sku = c.sku AND w.a = mb.a AND w.l = mb.l
        CROSS JOIN class_count AS cc
    ) AS mk
    INNER JOIN window_classes AS wc ON wc.wkey = mk.wkey
),

-- The promotion's own pairs count as promoted in its moved promo weeks: those
-- that would pass as controls are taken out of each pool.
own_candidates AS (
    SELECT
        promo_id, d, sku, chain, region, stores,
        CAST(promo_sum AS DOUBLE) / nullif(promo_rows, 0) AS promo_units,
        CAST(base_sum AS DOUBLE) / nullif(base_rows, 0) AS base_units
    FROM move_classes
    WHERE promo_promoted = 0 AND base_promoted = 0 AND base_rows >= 2 AND promo_rows >= 1
),

own_pool AS (
    SELECT
        promo_id, d, sku, chain, region,
        sum(stores) AS stores, sum(promo_units) AS promo_units, sum(base_units) AS base_units
    FROM own_candidates
    GROUP BY promo_id, d, sku, chain, region
),

own_pool_region AS (
    SELECT
        promo_id, d, sku, region,
        sum(stores) AS stores, sum(promo_units) AS promo_units, sum(base_units) AS base_units
    FROM own_candidates
    GROUP BY promo_id, d, sku, region
),

own_pool_all AS (
    SELECT
        promo_id, d, sku,
        sum(stores) AS stores, sum(promo_units) AS promo_units, sum(base_units) AS base_units
    FROM own_candidates
    GROUP BY promo_id, d, sku
),

-- Each row's pools at each move (class by class): the promotion's chain and the
-- row's region, the region, all stores; each without the promotion's own pairs.
move_pools AS (
    SELECT
        mc.promo_id, mc.d, mc.cid, mc.sku, mc.region, mc.promo_sum, mc.promo_rows,
        mc.base_clean_sum, mc.base_clean_rows,
        coalesce(wcr.stores, 0) - coalesce(ocr.stores, 0) AS cr_stores,
        coalesce(wcr.promo_units, 0) - coalesce(ocr.promo_units, 0) AS cr_promo,
        coalesce(wcr.base_units, 0) - coalesce(ocr.base_units, 0) AS cr_base,
        coalesce(wr.stores, 0) - coalesce(orr.stores, 0) AS r_stores,
        coalesce(wr.promo_units, 0) - coalesce(orr.promo_units, 0) AS r_promo,
        coalesce(wr.base_units, 0) - coalesce(orr.base_units, 0) AS r_base,
        coalesce(wa.stores, 0) - coalesce(oa.stores, 0) AS all_stores,
        coalesce(wa.promo_units, 0) - coalesce(oa.promo_units, 0) AS all_promo,
        coalesce(wa.base_units, 0) - coalesce(oa.base_units, 0) AS all_base
    FROM move_classes AS mc
    INNER JOIN promotions AS p ON p.promo_id = mc.promo_id
    LEFT JOIN window_pool AS wcr
        ON wcr.sku = mc.sku AND wcr.a = mc.a AND wcr.l = mc.l AND wcr.chain = p.chain AND wcr.region = mc.region
    LEFT JOIN own_pool AS ocr
        ON ocr.promo_id = mc.promo_id AND ocr.d = mc.d AND ocr.sku = mc.sku
        AND ocr.chain = p.chain AND ocr.region = mc.region
    LEFT JOIN window_pool_region AS wr ON wr.sku = mc.sku AND wr.a = mc.a AND wr.l = mc.l AND wr.region = mc.region
    LEFT JOIN own_pool_region AS orr
        ON orr.promo_id = mc.promo_id AND orr.d = mc.d AND orr.sku = mc.sku AND orr.region = mc.region
    LEFT JOIN window_pool_all AS wa ON wa.sku = mc.sku AND wa.a = mc.a AND wa.l = mc.l
    LEFT JOIN own_pool_all AS oa ON oa.promo_id = mc.promo_id AND oa.d = mc.d AND oa.sku = mc.sku
    WHERE mc.promo_rows >= 1
      AND (mc.d = 0 OR mc.promo_promoted = 0)
),

-- Each row at each move, class by class: the sum over the class's rows of their
-- baselines (skipping promoted weeks, >= 2 weeks) and of their promo units, and
-- the first pool with >= 3 control stores. In a moved window a row under another
-- promotion in the moved promo weeks is left out (above).
move_rows AS (
    SELECT
        promo_id, d, cid, sku, region,
        CASE WHEN base_clean_rows >= 2 THEN CAST(base_clean_sum AS DOUBLE) / nullif(base_clean_rows, 0) END AS b_sum,
        CAST(promo_sum AS DOUBLE) / nullif(promo_rows, 0) AS promo_units_sum,
        CAST(
            CASE
                WHEN cr_stores >= 3 THEN cr_stores
                WHEN r_stores >= 3 THEN r_stores
                WHEN all_stores >= 3 THEN all_stores
            END AS INTEGER
        ) AS control_stores,
        CASE
            WHEN cr_stores >= 3 THEN cr_promo / nullif(cr_base, 0)
            WHEN r_stores >= 3 THEN r_promo / nullif(r_base, 0)
            WHEN all_stores >= 3 THEN all_promo / nullif(all_base, 0)
        END AS growth
    FROM move_pools
),

move_lift AS (
    SELECT
        mr.promo_id, mr.d,
        (sum(mr.promo_units_sum) / nullif(sum(mr.b_sum * mr.growth), 0) - 1) * 100 AS lift_vs_control_pct
    FROM move_rows AS mr
    WHERE mr.b_sum * mr.growth IS NOT NULL
    GROUP BY mr.promo_id, mr.d
),

-- 90% interval from the moves: L = ln(1 + lift/100) of the promotion, e(1..n)
-- the sorted values of the moves, k = floor(0.05 (n + 1)); the interval is
-- exp(L - e(n+1-k)) - 1 .. exp(L - e(k)) - 1 (none when k = 0).
placebo_logs AS (
    SELECT
        promo_id,
        ln(1 + lift_vs_control_pct / 100) AS e,
        row_number() OVER (PARTITION BY promo_id ORDER BY ln(1 + lift_vs_control_pct / 100)) AS r,
        count(*) OVER (PARTITION BY promo_id) AS n
    FROM move_lift
    WHERE d <> 0 AND lift_vs_control_pct > -100
),

placebo_interval AS (
    SELECT
        pl.promo_id,
        max(CASE WHEN pl.r = pl.n + 1 - CAST(floor(0.05 * (pl.n + 1)) AS INTEGER) THEN pl.e END) AS e_high,
        max(CASE WHEN pl.r = CAST(floor(0.05 * (pl.n + 1)) AS INTEGER) THEN pl.e END) AS e_low
    FROM placebo_logs AS pl
    WHERE floor(0.05 * (pl.n + 1)) >= 1
    GROUP BY pl.promo_id
),

promo_effect AS (
    SELECT
        ml.promo_id,
        ml.lift_vs_control_pct,
        (exp(ln(1 + ml.lift_vs_control_pct / 100) - pi.e_high) - 1) * 100 AS lift_low,
        (exp(ln(1 + ml.lift_vs_control_pct / 100) - pi.e_low) - 1) * 100 AS lift_high
    FROM move_lift AS ml
    LEFT JOIN placebo_interval AS pi ON pi.promo_id = ml.promo_id AND ml.lift_vs_control_pct > -100
    WHERE ml.d = 0
),

-- promo-lift with its control columns.
promo_lift AS (
    SELECT
        l.*,
        mr.control_stores,
        CASE WHEN mr.control_stores IS NOT NULL THEN l.baseline_units * mr.growth END AS expected_units,
        (l.promo_units / nullif(l.baseline_units * mr.growth, 0) - 1) * 100 AS lift_vs_control_pct
    FROM lift_in_scope AS l
    LEFT JOIN ss_class AS c ON c.store_id = l.store_id AND c.sku = l.sku
    LEFT JOIN move_rows AS mr ON mr.promo_id = l.promo_id AND mr.d = 0 AND mr.cid = c.cid
)
