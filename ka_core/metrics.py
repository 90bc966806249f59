"""Every report column defined once: label (English, 简体中文), description, format.

The command line, the dashboard and the README read these definitions.
"""

from __future__ import annotations

from dataclasses import dataclass

# Formats: how a value is shown.
MONEY = "money"  # revenue in the account currency
SHARE = "share"  # fraction 0–1, shown as a percentage
INDEX = "index"  # fair-share index, 100 = at fair share
PCT = "pct"  # already ×100
COUNT = "count"
NUMBER = "number"
TEXT = "text"
DATE = "date"
BOOL = "bool"


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    zh: str
    fmt: str
    help: str
    help_zh: str = ""


def _m(name, label, zh, fmt, help, help_zh=""):
    return Metric(name, label, zh, fmt, help, help_zh)


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        _m("store_id", "Store", "门店编号", TEXT, "Store code."),
        _m("store_name", "Store name", "门店名称", TEXT, "Store name."),
        _m("chain", "Chain", "系统", TEXT, "Retail chain (KA system)."),
        _m("region", "Region", "大区", TEXT, "Sales region."),
        _m("category", "Category", "品类", TEXT, "Product category."),
        _m("ka_manager", "KA manager", "KA经理", TEXT, "The KA manager responsible for the store."),
        _m("sku", "SKU", "商品编码", TEXT, "Product code."),
        _m(
            "own_revenue",
            "Own sales",
            "本品销售额",
            MONEY,
            "Revenue of our own SKUs (in fair-share and quadrants: weeks where the category total is known).",
            "本品销售额（份额计算只含已知品类总额的周）。",
        ),
        _m(
            "category_revenue",
            "Category sales",
            "品类销售额",
            MONEY,
            "The store's sales of the category, all brands, over matched weeks: its purchase potential.",
            "门店品类总销售额（所有品牌），即采购潜力。",
        ),
        _m(
            "potential",
            "Potential",
            "采购潜力",
            MONEY,
            "Purchase potential: the store's category sales, all brands, over the selected categories.",
            "采购潜力：门店所选品类的总销售额（所有品牌）。",
        ),
        _m(
            "customer_share",
            "Customer share",
            "客户份额",
            SHARE,
            "Own sales ÷ the store's category sales, over the same weeks.",
            "本品销售额 ÷ 门店品类销售额（同一周数）。",
        ),
        _m(
            "market_share",
            "Market share",
            "市场份额",
            SHARE,
            "Our share of the region's market (market data, else all tracked stores of the region).",
            "本品在大区市场的份额（市场数据，否则为该大区所有跟踪门店）。",
        ),
        _m(
            "fair_share_index",
            "Fair-share index",
            "公平份额指数",
            INDEX,
            "Customer share ÷ market share × 100; below 100 the store under-sells us.",
            "客户份额 ÷ 市场份额 × 100；低于100说明本品在该店表现低于市场。",
        ),
        _m(
            "opportunity",
            "Opportunity",
            "机会额",
            MONEY,
            "Revenue we would gain if the store reached market share: max(0, market − customer share) × category sales.",
            "门店达到市场份额可增加的销售额：max(0, 市场份额 − 客户份额) × 品类销售额。",
        ),
        _m(
            "quadrant",
            "Quadrant",
            "象限",
            TEXT,
            "Attack: high potential, below fair share; Defend: high potential, at or above; Maintain: low potential, at or above; Monitor: low potential, below; No data: no category total.",
            "进攻：高潜力、低于公平份额；防守：高潜力、达到或高于；维持：低潜力、达到或高于；观察：低潜力、低于；无数据：缺少品类总额。",
        ),
        _m("abc_by_own", "Class by own sales", "按本品销售分级", TEXT, "A/B/C by own sales (Pareto)."),
        _m("abc_by_potential", "Class by potential", "按潜力分级", TEXT, "A/B/C by purchase potential (Pareto)."),
        _m("ka_by_own", "KA by own sales", "按销售为KA", BOOL, "Class A by own sales."),
        _m("ka_by_potential", "KA by potential", "按潜力为KA", BOOL, "Class A by potential."),
        _m(
            "change",
            "Change",
            "变化",
            TEXT,
            "missed: KA by potential, not by own sales; over-served: KA by own sales, not by potential.",
            "遗漏：按潜力为KA但按销售不是；过度服务：按销售为KA但按潜力不是。",
        ),
        _m("share", "Share of own sales", "销售占比", SHARE, "The chain's share of our own sales."),
        _m("cum_share", "Cumulative share", "累计占比", SHARE, "Cumulative share, largest first."),
        _m("abc", "Class", "分级", TEXT, "A/B/C class (Pareto)."),
        _m("promo_id", "Promotion", "活动编号", TEXT, "Promotion code."),
        _m("mechanic", "Mechanic", "形式", TEXT, "DM flyer, TG end-cap, TPR price cut, PROMOTER, BUNDLE."),
        _m("start_date", "Start", "开始日期", DATE, "First day of the promotion."),
        _m("end_date", "End", "结束日期", DATE, "Last day of the promotion."),
        _m(
            "baseline_units",
            "Baseline units/week",
            "基线周销量",
            NUMBER,
            "Mean weekly units in the baseline weeks before the promotion, skipping promoted weeks and weeks without sales.",
            "促销前基线周的平均周销量（跳过促销周和无销售周）。",
        ),
        _m("promo_units", "Promo units/week", "促销周销量", NUMBER, "Mean weekly units in the promotion weeks."),
        _m("lift_pct", "Lift %", "提升 %", PCT, "(promo units ÷ baseline − 1) × 100."),
        _m(
            "incremental_units",
            "Incremental units",
            "增量销量",
            NUMBER,
            "Units above baseline over the promotion weeks.",
        ),
        _m(
            "incremental_revenue",
            "Incremental revenue",
            "增量销售额",
            MONEY,
            "Revenue above baseline revenue over the promotion weeks.",
        ),
        _m(
            "incremental_gross_profit",
            "Incremental gross profit",
            "增量毛利",
            MONEY,
            "Incremental revenue − incremental units × unit cost.",
        ),
        _m(
            "post_dip_pct",
            "Post-promo dip %",
            "促销后下滑 %",
            PCT,
            "Mean weekly units after the promotion ÷ baseline − 1, × 100; negative means pantry loading.",
        ),
        _m(
            "oos_visits",
            "OOS visits",
            "缺货拜访次数",
            COUNT,
            "Visits during the promotion that found the SKU out of stock.",
        ),
        _m("stores", "Stores", "门店数", COUNT, "Stores with sales of the promotion."),
        _m("cost", "Cost", "费用", MONEY, "Cost of the promotion."),
        _m(
            "roi",
            "ROI",
            "投资回报率",
            SHARE,
            "(Incremental gross profit − cost) ÷ cost.",
            "(增量毛利 − 费用) ÷ 费用。",
        ),
        _m("target_met", "Target met", "达成目标", BOOL, "Promotion units reached the retailer's target."),
        _m("visits", "Visits", "拜访次数", COUNT, "Visits (store, date, rep) in the period."),
        _m("last_visit", "Last visit", "最近拜访", DATE, "Date of the latest visit in the period."),
        _m(
            "days_since_last_visit",
            "Days since last visit",
            "距上次拜访天数",
            COUNT,
            "Days from the last visit to the end of the period.",
        ),
        _m(
            "share_of_shelf",
            "Share of shelf",
            "排面占比",
            SHARE,
            "Own facings ÷ total facings from visits; shelf should follow sales.",
        ),
        _m(
            "price_compliance",
            "Price compliance",
            "价格合规率",
            SHARE,
            "Share of visit rows with prices compliant, among those where it is known.",
        ),
        _m("oos_rate", "OOS rate", "缺货率", SHARE, "Share of visit rows listing at least one out-of-stock SKU."),
        _m("week", "Week", "周", DATE, "Monday of the week."),
        _m(
            "own_revenue_all",
            "Own sales (all weeks)",
            "本品销售额（全部周）",
            MONEY,
            "All own sales of the stores in scope, matched weeks or not.",
            "范围内门店的全部本品销售额（不论是否已知品类总额）。",
        ),
        _m("year", "Year", "年度", TEXT, "Calendar year of the target."),
        _m("revenue_target", "Sales target", "销售目标", MONEY, "Own sales target for the year."),
        _m(
            "attainment",
            "Attainment",
            "目标达成率",
            SHARE,
            "Own sales of the year to date ÷ the year's sales target.",
            "年初至今本品销售额 ÷ 全年销售目标。",
        ),
        _m(
            "expected",
            "Time elapsed",
            "时间进度",
            SHARE,
            "Weeks of the year to date ÷ the weeks of the year: the attainment on track.",
            "年初至今周数 ÷ 全年周数：按进度应达成的比例。",
        ),
        _m("share_target", "Share target", "份额目标", SHARE, "Customer share target for the year."),
        _m(
            "share_gap",
            "Share gap",
            "份额差距",
            SHARE,
            "Customer share − share target (negative = below target).",
            "客户份额 − 份额目标（负数 = 低于目标）。",
        ),
    )
}

# Effects with confidence (domain.md): lift against control stores, its interval, the visit effect.
METRICS.update(
    {
        m.name: m
        for m in (
            _m(
                "control_stores",
                "Control stores",
                "对照门店数",
                COUNT,
                "Stores without the promotion whose growth sets the expected units.",
            ),
            _m(
                "expected_units",
                "Expected units",
                "预期销量",
                NUMBER,
                "Baseline × the control stores' growth from baseline to promo weeks: units without the promotion.",
                "基线 × 对照门店同期增长：无促销时的预期周销量。",
            ),
            _m(
                "lift_vs_control_pct",
                "Lift vs control %",
                "对照提升 %",
                PCT,
                "(promo units ÷ expected units − 1) × 100; a promotion pools its rows.",
                "(促销周销量 ÷ 预期销量 − 1) × 100；促销汇总其所有行。",
            ),
            _m("lift_low", "Lift low (90%)", "提升下限 (90%)", PCT, "Lower end of the 90% interval (placebo weeks)."),
            _m("lift_high", "Lift high (90%)", "提升上限 (90%)", PCT, "Upper end of the 90% interval (placebo weeks)."),
            _m("significant", "Significant", "显著", BOOL, "The 90% interval excludes 0."),
            _m(
                "rel_week",
                "Week vs visit",
                "相对拜访周",
                COUNT,
                "Week relative to the first visit after 8 weeks without one.",
            ),
            _m(
                "events",
                "Visit events",
                "拜访事件数",
                COUNT,
                "First visits after 8 weeks without one, with 3 control stores.",
            ),
            _m(
                "effect_pct",
                "Sales vs control %",
                "相对对照销售 %",
                PCT,
                "Own sales against the control stores' expectation, − 1, × 100 (an association, not proof).",
                "本品销售相对对照门店预期的差异（相关，不是因果）。",
            ),
            _m("low", "Low (90%)", "下限 (90%)", PCT, "5th percentile over 200 bootstrap resamples of the events."),
            _m("high", "High (90%)", "上限 (90%)", PCT, "95th percentile over 200 bootstrap resamples of the events."),
        )
    }
)

QUADRANTS = ("Attack", "Defend", "Maintain", "Monitor", "No data")
QUADRANT_ZH = {"Attack": "进攻", "Defend": "防守", "Maintain": "维持", "Monitor": "观察", "No data": "无数据"}
