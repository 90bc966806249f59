"""The deterministic demo warehouse: believable KA data with the method's stories planted.

A food maker ("Our Company": dairy, snacks, beverages) selling through eight KA
chains in five regions. Walmart, Carrefour and RT-Mart share category data
(competitor rows in `sales`); the other chains are known through the category
totals the KA managers collect on their weekly visits. Market panel data for
East and South. Chinese New Year, summer and Mid-Autumn seasons, a mild trend.
Promotions of every mechanic with lift, post-promotion dips, stock-outs, stores
that did not execute, and a few that lost money.

Planted effects, so that the estimates can be checked against the truth (see `promotion_truth`,
`visit_truth`): promotions that work, promotions without effect, promotions on a seasonal rise
that fool a before/after lift, and a small effect of every visit on the store's sales.

Planted stories (see `story_stores`): big stores where we under-sell (Attack),
some of them not visited for months; small stores where we are very strong (KA
by own sales, not by potential) and visited every week; stores that never
report a category total (No data).

Everything is generated with numpy arrays and written to DuckDB through Arrow,
sales in chunks of stores: `create_demo(con, stores=2000)` writes > 10 million
sales rows with flat memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from .db import rebuild_weekly
from .errors import KaError
from .schema import LOAD_ORDER, TABLES

LAST_WEEK = dt.date(2026, 11, 16)  # fixed, so the demo never depends on today's date
LOADED_AT = dt.datetime(2026, 11, 16, 8, 0)
MAX_WEEKS = 520  # the festival calendars below cover ten years back from LAST_WEEK
CHUNK_STORES = 200  # sales are generated and written this many stores at a time


@dataclass(frozen=True)
class Chain:
    name: str
    code: str
    zh: str
    weight: float  # share of the demo's stores
    shares_data: bool  # gives suppliers the whole category's sell-out
    formats: tuple[tuple[str, float], ...]
    price: float  # price level against the list price
    carries: float  # share of the range a store lists
    affinity: float  # our relationship with the chain: our share there vs the region's


CHAINS = (
    Chain("Walmart", "WM", "沃尔玛", 0.20, True, (("Hypermarket", 0.9), ("Supermarket", 0.1)), 0.98, 0.96, 1.05),
    Chain("Carrefour", "CF", "家乐福", 0.15, True, (("Hypermarket", 1.0),), 1.00, 0.96, 0.92),
    Chain("RT-Mart", "RT", "大润发", 0.22, True, (("Hypermarket", 0.95), ("Supermarket", 0.05)), 0.99, 0.96, 1.12),
    Chain("Metro", "MT", "麦德龙", 0.05, False, (("Warehouse club", 1.0),), 0.95, 0.70, 0.70),
    Chain("Yonghui", "YH", "永辉", 0.14, False, (("Supermarket", 0.75), ("Hypermarket", 0.25)), 1.01, 0.85, 1.08),
    Chain("Auchan", "AC", "欧尚", 0.07, False, (("Hypermarket", 1.0),), 1.00, 0.90, 0.90),
    Chain("Vanguard", "VG", "华润万家", 0.10, False, (("Supermarket", 0.7), ("Hypermarket", 0.3)), 1.02, 0.85, 1.00),
    Chain("Lotus", "LT", "易初莲花", 0.07, False, (("Hypermarket", 1.0),), 0.99, 0.90, 0.85),
)
FORMAT_SIZE = {"Hypermarket": 1.0, "Supermarket": 0.42, "Warehouse club": 1.5}

# region: (weight, our market share there, KA managers (one per half of the cities), cities)
# city: (English name, Chinese name, code, districts for store names)
REGIONS = {
    "East": (
        0.28,
        0.26,
        ("Li Wei 李伟", "Zhang Min 张敏"),
        (
            ("Shanghai", "上海", "SH", ("浦东", "徐汇", "闵行", "静安", "宝山", "嘉定", "长宁", "杨浦")),
            ("Hangzhou", "杭州", "HZ", ("西湖", "滨江", "萧山", "拱墅", "余杭")),
            ("Nanjing", "南京", "NJ", ("鼓楼", "江宁", "建邺", "玄武", "秦淮")),
            ("Suzhou", "苏州", "SU", ("姑苏", "园区", "吴中", "相城")),
        ),
    ),
    "North": (
        0.20,
        0.20,
        ("Wang Fang 王芳", "Liu Yang 刘洋"),
        (
            ("Beijing", "北京", "BJ", ("朝阳", "海淀", "丰台", "通州", "大兴", "昌平", "西城", "望京")),
            ("Tianjin", "天津", "TJ", ("南开", "河西", "和平", "滨海")),
            ("Shenyang", "沈阳", "SY", ("和平", "铁西", "浑南", "皇姑")),
            ("Jinan", "济南", "JN", ("历下", "市中", "槐荫", "天桥")),
        ),
    ),
    "South": (
        0.22,
        0.22,
        ("Chen Jie 陈杰", "Huang Li 黄丽"),
        (
            ("Guangzhou", "广州", "GZ", ("天河", "越秀", "海珠", "番禺", "白云", "黄埔")),
            ("Shenzhen", "深圳", "SZ", ("福田", "南山", "罗湖", "宝安", "龙岗")),
            ("Xiamen", "厦门", "XM", ("思明", "湖里", "集美")),
            ("Fuzhou", "福州", "FZ", ("鼓楼", "台江", "仓山")),
        ),
    ),
    "West": (
        0.14,
        0.15,
        ("Zhao Lei 赵磊", "Zhou Tao 周涛"),
        (
            ("Chengdu", "成都", "CD", ("锦江", "武侯", "高新", "成华", "金牛")),
            ("Chongqing", "重庆", "CQ", ("渝中", "江北", "南岸", "沙坪坝")),
            ("Xi'an", "西安", "XA", ("雁塔", "碑林", "未央")),
            ("Kunming", "昆明", "KM", ("五华", "盘龙", "官渡")),
        ),
    ),
    "Central": (
        0.16,
        0.18,
        ("Wu Na 吴娜", "Sun Hao 孙浩"),
        (
            ("Wuhan", "武汉", "WH", ("江汉", "武昌", "洪山", "汉阳", "光谷")),
            ("Changsha", "长沙", "CS", ("芙蓉", "岳麓", "开福", "雨花")),
            ("Zhengzhou", "郑州", "ZZ", ("金水", "二七", "中原")),
            ("Hefei", "合肥", "HF", ("蜀山", "包河", "庐阳")),
        ),
    ),
}
CITY_WEIGHTS = (0.4, 0.25, 0.2, 0.15)  # the first city of a region is its biggest market
SUPERVISORS = {  # regional sales supervisors, who sometimes visit a store a second time in a week
    "East": "Ma Jun 马军",
    "North": "Xu Jing 徐静",
    "South": "He Qiang 何强",
    "West": "Luo Yan 罗艳",
    "Central": "Guo Peng 郭鹏",
}


@dataclass(frozen=True)
class Category:
    name: str
    code: str
    zh: str
    weekly: float  # median weekly category sales of a hypermarket, all brands (yuan)
    affinity: float  # our strength in the category
    cny: float  # Chinese New Year (年货) peak
    summer: float
    autumn: float  # Mid-Autumn / National Day gift season
    own: tuple[tuple[str, str, str, float], ...]  # (brand, brand in Chinese, item, list price)
    competitors: tuple[tuple[str, str], ...]  # (brand, brand in Chinese)
    items: tuple[tuple[str, float], ...]  # the competitors' range: (item, list price)


CATEGORIES = (
    Category(
        "Dairy",
        "DAI",
        "乳品",
        60_000,
        1.10,
        0.70,
        0.0,
        0.25,
        (
            ("Sunfield", "阳光牧场", "纯牛奶 250ml×16", 52.9),
            ("Sunfield", "阳光牧场", "高钙牛奶 250ml×16", 56.9),
            ("Sunfield", "阳光牧场", "原味酸奶 200g×10", 42.9),
            ("Sunfield", "阳光牧场", "鲜牛奶 950ml", 21.9),
            ("Sunfield Kids", "阳光宝贝", "儿童成长奶 190ml×12", 48.9),
            ("Sunfield Kids", "阳光宝贝", "儿童酸奶 100g×8", 26.9),
        ),
        (
            ("Grassland", "草原牧歌"),
            ("Golden Pasture", "金牧场"),
            ("Jade Lake", "翠湖"),
            ("Northern Star", "北星"),
            ("Happy Cow", "乐牛"),
        ),
        (
            ("纯牛奶 250ml×16", 49.9),
            ("酸奶 200g×10", 39.9),
            ("低脂牛奶 1L", 15.9),
            ("儿童奶 190ml×12", 45.0),
            ("鲜牛奶 950ml", 19.9),
        ),
    ),
    Category(
        "Snacks",
        "SNK",
        "休闲食品",
        40_000,
        0.85,
        0.90,
        -0.05,
        0.20,
        (
            ("Crispy Bay", "脆湾", "薯片 原味 70g", 8.5),
            ("Crispy Bay", "脆湾", "薯片 番茄味 70g", 8.5),
            ("Crispy Bay", "脆湾", "每日坚果 750g", 109.0),
            ("Crispy Bay", "脆湾", "苏打饼干 400g", 16.9),
            ("Crispy Bay", "脆湾", "零食大礼包 1kg", 59.9),
            ("Crispy Bay", "脆湾", "海苔卷 90g", 12.9),
        ),
        (
            ("Happy Crunch", "乐脆"),
            ("Panda Bites", "熊猫仔"),
            ("Red Lantern", "红灯笼"),
            ("Lucky Nuts", "好运果"),
            ("Golden Crisp", "金脆"),
        ),
        (
            ("薯片 70g", 7.9),
            ("坚果礼盒 750g", 99.0),
            ("饼干 400g", 15.9),
            ("膨化零食 大礼包", 39.9),
            ("辣条 200g", 9.9),
        ),
    ),
    Category(
        "Beverages",
        "BEV",
        "饮料",
        50_000,
        1.00,
        0.45,
        0.50,
        0.05,
        (
            ("Fresh Peak", "清峰", "饮用天然水 550ml×24", 38.0),
            ("Fresh Peak", "清峰", "茉莉绿茶 500ml×15", 52.5),
            ("Fresh Peak", "清峰", "蜂蜜柚子茶 500ml×15", 58.5),
            ("Fresh Peak", "清峰", "鲜榨橙汁 1.5L", 13.9),
            ("Peak Zero", "零峰", "无糖绿茶 500ml×15", 67.5),
            ("Peak Zero", "零峰", "无糖乌龙茶 500ml×15", 67.5),
        ),
        (
            ("Blue Spring", "蓝泉"),
            ("Tianfu Tea", "天府茶"),
            ("Cool Wave", "酷浪"),
            ("Sunny Orchard", "晴果园"),
            ("Green Leaf", "绿叶"),
        ),
        (
            ("矿泉水 550ml×24", 36.0),
            ("茉莉花茶 500ml×15", 48.0),
            ("橙汁 1.5L", 12.9),
            ("无糖茶 500ml×15", 63.0),
            ("运动饮料 600ml×15", 60.0),
        ),
    ),
)
NEW_SKU = "BEV-O06"  # launched LAUNCH_WEEKS before the last week: no history before
LAUNCH_WEEKS = 26
OTHER_PRICE = 20.0  # the aggregate OTHER-<category> row: units are a nominal count

# Chinese New Year and Mid-Autumn move with the lunar calendar.
CNY = (
    "2016-02-08",
    "2017-01-28",
    "2018-02-16",
    "2019-02-05",
    "2020-01-25",
    "2021-02-12",
    "2022-02-01",
    "2023-01-22",
    "2024-02-10",
    "2025-01-29",
    "2026-02-17",
    "2027-02-06",
)
MID_AUTUMN = (
    "2016-09-15",
    "2017-10-04",
    "2018-09-24",
    "2019-09-13",
    "2020-10-01",
    "2021-09-21",
    "2022-09-10",
    "2023-09-29",
    "2024-09-17",
    "2025-10-06",
    "2026-09-25",
    "2027-09-15",
)

MECHANICS = ("DM", "TG", "TPR", "PROMOTER", "BUNDLE")
MECHANIC_WEIGHTS = (0.26, 0.24, 0.2, 0.15, 0.15)
LIFT = {"DM": (0.6, 1.5), "TG": (0.6, 1.5), "TPR": (0.3, 0.6), "PROMOTER": (0.2, 0.4), "BUNDLE": (0.2, 0.5)}
FEE = {"DM": 100, "TG": 120, "TPR": 30, "PROMOTER": 120, "BUNDLE": 50}  # slot fees per store-week (a median store)
PANTRY_LOADING = {"DM", "TPR", "BUNDLE"}  # price deals pull purchases forward: a dip afterwards
# What the retailer charges on top of the slot fees, as a share of the promoted revenue it plans for.
RATE = {"DM": 0.10, "TG": 0.08, "TPR": 0.04, "PROMOTER": 0.03, "BUNDLE": 0.06}
# The truth planted in the promotions (see `promotion_truth`): a share of them has no effect at all,
# and some sit on a seasonal rise (their weeks' season at least SEASONAL_RISE × their baseline
# weeks'), with a small true lift the season makes look big before/after.
NO_EFFECT_SHARE, SEASONAL_SHARE = 0.2, 0.1
SEASONAL_RISE = 1.3
SEASONAL_LIFT = (0.05, 0.15)
BASELINE_WEEKS = 8  # the baseline window the seasonal rise is measured against (the setting's default)
PROMO_GAP = 2  # weeks kept free of other promotions of a store-SKU before and after a promotion
# Visits: the smaller stores of the chains that share category data, and out-of-the-way stores, are
# seen on a round: in each chain and region they form ROUND_GROUPS groups, and one group is visited
# every ROUND_GAP weeks. With 3 groups 10 weeks apart, a store visited in week e had no visit in the
# 8 weeks before and the stores of the other groups none from e - 8 to e + 6: visit events with
# control stores (domain.md, "Did visits move sales"). A visit lifts the store's own sales by
# VISIT_EFFECT in its week and the VISIT_EFFECT_WEEKS - 1 weeks after (display fixed, shelf refilled).
ROUND_GROUPS, ROUND_GAP = 3, 10
VISIT_EFFECT = 0.05
VISIT_EFFECT_WEEKS = 3
MARKET = {"East": (0.32, 0.95), "South": (0.28, 1.04)}  # panel regions: (tracked stores' coverage, our bias)

COMPETITOR_ACTIVITY = (
    "{b}端架促销",
    "{b}买二送一",
    "{b}新品上市",
    "{b}降价促销",
    "{b}增加促销员",
    "{b}DM海报",
    "{b}堆头陈列",
)
VISIT_NOTES = (
    "店长要求加大陈列",
    "下周档期确认",
    "补货不及时",
    "价签错误已纠正",
    "堆头位置被竞品占用",
    "新店长到任，需重新沟通",
    "库存偏高，建议做促销",
    "货架调整后排面减少",
)
OOS_NOTES = ("缺货，已通知补货", "促销期间断货", "仓库到货延迟")


def create_demo(con: duckdb.DuckDBPyConnection, stores: int = 160, weeks: int = 104, seed: int = 7) -> dict[str, int]:
    """Fill an empty warehouse (schema already created by ka_core.db.connect) with the demo data; return row counts per table."""
    if stores < 1 or not 12 <= weeks <= MAX_WEEKS:
        raise KaError(
            f"The demo needs at least 1 store and 12 to {MAX_WEEKS} weeks (got {stores} stores, {weeks} weeks)."
        )
    for table in (*LOAD_ORDER, "ka_loads"):
        if con.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchall()[0][0]:
            raise KaError(
                f"The warehouse is not empty ({table} has rows); demo data goes into an empty warehouse. "
                "Use `python -m ka_core init --demo --force` to start again."
            )
    label = f"demo (seed {seed}, {stores} stores, {weeks} weeks)"
    digest = hashlib.sha256(label.encode("utf-8")).hexdigest()
    load_ids = {t: i for i, t in enumerate(LOAD_ORDER, start=1)}
    rng = np.random.default_rng(seed)
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        plan = _plan(rng, stores, weeks)
        counts = {t: 0 for t in LOAD_ORDER}
        counts["stores"] = _insert(con, "stores", load_ids["stores"], _stores_table(plan))
        counts["products"] = _insert(con, "products", load_ids["products"], _products_table(plan))
        for chunk in _sales_chunks(plan, rng):
            counts["sales"] += _insert(con, "sales", load_ids["sales"], chunk)
        counts["market"] = _insert(con, "market", load_ids["market"], _market_table(plan, rng))
        counts["promotions"] = _insert(con, "promotions", load_ids["promotions"], _promotions_table(plan))
        counts["visits"] = _insert(con, "visits", load_ids["visits"], _visits_table(plan, rng))
        counts["names"] = _insert(con, "names", load_ids["names"], _names_table())
        rebuild_weekly(con)  # before the targets, which read the reports
        counts["targets"] = _insert_targets(con, load_ids["targets"])
        for table, load_id in load_ids.items():
            con.execute(
                "INSERT INTO ka_loads (load_id, table_name, file_name, sha256, rows_inserted, rows_replaced, "
                "user_name, loaded_at, undone_at) VALUES (?, ?, ?, ?, ?, 0, 'demo', ?, NULL)",
                [load_id, table, label, digest, counts[table], LOADED_AT],
            ).fetchall()
        con.execute("COMMIT").fetchall()
    except BaseException:
        con.execute("ROLLBACK").fetchall()
        raise
    return counts


# Targets: next year's plan per chain, set against the run rate (growth asked of each
# chain, in CHAINS order) and the chain's customer share (points asked on top).
TARGET_GROWTH = (1.04, 1.12, 0.98, 1.20, 1.06, 1.10, 1.02, 1.15)
TARGET_SHARE_POINTS = (0.01, 0.02, 0.0, 0.03, 0.01, 0.02, 0.01, 0.02)


def _insert_targets(con: duckdb.DuckDBPyConnection, load_id: int) -> int:
    """Targets of every calendar year the demo's weeks cover from its first Monday, per chain,
    plus one category target: set from the year's own sales and customer share (the targets
    report), so that some chains run ahead of plan and some behind."""
    from .reports import run
    from .settings import Filters

    weeks = [r[0] for r in con.execute("SELECT DISTINCT week FROM ka_sales_weekly ORDER BY 1").fetchall()]
    if not weeks:
        return 0
    # Years whose first Monday the demo covers; a short demo: its last year.
    years = sorted(
        {
            w.year
            for w in weeks
            if dt.date(w.year, 1, 1) + dt.timedelta(days=(7 - dt.date(w.year, 1, 1).weekday()) % 7) >= weeks[0]
        }
    ) or [weeks[-1].year]
    have = {r[0] for r in con.execute("SELECT DISTINCT chain FROM stores").fetchall()}
    chains = [c.name for c in CHAINS if c.name in have]
    if not chains:
        return 0
    rows = [(y, c, None) for y in years for c in chains] + [(years[-1], chains[0], CATEGORIES[0].name)]
    con.executemany(
        "INSERT INTO targets (year, chain, category, load_id) VALUES (?, ?, ?, ?)",
        [(y, c, cat, load_id) for y, c, cat in rows],
    )
    got = run(con, "targets", Filters(), in_transaction=True)
    for r in got.itertuples():
        i = [c.name for c in CHAINS].index(r.chain)
        run_rate = r.own_revenue / r.expected if r.expected else 0.0
        revenue_target = round(run_rate * TARGET_GROWTH[i % len(TARGET_GROWTH)], -4)
        share = r.customer_share if r.customer_share == r.customer_share else None  # NaN: no matched week
        share_target = None if share is None else round(share + TARGET_SHARE_POINTS[i % len(TARGET_SHARE_POINTS)], 3)
        con.execute(
            "UPDATE targets SET revenue_target = ?, share_target = ? "
            "WHERE year = CAST(? AS INTEGER) AND chain = CAST(? AS VARCHAR) "
            "AND category IS NOT DISTINCT FROM CAST(? AS VARCHAR)",
            [
                float(revenue_target) or None,
                share_target,
                int(r.year),
                r.chain,
                r.category if isinstance(r.category, str) else None,
            ],
        ).fetchall()
    return len(rows)


def story_stores(stores: int = 160, weeks: int = 104, seed: int = 7) -> dict[str, list[str]]:
    """The store ids of each planted story (attack, neglected, over_served, no_data, no_data_category)."""
    plan = _plan(np.random.default_rng(seed), stores, weeks)
    ids = plan.store_ids
    return {
        "attack": sorted(ids[i] for i in plan.attack),
        "neglected": sorted(ids[i] for i in plan.neglected),
        "over_served": sorted(ids[i] for i in plan.over_served),
        "no_data": sorted(ids[i] for i in plan.blind),
        "no_data_category": sorted(f"{ids[s]} {CATEGORIES[c].name}" for s, c in plan.silent_category),
    }


def promotion_truth(stores: int = 160, weeks: int = 104, seed: int = 7) -> pd.DataFrame:
    """The effect planted in each promotion of the demo built with these arguments, one row per promo_id:
    `effect` ('works', 'none': no effect at all, 'seasonal': a small lift on a seasonal rise),
    `planted_lift_pct` (the lift in units where the stores executed it), `true_lift_pct` (what lift
    against control stores estimates: units expected with it against without it over its stores, SKUs
    and promo weeks; stores that did not execute it and stock-outs included) and `seasonal_rise_pct`
    (the season of its promo weeks against its baseline weeks: what a before/after lift adds)."""
    plan = _plan(np.random.default_rng(seed), stores, weeks)
    return pd.DataFrame(
        [(p[0], *t) for p, t in zip(plan.promotions, plan.promo_truth, strict=True)],
        columns=["promo_id", "effect", "planted_lift_pct", "true_lift_pct", "seasonal_rise_pct"],
    )


def visit_truth() -> pd.DataFrame:
    """The visit effect planted in every demo: own sales of the store in the weeks around a visit (rel_week
    0 = the visit's week) against the same weeks without it, in percent."""
    rel = np.arange(-6, 7)
    return pd.DataFrame(
        {"rel_week": rel, "effect_pct": np.where((rel >= 0) & (rel < VISIT_EFFECT_WEEKS), 100 * VISIT_EFFECT, 0.0)}
    )


def _insert(con: duckdb.DuckDBPyConnection, table: str, load_id: int, rows: pa.Table) -> int:
    cols = ", ".join(TABLES[table].column_names)
    con.register("demo_rows", rows)
    try:
        con.execute(f"INSERT INTO {table} ({cols}, load_id) SELECT {cols}, ? FROM demo_rows", [load_id]).fetchall()
    finally:
        con.unregister("demo_rows")
    return rows.num_rows


# The plan: stores, products, category totals, shares and promotions -----------------------------


@dataclass
class _Plan:
    n_weeks: int
    week_dates: np.ndarray  # (w,) datetime64[D] Mondays
    store_ids: list[str]
    store_names: list[str]
    chain: np.ndarray  # (s,) index into CHAINS
    region: np.ndarray  # (s,) index into REGIONS
    cities: list[str]
    formats: list[str]
    managers: list[str]
    size: np.ndarray  # (s,) store size, 1 = a median hypermarket
    sharing: np.ndarray  # (s,) bool
    total: np.ndarray  # (s, c, w) category sales before our promotions
    share: np.ndarray  # (s, c) our customer share
    skus: list[str]
    sku_cat: np.ndarray  # (k,) category index
    is_own: np.ndarray  # (k,) bool
    brands: list[str]
    sku_names: list[str]
    unit_cost: list[float | None]
    price: np.ndarray  # (chain, k, w) shelf price
    carried: np.ndarray  # (s, k) bool: the store lists the SKU
    weight: np.ndarray  # (s, k) the SKU's weight within its brand group in the store
    own_idx: np.ndarray  # own SKUs (global sku index); `own` arrays below are in this order
    mult: np.ndarray  # (s, own, w) promotion lift, post-promotion dip and stock-outs
    price_ratio: np.ndarray  # (s, own, w) promotional price against the shelf price
    promo_state: np.ndarray  # (s, c, w) 0 none, 1 promotion executed, 2 promotion not executed
    promotions: list[tuple]
    oos: list[tuple[int, int, int, int, int]]  # (store, sku, week, first day, last day) of promotion stock-outs
    attack: np.ndarray
    neglected: np.ndarray
    over_served: np.ndarray
    blind: np.ndarray  # never report a category total
    silent_category: list[tuple[int, int]]  # (store, category) never reported
    own_actual: np.ndarray  # (s, c, w) own revenue as written to sales (filled by _sales_chunks)
    comp_actual: np.ndarray  # (s, c, w) everyone else's revenue in the category
    # per promotion, as `promotions`: while planning (effect, planted lift, seasonal rise, category, stores,
    # SKUs, weeks, its units multiplier); then (effect, planted lift %, true lift %, seasonal rise %)
    promo_truth: list[tuple]
    visited: np.ndarray  # (s, w) bool: the store has a visit that week
    visit_day: np.ndarray  # (s, w) weekday of that visit
    oos_seen: list[tuple[int, int, int, int, int]]  # the promotion stock-outs a visit saw (as `oos`)


def _plan(rng: np.random.Generator, n_stores: int, n_weeks: int) -> _Plan:
    week_dates = np.array(LAST_WEEK, dtype="datetime64[D]") - 7 * np.arange(n_weeks - 1, -1, -1)
    n_cat = len(CATEGORIES)
    region_names = list(REGIONS)

    # Stores: chain, region, city, format and a log-normal size.
    chain = rng.choice(len(CHAINS), n_stores, p=[c.weight for c in CHAINS])
    region = rng.choice(len(region_names), n_stores, p=[REGIONS[r][0] for r in region_names])
    city = rng.choice(len(CITY_WEIGHTS), n_stores, p=CITY_WEIGHTS)
    fmt_draw = rng.random(n_stores)
    size = np.exp(rng.normal(0.0, 0.6, n_stores)) * np.where(city == 0, 1.15, 1.0)
    store_ids, store_names, cities, formats, managers = [], [], [], [], []
    seen: dict[tuple[int, int, int], int] = {}
    for s in range(n_stores):
        ch, (_, _, mgrs, city_list) = CHAINS[chain[s]], REGIONS[region_names[region[s]]]
        en, zh, code, districts = city_list[city[s]]
        n = seen[chain[s], region[s], city[s]] = seen.get((chain[s], region[s], city[s]), 0) + 1
        store_ids.append(f"{ch.code}-{code}-{n:03d}")
        d = districts[(n - 1) % len(districts)]
        store_names.append(
            f"{ch.zh} {zh}{d}店" if n <= len(districts) else f"{ch.zh} {zh}{d}{(n - 1) // len(districts) + 1}店"
        )
        cum = np.cumsum([p for _, p in ch.formats])
        f = ch.formats[int(np.searchsorted(cum, fmt_draw[s] * cum[-1]))][0]
        formats.append(f)
        size[s] *= FORMAT_SIZE[f]
        cities.append(en)
        managers.append(mgrs[city[s] % 2])  # each manager covers half of the region's cities
    sharing = np.array([CHAINS[c].shares_data for c in chain])

    # Category totals: size × category × season × noise.
    season = _season(week_dates)  # (w, c)
    weekly = np.array([c.weekly for c in CATEGORIES])
    mix = np.exp(rng.normal(0, 0.2, (n_stores, n_cat)))  # some stores sell more snacks, others more dairy
    total = (
        size[:, None, None]
        * (weekly[None, :] * mix)[:, :, None]
        * season.T[None, :, :]
        * np.exp(rng.normal(0, 0.07, (n_stores, n_cat, n_weeks)))
    )

    # Our share: the region's market share, our standing with the chain and in the category, store noise.
    region_share = np.array([REGIONS[region_names[r]][1] for r in region])
    chain_aff = np.array([CHAINS[c].affinity for c in chain])
    cat_aff = np.array([c.affinity for c in CATEGORIES])
    share = (region_share * chain_aff)[:, None] * cat_aff[None, :] * np.exp(rng.normal(0, 0.25, (n_stores, n_cat)))

    # The stories. Potential rank: 0 = the biggest store.
    potential = total.sum(axis=(1, 2))
    order = np.argsort(-potential, kind="stable")
    top = order[: max(2, n_stores // 5)]
    attack = np.sort(rng.choice(top, size=max(1, len(top) // 3), replace=False))
    share[attack] *= rng.uniform(0.3, 0.5, (len(attack), 1))  # big stores where we under-sell
    middle = order[n_stores // 2 : max(n_stores // 2 + 1, 4 * n_stores // 5)]
    middle = middle[~np.isin(middle, attack)]
    over_served = np.sort(rng.choice(middle, size=min(len(middle), max(1, n_stores // 12)), replace=False))
    share[over_served] = np.minimum(0.7, share[over_served] * rng.uniform(2.6, 3.2, (len(over_served), 1)))
    share = np.clip(share, 0.02, 0.75)
    neglected = attack[: max(1, len(attack) // 2)]
    candidates = np.flatnonzero(~sharing & ~np.isin(np.arange(n_stores), np.concatenate([attack, over_served])))
    blind = np.sort(rng.choice(candidates, size=min(len(candidates), 1 + n_stores // 150), replace=False))
    candidates = candidates[~np.isin(candidates, blind)]
    silent = np.sort(rng.choice(candidates, size=min(len(candidates), max(1, n_stores // 40)), replace=False))
    silent_category = [(int(s), int(rng.integers(n_cat))) for s in silent]

    # Products: our brands and the competitors', list prices, the price each chain charges each week.
    skus, sku_cat, is_own, brands, names, costs, list_price = [], [], [], [], [], [], []
    for c, cat in enumerate(CATEGORIES):
        for i, (brand, zh, item, p) in enumerate(cat.own):
            skus.append(f"{cat.code}-O{i + 1:02d}")
            sku_cat.append(c), is_own.append(True), brands.append(brand), names.append(f"{zh} {item}")
            costs.append(round(p * float(rng.uniform(0.36, 0.46)), 2))
            list_price.append(p)
        for b, (brand, zh) in enumerate(cat.competitors):
            level = float(rng.uniform(0.85, 1.15))  # premium and value brands
            for i, (item, p) in enumerate(cat.items):
                skus.append(f"{cat.code}-C{b + 1}{i + 1}")
                sku_cat.append(c), is_own.append(False), brands.append(brand), names.append(f"{zh} {item}")
                costs.append(None)
                list_price.append(round(p * level, 1))
        skus.append(f"OTHER-{cat.name}")
        sku_cat.append(c), is_own.append(False), brands.append("Other"), names.append(f"其他品牌 {cat.zh}")
        costs.append(None)
        list_price.append(OTHER_PRICE)
    n_sku = len(skus)
    sku_cat_a, is_own_a = np.array(sku_cat), np.array(is_own)
    other = np.array([k.startswith("OTHER-") for k in skus])
    # Each SKU gets one list-price increase of 3-6% somewhere in the period; chains price a bit differently.
    step_week = rng.integers(0, n_weeks, n_sku)
    step = 1 + rng.uniform(0.03, 0.06, n_sku)[:, None] * (np.arange(n_weeks)[None, :] >= step_week[:, None])
    base = np.array(list_price)[:, None] * np.where(other[:, None], 1.0, step)
    chain_level = np.array([c.price for c in CHAINS])
    price = np.round(chain_level[:, None, None] * base[None, :, :], 1)
    price[:, other, :] = OTHER_PRICE

    carries = np.where(sharing, 0.96, np.array([CHAINS[c].carries for c in chain]))
    carried = rng.random((n_stores, n_sku)) < carries[:, None]
    carried[:, other] = True
    own_idx = np.flatnonzero(is_own_a)
    for c in range(n_cat):  # every store lists at least our best-selling SKU of each category
        carried[:, own_idx[sku_cat_a[own_idx] == c][0]] = True
    popularity = rng.gamma(3.0, 1.0, n_sku) * np.where(other, 6.0, 1.0)
    weight = popularity[None, :] * rng.gamma(6.0, 1 / 6.0, (n_stores, n_sku)) * carried

    plan = _Plan(
        n_weeks=n_weeks,
        week_dates=week_dates,
        store_ids=store_ids,
        store_names=store_names,
        chain=chain,
        region=region,
        cities=cities,
        formats=formats,
        managers=managers,
        size=size,
        sharing=sharing,
        total=total,
        share=share,
        skus=skus,
        sku_cat=sku_cat_a,
        is_own=is_own_a,
        brands=brands,
        sku_names=names,
        unit_cost=costs,
        price=price,
        carried=carried,
        weight=weight,
        own_idx=own_idx,
        mult=np.ones((n_stores, len(own_idx), n_weeks)),
        price_ratio=np.ones((n_stores, len(own_idx), n_weeks)),
        promo_state=np.zeros((n_stores, n_cat, n_weeks), dtype=np.int8),
        promotions=[],
        oos=[],
        attack=attack,
        neglected=neglected,
        over_served=over_served,
        blind=blind,
        silent_category=silent_category,
        own_actual=np.zeros((n_stores, n_cat, n_weeks)),
        comp_actual=np.zeros((n_stores, n_cat, n_weeks)),
        promo_truth=[],
        visited=np.zeros((n_stores, n_weeks), bool),
        visit_day=np.zeros((n_stores, n_weeks), int),
        oos_seen=[],
    )
    _plan_promotions(plan, rng)
    _plan_visits(plan, rng)
    plan.promo_truth = [_true_lift(plan, *record) for record in plan.promo_truth]
    return plan


def _launch_week(n_weeks: int) -> int:
    """The week NEW_SKU starts selling (no sales before)."""
    return n_weeks - min(LAUNCH_WEEKS, n_weeks // 3)


def _true_lift(
    plan: _Plan,
    kind: str,
    planted: float,
    rise: float,
    c: int,
    members: np.ndarray,
    pos: list[int],
    weeks_in: np.ndarray,
    units_mult: np.ndarray,
) -> tuple[str, float, float, float]:
    """(effect, planted lift %, true lift %, seasonal rise %) of one promotion. The true lift is what lift
    against control stores estimates: the units its store-SKUs are expected to sell in its weeks with it
    against without it (the same season, visits and prices), non-executing stores and stock-outs included."""
    k = plan.own_idx[pos]
    cat_own = plan.own_idx[plan.sku_cat[plan.own_idx] == c]
    share = plan.weight[np.ix_(members, k)] / np.maximum(
        plan.weight[np.ix_(members, cat_own)].sum(1, keepdims=True), 1e-9
    )
    cells = np.ix_(members, pos, weeks_in)
    others = plan.mult[cells] / (units_mult * plan.price_ratio[cells])  # every multiplier but this promotion's
    base = plan.total[members, c][:, weeks_in] * plan.share[members, c][:, None]
    price = plan.price[plan.chain[members][:, None, None], k[None, :, None], weeks_in[None, None, :]]
    without = base[:, None, :] * share[:, :, None] / price * others
    new = np.flatnonzero(np.array([plan.skus[i] for i in k]) == NEW_SKU)
    without[:, new, :] *= weeks_in[None, None, :] >= _launch_week(plan.n_weeks)
    true = float((without * units_mult).sum() / without.sum() - 1) if without.sum() > 0 else float("nan")
    return kind, 100 * planted, 100 * true, 100 * (rise - 1)


def _season(week_dates: np.ndarray) -> np.ndarray:
    """(weeks, categories): 年货 peak before Chinese New Year, a quiet month after, summer, gift season, trend."""
    mid = week_dates + 3  # Thursday stands for the week
    cny = (mid[:, None] - np.array(CNY, dtype="datetime64[D]")[None, :]).astype(int)
    pre_cny = np.exp(-(((cny + 10) / 9.0) ** 2)).sum(axis=1)
    post_cny = ((cny > 6) & (cny < 28)).any(axis=1)
    autumn = (mid[:, None] - np.array(MID_AUTUMN, dtype="datetime64[D]")[None, :]).astype(int)
    gifts = np.exp(-(((autumn + 7) / 9.0) ** 2)).sum(axis=1)
    doy = (week_dates - week_dates.astype("datetime64[Y]")).astype(int)
    summer = np.exp(-(((doy - 200) / 35.0) ** 2))
    years = (week_dates - np.array(LAST_WEEK, dtype="datetime64[D]")).astype(int) / 365.25
    out = np.empty((len(week_dates), len(CATEGORIES)))
    for c, cat in enumerate(CATEGORIES):
        out[:, c] = (1 + cat.cny * pre_cny - 0.15 * post_cny + cat.summer * summer + cat.autumn * gifts) * (
            1 + 0.03 * years
        )
    return out


def _festival_weight(week_dates: np.ndarray) -> np.ndarray:
    """Promotions cluster before Chinese New Year, 618, Mid-Autumn / National Day and Double 11."""
    mid = week_dates + 3
    cny = (mid[:, None] - np.array(CNY, dtype="datetime64[D]")[None, :]).astype(int)
    autumn = (mid[:, None] - np.array(MID_AUTUMN, dtype="datetime64[D]")[None, :]).astype(int)
    md = np.array([int(str(d)[5:7]) * 100 + int(str(d)[8:10]) for d in mid])
    festive = ((cny > -35) & (cny < 0)).any(1) | ((autumn > -21) & (autumn < 3)).any(1)
    festive |= ((md >= 601) & (md <= 618)) | ((md >= 925) & (md <= 1007)) | ((md >= 1025) & (md <= 1111))
    return 1.0 + 2.0 * festive


def _promotion_kinds(n_promos: int, seasonal_ok: bool, rng: np.random.Generator) -> list[str]:
    """Which promotions work, which have no effect and which ride a seasonal rise (in drawing order)."""
    n_none = max(1, round(NO_EFFECT_SHARE * n_promos))
    n_seasonal = max(1, round(SEASONAL_SHARE * n_promos)) if seasonal_ok and n_promos > n_none + 1 else 0
    kinds = ["none"] * n_none + ["seasonal"] * n_seasonal + ["works"] * (n_promos - n_none - n_seasonal)
    return [kinds[i] for i in rng.permutation(n_promos)]


def _seasonal_rise(season: np.ndarray, length: int) -> np.ndarray:
    """(weeks, categories): mean season over weeks w..w+length-1 against the BASELINE_WEEKS before w (NaN where
    either window leaves the data)."""
    n = len(season)
    cum = np.vstack([np.zeros((1, season.shape[1])), np.cumsum(season, axis=0)])
    out = np.full(season.shape, np.nan)
    w = np.arange(BASELINE_WEEKS, n - length + 1)
    if len(w):
        promo = (cum[w + length] - cum[w]) / length
        base = (cum[w] - cum[w - BASELINE_WEEKS]) / BASELINE_WEEKS
        out[w] = promo / base
    return out


def _plan_promotions(plan: _Plan, rng: np.random.Generator) -> None:
    """Promotions on our SKUs: write lift, dips, promotional prices and stock-outs into the plan.

    Each promotion has a planted effect in units: `works` (the mechanic's lift in the stores that
    executed it), `none` (no effect: units as without it; a price cut only lowers revenue) or
    `seasonal` (a small lift, placed on a seasonal rise of its category). A store-SKU has at most one
    promotion at a time, PROMO_GAP weeks apart, so each promotion's truth is its own. Costs are
    agreed before the outcome is known: slot fees per store-week (by store size) plus a share of
    the revenue planned at the mechanic's typical lift."""
    n_stores, n_weeks, n_cat = len(plan.store_ids), plan.n_weeks, len(CATEGORIES)
    n_promos = max(5, round((50 + 0.25 * min(n_stores, 2000)) * n_weeks / 104))
    own_pos = {int(k): i for i, k in enumerate(plan.own_idx)}
    chain_stores = [np.flatnonzero(plan.chain == c) for c in range(len(CHAINS))]
    chain_p = np.array([np.sqrt(len(s)) for s in chain_stores])
    start_p = _festival_weight(plan.week_dates)[: n_weeks - 1]
    season = _season(plan.week_dates)
    rises = {length: _seasonal_rise(season, length) for length in (1, 2, 3, 4)}
    seasonal_ok = any((r >= SEASONAL_RISE).any() for r in rises.values())
    kinds = _promotion_kinds(n_promos, seasonal_ok, rng)
    busy = np.zeros((n_stores, len(plan.own_idx), n_weeks), bool)
    attack = np.zeros(n_stores, bool)
    attack[plan.attack] = True
    rows = []
    for p in range(n_promos):
        kind = kinds[p]
        ch = int(rng.choice(len(CHAINS), p=chain_p / chain_p.sum()))
        mech = MECHANICS[p] if p < len(MECHANICS) else str(rng.choice(MECHANICS, p=MECHANIC_WEIGHTS))
        for _attempt in range(30):  # a calendar slot where none of its store-SKUs is promoted already
            c = int(rng.integers(n_cat))
            if kind == "seasonal":  # chain-wide, 1-2 weeks on the rise (年货 before Chinese New Year)
                length = int(rng.integers(1, 3))
                starts = np.flatnonzero(rises[length][:, c] >= SEASONAL_RISE)
                if not len(starts):
                    continue
                start_w = int(rng.choice(starts))
                one_store = False
            else:
                start_w = int(rng.choice(n_weeks - 1, p=start_p / start_p.sum()))
                length = int(rng.choice(4, p=(0.35, 0.35, 0.2, 0.1))) + (2 if mech == "PROMOTER" else 1)
                one_store = rng.random() < 0.25
            end_w = min(n_weeks - 1, start_w + min(length, 4) - 1)
            members = chain_stores[ch]
            if one_store:  # retailers pilot in their big stores
                members = members[[int(rng.choice(len(members), p=plan.size[members] / plan.size[members].sum()))]]
            cat_own = plan.own_idx[plan.sku_cat[plan.own_idx] == c]
            one_sku = rng.random() < (0.3 if one_store else 0.6)  # a pilot in one store features the brand
            if one_sku:
                skus_in = cat_own[[int(rng.integers(len(cat_own)))]]
                brand = plan.brands[skus_in[0]]
            else:
                brand = plan.brands[cat_own[int(rng.integers(len(cat_own)))]]
                skus_in = cat_own[[plan.brands[k] == brand for k in cat_own]]
            pos = [own_pos[int(k)] for k in skus_in]
            near = np.arange(max(0, start_w - PROMO_GAP), min(n_weeks, end_w + PROMO_GAP + 1))
            # Some store of it sells a promoted SKU (the new SKU only once it has a baseline): a promotion
            # without a row teaches nothing.
            selling = np.array([plan.skus[k] != NEW_SKU or start_w >= _launch_week(n_weeks) + 2 for k in skus_in])
            sells = plan.carried[np.ix_(members, skus_in[selling])].any()
            if len(members) and sells and not busy[np.ix_(members, pos, near)].any():
                break
        else:
            continue  # no free slot: the plan has one promotion fewer
        weeks_in = np.arange(start_w, end_w + 1)
        busy[np.ix_(members, pos, weeks_in)] = True
        lo, hi = LIFT[mech]
        planned = (lo + hi) / 2  # what the retailer and we expect when agreeing the promotion
        if kind == "none":
            planted = 0.0
        else:
            planted = float(rng.uniform(*SEASONAL_LIFT)) if kind == "seasonal" else float(rng.uniform(lo, hi))
        executed = rng.random(len(members)) < np.where(attack[members], 0.6, 0.9)
        store_lift = planted * np.where(
            executed, rng.uniform(0.8, 1.2, len(members)), rng.uniform(0.0, 0.15, len(members))
        )
        # The promotion's multiplier of units, per store, SKU and promo week.
        units_mult = np.broadcast_to(1 + store_lift[:, None, None], (len(members), len(pos), len(weeks_in))).copy()
        ratio = 1.0
        if mech == "TPR" or (mech in ("DM", "BUNDLE") and rng.random() < 0.6):
            ratio = float(rng.uniform(0.85, 0.92)) if mech == "TPR" else float(rng.uniform(0.88, 0.95))
            plan.price_ratio[np.ix_(members, pos, weeks_in)] = ratio
        start_off, end_off = int(rng.integers(0, 3)), int(rng.integers(4, 7))
        if planted > 0:
            dip = rng.uniform(0.08, 0.25) if mech in PANTRY_LOADING else rng.uniform(0.0, 0.06)
            for i, w in enumerate(range(end_w + 1, min(n_weeks, end_w + 3))):
                plan.mult[np.ix_(members[executed], pos, [w])] *= 1 - dip / (i + 1)
            # Stock-outs: the shelf ran empty for part of a promotion week (sales capped, seen on a visit).
            for m in np.flatnonzero(rng.random(len(members)) < (0.12 if mech in ("DM", "TG") else 0.06)):
                j, i = int(rng.integers(len(pos))), int(rng.integers(len(weeks_in)))
                units_mult[m, j, i] *= rng.uniform(0.35, 0.6)
                w = int(weeks_in[i])
                first = start_off if w == start_w else 0
                plan.oos.append((int(members[m]), int(skus_in[j]), w, first, end_off if w == end_w else 4))
        # Revenue follows units at the promotional price.
        plan.mult[np.ix_(members, pos, weeks_in)] *= units_mult * ratio
        state = plan.promo_state[members, c][:, weeks_in]
        plan.promo_state[np.ix_(members, [c], weeks_in)] = np.maximum(state, np.where(executed, 1, 2)[:, None])[
            :, None, :
        ]
        start = plan.week_dates[start_w].astype(dt.date) + dt.timedelta(days=start_off)
        end = plan.week_dates[end_w].astype(dt.date) + dt.timedelta(days=end_off)
        # Cost and the retailer's target, from the base revenue of what is promoted, where and when.
        share_of_cat = plan.weight[np.ix_(members, skus_in)].sum(1) / np.maximum(
            plan.weight[np.ix_(members, cat_own)].sum(1), 1e-9
        )
        base_rev = float((plan.total[members, c][:, weeks_in] * (plan.share[members, c] * share_of_cat)[:, None]).sum())
        fees = FEE[mech] * float(plan.size[members].sum()) * len(weeks_in)
        cost = fees + RATE[mech] * base_rev * (1 + planned) * ratio
        shelf = float(np.mean(plan.price[ch, skus_in, start_w]))
        units = base_rev * (1 + planned) / shelf
        target = None if rng.random() < 0.2 else max(10.0, round(units * float(rng.uniform(0.8, 1.25)), -1))
        promo_price = round(shelf * ratio, 1) if one_sku and ratio < 1 else None
        rise = float(rises[len(weeks_in)][start_w, c])
        rows.append(
            (
                start,
                CHAINS[ch].name,
                mech,
                end,
                plan.store_ids[members[0]] if one_store else None,
                plan.skus[skus_in[0]] if one_sku else None,
                brand,
                promo_price,
                max(200.0, round(cost, -2)),
                target,
                (kind, planted, rise, c, members, pos, weeks_in, units_mult),
            )
        )
    # Ids follow the calendar, as a trade-marketing team numbers its plan.
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    seq: dict[int, int] = {}
    for start, chain_name, mech, end, store, sku, brand, promo_price, cost, target, truth in rows:
        seq[start.year] = seq.get(start.year, 0) + 1
        plan.promotions.append(
            (
                f"PR{start.year}-{seq[start.year]:03d}",
                chain_name,
                mech,
                start,
                end,
                store,
                sku,
                brand,
                promo_price,
                cost,
                target,
            )
        )
        plan.promo_truth.append(truth)


def _plan_visits(plan: _Plan, rng: np.random.Generator) -> None:
    """Who is visited when: big stores most weeks, smaller ones less often, neglected Attack stores not for
    months; the smaller stores of the chains that share category data (their totals come with the sales)
    and out-of-the-way stores on a round (ROUND_GROUPS, ROUND_GAP). A visit lifts our sales of the store (VISIT_EFFECT, into plan.mult)."""
    n_stores, n_weeks = len(plan.store_ids), plan.n_weeks
    rank = np.argsort(np.argsort(-plan.total.sum(axis=(1, 2)), kind="stable")) / max(1, n_stores - 1)
    p_visit = 0.95 - 0.5 * rank
    p_visit[plan.over_served] = 0.98  # the small stores that get more attention than their potential earns
    visited = rng.random((n_stores, n_weeks)) < p_visit[:, None]
    special = np.zeros(n_stores, bool)
    special[np.concatenate([plan.attack, plan.over_served])] = True
    out_of_the_way = rng.random(n_stores) < 0.06
    on_round = ((plan.sharing & (rank >= 0.2)) | out_of_the_way) & ~special
    # The round of a chain and region: its stores in ROUND_GROUPS groups, one group every ROUND_GAP weeks
    # (give or take a week), so each store is seen every ROUND_GROUPS × ROUND_GAP weeks.
    visited[on_round] = False
    cycle = ROUND_GROUPS * ROUND_GAP
    for cell in np.unique(plan.chain[on_round] * len(REGIONS) + plan.region[on_round]):
        members = np.flatnonzero(on_round & (plan.chain * len(REGIONS) + plan.region == cell))
        group = rng.permutation(len(members)) % ROUND_GROUPS
        phase = int(rng.integers(0, cycle))
        for s, g in zip(members, group, strict=True):
            weeks = phase + ROUND_GAP * g + cycle * np.arange(-2, n_weeks // cycle + 2)
            weeks = weeks + rng.integers(0, 2, len(weeks))
            visited[s, weeks[(weeks >= 0) & (weeks < n_weeks)]] = True
    usual = rng.integers(0, 5, n_stores)  # each store has its day on the manager's route
    day = np.where(rng.random((n_stores, n_weeks)) < 0.75, usual[:, None], rng.integers(0, 5, (n_stores, n_weeks)))
    # A stock-out during a promotion is seen on a visit within the promotion's dates (not on a round: it
    # goes unseen there).
    quiet_from = n_weeks - max(1, min(20, n_weeks // 3))
    neglected = np.zeros(n_stores, bool)
    neglected[plan.neglected] = True
    oos = [e for e in plan.oos if not (neglected[e[0]] and e[2] >= quiet_from) and not on_round[e[0]]]
    lo_day, hi_day = np.zeros((n_stores, n_weeks), int), np.full((n_stores, n_weeks), 6)
    for s, _, w, first, last in oos:
        visited[s, w] = True
        lo_day[s, w], hi_day[s, w] = max(lo_day[s, w], first), min(hi_day[s, w], last)
    plan.visit_day = np.clip(day, lo_day, hi_day)
    visited[plan.neglected, quiet_from:] = False  # big stores we under-sell, and nobody went for months
    plan.visited, plan.oos_seen = visited, oos
    lifted = np.zeros_like(visited)
    for lag in range(VISIT_EFFECT_WEEKS):
        lifted[:, lag:] |= visited[:, : n_weeks - lag]
    plan.mult *= np.where(lifted, 1 + VISIT_EFFECT, 1.0)[:, None, :]


# Tables ----------------------------------------------------------------------------------------

REGIONS_ZH = {"East": "华东", "North": "华北", "South": "华南", "West": "西部", "Central": "华中"}
FORMATS_ZH = {"Hypermarket": "大卖场", "Supermarket": "超市", "Warehouse club": "仓储会员店"}


def _names_table() -> pa.Table:
    """The `names` of every chain, region, category, city, format and mechanic of the demo."""
    from .i18n import MECHANICS_ZH
    from .schema import MECHANICS

    rows = (
        [("chain", c.name, c.zh) for c in CHAINS]
        + [("region", r, REGIONS_ZH[r]) for r in REGIONS]
        + [("category", c.name, c.zh) for c in CATEGORIES]
        + [("city", city[0], city[1]) for r in REGIONS.values() for city in r[3]]
        + [("format", f, FORMATS_ZH[f]) for f in FORMAT_SIZE]
        + [("mechanic", m, MECHANICS_ZH[m]) for m in MECHANICS]
    )
    return pa.table(
        {
            "kind": [r[0] for r in rows],
            "value": [r[1] for r in rows],
            "zh": [r[2] for r in rows],
            "en": [r[1] for r in rows],
        }
    )


def _stores_table(plan: _Plan) -> pa.Table:
    region_names = list(REGIONS)
    return pa.table(
        {
            "store_id": plan.store_ids,
            "store_name": plan.store_names,
            "chain": [CHAINS[c].name for c in plan.chain],
            "region": [region_names[r] for r in plan.region],
            "city": plan.cities,
            "format": plan.formats,
            "ka_manager": plan.managers,
        }
    )


def _products_table(plan: _Plan) -> pa.Table:
    return pa.table(
        {
            "sku": plan.skus,
            "brand": plan.brands,
            "category": [CATEGORIES[c].name for c in plan.sku_cat],
            "is_own": pa.array(plan.is_own),
            "sku_name": plan.sku_names,
            "manufacturer": [
                "Our Company" if own else ("其他厂商" if b == "Other" else f"{b} Foods")
                for own, b in zip(plan.is_own, plan.brands, strict=True)
            ],
            "unit_cost": pa.array(plan.unit_cost, pa.float64()),
        }
    )


def _promotions_table(plan: _Plan) -> pa.Table:
    cols = list(zip(*plan.promotions, strict=True)) if plan.promotions else [[] for _ in TABLES["promotions"].columns]
    types = {
        "start_date": pa.date32(),
        "end_date": pa.date32(),
        "promo_price": pa.float64(),
        "cost": pa.float64(),
        "retailer_target_units": pa.float64(),
    }
    return pa.table(
        {
            name: pa.array(list(values), types.get(name, pa.string()))
            for name, values in zip(TABLES["promotions"].column_names, cols, strict=True)
        }
    )


def _sales_chunks(plan: _Plan, rng: np.random.Generator):
    """Sales rows a chunk of stores at a time; fills plan.own_actual and plan.comp_actual on the way."""
    n_stores, n_weeks = len(plan.store_ids), plan.n_weeks
    stores_dict, skus_dict = pa.array(plan.store_ids), pa.array(plan.skus)
    launch_sku = plan.skus.index(NEW_SKU)
    launch_week = _launch_week(n_weeks)

    def rows(units: np.ndarray, revenue: np.ndarray, stores: np.ndarray, skus: np.ndarray) -> pa.Table:
        s_i, k_i, w_i = np.nonzero(units > 0)
        return pa.table(
            {
                "week": pa.array(plan.week_dates[w_i]),
                "store_id": pa.DictionaryArray.from_arrays(pa.array(stores[s_i].astype(np.int32)), stores_dict),
                "sku": pa.DictionaryArray.from_arrays(pa.array(skus[k_i].astype(np.int32)), skus_dict),
                "units": pa.array(units[s_i, k_i, w_i], pa.float64()),
                "revenue": pa.array(revenue[s_i, k_i, w_i], pa.float64()),
            }
        )

    for lo in range(0, n_stores, CHUNK_STORES):
        hi = min(n_stores, lo + CHUNK_STORES)
        stores = np.arange(lo, hi)
        chains = plan.chain[lo:hi]
        parts = []
        for c in range(len(CATEGORIES)):
            ks = np.flatnonzero(plan.sku_cat == c)
            own_k, comp_k = ks[plan.is_own[ks]], ks[~plan.is_own[ks]]
            pos = np.searchsorted(plan.own_idx, own_k)
            base = plan.total[lo:hi, c, :]
            own_base = base * plan.share[lo:hi, c, None] * np.exp(rng.normal(0, 0.05, base.shape))
            w_own = plan.weight[lo:hi][:, own_k]
            w_own = w_own / np.maximum(w_own.sum(1, keepdims=True), 1e-9)
            expected = own_base[:, None, :] * w_own[:, :, None] * plan.mult[lo:hi][:, pos, :]
            if launch_sku in own_k:
                expected[:, list(own_k).index(launch_sku), :launch_week] = 0
            price = plan.price[chains][:, own_k, :] * plan.price_ratio[lo:hi][:, pos, :]
            units = np.rint(expected * np.exp(rng.normal(0, 0.1, expected.shape)) / price)
            revenue = np.round(units * price, 2)
            plan.own_actual[lo:hi, c] = revenue.sum(1)
            parts.append(rows(units, revenue, stores, own_k))
            # A third of what our promotions gain comes out of the competitors' sales.
            gain = np.maximum(expected.sum(1) - own_base, 0)
            rest = np.maximum(base - own_base - 0.3 * gain, 0)
            plan.comp_actual[lo:hi, c] = rest
            sh = np.flatnonzero(plan.sharing[lo:hi])
            if len(sh):
                w_comp = plan.weight[lo + sh][:, comp_k]
                w_comp = w_comp / np.maximum(w_comp.sum(1, keepdims=True), 1e-9)
                c_rev = (
                    rest[sh, None, :] * w_comp[:, :, None] * np.exp(rng.normal(0, 0.1, (len(sh), len(comp_k), n_weeks)))
                )
                c_price = plan.price[chains[sh]][:, comp_k, :]
                c_units = np.rint(c_rev / c_price)
                c_revenue = np.round(c_units * c_price, 2)
                plan.comp_actual[lo + sh, c] = c_revenue.sum(1)
                parts.append(rows(c_units, c_revenue, lo + sh, comp_k))
        yield pa.concat_tables(parts)


def _market_table(plan: _Plan, rng: np.random.Generator) -> pa.Table:
    """Panel data for the regions that buy it: the whole market, of which our tracked stores are a part."""
    region_names = list(REGIONS)
    cols: dict[str, list] = {"week": [], "region": [], "category": [], "market_revenue": [], "own_revenue": []}
    for name, (coverage, bias) in MARKET.items():
        in_r = plan.region == region_names.index(name)
        if not in_r.any():
            continue
        for c, cat in enumerate(CATEGORIES):
            market = (plan.own_actual[in_r, c] + plan.comp_actual[in_r, c]).sum(0) / coverage
            own = plan.own_actual[in_r, c].sum(0) / coverage * bias
            cols["week"].append(plan.week_dates)
            cols["region"] += [name] * plan.n_weeks
            cols["category"] += [cat.name] * plan.n_weeks
            cols["market_revenue"].append(np.round(market * np.exp(rng.normal(0, 0.03, plan.n_weeks)), -3))
            cols["own_revenue"].append(np.round(own * np.exp(rng.normal(0, 0.04, plan.n_weeks)), -3))
    empty = np.array([], dtype=float)
    return pa.table(
        {
            "week": pa.array(np.concatenate(cols["week"]) if cols["week"] else np.array([], "datetime64[D]")),
            "region": pa.array(cols["region"], pa.string()),
            "category": pa.array(cols["category"], pa.string()),
            "market_revenue": pa.array(np.concatenate(cols["market_revenue"]) if cols["week"] else empty),
            "own_revenue": pa.array(np.concatenate(cols["own_revenue"]) if cols["week"] else empty),
        }
    )


def _visits_table(plan: _Plan, rng: np.random.Generator) -> pa.Table:
    """Weekly visit sheets of the visits `_plan_visits` scheduled."""
    n_stores, n_weeks, n_cat = len(plan.store_ids), plan.n_weeks, len(CATEGORIES)
    region_names = list(REGIONS)
    visited, day, oos = plan.visited, plan.visit_day, plan.oos_seen

    s_1, w_1 = np.nonzero(visited)
    d_1 = day[s_1, w_1]
    # Some weeks a store is seen twice (later in the week), with a different category total.
    again = rng.random(len(s_1)) < 0.06
    s_2, w_2 = s_1[again], w_1[again]
    d_2 = np.minimum(6, d_1[again] + rng.integers(1, 3, len(s_2)))
    managers = np.array(plan.managers, dtype=object)
    supervisors = np.array([SUPERVISORS[region_names[r]] for r in plan.region], dtype=object)
    by_supervisor = (rng.random(len(s_2)) < 0.4) | (d_2 == d_1[again])
    rep_v = np.concatenate([managers[s_1], np.where(by_supervisor, supervisors[s_2], managers[s_2])])
    s_v, w_v, d_v = np.concatenate([s_1, s_2]), np.concatenate([w_1, w_2]), np.concatenate([d_1, d_2])
    second_v = np.concatenate([np.zeros(len(s_1), bool), np.ones(len(s_2), bool)])

    # One row per visit and category.
    s, w, c = np.repeat(s_v, n_cat), np.repeat(w_v, n_cat), np.tile(np.arange(n_cat), len(s_v))
    second = np.repeat(second_v, n_cat)
    n = len(s)
    truth = plan.own_actual[s, c, w] + plan.comp_actual[s, c, w]
    reported = rng.random(n) < np.where(plan.sharing[s], 0.25, 0.88)
    silent = np.zeros((n_stores, n_cat), bool)
    silent[plan.blind] = True
    for st, ct in plan.silent_category:
        silent[st, ct] = True
    reported &= ~silent[s, c]
    noise = np.where(second, rng.uniform(0.85, 1.15, n), rng.uniform(0.97, 1.03, n))
    category_sales = np.where(reported, np.round(truth * noise, -2), np.nan)

    # Facings: the shelf loosely follows our customer share.
    facings = np.array([48, 64, 56])[None, :] * plan.size[:, None] ** 0.35 * rng.uniform(0.9, 1.1, (n_stores, n_cat))
    facings = np.clip(np.round(facings), 8, 200)
    shelf_share = np.clip(plan.share * np.exp(rng.normal(0, 0.15, (n_stores, n_cat))), 0.02, 0.9)
    total_f = np.maximum(4, facings[s, c] + rng.integers(-2, 3, n))
    own_f = np.clip(np.round(total_f * shelf_share[s, c] + rng.normal(0, 0.8, n)), 0, total_f)
    no_count = rng.random(n) < 0.08

    quality = rng.uniform(0.65, 0.93, n_stores)
    quality[plan.attack] = rng.uniform(0.4, 0.6, len(plan.attack))  # poor display is why we under-sell there
    quality[plan.over_served] = 0.95
    manager_names = sorted(set(plan.managers))
    strict = dict(zip(manager_names, rng.uniform(0.75, 0.95, len(manager_names)), strict=True))
    price_p = np.array([strict[m] for m in plan.managers])
    state = plan.promo_state[s, c, w]
    executed = np.where(state == 1, rng.random(n) < 0.97, False)

    # Out-of-stock SKUs: now and then one or two of ours; always the promoted SKU of a promotion stock-out.
    own_by_cat = np.array(
        [[plan.skus[k] for k in plan.own_idx[plan.sku_cat[plan.own_idx] == ci]] for ci in range(n_cat)], dtype=object
    )
    oos_skus = np.full(n, None, dtype=object)
    for i in np.flatnonzero(rng.random(n) < 0.04):
        picks = rng.choice(own_by_cat.shape[1], size=1 if rng.random() < 0.7 else 2, replace=False)
        oos_skus[i] = ";".join(sorted(own_by_cat[c[i], picks]))
    first_row = np.full((n_stores, n_weeks), -1)
    first_row[s_1, w_1] = np.arange(len(s_1))
    for st, k, wk, _, _ in oos:
        i = first_row[st, wk] * n_cat + int(plan.sku_cat[k])
        listed = set(oos_skus[i].split(";")) if oos_skus[i] else set()
        oos_skus[i] = ";".join(sorted(listed | {plan.skus[k]}))
    has_oos = np.array([v is not None for v in oos_skus])

    activity = np.array(
        [[t.format(b=zh) for _, zh in cat.competitors for t in COMPETITOR_ACTIVITY] for cat in CATEGORIES], dtype=object
    )
    competitor = np.where(rng.random(n) < 0.1, activity[c, rng.integers(0, activity.shape[1], n)], None)
    notes = np.where(
        rng.random(n) < 0.05, np.array(VISIT_NOTES, dtype=object)[rng.integers(0, len(VISIT_NOTES), n)], None
    )
    notes = np.where(
        has_oos & (rng.random(n) < 0.3), np.array(OOS_NOTES, dtype=object)[rng.integers(0, len(OOS_NOTES), n)], notes
    )

    def yes_no(p_yes: np.ndarray | float, p_blank: float) -> pa.Array:
        return pa.array(rng.random(n) < p_yes, pa.bool_(), mask=rng.random(n) < p_blank)

    rep_names = sorted(set(rep_v))
    rep_index = {r: i for i, r in enumerate(rep_names)}
    return pa.table(
        {
            "visit_date": pa.array(plan.week_dates[w] + np.repeat(d_v, n_cat).astype("timedelta64[D]")),
            "store_id": pa.DictionaryArray.from_arrays(pa.array(s.astype(np.int32)), pa.array(plan.store_ids)),
            "rep": pa.DictionaryArray.from_arrays(
                pa.array(np.repeat(np.array([rep_index[r] for r in rep_v], dtype=np.int32), n_cat)), pa.array(rep_names)
            ),
            "category": pa.DictionaryArray.from_arrays(
                pa.array(c.astype(np.int32)), pa.array([x.name for x in CATEGORIES])
            ),
            "store_category_sales": pa.array(category_sales, pa.float64(), from_pandas=True),
            "own_facings": pa.array(np.where(no_count, np.nan, own_f), pa.float64(), from_pandas=True),
            "total_facings": pa.array(np.where(no_count, np.nan, total_f), pa.float64(), from_pandas=True),
            "display_ok": yes_no(quality[s], 0.06),
            "promo_executed": pa.array(executed, pa.bool_(), mask=(state == 0) | (rng.random(n) < 0.05)),
            "price_compliant": yes_no(price_p[s], 0.08),
            "oos_skus": pa.array(oos_skus, pa.string()),
            "competitor_activity": pa.array(competitor, pa.string()),
            "notes": pa.array(notes, pa.string()),
        }
    )
