"""Issue 11: a loader that never breaks, and blank rows of a visit sheet that never count.

Each test here failed on main before the fix: CR-only line endings, cells over
131,072 characters, nested Parquet columns and invalid bytes behind a BOM gave
"unexpected" internal errors; a 1-million-character cell was echoed whole;
`2025-03-17 25:99` lost its time silently; key-only visit rows were stored.
"""

from __future__ import annotations

import io
import string
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ka_core import cli, db, loading
from ka_core.errors import KaError
from ka_core.schema import TABLES
from tests.test_loading import PRODUCTS, STORES, snapshot

ROOT = Path(__file__).resolve().parents[1]
VISITS_HEAD = "visit_date,store_id,rep,category,store_category_sales,own_facings,total_facings\n"


@pytest.fixture
def con(tmp_path):
    c = db.connect(tmp_path / "w.duckdb")
    for table, text in (("stores", STORES), ("products", PRODUCTS)):
        p = tmp_path / f"{table}.csv"
        p.write_text(text, encoding="utf-8")
        loading.load_files(c, table, [p], user="test")
    yield c
    c.close()


def put(tmp_path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def refused(con, path: Path, table: str) -> KaError:
    """Load a file that must be refused; nothing may change; return the refusal."""
    before = snapshot(con)
    with pytest.raises(KaError) as exc:
        loading.load_files(con, table, [path], user="test")
    assert snapshot(con) == before
    return exc.value


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


# 1 · Blank rows ----------------------------------------------------------------------------


def test_key_only_visit_rows_are_skipped_counted_and_never_replace_a_visit(con, tmp_path):
    first = put(tmp_path, "first.csv", VISITS_HEAD + "2025-03-17,S1,Li,Dairy,900,3,10\n")
    loading.load_files(con, "visits", [first], user="Li")
    # A pre-filled sheet: S1's row left blank, S2's filled, and a row with blanks only in cells.
    sheet = put(
        tmp_path,
        "sheet.csv",
        VISITS_HEAD + "2025-03-17,S1,Li,Dairy,,,\n2025-03-17,S2,Li,Dairy,500,2,8\n2025-03-17,S2,Li,Snacks, , ,\n",
    )
    raw = loading.read_files(con, "visits", [sheet])
    assert raw[0].blank_rows == 2 and raw[0].table.num_rows == 1
    pv = loading.preview(con, "visits", raw)
    assert (pv.rows_new, pv.rows_replaced, pv.blank_rows) == (1, 0, 2)
    r = loading.write_files(con, "visits", raw, "Li")
    assert r.loads[0]["rows_inserted"] == 1 and r.loads[0]["rows_replaced"] == 0
    got = con.execute("SELECT store_id, category, store_category_sales FROM visits ORDER BY 1, 2").fetchall()
    assert got == [("S1", "Dairy", 900.0), ("S2", "Dairy", 500.0)]  # S1's visit kept its total


def test_command_line_skips_key_only_rows_and_says_so(con, tmp_path):
    con.close()
    sheet = put(tmp_path, "sheet.csv", VISITS_HEAD + "2025-03-17,S1,Li,Dairy,,,\n2025-03-17,S2,Li,Dairy,500,2,8\n")
    code, out, err = run_cli("load", "visits", str(sheet), "--db", str(tmp_path / "w.duckdb"))
    assert code == 0, err
    assert "1 rows written" in out and "1 empty rows" in err


def test_a_sheet_of_key_only_rows_is_refused(con, tmp_path):
    sheet = put(tmp_path, "blank.csv", VISITS_HEAD + "2025-03-17,S1,Li,Dairy,,,\n")
    assert "every row is empty" in str(refused(con, sheet, "visits"))


# 6 · Files that broke the loader -----------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_any_line_ending_gives_the_same_rows(con, tmp_path, newline):
    text = newline.join(["store_id,store_name,chain,region", "S3,Three,Walmart,East", "S4,Four,Walmart,West", ""])
    r = loading.load_files(con, "stores", [put(tmp_path, "s.csv", text)], user="t")
    assert r.loads[0]["rows_inserted"] == 2
    assert con.execute("SELECT store_id, region FROM stores WHERE store_id > 'S2' ORDER BY 1").fetchall() == [
        ("S3", "East"),
        ("S4", "West"),
    ]


@pytest.mark.parametrize("after", ["", "\n\nS5,Five,Walmart,East\n"])
def test_a_cell_over_131072_characters_loads(con, tmp_path, after):
    name = "n" * 200_000
    loading.load_files(
        con, "stores", [put(tmp_path, "s.csv", f"store_id,store_name,chain,region\nS3,{name},W,E\n{after}")]
    )
    assert con.execute("SELECT length(store_name) FROM stores WHERE store_id = 'S3'").fetchall() == [(200_000,)]


def test_a_huge_bad_cell_is_cut_in_the_message_and_stderr_stays_small(con, tmp_path):
    con.close()
    bad = "x" * 1_000_000
    rows = "".join(f"2025-03-17,S1,K1,{bad},1\n" for _ in range(3))
    f = put(tmp_path, "huge.csv", "week,store_id,sku,units,revenue\n" + rows)
    code, _, err = run_cli("load", "sales", str(f), "--db", str(tmp_path / "w.duckdb"))
    assert code == 1
    assert len(err.encode()) < 64 * 1024
    assert "(1,000,000 characters)" in err and "row 2, column units" in err


@pytest.mark.parametrize(
    "values, kind",
    [([["a"]], "list"), ([{"x": 1}], "struct"), ([[("k", "v")]], "map")],
)
def test_nested_parquet_columns_are_refused_by_name(con, tmp_path, values, kind):
    arr = pa.array(values, pa.map_(pa.string(), pa.string())) if kind == "map" else pa.array(values)
    p = tmp_path / "n.parquet"
    pq.write_table(pa.table({"store_id": ["S9"], "store_name": arr, "chain": ["W"], "region": ["E"]}), p)
    msg = str(refused(con, p, "stores"))
    assert "'store_name'" in msg and kind in msg and "nested" in msg


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_invalid_bytes_name_the_row(con, tmp_path, bom):
    data = bom + b"store_id,store_name,chain,region\nS3,ok,W,E\nS4,\xff\x80bad,W,E\n"
    err = refused(con, put(tmp_path, "b.csv", data), "stores")
    assert err.row == 3 and "b.csv, row 3" in str(err)


@pytest.mark.parametrize("cell", ["2025-03-17 25:99", "2025-03-17 23:60", "2025-03-17T10:00:75"])
def test_impossible_times_are_refused_not_dropped(con, tmp_path, cell):
    f = put(tmp_path, "v.csv", VISITS_HEAD + f"{cell},S1,Li,Dairy,100,,\n")
    err = refused(con, f, "visits")
    problems = err.validation.problems
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "visit_date", cell)]


def test_real_times_still_load(con, tmp_path):
    f = put(
        tmp_path, "v.csv", VISITS_HEAD + "2025-03-17 23:59:59,S1,Li,Dairy,100,,\n2025-03-18T00:00,S2,Li,Dairy,1,,\n"
    )
    assert loading.load_files(con, "visits", [f]).loads[0]["rows_inserted"] == 2


@pytest.mark.parametrize(
    "text, says",
    [
        ("store_id,store_name,chain,region\n", "no data rows"),
        ("\n\n\n", "no header row"),
        ("store_id,store_id,store_name,chain,region\nS3,S3,a,b,c\n", "both mean store_id"),
    ],
)
def test_empty_header_only_and_duplicate_headers(con, tmp_path, text, says):
    assert says in str(refused(con, put(tmp_path, "e.csv", text), "stores"))


def test_xlsx_is_streamed_in_chunks(con, tmp_path, monkeypatch):
    """The sheet's rows become Arrow a chunk at a time (bench measures a 1-million-row sheet)."""
    monkeypatch.setattr(loading, "XLSX_CHUNK", 3)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("stores")
    ws.append(["store_id", "store_name", "chain", "region"])
    for i in range(10):
        ws.append([f"X{i}", f"n{i}", "W", "E"])
    ws.append(["合计", None, None, None])
    p = tmp_path / "s.xlsx"
    wb.save(p)
    raw = loading.read_file(p, "stores")
    assert raw.table.num_rows == 10 and raw.table.column("_row").to_pylist() == list(range(2, 12))
    assert any("totals row" in n for n in raw.notes)


# The property: any bytes, any rows, any table ---------------------------------------------

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", " ", "S1", "K1", "Dairy", "2025-03-17", "2025-03-17 25:99", "Y", "是", "-1", "=1+1", "1e309"]),
)
csv_text = st.builds(
    lambda header, rows, newline: newline.join(",".join(r) for r in [header, *rows]),
    st.lists(st.sampled_from([*{c for t in TABLES.values() for c in t.column_names}, "x", "门店编号"]), max_size=8),
    st.lists(st.lists(cell.map(lambda s: s.replace(",", ";").replace('"', "")), max_size=8), max_size=6),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
raw_bytes = st.one_of(
    st.binary(max_size=300),
    csv_text.map(lambda s: s.encode("utf-8")),
    csv_text.map(lambda s: b"\xef\xbb\xbf" + s.encode("utf-8", "replace") + b"\xff"),
    csv_text.map(lambda s: s.encode("gb18030", "replace")),
    st.sampled_from([b"PAR1garbage", b"PK\x03\x04garbage"]),
)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    d = tmp_path_factory.mktemp("prop")
    c = db.connect(d / "w.duckdb")
    for table, text in (("stores", STORES), ("products", PRODUCTS)):
        p = d / f"{table}.csv"
        p.write_text(text, encoding="utf-8")
        loading.load_files(c, table, [p], user="test")
    c.close()
    return d


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=st.sampled_from(list(TABLES)), data=raw_bytes, suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_any_file_loads_or_is_refused_cleanly(warehouse, table, data, suffix):
    f = warehouse / f"in{suffix}"
    f.write_bytes(data)
    db_file = str(warehouse / "w.duckdb")
    con = db.connect(db_file)
    before = snapshot(con)
    con.close()
    code, _, err = run_cli("load", table, str(f), "--db", db_file)
    assert code in (0, 1)
    if code == 1:
        assert "error: " in err and "unexpected" not in err and "Traceback" not in err
        assert len(err.encode()) < 64 * 1024
        con = db.connect(db_file)
        assert snapshot(con) == before
        con.close()


def test_the_module_command_never_shows_a_traceback(tmp_path):
    """The same through `python -m ka_core load`, for a few of the files that broke it."""
    db_file = tmp_path / "w.duckdb"
    for table, text in (("stores", STORES), ("products", PRODUCTS)):
        loading.load_files(c := db.connect(db_file), table, [put(tmp_path, f"{table}.csv", text)])
        c.close()
    files = {
        "cr.csv": b"store_id,store_name,chain,region\rS3,Three,W,E\r",
        "bom.csv": b"\xef\xbb\xbfstore_id,store_name,chain,region\nS3,\xff,W,E\n",
        "rand.csv": bytes(range(256)) + string.printable.encode(),
    }
    for name, data in files.items():
        r = subprocess.run(
            [sys.executable, "-m", "ka_core", "load", "stores", str(put(tmp_path, name, data)), "--db", str(db_file)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert "Traceback" not in r.stderr and "unexpected" not in r.stderr, r.stderr
        assert r.returncode == 0 or r.stderr.startswith("error: ") or "error: " in r.stderr


# 5 · A visit total below our own sales -----------------------------------------------------


def test_a_visit_total_below_own_sales_is_warned_with_its_row(con, tmp_path):
    sales = put(tmp_path, "sales.csv", "week,store_id,sku,units,revenue\n2025-03-17,S1,K1,10,100\n")
    loading.load_files(con, "sales", [sales])
    f = put(tmp_path, "v.csv", VISITS_HEAD + "2025-03-19,S1,Li,Dairy,60,,\n2025-03-19,S2,Li,Dairy,60,,\n")
    raw = loading.read_files(con, "visits", [f])
    pv = loading.preview(con, "visits", raw)
    assert pv.validation.ok
    assert [(w.row, w.column, w.value) for w in pv.validation.warnings] == [(2, "store_category_sales", "60")]
    r = loading.write_files(con, "visits", raw)
    assert r.loads[0]["rows_inserted"] == 2  # a warning does not stop the load
    assert any(n.startswith("warning: v.csv, row 2, column store_category_sales") for n in r.notes)
