"""The warehouse: where it lives, its schema and version, and the one query function."""

from __future__ import annotations

import functools
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from .errors import KaError
from .schema import LOAD_ID, TABLES

SCHEMA_VERSION = 4
DEFAULT_DB = Path("data") / "ka.duckdb"
SQL_DIR = Path(__file__).parent / "sql"

BOOKKEEPING_DDL = """
CREATE TABLE IF NOT EXISTS ka_meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS ka_loads (
    load_id INTEGER PRIMARY KEY,
    table_name VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    rows_inserted BIGINT NOT NULL,
    rows_replaced BIGINT NOT NULL,
    user_name VARCHAR NOT NULL,
    loaded_at TIMESTAMP NOT NULL,
    undone_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS ka_header_map (
    table_name VARCHAR NOT NULL,
    header VARCHAR NOT NULL,
    column_name VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (table_name, header)
);
CREATE TABLE IF NOT EXISTS ka_sales_weekly (
    store_id VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    week DATE NOT NULL,
    all_revenue DOUBLE,
    own_revenue DOUBLE,
    has_competitor INTEGER
);
"""

# ka_sales_weekly: sales per store, category and week (all brands, own, whether a
# non-own row exists). Derived from sales and products and kept current by every
# load, undo and init; the store reports read it instead of the SKU-level rows.
WEEKLY_SELECT = """
    SELECT s.store_id, p.category, s.week,
           sum(s.revenue) AS all_revenue,
           sum(CASE WHEN p.is_own THEN s.revenue ELSE 0 END) AS own_revenue,
           max(CASE WHEN p.is_own THEN 0 ELSE 1 END) AS has_competitor
    FROM sales AS s
    INNER JOIN products AS p ON p.sku = s.sku
"""


def rebuild_weekly(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute ka_sales_weekly from sales and products (after products change, or an undo)."""
    con.execute("DELETE FROM ka_sales_weekly").fetchall()
    con.execute(f"INSERT INTO ka_sales_weekly {WEEKLY_SELECT} GROUP BY s.store_id, p.category, s.week").fetchall()


def refresh_weekly(con: duckdb.DuckDBPyConnection, keys: str) -> None:
    """Recompute ka_sales_weekly for the (store_id, week) pairs found in table `keys`."""
    con.execute(
        f"DELETE FROM ka_sales_weekly AS w WHERE EXISTS "
        f"(SELECT 1 FROM {keys} AS k WHERE k.store_id = w.store_id AND k.week = w.week)"
    ).fetchall()
    con.execute(
        f"INSERT INTO ka_sales_weekly {WEEKLY_SELECT} "
        f"WHERE EXISTS (SELECT 1 FROM (SELECT DISTINCT store_id, week FROM {keys}) AS k "
        f"WHERE k.store_id = s.store_id AND k.week = s.week) GROUP BY s.store_id, p.category, s.week"
    ).fetchall()


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db PATH, else $KA_DB, else data/ka.duckdb."""
    if explicit:
        return Path(explicit)
    if os.environ.get("KA_DB"):
        return Path(os.environ["KA_DB"])
    return DEFAULT_DB


def table_ddl(name: str, prefix: str = "", extra: str = "") -> str:
    """DDL of a contract table (or its replaced-rows twin, with `prefix`).

    Keys are enforced by the loader (it replaces rows with the same key), not by a
    PRIMARY KEY: an index on a sales table of tens of millions of rows costs more
    memory and load time than it saves, and no query looks rows up one by one.
    """
    t = TABLES[name]
    cols = [f"{c.name} {c.sql_type}" + (" NOT NULL" if c.required else "") for c in t.columns]
    cols.append(f"{LOAD_ID} INTEGER")
    if extra:
        cols.append(extra)
    return f"CREATE TABLE IF NOT EXISTS {prefix}{name} ({', '.join(cols)})"


def replaced_table(name: str) -> str:
    """Rows a load replaced, kept so that undo can put them back."""
    return f"ka_replaced_{name}"


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    for name in TABLES:
        con.execute(table_ddl(name)).fetchall()
        con.execute(table_ddl(name, prefix="ka_replaced_", extra="replaced_by INTEGER NOT NULL")).fetchall()
    con.execute(BOOKKEEPING_DDL).fetchall()


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """0 = a file with the contract's tables but none of our bookkeeping."""
    has_meta = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ka_meta'").fetchall()[0][
        0
    ]
    if not has_meta:
        return 0
    rows = con.execute("SELECT value FROM ka_meta WHERE key = 'schema_version'").fetchall()
    return int(rows[0][0]) if rows else 0


def _upgrade_0_to_1(con: duckdb.DuckDBPyConnection) -> None:
    """A warehouse made by hand (the contract's tables only) gets our bookkeeping."""
    existing = {
        r[0]
        for r in con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()
    }
    for name in TABLES:
        if name in existing:
            cols = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?",
                    [name],
                ).fetchall()
            }
            if LOAD_ID not in cols:
                con.execute(f"ALTER TABLE {name} ADD COLUMN {LOAD_ID} INTEGER").fetchall()
    _create_schema(con)


def _upgrade_1_to_2(con: duckdb.DuckDBPyConnection) -> None:
    """Version 2 remembers header mappings users confirmed (ka_header_map)."""
    _create_schema(con)


def _upgrade_2_to_3(con: duckdb.DuckDBPyConnection) -> None:
    """Version 3 keeps sales per store, category and week (ka_sales_weekly) for the reports."""
    _create_schema(con)
    rebuild_weekly(con)


def _upgrade_3_to_4(con: duckdb.DuckDBPyConnection) -> None:
    """Version 4 has the access, names and targets tables."""
    _create_schema(con)


MIGRATIONS = {0: _upgrade_0_to_1, 1: _upgrade_1_to_2, 2: _upgrade_2_to_3, 3: _upgrade_3_to_4}


def ensure_schema(con: duckdb.DuckDBPyConnection, path: Path | str = "") -> None:
    """Create the schema in an empty file, upgrade an older one, refuse a newer one."""
    version = schema_version(con)
    if version > SCHEMA_VERSION:
        raise KaError(
            f"The warehouse {path} was written by a newer ka-analytics (schema version "
            f"{version}; this version reads up to {SCHEMA_VERSION}). Upgrade ka-analytics; "
            "the file was not changed."
        )
    if version == SCHEMA_VERSION:
        return
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        while version < SCHEMA_VERSION:
            MIGRATIONS[version](con)
            version += 1
        con.execute("INSERT OR REPLACE INTO ka_meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)]).fetchall()
        con.execute("COMMIT").fetchall()
    except Exception:
        con.execute("ROLLBACK").fetchall()
        raise


_LOCK_HINT = re.compile(r"lock|being used|Conflicting", re.IGNORECASE)


def connect(
    path: str | os.PathLike | None = None, *, read_only: bool = False, create: bool = True, wait: float = 0
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating or upgrading its schema. Clear messages, no tracebacks.

    `wait`: seconds to keep trying while another process holds the file (DuckDB
    lets one process write it, or several read it); then KaError saying so.
    """
    deadline = time.monotonic() + max(wait, 0)
    marker = waiting_marker(db_path(path))
    try:
        while True:
            try:
                return _connect(path, read_only=read_only, create=create, waited=wait)
            except WarehouseBusy:
                if time.monotonic() >= deadline:
                    raise
                if not read_only:  # tell the dashboard a writer waits: it lets go of the file (dashboard/data.py)
                    marker.touch()
                time.sleep(0.1)
    finally:
        if not read_only:
            marker.unlink(missing_ok=True)


def waiting_marker(path: Path) -> Path:
    """The file a waiting writer touches every 0.1 s: `<warehouse>.writer-waiting`."""
    return Path(f"{path}.writer-waiting")


def writer_waiting(path: Path) -> bool:
    """Whether a writer waits for the warehouse now (its marker was touched in the last 2 s)."""
    try:
        return time.time() - waiting_marker(path).stat().st_mtime < 2
    except OSError:
        return False


class WarehouseBusy(KaError):
    """Another process holds the warehouse file."""


def _connect(
    path: str | os.PathLike | None, *, read_only: bool, create: bool, waited: float
) -> duckdb.DuckDBPyConnection:
    p = db_path(path)
    if not p.exists():
        if read_only or not create:
            raise KaError(
                f"No warehouse at {p}. Create one with `python -m ka_core init --demo` "
                "(demo data) or `python -m ka_core init` (empty)."
            )
        p.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(p), read_only=read_only)
    except duckdb.IOException as exc:
        if _LOCK_HINT.search(str(exc)):
            waited_text = f" (waited {waited:g} s; --wait SECONDS waits longer)" if waited else ""
            raise WarehouseBusy(
                f"The warehouse {p} is in use by another program (the dashboard, or another "
                f"command){waited_text}. Nothing was changed. Stop it, or try again when it is done."
            ) from None
        raise KaError(f"Cannot open the warehouse {p}: {exc}") from None
    except duckdb.Error as exc:
        raise KaError(f"{p} is not a DuckDB warehouse ka-analytics can read: {exc}") from None
    if read_only:
        version = schema_version(con)
        if version != SCHEMA_VERSION:
            con.close()
            raise KaError(
                f"The warehouse {p} has schema version {version}, this program expects "
                f"{SCHEMA_VERSION}. Open it once for writing (any load or init) to upgrade it."
            )
        return con
    try:
        ensure_schema(con, p)
    except Exception:
        con.close()
        raise
    return con


@functools.cache
def load_sql(name: str) -> str:
    """The text of ka_core/sql/NAME.sql: plain `name AS (...)` CTEs, separated by commas."""
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8").strip()


def compose(ctes: Sequence[str], select: str) -> str:
    """One statement: WITH, the CTEs of each file of `ctes` in order, then `select`.

    Plain concatenation: the text that runs is the files' text, in the order the
    query declares them (ka_core/reports.py), so a reader can follow it without running it.
    """
    return "WITH\n" + ",\n\n".join(load_sql(name) for name in ctes) + "\n\n" + select


def param_names(sql: str) -> set[str]:
    """The `$name` parameters a statement uses."""
    names = set()
    for chunk in sql.split("$")[1:]:
        end = next((i for i, ch in enumerate(chunk) if not (ch.isalnum() or ch == "_")), len(chunk))
        if end:
            names.add(chunk[:end])
    return names


def used_params(sql: str, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters the statement uses: DuckDB refuses named parameters a statement does not use.

    Values are bound as they are; a list (a filter such as `chains`) binds as a list.
    """
    names = param_names(sql)
    return {k: v for k, v in params.items() if k in names}


def query(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: dict[str, Any] | None = None,
    *,
    in_transaction: bool = False,
) -> pa.Table:
    """The one place where ka_core runs a query: a cursor of `con`, bound parameters, Arrow out.

    A cursor is a connection of its own (safe across threads) and so does not see
    an open transaction of `con`; `in_transaction=True` queries `con` itself.
    """
    bound = used_params(sql, params or {})
    if in_transaction:
        return con.sql(sql, params=bound).to_arrow_table()
    cur = con.cursor()
    try:
        return cur.sql(sql, params=bound).to_arrow_table()
    finally:
        cur.close()


def query_df(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    return query(con, sql, params).to_pandas()
