"""The seven reports written again in plain pandas, straight from domain.md.

This is the benchmark's yardstick and an independent check of the SQL in
ka_core/sql: an analyst's version that reads whole tables into DataFrames
(`con.sql("SELECT * FROM t").df()`) and then merges and groups them. It is
deliberately straightforward, not tuned. It covers the default filters (all
weeks, chains, regions and categories) and every setting (cuts, FSI threshold,
market-share level, baseline and post weeks).

Use `load_tables(con, REPORT_TABLES[name])` then `REFERENCE[name](tables, settings)`,
or `compute(con, name)` for both at once.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import numpy as np
import pandas as pd

from . import reports as contract
from .settings import Settings

# The tables each report reads (what the pandas version loads, timed apart).
_STORE_TABLES = ("stores", "products", "sales", "visits", "market")
REPORT_TABLES: dict[str, tuple[str, ...]] = {
    "fair-share": _STORE_TABLES,
    "quadrants": _STORE_TABLES,
    "ka-list": _STORE_TABLES,
    "pareto": ("stores", "products", "sales"),
    "promo-lift": ("stores", "products", "sales", "visits", "promotions"),
    "promo-summary": ("stores", "products", "sales", "visits", "promotions"),
    "visit-coverage": _STORE_TABLES,
    "visit-effect": ("stores", "products", "sales", "visits"),
    "trend": _STORE_TABLES,
    "targets": ("stores", "products", "sales", "visits", "targets"),
}

# The key that makes a row of each report unique (for sorting and comparing).
REPORT_KEYS: dict[str, tuple[str, ...]] = {
    "fair-share": ("store_id", "category"),
    "quadrants": ("store_id",),
    "ka-list": ("store_id",),
    "pareto": ("chain",),
    "promo-lift": ("promo_id", "store_id", "sku"),
    "promo-summary": ("promo_id",),
    "visit-coverage": ("store_id",),
    "visit-effect": ("rel_week",),
    "trend": ("week", "chain"),
    "targets": ("year", "chain", "category"),
}

Tables = dict[str, pd.DataFrame]


def load_tables(con: duckdb.DuckDBPyConnection, names: tuple[str, ...] | list[str]) -> Tables:
    """Whole tables as DataFrames, the way an analyst starts."""
    return {name: con.sql(f"SELECT * FROM {name}").df() for name in names}


def _monday(dates: pd.Series) -> pd.Series:
    return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()


def _abc(values: pd.Series, keys: pd.Series, settings: Settings) -> pd.Series:
    """Class A/B/C by cumulative share of the rows strictly before (descending, ties by key)."""
    df = pd.DataFrame({"v": values.to_numpy(), "k": keys.to_numpy()}, index=values.index)
    df = df.sort_values(["v", "k"], ascending=[False, True])
    total = df["v"].sum()
    cum_before = (df["v"].cumsum() - df["v"]) / total if total else pd.Series(np.nan, index=df.index)
    cls = np.where(cum_before < settings.a_cut, "A", np.where(cum_before < settings.b_cut, "B", "C"))
    return pd.Series(cls, index=df.index).reindex(values.index)


# Store reports ------------------------------------------------------------------------------


def _store_category(t: Tables) -> pd.DataFrame:
    """T(s,c,w) from sales (when a non-own row exists) else the latest visit; matched weeks summed."""
    sales = t["sales"].merge(t["products"][["sku", "category", "is_own"]], on="sku")
    sales["own_rev"] = sales["revenue"].where(sales["is_own"], 0.0)
    sales["competitor"] = ~sales["is_own"]
    scw = sales.groupby(["store_id", "category", "week"], as_index=False).agg(
        all_revenue=("revenue", "sum"), own_revenue=("own_rev", "sum"), has_competitor=("competitor", "any")
    )

    v = t["visits"]
    v = v[v["store_category_sales"].notna()].copy()
    v["week"] = _monday(v["visit_date"])
    # the latest visit of the week (ties: the later load, then rep, as the SQL does)
    v["load_key"] = v["load_id"].fillna(-1)
    v = v.sort_values(["visit_date", "load_key", "rep"], ascending=[False, False, True])
    v = v.drop_duplicates(["store_id", "category", "week"], keep="first")
    v = v[["store_id", "category", "week", "store_category_sales"]]

    both = scw.merge(v, on=["store_id", "category", "week"], how="outer")
    both["own_revenue"] = both["own_revenue"].fillna(0.0)
    competitor = both["has_competitor"].fillna(False).astype(bool)
    # a reported total below our own sales is a mistake on the sheet: T = max(reported, own)
    reported = np.maximum(both["store_category_sales"], both["own_revenue"]).where(both["store_category_sales"].notna())
    both["T"] = np.where(competitor, both["all_revenue"], reported)
    matched = both[both["T"].notna()]
    return matched.groupby(["store_id", "category"], as_index=False).agg(
        own_revenue=("own_revenue", "sum"), category_revenue=("T", "sum")
    )


def _market_share(t: Tables, sc: pd.DataFrame, level: str = "region") -> pd.DataFrame:
    """Per region and category: the panel when it has rows, else the tracked stores' share."""
    sc = sc.merge(t["stores"][["store_id", "region"]], on="store_id")
    tracked = sc.groupby(["region", "category"], as_index=False)[["own_revenue", "category_revenue"]].sum()
    tracked["tracked_share"] = tracked["own_revenue"] / tracked["category_revenue"].replace(0, np.nan)
    panel = t["market"].groupby(["region", "category"], as_index=False)[["own_revenue", "market_revenue"]].sum()
    panel["panel_share"] = panel["own_revenue"] / panel["market_revenue"].replace(0, np.nan)
    panel["has_panel"] = True
    ms = tracked.merge(panel[["region", "category", "panel_share", "has_panel"]], on=["region", "category"], how="left")
    ms["has_panel"] = ms["has_panel"].fillna(False).astype(bool)
    if level == "region":
        ms["market_share"] = np.where(ms["has_panel"], ms["panel_share"], ms["tracked_share"])
    else:
        # National: the panel (summed over regions) only when it has rows for every region
        # of the stores in scope; otherwise the share across all tracked stores.
        shares = {}
        for category, g in ms.groupby("category"):
            p = panel[panel["category"] == category]
            if g["has_panel"].all():
                market = p["market_revenue"].sum()
                shares[category] = p["own_revenue"].sum() / market if market else np.nan
            else:
                cat = g["category_revenue"].sum()
                shares[category] = g["own_revenue"].sum() / cat if cat else np.nan
        ms["market_share"] = ms["category"].map(shares)
    return ms[["region", "category", "market_share"]]


def fair_share(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    settings = settings or Settings()
    sc = _store_category(t)
    ms = _market_share(t, sc, settings.level)
    df = sc.merge(t["stores"][["store_id", "store_name", "chain", "region"]], on="store_id")
    df = df.merge(ms, on=["region", "category"], how="left")
    df["customer_share"] = df["own_revenue"] / df["category_revenue"].replace(0, np.nan)
    df["fair_share_index"] = df["customer_share"] / df["market_share"].replace(0, np.nan) * 100
    gap = (df["market_share"] - df["customer_share"]).clip(lower=0)
    df["opportunity"] = gap * df["category_revenue"]
    cols = [
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
    ]
    return df[cols].sort_values(["store_id", "category"]).reset_index(drop=True)


def _quadrants_full(t: Tables, settings: Settings) -> pd.DataFrame:
    fs = fair_share(t, settings)
    fs["expected"] = fs["market_share"] * fs["category_revenue"]
    per_store = (
        fs.groupby("store_id")
        .agg(
            potential=("category_revenue", "sum"),
            own_revenue=("own_revenue", "sum"),
            expected=("expected", lambda s: s.sum() if s.notna().all() else np.nan),
            opportunity=("opportunity", lambda s: s.sum(min_count=1)),
        )
        .reset_index()
    )
    stores = t["stores"][["store_id", "store_name", "chain", "region", "ka_manager"]]
    df = stores.merge(per_store, on="store_id", how="left")
    df["customer_share"] = df["own_revenue"] / df["potential"].replace(0, np.nan)
    df["market_share"] = df["expected"] / df["potential"].replace(0, np.nan)
    df["fair_share_index"] = df["customer_share"] / df["market_share"].replace(0, np.nan) * 100
    known = df["potential"].notna()
    df["abc_by_potential"] = None
    df.loc[known, "abc_by_potential"] = _abc(df.loc[known, "potential"], df.loc[known, "store_id"], settings)
    high = df["abc_by_potential"] == "A"
    # At fair share up to float noise (an index of 99.9999999 is 100), as the SQL rounds it.
    below = df["fair_share_index"].round(9) < settings.fsi_threshold
    df["quadrant"] = np.select(
        [df["fair_share_index"].isna(), high & below, high, below],
        ["No data", "Attack", "Defend", "Monitor"],
        "Maintain",
    )
    return df


def quadrants(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    df = _quadrants_full(t, settings or Settings())
    cols = [
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
    ]
    return df[cols].sort_values("store_id").reset_index(drop=True)


def _own_all_weeks(t: Tables) -> pd.DataFrame:
    """Own revenue per store over every week (the traditional measure)."""
    sales = t["sales"].merge(t["products"][["sku", "is_own"]], on="sku")
    own = sales[sales["is_own"]]
    return own.groupby("store_id", as_index=False).agg(own_all=("revenue", "sum"))


def ka_list(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    settings = settings or Settings()
    q = _quadrants_full(t, settings)
    df = q.merge(_own_all_weeks(t), on="store_id", how="left")
    df["own_revenue"] = df["own_all"].fillna(0.0)
    df["abc_by_own"] = _abc(df["own_revenue"], df["store_id"], settings)
    df["ka_by_own"] = df["abc_by_own"] == "A"
    # "KA by potential" = class A by potential. A store whose potential is unknown has no
    # class, so whether it is KA by potential is unknown too (NULL), and it is neither
    # missed nor over-served. (domain.md does not say this in so many words; read literally,
    # "not KA by potential" would make such a store over-served. The SQL says unknown.)
    known = df["abc_by_potential"].notna()
    df["ka_by_potential"] = pd.array(
        [None if not k else v == "A" for k, v in zip(known, df["abc_by_potential"], strict=True)], dtype="boolean"
    )
    ka_pot = df["abc_by_potential"] == "A"
    df["change"] = np.select(
        [known & ka_pot & ~df["ka_by_own"], known & ~ka_pot & df["ka_by_own"]],
        ["missed", "over-served"],
        None,
    )
    cols = [
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
    ]
    return df.sort_values(["own_revenue", "store_id"], ascending=[False, True])[cols].reset_index(drop=True)


def pareto(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    settings = settings or Settings()
    own = _own_all_weeks(t).merge(t["stores"][["store_id", "chain"]], on="store_id")
    df = own.groupby("chain", as_index=False).agg(own_revenue=("own_all", "sum"))
    df = df[df["own_revenue"] > 0].sort_values(["own_revenue", "chain"], ascending=[False, True])
    total = df["own_revenue"].sum()
    df["share"] = df["own_revenue"] / total
    df["cum_share"] = df["own_revenue"].cumsum() / total
    df["abc"] = _abc(df["own_revenue"], df["chain"], settings)
    return df[["chain", "own_revenue", "share", "cum_share", "abc"]].reset_index(drop=True)


def visit_coverage(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    q = _quadrants_full(t, settings or Settings())
    v = t["visits"]
    events = v.drop_duplicates(["store_id", "visit_date", "rep"])
    per_store = events.groupby("store_id").agg(visits=("rep", "size"), last_visit=("visit_date", "max")).reset_index()
    both = v["own_facings"].notna() & v["total_facings"].notna()
    rows = pd.DataFrame(
        {
            "store_id": v["store_id"],
            "own_f": v["own_facings"].where(both),
            "total_f": v["total_facings"].where(both),
            "price": v["price_compliant"].astype("Float64"),
            "oos": (v["oos_skus"].notna() & (v["oos_skus"] != "")).astype(float),
        }
    )
    rates = (
        rows.groupby("store_id")
        .agg(
            own_f=("own_f", "sum"),
            total_f=("total_f", "sum"),
            price_compliance=("price", "mean"),
            oos_rate=("oos", "mean"),
        )
        .reset_index()
    )
    rates["share_of_shelf"] = rates["own_f"] / rates["total_f"].replace(0, np.nan)
    end_day = max(v["visit_date"].max(), t["sales"]["week"].max() + pd.Timedelta(days=6))
    df = q.merge(per_store, on="store_id", how="left").merge(rates, on="store_id", how="left")
    df["visits"] = df["visits"].fillna(0)
    df["days_since_last_visit"] = (end_day - df["last_visit"]).dt.days
    df["last_visit"] = df["last_visit"].dt.date
    df["price_compliance"] = df["price_compliance"].astype(float)
    cols = [
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
    ]
    return df[cols].sort_values("store_id").reset_index(drop=True)


# Promotion reports ---------------------------------------------------------------------------


def _pairs(t: Tables) -> pd.DataFrame:
    """Every (promotion, store, SKU) named: blank store = the chain's stores, blank SKU = the brand's own SKUs."""
    p = t["promotions"].copy()
    p["first_week"] = _monday(p["start_date"])
    p["last_week"] = _monday(p["end_date"])
    ps = p.merge(t["stores"][["store_id", "chain"]].rename(columns={"store_id": "s_store"}), on="chain")
    ps = ps[ps["store_id"].isna() | (ps["store_id"] == ps["s_store"])]
    ps = ps.drop(columns=["store_id"]).rename(columns={"s_store": "store_id"})
    prod = t["products"][["sku", "brand", "is_own", "unit_cost"]]
    by_sku = ps[ps["sku"].notna()].merge(prod[["sku", "unit_cost"]], on="sku")
    by_brand = (
        ps[ps["sku"].isna()]
        .drop(columns=["sku"])
        .merge(prod[prod["is_own"]][["sku", "brand", "unit_cost"]], on="brand")
    )
    return pd.concat([by_sku, by_brand], ignore_index=True)


def _expand_weeks(df: pd.DataFrame, first: pd.Series, n: pd.Series) -> pd.DataFrame:
    """One row per week: `n` weeks from `first` for each row of df."""
    rep = df.loc[df.index.repeat(n)].copy()
    offset = rep.groupby(level=0).cumcount().to_numpy()
    rep["week"] = first.loc[rep.index].to_numpy() + pd.to_timedelta(offset * 7, unit="D")
    return rep.reset_index(drop=True)


def _lift_full(t: Tables, settings: Settings) -> pd.DataFrame:
    pairs = _pairs(t).reset_index(drop=True)
    bw, pw = settings.baseline_weeks, settings.post_weeks
    promo_len = ((pairs["last_week"] - pairs["first_week"]).dt.days // 7 + 1).astype(int)

    # Weeks in which each store-SKU is under some promotion.
    promoted = _expand_weeks(pairs[["store_id", "sku"]], pairs["first_week"], promo_len)
    promoted = promoted.drop_duplicates()
    promoted["promoted"] = True

    # Each pair's window: baseline weeks, promo weeks, post weeks, with its sales.
    start = pairs["first_week"] - pd.Timedelta(days=7 * bw)
    win = _expand_weeks(pairs[["promo_id", "store_id", "sku", "first_week", "last_week"]], start, promo_len + bw + pw)
    win["phase"] = np.where(
        win["week"] < win["first_week"], "base", np.where(win["week"] <= win["last_week"], "promo", "post")
    )
    win = win.merge(t["sales"][["store_id", "sku", "week", "units", "revenue"]], on=["store_id", "sku", "week"])
    win = win.merge(promoted, on=["store_id", "sku", "week"], how="left")
    win["promoted"] = win["promoted"].fillna(False).astype(bool)
    keys = ["promo_id", "store_id", "sku"]

    base = (
        win[(win["phase"] == "base") & ~win["promoted"]]
        .groupby(keys)
        .agg(n=("units", "size"), baseline_units=("units", "mean"), baseline_revenue=("revenue", "mean"))
    )
    base.loc[base["n"] < 2, ["baseline_units", "baseline_revenue"]] = np.nan
    post = win[(win["phase"] == "post") & ~win["promoted"]].groupby(keys).agg(post_units=("units", "mean"))
    promo = (
        win[win["phase"] == "promo"]
        .groupby(keys)
        .agg(weeks=("units", "size"), promo_units=("units", "mean"), units=("units", "sum"), revenue=("revenue", "sum"))
    )

    # OOS: visit rows of the store within [start_date, end_date] listing the SKU.
    v = t["visits"][["store_id", "visit_date", "oos_skus"]]
    v = v[v["oos_skus"].notna() & (v["oos_skus"] != "")].copy()
    v["sku"] = v["oos_skus"].astype(str).str.split(";")
    v = v.explode("sku")
    v["sku"] = v["sku"].str.strip()
    oos = pairs[["promo_id", "store_id", "sku", "start_date", "end_date"]].merge(
        v[["store_id", "sku", "visit_date"]], on=["store_id", "sku"]
    )
    oos = oos[(oos["visit_date"] >= oos["start_date"]) & (oos["visit_date"] <= oos["end_date"])]
    oos = oos.groupby(keys).agg(oos_visits=("visit_date", "size"))

    df = promo.reset_index().merge(pairs, on=keys)
    df = df.merge(base.reset_index(), on=keys, how="left").merge(post.reset_index(), on=keys, how="left")
    df = df.merge(oos.reset_index(), on=keys, how="left")
    b = df["baseline_units"]
    b0 = b.replace(0, np.nan)
    df["lift_pct"] = (df["promo_units"] / b0 - 1) * 100
    df["incremental_units"] = df["units"] - df["weeks"] * b
    df["incremental_revenue"] = df["revenue"] - df["weeks"] * df["baseline_revenue"]
    df["incremental_gross_profit"] = df["incremental_revenue"] - df["incremental_units"] * df["unit_cost"]
    df["post_dip_pct"] = (df["post_units"] / b0 - 1) * 100
    df["oos_visits"] = df["oos_visits"].fillna(0)
    return df


LIFT_COLUMNS = list(contract.REPORTS["promo-lift"].columns[:15])  # the contract's own-baseline columns, in order


def promo_lift(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    settings = settings or Settings()
    df = _lift_full(t, settings)
    rows, _ = _control_effects(t, settings)
    df = df.merge(rows, on=["promo_id", "store_id", "sku"], how="left")
    df["expected_units"] = df["baseline_units"] * df["growth"]
    df["lift_vs_control_pct"] = (df["promo_units"] / df["expected_units"].replace(0, np.nan) - 1) * 100
    df = df.sort_values(["start_date", "promo_id", "store_id", "sku"])
    df["start_date"] = df["start_date"].dt.date
    df["end_date"] = df["end_date"].dt.date
    return df[list(contract.REPORTS["promo-lift"].columns)].reset_index(drop=True)


def promo_summary(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    settings = settings or Settings()
    lift = _lift_full(t, settings)
    with_base = lift[lift["baseline_units"].notna()]
    per = lift.groupby("promo_id").agg(stores=("store_id", "nunique"), units_sold=("units", "sum"))
    inc = with_base.groupby("promo_id").agg(
        incremental_units=("incremental_units", "sum"),
        incremental_revenue=("incremental_revenue", "sum"),
        incremental_gross_profit=("incremental_gross_profit", lambda s: s.sum() if s.notna().all() else np.nan),
    )
    p = t["promotions"].merge(per.reset_index(), on="promo_id", how="left")
    p = p.merge(inc.reset_index(), on="promo_id", how="left")
    p["stores"] = p["stores"].fillna(0)
    p["units_sold"] = p["units_sold"].fillna(0.0)
    p["roi"] = (p["incremental_gross_profit"] - p["cost"]) / p["cost"].replace(0, np.nan)
    p["target_met"] = pd.array(
        [
            None if pd.isna(tg) else bool(u >= tg)
            for u, tg in zip(p["units_sold"], p["retailer_target_units"], strict=True)
        ],
        dtype="boolean",
    )
    p = p.sort_values(["start_date", "promo_id"])
    p["start_date"] = p["start_date"].dt.date
    p["end_date"] = p["end_date"].dt.date
    cols = [
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
    ]
    _, effects = _control_effects(t, settings)
    p = p.merge(effects, on="promo_id", how="left")
    p["significant"] = pd.array(
        [None if pd.isna(lo) else bool(lo > 0 or hi < 0) for lo, hi in zip(p["lift_low"], p["lift_high"], strict=True)],
        dtype="boolean",
    )
    cols += ["lift_vs_control_pct", "lift_low", "lift_high", "significant"]
    return p[cols].reset_index(drop=True)


# Lift against control stores and the placebo-week interval (domain.md, "Effects with confidence").
# Written apart from the SQL on purpose: a dense array units[store, SKU, week] and, for every
# promotion and move, plain slices over its windows (the SQL uses running sums).


def _control_effects(t: Tables, settings: Settings) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(per promo-lift row at the promotion's own weeks: control_stores, growth; per promotion: lift and interval)."""
    bw, pw = settings.baseline_weeks, settings.post_weeks
    pairs = _pairs(t)
    sales = t["sales"]
    row_cols = ["promo_id", "store_id", "sku", "control_stores", "growth"]
    promo_cols = ["promo_id", "lift_vs_control_pct", "lift_low", "lift_high"]
    if sales.empty or pairs.empty:
        return pd.DataFrame(columns=row_cols), pd.DataFrame(columns=promo_cols)
    skus = sorted(pairs["sku"].unique())
    sales = sales[sales["sku"].isin(skus)]
    week0 = sales["week"].min()
    n_weeks = int((sales["week"].max() - week0).days // 7) + 1
    stores = t["stores"].reset_index(drop=True)
    s_ix = {s: i for i, s in enumerate(stores["store_id"])}
    k_ix = {k: i for i, k in enumerate(skus)}
    units = np.full((len(stores), len(skus), n_weeks), np.nan)
    wi = ((sales["week"] - week0).dt.days // 7).to_numpy()
    units[sales["store_id"].map(s_ix).to_numpy(), sales["sku"].map(k_ix).to_numpy(), wi] = sales["units"].to_numpy()
    promoted = np.zeros(units.shape, dtype=bool)
    first = ((pairs["first_week"] - week0).dt.days // 7).to_numpy()
    last = ((pairs["last_week"] - week0).dt.days // 7).to_numpy()
    for s, k, f, la in zip(pairs["store_id"].map(s_ix), pairs["sku"].map(k_ix), first, last, strict=True):
        if la >= 0 and f < n_weeks:
            promoted[s, k, max(f, 0) : min(la, n_weeks - 1) + 1] = True
    has = ~np.isnan(units)
    chain = stores["chain"].to_numpy()
    region = stores["region"].to_numpy()

    def window(a: int, length: int, k: int):
        """Per store for SKU k: baseline sums (all, clean), promo sums, promoted weeks in the window."""
        lo, hi = max(a - bw, 0), min(a + length - 1, n_weeks - 1)
        b_u, b_h, b_p = units[:, k, lo:a], has[:, k, lo:a], promoted[:, k, lo:a]
        p_u, p_h, p_p = units[:, k, a : hi + 1], has[:, k, a : hi + 1], promoted[:, k, a : hi + 1]
        return {
            "base_n": b_h.sum(1),
            "base_sum": np.nansum(b_u, 1),
            "clean_n": (b_h & ~b_p).sum(1),
            "clean_sum": np.where(b_h & ~b_p, b_u, 0).sum(1),
            "promo_n": p_h.sum(1),
            "promo_sum": np.nansum(p_u, 1),
            "promo_promoted": p_p.any(1),
            "window_promoted": b_p.any(1) | p_p.any(1),
        }

    p_info = pairs.groupby("promo_id").agg(first_week=("first_week", "first"), last_week=("last_week", "first"))
    row_out, promo_out = [], []
    for pid, info in p_info.iterrows():
        a0 = int((info["first_week"] - week0).days // 7)
        length = int((info["last_week"] - info["first_week"]).days // 7) + 1
        cands = [a for a in range(bw, n_weeks - length + 1) if a + length - 1 < a0 or a - bw > a0 + length - 1 + pw]
        cands = sorted(cands, key=lambda a: (abs(a - a0), a - a0))[:40]
        own = pairs[pairs["promo_id"] == pid]
        lifts = {}
        for a in [a0, *cands]:
            d = a - a0
            num = den = 0.0
            any_row = False
            for sku, grp in own.groupby("sku"):
                k = k_ix[sku]
                own_s = grp["store_id"].map(s_ix).to_numpy()
                if a < 0 or a >= n_weeks:
                    continue
                w = window(a, length, k)
                ok = (~w["window_promoted"]) & (w["base_n"] >= 2) & (w["promo_n"] >= 1)
                ok[own_s] = False
                with np.errstate(invalid="ignore", divide="ignore"):
                    c_promo = np.where(ok, w["promo_sum"] / np.maximum(w["promo_n"], 1), 0.0)
                    c_base = np.where(ok, w["base_sum"] / np.maximum(w["base_n"], 1), 0.0)
                rows_ok = (w["promo_n"][own_s] >= 1) & ((d == 0) | ~w["promo_promoted"][own_s])
                rs = own_s[rows_ok]
                pu = w["promo_sum"][rs] / w["promo_n"][rs]
                with np.errstate(invalid="ignore", divide="ignore"):
                    b = np.where(w["clean_n"][rs] >= 2, w["clean_sum"][rs] / w["clean_n"][rs], np.nan)
                n_ctl = np.full(len(rs), np.nan)
                g = np.full(len(rs), np.nan)
                for c, r in {(chain[s], region[s]) for s in rs}:
                    at = (chain[rs] == c) & (region[rs] == r)
                    for pool in (ok & (chain == c) & (region == r), ok & (region == r), ok):
                        if pool.sum() >= 3:
                            base_sum = c_base[pool].sum()
                            n_ctl[at] = pool.sum()
                            g[at] = c_promo[pool].sum() / base_sum if base_sum != 0 else np.nan
                            break
                if d == 0:
                    row_out += zip(
                        [pid] * len(rs), stores["store_id"].to_numpy()[rs], [sku] * len(rs), n_ctl, g, strict=True
                    )
                expected = b * g
                use = ~np.isnan(expected)
                if use.any():
                    num += pu[use].sum()
                    den += expected[use].sum()
                    any_row = True
            if any_row and den != 0:
                lifts[d] = (num / den - 1) * 100
        lift = lifts.get(0, np.nan)
        low = high = np.nan
        e = np.sort([np.log(1 + v / 100) for d, v in lifts.items() if d != 0 and v > -100])
        k = int(np.floor(0.05 * (len(e) + 1)))
        if k >= 1 and not np.isnan(lift) and lift > -100:
            big_l = np.log(1 + lift / 100)
            low = (np.exp(big_l - e[len(e) - k]) - 1) * 100
            high = (np.exp(big_l - e[k - 1]) - 1) * 100
        promo_out.append((pid, lift, low, high))
    return pd.DataFrame(row_out, columns=row_cols), pd.DataFrame(promo_out, columns=promo_cols)


def _minstd_draw(b: int, j: int, m: int) -> int:
    """The bootstrap's seeded draw (the SQL's integer generator, written again): event 1..m."""
    p = 2147483647
    h = (b * 1000003 + j * 7919 + 2026) % p
    h = h * h % p
    h = h * 48271 % p * 48271 % p
    return h * h % p % m + 1


def visit_effect(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    """Own sales around a first visit after 8 weeks without one, against same chain-and-region controls."""
    rel = np.arange(-6, 7)
    out = pd.DataFrame({"rel_week": rel, "events": 0, "effect_pct": np.nan, "low": np.nan, "high": np.nan})
    sales = t["sales"].merge(t["products"][["sku", "is_own"]], on="sku")
    if sales.empty:
        return out
    week0 = sales["week"].min()
    n = int((sales["week"].max() - week0).days // 7) + 1
    stores = t["stores"].sort_values("store_id").reset_index(drop=True)
    s_ix = {s: i for i, s in enumerate(stores["store_id"])}
    own = np.zeros((len(stores), n))
    o = sales[sales["is_own"].astype(bool)]
    np.add.at(own, (o["store_id"].map(s_ix).to_numpy(), ((o["week"] - week0).dt.days // 7).to_numpy()), o["revenue"])
    visited = np.zeros((len(stores), n), dtype=bool)
    v = t["visits"].copy()
    v["wi"] = (_monday(v["visit_date"]) - week0).dt.days // 7
    v = v[(v["wi"] >= 0) & (v["wi"] < n) & v["store_id"].isin(s_ix)]
    visited[v["store_id"].map(s_ix).to_numpy(), v["wi"].to_numpy()] = True
    base = np.array([[own[s, max(e - 4, 0) : e].sum() / 4 for e in range(n)] for s in range(len(stores))])
    before = np.array([[visited[s, max(e - 8, 0) : e].any() for e in range(n)] for s in range(len(stores))])
    around = np.array([[visited[s, max(e - 8, 0) : e + 7].any() for e in range(n)] for s in range(len(stores))])
    control = ~around & (base > 0)
    group = (stores["chain"] + "\x00" + stores["region"]).to_numpy()
    events = []  # (own over t, expected over t), in store, week order as the SQL numbers them
    for s in range(len(stores)):
        for e in range(8, n - 6):
            if not visited[s, e] or before[s, e] or base[s, e] <= 0:
                continue
            ctl = control[:, e] & (group == group[s])
            if ctl.sum() < 3:
                continue
            expected = base[s, e] * own[ctl][:, e + rel].sum(0) / base[ctl, e].sum()
            events.append((own[s, e + rel], expected))
    if not events:
        return out
    own_t = np.array([x[0] for x in events])
    exp_t = np.array([x[1] for x in events])
    m = len(events)
    out["events"] = m
    out["effect_pct"] = (own_t.sum(0) / exp_t.sum(0) - 1) * 100
    boot = []
    for b in range(200):
        idx = np.array([_minstd_draw(b, j, m) - 1 for j in range(1, m + 1)])
        boot.append((own_t[idx].sum(0) / exp_t[idx].sum(0) - 1) * 100)
    boot = np.array(boot)
    out["low"] = np.quantile(boot, 0.05, axis=0)
    out["high"] = np.quantile(boot, 0.95, axis=0)
    return out


# Trend and targets (the meeting pack) -----------------------------------------------------


def _weekly_rows(t: Tables) -> pd.DataFrame:
    """Every (store, category, week) with own revenue and T (NaN when unknown), as _store_category reads it."""
    sales = t["sales"].merge(t["products"][["sku", "category", "is_own"]], on="sku")
    sales["own_rev"] = sales["revenue"].where(sales["is_own"], 0.0)
    sales["competitor"] = ~sales["is_own"]
    scw = sales.groupby(["store_id", "category", "week"], as_index=False).agg(
        all_revenue=("revenue", "sum"), own_revenue=("own_rev", "sum"), has_competitor=("competitor", "any")
    )
    v = t["visits"]
    v = v[v["store_category_sales"].notna()].copy()
    v["week"] = _monday(v["visit_date"])
    v["load_key"] = v["load_id"].fillna(-1)
    v = v.sort_values(["visit_date", "load_key", "rep"], ascending=[False, False, True])
    v = v.drop_duplicates(["store_id", "category", "week"], keep="first")
    both = scw.merge(
        v[["store_id", "category", "week", "store_category_sales"]], on=["store_id", "category", "week"], how="outer"
    )
    both["own_revenue"] = both["own_revenue"].fillna(0.0)
    competitor = both["has_competitor"].fillna(False).astype(bool)
    both["T"] = np.where(competitor, both["all_revenue"], both["store_category_sales"])
    return both[["store_id", "category", "week", "own_revenue", "T"]]


def trend(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    """Each week as its own period: the week's market share, each chain's rollup of its matched rows."""
    settings = settings or Settings()
    rows = _weekly_rows(t).merge(t["stores"][["store_id", "chain", "region"]], on="store_id")
    matched = rows[rows["T"].notna()]
    out = []
    for week, wk in matched.groupby("week"):
        sc = wk.rename(columns={"T": "category_revenue"})[["store_id", "category", "own_revenue", "category_revenue"]]
        tw = {**t, "market": t["market"][t["market"]["week"] == week]}
        ms = _market_share(tw, sc, settings.level)
        d = wk.merge(ms, on=["region", "category"], how="left")
        d["expected"] = d["market_share"] * d["T"]
        d["base"] = d["T"].where(d["market_share"].notna())
        g = d.groupby("chain", as_index=False).agg(
            own_revenue=("own_revenue", "sum"),
            category_revenue=("T", "sum"),
            expected=("expected", "sum"),
            base=("base", "sum"),
        )
        g["week"] = week
        out.append(g)
    df = pd.concat(out, ignore_index=True)
    df["customer_share"] = df["own_revenue"] / df["category_revenue"].replace(0, np.nan)
    df["market_share"] = df["expected"] / df["base"].replace(0, np.nan)
    df["fair_share_index"] = df["customer_share"] / df["market_share"].replace(0, np.nan) * 100
    own_all = rows.groupby(["week", "chain"], as_index=False).agg(own_revenue_all=("own_revenue", "sum"))
    df = df.merge(own_all, on=["week", "chain"], how="left")
    cols = [
        "week",
        "chain",
        "own_revenue",
        "category_revenue",
        "customer_share",
        "market_share",
        "fair_share_index",
        "own_revenue_all",
    ]
    return df[cols].sort_values(["week", "chain"]).reset_index(drop=True)


def _first_monday(year: int) -> pd.Timestamp:
    jan1 = pd.Timestamp(year=year, month=1, day=1)
    return jan1 + pd.Timedelta(days=(7 - jan1.day_of_week) % 7)


def targets(t: Tables, settings: Settings | None = None) -> pd.DataFrame:
    """All weeks (no --from/--to): every year from the first to the latest sales week, to date."""
    rows = _weekly_rows(t).merge(t["stores"][["store_id", "chain"]], on="store_id")
    rows = rows[rows["week"] <= t["sales"]["week"].max()]
    first, last = pd.Timestamp(t["sales"]["week"].min()), pd.Timestamp(t["sales"]["week"].max())
    rows["year"] = pd.to_datetime(rows["week"]).dt.year
    out = []
    for r in t["targets"].itertuples():
        year = int(r.year)
        if not first.year <= year <= last.year or r.chain not in set(t["stores"]["chain"]):
            continue
        start, nxt = _first_monday(year), _first_monday(year + 1)
        year_weeks = (nxt - start).days // 7
        to_date = year_weeks if last >= nxt else (last - start).days // 7 + 1
        blank = not isinstance(r.category, str)
        d = rows[(rows["chain"] == r.chain) & (rows["year"] == year) & (blank or rows["category"] == r.category)]
        own = float(d["own_revenue"].sum())
        m = d[d["T"].notna()]
        share = m["own_revenue"].sum() / m["T"].sum() if m["T"].sum() else np.nan
        rev_t = r.revenue_target if r.revenue_target else np.nan
        share_t = r.share_target if r.share_target else np.nan
        out.append(
            {
                "year": year,
                "chain": r.chain,
                "category": None if blank else r.category,
                "own_revenue": own,
                "revenue_target": r.revenue_target,
                "attainment": own / rev_t,
                "expected": to_date / year_weeks,
                "customer_share": share,
                "share_target": r.share_target,
                "share_gap": share - share_t,
            }
        )
    cols = [
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
    ]
    return pd.DataFrame(out, columns=cols)


REFERENCE: dict[str, Callable[[Tables, Settings | None], pd.DataFrame]] = {
    "fair-share": fair_share,
    "quadrants": quadrants,
    "ka-list": ka_list,
    "pareto": pareto,
    "promo-lift": promo_lift,
    "promo-summary": promo_summary,
    "visit-coverage": visit_coverage,
    "visit-effect": visit_effect,
    "trend": trend,
    "targets": targets,
}
REPORTS = REFERENCE  # the name the first version of the bench used


def compute(con: duckdb.DuckDBPyConnection, name: str, settings: Settings | None = None) -> pd.DataFrame:
    """A report by the pandas reference: load its tables, then compute."""
    return REFERENCE[name](load_tables(con, REPORT_TABLES[name]), settings)
