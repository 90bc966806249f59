"""The demo warehouse: deterministic, valid by the contract's rules, and telling the method's stories."""

from __future__ import annotations

import datetime as dt
import hashlib

import pandas as pd
import pytest

from ka_core import db, reports
from ka_core.demo import CHAINS, LAST_WEEK, LOADED_AT, create_demo, story_stores
from ka_core.errors import KaError
from ka_core.schema import LOAD_ORDER, MECHANICS, TABLES
from ka_core.settings import Filters

SIZE = dict(stores=60, weeks=40, seed=3)
SHARING = sorted(c.name for c in CHAINS if c.shares_data)


def build(path, **kw):
    c = db.connect(path)
    return c, create_demo(c, **kw)


def checksum(c) -> dict:
    """Row count and a hash of every column of every table the demo writes."""
    return {
        t: c.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {t}").fetchall()[0]
        for t in (*LOAD_ORDER, "ka_loads")
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    c, counts = build(tmp_path_factory.mktemp("demo") / "w.duckdb", **SIZE)
    yield c, counts
    c.close()


def rows(c, sql: str) -> pd.DataFrame:
    return c.execute(sql).df()


def test_same_seed_same_rows_other_seed_other_rows(tmp_path, demo):
    c1, counts1 = demo
    c2, counts2 = build(tmp_path / "again.duckdb", **SIZE)
    c3, _ = build(tmp_path / "other.duckdb", **{**SIZE, "seed": 4})
    assert counts1 == counts2
    assert checksum(c1) == checksum(c2)
    other = checksum(c3)
    assert other["sales"] != checksum(c1)["sales"] and other["stores"] != checksum(c1)["stores"]
    c2.close()
    c3.close()


def test_counts_and_load_log(demo):
    c, counts = demo
    assert list(counts) == list(LOAD_ORDER)
    for t, n in counts.items():
        assert n > 0 and c.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] == n
        # Every row carries the id of its table's load.
        assert c.execute(f"SELECT DISTINCT load_id FROM {t}").fetchall() == [(LOAD_ORDER.index(t) + 1,)]
    label = "demo (seed 3, 60 stores, 40 weeks)"
    log = c.execute(
        "SELECT load_id, table_name, file_name, sha256, rows_inserted, rows_replaced, user_name, loaded_at, undone_at "
        "FROM ka_loads ORDER BY load_id"
    ).fetchall()
    digest = hashlib.sha256(label.encode()).hexdigest()
    assert log == [
        (i, t, label, digest, counts[t], 0, "demo", LOADED_AT, None) for i, t in enumerate(LOAD_ORDER, start=1)
    ]


def test_fixed_calendar(demo):
    c, _ = demo
    first, last, n = c.execute("SELECT min(week), max(week), count(DISTINCT week) FROM sales").fetchall()[0]
    assert last == LAST_WEEK == dt.date(2026, 11, 16)  # never today's date
    assert n == 40 and first == LAST_WEEK - dt.timedelta(weeks=39)
    assert c.execute("SELECT max(visit_date) FROM visits").fetchall()[0][0] <= LAST_WEEK + dt.timedelta(days=6)


def _key_rule(t: str) -> str:
    key = ", ".join(TABLES[t].key)
    return f"SELECT count(*) FROM (SELECT {key} FROM {t} GROUP BY ALL HAVING count(*) > 1)"


def _required_rule(t: str) -> str:
    return f"SELECT count(*) FROM {t} WHERE " + " OR ".join(f"{col} IS NULL" for col in TABLES[t].required)


OWN_SKUS = "(SELECT sku FROM products WHERE is_own)"
RULES = {
    **{f"{t}: duplicate key": _key_rule(t) for t in TABLES},
    **{f"{t}: required column blank": _required_rule(t) for t in TABLES},
    "sales: unknown store or sku": "SELECT count(*) FROM sales WHERE store_id NOT IN (SELECT store_id FROM stores) OR sku NOT IN (SELECT sku FROM products)",
    "sales: week not a Monday": "SELECT count(*) FROM sales WHERE isodow(week) <> 1",
    "sales: negative or fractional units": "SELECT count(*) FROM sales WHERE units < 0 OR units <> round(units) OR revenue < 0",
    "sales: revenue not units × a price": "SELECT count(*) FROM sales WHERE units = 0 OR revenue / units < 3 OR revenue / units > 130",
    "market: week not a Monday": "SELECT count(*) FROM market WHERE isodow(week) <> 1",
    "market: unknown region or category": "SELECT count(*) FROM market WHERE region NOT IN (SELECT region FROM stores) OR category NOT IN (SELECT category FROM products)",
    "market: own above the market": "SELECT count(*) FROM market WHERE own_revenue > market_revenue OR own_revenue < 0",
    "visits: unknown store or category": "SELECT count(*) FROM visits WHERE store_id NOT IN (SELECT store_id FROM stores) OR category NOT IN (SELECT category FROM products)",
    "visits: own facings above total": "SELECT count(*) FROM visits WHERE own_facings > total_facings OR own_facings < 0",
    "visits: negative category sales": "SELECT count(*) FROM visits WHERE store_category_sales < 0",
    "visits: unknown oos sku": "SELECT count(*) FROM (SELECT unnest(string_split(oos_skus, ';')) AS k FROM visits) WHERE k NOT IN (SELECT sku FROM products)",
    "promotions: unknown mechanic": "SELECT count(*) FROM promotions WHERE mechanic NOT IN ('DM', 'TG', 'TPR', 'PROMOTER', 'BUNDLE')",
    "promotions: end before start": "SELECT count(*) FROM promotions WHERE end_date < start_date",
    "promotions: neither sku nor brand": "SELECT count(*) FROM promotions WHERE sku IS NULL AND brand IS NULL",
    "promotions: unknown chain": "SELECT count(*) FROM promotions WHERE chain NOT IN (SELECT chain FROM stores)",
    "promotions: store outside its chain": "SELECT count(*) FROM promotions p LEFT JOIN stores s USING (store_id) WHERE p.store_id IS NOT NULL AND (s.chain IS NULL OR s.chain <> p.chain)",
    "promotions: not our sku or brand": f"SELECT count(*) FROM promotions WHERE (sku IS NOT NULL AND sku NOT IN {OWN_SKUS}) OR brand NOT IN (SELECT brand FROM products WHERE is_own)",
    "promotions: negative money": "SELECT count(*) FROM promotions WHERE cost <= 0 OR promo_price <= 0 OR retailer_target_units <= 0",
    "promotions: longer than 4 weeks": "SELECT count(*) FROM promotions WHERE date_diff('week', date_trunc('week', start_date), date_trunc('week', end_date)) > 3",
    "products: own without unit cost": "SELECT count(*) FROM products WHERE is_own AND (unit_cost IS NULL OR unit_cost <= 0)",
}


@pytest.mark.parametrize("rule", list(RULES))
def test_contract_rules_hold(demo, rule):
    c, _ = demo
    assert c.execute(RULES[rule]).fetchall() == [(0,)]


def test_catalogue_and_chains(demo):
    c, _ = demo
    cats = rows(
        c,
        "SELECT category, count(*) FILTER (WHERE is_own) AS own, count(*) FILTER (WHERE NOT is_own) AS other, "
        "count(*) FILTER (WHERE sku = 'OTHER-' || category AND NOT is_own) AS aggregate FROM products GROUP BY 1",
    )
    assert 2 <= len(cats) <= 3
    assert cats["own"].between(4, 6).all() and (cats["other"] > cats["own"]).all() and (cats["aggregate"] == 1).all()
    assert rows(c, "SELECT DISTINCT manufacturer FROM products WHERE is_own")["manufacturer"].tolist() == [
        "Our Company"
    ]
    # Sharing chains: competitor rows for every store. The others: only our own SKUs.
    by_store = rows(
        c,
        "SELECT st.chain, sa.store_id, bool_or(NOT p.is_own) AS competitor FROM sales sa "
        "JOIN stores st USING (store_id) JOIN products p USING (sku) GROUP BY ALL",
    )
    sharing = by_store["chain"].isin(SHARING)
    assert sharing.any() and (~sharing).any()
    assert by_store.loc[sharing, "competitor"].all() and not by_store.loc[~sharing, "competitor"].any()
    assert c.execute(
        "SELECT count(DISTINCT chain), count(DISTINCT region), count(DISTINCT ka_manager) FROM stores"
    ).fetchall()[0] >= (6, 4, 8)


def test_category_totals_from_visits(demo):
    c, _ = demo
    # Non-sharing stores: weeks with own sales but no reported total (unmatched), and weeks
    # with two visits that report different totals (the later one counts).
    weeks = rows(
        c,
        """
        WITH own AS (
            SELECT DISTINCT sa.store_id, p.category, sa.week FROM sales sa
            JOIN products p USING (sku) JOIN stores st USING (store_id)
            WHERE st.chain NOT IN ('Walmart', 'Carrefour', 'RT-Mart')),
        v AS (
            SELECT store_id, category, CAST(date_trunc('week', visit_date) AS DATE) AS week,
                count(DISTINCT store_category_sales) AS totals
            FROM visits WHERE store_category_sales IS NOT NULL GROUP BY ALL)
        SELECT own.*, coalesce(v.totals, 0) AS totals FROM own LEFT JOIN v USING (store_id, category, week)""",
    )
    assert (weeks["totals"] == 0).mean() > 0.05 and (weeks["totals"] >= 1).mean() > 0.4
    assert (weeks["totals"] >= 2).sum() >= 1
    assert set(rows(c, "SELECT DISTINCT region FROM market")["region"]) <= {"East", "South"}
    assert c.execute("SELECT count(*) FROM market").fetchall()[0][0] > 0


def test_visits_sheet(demo):
    c, _ = demo
    v = rows(c, "SELECT v.*, s.ka_manager FROM visits v JOIN stores s USING (store_id)")
    assert (v["rep"] == v["ka_manager"]).mean() > 0.85  # the store's KA manager does most visits
    for col in ("display_ok", "promo_executed", "price_compliant"):
        assert v[col].isna().any() and v[col].eq(True).any() and v[col].eq(False).any(), col
    assert v["oos_skus"].str.contains(";", na=False).any()
    assert v["competitor_activity"].str.contains("[\u4e00-\u9fff]", na=False).any()
    assert v["notes"].notna().any()
    per_store = v.groupby("store_id")["visit_date"].nunique()
    assert per_store.max() >= 30 and per_store.min() < per_store.max() / 2  # some stores rarely


def test_promotions(demo):
    c, _ = demo
    p = rows(c, "SELECT * FROM promotions")
    assert set(p["mechanic"]) == set(MECHANICS)
    assert p["store_id"].isna().mean() > 0.5 and p["store_id"].notna().any()  # most for a whole chain
    assert p["sku"].isna().any() and p["sku"].notna().any()  # by SKU and by brand
    assert p["retailer_target_units"].isna().any() and p["promo_price"].notna().any()
    # A stock-out during a promotion: a visit in its dates lists the promoted SKU.
    oos = c.execute("""
        SELECT count(*) FROM promotions p
        JOIN stores s ON s.chain = p.chain AND (p.store_id IS NULL OR s.store_id = p.store_id)
        JOIN products pr ON pr.sku = p.sku OR (p.sku IS NULL AND pr.brand = p.brand AND pr.is_own)
        JOIN visits v ON v.store_id = s.store_id AND v.visit_date BETWEEN p.start_date AND p.end_date
        WHERE list_contains(string_split(v.oos_skus, ';'), pr.sku)""").fetchall()[0][0]
    assert oos >= 1


def _store_shares(c) -> pd.DataFrame:
    """Potential and customer share per store by domain.md's rules (sales totals, else the latest visit)."""
    df = rows(
        c,
        """
        WITH sw AS (
            SELECT sa.store_id, p.category, sa.week, sum(sa.revenue) AS all_rev,
                sum(CASE WHEN p.is_own THEN sa.revenue ELSE 0 END) AS own, bool_or(NOT p.is_own) AS shared
            FROM sales sa JOIN products p USING (sku) GROUP BY ALL),
        v AS (
            SELECT store_id, category, CAST(date_trunc('week', visit_date) AS DATE) AS week,
                arg_max(store_category_sales, visit_date) AS total
            FROM visits WHERE store_category_sales IS NOT NULL GROUP BY ALL),
        t AS (
            SELECT sw.*, CASE WHEN sw.shared THEN sw.all_rev ELSE v.total END AS total
            FROM sw LEFT JOIN v USING (store_id, category, week))
        SELECT t.store_id, s.region, sum(t.own) AS own_all_weeks,
            sum(t.own) FILTER (WHERE t.total IS NOT NULL) AS own, sum(t.total) AS potential
        FROM t JOIN stores s USING (store_id) GROUP BY ALL""",
    )
    df["share"] = df["own"] / df["potential"]
    known = df["potential"].notna()
    region = df[known].groupby("region")[["own", "potential"]].sum()
    df["region_share"] = df["region"].map(region["own"] / region["potential"])
    for col in ("own_all_weeks", "potential"):
        ranked = df[df[col].notna()].sort_values([col, "store_id"], ascending=[False, True])
        before = (ranked[col].cumsum() - ranked[col]) / ranked[col].sum()
        df[f"a_by_{col}"] = df["store_id"].isin(ranked.loc[before < 0.8, "store_id"])
    return df


def test_the_stories_in_the_tables(demo):
    c, _ = demo
    df = _store_shares(c)
    big = df["a_by_potential"]  # high potential: class A by potential
    # (a) Attack: a big store where our share is well below the region's.
    assert (big & (df["share"] < 0.6 * df["region_share"])).any()
    # (b) Over-served: KA by own sales, not by potential.
    assert (df["a_by_own_all_weeks"] & ~df["a_by_potential"] & df["potential"].notna()).any()
    # (c) No data: a store that never reported a category total (and no sales data shared).
    assert df["potential"].isna().any()
    # A big store nobody has visited for months.
    last = rows(c, "SELECT store_id, max(visit_date) AS last FROM visits GROUP BY 1").set_index("store_id")["last"]
    days = (pd.Timestamp(LAST_WEEK) - pd.to_datetime(df["store_id"].map(last))).dt.days
    assert (big & (df["share"] < df["region_share"]) & (days.fillna(999) > 60)).any()


def test_story_stores_name_the_planted_stores(demo):
    c, _ = demo
    stories = story_stores(**SIZE)
    df = _store_shares(c).set_index("store_id")
    assert stories["attack"] and stories["over_served"] and stories["no_data"] and stories["neglected"]
    assert set(stories["neglected"]) <= set(stories["attack"])
    attack = df.loc[stories["attack"]]
    assert (attack["share"] < attack["region_share"]).all()
    over = df.loc[stories["over_served"]]
    assert (over["share"] > over["region_share"]).all()
    assert df.loc[stories["no_data"], "potential"].isna().all()


def test_the_reports_tell_the_stories(demo):
    c, _ = demo
    q = reports.run(c, "quadrants")
    assert (q["quadrant"] == "Attack").sum() >= 3 and (q["quadrant"] == "No data").sum() >= 1
    assert ((q["quadrant"] == "Attack") & (q["fair_share_index"] < 70)).any()
    ka = reports.run(c, "ka-list")
    assert (ka["change"] == "over-served").any() and (ka["change"] == "missed").any()
    promo = reports.run(c, "promo-summary")
    assert (promo["roi"] < 0).any() and (promo["roi"] > 0).sum() > (promo["roi"] < 0).sum()
    assert promo["target_met"].eq(True).any() and promo["target_met"].eq(False).any()
    lift = reports.run(c, "promo-lift")
    assert (lift["oos_visits"] > 0).any()
    displays = lift["mechanic"].isin(["DM", "TG"])  # flyers and end-caps lift more than promoters and bundles
    assert (
        lift.loc[displays, "lift_pct"].median() > lift.loc[~displays & (lift["mechanic"] != "TPR"), "lift_pct"].median()
    )
    cov = reports.run(c, "visit-coverage")
    assert ((cov["quadrant"] == "Attack") & (cov["days_since_last_visit"] >= 60)).any()
    one_category = reports.run(
        c, "quadrants", Filters(categories=(story_stores(**SIZE)["no_data_category"][0].split()[1],))
    )
    assert (one_category["quadrant"] == "No data").sum() >= 2


def test_refuses_a_non_empty_warehouse(demo):
    c, _ = demo
    before = checksum(c)
    with pytest.raises(KaError, match="not empty"):
        create_demo(c)
    assert checksum(c) == before


def test_refuses_silly_sizes(tmp_path):
    c = db.connect(tmp_path / "w.duckdb")
    for kw in (dict(stores=0), dict(weeks=5), dict(weeks=10_000)):
        with pytest.raises(KaError, match="at least 1 store"):
            create_demo(c, **kw)
    assert c.execute("SELECT count(*) FROM ka_loads").fetchall() == [(0,)]
    c.close()


def test_default_size(tmp_path):
    c, counts = build(tmp_path / "default.duckdb")
    assert counts["stores"] == 160 and 60 <= counts["promotions"] <= 120
    assert 300_000 <= counts["sales"] <= 1_500_000
    assert c.execute("SELECT count(DISTINCT week) FROM sales").fetchall() == [(104,)]
    c.close()
