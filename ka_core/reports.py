"""The reports of data-contract.md and the dashboard's queries: each defined once, computed in SQL.

A query is declared here, in the order its text runs: the files of ka_core/sql
whose CTEs it reads (`ctes`), then `SELECT <columns> FROM <source> ORDER BY
<order_by>`. The statement is their plain concatenation (db.compose), so the
formula behind a number is found by reading the declaration, then the files,
top to bottom. Filters and settings are always bound parameters.

`run(con, name, filters, settings)` is the one way the command line, the
dashboard and notebooks get a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from .db import compose, query, used_params
from .errors import KaError
from .metrics import METRICS
from .settings import Filters, Settings


@dataclass(frozen=True)
class Query:
    """WITH <the CTEs of each file of `ctes`, in order> SELECT <columns> FROM <source> ORDER BY <order_by>."""

    ctes: tuple[str, ...]  # files of ka_core/sql, without .sql
    source: str  # the CTE whose rows the statement returns
    columns: tuple[str, ...]
    order_by: tuple[str, ...] = ()
    bound: tuple[tuple[str, Any], ...] = ()  # parameters fixed by the query itself (name, value)

    def __post_init__(self) -> None:
        for part in (self.ctes, self.columns, self.order_by):
            assert isinstance(part, tuple), f"a tuple of names, not {part!r}"  # ("x") is a string

    @property
    def sql(self) -> str:
        select = f"SELECT {', '.join(self.columns)}\nFROM {self.source}"
        if self.order_by:
            select += f"\nORDER BY {', '.join(self.order_by)}"
        return compose(self.ctes, select)


@dataclass(frozen=True)
class Report:
    name: str
    query: Query
    label: str
    zh: str
    help: str

    @property
    def columns(self) -> tuple[str, ...]:
        return self.query.columns


# What the store reports read, in order: each file's CTEs read only those before it.
SCOPE = ("period", "access", "scope")
FAIR_SHARE = (*SCOPE, "market_share", "fair_share")
QUADRANTS = (*FAIR_SHARE, "levels", "quadrants")
VISITS = (*QUADRANTS, "visit_rows", "visit_coverage")
PROMO = ("period", "access", "access_promotions", "promo")
# Placebo-week moves per promotion (domain.md: the 40 nearest may be kept); promo-lift needs none.
PLACEBO = (("placebo_moves", 40),)
NO_PLACEBO = (("placebo_moves", 0),)

REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            "fair-share",
            Query(
                FAIR_SHARE,
                "fair_share",
                (
                    "store_id",
                    "store_name",
                    "chain",
                    "region",
                    "category",
                    "own_revenue",
                    "category_revenue",
                    "customer_share",
                    "market_share",
                    "fair_share_index",
                    "opportunity",
                ),
                ("store_id", "category"),
            ),
            "Fair share by store and category",
            "门店品类公平份额",
            "Customer share against market share for every store and category with a known category total.",
        ),
        Report(
            "quadrants",
            Query(
                QUADRANTS,
                "quadrants",
                (
                    "store_id",
                    "store_name",
                    "chain",
                    "region",
                    "potential",
                    "own_revenue",
                    "customer_share",
                    "market_share",
                    "fair_share_index",
                    "opportunity",
                    "quadrant",
                ),
                ("store_id",),
            ),
            "Attack / defend quadrants",
            "进攻/防守象限",
            "Every store by potential (class A = high) and fair-share index.",
        ),
        Report(
            "ka-list",
            Query(
                (*QUADRANTS, "ka_list"),
                "ka_list",
                (
                    "store_id",
                    "store_name",
                    "chain",
                    "own_revenue",
                    "potential",
                    "abc_by_own",
                    "abc_by_potential",
                    "ka_by_own",
                    "ka_by_potential",
                    "change",
                ),
                ("own_revenue DESC", "store_id"),
            ),
            "KA list: by potential against by own sales",
            "KA名单：按潜力与按销售",
            "Stores the traditional KA list misses, and stores it over-serves.",
        ),
        Report(
            "pareto",
            Query(
                (*SCOPE, "pareto"),
                "pareto",
                ("chain", "own_revenue", "share", "cum_share", "abc"),
                ("own_revenue DESC", "chain"),
            ),
            "Chains by own sales (Pareto)",
            "系统销售帕累托",
            "Chains ranked by our own sales, with A/B/C classes.",
        ),
        Report(
            "promo-lift",
            Query(
                (*PROMO, "promo_control", "access_lift"),
                "lift_scoped",
                (
                    "promo_id",
                    "chain",
                    "store_id",
                    "sku",
                    "mechanic",
                    "start_date",
                    "end_date",
                    "baseline_units",
                    "promo_units",
                    "lift_pct",
                    "incremental_units",
                    "incremental_revenue",
                    "incremental_gross_profit",
                    "post_dip_pct",
                    "oos_visits",
                    "control_stores",
                    "expected_units",
                    "lift_vs_control_pct",
                ),
                ("start_date", "promo_id", "store_id", "sku"),
                NO_PLACEBO,
            ),
            "Promotion lift by store and SKU",
            "促销提升（门店×商品）",
            "Baseline, lift, incremental sales and post-promotion dip of every promoted store and SKU.",
        ),
        Report(
            "promo-summary",
            Query(
                (*PROMO, "promo_summary", "promo_control", "promo_summary_control"),
                "promo_summary_control",
                (
                    "promo_id",
                    "chain",
                    "mechanic",
                    "start_date",
                    "end_date",
                    "stores",
                    "incremental_units",
                    "incremental_revenue",
                    "incremental_gross_profit",
                    "cost",
                    "roi",
                    "target_met",
                    "lift_vs_control_pct",
                    "lift_low",
                    "lift_high",
                    "significant",
                ),
                ("start_date", "promo_id"),
                PLACEBO,
            ),
            "Promotion summary and ROI",
            "促销汇总与投资回报",
            "Incremental sales, gross profit, ROI and target of every promotion.",
        ),
        Report(
            "visit-coverage",
            Query(
                VISITS,
                "visit_coverage",
                (
                    "store_id",
                    "store_name",
                    "chain",
                    "ka_manager",
                    "quadrant",
                    "visits",
                    "last_visit",
                    "days_since_last_visit",
                    "share_of_shelf",
                    "price_compliance",
                    "oos_rate",
                ),
                ("store_id",),
            ),
            "Visit coverage and execution by store",
            "门店拜访覆盖与执行",
            "Visits, days since the last visit, share of shelf, price compliance and OOS rate.",
        ),
        Report(
            "visit-effect",
            Query(
                (*SCOPE, "visit_effect"),
                "visit_effect",
                ("rel_week", "events", "effect_pct", "low", "high"),
                ("rel_week",),
            ),
            "Sales around a visit against control stores",
            "拜访前后销售（对照门店）",
            "Own sales in weeks -6..+6 around a first visit after 8 weeks without one, against control stores "
            "of the same chain and region, with a 90% bootstrap interval: an association, not proof.",
        ),
        Report(
            "trend",
            Query(
                (*SCOPE, "market_share", "trend"),
                "trend",
                (
                    "week",
                    "chain",
                    "own_revenue",
                    "category_revenue",
                    "customer_share",
                    "market_share",
                    "fair_share_index",
                    "own_revenue_all",
                ),
                ("week", "chain"),
            ),
            "Weekly trend by chain",
            "各系统周趋势",
            "Each week's own sales, customer share, market share and fair-share index per chain.",
        ),
        Report(
            "targets",
            Query(
                ("targets_period", "access", "scope", "targets"),
                "targets_report",
                (
                    "year",
                    "chain",
                    "category",
                    "own_revenue",
                    "revenue_target",
                    "attainment",
                    "expected",
                    "customer_share",
                    "share_target",
                    "share_gap",
                ),
                ("year", "chain", "category NULLS FIRST"),
            ),
            "Targets: attainment and share against target",
            "目标达成与份额目标",
            "Year-to-date own sales against the revenue target and the time elapsed; customer share against its target.",
        ),
    )
}

for _r in REPORTS.values():
    _missing = [c for c in _r.columns if c not in METRICS]
    assert not _missing, f"{_r.name}: columns without a metric definition: {_missing}"


# The dashboard's queries beyond the contract (ka_core/views.py reads them).
QUERIES: dict[str, Query] = {
    "store-weekly": Query(
        (*SCOPE, "store_weekly"),
        "store_weekly",
        ("week", "own_revenue", "category_revenue", "customer_share"),
        ("week",),
    ),
    "store-visits": Query(
        (*SCOPE, "visit_rows", "store_visits"),
        "store_visits",
        (
            "visit_date",
            "rep",
            "category",
            "store_category_sales",
            "own_facings",
            "total_facings",
            "display_ok",
            "promo_executed",
            "price_compliant",
            "oos_skus",
            "competitor_activity",
            "notes",
        ),
        ("visit_date", "rep", "category"),
    ),
    "promo-weekly": Query(
        (*PROMO, "promo_weekly", "promo_control", "promo_control_weekly"),
        "promo_weekly_control",
        ("week", "phase", "units", "revenue", "baseline_units", "oos_visits", "control_units"),
        ("week",),
        NO_PLACEBO,
    ),
    # Store-category rows rolled up to chains, regions and the total (levels.sql, rollup.sql).
    "rollup": Query(
        (*QUADRANTS, "rollup"),
        "rollup_rows",
        (
            "level",
            "key",
            "own_revenue",
            "category_revenue",
            "customer_share",
            "market_share",
            "fair_share_index",
            "opportunity",
            "below_fair_share",
            "stores",
            "attack_stores",
            "own_revenue_all",
        ),
        ("level", "key"),
    ),
    "quadrant-summary": Query(
        (*QUADRANTS, "quadrant_summary"),
        "quadrant_summary",
        ("quadrant", "stores", "opportunity", "potential"),
        ("quadrant",),
    ),
    "promo-mechanics": Query(
        (*PROMO, "promo_control", "access_lift", "promo_mechanics"),
        "promo_mechanics",
        ("mechanic", "lift_pct", "incremental_revenue", "rows"),
        ("lift_pct DESC", "mechanic"),
        NO_PLACEBO,
    ),
    "promo-total": Query(
        (*PROMO, "promo_summary", "promo_total"),
        "promo_total",
        ("promotions", "incremental_gross_profit", "cost", "roi"),
    ),
    "visit-summary": Query(
        (*VISITS, "visit_rates", "visit_summary"),
        "visit_summary",
        (
            "attack_stores",
            "attack_visited",
            "attack_coverage",
            "below_fair_share",
            "below_visited",
            "below_coverage",
            "visits",
            "price_compliance",
            "oos_rate",
            "display_ok",
            "promo_executed",
        ),
    ),
    # Naive lift next to the lift against control stores, per promotion (Promotions page).
    "promo-effects": Query(
        (*PROMO, "promo_summary", "promo_control", "promo_summary_control", "promo_effects"),
        "promo_effects",
        (
            "promo_id",
            "chain",
            "mechanic",
            "start_date",
            "cost",
            "naive_lift_pct",
            "lift_vs_control_pct",
            "lift_low",
            "lift_high",
            "significant",
        ),
        ("start_date", "promo_id"),
        PLACEBO,
    ),
    "sales-weeks": Query((*SCOPE, "sales_weeks"), "sales_weeks", ("weeks",)),
    "visits-by-manager": Query(
        (*VISITS, "visits_by_manager"),
        "visits_by_manager",
        ("ka_manager", "stores", "visits", "attack", "attack_visited"),
        ("visits DESC", "ka_manager"),
    ),
}


def statement(
    name: str, filters: Filters | None = None, settings: Settings | None = None, **extra: Any
) -> tuple[str, dict[str, Any]]:
    """The SQL of a report or query and the parameters it binds (only those it uses)."""
    q = REPORTS[name].query if name in REPORTS else QUERIES[name]
    params = (filters or Filters()).params() | (settings or Settings()).params() | dict(q.bound) | extra
    return q.sql, used_params(q.sql, params)


def run_arrow(
    con: duckdb.DuckDBPyConnection,
    name: str,
    filters: Filters | None = None,
    settings: Settings | None = None,
    *,
    in_transaction: bool = False,
) -> pa.Table:
    """A report as an Arrow table with exactly the contract's columns, in order."""
    if name not in REPORTS:
        raise KaError(f"Unknown report {name!r}; expected one of: {', '.join(REPORTS)}")
    sql, params = statement(name, filters, settings)
    table = query(con, sql, params, in_transaction=in_transaction)
    assert tuple(table.column_names) == REPORTS[name].columns, (name, table.column_names)
    return table


def run(
    con: duckdb.DuckDBPyConnection,
    name: str,
    filters: Filters | None = None,
    settings: Settings | None = None,
    *,
    in_transaction: bool = False,
) -> pd.DataFrame:
    """A report as a DataFrame (numbers as floats, missing values as NaN/None)."""
    return run_arrow(con, name, filters, settings, in_transaction=in_transaction).to_pandas()


def run_query_arrow(
    con: duckdb.DuckDBPyConnection,
    name: str,
    filters: Filters | None = None,
    settings: Settings | None = None,
    **extra: Any,
) -> pa.Table:
    """One of QUERIES as an Arrow table; `extra` are its own parameters (store_id, promo_id)."""
    sql, params = statement(name, filters, settings, **extra)
    table = query(con, sql, params)
    assert tuple(table.column_names) == QUERIES[name].columns, (name, table.column_names)
    return table


def run_query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    filters: Filters | None = None,
    settings: Settings | None = None,
    **extra: Any,
) -> pd.DataFrame:
    """One of QUERIES as a DataFrame (numbers as floats, missing values as NaN/None)."""
    return run_query_arrow(con, name, filters, settings, **extra).to_pandas()
