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

-- Every store and SKU that sold a promoted SKU, in every week of the data.
store_skus AS (
    SELECT DISTINCT sa.store_id, sa.sku, s.chain, s.region
    FROM sales AS sa
    INNER JOIN stores AS s ON s.store_id = sa.store_id
    WHERE sa.sku IN (SELECT sku FROM pairs)
),

grid AS (
    SELECT
        ss.store_id, ss.sku, wk.wi,
        coalesce(sa.units, 0) AS units,
        CASE WHEN sa.units IS NULL THEN 0 ELSE 1 END AS has_row,
        CASE WHEN q.week IS NULL THEN 0 ELSE 1 END AS promoted
    FROM store_skus AS ss
    CROSS JOIN week_index AS wk
    LEFT JOIN sales AS sa ON sa.store_id = ss.store_id AND sa.sku = ss.sku AND sa.week = wk.week
    LEFT JOIN promoted_weeks AS q ON q.store_id = ss.store_id AND q.sku = ss.sku AND q.week = wk.week
),

-- Running sums up to and including week wi: units and weeks with a row (all,
-- and outside any promotion), and promoted weeks.
running AS (
    SELECT
        store_id, sku, wi,
        sum(units) OVER w AS cu,
        sum(has_row) OVER w AS cn,
        sum(units * (1 - promoted)) OVER w AS cu_clean,
        sum(has_row * (1 - promoted)) OVER w AS cn_clean,
        sum(promoted) OVER w AS cp
    FROM grid
    WINDOW w AS (PARTITION BY store_id, sku ORDER BY wi ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
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
-- the 40 nearest (ties: the earlier). Move 0 is the promotion itself.
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
    WHERE nearest <= 40
    UNION ALL
    SELECT promo_id, 0 AS d, a0 AS a, l FROM promo_span
),

-- The running-sum weeks a window needs, clamped to the data: before the first
-- week (-1) every sum is 0, after the last week the sums stay.
move_bounds AS (
    SELECT
        m.*,
        least(m.a - $baseline_weeks - 1, ws.last_wi) AS i0,
        least(m.a - 1, ws.last_wi) AS i1,
        least(m.a + m.l - 1, ws.last_wi) AS i2
    FROM moves AS m
    CROSS JOIN week_span AS ws
),

-- Window sums of a (store, SKU) at a move: baseline [a-B, a-1], promo [a, a+l-1].
move_pairs AS (
    SELECT
        mb.promo_id, mb.d, mb.a, mb.l, pa.store_id, pa.sku, ss.chain, ss.region,
        coalesce(r1.cu, 0) - coalesce(r0.cu, 0) AS base_sum,
        coalesce(r1.cn, 0) - coalesce(r0.cn, 0) AS base_rows,
        coalesce(r1.cu_clean, 0) - coalesce(r0.cu_clean, 0) AS base_clean_sum,
        coalesce(r1.cn_clean, 0) - coalesce(r0.cn_clean, 0) AS base_clean_rows,
        coalesce(r2.cu, 0) - coalesce(r1.cu, 0) AS promo_sum,
        coalesce(r2.cn, 0) - coalesce(r1.cn, 0) AS promo_rows,
        coalesce(r2.cp, 0) - coalesce(r1.cp, 0) AS promo_promoted,
        coalesce(r2.cp, 0) - coalesce(r0.cp, 0) AS window_promoted
    FROM move_bounds AS mb
    INNER JOIN pairs AS pa ON pa.promo_id = mb.promo_id
    INNER JOIN store_skus AS ss ON ss.store_id = pa.store_id AND ss.sku = pa.sku
    LEFT JOIN running AS r0 ON r0.store_id = pa.store_id AND r0.sku = pa.sku AND r0.wi = mb.i0
    LEFT JOIN running AS r1 ON r1.store_id = pa.store_id AND r1.sku = pa.sku AND r1.wi = mb.i1
    LEFT JOIN running AS r2 ON r2.store_id = pa.store_id AND r2.sku = pa.sku AND r2.wi = mb.i2
),

-- Control candidates for each (SKU, window) a move needs, pooled per chain and
-- region: no promotion on the SKU in the window, >= 2 baseline and >= 1 promo
-- weeks with a row.
windows AS (
    SELECT DISTINCT mp.sku, mb.a, mb.l, mb.i0, mb.i1, mb.i2
    FROM move_bounds AS mb
    INNER JOIN (SELECT DISTINCT promo_id, sku FROM pairs) AS mp ON mp.promo_id = mb.promo_id
),

window_stores AS (
    SELECT
        w.sku, w.a, w.l, ss.store_id, ss.chain, ss.region,
        coalesce(r2.cp, 0) - coalesce(r0.cp, 0) AS window_promoted,
        coalesce(r1.cn, 0) - coalesce(r0.cn, 0) AS base_rows,
        coalesce(r2.cn, 0) - coalesce(r1.cn, 0) AS promo_rows,
        CAST(coalesce(r1.cu, 0) - coalesce(r0.cu, 0) AS DOUBLE)
            / nullif(coalesce(r1.cn, 0) - coalesce(r0.cn, 0), 0) AS base_units,
        CAST(coalesce(r2.cu, 0) - coalesce(r1.cu, 0) AS DOUBLE)
            / nullif(coalesce(r2.cn, 0) - coalesce(r1.cn, 0), 0) AS promo_units
    FROM windows AS w
    INNER JOIN store_skus AS ss ON ss.sku = w.sku
    LEFT JOIN running AS r0 ON r0.store_id = ss.store_id AND r0.sku = ss.sku AND r0.wi = w.i0
    LEFT JOIN running AS r1 ON r1.store_id = ss.store_id AND r1.sku = ss.sku AND r1.wi = w.i1
    LEFT JOIN running AS r2 ON r2.store_id = ss.store_id AND r2.sku = ss.sku AND r2.wi = w.i2
),

window_pool AS (
    SELECT sku, a, l, chain, region, count(*) AS stores, sum(promo_units) AS promo_units, sum(base_units) AS base_units
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
        CASE
            WHEN pcr.stores >= 3 THEN pcr.stores
            WHEN pr.stores >= 3 THEN pr.stores
            WHEN pl.stores >= 3 THEN pl.stores
        END AS control_stores,
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
