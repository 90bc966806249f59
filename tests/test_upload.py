"""The Data page's logic (ka_core.upload) with real files: GB18030 CSV with Chinese headers,
XLSX with Excel dates, a bad file, an unknown layout that needs a mapping."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from ka_core import db, loading, upload
from ka_core.settings import Filters
from tests import tiny


@pytest.fixture
def con(tmp_path):
    c = db.connect(tmp_path / "w.duckdb")
    tiny.fill(c)
    yield c
    c.close()


def make(tmp_path, name, data: bytes) -> upload.Upload:
    return upload.Upload(name=name, path=upload.save(name, data, tmp_path))


def test_gb18030_csv_with_chinese_headers_is_recognised_and_previewed(con, tmp_path):
    text = "拜访日期,门店编号,业务员,品类,门店品类销售额,本品排面,总排面\n2025-01-15,B,王芳,Phones,200,3,10\n"
    up = make(tmp_path, "周报.csv", text.encode("gb18030"))
    up.headers = upload.peek_headers(up.path)
    assert upload.guess_table(up.headers) == "visits"
    upload.read(con, up, "visits")
    assert up.error is None and up.raw.table.num_rows == 1
    pv = loading.preview(con, "visits", [up.raw], Filters(date_to=dt.date(2025, 1, 26)))
    assert pv.validation.ok and pv.stores == ["B"]
    changes = upload.changes_frame(pv.changes, "en")
    b = changes[changes["store_id"] == "B"].iloc[0]
    assert b["customer_share"] == "22.2% → 23.1%"  # 100/450 -> 150/650 (tests/test_loading.py)
    assert b["quadrant"] == "Monitor → Attack"


def test_xlsx_with_excel_dates_and_a_bad_cell_marked_in_the_preview(con, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["week", "store_id", "sku", "units", "revenue"])
    ws.append([dt.datetime(2025, 3, 31), "A", "P1", 5, 25])
    ws.append([dt.datetime(2025, 4, 7), "A", "P1", "many", 25])
    p = tmp_path / "sales.xlsx"
    wb.save(p)
    up = make(tmp_path, "sales.xlsx", p.read_bytes())
    upload.read(con, up, "sales")
    pv = loading.preview(con, "sales", [up.raw])
    assert [(x.row, x.column, x.value) for x in pv.validation.problems] == [(3, "units", "many")]
    frame, mask = upload.preview_frame(up.raw, pv.validation.problems)
    assert frame.loc[0, "row"] == 3 and bool(mask.loc[0, "units"])  # the bad row first, its cell marked
    assert not mask.loc[0, "sku"] and not mask.loc[1].any()
    assert list(frame["week"]) == ["2025-04-07", "2025-03-31"]  # real Excel dates read as dates
    problems = upload.problems_frame(pv.validation.problems)
    assert problems.iloc[0].to_dict() == {
        "file": "sales.xlsx",
        "row": 3,
        "column": "units",
        "value": "many",
        "expected": "expected a number ≥ 0",
    }


def test_unknown_headers_need_a_mapping_which_is_remembered(con, tmp_path):
    text = "日期,店号,货号,件数,金额\n2025-03-31,A,P1,1,10\n"
    up = make(tmp_path, "odd.csv", text.encode())
    up.headers = upload.peek_headers(up.path)
    assert upload.guess_table(up.headers) is None
    upload.read(con, up, "sales")
    assert up.raw is None and "no header row" in up.error
    mapping = {"日期": "week", "店号": "store_id", "货号": "sku", "件数": "units", "金额": "revenue"}
    upload.read(con, up, "sales", mapping)
    assert up.error is None
    loading.write_files(con, "sales", [up.raw], "Wang")
    loading.remember_mapping(con, "sales", mapping)
    again = make(tmp_path, "odd2.csv", text.replace("03-31", "04-07").encode())
    upload.read(con, again, "sales")
    assert again.error is None  # remembered


def test_upload_limits(con, tmp_path):
    big = make(tmp_path, "big.csv", b"week,store_id,sku,units,revenue\n" + b"2025-03-31,A,P1,1,1\n" * 2_000_000)
    upload.read(con, big, "sales")
    assert big.raw is None and "over the limit of 20 MB" in big.error


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_csv_are_recognised_as_on_the_command_line(con, tmp_path, sep):
    """The Data page finds the table and its headers with the loader's own delimiter detection."""
    rows = [["拜访日期", "门店编号", "业务员", "品类", "门店品类销售额"], ["2025-01-15", "B", "王芳", "Phones", "200"]]
    text = "\n".join(sep.join(r) for r in rows) + "\n"
    up = upload.open_upload(con, "visits.csv", text.encode(), None)
    assert up.headers == rows[0]
    assert up.table == "visits" and up.error is None and up.raw.table.num_rows == 1
    assert up.raw.table.column("store_category_sales").to_pylist() == ["200"]
    cli = loading.read_files(con, "visits", [up.path])[0]  # what `python -m ka_core load` reads
    assert cli.table.select(up.raw.table.column_names).equals(up.raw.table)


def test_refusals_carry_a_code_the_page_branches_on(con, tmp_path):
    """Header problems are mappable (code, column), whatever their wording; others are not."""
    missing = upload.open_upload(con, "s.csv", b"week,store_id,sku,units\n2025-03-31,A,P1,1\n", "sales")
    assert missing.error_code == "headers" and missing.mappable
    odd = upload.open_upload(con, "odd.csv", b"a,b,c\n1,2,3\n", None)
    assert odd.error_code == "not_recognised" and odd.mappable and odd.table is None
    empty_rows = upload.open_upload(con, "e.csv", b"week,store_id,sku,units,revenue\n", "sales")
    assert empty_rows.error and not empty_rows.mappable
    twice = upload.open_upload(
        con, "t.csv", b"week,store_id,sku,units,revenue,Revenue\n2025-03-31,A,P1,1,1,1\n", "sales"
    )
    assert twice.error_code == "headers" and "both mean revenue" in twice.error


def test_problems_csv_never_holds_a_live_formula():
    p = loading.Problem(file="=cmd|'/c calc'!A1.csv", row=3, column="rep", value="@SUM(A1)", expected="a name")
    text = loading.problems_csv([p])
    assert "'=cmd" in text and "'@SUM(A1)" in text and ",=" not in text and ",@" not in text


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_preview_and_problems_download_name_columns_as_the_sheet_does(con, tmp_path, lang):
    """The sheet says 门店编号: the preview column and the problems file say 门店编号 (issue 11)."""
    import csv
    import io

    text = (
        "拜访日期,门店编号,业务员,品类,本品排面,总排面\n2025-01-15,B,王芳,Phones,3,10\n2025-01-16,Z9,王芳,Phones,x,10\n"
    )
    up = make(tmp_path, "周报.csv", text.encode("utf-8"))
    upload.read(con, up, "visits")
    pv = loading.preview(con, "visits", [up.raw])
    frame, mask = upload.preview_frame(up.raw, pv.validation.problems, lang=lang, table="visits")
    row = "行" if lang == "zh" else "row"
    assert list(frame.columns) == [row, "拜访日期", "门店编号", "业务员", "品类", "本品排面", "总排面"]
    assert list(mask.columns) == list(frame.columns)
    assert frame.loc[0, row] == 3 and bool(mask.loc[0, "门店编号"]) and bool(mask.loc[0, "本品排面"])
    got = list(
        csv.reader(
            io.StringIO(upload.problems_csv(pv.validation.problems, lang, [up.raw], "visits").decode("utf-8-sig"))
        )
    )
    head = ["文件", "行", "列", "值", "应为"] if lang == "zh" else ["file", "row", "column", "value", "expected"]
    assert got[0] == head
    assert sorted((r[1], r[2], r[3]) for r in got[1:]) == [("3", "本品排面", "x"), ("3", "门店编号", "Z9")]
    if lang == "zh":
        assert {r[4] for r in got[1:]} == {"应为一个 ≥ 0 的数字", "应为门店表中的门店编号"}
