-- One promotion's control line: for each of its rows with control stores (at
-- its own weeks, the pool chosen as in promo-lift), the control stores' weekly
-- units scaled to the row's baseline, b x sum(units(w)) / sum(b(s')), summed
-- over the rows. Reads: period, promo, promo_weekly, promo_control.
one_span AS (
    SELECT ps.a0, ps.l, least(ps.a0 + ps.l - 1, ps.last_wi) AS e
    FROM promo_span AS ps
    WHERE ps.promo_id = $promo_id
),

one_candidates AS (
    SELECT
        ss.ssid, ss.sku, ss.chain, ss.region,
        CAST(ra.base_sum AS DOUBLE) / nullif(ra.base_rows, 0) AS base_units
    FROM one_span AS o
    CROSS JOIN store_skus AS ss
    INNER JOIN running AS ra ON ra.ssid = ss.ssid AND ra.wi = o.a0
    INNER JOIN running AS re ON re.ssid = ss.ssid AND re.wi = o.e
    WHERE ss.sku IN (SELECT sku FROM pairs WHERE promo_id = $promo_id)
      AND re.cp - ra.cp + ra.promoted + ra.base_promoted = 0
      AND ra.base_rows >= 2
      AND re.cn - ra.cn + ra.has_row >= 1
),

one_rows AS (
    SELECT
        l.store_id, l.sku, l.baseline_units AS b, p.chain, pa.region,
        (SELECT count(*) FROM one_candidates AS c WHERE c.sku = l.sku AND c.chain = p.chain AND c.region = pa.region)
            AS n_chain_region,
        (SELECT count(*) FROM one_candidates AS c WHERE c.sku = l.sku AND c.region = pa.region) AS n_region,
        (SELECT count(*) FROM one_candidates AS c WHERE c.sku = l.sku) AS n_all
    FROM lift AS l
    INNER JOIN promotions AS p ON p.promo_id = l.promo_id
    INNER JOIN pairs AS pa ON pa.promo_id = l.promo_id AND pa.store_id = l.store_id AND pa.sku = l.sku
    WHERE l.promo_id = $promo_id AND l.baseline_units IS NOT NULL
),

one_controls AS (
    SELECT r.store_id, r.sku, r.b, c.ssid, c.base_units
    FROM one_rows AS r
    INNER JOIN one_candidates AS c
        ON c.sku = r.sku
        AND (
            (r.n_chain_region >= 3 AND c.chain = r.chain AND c.region = r.region)
            OR (r.n_chain_region < 3 AND r.n_region >= 3 AND c.region = r.region)
            OR (r.n_chain_region < 3 AND r.n_region < 3 AND r.n_all >= 3)
        )
),

one_row_weeks AS (
    SELECT
        oc.store_id, oc.sku, g.wi,
        max(oc.b) * sum(g.units) / nullif(sum(oc.base_units), 0) AS control_units
    FROM one_controls AS oc
    CROSS JOIN one_span AS o
    INNER JOIN grid AS g
        ON g.ssid = oc.ssid
        AND g.wi BETWEEN o.a0 - $baseline_weeks AND o.e + $post_weeks
    GROUP BY oc.store_id, oc.sku, g.wi
),

promo_weekly_control AS (
    SELECT pw.*, c.control_units
    FROM promo_weekly AS pw
    LEFT JOIN (
        SELECT wk.week, sum(r.control_units) AS control_units
        FROM one_row_weeks AS r
        INNER JOIN week_index AS wk ON wk.wi = r.wi
        GROUP BY wk.week
    ) AS c ON c.week = pw.week
)
