"""The lean load (issue 14): DuckDB reads and checks a Parquet file itself, and gives the same rows
and the same messages as the text path (every value as a string, parsed by SQL), which any other file
takes. Also: a blank key (a target's category) replaces a blank key on reload."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ka_core import db, loading
from ka_core.settings import Settings
from tests.test_loading import con, snapshot, write  # noqa: F401  (con: the fixture)

MON = dt.date(2025, 3, 3)


def _parquet(tmp_path, name: str, columns: dict) -> object:
    p = tmp_path / name
    pq.write_table(pa.table(columns), p)
    return p


def _sales(tmp_path, name="sales.parquet", **override):
    cols = {
        "Week": pa.array([MON, MON + dt.timedelta(days=2), MON + dt.timedelta(days=7)], pa.date32()),
        "store_id": [" S1", "S2", "S1"],
        "SKU": ["K1", "K2", "K1"],
        "units": pa.array([3, 0, 5], pa.int64()),
        "revenue": pa.array([0.1 + 0.2, 1e20, 12.5], pa.float64()),
        "note": ["extra", "column", "ignored"],
    }
    return _parquet(tmp_path, name, {**cols, **override})


def _text_path(c, table, path):
    """Load through the text path: asking for a file's strings first makes validation take them."""
    files = loading.read_files(c, table, [path])
    for f in files:
        f.table  # noqa: B018  (builds the strings)
    return loading.write_files(c, table, files, "test")


def test_a_typed_parquet_file_takes_the_lean_path(con, tmp_path):  # noqa: F811
    (f,) = loading.read_files(con, "sales", [_sales(tmp_path)])
    assert f.text is None and f.parquet is not None and f.rows == 3
    assert f.headers == {"week": "Week", "store_id": "store_id", "sku": "SKU", "units": "units", "revenue": "revenue"}
    assert f.notes == ["sales.parquet: columns ignored (not in the sales table): note."]


def test_lean_and_text_paths_store_the_same_rows(con, tmp_path):  # noqa: F811
    path = _sales(tmp_path)
    before = snapshot(con)
    lean = loading.load_files(con, "sales", [path], user="test")
    lean_rows = con.execute("SELECT * FROM sales ORDER BY ALL").fetchall()
    lean_weekly = con.execute("SELECT * FROM ka_sales_weekly ORDER BY ALL").fetchall()
    loading.undo(con, lean.loads[0]["load_id"])
    assert con.execute("SELECT count(*) FROM sales").fetchall()[0][0] == len(before["sales"]) == 0
    text = _text_path(con, "sales", path)
    text_rows = con.execute("SELECT * FROM sales ORDER BY ALL").fetchall()
    # Same values, load id apart: 2025-03-05 is stored as its Monday, 0.1 + 0.2 and 1e20 exactly.
    assert (
        [r[:-1] for r in lean_rows]
        == [r[:-1] for r in text_rows]
        == [
            (MON, "S1", "K1", 3.0, 0.1 + 0.2),
            (MON, "S2", "K2", 0.0, 1e20),
            (MON + dt.timedelta(days=7), "S1", "K1", 5.0, 12.5),
        ]
    )
    assert con.execute("SELECT * FROM ka_sales_weekly ORDER BY ALL").fetchall() == lean_weekly
    assert lean.loads[0]["rows_inserted"] == text.loads[0]["rows_inserted"] == 3


def test_text_columns_in_a_parquet_file_are_parsed_as_in_a_csv(con, tmp_path):  # noqa: F811
    # Strings in the number and date columns: the lean path parses them with the text path's SQL.
    path = _sales(
        tmp_path,
        Week=["2025/03/05", "2025-03-03 10:00", "2025年3月10日"],
        units=["1,200", " 0 ", "5"],
        revenue=pa.array([1.5, None, 2.0]),
    )
    with pytest.raises(loading.ValidationFailed) as lean:
        loading.load_files(con, "sales", [path], user="test")
    with pytest.raises(loading.ValidationFailed) as text:
        _text_path(con, "sales", path)
    assert [str(p) for p in lean.value.validation.problems] == [str(p) for p in text.value.validation.problems]
    assert [str(p) for p in lean.value.validation.problems] == [
        "sales.parquet, row 2, column revenue — missing: expected a number ≥ 0"
    ]


BAD = {
    # row 1: negative revenue; row 2: units NaN; row 3: no store; row 4: an unknown sku;
    # row 5: week before 1900; row 6: the key of row 1 again (same week after the Monday).
    "week": pa.array([MON, MON, MON, MON, dt.date(1899, 12, 25), MON + dt.timedelta(days=3)], pa.date32()),
    "store_id": ["S1", "S2", None, "S2", "S1", "S1"],
    "sku": ["K1", "K1", "K1", "NOPE", "K3", "K1"],
    "units": pa.array([1.0, math.nan, 1.0, 1.0, 1.0, 2.0]),
    "revenue": pa.array([-5.0, 1.0, 1.0, 1.0, 1.0, 2.0]),
}


def test_a_bad_parquet_file_gives_the_text_paths_messages_and_writes_nothing(con, tmp_path):  # noqa: F811
    path = _parquet(tmp_path, "bad.parquet", BAD)
    before = snapshot(con)
    with pytest.raises(loading.ValidationFailed) as lean:
        loading.load_files(con, "sales", [path], user="test")
    assert snapshot(con) == before
    with pytest.raises(loading.ValidationFailed) as text:
        _text_path(con, "sales", path)
    assert snapshot(con) == before
    got = [str(p) for p in lean.value.validation.problems]
    assert got == [str(p) for p in text.value.validation.problems]
    assert got == [
        "bad.parquet, row 1, column revenue: '-5' — expected a number ≥ 0",
        "bad.parquet, row 2, column units: 'nan' — expected a number ≥ 0",
        "bad.parquet, row 3, column store_id — missing: expected a value",
        "bad.parquet, row 4, column sku: 'NOPE' — expected a sku of the products table",
        "bad.parquet, row 5, column week: '1899-12-25' — "
        "expected a date such as 2025-03-17 (any day of the week) between 1900 and 2199",
        "bad.parquet, row 6, column week/store_id/sku: '2025-03-03 S1 K1' — "
        "expected each key once; the same key is on row 1 of bad.parquet",
    ]


def test_cross_checks_of_a_valid_typed_file_run_in_the_lean_path(con, tmp_path):  # noqa: F811
    # Every cell valid, so no fallback: the duplicate and reference checks run on the lean rows.
    cols = {k: v.slice(0, 1) if isinstance(v, pa.Array) else v[:1] for k, v in BAD.items()}
    cols = {**cols, "revenue": pa.array([5.0])}
    path = _parquet(tmp_path, "dup.parquet", {k: pa.concat_arrays([pa.array(v), pa.array(v)]) for k, v in cols.items()})
    with pytest.raises(loading.ValidationFailed) as lean:
        loading.load_files(con, "sales", [path], user="test")
    assert [str(p) for p in lean.value.validation.problems] == [
        "dup.parquet, row 2, column week/store_id/sku: '2025-03-03 S1 K1' — "
        "expected each key once; the same key is on row 1 of dup.parquet"
    ]


def test_two_parquet_files_in_one_load(con, tmp_path):  # noqa: F811
    a = _sales(tmp_path, "a.parquet")
    b = _sales(
        tmp_path, "b.parquet", Week=pa.array([MON + dt.timedelta(weeks=5)] * 3, pa.date32()), SKU=["K1", "K2", "K3"]
    )
    res = loading.load_files(con, "sales", [a, b], user="test")
    assert [ld["rows_inserted"] for ld in res.loads] == [3, 3]
    assert con.execute("SELECT count(*), count(DISTINCT load_id) FROM sales").fetchall() == [(6, 2)]
    again = loading.load_files(con, "sales", [a], user="test")  # reloading replaces
    assert again.loads[0]["rows_replaced"] == 3
    assert con.execute("SELECT count(*) FROM sales").fetchall()[0][0] == 6


def test_limits_hold_for_the_lean_path(con, tmp_path):  # noqa: F811
    with pytest.raises(loading.KaError, match="3 rows is over the limit of 2"):
        loading.read_files(con, "sales", [_sales(tmp_path)], Settings(max_rows=2))


def test_load_caps_duckdbs_memory_and_puts_it_back(con, tmp_path):  # noqa: F811
    con.execute("SET memory_limit = '4GiB'").fetchall()
    with loading.memory_cap(con, 512):
        assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == "512.0 MiB"
    assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == "4.0 GiB"
    con.execute("SET memory_limit = '100MiB'").fetchall()  # a lower limit is kept
    with loading.memory_cap(con, 512):
        assert con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0] == "100.0 MiB"


TARGETS = "year,chain,category,revenue_target\n2025,Walmart,,1000\n2025,Walmart,Dairy,400\n"


def test_reloading_a_target_with_a_blank_category_replaces_it(con, tmp_path):  # noqa: F811
    first = loading.load_files(con, "targets", [write(tmp_path, "t.csv", TARGETS)], user="test")
    assert first.loads[0]["rows_inserted"] == 2
    second = loading.load_files(
        con, "targets", [write(tmp_path, "t2.csv", TARGETS.replace("1000", "1200"))], user="test"
    )
    # The blank category is the same key as before (blank = all categories): replaced, not doubled.
    assert second.loads[0]["rows_replaced"] == 2
    rows = con.execute("SELECT year, chain, category, revenue_target FROM targets ORDER BY ALL").fetchall()
    assert rows == [(2025, "Walmart", "Dairy", 400.0), (2025, "Walmart", None, 1200.0)]
    loading.undo(con, second.loads[0]["load_id"])  # and undo puts the old blank-category row back
    rows = con.execute("SELECT year, chain, category, revenue_target FROM targets ORDER BY ALL").fetchall()
    assert rows == [(2025, "Walmart", "Dairy", 400.0), (2025, "Walmart", None, 1000.0)]


def test_preview_counts_a_blank_key_as_replaced(con, tmp_path):  # noqa: F811
    loading.load_files(con, "targets", [write(tmp_path, "t.csv", TARGETS)], user="test")
    files = loading.read_files(con, "targets", [write(tmp_path, "t2.csv", TARGETS)])
    v = loading.validate_files(con, "targets", files)
    assert v.ok and v.replaced == {"t2.csv": 2}


def test_a_parquet_file_into_an_empty_warehouse_fails_cleanly(tmp_path):
    """A fresh warehouse loads a Parquet sales file before any other (references then fail, cleanly)."""
    c = db.connect(tmp_path / "w.duckdb")
    try:
        with pytest.raises(loading.ValidationFailed) as exc:
            loading.load_files(c, "sales", [_sales(tmp_path)], user="test")
        assert {p.expected for p in exc.value.validation.problems} == {
            "expected a store_id of the stores table",
            "expected a sku of the products table",
        }
    finally:
        c.close()
