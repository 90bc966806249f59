-- Effects with confidence (domain.md): every promotion's rows against control
-- stores, at the promotion's own weeks (move 0) and moved to weeks where it did
-- not run (placebo weeks, for the 90% interval). Reads: period, promo.
-- Weeks are numbered 0..n from the first week of the sales data; any window's
-- sums are then two lookups in running sums per store and SKU.
week_index AS (
    SELECT c.week, CAST(date_diff('day', f.first_week, c.week) / 7 AS INTEGER) AS wi
    FROM calendar AS c
    CROSS JOIN (SELECT min(week) AS first_week FROM calendar) AS f
),

week_span AS (
    SELECT min(week) AS first_week, max(wi) AS last_wi FROM week_index
),

-- Every store and SKU that sold a promoted SKU, numbered (integer keys join fast).
store_skus AS (
    SELECT row_number() OVER (ORDER BY ss.store_id, ss.sku) AS ssid, ss.store_id, ss.sku, s.chain, s.region
    FROM (SELECT DISTINCT store_id, sku FROM sales WHERE sku IN (SELECT sku FROM pairs)) AS ss
    INNER JOIN stores AS s ON s.store_id = ss.store_id
),

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

-- Every such store-SKU in every week of the data.
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

-- Per store-SKU and week wi: running sums up to and including wi (units,
-- weeks with a row, promoted weeks); and, read as a first promo week a = wi,
-- the baseline window [a-B, a-1]: all weeks, and weeks under no promotion.
running AS (
    SELECT
        ssid, wi, units, has_row, promoted,
        sum(units) OVER upto AS cu,
        sum(has_row) OVER upto AS cn,
        sum(promoted) OVER upto AS cp,
        coalesce(sum(units) OVER base, 0) AS base_sum,
        coalesce(sum(has_row) OVER base, 0) AS base_rows,
        coalesce(sum(units * (1 - promoted)) OVER base, 0) AS base_clean_sum,
        coalesce(sum(has_row * (1 - promoted)) OVER base, 0) AS base_clean_rows,
        coalesce(sum(promoted) OVER base, 0) AS base_promoted
    FROM grid
    WINDOW
        upto AS (PARTITION BY ssid ORDER BY wi ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
        base AS (PARTITION BY ssid ORDER BY wi ROWS BETWEEN $baseline_weeks PRECEDING AND 1 PRECEDING)
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
        SELECT *, row_number() OVER (PARTITION BY promo_id ORDER BY abs(d), d) AS nearest
        FROM placebo_moves
    ) AS m
    WHERE nearest <= $placebo_moves
    UNION ALL
    SELECT promo_id, 0 AS d, a0 AS a, l FROM promo_span
),

-- The last promo week of a move, within the data (the sums stay after its last week).
move_bounds AS (
    SELECT m.*, least(m.a + m.l - 1, ws.last_wi) AS e
    FROM moves AS m
    CROSS JOIN week_span AS ws
),

-- Window sums of every store-SKU for each (SKU, window) a move needs: baseline
-- [a-B, a-1], promo weeks [a, e].
windows AS (
    SELECT DISTINCT pa.sku, mb.a, mb.l, mb.e
    FROM move_bounds AS mb
    INNER JOIN (SELECT DISTINCT promo_id, sku FROM pairs) AS pa ON pa.promo_id = mb.promo_id
),

window_stores AS (
    SELECT
        w.sku, w.a, w.l, ss.ssid, ss.store_id, ss.chain, ss.region,
        ra.base_sum, ra.base_rows, ra.base_clean_sum, ra.base_clean_rows,
        re.cu - ra.cu + ra.units AS promo_sum,
        re.cn - ra.cn + ra.has_row AS promo_rows,
        re.cp - ra.cp + ra.promoted AS promo_promoted,
        re.cp - ra.cp + ra.promoted + ra.base_promoted AS window_promoted
    FROM windows AS w
    INNER JOIN store_skus AS ss ON ss.sku = w.sku
    INNER JOIN running AS ra ON ra.ssid = ss.ssid AND ra.wi = w.a
    INNER JOIN running AS re ON re.ssid = ss.ssid AND re.wi = w.e
),

-- A move's rows: the promotion's pairs in its windows.
move_pairs AS (
    SELECT mb.promo_id, mb.d, ws.*
    FROM move_bounds AS mb
    INNER JOIN pairs AS pa ON pa.promo_id = mb.promo_id
    INNER JOIN window_stores AS ws
        ON ws.sku = pa.sku AND ws.a = mb.a AND ws.l = mb.l AND ws.store_id = pa.store_id
),

-- Control candidates, pooled per chain and region: no promotion on the SKU in
-- the window, >= 2 baseline weeks and >= 1 promo week with a row.
window_pool AS (
    SELECT
        sku, a, l, chain, region,
        count(*) AS stores,
        sum(CAST(promo_sum AS DOUBLE) / promo_rows) AS promo_units,
        sum(CAST(base_sum AS DOUBLE) / base_rows) AS base_units
    FROM window_stores
    WHERE window_promoted = 0 AND base_rows >= 2 AND promo_rows >= 1
    GROUP BY sku, a, l, chain, region
),

-- The promotion's own pairs count as promoted in its moved promo weeks: those
-- that would pass as controls are taken out of the pool.
own_in_pool AS (
    SELECT
        promo_id, d, sku, chain, region,
        count(*) AS stores,
        sum(CAST(promo_sum AS DOUBLE) / promo_rows) AS promo_units,
        sum(CAST(base_sum AS DOUBLE) / base_rows) AS base_units
    FROM move_pairs
    WHERE window_promoted = 0 AND base_rows >= 2 AND promo_rows >= 1
    GROUP BY promo_id, d, sku, chain, region
),

-- Pools per move, SKU, chain and region; then region and all stores.
move_skus AS (
    SELECT DISTINCT mb.promo_id, mb.d, mb.a, mb.l, pa.sku
    FROM move_bounds AS mb
    INNER JOIN pairs AS pa ON pa.promo_id = mb.promo_id
),

pool_chain_region AS (
    SELECT
        ms.promo_id, ms.d, ms.sku, wp.chain, wp.region,
        wp.stores - coalesce(o.stores, 0) AS stores,
        wp.promo_units - coalesce(o.promo_units, 0) AS promo_units,
        wp.base_units - coalesce(o.base_units, 0) AS base_units
    FROM move_skus AS ms
    INNER JOIN window_pool AS wp ON wp.sku = ms.sku AND wp.a = ms.a AND wp.l = ms.l
    LEFT JOIN own_in_pool AS o
        ON o.promo_id = ms.promo_id AND o.d = ms.d AND o.sku = ms.sku
        AND o.chain = wp.chain AND o.region = wp.region
),

pool_region AS (
    SELECT promo_id, d, sku, region, sum(stores) AS stores, sum(promo_units) AS promo_units, sum(base_units) AS base_units
    FROM pool_chain_region
    GROUP BY promo_id, d, sku, region
),

pool_all AS (
    SELECT promo_id, d, sku, sum(stores) AS stores, sum(promo_units) AS promo_units, sum(base_units) AS base_units
    FROM pool_chain_region
    GROUP BY promo_id, d, sku
),

-- Each row at each move: its baseline (skipping promoted weeks, >= 2 weeks),
-- promo units, and the first pool with >= 3 control stores. In a moved
-- window a row under another promotion in the moved promo weeks is left out.
move_rows AS (
    SELECT
        mp.promo_id, mp.d, mp.store_id, mp.sku,
        CASE WHEN mp.base_clean_rows >= 2 THEN CAST(mp.base_clean_sum AS DOUBLE) / mp.base_clean_rows END AS b,
        CAST(mp.promo_sum AS DOUBLE) / mp.promo_rows AS promo_units,
        CAST(
            CASE
                WHEN pcr.stores >= 3 THEN pcr.stores
                WHEN pr.stores >= 3 THEN pr.stores
                WHEN pl.stores >= 3 THEN pl.stores
            END AS INTEGER
        ) AS control_stores,
        CASE
            WHEN pcr.stores >= 3 THEN pcr.promo_units / nullif(pcr.base_units, 0)
            WHEN pr.stores >= 3 THEN pr.promo_units / nullif(pr.base_units, 0)
            WHEN pl.stores >= 3 THEN pl.promo_units / nullif(pl.base_units, 0)
        END AS growth
    FROM move_pairs AS mp
    INNER JOIN promotions AS p ON p.promo_id = mp.promo_id
    LEFT JOIN pool_chain_region AS pcr
        ON pcr.promo_id = mp.promo_id AND pcr.d = mp.d AND pcr.sku = mp.sku
        AND pcr.chain = p.chain AND pcr.region = mp.region
    LEFT JOIN pool_region AS pr
        ON pr.promo_id = mp.promo_id AND pr.d = mp.d AND pr.sku = mp.sku AND pr.region = mp.region
    LEFT JOIN pool_all AS pl ON pl.promo_id = mp.promo_id AND pl.d = mp.d AND pl.sku = mp.sku
    WHERE mp.promo_rows >= 1
      AND (mp.d = 0 OR mp.promo_promoted = 0)
),

move_lift AS (
    SELECT
        promo_id, d,
        (sum(promo_units) / nullif(sum(b * growth), 0) - 1) * 100 AS lift_vs_control_pct
    FROM move_rows
    WHERE b * growth IS NOT NULL
    GROUP BY promo_id, d
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
    LEFT JOIN move_rows AS mr ON mr.promo_id = l.promo_id AND mr.d = 0 AND mr.store_id = l.store_id AND mr.sku = l.sku
)
