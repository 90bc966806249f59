"""Every page with AppTest on the tiny warehouse: no exception, and the numbers equal the reports."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.data import Warehouse
from ka_core import db, fmt, i18n, reports, views
from ka_core.settings import Filters, Settings
from tests import apptest, tiny

APP = apptest.APP
PAGES = ["overview", "share", "quadrants", "promotions", "visits", "data"]
ANALYSIS = [p for p in PAGES if p != "data"]  # the pages that show numbers for the filters
# The tiny warehouse's latest sales week is 2025-03-24; the default preset is 13 weeks.
LAST_13 = Filters(date_from=dt.date(2024, 12, 30), date_to=dt.date(2025, 3, 30))


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tiny.warehouse(tmp_path_factory.mktemp("app") / "tiny.duckdb")
    return path


@pytest.fixture
def app(warehouse, monkeypatch):
    yield from apptest.serving(warehouse, monkeypatch)


def expected(name: str, f: Filters = LAST_13, s: Settings | None = None):
    # Read-only, as the app holds it: one process opens a file with one configuration.
    c = db.connect(db.db_path(), read_only=True)
    try:
        return reports.run(c, name, f, s or Settings())
    finally:
        c.close()


def shown(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A report as a page's table shows it: metric labels as headers, money in whole units, shares in %."""
    from ka_core import metrics

    out = df.copy()
    for c in out.columns:
        fmt = metrics.METRICS[c].fmt
        if fmt == metrics.MONEY:
            out[c] = out[c].round(0)
        elif fmt == metrics.SHARE:
            out[c] = (out[c] * 100).round(1)
        elif fmt in (metrics.NUMBER, metrics.PCT):
            out[c] = out[c].round(1)
    return out.rename(columns={c: i18n.label(c, lang) for c in out.columns})


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_in_both_languages(app, page):
    at = app(page)
    assert at.title[0].value
    zh = app(page, lang="zh")
    assert zh.title[0].value != at.title[0].value
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.title[0].value)


def test_overview_kpis_equal_the_reports(app):
    at = app("overview")
    metrics = {m.label: m.value for m in at.metric}
    ka = expected("ka-list")
    q = expected("quadrants")
    assert metrics["Own sales"] == fmt.money(ka["own_revenue"].sum(), "en")
    assert metrics["Attack stores"] == str(int((q["quadrant"] == "Attack").sum()))
    known = q.dropna(subset=["potential"])
    assert metrics["Customer share"] == fmt.pct(known["own_revenue"].sum() / known["potential"].sum(), "en")
    promo = expected("promo-summary")
    paid = promo.dropna(subset=["incremental_gross_profit", "cost"])
    paid = paid[paid["cost"] > 0]
    roi = (paid["incremental_gross_profit"].sum() - paid["cost"].sum()) / paid["cost"].sum()
    assert metrics["Promotion ROI"] == fmt.pct(roi, "en", 0)


def test_overview_stores_to_visit_table(app, warehouse):
    at = app("overview")
    c = db.connect(warehouse, read_only=True)
    want = views.stores_to_visit(c, LAST_13, Settings())
    c.close()
    got = at.dataframe[1].value
    assert list(got[i18n.label("store_id", "en")]) == list(want["store_id"])
    assert got[i18n.label("opportunity", "en")].tolist() == want["opportunity"].round(0).tolist()


def test_overview_chain_table_equals_the_reports(app):
    at = app("overview")
    got = at.dataframe[0].value.set_index(i18n.label("chain", "en"))
    pareto, q = expected("pareto"), expected("quadrants")
    assert list(got.index) == list(pareto["chain"])
    for chain in pareto["chain"]:
        stores = q[(q["chain"] == chain)].dropna(subset=["potential", "market_share"])
        cs = stores["own_revenue"].sum() / stores["potential"].sum()
        ms = (stores["market_share"] * stores["potential"]).sum() / stores["potential"].sum()
        row = got.loc[chain]
        assert row["Own sales"] == round(pareto.set_index("chain").at[chain, "own_revenue"])
        assert row["Customer share"] == round(cs * 100, 1)
        assert row["Fair-share index"] == pytest.approx(cs / ms * 100)
        assert row["Attack stores"] == int((q[q["chain"] == chain]["quadrant"] == "Attack").sum())


def test_chain_filter_changes_every_number(app):
    at = app("overview", chains=["Beta"])
    f = Filters(date_from=LAST_13.date_from, date_to=LAST_13.date_to, chains=("Beta",))
    ka = expected("ka-list", f)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Own sales"] == fmt.money(ka["own_revenue"].sum(), "en")
    assert metrics["Attack stores"] == "1"  # within Beta, B is class A and below fair share


def test_share_page_table_equals_fair_share_report(app):
    at = app("share")
    got = at.dataframe[0].value.reset_index(drop=True)
    want = shown(expected("fair-share"))
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_share_page_selected_store(app):
    at = app("share", share_store="B")
    assert at.selectbox(key="share_store").value == "B"
    visits = at.dataframe[1].value
    # B's visits in the period: three Phones rows and one Tablets row.
    assert len(visits) == 4


def test_quadrants_page_cut_sliders_are_the_settings(app):
    at = app("quadrants", fsi_threshold=110)
    assert at.slider(key="page_fsi_threshold").value == 110
    got = at.dataframe[0].value
    want = expected("ka-list")
    flagged = want[want["ka_by_own"].fillna(False).astype(bool) | want["ka_by_potential"].fillna(False).astype(bool)]
    assert sorted(got[i18n.label("store_id", "en")]) == sorted(flagged["store_id"])
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Missed: KA by potential only"]) == int((want["change"] == "missed").sum())


def test_promotions_page_and_selected_promotion(app):
    at = app("promotions", promo_pick="PR1", baseline_weeks=4, post_weeks=2)
    summary = expected("promo-summary", s=Settings(baseline_weeks=4, post_weeks=2))
    tables = [d.value for d in at.dataframe]
    full = tables[2]
    assert list(full[i18n.label("promo_id", "en")]) == list(summary["promo_id"])
    rows = tables[3]
    assert rows[i18n.label("baseline_units", "en")].tolist() == [12.0]  # domain.md's worked example
    assert rows[i18n.label("lift_pct", "en")].tolist() == [pytest.approx(125.0)]


def test_visits_page_equals_visit_coverage(app):
    at = app("visits")
    got = at.dataframe[-1].value.reset_index(drop=True)
    want = shown(expected("visit-coverage"))
    assert list(got[i18n.label("store_id", "en")]) == list(want[i18n.label("store_id", "en")])
    assert got[i18n.label("visits", "en")].tolist() == want[i18n.label("visits", "en")].tolist()


@pytest.mark.parametrize("page", ANALYSIS)
def test_empty_filter_shows_a_message_not_an_error(app, page):
    at = app(page, preset="custom", custom_range=(dt.date(2030, 1, 1), dt.date(2030, 2, 1)))
    assert any("Nothing matches" in i.value for i in at.info)


def test_data_page_history_and_undo_after_confirmation(tmp_path, monkeypatch):
    import streamlit as st

    from ka_core import loading

    path = tmp_path / "undo.duckdb"
    c = db.connect(path)
    tiny.fill(c, {"stores": tiny.STORES, "products": tiny.PRODUCTS})
    f = tmp_path / "sales.csv"
    f.write_text("week,store_id,sku,units,revenue\n2025-01-06,A,P1,1,10\n")
    loading.load_files(c, "sales", [f], user="Li")
    c.close()
    monkeypatch.setenv("KA_DB", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page("pages/data.py").run()
    assert not at.exception
    history = at.dataframe[0].value
    assert list(history["File"]) == ["sales.csv"] and list(history["By"]) == ["Li"]
    assert list(history["Status"]) == [""] and "None" not in history.to_string()  # issue 11
    assert at.selectbox(key="undo_id").value is None  # nothing preselected (issue 11)
    assert not at.button or all("Undo" not in b.label for b in at.button)
    at.selectbox(key="undo_id").select(1).run()
    summary = " ".join(i.value for i in at.info)
    assert "removes 1 sales rows loaded from sales.csv by Li on " in summary
    at.button[-1].click().run()  # without ticking the confirmation: nothing happens
    assert not at.success
    at.checkbox(key="undo_sure").check()
    at.button[-1].click().run()  # a form submits its widgets together
    assert any("Load 1 undone: 1 rows removed" in m.value for m in at.success)
    st.cache_resource.clear()
    c = db.connect(path, read_only=True)
    assert c.execute("SELECT count(*) FROM sales").fetchall() == [(0,)]
    c.close()


def _cli(path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KA_DB": str(path)}
    return subprocess.run(
        [sys.executable, "-m", "ka_core", *args],
        cwd=Path(APP).parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command_line_alongside_the_dashboard(warehouse, tmp_path):
    """The app holds the warehouse read-only: reports work alongside, writes refuse clearly and change nothing."""
    path = tmp_path / "held.duckdb"
    shutil.copy(warehouse, path)
    # Hash outside the read: closing any handle of a file drops this process's POSIX locks on it.
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    wh = Warehouse(path)  # what the app's cache_resource holds
    with wh.read():
        report = _cli(path, "report", "pareto", "--format", "csv")
        assert report.returncode == 0, report.stderr
        assert "Alpha" in report.stdout
        extra = tmp_path / "stores.csv"
        extra.write_text("store_id,store_name,chain,region\nZ,Store Z,Alpha,North\n", encoding="utf-8")
        load = _cli(path, "load", "stores", str(extra))
        assert load.returncode == 1
        assert "in use by another program" in load.stderr and "Nothing was changed" in load.stderr
    wh.close()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_dashboard_writes_wait_for_readers_and_reopen(warehouse, tmp_path):
    """Warehouse.write closes the shared read-only connection, writes, and reading resumes with the new rows."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(warehouse, path)
    wh = Warehouse(path)
    with wh.read() as con:
        n = db.query_df(con, "SELECT count(*) AS n FROM stores")["n"][0]
    with wh.write() as con:
        con.execute(
            "INSERT INTO stores (store_id, store_name, chain, region) VALUES ('Z', 'Store Z', 'Alpha', 'North')"
        )
        busy = _cli(path, "report", "pareto")  # while the app writes, the command line is told so
        assert busy.returncode == 1 and "in use by another program" in busy.stderr
    with wh.read() as con:
        assert db.query_df(con, "SELECT count(*) AS n FROM stores")["n"][0] == n + 1
    assert _cli(path, "report", "pareto").returncode == 0  # alongside the read-only connection
    wh.close()


def _cjk(s: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in s)


def test_translation_table_is_complete():
    # "CSV", "Excel", "{a} → {b}" read alike; a quadrant's tick is its (translated) name and a number.
    same = {"download_csv", "download_xlsx", "before_after", "quadrant_tick"}
    assert all(en.strip() and zh.strip() for en, zh in i18n.TEXT.values())
    assert [k for k, (en, zh) in i18n.TEXT.items() if not _cjk(zh)] == sorted(same, key=list(i18n.TEXT).index)
    from ka_core.metrics import METRICS

    assert all(_cjk(m.zh) for m in METRICS.values())


@pytest.mark.parametrize("page", PAGES)
def test_chinese_pages_have_no_english_labels(app, page):
    at = app(page, lang="zh")
    texts = [m.label for m in at.metric] + [h.value for h in at.subheader] + [h.value for h in at.title]
    texts += [str(c) for d in at.dataframe for c in d.value.columns]
    texts += [w.label for w in at.selectbox] + [w.label for w in at.slider] + [w.label for w in at.multiselect]
    english = [x for x in texts if not _cjk(x)]
    assert not english, english


def test_first_start_creates_the_demo_warehouse(tmp_path, monkeypatch):
    """`streamlit run app.py` with no warehouse: the demo one is created, and the Overview shows it."""
    import streamlit as st

    path = tmp_path / "data" / "ka.duckdb"
    monkeypatch.setenv("KA_DB", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    assert path.exists()
    assert int(at.metric[4].value) > 0  # Attack stores in the demo data
    st.cache_resource.clear()
