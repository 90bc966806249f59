"""The Data page's check step only reads (issue 10): ka_core.loading.preview runs on a read-only
connection, with the same counts, before → after and problems as the load it previews, while
another program reads the warehouse, holds it for writing, or a command-line load waits."""

from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from ka_core import access, db, loading, reports
from ka_core.settings import Filters
from tests import tiny

ROOT = Path(__file__).resolve().parents[1]
VISIT = "拜访日期,门店编号,业务员,品类,门店品类销售额\n2025-01-15,B,R1,Phones,200\n"
# Hand-checked in test_loading.test_preview_says_what_a_visit_sheet_changes_and_writes_nothing.
HAND = Filters(date_to=dt.date(2025, 1, 26), categories=("Phones",))
SHEETS = {
    # B's week-2 visit: 1 new row, B's share and several quadrants move (hand values below).
    "visits": VISIT,
    # B's own phone sales of week 2 doubled (replaces a row) and a new week-3 row for C.
    "sales": "week,store_id,sku,units,revenue\n2025-01-13,B,P1,20,100\n2025-01-20,C,X1,10,50\n",
    # The rival phone becomes a tablet: revenue moves between categories (ka_sales_weekly rebuilt).
    "products": "sku,brand,category,is_own\nX1,Rival,Tablets,false\n",
}


def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.duckdb"
    c = db.connect(path)
    tiny.fill(c)
    c.close()
    return path


def sheet(tmp_path: Path, table: str) -> Path:
    p = tmp_path / f"{table}.csv"
    p.write_text(SHEETS[table], encoding="utf-8")
    return p


def read_only_preview(path: Path, table: str, files: list[Path], filters=None, user=None) -> loading.Preview:
    con = db.connect(path, read_only=True)
    try:
        with contextlib.closing(con.cursor()) as cur:
            return loading.preview(cur, table, loading.read_files(cur, table, files), filters, user=user)
    finally:
        con.close()


def test_read_only_preview_of_a_visit_sheet_gives_the_hand_values(tmp_path):
    path = warehouse(tmp_path)
    stamp = path.stat().st_mtime_ns
    pv = read_only_preview(path, "visits", [sheet(tmp_path, "visits")], HAND)
    assert pv.validation.ok and (pv.rows_new, pv.rows_replaced) == (1, 0)
    assert pv.stores == ["B"] and pv.first_date == pv.last_date == dt.date(2025, 1, 15)
    rows = {r["store_id"]: r for r in pv.changes.to_dict("records")}
    assert rows["B"]["customer_share_before"] == pytest.approx(100 / 450)
    assert rows["B"]["customer_share_after"] == pytest.approx(150 / 650)
    assert rows["A"]["fair_share_index_after"] == pytest.approx(0.25 / ((300 + 150) / (1200 + 650)) * 100)
    assert (rows["B"]["quadrant_before"], rows["B"]["quadrant_after"]) == ("Monitor", "Attack")
    assert (rows["C"]["quadrant_before"], rows["C"]["quadrant_after"]) == ("Defend", "Maintain")
    assert "E" not in rows
    assert path.stat().st_mtime_ns == stamp  # nothing written


@pytest.mark.parametrize("table", list(SHEETS))
def test_read_only_preview_says_what_the_load_then_does(tmp_path, table):
    """The preview's counts and 'after' numbers are those the real load gives."""
    path = warehouse(tmp_path)
    f = sheet(tmp_path, table)
    pv = read_only_preview(path, table, [f])
    assert pv.validation.ok, pv.validation.problems
    assert pv.changes is not None and len(pv.changes)  # each sheet moves some store
    con = db.connect(path)
    try:
        before = reports.run(con, "quadrants")
        result = loading.load_files(con, table, [f])
        after = reports.run(con, "quadrants")
    finally:
        con.close()
    load = result.loads[0]
    assert (pv.rows_new, pv.rows_replaced) == (load["rows_inserted"] - load["rows_replaced"], load["rows_replaced"])
    cols = ["customer_share", "fair_share_index", "quadrant"]
    both = before[["store_id", *cols]].merge(after[["store_id", *cols]], on="store_id", suffixes=("_before", "_after"))

    def moved(r) -> bool:
        for c in cols:
            a, b = r[f"{c}_before"], r[f"{c}_after"]
            if pd.isna(a) and pd.isna(b):
                continue
            if pd.isna(a) or pd.isna(b) or (a != b if c == "quadrant" else abs(a - b) > 1e-9):
                return True
        return False

    expected = both[both.apply(moved, axis=1)]
    got = pv.changes.set_index("store_id").sort_index()
    want = expected.set_index("store_id").sort_index()
    assert list(got.index) == list(want.index)
    for c in cols:
        for side in ("before", "after"):
            g, w = got[f"{c}_{side}"], want[f"{c}_{side}"]
            if c == "quadrant":
                assert list(g.fillna("")) == list(w.fillna(""))
            else:
                assert list(g.fillna(-1)) == pytest.approx(list(w.fillna(-1)))


def test_read_only_preview_of_a_replacing_sheet_shows_before_and_after(tmp_path):
    path = warehouse(tmp_path)
    pv = read_only_preview(path, "sales", [sheet(tmp_path, "sales")])
    assert (pv.rows_new, pv.rows_replaced) == (1, 1)
    rep = pv.replacements.iloc[0]
    assert (rep["store_id"], rep["revenue_before"], rep["revenue_after"]) == ("B", 50, 100)


def test_read_only_preview_names_the_rows_outside_a_ka_managers_scope(tmp_path):
    from tests.test_access import ACCESS

    path = warehouse(tmp_path)
    c = db.connect(path)
    (tmp_path / "access.csv").write_text(ACCESS, encoding="utf-8")
    loading.load_files(c, "access", [tmp_path / "access.csv"], user="setup")
    wang = access.resolve(c, "wang@co.com")  # stores B, D (his) and E (listed)
    c.close()
    f = tmp_path / "v.csv"
    f.write_text(
        "visit_date,store_id,rep,category,display_ok\n"
        "2025-02-03,B,Wang,Phones,Y\n2025-02-03,A,Wang,Phones,Y\n2025-02-04,C,Wang,Phones,Y\n",
        encoding="utf-8",
    )
    pv = read_only_preview(path, "visits", [f], user=wang)
    assert [(p.row, p.column, p.value, p.expected) for p in pv.validation.problems] == [
        (r, "store_id", s, "expected a store in your scope (3 stores): B, D, E; nothing was written")
        for r, s in ((3, "A"), (4, "C"))
    ]
    assert pv.changes is None


# The dashboard's warehouse (dashboard.data.Warehouse) with other programs ----------------------


@pytest.fixture
def dashboard(tmp_path, monkeypatch):
    """dashboard.uploads.preview_load on a tiny warehouse, as a session without login calls it."""
    import streamlit as st

    from dashboard import auth, data, uploads

    path = warehouse(tmp_path)
    monkeypatch.setenv("KA_DB", str(path))
    monkeypatch.setattr(auth, "scope", lambda: access.LOCAL)
    monkeypatch.setattr(data, "WAIT", 20.0)
    st.cache_resource.clear()
    wh = data._wh()
    wh.prepare()

    def preview(table: str, files: list[Path], filters=HAND) -> loading.Preview:
        with data.reading() as con, contextlib.closing(con.cursor()) as cur:
            raws = loading.read_files(cur, table, files)
        return uploads.preview_load(table, raws, filters, loading.Settings())

    yield path, wh, preview
    wh.close()
    st.cache_resource.clear()


def hold(path: Path, read_only: bool, seconds: float) -> subprocess.Popen:
    """Another program holding the warehouse (for reading or writing) for `seconds`."""
    code = (
        f"import duckdb, time; c = duckdb.connect({str(path)!r}, read_only={read_only}); "
        f"print('ok', flush=True); time.sleep({seconds}); c.close()"
    )
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "ok"
    return p


def test_preview_while_another_program_reads(dashboard, tmp_path):
    """On main the check step opened a writing connection: here it waited and failed."""
    path, _wh, preview = dashboard
    reader = hold(path, read_only=True, seconds=60)
    try:
        t0 = time.monotonic()
        pv = preview("visits", [sheet(tmp_path, "visits")])
        took = time.monotonic() - t0
    finally:
        reader.kill()
        reader.wait()
    assert pv.validation.ok and (pv.rows_new, pv.rows_replaced) == (1, 0)
    rows = {r["store_id"]: r for r in pv.changes.to_dict("records")}
    assert rows["B"]["customer_share_after"] == pytest.approx(150 / 650)
    assert took < 15  # it did not wait for the reader (data.WAIT is 20 s here)


def test_preview_while_another_program_writes_waits_for_it(dashboard, tmp_path):
    path, wh, preview = dashboard
    wh.close()  # the dashboard idle: the other program gets the file for writing
    writer = hold(path, read_only=False, seconds=2)
    try:
        pv = preview("visits", [sheet(tmp_path, "visits")])
    finally:
        writer.wait(timeout=30)
    assert pv.validation.ok and (pv.rows_new, pv.rows_replaced) == (1, 0)


def test_preview_while_a_command_line_load_waits(dashboard, tmp_path):
    """A session reads; the command line loads the same visit sheet and waits for it; the check
    step asked for meanwhile waits its turn and previews against the warehouse after the load."""
    path, wh, preview = dashboard
    f = sheet(tmp_path, "visits")
    marker = db.waiting_marker(path)
    release = threading.Event()

    def session():  # a long query of another browser session
        with wh.read():
            release.wait(30)

    reader = threading.Thread(target=session)
    reader.start()
    cli = subprocess.Popen(
        [sys.executable, "-m", "ka_core", "load", "visits", str(f), "--db", str(path), "--wait", "60"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the command line never waited"
        threading.Timer(0.5, release.set).start()
        pv = preview("visits", [f])
        _out, err = cli.communicate(timeout=60)
    finally:
        release.set()
        reader.join()
        if cli.poll() is None:
            cli.kill()
    assert cli.returncode == 0, err
    # The preview ran after the load: the same row is now there, so it would be replaced.
    assert pv.validation.ok and (pv.rows_new, pv.rows_replaced) == (0, 1)
    assert pv.replacements.iloc[0]["store_category_sales_before"] == 200
