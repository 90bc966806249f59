"""The deterministic demo warehouse: believable KA data with the method's stories planted.

Eight chains, five regions, three categories; three chains share category data
with their suppliers (competitor rows in `sales`), the others are known through
the category totals KA managers collect on visits. Market panel data for two
regions. Promotions of every mechanic, with lift, post-promotion dips,
stock-outs and a few that lost money. Planted stories: big stores where we
under-sell (Attack), small stores where we over-sell (KA by own sales, not by
potential), Attack stores nobody visits, a store with no category data.

Everything is generated with numpy arrays and written to DuckDB through Arrow,
never row by row: `create_demo(con, stores=2000)` makes > 10 million sales rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import duckdb
import numpy as np
import pyarrow as pa

from .db import rebuild_weekly
from .errors import KaError
from .schema import TABLES

LAST_WEEK = dt.date(2026, 11, 16)  # fixed, so the demo never depends on today's date
LOADED_AT = dt.datetime(2026, 11, 16, 9, 0)

CHAINS = [  # name, share of stores, shares category data, format, store name prefix
    ("Walmart", 0.20, True, "Hypermarket", "沃尔玛"),
    ("Carrefour", 0.16, True, "Hypermarket", "家乐福"),
    ("RT-Mart", 0.18, True, "Hypermarket", "大润发"),
    ("Metro", 0.06, False, "Warehouse club", "麦德龙"),
    ("Yonghui", 0.14, False, "Supermarket", "永辉"),
    ("Auchan", 0.08, False, "Hypermarket", "欧尚"),
    ("Vanguard", 0.10, False, "Supermarket", "华润万家"),
    ("Lotus", 0.08, False, "Hypermarket", "易初莲花"),
]
REGIONS = {  # region: (cities, our market share there)
    "East": (["Shanghai 上海", "Hangzhou 杭州", "Nanjing 南京"], 0.24),
    "North": (["Beijing 北京", "Tianjin 天津"], 0.19),
    "South": (["Guangzhou 广州", "Shenzhen 深圳"], 0.21),
    "West": (["Chengdu 成都", "Chongqing 重庆"], 0.15),
    "Central": (["Wuhan 武汉", "Changsha 长沙"], 0.17),
}
MANAGERS = {  # two KA managers per region
    "East": ["Li Wei 李伟", "Zhang Min 张敏"],
    "North": ["Wang Fang 王芳", "Liu Yang 刘洋"],
    "South": ["Chen Jie 陈杰", "Huang Li 黄丽"],
    "West": ["Zhao Lei 赵磊", "Zhou Tao 周涛"],
    "Central": ["Wu Na 吴娜", "Sun Hao 孙浩"],
}
CATEGORIES = {  # category: (own brand, competitor brands, size factor, price range)
    "Dairy": ("Sunfield", ["Golden Meadow", "Northern Pasture", "Bright Farm", "Alpine Cow", "Jade Valley"], 1.0, (6, 18)),
    "Snacks": ("Crispy Bay", ["Happy Crunch", "Oishi Co", "Lucky Chips", "Red Lantern", "Panda Bites"], 0.6, (4, 12)),
    "Beverages": ("Fresh Peak", ["Blue Spring", "Tianfu Tea", "Cool Wave", "Sunny Orchard", "Mountain Dew Co"], 0.8, (3, 9)),
}
OWN_SKUS = 8
COMP_SKUS = 4  # per competitor brand
MECHANICS = ["DM", "TG", "TPR", "PROMOTER", "BUNDLE"]
LIFT = {"DM": (0.6, 1.5), "TG": (0.6, 1.4), "TPR": (0.3, 0.6), "PROMOTER": (0.2, 0.4), "BUNDLE": (0.2, 0.5)}
COMPETITOR_NOTES = ["蒙牛端架促销", "伊利买二送一", "竞品新品上市", "竞品降价10%", "竞品增加促销员", "竞品DM海报"]
VISIT_NOTES = ["店长要求加大陈列", "下周档期确认", "补货不及时", "价签错误已纠正"]


def _weeks(n: int) -> np.ndarray:
    return np.array([LAST_WEEK - dt.timedelta(weeks=n - 1 - i) for i in range(n)], dtype="datetime64[D]")


def _seasonality(weeks: np.ndarray, categories: list[str]) -> np.ndarray:
    """(weeks, categories): Chinese New Year peak, summer for beverages, a mild trend."""
    doy = (weeks - weeks.astype("datetime64[Y]")).astype(int)
    years = (weeks - weeks[0]).astype(int) / 365.0
    cny = 1 + 0.45 * np.exp(-(((doy - 35) / 12.0) ** 2))  # late January / February
    summer = 1 + 0.35 * np.exp(-(((doy - 200) / 30.0) ** 2))
    trend = 1 + 0.04 * years
    out = np.empty((len(weeks), len(categories)))
    for j, c in enumerate(categories):
        out[:, j] = cny * trend * (summer if c == "Beverages" else 1.0)
    return out


def create_demo(con: duckdb.DuckDBPyConnection, stores: int = 160, weeks: int = 104, seed: int = 7) -> dict[str, int]:
    """Fill an empty warehouse with the demo data; return the row count of each table."""
    if stores < 1 or weeks < 12:
        raise KaError("The demo needs at least 1 store and 12 weeks.")
    for t in TABLES:
        if con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]:
            raise KaError(f"The warehouse is not empty ({t} has rows); demo data goes into an empty warehouse.")
    rng = np.random.default_rng(seed)
    label = f"demo (seed {seed}, {stores} stores, {weeks} weeks)"
    data = _generate(rng, stores, weeks)
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        counts = {}
        for load_id, table in enumerate(("stores", "products", "sales", "market", "promotions", "visits"), start=1):
            arrow = data[table]
            cols = TABLES[table].column_names
            con.register("demo_rows", arrow)
            con.execute(
                f"INSERT INTO {table} ({', '.join(cols)}, load_id) SELECT {', '.join(cols)}, {load_id} FROM demo_rows"
            ).fetchall()
            con.unregister("demo_rows")
            counts[table] = arrow.num_rows
            con.execute(
                "INSERT INTO ka_loads VALUES (?, ?, ?, ?, ?, 0, 'demo', ?, NULL)",
                [load_id, table, label, hashlib.sha256(label.encode()).hexdigest(), arrow.num_rows, LOADED_AT],
            ).fetchall()
        rebuild_weekly(con)
        con.execute("COMMIT").fetchall()
    except Exception:
        con.execute("ROLLBACK").fetchall()
        raise
    return counts


def _generate(rng: np.random.Generator, n_stores: int, n_weeks: int) -> dict[str, pa.Table]:
    week_dates = _weeks(n_weeks)
    cats = list(CATEGORIES)
    n_cat = len(cats)

    # Stores ---------------------------------------------------------------------------
    chain_idx = rng.choice(len(CHAINS), size=n_stores, p=[c[1] for c in CHAINS])
    region_names = list(REGIONS)
    region_idx = rng.choice(len(region_names), size=n_stores, p=[0.28, 0.22, 0.22, 0.14, 0.14])
    sharing = np.array([CHAINS[i][2] for i in chain_idx])
    size = np.exp(rng.normal(np.log(9000), 0.75, n_stores))  # weekly category sales, Dairy scale
    size[np.array([CHAINS[i][0] == "Metro" for i in chain_idx])] *= 1.6
    store_ids, store_names, cities, managers, formats = [], [], [], [], []
    counters: dict[str, int] = {}
    for s in range(n_stores):
        chain, _, _, fmt, prefix = CHAINS[chain_idx[s]]
        region = region_names[region_idx[s]]
        city = REGIONS[region][0][int(rng.integers(len(REGIONS[region][0])))]
        key = f"{chain[:2].upper()}-{region[:2].upper()}"
        counters[key] = counters.get(key, 0) + 1
        store_ids.append(f"{key}-{counters[key]:03d}")
        store_names.append(f"{prefix} {city.split(' ')[1]}{counters[key]}号店")
        cities.append(city.split(" ")[0])
        managers.append(MANAGERS[region][int(rng.integers(2))])
        formats.append(fmt)

    # Our share per store and category around the region's market share; the stories.
    base_share = np.array([REGIONS[region_names[r]][1] for r in region_idx])
    share = base_share[:, None] * np.exp(rng.normal(0, 0.3, (n_stores, n_cat)))
    order = np.argsort(-size)
    top = order[: max(1, n_stores // 5)]
    attack = rng.choice(top, size=max(1, len(top) // 3), replace=False)  # big stores, we under-sell
    share[attack] *= 0.4
    small = order[n_stores // 2 :]
    over = rng.choice(small, size=max(1, n_stores // 12), replace=False) if len(small) else np.array([], int)
    share[over] = np.minimum(0.65, share[over] * 2.8)  # small stores where we are strong
    size[over] *= 1.3
    share = np.clip(share, 0.01, 0.7)
    # Attack stores not visited for months, and stores with no category data at all.
    neglected = attack[: max(1, len(attack) // 2)]
    nonsharing = np.flatnonzero(~sharing)
    no_data = rng.choice(nonsharing, size=max(1, len(nonsharing) // 25), replace=False) if len(nonsharing) else []

    # Products -------------------------------------------------------------------------
    skus, brands, pcats, own_flags, names, makers, costs, prices = [], [], [], [], [], [], [], []
    for c, (own_brand, comps, _, (lo, hi)) in CATEGORIES.items():
        for i in range(OWN_SKUS):
            p = round(float(rng.uniform(lo, hi)), 1)
            skus.append(f"{c[:3].upper()}-O{i + 1:02d}")
            brands.append(own_brand), pcats.append(c), own_flags.append(True)
            names.append(f"{own_brand} {c.lower()} #{i + 1}"), makers.append("Our Company")
            costs.append(round(p * 0.55, 2)), prices.append(p)
        for b, brand in enumerate(comps):
            for i in range(COMP_SKUS):
                p = round(float(rng.uniform(lo, hi)), 1)
                skus.append(f"{c[:3].upper()}-C{b + 1}{i + 1}")
                brands.append(brand), pcats.append(c), own_flags.append(False)
                names.append(f"{brand} #{i + 1}"), makers.append(f"{brand} Group")
                costs.append(None), prices.append(p)
        skus.append(f"OTHER-{c}")
        brands.append("Other"), pcats.append(c), own_flags.append(False)
        names.append(f"All other {c.lower()}"), makers.append(None), costs.append(None), prices.append(10.0)
    n_sku = len(skus)
    sku_cat = np.array([cats.index(c) for c in pcats])
    is_own = np.array(own_flags)
    price = np.array(prices)

    # Category totals T(s, c, w) and our revenue ----------------------------------------
    cat_factor = np.array([CATEGORIES[c][2] for c in cats])
    season = _seasonality(week_dates, cats)  # (w, c)
    total = (
        size[:, None, None]
        * cat_factor[None, :, None]
        * season.T[None, :, :]
        * np.exp(rng.normal(0, 0.08, (n_stores, n_cat, n_weeks)))
    )  # (s, c, w)
    own_total = total * share[:, :, None] * np.exp(rng.normal(0, 0.06, (n_stores, n_cat, n_weeks)))

    # Promotions (own SKUs), applied to a (store, own sku, week) multiplier -----------------
    own_idx = np.flatnonzero(is_own)
    own_pos = {k: i for i, k in enumerate(own_idx)}
    mult = np.ones((n_stores, len(own_idx), n_weeks))
    oos_events: list[tuple[int, int, int]] = []  # (store, sku, week)
    promo_rows = []
    n_promos = int(60 + 0.2 * n_stores)
    for p in range(n_promos):
        ch = int(rng.integers(len(CHAINS)))
        chain_stores = np.flatnonzero(chain_idx == ch)
        if len(chain_stores) == 0:
            continue
        mech = MECHANICS[p % len(MECHANICS)]
        start_w = int(rng.integers(10, n_weeks - 3))
        length = int(rng.integers(1, 4))
        start = week_dates[start_w].astype(dt.date) + dt.timedelta(days=int(rng.integers(0, 4)))
        end_w = min(n_weeks - 1, start_w + length - 1)
        end = week_dates[end_w].astype(dt.date) + dt.timedelta(days=int(rng.integers(3, 7)))
        one_store = rng.random() < 0.25
        stores_in = chain_stores[[int(rng.integers(len(chain_stores)))]] if one_store else chain_stores
        c = int(rng.integers(n_cat))
        cat_own = own_idx[sku_cat[own_idx] == c]
        one_sku = rng.random() < 0.5
        skus_in = cat_own[[int(rng.integers(len(cat_own)))]] if one_sku else cat_own
        loser = rng.random() < 0.1
        lo, hi = LIFT[mech]
        lift = rng.uniform(0.02, 0.12) if loser else rng.uniform(lo, hi)
        dip = rng.uniform(0.05, 0.25) if mech in ("DM", "TPR", "BUNDLE") else rng.uniform(0, 0.08)
        pos = [own_pos[k] for k in skus_in]
        weeks_in = np.arange(start_w, end_w + 1)
        mult[np.ix_(stores_in, pos, weeks_in)] *= 1 + lift
        post = np.arange(end_w + 1, min(n_weeks, end_w + 3))
        if len(post):
            mult[np.ix_(stores_in, pos, post)] *= 1 - dip
        # Stock-outs: some promoted store-weeks run dry (sales capped, seen on the visit).
        for s in stores_in:
            if rng.random() < 0.12:
                k = int(rng.choice(skus_in))
                w = int(rng.choice(weeks_in))
                mult[s, own_pos[k], w] *= 0.7
                oos_events.append((int(s), k, w))
        # Expected incremental gross profit, to size cost and target.
        base_rev = own_total[np.ix_(stores_in, [c], weeks_in)].sum() * len(skus_in) / OWN_SKUS
        gp = base_rev * lift * 0.45 / (1 + 0.2)
        cost = round(float(gp * (rng.uniform(2.5, 4.0) if loser else rng.uniform(0.2, 0.6))), -1)
        units = base_rev * (1 + lift) / float(np.mean(price[skus_in]))
        target = None if rng.random() < 0.2 else round(float(units * rng.uniform(0.85, 1.3)), -1)
        promo_price = round(float(np.mean(price[skus_in]) * rng.uniform(0.75, 0.9)), 1)
        promo_rows.append(
            (
                f"PR-{2000 + p:04d}",
                CHAINS[ch][0],
                mech,
                start,
                end,
                store_ids[stores_in[0]] if one_store else None,
                skus[skus_in[0]] if one_sku else None,
                CATEGORIES[cats[c]][0],
                promo_price,
                cost,
                target,
            )
        )

    # Sales rows ---------------------------------------------------------------------------
    # Own SKUs: the store's own revenue split over the SKUs it carries.
    carried = rng.random((n_stores, n_sku)) < np.where(is_own, 0.88, 0.92)
    carried[:, [i for i, k in enumerate(skus) if k.startswith("OTHER-")]] = True
    weights = rng.gamma(2.0, 1.0, n_sku) * carried  # (s, k)
    sales_parts = []
    for c in range(n_cat):
        ks = np.flatnonzero(sku_cat == c)
        own_k = ks[is_own[ks]]
        comp_k = ks[~is_own[ks]]
        w_own = weights[:, own_k] / np.maximum(weights[:, own_k].sum(1, keepdims=True), 1e-9)
        w_comp = weights[:, comp_k] / np.maximum(weights[:, comp_k].sum(1, keepdims=True), 1e-9)
        own_rev = own_total[:, c, None, :] * w_own[:, :, None] * mult[:, [own_pos[k] for k in own_k], :]
        comp_rev = (total[:, c, None, :] - own_total[:, c, None, :]) * w_comp[:, :, None]
        for ks_, rev, mask in ((own_k, own_rev, carried[:, own_k]), (comp_k, comp_rev, carried[:, comp_k] & sharing[:, None])):
            units = np.rint(rev / price[ks_][None, :, None])
            keep = np.broadcast_to(mask[:, :, None], units.shape) & (units > 0)
            s_i, k_i, w_i = np.nonzero(keep)
            u = units[s_i, k_i, w_i]
            sales_parts.append((w_i, s_i, ks_[k_i], u, u * price[ks_[k_i]]))
    w_all, s_all, k_all, u_all, r_all = (np.concatenate([p[i] for p in sales_parts]) for i in range(5))
    sales = pa.table(
        {
            "week": pa.array(week_dates[w_all]),
            "store_id": pa.DictionaryArray.from_arrays(pa.array(s_all.astype(np.int32)), pa.array(store_ids)),
            "sku": pa.DictionaryArray.from_arrays(pa.array(k_all.astype(np.int32)), pa.array(skus)),
            "units": pa.array(u_all, pa.float64()),
            "revenue": pa.array(np.round(r_all, 2), pa.float64()),
        }
    )

    # Market panel data for East and South ------------------------------------------------
    market_rows = {"week": [], "region": [], "category": [], "market_revenue": [], "own_revenue": []}
    for r_name, coverage, bias in (("East", 0.35, 0.96), ("South", 0.3, 1.04)):
        in_r = region_idx == region_names.index(r_name)
        if not in_r.any():
            continue
        for c in range(n_cat):
            t = total[in_r, c, :].sum(0) / coverage
            o = own_total[in_r, c, :].sum(0) / coverage * bias
            market_rows["week"].extend(week_dates)
            market_rows["region"].extend([r_name] * n_weeks)
            market_rows["category"].extend([cats[c]] * n_weeks)
            market_rows["market_revenue"].extend(np.round(t, -1))
            market_rows["own_revenue"].extend(np.round(o, -1))
    market = pa.table(
        {
            "week": pa.array(np.array(market_rows["week"], dtype="datetime64[D]")),
            "region": market_rows["region"],
            "category": market_rows["category"],
            "market_revenue": pa.array(market_rows["market_revenue"], pa.float64()),
            "own_revenue": pa.array(market_rows["own_revenue"], pa.float64()),
        }
    )

    visits = _visits(
        rng, n_stores, n_weeks, week_dates, cats, size, sharing, share, total, managers, store_ids, skus,
        sku_cat, is_own, neglected, no_data, oos_events,
    )

    stores_t = pa.table(
        {
            "store_id": store_ids,
            "store_name": store_names,
            "chain": [CHAINS[i][0] for i in chain_idx],
            "region": [region_names[i] for i in region_idx],
            "city": cities,
            "format": formats,
            "ka_manager": managers,
        }
    )
    products_t = pa.table(
        {
            "sku": skus,
            "brand": brands,
            "category": pcats,
            "is_own": own_flags,
            "sku_name": names,
            "manufacturer": makers,
            "unit_cost": pa.array(costs, pa.float64()),
        }
    )
    promo_cols = TABLES["promotions"].column_names
    promotions_t = pa.table(
        {c: pa.array([r[i] for r in promo_rows], pa.float64() if c in ("promo_price", "cost", "retailer_target_units") else None) for i, c in enumerate(promo_cols)}
    )
    return {"stores": stores_t, "products": products_t, "sales": sales, "market": market, "promotions": promotions_t, "visits": visits}


def _visits(
    rng, n_stores, n_weeks, week_dates, cats, size, sharing, share, total, managers, store_ids, skus,
    sku_cat, is_own, neglected, no_data, oos_events,
) -> pa.Table:
    """Weekly visits: big stores most weeks, some stores rarely, neglected Attack stores not for months."""
    n_cat = len(cats)
    rank = np.argsort(np.argsort(-size)) / max(1, n_stores - 1)  # 0 = biggest
    p_visit = np.clip(0.9 - 0.55 * rank, 0.25, 0.9)
    visited = rng.random((n_stores, n_weeks)) < p_visit[:, None]
    visited[neglected, max(0, n_weeks - 20) :] = False  # not seen for about five months
    s_i, w_i = np.nonzero(visited)
    day = rng.integers(0, 5, len(s_i))
    # A second visit in some weeks (another day, a colleague), with its own category total.
    second = rng.random(len(s_i)) < 0.08
    s_i = np.concatenate([s_i, s_i[second]])
    w_i = np.concatenate([w_i, w_i[second]])
    day = np.concatenate([day, np.minimum(6, day[second] + 2)])
    is_second = np.concatenate([np.zeros(len(second), bool), np.ones(int(second.sum()), bool)])
    n = len(s_i)
    rows_s = np.repeat(s_i, n_cat)
    rows_w = np.repeat(w_i, n_cat)
    rows_c = np.tile(np.arange(n_cat), n)
    rows_second = np.repeat(is_second, n_cat)
    dates = week_dates[rows_w] + np.repeat(day, n_cat).astype("timedelta64[D]")
    t = total[rows_s, rows_c, rows_w]
    reported = np.where(sharing[rows_s], rng.random(len(rows_s)) < 0.3, rng.random(len(rows_s)) < 0.92)
    no_data_mask = np.isin(rows_s, no_data) & (rows_c == 0)
    reported &= ~no_data_mask
    noise = np.where(rows_second, rng.uniform(0.85, 1.15, len(rows_s)), rng.uniform(0.97, 1.03, len(rows_s)))
    scs = np.where(reported, np.round(t * noise, -1), np.nan)
    total_f = np.rint(np.clip(8 + size[rows_s] / 900 * [1.0, 0.7, 0.8][0], 8, 60) * np.array([1.0, 0.7, 0.8])[rows_c])
    own_f = np.minimum(total_f, np.rint(total_f * np.clip(share[rows_s, rows_c] * rng.uniform(0.7, 1.3, len(rows_s)), 0, 1)))
    has_f = rng.random(len(rows_s)) < 0.9

    def maybe_bool(p_true, p_null):
        v = rng.random(len(rows_s)) < p_true
        return pa.array(np.where(rng.random(len(rows_s)) < p_null, None, v).tolist(), pa.bool_())

    own_by_cat = [np.flatnonzero(is_own & (sku_cat == c)) for c in range(n_cat)]
    oos = np.full(len(rows_s), None, dtype=object)
    random_oos = np.flatnonzero(rng.random(len(rows_s)) < 0.07)
    for i in random_oos:
        ks = rng.choice(own_by_cat[rows_c[i]], size=int(rng.integers(1, 3)), replace=False)
        oos[i] = ";".join(skus[k] for k in sorted(ks))
    # Stock-outs during promotions: the visit of that store-week lists the SKU.
    first_of = {}
    for i in range(len(rows_s)):
        first_of.setdefault((rows_s[i], rows_w[i], rows_c[i]), i)
    for s, k, w in oos_events:
        i = first_of.get((s, w, int(sku_cat[k])))
        if i is not None:
            oos[i] = skus[k] if oos[i] is None else ";".join(sorted(set(oos[i].split(";")) | {skus[k]}))
    comp_act = np.where(rng.random(len(rows_s)) < 0.1, rng.choice(COMPETITOR_NOTES, len(rows_s)), None)
    notes = np.where(rng.random(len(rows_s)) < 0.05, rng.choice(VISIT_NOTES, len(rows_s)), None)
    reps = np.array(managers, dtype=object)[rows_s]
    reps = np.where(rows_second, "Sales rep 业务员 " + np.char.mod("%02d", rows_s % 17).astype(object), reps)
    return pa.table(
        {
            "visit_date": pa.array(dates),
            "store_id": pa.DictionaryArray.from_arrays(pa.array(rows_s.astype(np.int32)), pa.array(store_ids)),
            "rep": pa.array(reps.tolist(), pa.string()),
            "category": pa.array(np.array(cats, dtype=object)[rows_c].tolist(), pa.string()),
            "store_category_sales": pa.array(scs, pa.float64(), from_pandas=True),
            "own_facings": pa.array(np.where(has_f, own_f, np.nan), pa.float64(), from_pandas=True),
            "total_facings": pa.array(np.where(has_f, total_f, np.nan), pa.float64(), from_pandas=True),
            "display_ok": maybe_bool(0.75, 0.1),
            "promo_executed": maybe_bool(0.8, 0.6),
            "price_compliant": maybe_bool(0.85, 0.1),
            "oos_skus": pa.array(oos.tolist(), pa.string()),
            "competitor_activity": pa.array(comp_act.tolist(), pa.string()),
            "notes": pa.array(notes.tolist(), pa.string()),
        }
    )
