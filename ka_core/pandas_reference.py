"""The reports written plainly in pandas, the way an analyst would: whole tables in, merges and groupbys.

Used by the benchmark as the speed baseline and as an independent check of the
SQL (same numbers). All data, default filters; settings as given.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .settings import Settings

DEFAULT = Settings()
TABLE_NAMES = ("stores", "products", "sales", "market", "promotions", "visits")


def load_tables(con) -> dict[str, pd.DataFrame]:
    """Every table as a DataFrame (what an analyst exports to work on)."""
    return {t: con.sql(f"SELECT * FROM {t}").df() for t in TABLE_NAMES}


def _monday(d: pd.Series) -> pd.Series:
    d = pd.to_datetime(d)
    return (d - pd.to_timedelta(d.dt.day_of_week, unit="D")).dt.normalize()


def _abc(values: pd.Series, keys: pd.Series, a_cut: float, b_cut: float) -> pd.Series:
    """A/B/C by cumulative share of the rows strictly before (largest first, ties by key)."""
    df = pd.DataFrame({"v": values.values, "k": keys.values}, index=values.index)
    df = df.sort_values(["v", "k"], ascending=[False, True])
    total = df["v"].sum()
    before = df["v"].cumsum() - df["v"]
    cum = before / total if total else pd.Series(np.nan, index=df.index)
    cls = np.where(cum < a_cut, "A", np.where(cum < b_cut, "B", "C"))
    return pd.Series(cls, index=df.index).reindex(values.index)


def _store_category(t: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(sales per store-category-week, own and category revenue over matched weeks)."""
    s = t["sales"].merge(t["products"][["sku", "category", "is_own"]], on="sku")
    s["own"] = s["revenue"].where(s["is_own"], 0.0)
    s["comp"] = (~s["is_own"]).astype(int)
    weekly = s.groupby(["store_id", "category", "week"], as_index=False).agg(
        all_rev=("revenue", "sum"), own=("own", "sum"), comp=("comp", "max")
    )
    weekly["week"] = pd.to_datetime(weekly["week"])
    v = t["visits"].dropna(subset=["store_category_sales"]).copy()
    v["week"] = _monday(v["visit_date"])
    v["lid"] = v["load_id"].fillna(-1)
    # Latest date wins, then the later load, then the first rep by name.
    v = v.sort_values(["visit_date", "lid", "rep"], ascending=[True, True, False])
    v = v.drop_duplicates(["store_id", "category", "week"], keep="last")
    both = weekly.merge(v[["store_id", "category", "week", "store_category_sales"]], how="outer",
                        on=["store_id", "category", "week"])
    both["own"] = both["own"].fillna(0.0)
    both["T"] = np.where(both["comp"] == 1, both["all_rev"], both["store_category_sales"])
    matched = both.dropna(subset=["T"])
    sc = matched.groupby(["store_id", "category"], as_index=False).agg(own_revenue=("own", "sum"), category_revenue=("T", "sum"))
    return weekly, sc


def fair_share(t: dict[str, pd.DataFrame], settings: Settings = DEFAULT) -> pd.DataFrame:
    _, sc = _store_category(t)
    st = t["stores"]
    sc = sc.merge(st[["store_id", "store_name", "chain", "region"]], on="store_id")
    tracked = sc.groupby(["region", "category"], as_index=False)[["own_revenue", "category_revenue"]].sum()
    tracked["tracked_share"] = tracked["own_revenue"] / tracked["category_revenue"].replace(0, np.nan)
    panel = t["market"].groupby(["region", "category"], as_index=False)[["own_revenue", "market_revenue"]].sum()
    panel["panel_share"] = panel["own_revenue"] / panel["market_revenue"].replace(0, np.nan)
    if settings.level == "region":
        ms = tracked.merge(panel[["region", "category", "panel_share"]], how="left", on=["region", "category"])
        has_panel = ms["panel_share"].notna() | ms.merge(panel, how="left", on=["region", "category"], indicator=True)["_merge"].eq("both").values
        ms["market_share"] = np.where(has_panel, ms["panel_share"], ms["tracked_share"])
        ms = ms[["region", "category", "market_share"]]
    else:
        rows = []
        for cat, g in tracked.groupby("category"):
            p = panel[panel["category"] == cat]
            if set(g["region"]) <= set(p["region"]):
                share = p["own_revenue"].sum() / p["market_revenue"].sum() if p["market_revenue"].sum() else np.nan
            else:
                share = g["own_revenue"].sum() / g["category_revenue"].sum() if g["category_revenue"].sum() else np.nan
            rows += [(r, cat, share) for r in g["region"]]
        ms = pd.DataFrame(rows, columns=["region", "category", "market_share"])
    out = sc.merge(ms, how="left", on=["region", "category"])
    out["customer_share"] = out["own_revenue"] / out["category_revenue"].replace(0, np.nan)
    out["fair_share_index"] = out["customer_share"] / out["market_share"].replace(0, np.nan) * 100
    gap = (out["market_share"] - out["customer_share"]).clip(lower=0)
    out["opportunity"] = gap * out["category_revenue"]
    cols = ["store_id", "store_name", "chain", "region", "category", "own_revenue", "category_revenue",
            "customer_share", "market_share", "fair_share_index", "opportunity"]
    return out[cols].sort_values(["store_id", "category"]).reset_index(drop=True)


def quadrants(t: dict[str, pd.DataFrame], settings: Settings = DEFAULT) -> pd.DataFrame:
    fs = fair_share(t, settings)
    fs["expected"] = fs["market_share"] * fs["category_revenue"]
    g = fs.groupby("store_id").agg(
        potential=("category_revenue", "sum"), own_revenue=("own_revenue", "sum"),
        expected=("expected", lambda x: x.sum() if x.notna().all() else np.nan), opportunity=("opportunity", "sum"),
    ).reset_index()
    out = t["stores"][["store_id", "store_name", "chain", "region"]].merge(g, how="left", on="store_id")
    out["customer_share"] = out["own_revenue"] / out["potential"].replace(0, np.nan)
    out["market_share"] = out["expected"] / out["potential"].replace(0, np.nan)
    out["fair_share_index"] = out["customer_share"] / out["market_share"].replace(0, np.nan) * 100
    known = out["potential"].notna()
    out.loc[known, "abc"] = _abc(out.loc[known, "potential"], out.loc[known, "store_id"], settings.a_cut, settings.b_cut)
    high = out["abc"] == "A"
    low_fsi = out["fair_share_index"].round(9) < settings.fsi_threshold  # at fair share up to float noise
    out["quadrant"] = np.select(
        [out["fair_share_index"].isna(), high & low_fsi, high, low_fsi], ["No data", "Attack", "Defend", "Monitor"], "Maintain"
    )
    cols = ["store_id", "store_name", "chain", "region", "potential", "own_revenue", "customer_share",
            "market_share", "fair_share_index", "opportunity", "quadrant"]
    return out[cols].sort_values("store_id").reset_index(drop=True)


def ka_list(t: dict[str, pd.DataFrame], settings: Settings = DEFAULT) -> pd.DataFrame:
    weekly, _ = _store_category(t)
    q = quadrants(t, settings)
    own = weekly.groupby("store_id")["own"].sum()
    out = q[["store_id", "store_name", "chain", "potential"]].copy()
    out["own_revenue"] = out["store_id"].map(own).fillna(0.0)
    out["abc_by_own"] = _abc(out["own_revenue"], out["store_id"], settings.a_cut, settings.b_cut)
    known = out["potential"].notna()
    out["abc_by_potential"] = None
    out.loc[known, "abc_by_potential"] = _abc(out.loc[known, "potential"], out.loc[known, "store_id"], settings.a_cut, settings.b_cut)
    out["ka_by_own"] = out["abc_by_own"] == "A"
    out["ka_by_potential"] = np.where(known, out["abc_by_potential"] == "A", None)
    out["change"] = np.where(known & (out["abc_by_potential"] == "A") & ~out["ka_by_own"], "missed",
                             np.where(known & (out["abc_by_potential"] != "A") & out["ka_by_own"], "over-served", None))
    cols = ["store_id", "store_name", "chain", "own_revenue", "potential", "abc_by_own", "abc_by_potential",
            "ka_by_own", "ka_by_potential", "change"]
    return out[cols].sort_values(["own_revenue", "store_id"], ascending=[False, True]).reset_index(drop=True)


def pareto(t: dict[str, pd.DataFrame], settings: Settings = DEFAULT) -> pd.DataFrame:
    weekly, _ = _store_category(t)
    g = weekly.merge(t["stores"][["store_id", "chain"]], on="store_id").groupby("chain")["own"].sum()
    g = g[g > 0].rename("own_revenue").reset_index().sort_values(["own_revenue", "chain"], ascending=[False, True])
    total = g["own_revenue"].sum()
    g["share"] = g["own_revenue"] / total
    g["cum_share"] = g["own_revenue"].cumsum() / total
    g["abc"] = _abc(g["own_revenue"], g["chain"], settings.a_cut, settings.b_cut)
    return g[["chain", "own_revenue", "share", "cum_share", "abc"]].reset_index(drop=True)


def promo_lift(t: dict[str, pd.DataFrame], settings: Settings = DEFAULT) -> pd.DataFrame:
    p = t["promotions"].copy()
    p["first_week"] = _monday(p["start_date"])
    p["last_week"] = _monday(p["end_date"])
    st, pr = t["stores"], t["products"]
    by_store = p.merge(st[["store_id", "chain"]].rename(columns={"store_id": "sid"}), on="chain")
    by_store = by_store[by_store["store_id"].isna() | (by_store["store_id"] == by_store["sid"])]
    one = by_store[by_store["sku"].notna()].assign(k=lambda d: d["sku"])
    brand = by_store[by_store["sku"].isna()].merge(
        pr.loc[pr["is_own"], ["sku", "brand"]].rename(columns={"sku": "k"}), on="brand"
    )
    pairs = pd.concat([one, brand], ignore_index=True)[["promo_id", "sid", "k", "first_week", "last_week"]]
    pairs = pairs[pairs["k"].isin(pr["sku"])].rename(columns={"sid": "store_id", "k": "sku"})
    sales = t["sales"].assign(week=lambda d: pd.to_datetime(d["week"]))
    rows = pairs.merge(sales, on=["store_id", "sku"])
    bw, pw = pd.Timedelta(weeks=settings.baseline_weeks), pd.Timedelta(weeks=settings.post_weeks)
    rows = rows[(rows["week"] >= rows["first_week"] - bw) & (rows["week"] <= rows["last_week"] + pw)]
    rows["phase"] = np.where(rows["week"] < rows["first_week"], "base", np.where(rows["week"] <= rows["last_week"], "promo", "post"))
    # Weeks in which the store-SKU was under any promotion.
    span = pairs.reset_index(drop=True)
    span = span.assign(n=((span["last_week"] - span["first_week"]).dt.days // 7 + 1))
    span = span.loc[span.index.repeat(span["n"])]
    span["week"] = span["first_week"] + pd.to_timedelta(span.groupby(level=0).cumcount() * 7, unit="D")
    promoted = span[["store_id", "sku", "week"]].drop_duplicates().assign(promoted=True)
    rows = rows.merge(promoted, how="left", on=["store_id", "sku", "week"])
    clean = rows[(rows["phase"] != "promo") & rows["promoted"].isna()]
    key = ["promo_id", "store_id", "sku"]
    base = clean[clean["phase"] == "base"].groupby(key).agg(n=("units", "size"), b=("units", "mean"), br=("revenue", "mean"))
    base.loc[base["n"] < 2, ["b", "br"]] = np.nan
    post = clean[clean["phase"] == "post"].groupby(key)["units"].mean().rename("post")
    promo = rows[rows["phase"] == "promo"].groupby(key).agg(w=("units", "size"), pu=("units", "mean"),
                                                            u=("units", "sum"), r=("revenue", "sum"))
    out = promo.join(base[["b", "br"]]).join(post).reset_index()
    out = out.merge(p[["promo_id", "chain", "mechanic", "start_date", "end_date"]], on="promo_id")
    out = out.merge(pr[["sku", "unit_cost"]], on="sku")
    b = out["b"].replace(0, np.nan)
    out["baseline_units"] = out["b"]
    out["promo_units"] = out["pu"]
    out["lift_pct"] = (out["pu"] / b - 1) * 100
    out["incremental_units"] = out["u"] - out["w"] * out["b"]
    out["incremental_revenue"] = out["r"] - out["w"] * out["br"]
    out["incremental_gross_profit"] = out["incremental_revenue"] - out["incremental_units"] * out["unit_cost"]
    out["post_dip_pct"] = (out["post"] / b - 1) * 100
    v = t["visits"].dropna(subset=["oos_skus"])
    oos = pairs.merge(p[["promo_id", "start_date", "end_date"]], on="promo_id").merge(
        v[["store_id", "visit_date", "oos_skus"]], on="store_id"
    )
    oos = oos[(oos["visit_date"] >= oos["start_date"]) & (oos["visit_date"] <= oos["end_date"])]
    oos = oos[[k in s.split(";") for k, s in zip(oos["sku"], oos["oos_skus"], strict=True)]]
    counts = oos.groupby(key).size().rename("oos_visits")
    out = out.merge(counts, how="left", left_on=key, right_index=True)
    out["oos_visits"] = out["oos_visits"].fillna(0).astype(int)
    out["units_sold"] = out["u"]
    cols = ["promo_id", "chain", "store_id", "sku", "mechanic", "start_date", "end_date", "baseline_units",
            "promo_units", "lift_pct", "incremental_units", "incremental_revenue", "incremental_gross_profit",
            "post_dip_pct", "oos_visits"]
    return out.sort_values(["start_date", "promo_id", "store_id", "sku"])[[*cols, "units_sold"]].reset_index(drop=True)


def promo_summary(t: dict[str, pd.DataFrame], settings: Settings = DEFAULT) -> pd.DataFrame:
    lift = promo_lift(t, settings)
    rows = []
    for pid, g in lift.groupby("promo_id"):
        with_b = g[g["baseline_units"].notna()]
        igp = np.nan if with_b.empty or with_b["incremental_gross_profit"].isna().any() else with_b["incremental_gross_profit"].sum()
        rows.append((pid, g["store_id"].nunique(), with_b["incremental_units"].sum() if len(with_b) else np.nan,
                     with_b["incremental_revenue"].sum() if len(with_b) else np.nan, igp, g["units_sold"].sum()))
    agg = pd.DataFrame(rows, columns=["promo_id", "stores", "incremental_units", "incremental_revenue",
                                      "incremental_gross_profit", "units_sold"])
    out = t["promotions"].merge(agg, how="left", on="promo_id")
    out["stores"] = out["stores"].fillna(0).astype(int)
    cost = out["cost"].replace(0, np.nan)
    out["roi"] = (out["incremental_gross_profit"] - out["cost"]) / cost
    out["target_met"] = np.where(out["retailer_target_units"].isna(), None,
                                 out["units_sold"].fillna(0) >= out["retailer_target_units"])
    cols = ["promo_id", "chain", "mechanic", "start_date", "end_date", "stores", "incremental_units",
            "incremental_revenue", "incremental_gross_profit", "cost", "roi", "target_met"]
    return out.sort_values(["start_date", "promo_id"])[cols].reset_index(drop=True)


def visit_coverage(t: dict[str, pd.DataFrame], settings: Settings = DEFAULT) -> pd.DataFrame:
    q = quadrants(t, settings)
    v = t["visits"]
    events = v[["store_id", "visit_date", "rep"]].drop_duplicates()
    per = events.groupby("store_id").agg(visits=("rep", "size"), last_visit=("visit_date", "max"))
    both = v["own_facings"].notna() & v["total_facings"].notna()
    shelf = v[both].groupby("store_id")[["own_facings", "total_facings"]].sum()
    pc = v.dropna(subset=["price_compliant"]).assign(pc=lambda d: d["price_compliant"].astype(float))
    oos = v.assign(o=(v["oos_skus"].notna() & (v["oos_skus"] != "")).astype(float))
    end = max(pd.to_datetime(v["visit_date"]).max(), pd.to_datetime(t["sales"]["week"]).max() + pd.Timedelta(days=6))
    out = q[["store_id", "store_name", "chain", "quadrant"]].merge(t["stores"][["store_id", "ka_manager"]], on="store_id")
    out = out.merge(per, how="left", left_on="store_id", right_index=True)
    out["visits"] = out["visits"].fillna(0).astype(int)
    out["days_since_last_visit"] = (end - pd.to_datetime(out["last_visit"])).dt.days
    out["share_of_shelf"] = out["store_id"].map(shelf["own_facings"] / shelf["total_facings"].replace(0, np.nan))
    out["price_compliance"] = out["store_id"].map(pc.groupby("store_id")["pc"].mean())
    out["oos_rate"] = out["store_id"].map(oos.groupby("store_id")["o"].mean())
    cols = ["store_id", "store_name", "chain", "ka_manager", "quadrant", "visits", "last_visit",
            "days_since_last_visit", "share_of_shelf", "price_compliance", "oos_rate"]
    return out[cols].sort_values("store_id").reset_index(drop=True)


REPORTS = {
    "fair-share": fair_share,
    "quadrants": quadrants,
    "ka-list": ka_list,
    "pareto": pareto,
    "promo-lift": promo_lift,
    "promo-summary": promo_summary,
    "visit-coverage": visit_coverage,
}
