"""The rollup (sql/levels.sql, sql/rollup.sql) worked out by hand, and the views that read it.

Store-category rows of tests/tiny.py, weeks w1-w3, both categories (test_reports.py):

    store  chain  region  category  own  category  market share
    A      Alpha  North   Phones    300  1200      MS_NORTH = 400 / 1650
    A      Alpha  North   Tablets    60   300      0.2
    B      Beta   North   Phones    100   450      MS_NORTH
    C      Alpha  South   Phones    180   600      0.2
    E      Alpha  East    Phones     30  1800      0.1
    D      Beta   South   (no matched week)

A group: customer share = sum own / sum category; market share = sum(market
share x category) / sum category; FSI = customer / market x 100; opportunity =
the sum of the rows' opportunities.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ka_core import reports, views
from ka_core.db import connect
from ka_core.settings import Filters, Settings
from tests import tiny
from tests.test_reports import MS_NORTH, MS_NORTH_TABLETS, MS_SOUTH, PROMO, W123, approx, by, isnull

OPP_B = (MS_NORTH - 100 / 450) * 450  # 9.09; A, C: 0 (above market share); E: 150


@pytest.fixture
def con(tmp_path):
    c = connect(tmp_path / "tiny.duckdb")
    tiny.fill(c)
    yield c
    c.close()


def rollup(c, filters=W123, settings=None) -> dict:
    """The rollup's rows keyed on (level, key); the total's key is None."""
    return {(r["level"], r["key"]): r for r in reports.run_query_arrow(c, "rollup", filters, settings).to_pylist()}


def check(row, own, category, expected, opportunity, stores, attack, own_all):
    assert (row["own_revenue"], row["category_revenue"]) == (approx(own), approx(category))
    assert row["customer_share"] == approx(own / category)
    assert row["market_share"] == approx(expected / category)
    assert row["fair_share_index"] == approx(own / expected * 100)
    assert row["opportunity"] == approx(opportunity)
    assert (row["stores"], row["attack_stores"]) == (stores, attack)
    assert row["own_revenue_all"] == approx(own_all)


def test_rollup_worked_out_by_hand(con):
    rows = rollup(con)
    assert list(rows) == [
        ("chain", "Alpha"), ("chain", "Beta"),
        ("region", "East"), ("region", "North"), ("region", "South"),
        ("total", None),
    ]  # fmt: skip
    # Alpha: A (both categories), C, E. Expected revenue at market share:
    alpha_expected = MS_NORTH * 1200 + MS_NORTH_TABLETS * 300 + MS_SOUTH * 600 + 0.1 * 1800  # 650.9
    check(
        rows["chain", "Alpha"], 300 + 60 + 180 + 30, 1200 + 300 + 600 + 1800, alpha_expected, 150, 3, 1, 360 + 180 + 30
    )
    # Beta: B only (D has no matched week but is a store of the chain); B's own sales over every week: 150.
    check(rows["chain", "Beta"], 100, 450, MS_NORTH * 450, OPP_B, 2, 0, 150)
    check(rows["region", "East"], 30, 1800, 0.1 * 1800, 150, 1, 1, 30)
    # North: A and B are North's tracked stores, so Phones at market share is their own sales:
    # expected = 400 + 0.2 x 300 = 460 = own, an FSI of exactly 100, which is not below fair share.
    north = rows["region", "North"]
    check(north, 460, 1950, MS_NORTH * 1650 + 60, OPP_B, 2, 0, 360 + 150)
    assert round(north["fair_share_index"], 9) == 100 and north["below_fair_share"] == False  # noqa: E712
    check(rows["region", "South"], 180, 600, 0.2 * 600, 0, 2, 0, 180)
    total = rows["total", None]
    check(total, 670, 4350, 460 + 120 + 180, 150 + OPP_B, 5, 1, 720)
    assert total["fair_share_index"] == approx(670 / 760 * 100)  # 88.2
    flags = {k: r["below_fair_share"] for k, r in rows.items()}
    assert flags == {
        ("chain", "Alpha"): True, ("chain", "Beta"): True, ("region", "East"): True,
        ("region", "North"): False, ("region", "South"): False, ("total", None): True,
    }  # fmt: skip


def test_rollup_follows_filters_and_threshold(con):
    beta = rollup(con, Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 26), chains=("Beta",)))
    assert list(beta) == [("chain", "Beta"), ("region", "North"), ("region", "South"), ("total", None)]
    check(beta["total", None], 100, 450, MS_NORTH * 450, OPP_B, 2, 1, 150)  # within Beta, B is class A: Attack
    assert rollup(con, settings=Settings(fsi_threshold=87))["chain", "Alpha"]["below_fair_share"] == False  # noqa: E712
    empty = rollup(con, Filters(chains=("Nobody",)))
    assert list(empty) == [("total", None)]
    assert empty["total", None]["stores"] == 0 and isnull(empty["total", None]["customer_share"])


def test_kpis_are_the_rollup_total(con):
    k = views.kpis(con, W123, Settings())
    total = rollup(con)["total", None]
    assert k.own_sales == total["own_revenue_all"] == 720
    # Two runs of the same SQL: DuckDB's parallel sums may differ in the last bit: equal to 1e-9 (test_reports.approx).
    assert (k.customer_share, k.market_share, k.fair_share_index) == approx((
        total["customer_share"], total["market_share"], total["fair_share_index"],
    ))  # fmt: skip
    assert k.attack_stores == 1 and k.opportunity == approx(total["opportunity"])
    assert k.promo_roi is None  # no promotion in w1-w3
    # All periods: PR1 gross profit 36 on cost 30; PR0 (cost 0) and PR2 (no gross profit) are left out.
    assert views.kpis(con, Filters(), PROMO).promo_roi == approx((36 - 30) / 30)


def test_chain_summary_is_the_rollup(con):
    df = views.chain_summary(con, W123, Settings())
    rows = rollup(con)
    assert list(df["chain"]) == ["Alpha", "Beta"]
    for r in df.to_dict("records"):
        c = rows["chain", r["chain"]]
        assert r["potential"] == c["category_revenue"] and r["attack"] == c["attack_stores"]
        for col in ("customer_share", "market_share", "fair_share_index", "opportunity"):
            assert r[col] == approx(c[col]), col
    assert by(df, "chain")["Beta"]["own_revenue"] == 150  # the pareto's: every week


def test_visit_views_read_sql(con):
    v = views.visit_summary(con, W123, Settings())
    # Attack: E (not visited). Below fair share: E (16.7) and B (91.7, visited 3 times).
    assert (v.attack_stores, v.attack_visited, v.attack_coverage) == (1, 0, 0)
    assert (v.below_fair_share, v.below_visited, v.below_coverage) == (2, 1, 0.5)
    assert v.visits == 3 and v.price_compliance == approx(2 / 3)
    managers = by(views.visits_by_manager(con, W123, Settings()), "ka_manager")
    assert list(managers) == ["Wang", "Li", "Zhao"]  # by visits, then name
    assert {k: (r["stores"], r["visits"], r["attack"], r["attack_visited"]) for k, r in managers.items()} == {
        "Wang": (2, 3, 0, 0), "Li": (2, 0, 0, 0), "Zhao": (1, 0, 1, 0),
    }  # fmt: skip
    q = by(views.quadrant_counts(con, W123, Settings()), "quadrant")
    assert list(q) == ["Attack", "Defend", "Maintain", "Monitor", "No data"]
    assert {k: r["stores"] for k, r in q.items()} == {
        "Attack": 1,
        "Defend": 2,
        "Maintain": 0,
        "Monitor": 1,
        "No data": 1,
    }
    assert q["Attack"]["opportunity"] == approx(150) and q["Defend"]["potential"] == approx(1500 + 600)


# An FSI of exactly 100 that floats compute as 99.99999999999999 -----------------------------

# West, Phones, one week. Market share 0.1 / 0.3. Gamma's store G1 sells 0.1 of 0.1 + 0.2:
# customer share 0.1 / 0.3 too, so FSI 100, but in floats 0.1 / 0.30000000000000004 / 0.3333… x 100
# = 99.99999999999999. Delta's store H1 sells 1 of 10: FSI 30.
EXACT = {
    "stores": [
        ("G1", "Store G1", "Gamma", "West", None, None, "Ma"),
        ("H1", "Store H1", "Delta", "West", None, None, "Ma"),
    ],
    "products": [("P1", "Ours", "Phones", True, None, None, None), ("X1", "Rival", "Phones", False, None, None, None)],
    "sales": [
        (tiny.W1, "G1", "P1", 1, 0.1),
        (tiny.W1, "G1", "X1", 1, 0.2),
        (tiny.W1, "H1", "P1", 1, 1.0),
        (tiny.W1, "H1", "X1", 1, 9.0),
    ],
    "market": [(tiny.W1, "West", "Phones", 0.3, 0.1)],
}


def test_chain_exactly_at_fair_share_agrees_everywhere(tmp_path):
    c = connect(tmp_path / "exact.duckdb")
    tiny.fill(c, EXACT)
    f, s = Filters(), Settings()
    gamma = rollup(c, f)["chain", "Gamma"]
    # The trap: the float is below 100, a plain `fsi < 100` calls Gamma below fair share.
    assert gamma["fair_share_index"] < 100 and round(gamma["fair_share_index"], 9) == 100
    assert gamma["below_fair_share"] == False  # noqa: E712
    # The Overview's chain table is the rollup, to the last bit.
    row = by(views.chain_summary(c, f, s), "chain")["Gamma"]
    for col in ("customer_share", "market_share", "fair_share_index", "opportunity"):
        assert row[col] == gamma[col], col
    # The store agrees: at fair share (Maintain: class C by potential), not Monitor.
    q = by(reports.run(c, "quadrants", f, s), "store_id")
    assert q["G1"]["fair_share_index"] < 100 and q["G1"]["quadrant"] == "Maintain"
    assert q["H1"]["quadrant"] == "Attack"
    # And the Visits page counts below-fair-share stores by the same rule: H1 only.
    below = [k for k, r in q.items() if r["quadrant"] in ("Attack", "Monitor")]
    assert views.visit_summary(c, f, s).below_fair_share == len(below) == 1
    # G1's market share exceeds its customer share by float noise only: no opportunity
    # (it was 1.7e-17, which listed G1 among the stores to visit), so nothing to visit there.
    fs = by(reports.run(c, "fair-share", f, s), "store_id")
    assert fs["G1"]["opportunity"] == 0 and gamma["opportunity"] == 0
    assert fs["H1"]["opportunity"] == approx((0.1 / 0.3 - 0.1) * 10)
    assert list(views.stores_to_visit(c, f, s)["store_id"]) == ["H1"]
    c.close()


def test_group_market_share_leaves_out_rows_without_one(tmp_path):
    """A row without a market share (its market sold nothing) makes its store No data; a group leaves it out."""
    rows = {k: list(v) for k, v in EXACT.items()}
    rows["stores"].append(("N1", "Store N1", "Gamma", "Nowhere", None, None, None))
    rows["sales"] += [(tiny.W1, "N1", "P1", 1, 1.0), (tiny.W1, "N1", "X1", 1, 1.0)]
    rows["market"].append((tiny.W1, "Nowhere", "Phones", 0.0, 0.0))
    c = connect(tmp_path / "nulls.duckdb")
    tiny.fill(c, rows)
    fs = by(reports.run(c, "fair-share"), "store_id")
    assert isnull(fs["N1"]["market_share"]) and isnull(fs["N1"]["opportunity"])
    assert by(reports.run(c, "quadrants"), "store_id")["N1"]["quadrant"] == "No data"
    gamma = rollup(c, Filters())["chain", "Gamma"]
    g1 = fs["G1"]
    # Customer share over every row; market share over G1's row only (N1's has none).
    assert gamma["customer_share"] == approx((0.1 + 1) / (0.1 + 0.2 + 2))
    assert gamma["market_share"] == approx(g1["market_share"])
    assert gamma["fair_share_index"] == approx(gamma["customer_share"] / g1["market_share"] * 100)
    assert gamma["opportunity"] == approx(g1["opportunity"]) and gamma["stores"] == 2
    c.close()
