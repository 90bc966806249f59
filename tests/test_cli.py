"""The command line as scripts use it: exit codes, --db anywhere, formats, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ka_core import db, reports
from ka_core.settings import Settings
from tests import tiny

ROOT = Path(__file__).resolve().parents[1]


def cli(*args, env=None, cwd=None):
    e = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    e.pop("KA_DEBUG", None)
    r = subprocess.run(
        [sys.executable, "-m", "ka_core", *map(str, args)], capture_output=True, text=True, env=e, cwd=cwd
    )
    assert "Traceback" not in r.stderr, r.stderr
    return r


@pytest.fixture
def warehouse(tmp_path):
    path = tiny.warehouse(tmp_path / "tiny.duckdb")
    return path


def test_init_load_report_round_trip(tmp_path):
    path = tmp_path / "w.duckdb"
    assert cli("init", "--db", path).returncode == 0
    (tmp_path / "stores.csv").write_text("store_id,store_name,chain,region\nS1,One,Walmart,East\n")
    r = cli("--db", path, "load", "stores", tmp_path / "stores.csv", "--user", "ann")
    assert r.returncode == 0 and "1 rows written" in r.stdout
    r = cli("history", "--db", path)
    assert r.returncode == 0 and "stores.csv" in r.stdout and "ann" in r.stdout
    r = cli("undo", "1", env={"KA_DB": str(path)})
    assert r.returncode == 0 and "1 rows removed" in r.stdout


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_report_formats_match_the_api(warehouse, fmt):
    r = cli("report", "fair-share", "--format", fmt, "--category", "Phones", "--to", "2025-01-26", "--db", warehouse)
    assert r.returncode == 0, r.stderr
    c = db.connect(warehouse, read_only=True)
    from ka_core.settings import Filters

    expected = reports.run(
        c, "fair-share", Filters(date_to=__import__("datetime").date(2025, 1, 26), categories=("Phones",))
    )
    c.close()
    if fmt == "json":
        rows = json.loads(r.stdout)
        assert [row["store_id"] for row in rows] == list(expected["store_id"])
        b = next(row for row in rows if row["store_id"] == "B")
        assert b["category_revenue"] == 450 and b["market_share"] == pytest.approx(400 / 1650)
    elif fmt == "csv":
        lines = r.stdout.strip().splitlines()
        assert lines[0] == ",".join(reports.REPORTS["fair-share"].columns)
        assert len(lines) == len(expected) + 1
    else:
        assert "Store B" in r.stdout and "22.2%" in r.stdout and "91.7" in r.stdout


def test_report_settings_reach_the_numbers(warehouse):
    r = cli("report", "promo-lift", "--format", "json", "--baseline-weeks", "4", "--post-weeks", "2", "--db", warehouse)
    pr1 = next(row for row in json.loads(r.stdout) if row["promo_id"] == "PR1")
    assert pr1["baseline_units"] == 12 and pr1["lift_pct"] == pytest.approx(125)
    c = db.connect(warehouse, read_only=True)
    api = reports.run(c, "promo-lift", settings=Settings(baseline_weeks=4, post_weeks=2))
    c.close()
    assert api.loc[api["promo_id"] == "PR1", "post_dip_pct"].item() == pytest.approx(pr1["post_dip_pct"])


@pytest.mark.parametrize(
    "args",
    [
        ["report", "nope"],
        ["report", "quadrants", "--from", "2025-13-01"],
        ["report", "quadrants", "--a-cut", "1.5"],
        ["report", "quadrants", "--from", "2025-03-01", "--to", "2025-02-01"],
        ["load", "nosuchtable", "x.csv"],
        [],
    ],
)
def test_usage_errors_exit_2(warehouse, args):
    r = cli(*args, "--db", warehouse) if args else cli()
    assert r.returncode == 2
    assert r.stderr.strip()


def test_bad_input_exit_1_names_row_and_column_and_changes_nothing(warehouse, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("week,store_id,sku,units,revenue\n2025-01-06,A,P1,x,1\n")
    before = cli("report", "pareto", "--format", "csv", "--db", warehouse).stdout
    r = cli("load", "sales", bad, "--db", warehouse, "--errors", tmp_path / "errors.csv")
    assert r.returncode == 1
    assert "bad.csv, row 2, column units: 'x'" in r.stderr
    assert "row,column" in (tmp_path / "errors.csv").read_text().splitlines()[0].replace("file,", "")
    assert cli("report", "pareto", "--format", "csv", "--db", warehouse).stdout == before
    assert "2025-01-06" not in cli("history", "--db", warehouse).stdout


def test_missing_warehouse_is_a_clear_error(tmp_path):
    r = cli("report", "quadrants", "--db", tmp_path / "none.duckdb")
    assert r.returncode == 1 and "No warehouse" in r.stderr and "init --demo" in r.stderr


def test_warehouse_held_by_another_writer(warehouse, tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(warehouse)!r}); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        f = tmp_path / "s.csv"
        f.write_text("week,store_id,sku,units,revenue\n2025-01-06,A,P1,1,1\n")
        r = cli("load", "sales", f, "--db", warehouse, "--wait", "1")
        assert r.returncode == 1 and "in use by another program" in r.stderr and "Nothing was changed" in r.stderr
        assert "waited 1 s" in r.stderr
    finally:
        holder.kill()
        holder.wait()


def test_unknown_filter_value_is_noted(warehouse):
    r = cli("report", "pareto", "--chain", "Walmrt", "--db", warehouse)
    assert r.returncode == 0 and "no chain named 'Walmrt'" in r.stderr and "Alpha" in r.stderr
