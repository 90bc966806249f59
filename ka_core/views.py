"""What the dashboard pages show beyond the contract's reports, computed here, not in pages/.

Every function takes a source, Filters and Settings and returns plain
DataFrames or dicts; the numbers come from the reports (reports.run) or from
the dashboard's queries (reports.QUERIES, SQL in ka_core/sql), so the screen
and the command line agree. The source is a DuckDB connection, or a function
(name, filters, settings) -> rows that the caller caches: the dashboard passes
its cached reader, so a report that several views need is computed once. A view selects, sorts and merges their rows: every
share, sum-ratio, rollup and threshold comparison is computed in SQL, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from .db import query
from .reports import REPORTS, run, run_query
from .settings import Filters, Settings

# A DuckDB connection, or a function (name, filters, settings) -> the rows of that report or query.
Source = duckdb.DuckDBPyConnection | Callable[[str, Filters, Settings], pd.DataFrame]


def rows(src: Source, name: str, filters: Filters, settings: Settings) -> pd.DataFrame:
    """The rows of a report (REPORTS) or a dashboard query (QUERIES), from a connection or a reader."""
    if isinstance(src, duckdb.DuckDBPyConnection):
        return (run if name in REPORTS else run_query)(src, name, filters, settings)
    return src(name, filters, settings)


def _record(df: pd.DataFrame) -> dict:
    """The first row as a dict, missing values as None."""
    return {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].items()}


PRESETS = ("4w", "13w", "52w", "ytd", "all", "custom")


def latest_week(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """Monday of the latest week with sales (the demo's 'today')."""
    v = query(con, "SELECT max(week) AS w FROM sales").column("w")[0].as_py()
    return v


def options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Values for the sidebar filters."""
    t = query(
        con,
        "SELECT 'chain' AS k, chain AS v FROM stores UNION SELECT 'region', region FROM stores "
        "UNION SELECT 'category', category FROM products UNION SELECT 'ka_manager', ka_manager FROM stores "
        "WHERE ka_manager IS NOT NULL ORDER BY 1, 2",
    ).to_pylist()
    out: dict[str, list[str]] = {"chain": [], "region": [], "category": [], "ka_manager": []}
    for r in t:
        if r["v"] is not None:
            out[r["k"]].append(r["v"])
    return out


def period(preset: str, latest: dt.date | None, start: dt.date | None = None, end: dt.date | None = None):
    """(from, to) of a preset: last 4, 13 or 52 weeks to the latest week, year to date, all."""
    if latest is None or preset == "all":
        return None, None
    last_day = latest + dt.timedelta(days=6)
    if preset == "custom":
        return start, end
    if preset == "ytd":
        return dt.date(latest.year, 1, 1), last_day
    weeks = {"4w": 4, "13w": 13, "52w": 52}[preset]
    return latest - dt.timedelta(weeks=weeks - 1), last_day


def previous(filters: Filters) -> Filters | None:
    """The period of the same length right before (None when the period is open)."""
    if not filters.date_from or not filters.date_to:
        return None
    start = filters.date_from - dt.timedelta(days=filters.date_from.weekday())
    end = filters.date_to
    days = (end - start).days + 1
    return replace(filters, date_from=start - dt.timedelta(days=days), date_to=start - dt.timedelta(days=1))


@dataclass(frozen=True)
class Kpis:
    own_sales: float | None
    customer_share: float | None
    market_share: float | None
    fair_share_index: float | None
    attack_stores: int
    opportunity: float | None
    promo_roi: float | None


def rollup(src: Source, filters: Filters, settings: Settings, level: str) -> pd.DataFrame:
    """The rows of one level ('chain', 'region' or 'total') of the SQL rollup (sql/levels.sql, sql/rollup.sql)."""
    r = rows(src, "rollup", filters, settings)
    return r[r["level"] == level].reset_index(drop=True)


def kpis(src: Source, filters: Filters, settings: Settings) -> Kpis:
    """The period's headline numbers: the rollup's total row and the promotions' ROI, both from SQL."""
    total = _record(rollup(src, filters, settings, "total"))
    promo = _record(rows(src, "promo-total", filters, settings))
    return Kpis(
        own_sales=total["own_revenue_all"],
        customer_share=total["customer_share"],
        market_share=total["market_share"],
        fair_share_index=total["fair_share_index"],
        attack_stores=int(total["attack_stores"]),
        opportunity=total["opportunity"],
        promo_roi=promo["roi"],
    )


def year_ago(filters: Filters) -> Filters | None:
    """The same weeks 52 weeks earlier, same filters (None when the period is open)."""
    if not filters.date_from or not filters.date_to:
        return None
    shift = dt.timedelta(weeks=52)  # 364 days: weekdays align
    return replace(filters, date_from=filters.date_from - shift, date_to=filters.date_to - shift)


def yoy_kpis(src: Source, filters: Filters, settings: Settings) -> Kpis | None:
    """The KPIs of the same weeks a year before (domain.md, "Year on year"), or None when the
    period is open or the filtered scope lacks sales in one of those weeks."""
    before = year_ago(filters)
    if before is None:
        return None
    weeks = int(rows(src, "sales-weeks", before, settings)["weeks"].iloc[0])
    return kpis(src, before, settings) if weeks == weeks_in(before) else None


def period_text(filters: Filters, lang: str) -> str:
    """The period as full dates (2026-08-24 – 2026-11-22), or "All data" when it is open."""
    from . import fmt
    from .i18n import t

    if not filters.date_from and not filters.date_to:
        return t("all", lang)
    return f"{fmt.date(filters.date_from, lang)} – {fmt.date(filters.date_to, lang)}"


def scope_text(filters: Filters, lang: str, names=None) -> str:
    """The chain, region and category filters in words ("all chains, regions, categories" when none);
    with the `names` lookup (ka_core.names), values in the language's names (沃尔玛 for Walmart)."""
    from .i18n import t
    from .names import shown

    parts = [
        f"{t(name, lang)}: {', '.join(str(shown(v, kind, names or {}, lang)) for v in values)}"
        for name, kind, values in (
            ("chains", "chain", filters.chains),
            ("regions", "region", filters.regions),
            ("categories", "category", filters.categories),
        )
        if values
    ]
    return "; ".join(parts) or t("all_filters", lang)


def source_text(filters: Filters, lang: str, names=None, who: str | None = None) -> str:
    """The line under a chart that names its period and filters, so that a screenshot stands alone;
    `who` names a restricted user's scope (the dashboard's login)."""
    from .i18n import t

    text = t("source_line", lang, period=period_text(filters, lang), filters=scope_text(filters, lang, names))
    return f"{text} · {t('scope_of', lang, who=who)}" if who else text


def store_row(q: pd.DataFrame, store_id: str) -> dict:
    """One store's row of the quadrants report, missing values as None."""
    return _record(q[q["store_id"] == store_id])


def store_promotions(src: Source, filters: Filters, settings: Settings, store_id: str) -> pd.DataFrame:
    """The promo-lift rows of one store in the period (its promotions, by SKU)."""
    lift = rows(src, "promo-lift", filters, settings)
    cols = ["promo_id", "mechanic", "start_date", "end_date", "sku", "lift_pct", "incremental_revenue", "oos_visits"]
    return lift.loc[lift["store_id"] == store_id, cols].reset_index(drop=True)


def trend(src: Source, filters: Filters, settings: Settings) -> pd.DataFrame:
    """The trend report (week × chain, SQL)."""
    return rows(src, "trend", filters, settings)


def targets(src: Source, filters: Filters, settings: Settings) -> pd.DataFrame:
    """The targets report (attainment against time elapsed, share against target, SQL)."""
    return rows(src, "targets", filters, settings)


def chain_summary(src: Source, filters: Filters, settings: Settings) -> pd.DataFrame:
    """Where we stand in each chain: own sales and class (pareto), shares, index, opportunity, Attack stores.

    The shares are the rollup's chain rows (SQL), over the chain's store-category rows.
    """
    pareto = rows(src, "pareto", filters, settings)
    chains = rollup(src, filters, settings, "chain").rename(
        columns={"key": "chain", "category_revenue": "potential", "attack_stores": "attack"}
    )
    out = pareto[["chain", "own_revenue", "share", "abc"]].merge(
        chains[["chain", "potential", "customer_share", "market_share", "fair_share_index", "opportunity", "attack"]],
        on="chain",
        how="left",
    )
    out["attack"] = out["attack"].fillna(0).astype(int)
    return out


def stores_to_visit(src: Source, filters: Filters, settings: Settings, limit: int = 15) -> pd.DataFrame:
    """Stores ranked by opportunity, with quadrant, KA manager and days since the last visit."""
    cov = rows(src, "visit-coverage", filters, settings)
    q = rows(src, "quadrants", filters, settings)
    df = q.merge(cov[["store_id", "ka_manager", "visits", "last_visit", "days_since_last_visit"]], on="store_id")
    df = df[df["opportunity"] > 0].sort_values(["opportunity", "store_id"], ascending=[False, True])
    return (
        df[
            [
                "store_id",
                "store_name",
                "chain",
                "quadrant",
                "opportunity",
                "fair_share_index",
                "ka_manager",
                "days_since_last_visit",
            ]
        ]
        .head(limit)
        .reset_index(drop=True)
    )


def stores_with_share(q: pd.DataFrame) -> pd.DataFrame:
    """The stores of a quadrants report with a customer and a market share, biggest potential first."""
    known = q.dropna(subset=["customer_share", "market_share"])
    return known.sort_values(["potential", "store_id"], ascending=[False, True]).reset_index(drop=True)


def quadrant_summary(src: Source, filters: Filters, settings: Settings) -> pd.DataFrame:
    """Stores, opportunity and potential per quadrant (SQL), every quadrant listed, zeros included."""
    from .metrics import QUADRANTS

    g = rows(src, "quadrant-summary", filters, settings).set_index("quadrant")
    return g.reindex(list(QUADRANTS)).fillna(0).rename_axis("quadrant").reset_index()


def ka_comparison(src: Source, filters: Filters, settings: Settings) -> pd.DataFrame:
    """The KA list by potential against the KA list by own sales (stores that are KA on either)."""
    ka = rows(src, "ka-list", filters, settings)
    keep = ka[(ka["ka_by_own"] == True) | (ka["ka_by_potential"] == True)]  # noqa: E712 (NULL-safe)
    return keep.sort_values(["change", "potential"], ascending=[True, False], na_position="last").reset_index(drop=True)


def store_weekly(con: duckdb.DuckDBPyConnection, store_id: str, filters: Filters, settings: Settings) -> pd.DataFrame:
    """A store's weeks: own sales, category total (when known), customer share, market share, visits."""
    return run_query(con, "store-weekly", filters, settings, store_id=store_id)


def store_visits(con: duckdb.DuckDBPyConnection, store_id: str, filters: Filters) -> pd.DataFrame:
    return run_query(con, "store-visits", filters, store_id=store_id)


def promo_weekly(con: duckdb.DuckDBPyConnection, promo_id: str, settings: Settings) -> pd.DataFrame:
    """A promotion's weekly units (all its stores and SKUs), with phase and baseline."""
    return run_query(con, "promo-weekly", settings=settings, promo_id=promo_id)


@dataclass(frozen=True)
class VisitSummary:
    attack_stores: int
    attack_visited: int
    attack_coverage: float | None
    below_fair_share: int
    below_visited: int
    below_coverage: float | None
    price_compliance: float | None
    oos_rate: float | None
    display_ok: float | None
    promo_executed: float | None
    visits: int


def visit_summary(src: Source, filters: Filters, settings: Settings) -> VisitSummary:
    """Coverage of Attack and below-fair-share stores; execution rates per visit (domain.md), from SQL."""
    row = _record(rows(src, "visit-summary", filters, settings))
    return VisitSummary(**row)


def visits_by_manager(src: Source, filters: Filters, settings: Settings) -> pd.DataFrame:
    """Per KA manager (SQL): stores, visits, Attack stores and how many of them were visited."""
    df = rows(src, "visits-by-manager", filters, settings)
    df["ka_manager"] = df["ka_manager"].fillna("—")
    return df


def not_visited(src: Source, filters: Filters, settings: Settings, days: int) -> pd.DataFrame:
    """Stores with no visit for at least `days` days (or none in the period), biggest opportunity first."""
    cov = rows(src, "visit-coverage", filters, settings)
    q = rows(src, "quadrants", filters, settings)[["store_id", "opportunity", "fair_share_index"]]
    df = cov.merge(q, on="store_id")
    df = df[(df["days_since_last_visit"] >= days) | df["last_visit"].isna()]
    return df.sort_values(["opportunity", "store_id"], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


def shelf_vs_share(src: Source, filters: Filters, settings: Settings) -> pd.DataFrame:
    """Share of shelf against customer share per store (shelf should follow sales)."""
    cov = rows(src, "visit-coverage", filters, settings)
    q = rows(src, "quadrants", filters, settings)[["store_id", "customer_share", "potential", "region"]]
    df = cov.merge(q, on="store_id").dropna(subset=["share_of_shelf", "customer_share"])
    return df.reset_index(drop=True)


# How each KPI's change against the previous period is expressed.
KPI_CHANGE = {
    "own_sales": "relative",
    "customer_share": "points",
    "market_share": "points",
    "fair_share_index": "difference",
    "attack_stores": "difference",
    "opportunity": "relative",
    "promo_roi": "points",
}


def kpi_changes(cur: Kpis, prev: Kpis | None) -> dict[str, float | None]:
    """Change of each KPI: relative for money, percentage points for shares, difference otherwise."""
    out: dict[str, float | None] = {}
    for name, kind in KPI_CHANGE.items():
        a = getattr(cur, name)
        b = getattr(prev, name) if prev else None
        if a is None or b is None:
            out[name] = None
        elif kind == "relative":
            out[name] = (a - b) / b if b else None
        else:
            out[name] = float(a - b)
    return out


def a_cut_potential(src: Source, filters: Filters, settings: Settings) -> float | None:
    """The potential of the smallest class-A store: where the A cut falls on the potential axis."""
    ka = rows(src, "ka-list", filters, settings)
    a = ka.loc[ka["abc_by_potential"] == "A", "potential"]
    return float(a.min()) if len(a) else None


def best_worst(summary: pd.DataFrame, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The n promotions with the highest and the lowest ROI (those with an ROI)."""
    d = summary.dropna(subset=["roi"]).sort_values(["roi", "promo_id"], ascending=[False, True])
    d = d[["promo_id", "chain", "mechanic", "cost", "incremental_gross_profit", "roi"]]
    return d.head(n).reset_index(drop=True), d.tail(n).iloc[::-1].reset_index(drop=True)


def weeks_in(filters: Filters) -> int | None:
    """Whole weeks of a closed period (for 'compared with the previous N weeks')."""
    if not filters.date_from or not filters.date_to:
        return None
    start = filters.date_from - dt.timedelta(days=filters.date_from.weekday())
    return ((filters.date_to - start).days + 1 + 6) // 7


def quadrant_counts(src: Source, filters: Filters, settings: Settings) -> pd.DataFrame:
    return quadrant_summary(src, filters, settings)


def change_counts(ka: pd.DataFrame) -> dict[str, int]:
    """How many stores the traditional KA list misses and over-serves."""
    return {c: int((ka["change"] == c).sum()) for c in ("missed", "over-served")}


def missed_potential(ka: pd.DataFrame) -> float:
    """The category sales (potential) of the stores the traditional KA list misses."""
    return float(ka.loc[ka["change"] == "missed", "potential"].sum())


def promo_lift_of(src: Source, filters: Filters, settings: Settings, promo_id: str) -> pd.DataFrame:
    """The promo-lift rows of one promotion (all its rows: the period selects promotions, not weeks)."""
    lift = rows(src, "promo-lift", replace(filters, date_from=None, date_to=None), settings)
    return lift[lift["promo_id"] == promo_id].reset_index(drop=True)


def coverage_cards(v: VisitSummary) -> dict[str, float | None]:
    """The Visits page's headline rates."""
    return {
        "coverage_attack": v.attack_coverage,
        "coverage_below": v.below_coverage,
        "price_rate": v.price_compliance,
        "oos_rate_kpi": v.oos_rate,
        "display_rate": v.display_ok,
        "promo_exec_rate": v.promo_executed,
    }


# Effects with confidence (domain.md): promotions against control stores ---------------------


def promo_effects(src: Source, filters: Filters, settings: Settings, limit: int = 40) -> pd.DataFrame:
    """The `limit` costliest promotions with a lift against control, by that lift (for the chart)."""
    e = rows(src, "promo-effects", filters, settings).dropna(subset=["lift_vs_control_pct"])
    e = e.sort_values(["cost", "promo_id"], ascending=[False, True]).head(limit)
    return e.sort_values(["lift_vs_control_pct", "promo_id"]).reset_index(drop=True)


def best_significant(summary: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The n promotions with the highest ROI among those whose lift against control is significant."""
    d = summary[summary["significant"].fillna(False).astype(bool)].dropna(subset=["roi"])
    d = d.sort_values(["roi", "promo_id"], ascending=[False, True])
    cols = ["promo_id", "chain", "mechanic", "cost", "incremental_gross_profit", "roi", "lift_vs_control_pct"]
    return d[cols].head(n).reset_index(drop=True)


def visit_events(effect: pd.DataFrame) -> int:
    """The number of visit events behind the visit-effect rows (the same on every row)."""
    return int(effect["events"].iloc[0]) if len(effect) else 0


def stores_in_quadrant(q: pd.DataFrame, quadrant: str | None) -> pd.DataFrame:
    """The quadrants report's stores of one quadrant, biggest opportunity first (the Attack / defend page's pick)."""
    cols = ["store_id", "store_name", "chain", "region", "potential", "customer_share", "market_share"]
    cols += ["fair_share_index", "opportunity"]
    d = q[q["quadrant"] == quadrant]
    return d.sort_values(["opportunity", "store_id"], ascending=[False, True])[cols].reset_index(drop=True)


def most_common(values: list):
    """The value that occurs most often (ties: the first in sort order); None for none."""
    if not values:
        return None
    counts = {v: values.count(v) for v in values}
    return sorted(counts, key=lambda v: (-counts[v], str(v)))[0]
