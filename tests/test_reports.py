"""Every report column against values worked out by hand on tests/tiny.py.

The arithmetic is written out so that a reader can check it against domain.md.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from ka_core import reports
from ka_core.db import connect
from ka_core.settings import Filters, Settings
from tests import tiny

W123 = Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 26))
PHONES = Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 26), categories=("Phones",))
PROMO = Settings(baseline_weeks=4, post_weeks=2)

# Market shares, Phones, w1-w3
MS_NORTH = (300 + 100) / (1200 + 450)  # tracked stores A and B (no market rows)
MS_SOUTH = (200 * 3) / (1000 * 3)  # market table
MS_EAST = (300 * 3) / (3000 * 3)  # market table
MS_NORTH_TABLETS = 60 / 300  # only A sells tablets


@pytest.fixture
def con(tmp_path):
    c = connect(tmp_path / "tiny.duckdb")
    tiny.fill(c)
    yield c
    c.close()


def by(df: pd.DataFrame, *keys: str) -> dict:
    """Rows of a report keyed on one or more columns, as dicts."""
    out = {}
    for row in df.to_dict("records"):
        k = row[keys[0]] if len(keys) == 1 else tuple(row[k] for k in keys)
        out[k] = row
    return out


def approx(x):
    return pytest.approx(x, rel=1e-9, abs=1e-9)


def isnull(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT


def test_columns_are_the_contracts(con):
    for name, report in reports.REPORTS.items():
        assert tuple(reports.run(con, name).columns) == report.columns


# fair-share -------------------------------------------------------------------------------


def test_fair_share_worked_example(con):
    rows = by(reports.run(con, "fair-share", PHONES), "store_id")
    assert set(rows) == {"A", "B", "C", "E"}  # D has no matched week
    a, b = rows["A"], rows["B"]
    assert (a["own_revenue"], a["category_revenue"]) == (300, 1200)
    assert a["customer_share"] == approx(0.25)
    # B: visits give w1 = 250 and w3 = 200 (Friday beats Tuesday); w2 unmatched.
    assert (b["own_revenue"], b["category_revenue"]) == (100, 450)
    assert b["customer_share"] == approx(100 / 450)
    assert a["market_share"] == approx(MS_NORTH) and MS_NORTH == approx(0.2424242424)
    assert a["fair_share_index"] == approx(0.25 / MS_NORTH * 100)
    assert round(a["fair_share_index"], 1) == 103.1
    assert round(b["fair_share_index"], 1) == 91.7
    assert a["opportunity"] == 0
    assert b["opportunity"] == approx((MS_NORTH - 100 / 450) * 450)
    assert round(b["opportunity"], 2) == 9.09


def test_fair_share_aggregate_competitor_row_and_market_table(con):
    rows = by(reports.run(con, "fair-share", PHONES), "store_id")
    c, e = rows["C"], rows["E"]
    # C: own 60 + OTHER-Phones 140 = 200 a week, 3 weeks.
    assert (c["own_revenue"], c["category_revenue"]) == (180, 600)
    assert c["customer_share"] == approx(0.3)
    assert c["market_share"] == approx(MS_SOUTH)  # from the market table, not C alone (0.3)
    assert c["fair_share_index"] == approx(150)
    assert c["opportunity"] == 0
    assert (e["own_revenue"], e["category_revenue"]) == (30, 1800)
    assert e["market_share"] == approx(MS_EAST)
    assert e["fair_share_index"] == approx((30 / 1800) / 0.1 * 100)
    assert e["opportunity"] == approx((0.1 - 30 / 1800) * 1800)  # = 150


def test_fair_share_second_category(con):
    rows = by(reports.run(con, "fair-share", W123), "store_id", "category")
    t = rows[("A", "Tablets")]
    assert (t["own_revenue"], t["category_revenue"]) == (60, 300)
    assert t["market_share"] == approx(MS_NORTH_TABLETS)
    assert t["fair_share_index"] == approx(100)
    assert ("B", "Tablets") not in rows  # B has Tablets visits but no category total


def test_chain_filter_does_not_move_market_share(con):
    beta = Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 26), chains=("Beta",), categories=("Phones",))
    rows = by(reports.run(con, "fair-share", beta), "store_id")
    assert set(rows) == {"B"}
    assert rows["B"]["market_share"] == approx(MS_NORTH)


def test_period_filter_changes_matched_weeks(con):
    only_w3 = Filters(date_from=dt.date(2025, 1, 22), date_to=dt.date(2025, 1, 22), categories=("Phones",))
    rows = by(reports.run(con, "fair-share", only_w3), "store_id")
    # The week overlapping 2025-01-22 is w3: B's total is the Friday visit, 200.
    assert (rows["B"]["own_revenue"], rows["B"]["category_revenue"]) == (50, 200)
    assert rows["A"]["market_share"] == approx((100 + 50) / (400 + 200))


def test_national_level_falls_back_to_tracked_stores(con):
    rows = by(reports.run(con, "fair-share", PHONES, Settings(level="national")), "store_id")
    # The market table lacks North, so: all tracked stores of every region.
    national = (300 + 100 + 180 + 30) / (1200 + 450 + 600 + 1800)
    for store in "ABCE":
        assert rows[store]["market_share"] == approx(national)
    assert rows["A"]["fair_share_index"] == approx(0.25 / national * 100)


def test_national_level_uses_market_table_when_it_covers_every_region(con):
    tiny.insert(con, "market", [(w, "North", "Phones", 2000, 500) for w in tiny.WEEKS])
    rows = by(reports.run(con, "fair-share", PHONES, Settings(level="national")), "store_id")
    national = (200 + 300 + 500) * 3 / ((1000 + 3000 + 2000) * 3)
    assert rows["B"]["market_share"] == approx(national)
    # and at region level North now uses its market rows too
    rows = by(reports.run(con, "fair-share", PHONES), "store_id")
    assert rows["B"]["market_share"] == approx(0.25)


# quadrants -------------------------------------------------------------------------------


def test_quadrants_across_categories(con):
    rows = by(reports.run(con, "quadrants", W123), "store_id")
    assert set(rows) == {"A", "B", "C", "D", "E"}
    a = rows["A"]
    # A: Phones 1200 + Tablets 300; own 300 + 60.
    assert (a["potential"], a["own_revenue"]) == (1500, 360)
    assert a["customer_share"] == approx(360 / 1500)
    expected = (MS_NORTH * 1200 + MS_NORTH_TABLETS * 300) / 1500
    assert a["market_share"] == approx(expected)
    assert a["fair_share_index"] == approx(0.24 / expected * 100)
    assert a["opportunity"] == 0
    # Potentials: E 1800, A 1500, C 600, B 450 (total 4350).
    # cum_before: E 0, A 1800/4350 = .41, C 3300/4350 = .76 -> class A; B 3900/4350 = .90 -> B.
    assert rows["E"]["quadrant"] == "Attack"  # class A, FSI 16.7
    assert a["quadrant"] == "Defend"  # class A, FSI 102.6
    assert rows["C"]["quadrant"] == "Defend"  # class A, FSI 150
    assert rows["B"]["quadrant"] == "Monitor"  # class B, FSI 91.7
    assert rows["D"]["quadrant"] == "No data"
    assert isnull(rows["D"]["potential"]) and isnull(rows["D"]["fair_share_index"])
    assert rows["E"]["opportunity"] == approx(150)


def test_quadrants_boundary_cum_before_equal_to_cut_is_not_a(con):
    rows = by(reports.run(con, "quadrants", PHONES), "store_id")
    # Phones only: E 1800, A 1200, C 600, B 450 (4050): B's cum_before = 3600/4050 = .889.
    assert rows["B"]["quadrant"] == "Monitor"
    rows = by(reports.run(con, "quadrants", PHONES, Settings(a_cut=0.9, b_cut=0.95)), "store_id")
    assert rows["B"]["quadrant"] == "Attack"  # now class A, FSI 91.7 < 100


def test_quadrants_settings_move_stores(con):
    rows = by(reports.run(con, "quadrants", PHONES, Settings(fsi_threshold=110)), "store_id")
    assert rows["A"]["quadrant"] == "Attack"  # FSI 103.1 < 110
    assert rows["C"]["quadrant"] == "Defend"  # FSI 150


def test_quadrants_classes_within_the_chain_filter(con):
    beta = Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 26), chains=("Beta",))
    rows = by(reports.run(con, "quadrants", beta), "store_id")
    assert set(rows) == {"B", "D"}
    # Within Beta, B is the only store with a known potential: class A, FSI 91.7.
    assert rows["B"]["quadrant"] == "Attack"
    assert rows["B"]["market_share"] == approx(MS_NORTH)


# ka-list and pareto --------------------------------------------------------------------


def test_ka_list(con):
    df = reports.run(con, "ka-list", W123)
    rows = by(df, "store_id")
    # Own revenue over every week (B's unmatched w2 counts): A 300+60, C 180, B 150, E 30, D 0.
    assert {k: r["own_revenue"] for k, r in rows.items()} == {"A": 360, "C": 180, "B": 150, "E": 30, "D": 0}
    assert list(df["store_id"]) == ["A", "C", "B", "E", "D"]
    # cum_before by own (total 720): A 0, C .5, B .75 -> A; E 690/720 = .958 -> C; D 1 -> C.
    assert {k: r["abc_by_own"] for k, r in rows.items()} == {"A": "A", "C": "A", "B": "A", "E": "C", "D": "C"}
    assert {k: r["abc_by_potential"] for k, r in rows.items() if k != "D"} == {
        "A": "A",
        "C": "A",
        "B": "B",
        "E": "A",
    }
    assert isnull(rows["D"]["abc_by_potential"]) and isnull(rows["D"]["ka_by_potential"])
    assert rows["E"]["change"] == "missed"
    assert rows["B"]["change"] == "over-served"
    assert all(isnull(rows[k]["change"]) for k in "ACD")
    assert bool(rows["B"]["ka_by_own"]) and not bool(rows["B"]["ka_by_potential"])


def test_abc_ties_go_by_key(tmp_path):
    c = connect(tmp_path / "ties.duckdb")
    tiny.fill(
        c,
        {
            "stores": [("S2", "Two", "Z", "R", None, None, None), ("S1", "One", "Z", "R", None, None, None)],
            "products": [("K", "Ours", "Cat", True, None, None, None)],
            "sales": [(tiny.W1, "S1", "K", 1, 100), (tiny.W1, "S2", "K", 1, 100)],
        },
    )
    rows = by(reports.run(c, "ka-list", settings=Settings(a_cut=0.5, b_cut=0.9)), "store_id")
    # Equal own revenue: S1 first (key ascending), cum_before 0 -> A; S2 0.5, not < 0.5 -> B.
    assert (rows["S1"]["abc_by_own"], rows["S2"]["abc_by_own"]) == ("A", "B")
    c.close()


def test_pareto(con):
    df = reports.run(con, "pareto", W123)
    assert list(df["chain"]) == ["Alpha", "Beta"]
    alpha, beta = by(df, "chain")["Alpha"], by(df, "chain")["Beta"]
    assert alpha["own_revenue"] == 360 + 180 + 30 and beta["own_revenue"] == 150
    assert alpha["share"] == approx(570 / 720) and alpha["cum_share"] == approx(570 / 720)
    assert beta["cum_share"] == approx(1.0)
    # Alpha cum_before 0 -> A; Beta 570/720 = .79 -> A.
    assert (alpha["abc"], beta["abc"]) == ("A", "A")
    df = reports.run(con, "pareto", W123, Settings(a_cut=0.75))
    assert list(df["abc"]) == ["A", "B"]


# promotions -------------------------------------------------------------------------


def test_promo_lift_worked_example(con):
    rows = by(reports.run(con, "promo-lift", settings=PROMO), "promo_id", "store_id", "sku")
    r = rows[("PR1", "A", "P1")]
    # Baseline window 02-03..02-24: 10, (no row), 20 (PR0: skipped), 14 -> 12. 01-27 is outside.
    assert r["baseline_units"] == approx(12)
    assert r["promo_units"] == approx(27)
    assert r["lift_pct"] == approx(125)
    assert r["incremental_units"] == approx(18 + 12)
    # Revenue: baseline (50 + 70) / 2 = 60; promo 120 and 96.
    assert r["incremental_revenue"] == approx((120 - 60) + (96 - 60))
    assert r["incremental_gross_profit"] == approx(96 - 30 * 2.0)
    # Post weeks 03-17, 03-24: 9 and 11 -> (10 / 12 - 1) * 100.
    assert r["post_dip_pct"] == approx((10 / 12 - 1) * 100)
    assert round(r["post_dip_pct"], 1) == -16.7
    # OOS: 03-05 lists P1 (counted), 03-11 lists X1 only, 03-14 is after the end.
    assert r["oos_visits"] == 1
    assert (r["chain"], r["mechanic"]) == ("Alpha", "DM")
    assert r["start_date"] == dt.date(2025, 3, 4)


def test_promo_lift_overlapping_and_post_window(con):
    rows = by(reports.run(con, "promo-lift", settings=PROMO), "promo_id", "store_id", "sku")
    r = rows[("PR0", "A", "P1")]
    # Baseline window 01-20..02-10: 20, 100, 10, (no row) -> 130/3.
    b = 130 / 3
    assert r["baseline_units"] == approx(b)
    assert r["promo_units"] == 20
    assert r["lift_pct"] == approx((20 / b - 1) * 100)
    assert r["incremental_units"] == approx(20 - b)
    assert r["incremental_revenue"] == approx(100 - (100 + 500 + 50) / 3)
    assert r["incremental_gross_profit"] == approx((100 - 650 / 3) - (20 - b) * 2.0)
    # Post window 02-24 (14) and 03-03 (under PR1: skipped).
    assert r["post_dip_pct"] == approx((14 / b - 1) * 100)


def test_promo_lift_blank_store_and_sku_and_insufficient_baseline(con):
    df = reports.run(con, "promo-lift", settings=PROMO)
    pr2 = df[df["promo_id"] == "PR2"]
    # PR2 names every Beta store (B, D) and every own SKU of Ours (P1, T1); only B/P1 sold.
    assert list(zip(pr2["store_id"], pr2["sku"], strict=True)) == [("B", "P1")]
    r = pr2.iloc[0]
    # Baseline window 2024-12-16..2025-01-06 has one week (w1): insufficient.
    assert isnull(r["baseline_units"]) and isnull(r["lift_pct"])
    assert isnull(r["incremental_units"]) and isnull(r["incremental_gross_profit"])
    assert r["promo_units"] == 10


def test_promo_lift_baseline_weeks_setting(con):
    rows = by(reports.run(con, "promo-lift", settings=Settings(baseline_weeks=2, post_weeks=2)), "promo_id")
    # Two weeks before PR1: 02-17 (PR0, skipped) and 02-24 (14): one week, insufficient.
    assert isnull(rows["PR1"]["baseline_units"])
    rows = by(reports.run(con, "promo-lift", settings=Settings(baseline_weeks=5, post_weeks=1)), "promo_id")
    # Five weeks: 01-27 (100) joins: (100 + 10 + 14) / 3.
    assert rows["PR1"]["baseline_units"] == approx(124 / 3)
    assert rows["PR1"]["post_dip_pct"] == approx((9 / (124 / 3) - 1) * 100)


def test_promo_mechanics_median_lift_by_hand(tmp_path):
    """The Promotions page's lift by mechanic: PR0 made a DM too, so DM has two rows with a baseline:
    PR1/A/P1 125% and PR0/A/P1 (20 / (130/3) - 1) x 100 = -53.85% (the two tests above).
    Median of two = their mean 35.58%; incremental revenue 96 + (100 - 650/3) = -20.67.
    PR2 (TG) has no baseline: no TG row."""
    c = connect(tmp_path / "mech.duckdb")
    promos = [(p[0], p[1], "DM", *p[3:]) if p[0] == "PR0" else p for p in tiny.PROMOTIONS]
    tiny.fill(c, {**tiny.ROWS, "promotions": promos})
    df = reports.run_query(c, "promo-mechanics", settings=PROMO)
    assert list(df["mechanic"]) == ["DM"]
    r = df.iloc[0]
    lifts = [125, (20 / (130 / 3) - 1) * 100]
    assert r["lift_pct"] == approx(sum(lifts) / 2) and round(r["lift_pct"], 2) == 35.58
    assert r["incremental_revenue"] == approx(96 + (100 - 650 / 3))
    assert r["rows"] == 2
    # With the fixture as it is (PR1 DM, PR0 TPR): one row each, highest lift first.
    df = reports.run_query(connect_tiny(tmp_path), "promo-mechanics", settings=PROMO)
    assert list(df["mechanic"]) == ["DM", "TPR"] and list(df["rows"]) == [1, 1]
    assert df["lift_pct"].tolist() == approx(lifts)


def connect_tiny(tmp_path):
    c = connect(tmp_path / "tiny2.duckdb")
    tiny.fill(c, tiny.ROWS)
    return c


def test_promo_summary(con):
    rows = by(reports.run(con, "promo-summary", settings=PROMO), "promo_id")
    assert list(rows) == ["PR2", "PR0", "PR1"]  # by start date
    p1 = rows["PR1"]
    assert p1["stores"] == 1
    assert p1["incremental_units"] == approx(30)
    assert p1["incremental_gross_profit"] == approx(36)
    assert p1["cost"] == 30
    assert p1["roi"] == approx((36 - 30) / 30)
    assert p1["target_met"] is True or p1["target_met"] == True  # noqa: E712 (54 units >= 50)
    p0 = rows["PR0"]
    assert isnull(p0["roi"])  # cost 0
    assert isnull(p0["target_met"])  # no target
    p2 = rows["PR2"]
    assert p2["stores"] == 1
    assert isnull(p2["incremental_units"]) and isnull(p2["incremental_gross_profit"])
    assert isnull(p2["roi"])  # no gross profit
    assert p2["target_met"] == False  # noqa: E712 (10 units < 100)


def test_promo_period_filter_keeps_overlapping_promotions(con):
    feb = Filters(date_from=dt.date(2025, 2, 23), date_to=dt.date(2025, 2, 28))
    rows = by(reports.run(con, "promo-summary", feb, PROMO), "promo_id")
    # The week of 02-23 is 02-17 (PR0); 02-24..02-28 overlaps no PR1 week.
    assert list(rows) == ["PR0"]
    # Its baseline still reaches back before the period.
    lift = reports.run(con, "promo-lift", feb, PROMO)
    assert lift.iloc[0]["baseline_units"] == approx(130 / 3)


def test_promo_region_filter_selects_rows_summary_keeps_whole_promotion(con):
    north = Filters(regions=("South",))
    assert reports.run(con, "promo-lift", north, PROMO).empty
    assert reports.run(con, "promo-summary", north, PROMO).empty


# visits ------------------------------------------------------------------------------


def test_visit_coverage(con):
    rows = by(reports.run(con, "visit-coverage", W123), "store_id")
    b = rows["B"]
    # Visits (store, date, rep): 01-08 R1, 01-21 R1, 01-24 R2 (two category rows, one visit).
    assert b["visits"] == 3
    assert b["last_visit"] == dt.date(2025, 1, 24)
    assert b["days_since_last_visit"] == 2  # to 2025-01-26
    assert b["share_of_shelf"] == approx((2 + 3 + 1) / (10 + 10 + 4))  # rows with both facings
    assert b["price_compliance"] == approx(2 / 3)  # Y, N, Y known
    assert b["oos_rate"] == approx(1 / 4)
    assert b["quadrant"] == "Monitor" and b["ka_manager"] == "Wang"
    a = rows["A"]
    assert a["visits"] == 0 and isnull(a["last_visit"]) and isnull(a["days_since_last_visit"])
    assert isnull(a["share_of_shelf"]) and isnull(a["oos_rate"])


def test_visit_coverage_category_filter_and_default_period_end(con):
    rows = by(reports.run(con, "visit-coverage", PHONES), "store_id")
    b = rows["B"]
    assert b["visits"] == 3
    assert b["share_of_shelf"] == approx((2 + 3) / (10 + 10))
    assert b["price_compliance"] == approx(1 / 2)
    assert b["oos_rate"] == approx(1 / 3)
    rows = by(reports.run(con, "visit-coverage"), "store_id")
    # No --to: the later of the last visit (03-14) and the Sunday of the last sales week (03-30).
    assert rows["A"]["last_visit"] == dt.date(2025, 3, 14)
    assert rows["A"]["days_since_last_visit"] == (dt.date(2025, 3, 30) - dt.date(2025, 3, 14)).days
    assert rows["B"]["days_since_last_visit"] == (dt.date(2025, 3, 30) - dt.date(2025, 1, 24)).days


def test_empty_warehouse_gives_empty_reports(tmp_path):
    c = connect(tmp_path / "empty.duckdb")
    for name in reports.REPORTS:
        if name == "visit-effect":
            # domain.md: without events, the 13 weeks -6..+6 with events 0 and the rest NULL.
            ve = reports.run(c, name)
            assert ve["rel_week"].tolist() == list(range(-6, 7)) and (ve["events"] == 0).all()
            assert ve[["effect_pct", "low", "high"]].isna().all().all()
        else:
            assert reports.run(c, name).empty
    c.close()


# issue 11: sheet mistakes ------------------------------------------------------------------


def test_a_visit_total_below_own_sales_counts_as_own_sales(con):
    # B sells 50 of its own phones each week; a visit in w2 reports only 30: T = max(30, 50) = 50.
    tiny.insert(con, "visits", [(dt.date(2025, 1, 15), "B", "R1", "Phones", 30, *[None] * 8)])
    b = by(reports.run(con, "fair-share", PHONES), "store_id")["B"]
    assert b["own_revenue"] == approx(150)  # w1, w2, w3 matched now
    assert b["category_revenue"] == approx(250 + 50 + 200)
    assert b["customer_share"] == approx(150 / 500)


def test_days_since_last_visit_count_to_the_sunday_of_the_last_week(con):
    # --to is Wednesday 2025-01-22; B's last visit, Friday 01-24, is in that week: 2 days to Sunday 01-26.
    f = Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 22))
    b = by(reports.run(con, "visit-coverage", f), "store_id")["B"]
    assert b["last_visit"] == dt.date(2025, 1, 24)
    assert b["days_since_last_visit"] == 2


def test_every_report_column_is_a_json_number_string_or_date(con):
    """No DECIMAL leaks from SQL sums (JSON and Spark read them differently): counts are integers."""
    import pyarrow as pa

    for name in reports.REPORTS:
        for f in reports.run_arrow(con, name).schema:
            assert not pa.types.is_decimal(f.type), (name, f.name, f.type)
