"""The reports of data-contract.md: each defined once, computed in DuckDB SQL.

`run(con, name, filters, settings)` is the one way the command line, the
dashboard and notebooks get a report.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from .db import load_sql, query
from .errors import KaError
from .metrics import METRICS
from .settings import Filters, Settings


@dataclass(frozen=True)
class Report:
    name: str
    sql: str  # file in ka_core/sql, without .sql
    columns: tuple[str, ...]
    label: str
    zh: str
    help: str


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            "fair-share",
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
            "Fair share by store and category",
            "门店品类公平份额",
            "Customer share against market share for every store and category with a known category total.",
        ),
        Report(
            "quadrants",
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
            "Attack / defend quadrants",
            "进攻/防守象限",
            "Every store by potential (class A = high) and fair-share index.",
        ),
        Report(
            "ka-list",
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
            "KA list: by potential against by own sales",
            "KA名单：按潜力与按销售",
            "Stores the traditional KA list misses, and stores it over-serves.",
        ),
        Report(
            "pareto",
            "pareto",
            ("chain", "own_revenue", "share", "cum_share", "abc"),
            "Chains by own sales (Pareto)",
            "系统销售帕累托",
            "Chains ranked by our own sales, with A/B/C classes.",
        ),
        Report(
            "promo-lift",
            "promo_lift",
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
            ),
            "Promotion lift by store and SKU",
            "促销提升（门店×商品）",
            "Baseline, lift, incremental sales and post-promotion dip of every promoted store and SKU.",
        ),
        Report(
            "promo-summary",
            "promo_summary",
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
            ),
            "Promotion summary and ROI",
            "促销汇总与投资回报",
            "Incremental sales, gross profit, ROI and target of every promotion.",
        ),
        Report(
            "visit-coverage",
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
            "Visit coverage and execution by store",
            "门店拜访覆盖与执行",
            "Visits, days since the last visit, share of shelf, price compliance and OOS rate.",
        ),
    )
}

for _r in REPORTS.values():
    _missing = [c for c in _r.columns if c not in METRICS]
    assert not _missing, f"{_r.name}: columns without a metric definition: {_missing}"


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
    report = REPORTS[name]
    params = (filters or Filters()).params() | (settings or Settings()).params()
    table = query(con, load_sql(report.sql), params, in_transaction=in_transaction)
    assert tuple(table.column_names) == report.columns, (name, table.column_names)
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
