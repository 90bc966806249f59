"""Writes while the dashboard is open: the dashboard's warehouse (dashboard.data.Warehouse, as
every session uses it) reads in a loop, the Data page's save path loads visits, and the command
line loads sales, all at the same time: all succeed, one after the other, nothing is lost."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from dashboard.data import Warehouse
from ka_core import db, loading, reports
from ka_core.settings import Filters
from tests import tiny

ROOT = Path(__file__).resolve().parents[1]


def counts(path: Path) -> dict[str, int]:
    c = db.connect(path, read_only=True, wait=30)
    try:
        return {t: c.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("sales", "visits", "ka_loads")}
    finally:
        c.close()


def test_dashboard_open_upload_and_cli_load_together(tmp_path):
    path = tiny.warehouse(tmp_path / "w.duckdb")
    before = counts(path)
    sales = tmp_path / "sales.csv"
    sales.write_text(
        "week,store_id,sku,units,revenue\n"
        + "".join(f"2025-0{m}-0{d},{s},P1,1,10\n" for m in (4, 5) for d in (1, 8) for s in "ABCDE"),
        encoding="utf-8",
    )
    visits = tmp_path / "visits.csv"
    visits.write_text(
        "visit_date,store_id,rep,category,display_ok\n"
        + "".join(f"2025-04-0{d},{s},R9,Phones,Y\n" for d in (2, 3) for s in "ABCE"),
        encoding="utf-8",
    )

    wh = Warehouse(path)  # the dashboard's warehouse: open for the whole test
    wh.prepare()
    stop = threading.Event()
    reads, errors = [], []

    def session():  # a browser session rerunning its page
        while not stop.is_set():
            try:
                with wh.read() as con:
                    reads.append(len(reports.run(con, "quadrants", Filters())))
            except Exception as exc:
                errors.append(exc)
            time.sleep(0.01)

    readers = [threading.Thread(target=session) for _ in range(3)]
    for r in readers:
        r.start()
    try:
        cli = subprocess.Popen(
            [sys.executable, "-m", "ka_core", "load", "sales", str(sales), "--db", str(path), "--wait", "60"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        with wh.write() as con:  # the Data page's save (dashboard/uploads.save_load)
            result = loading.write_files(con, "visits", loading.read_files(con, "visits", [visits]), "page")
        _out, err = cli.communicate(timeout=120)
    finally:
        stop.set()
        for r in readers:
            r.join()
    assert cli.returncode == 0, err
    assert result.loads[0]["rows_inserted"] == 8
    assert not errors, errors
    assert reads and set(reads) == {5}
    after = counts(path)
    assert after == {
        "sales": before["sales"] + 20,
        "visits": before["visits"] + 8,
        "ka_loads": before["ka_loads"] + 2,
    }
    # An open session sees the new rows on its next read.
    with wh.read() as con:
        assert con.execute("SELECT count(*) FROM visits WHERE rep = 'R9'").fetchall() == [(8,)]
    wh.close()


def test_a_writer_that_never_finishes_fails_clearly(tmp_path):
    path = tmp_path / "w.duckdb"
    db.connect(path).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(path)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        t0 = time.monotonic()
        r = subprocess.run(
            [sys.executable, "-m", "ka_core", "undo", "1", "--db", str(path), "--wait", "2"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        took = time.monotonic() - t0
    finally:
        holder.kill()
        holder.wait()
    assert r.returncode == 1 and "in use by another program (the dashboard, or another command) (waited 2 s" in r.stderr
    assert "Traceback" not in r.stderr and took >= 2
