"""The lake (`python -m ka_core lake DIR`): every table as Parquet, typed as in the warehouse, a manifest, atomic."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from ka_core import db, lake
from ka_core.errors import KaError
from ka_core.schema import TABLES
from tests import tiny
from tests.test_cli import cli


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "tiny.duckdb"
    c = db.connect(path)
    tiny.fill(c)
    c.execute("INSERT INTO ka_loads VALUES (4, 'sales', 's.csv', 'x', 1, 0, 'ann', now()::TIMESTAMP, NULL)").fetchall()
    c.execute("INSERT INTO ka_loads VALUES (5, 'sales', 't.csv', 'y', 1, 0, 'ann', now()::TIMESTAMP, now())").fetchall()
    c.close()
    return path


def _write(warehouse, target):
    con = db.connect(warehouse, read_only=True)
    try:
        return lake.write(con, target)
    finally:
        con.close()


def test_every_table_round_trips_with_its_types(warehouse, tmp_path):
    manifest = _write(warehouse, tmp_path / "lake")
    assert set(manifest["tables"]) == {*TABLES, *lake.DERIVED}
    assert manifest["last_load_id"] == 4  # the last load not undone
    con = duckdb.connect(str(warehouse), read_only=True)
    for name, entry in manifest["tables"].items():
        files = [str(tmp_path / "lake" / f["path"]) for f in entry["files"]]
        # The month is in the path only, not a column (Spark, given the files, adds none).
        parquet = f"read_parquet({files!r}, hive_partitioning = false)"
        from_lake = con.execute(f"DESCRIBE SELECT * FROM {parquet}").fetchall()
        in_warehouse = con.execute(f"DESCRIBE SELECT * FROM {name}").fetchall()
        assert [r[:2] for r in from_lake] == [r[:2] for r in in_warehouse], name
        assert entry["columns"] == [{"name": r[0], "type": r[1]} for r in in_warehouse]
        n = con.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0]
        assert entry["rows"] == n == sum(f["rows"] for f in entry["files"])
        # The same rows, both ways (EXCEPT ALL keeps duplicates).
        for a, b in ((parquet, name), (name, parquet)):
            assert con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchall()[0][0] == 0, name
    con.close()


def test_sales_are_partitioned_by_month_with_relative_paths(warehouse, tmp_path):
    manifest = _write(warehouse, tmp_path / "lake")
    con = duckdb.connect(str(warehouse), read_only=True)
    months = {r[0] for r in con.execute("SELECT DISTINCT strftime(week, '%Y-%m') FROM sales").fetchall()}
    folders = set()
    for f in manifest["tables"]["sales"]["files"]:
        folder = f["path"].split("/")[1]
        folders.add(folder)
        path = tmp_path / "lake" / f["path"]
        inside = con.execute(f"SELECT DISTINCT strftime(week, '%Y-%m') FROM read_parquet('{path}')").fetchall()
        assert [f"month={m}" for (m,) in inside] == [folder]  # each file holds its folder's month only
    assert folders == {f"month={m}" for m in months} and len(months) > 1
    con.close()
    for entry in manifest["tables"].values():
        for f in entry["files"]:
            assert not f["path"].startswith("/") and len(f["sha256"]) == 64


def test_manifest_is_at_the_root_and_verify_catches_a_changed_file(warehouse, tmp_path):
    _write(warehouse, tmp_path / "lake")
    on_disk = json.loads((tmp_path / "lake" / "manifest.json").read_text())
    assert on_disk["format"] == lake.FORMAT
    assert lake.verify(tmp_path / "lake") == []
    victim = tmp_path / "lake" / on_disk["tables"]["stores"]["files"][0]["path"]
    victim.write_bytes(victim.read_bytes()[:-1] + b"\0")
    assert lake.verify(tmp_path / "lake") == [
        f"{victim.relative_to(tmp_path / 'lake')} (table stores): SHA-256 differs from the manifest"
    ]


def test_a_copied_lake_works(warehouse, tmp_path):
    _write(warehouse, tmp_path / "lake")
    shutil.copytree(tmp_path / "lake", tmp_path / "copy")
    shutil.rmtree(tmp_path / "lake")
    assert lake.verify(tmp_path / "copy") == []
    assert all(p.startswith(str(tmp_path / "copy")) for p in lake.files(tmp_path / "copy", "sales"))


def test_an_empty_table_keeps_its_schema(tmp_path):
    path = tmp_path / "empty.duckdb"
    db.connect(path).close()
    manifest = _write(path, tmp_path / "lake")
    entry = manifest["tables"]["sales"]
    assert entry["rows"] == 0 and len(entry["files"]) == 1
    con = duckdb.connect()
    cols = con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{tmp_path / 'lake' / entry['files'][0]['path']}')"
    ).fetchall()
    assert [r[0] for r in cols] == [*TABLES["sales"].column_names, "load_id"]


def test_replacing_is_atomic(warehouse, tmp_path, monkeypatch):
    target = tmp_path / "lake"
    first = _write(warehouse, target)
    real = lake._write_table

    def failing(con, table, root):
        if table == "visits":
            raise OSError("disk full")
        return real(con, table, root)

    monkeypatch.setattr(lake, "_write_table", failing)
    with pytest.raises(OSError, match="disk full"):
        _write(warehouse, target)
    # The earlier lake is untouched and nothing half-written is left beside it.
    assert json.loads((target / "manifest.json").read_text()) == first
    assert lake.verify(target) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lake", "tiny.duckdb"]

    monkeypatch.setattr(lake, "_write_table", real)
    c = db.connect(warehouse)
    tiny.insert(c, "stores", [("F", "Store F", "Beta", "East", None, None, None)])
    c.close()
    second = _write(warehouse, target)
    assert second["tables"]["stores"]["rows"] == first["tables"]["stores"]["rows"] + 1
    assert lake.verify(target) == []


def test_a_folder_that_is_not_a_lake_is_never_replaced(warehouse, tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(KaError, match="is not a lake"):
        _write(warehouse, tmp_path / "mine")
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_read_manifest_names_what_is_missing(warehouse, tmp_path):
    with pytest.raises(KaError, match="No lake at"):
        lake.read_manifest(tmp_path / "nowhere")
    manifest = _write(warehouse, tmp_path / "lake")
    (tmp_path / "lake" / manifest["tables"]["market"]["files"][0]["path"]).unlink()
    with pytest.raises(KaError, match=r"incomplete: market/part-0.parquet \(table market\) is missing"):
        lake.read_manifest(tmp_path / "lake")


def test_cli_lake_and_engine_flags(warehouse, tmp_path):
    r = cli("lake", tmp_path / "lake", "--db", warehouse)
    assert r.returncode == 0, r.stderr
    assert "Lake ready" in r.stdout and "last load 4" in r.stdout
    assert lake.verify(tmp_path / "lake") == []
    r = cli("report", "pareto", "--engine", "spark", "--db", warehouse)
    assert r.returncode == 2 and "--lake DIR" in r.stderr
    r = cli("report", "pareto", "--engine", "spark", "--lake", tmp_path / "nowhere", "--db", warehouse)
    assert r.returncode == 1 and "No lake at" in r.stderr
    r = cli("report", "pareto", "--lake", tmp_path / "lake", "--db", warehouse)
    assert r.returncode == 2 and "go with --engine spark" in r.stderr
