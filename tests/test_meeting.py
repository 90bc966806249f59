"""Trend, targets and year on year (domain.md, "Trend, targets and year on year") on the hand fixture.

Phones, weeks w1-w3 of tests/tiny.py; the arithmetic is written out.
"""

from __future__ import annotations

import datetime as dt

import pytest

from ka_core import reports, views
from ka_core.db import connect
from ka_core.settings import Filters, Settings
from tests import tiny

W123 = Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 26))
PHONES = Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 26), categories=("Phones",))
W2, W3 = tiny.W2, tiny.W3
YEAR = dt.timedelta(weeks=52)

TARGETS = [
    # year, chain, category, revenue_target, share_target
    (2025, "Alpha", None, 1000, 0.2),
    (2025, "Alpha", "Phones", 500, 0),
    (2025, "Beta", None, 0, None),
    (2024, "Alpha", None, 999, 0.1),  # 2024 has no Monday in the period: not listed
]
# Store A's own phone sales in the same weeks a year later (for year on year).
LATER = [(w + YEAR, "A", "P1", 22, 110) for w in tiny.WEEKS]


@pytest.fixture
def con(tmp_path):
    c = connect(tmp_path / "tiny.duckdb")
    tiny.fill(c, {**tiny.ROWS, "targets": TARGETS, "sales": tiny.SALES + LATER})
    yield c
    c.close()


def by(df, *keys):
    """Rows keyed on columns, missing values (NaN) as None."""
    recs = [{k: (None if v != v else v) for k, v in r.items()} for r in df.to_dict("records")]
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in recs}


def test_trend_phones_by_week_and_chain(con):
    t = by(reports.run(con, "trend", PHONES), "week", "chain")
    # w1: A 100/400, B 50/250 (visit), C 60/200, E 10/600. North market = tracked A+B = 150/650,
    # South 200/1000, East 300/3000 (market table).
    ms_north = 150 / 650
    a1 = t[(tiny.W1, "Alpha")]
    assert a1["own_revenue"] == 170 and a1["category_revenue"] == 1200
    assert a1["customer_share"] == pytest.approx(170 / 1200)
    expected_ms = (ms_north * 400 + 0.2 * 200 + 0.1 * 600) / 1200
    assert a1["market_share"] == pytest.approx(expected_ms)
    assert a1["fair_share_index"] == pytest.approx(170 / 1200 / expected_ms * 100)
    assert a1["own_revenue_all"] == 170
    b1 = t[(tiny.W1, "Beta")]
    assert (b1["own_revenue"], b1["category_revenue"]) == (50, 250)
    assert b1["market_share"] == pytest.approx(ms_north)
    assert b1["fair_share_index"] == pytest.approx(0.2 / ms_north * 100)
    # w2: B has no category total, so Beta has no row; North's market is A alone, 100/400.
    assert (W2, "Beta") not in t
    assert t[(W2, "Alpha")]["market_share"] == pytest.approx((0.25 * 400 + 40 + 60) / 1200)
    # w3: B's later visit (200) wins: Beta 50/200, North (100 + 50)/(400 + 200) = 0.25, FSI 100.
    b3 = t[(W3, "Beta")]
    assert b3["customer_share"] == pytest.approx(0.25) and b3["fair_share_index"] == pytest.approx(100)
    assert len(t) == 5


def test_trend_market_share_ignores_the_chain_filter(con):
    beta = by(
        reports.run(con, "trend", Filters(tiny.W1, dt.date(2025, 1, 26), chains=("Beta",), categories=("Phones",))),
        "week",
        "chain",
    )
    assert set(beta) == {(tiny.W1, "Beta"), (W3, "Beta")}
    assert beta[(tiny.W1, "Beta")]["market_share"] == pytest.approx(150 / 650)


def test_trend_own_revenue_all_counts_unmatched_categories(con):
    # All categories: Alpha w1 also sells tablets (A 20 of 100): own 190 of 1300.
    a1 = by(reports.run(con, "trend", W123), "week", "chain")[(tiny.W1, "Alpha")]
    assert (a1["own_revenue"], a1["category_revenue"], a1["own_revenue_all"]) == (190, 1300, 190)
    # Beta in w2: B sold 50 but no total is known, so no trend row (matched rows only).
    assert (W2, "Beta") not in by(reports.run(con, "trend", W123), "week", "chain")


def test_targets_year_to_date(con):
    t = by(reports.run(con, "targets", W123), "chain", "category")
    assert set(t) == {("Alpha", None), ("Alpha", "Phones"), ("Beta", None)}
    # Weeks of 2025 to the period's last week (w3): Jan 6, 13, 20 = 3 of 52 Mondays.
    alpha = t[("Alpha", None)]
    assert alpha["year"] == 2025
    # Own: A 3 x (100 + 20), C 3 x 60, E 3 x 10 = 570; matched: the same over 1200 + 300 + 600 + 1800.
    assert alpha["own_revenue"] == 570
    assert alpha["attainment"] == pytest.approx(0.57)
    assert alpha["expected"] == pytest.approx(3 / 52)
    assert alpha["customer_share"] == pytest.approx(570 / 3900)
    assert alpha["share_gap"] == pytest.approx(570 / 3900 - 0.2)
    phones = t[("Alpha", "Phones")]
    assert phones["own_revenue"] == 510 and phones["attainment"] == pytest.approx(1.02)
    assert phones["customer_share"] == pytest.approx(510 / 3600)
    assert phones["share_gap"] is None  # share target 0: NULL
    beta = t[("Beta", None)]
    assert beta["own_revenue"] == 150
    assert beta["attainment"] is None and beta["share_gap"] is None  # targets 0 and blank: NULL
    assert beta["customer_share"] == pytest.approx(100 / 450)  # w1 50/250, w3 50/200


def test_targets_count_from_the_first_week_of_the_year_whatever_from_says(con):
    # From w2 to Mar 30: year to date runs Jan 6 .. Mar 24, 2025: 12 weeks.
    t = by(reports.run(con, "targets", Filters(W2, dt.date(2025, 3, 30), chains=("Alpha",))), "year", "category")
    alpha = t[(2025, None)]
    # 570 in w1-w3, then A's promotion timeline 500 + 50 + 100 + 70 + 120 + 96 + 45 + 55 = 1036.
    assert alpha["own_revenue"] == 570 + 1036
    assert alpha["expected"] == pytest.approx(12 / 52)
    # No end: up to the latest sales week (Jan 19, 2026), so 2025 is whole (and 2026 has no row).
    t = by(reports.run(con, "targets", Filters(date_from=W2, chains=("Alpha",))), "year", "category")
    assert set(t) == {(2025, None), (2025, "Phones")}
    assert t[(2025, None)]["expected"] == 1.0


def test_targets_category_and_chain_filters(con):
    phones = reports.run(con, "targets", PHONES)
    assert list(zip(phones["chain"], phones["category"], strict=True)) == [("Alpha", "Phones")]
    beta = reports.run(con, "targets", Filters(tiny.W1, dt.date(2025, 1, 26), chains=("Beta",)))
    assert list(beta["chain"]) == ["Beta"]
    # South only: Alpha's store C (180 own of 600) and Beta's D (no sales).
    south = by(
        reports.run(con, "targets", Filters(tiny.W1, dt.date(2025, 1, 26), regions=("South",))), "chain", "category"
    )
    assert south[("Alpha", None)]["own_revenue"] == 180
    assert south[("Beta", None)]["own_revenue"] == 0


def test_year_on_year_same_weeks_52_weeks_earlier(con):
    now = Filters(tiny.W1 + YEAR, dt.date(2025, 1, 26) + YEAR, categories=("Phones",))
    assert views.year_ago(now) == PHONES
    yoy = views.yoy_kpis(con, now, Settings())
    assert yoy == views.kpis(con, PHONES, Settings())
    cur = views.kpis(con, now, Settings())
    # Own sales 3 x 110 = 330 now, 3 x (100 + 50 + 60 + 10) = 660 a year before: -50%.
    assert cur.own_sales == 330 and yoy.own_sales == 660
    assert views.kpi_changes(cur, yoy)["own_sales"] == pytest.approx(-0.5)


def test_year_on_year_needs_sales_in_every_week(con):
    # A year before w1-w4 + 52: w4 (2025-01-27) has sales only for store A; with chain Beta, none.
    beta = Filters(tiny.W1 + YEAR, dt.date(2025, 2, 2) + YEAR, chains=("Beta",))
    assert views.yoy_kpis(con, beta, Settings()) is None
    alpha = Filters(tiny.W1 + YEAR, dt.date(2025, 2, 2) + YEAR, chains=("Alpha",))
    assert views.yoy_kpis(con, alpha, Settings()) is not None
    assert views.yoy_kpis(con, Filters(), Settings()) is None  # open period


# The Overview (AppTest) -------------------------------------------------------------------


@pytest.fixture
def overview(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "tiny.duckdb"
    c = connect(path)
    tiny.fill(c, {**tiny.ROWS, "targets": TARGETS, "sales": tiny.SALES + LATER})
    c.close()
    monkeypatch.setenv("KA_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()

    def make(start: dt.date, end: dt.date, **state) -> AppTest:
        at = AppTest.from_file(str(tiny.__file__).replace("tests/tiny.py", "app.py"), default_timeout=60)
        at.session_state["preset"] = "custom"
        at.session_state["custom_range"] = (start, end)
        for k, v in state.items():
            at.session_state[k] = v
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield make
    st.cache_resource.clear()


def test_overview_kpis_carry_year_on_year_and_the_previous_period(overview):
    at = overview(tiny.W1 + YEAR, dt.date(2025, 1, 26) + YEAR, categories=["Phones"])
    cards = {m.label: m for m in at.metric}
    # Own sales 330 against 660 a year before (-50.0%); the previous 3 weeks had none.
    assert cards["Own sales"].value == "¥330"
    assert cards["Own sales"].delta == "-50.0% YoY"
    assert "vs a year ago" in at.caption[0].value


def test_overview_shows_the_targets_report(overview):
    at = overview(tiny.W1, dt.date(2025, 1, 26))
    targets = at.dataframe[0].value
    assert list(targets["Chain"]) == ["Alpha", "Alpha", "Beta"]
    assert targets["Attainment"].tolist()[0] == pytest.approx(57.0)  # 570 of 1000, in %
    # No year-ago sales (2024): the card compares with the previous period only.
    assert all("YoY" not in (m.delta or "") for m in at.metric)


def test_overview_meeting_pack_button_makes_the_workbook(overview):
    at = overview(tiny.W1, dt.date(2025, 1, 26), lang="zh")
    at.radio(key="pack_kind").set_value("xlsx").run()
    at.button(key="pack_make").click().run()
    assert not at.exception, [e.value for e in at.exception]
    kind, data = at.session_state["pack_file"]
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    assert kind == "xlsx" and wb.worksheets[0]["A1"].value == "重点客户：会议资料"


def test_store_page_shows_one_stores_weeks_promotions_and_visits(overview):
    at = overview(tiny.W1, dt.date(2025, 3, 30), store_page="A")
    at.switch_page("pages/store.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Store A (A)" in at.title[0].value
    cards = {m.label: m.value for m in at.metric}
    # Store A over w1-w3 and the later weeks: phones 300/1200 matched, tablets 60/300.
    assert cards["Customer share"] == "24.0%"  # (300 + 60) / (1200 + 300)
    promos = at.dataframe[0].value
    assert set(promos["Promotion"]) >= {"PR1"}
