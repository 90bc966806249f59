"""The contract's tables (data-contract.md), defined once.

Loading, validation, the warehouse DDL, templates and the docs all read these
definitions; nothing else spells a column name of a user-loaded table.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column kinds: how a cell is parsed and checked.
TEXT = "text"  # trimmed string
NUMBER = "number"  # number >= 0
DATE = "date"  # a calendar date
WEEK = "week"  # any day of a week, stored as that week's Monday
BOOL = "bool"  # yes/no; blank = unknown
MECHANIC = "mechanic"  # one of MECHANICS
SKU_LIST = "sku_list"  # SKU codes separated by ; , ； ，

MECHANICS = ("DM", "TG", "TPR", "PROMOTER", "BUNDLE")
YES_WORDS = ("y", "yes", "true", "1", "是")
NO_WORDS = ("n", "no", "false", "0", "否")

SQL_TYPES = {
    TEXT: "VARCHAR",
    NUMBER: "DOUBLE",
    DATE: "DATE",
    WEEK: "DATE",
    BOOL: "BOOLEAN",
    MECHANIC: "VARCHAR",
    SKU_LIST: "VARCHAR",
}

EXPECTED = {
    TEXT: "a value",
    NUMBER: "a number ≥ 0",
    DATE: "a date such as 2025-03-17 or 2025/03/17",
    WEEK: "a date such as 2025-03-17 (any day of the week)",
    BOOL: "yes/no (Y/N, yes/no, true/false, 1/0, 是/否)",
    MECHANIC: "one of " + ", ".join(MECHANICS),
    SKU_LIST: "SKU codes separated by ; or ,",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool
    zh: str
    help: str = ""

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.kind]


@dataclass(frozen=True)
class Table:
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    zh: str
    help: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, kind: str, required: bool, zh: str, help: str = "") -> Column:
    return Column(name, kind, required, zh, help)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "stores",
            ("store_id",),
            (
                _c("store_id", TEXT, True, "门店编号"),
                _c("store_name", TEXT, True, "门店名称"),
                _c("chain", TEXT, True, "系统", "Retail chain (KA system), e.g. Walmart"),
                _c("region", TEXT, True, "大区"),
                _c("city", TEXT, False, "城市"),
                _c("format", TEXT, False, "业态", "Hypermarket, supermarket…"),
                _c("ka_manager", TEXT, False, "KA经理"),
            ),
            "门店",
            "One row per store.",
        ),
        Table(
            "products",
            ("sku",),
            (
                _c("sku", TEXT, True, "商品编码"),
                _c("brand", TEXT, True, "品牌"),
                _c("category", TEXT, True, "品类"),
                _c("is_own", BOOL, True, "本品", "Yes for our own products"),
                _c("sku_name", TEXT, False, "商品名称"),
                _c("manufacturer", TEXT, False, "厂商"),
                _c("unit_cost", NUMBER, False, "单位成本", "Our cost per unit, for gross profit"),
            ),
            "商品",
            "Own and competitor products; an aggregate OTHER-<category> row is allowed.",
        ),
        Table(
            "sales",
            ("week", "store_id", "sku"),
            (
                _c("week", WEEK, True, "周"),
                _c("store_id", TEXT, True, "门店编号"),
                _c("sku", TEXT, True, "商品编码"),
                _c("units", NUMBER, True, "销量"),
                _c("revenue", NUMBER, True, "销售额"),
            ),
            "销售",
            "Weekly sell-out per store and SKU.",
        ),
        Table(
            "market",
            ("week", "region", "category"),
            (
                _c("week", WEEK, True, "周"),
                _c("region", TEXT, True, "大区"),
                _c("category", TEXT, True, "品类"),
                _c("market_revenue", NUMBER, True, "市场销售额"),
                _c("own_revenue", NUMBER, True, "本品销售额"),
            ),
            "市场",
            "Market panel data (e.g. Nielsen) per region and category.",
        ),
        Table(
            "promotions",
            ("promo_id",),
            (
                _c("promo_id", TEXT, True, "活动编号"),
                _c("chain", TEXT, True, "系统"),
                _c("mechanic", MECHANIC, True, "形式"),
                _c("start_date", DATE, True, "开始日期"),
                _c("end_date", DATE, True, "结束日期"),
                _c("store_id", TEXT, False, "门店编号", "Blank: every store of the chain"),
                _c("sku", TEXT, False, "商品编码", "Blank: every own SKU of the brand"),
                _c("brand", TEXT, False, "品牌"),
                _c("promo_price", NUMBER, False, "促销价"),
                _c("cost", NUMBER, False, "费用", "Total cost of the promotion"),
                _c("retailer_target_units", NUMBER, False, "目标销量"),
            ),
            "促销",
            "One row per promotion.",
        ),
        Table(
            "visits",
            ("visit_date", "store_id", "category", "rep"),
            (
                _c("visit_date", DATE, True, "拜访日期"),
                _c("store_id", TEXT, True, "门店编号"),
                _c("rep", TEXT, True, "业务员"),
                _c("category", TEXT, True, "品类"),
                _c(
                    "store_category_sales",
                    NUMBER,
                    False,
                    "门店品类销售额",
                    "The store's total sales of the category that week, all brands",
                ),
                _c("own_facings", NUMBER, False, "本品排面"),
                _c("total_facings", NUMBER, False, "总排面"),
                _c("display_ok", BOOL, False, "陈列达标"),
                _c("promo_executed", BOOL, False, "促销执行"),
                _c("price_compliant", BOOL, False, "价格合规"),
                _c("oos_skus", SKU_LIST, False, "缺货商品"),
                _c("competitor_activity", TEXT, False, "竞品动态"),
                _c("notes", TEXT, False, "备注"),
            ),
            "拜访",
            "The KA managers' weekly visit sheets.",
        ),
        Table(
            "targets",
            ("year", "chain", "category"),
            (
                _c("year", NUMBER, True, "年度", "Calendar year, e.g. 2026"),
                _c("chain", TEXT, True, "系统"),
                _c("category", TEXT, False, "品类", "Blank: all categories"),
                _c("revenue_target", NUMBER, False, "销售目标", "Own sales target for the year"),
                _c("share_target", NUMBER, False, "份额目标", "Customer share target, a fraction 0–1 (0.25 = 25%)"),
            ),
            "目标",
            "Yearly targets per chain (and optionally category).",
        ),
    )
}

# Display names of the values of a kind (data-contract.md, `names`): the UI shows `zh`
# in Chinese, `en` in English, and every upload accepts a value, its zh or its en.
NAME_KINDS = ("chain", "region", "category", "city", "format", "mechanic")
TABLES["names"] = Table(
    "names",
    ("kind", "value"),
    (
        _c("kind", TEXT, True, "类型", "One of: " + ", ".join(NAME_KINDS)),
        _c("value", TEXT, True, "名称", "The value as stored, e.g. Dairy"),
        _c("zh", TEXT, True, "中文名", "The Chinese name, e.g. 乳品"),
        _c("en", TEXT, False, "英文名", "The English name (blank: the value)"),
    ),
    "名称",
    "Display names of chains, regions, categories, cities, formats and mechanics.",
)

# Order in which tables can be loaded (references point backwards).
LOAD_ORDER = ("stores", "products", "sales", "market", "promotions", "visits", "targets")

LOAD_ORDER = (*LOAD_ORDER, "names")  # names may come before or after the values they name

# Who sees what (domain.md): each login email's role and scope (ka_core/access.py).
TABLES["access"] = Table(
    "access",
    ("email",),
    (
        _c("email", TEXT, True, "邮箱", "The login email (compared without case)"),
        _c("role", TEXT, True, "角色", "admin, director or ka_manager"),
        _c("name", TEXT, False, "姓名", "As in the stores table's ka_manager"),
        _c("chains", TEXT, False, "系统", "Chains separated by ; or , (* = all)"),
        _c("regions", TEXT, False, "大区", "Regions separated by ; or , (* = all)"),
        _c("stores", TEXT, False, "门店编号", "store_ids separated by ; or , (* = all)"),
    ),
    "权限",
    "Who sees what: each login email's role and scope.",
)

# Bookkeeping: every content table carries the id of the load that wrote a row.
LOAD_ID = "load_id"


def normalise_header(text: str) -> str:
    """Header matching as the contract says: case-insensitive, ignoring spaces, _ and -."""
    return "".join(ch for ch in str(text).strip().lower() if ch not in " _-\u3000\t\n\r")


def header_aliases(table: Table) -> dict[str, str]:
    """Normalised header text -> contract column name (English and Chinese)."""
    aliases = {}
    for c in table.columns:
        aliases[normalise_header(c.name)] = c.name
        aliases[normalise_header(c.zh)] = c.name
    return aliases
