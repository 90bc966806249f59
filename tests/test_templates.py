"""Templates: a downloaded template, filled in, loads as is."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from ka_core import db, loading, templates
from ka_core.schema import TABLES
from tests import tiny


@pytest.fixture
def con(tmp_path):
    c = db.connect(tmp_path / "t.duckdb")
    tiny.fill(c, {"stores": tiny.STORES, "products": tiny.PRODUCTS})
    yield c
    c.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("table", list(TABLES))
def test_template_headers_and_drop_downs(table, lang, tmp_path):
    p = tmp_path / f"{table}.xlsx"
    p.write_bytes(templates.template_xlsx(table, lang))
    ws = openpyxl.load_workbook(p)[table]
    expected = [c.zh if lang == "zh" else c.name for c in TABLES[table].columns]
    assert [c.value for c in ws[1]] == expected
    kinds = {c.kind for c in TABLES[table].columns}
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation]
    if "bool" in kinds:
        assert ('"是,否"' if lang == "zh" else '"Y,N"') in lists
    if "mechanic" in kinds:
        assert '"DM,TG,TPR,PROMOTER,BUNDLE"' in lists


def test_manager_visit_sheet_prefilled_filled_and_loaded(con, tmp_path):
    rows = templates.manager_rows(con, "Wang", dt.date(2025, 1, 15))
    # Wang has stores B and D; two categories: four rows, dated Monday 2025-01-13.
    assert [(r["store_id"], r["category"]) for r in rows] == [
        ("B", "Phones"),
        ("B", "Tablets"),
        ("D", "Phones"),
        ("D", "Tablets"),
    ]
    p = tmp_path / "wang.xlsx"
    p.write_bytes(templates.template_xlsx("visits", "zh", rows))
    wb = openpyxl.load_workbook(p)
    ws = wb["visits"]
    assert ws.cell(2, 1).value == dt.datetime(2025, 1, 13)  # a real Excel date
    assert ws.cell(2, 1).number_format == "yyyy-mm-dd"
    # The manager fills in numbers (store_category_sales is column 5, display_ok column 8).
    ws.cell(2, 5, 1234)
    ws.cell(2, 8, "是")
    ws.cell(4, 5, 880)
    wb.save(p)
    r = loading.load_files(con, "visits", [p], user="Wang")
    # The two rows left blank hold nothing beyond their keys: skipped, not stored.
    assert r.loads[0]["rows_inserted"] == 2
    assert any("2 empty rows" in n for n in r.notes)
    got = con.execute(
        "SELECT store_id, category, store_category_sales, display_ok FROM visits ORDER BY 1, 2"
    ).fetchall()
    assert got == [("B", "Phones", 1234.0, True), ("D", "Phones", 880.0, None)]


# issue 11 ---------------------------------------------------------------------------------


def test_visit_sheet_has_store_and_category_lists_hints_frozen_header(con, tmp_path):
    rows = templates.manager_rows(con, "Wang", dt.date(2025, 1, 15))
    p = tmp_path / "wang.xlsx"
    p.write_bytes(templates.template_xlsx("visits", "zh", rows, templates.choices(con, "Wang")))
    wb = openpyxl.load_workbook(p)
    ws = wb["visits"]
    assert ws.freeze_panes == "A2"
    by_col = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    lists = wb["lists"]
    assert lists.sheet_state == "hidden"
    # store_id (column B) offers Wang's stores, category (column D) every category.
    store, category = by_col["B2"], by_col["D2"]
    assert store.formula1 == "lists!$A$2:$A$3" and [lists.cell(r, 1).value for r in (2, 3)] == ["B", "D"]
    assert category.formula1 == "lists!$B$2:$B$3" and [lists.cell(r, 2).value for r in (2, 3)] == ["Phones", "Tablets"]
    assert by_col["H2"].formula1 == '"是,否"'  # display_ok
    # Every column has a Chinese input hint; the date column is wide enough for a date.
    assert all(dv.showInputMessage and dv.prompt for dv in by_col.values()) and len(by_col) == 13
    assert by_col["E2"].prompt.startswith("一个 ≥ 0 的数字")
    assert ws.column_dimensions["A"].width >= 12


def test_no_cell_the_project_writes_is_a_formula(con, tmp_path):
    """A KA manager named `=HYPERLINK(…)` stays text in the template, the download and the problem list."""
    from ka_core import sheets

    evil = '=HYPERLINK("http://x","y")'
    con.execute("UPDATE stores SET ka_manager = ? WHERE store_id = 'B'", [evil]).fetchall()
    rows = templates.manager_rows(con, evil, dt.date(2025, 1, 15))
    wb = openpyxl.load_workbook(io.BytesIO(templates.template_xlsx("visits", "en", rows)))
    rep = wb["visits"].cell(2, 3)
    assert rep.value == evil and rep.data_type == "s" and rep.quotePrefix
    cells = [c for r in wb["visits"].iter_rows() for c in r]
    assert not [c for c in cells if c.data_type == "f"]
    # Downloads: XLSX keeps the text with a quote prefix, CSV gets a leading quote; numbers stay numbers.
    df = pd.DataFrame({"name": [evil, "+1", "ok"], "n": [-1.5, 2.0, 3.0]})
    ws = openpyxl.load_workbook(io.BytesIO(sheets.xlsx_bytes(df))).active
    assert [(c.value, c.data_type, c.quotePrefix) for c in ws["A"]][1:3] == [(evil, "s", True), ("+1", "s", True)]
    assert [c.value for c in ws["B"]][1:] == [-1.5, 2.0, 3.0]
    text = sheets.csv_bytes(df).decode("utf-8-sig")
    quoted = "\"'" + evil.replace('"', '""') + '"'
    assert quoted in text and "'+1" in text and "-1.5" in text
    # The problems CSV (the page's download and `load --errors`).
    p = tmp_path / "v.csv"
    p.write_text("visit_date,store_id,rep,category,notes\n2025-01-15,@SUM(1),R,Phones,x\n", encoding="utf-8")
    with pytest.raises(loading.ValidationFailed) as exc:
        loading.load_files(con, "visits", [p])
    assert "'@SUM(1)" in loading.problems_csv(exc.value.validation.problems)
