"""The lake: a Parquet copy of the warehouse that other engines (Spark) read.

`python -m ka_core lake DIR` writes every table of the data contract, plus
the derived weekly table the store reports read (ka_sales_weekly), as Parquet
under DIR with the warehouse's column types, and `manifest.json` at DIR's
root: per table its columns and types, rows, and files by path relative to
DIR with their rows and SHA-256; the last load id. Sales (and the weekly
table) are partitioned by month (`sales/month=2025-01/…`), so an engine
reading a period opens only its months' files.

Written atomically: the new lake is built beside DIR and takes DIR's place only
when complete, so a reader sees the old lake or the new one, never a half. All
paths are relative, so a copied lake (another disk, object storage) works.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

from .errors import KaError
from .schema import TABLES

MANIFEST = "manifest.json"
FORMAT = 1
# The tables the reports read: the contract's, and the weekly table derived from
# sales x products (ka_core/db.py WEEKLY_SELECT), kept so that Spark reads it
# instead of recomputing it from the SKU rows for every report.
DERIVED = ("ka_sales_weekly",)
BY_MONTH = {"sales": "week", "ka_sales_weekly": "week"}


def file_sha256(path: Path) -> str:
    """A file's SHA-256, read in 1 MiB pieces (the lake's manifest, the load log)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, str]]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [{"name": n, "type": t} for n, t in rows]


def _write_table(con: duckdb.DuckDBPyConnection, table: str, root: Path) -> dict[str, Any]:
    """One table's Parquet files under root/table; its manifest entry."""
    out = root / table
    out.mkdir(parents=True)
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
    month_of = BY_MONTH.get(table)
    if month_of and rows:
        # One pass, one folder per month; the month is in the path only, not a column.
        con.execute(
            f"COPY (SELECT *, strftime({month_of}, '%Y-%m') AS month FROM {table}) TO {_quote(out)} "
            "(FORMAT parquet, PARTITION_BY (month), COMPRESSION zstd, FILENAME_PATTERN 'part-{i}')"
        ).fetchall()
    else:  # also an empty table: one file that holds its schema
        con.execute(f"COPY {table} TO {_quote(out / 'part-0.parquet')} (FORMAT parquet, COMPRESSION zstd)").fetchall()
    files = []
    for path in sorted(out.rglob("*.parquet")):
        files.append(
            {
                "path": path.relative_to(root).as_posix(),
                "rows": pq.read_metadata(path).num_rows,
                "bytes": path.stat().st_size,
                "sha256": file_sha256(path),
            }
        )
    assert sum(f["rows"] for f in files) == rows, (table, rows, files)
    return {"rows": rows, "columns": _columns(con, table), "files": files}


def write(con: duckdb.DuckDBPyConnection, target: str | os.PathLike) -> dict[str, Any]:
    """Write the lake of `con`'s warehouse to `target`, replacing an earlier lake there; its manifest."""
    target = Path(target).absolute()
    if target.exists() and (not target.is_dir() or (any(target.iterdir()) and not (target / MANIFEST).exists())):
        raise KaError(
            f"{target} exists and is not a lake (no {MANIFEST}); nothing was written. "
            "Name a new folder, or an earlier lake to replace."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    tag = uuid.uuid4().hex[:8]
    building = target.with_name(f".{target.name}.building-{tag}")
    try:
        building.mkdir()
        tables = {name: _write_table(con, name, building) for name in (*TABLES, *DERIVED)}
        last = con.execute("SELECT max(load_id) FROM ka_loads WHERE undone_at IS NULL").fetchall()[0][0]
        manifest = {
            "format": FORMAT,
            "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "last_load_id": last,
            "tables": tables,
        }
        (building / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        # The swap: the old lake moves aside, the new one takes its name, the old one goes.
        old = target.with_name(f".{target.name}.old-{tag}")
        if target.exists():
            target.rename(old)
        building.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return manifest


def read_manifest(lake: str | os.PathLike) -> dict[str, Any]:
    """The manifest of a lake, with every file it lists present; a clear message otherwise."""
    root = Path(lake)
    path = root / MANIFEST
    if not path.exists():
        raise KaError(f"No lake at {root} ({MANIFEST} is missing). Write one with `python -m ka_core lake {root}`.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KaError(f"{path} is not a lake manifest ka-analytics can read: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise KaError(f"{path} has lake format {manifest.get('format')!r}; this version reads format {FORMAT}.")
    for name in (*TABLES, *DERIVED):
        if name not in manifest["tables"]:
            raise KaError(f"The lake {root} has no table {name!r}; write it again with `python -m ka_core lake`.")
        for f in manifest["tables"][name]["files"]:
            if not (root / f["path"]).exists():
                raise KaError(f"The lake {root} is incomplete: {f['path']} (table {name}) is missing.")
    return manifest


def verify(lake: str | os.PathLike) -> list[str]:
    """Every file whose rows or SHA-256 differ from the manifest (empty: the lake is intact)."""
    root = Path(lake)
    manifest = read_manifest(root)
    problems = []
    for name, t in manifest["tables"].items():
        for f in t["files"]:
            path = root / f["path"]
            if file_sha256(path) != f["sha256"]:
                problems.append(f"{f['path']} (table {name}): SHA-256 differs from the manifest")
            elif pq.read_metadata(path).num_rows != f["rows"]:
                problems.append(f"{f['path']} (table {name}): {f['rows']} rows expected")
    return problems


def files(lake: str | os.PathLike, table: str) -> list[str]:
    """Absolute paths of a table's Parquet files."""
    root = Path(lake).absolute()
    return [str(root / f["path"]) for f in read_manifest(root)["tables"][table]["files"]]
