"""Templates: a downloaded template, filled in, loads as is."""

from __future__ import annotations

import datetime as dt

import openpyxl
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
