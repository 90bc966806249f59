"""Excel templates users fill in: one per table, English or Chinese headers.

Yes/no and mechanic columns are drop-down lists, date columns are formatted as
dates, and a visit sheet can come pre-filled with a KA manager's stores for a
week, so a manager types numbers, not codes. A filled template loads as is.
"""

from __future__ import annotations

import datetime as dt
import io

import duckdb
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from . import schema
from .db import query
from .schema import TABLES

TEMPLATE_ROWS = 500  # rows that get drop-downs and date formats
REQUIRED_FILL = PatternFill("solid", fgColor="FFE8EEF7")
OPTIONAL_FILL = PatternFill("solid", fgColor="FFF4F4F4")
YES_NO = {"en": ("Y", "N"), "zh": ("是", "否")}


def header(col: schema.Column, lang: str) -> str:
    return col.zh if lang == "zh" else col.name


def manager_rows(con: duckdb.DuckDBPyConnection, ka_manager: str, week: dt.date) -> list[dict]:
    """One row per store of the KA manager and category, dated the week's Monday."""
    monday = week - dt.timedelta(days=week.weekday())
    rows = query(
        con,
        "SELECT s.store_id, s.store_name, c.category FROM stores AS s "
        "CROSS JOIN (SELECT DISTINCT category FROM products) AS c "
        "WHERE s.ka_manager = $m ORDER BY s.store_id, c.category",
        {"m": ka_manager},
    ).to_pylist()
    return [
        {
            "visit_date": monday,
            "store_id": r["store_id"],
            "rep": ka_manager,
            "category": r["category"],
            "_name": r["store_name"],
        }
        for r in rows
    ]


def template_xlsx(
    table: str,
    lang: str = "en",
    rows: list[dict] | None = None,
) -> bytes:
    """An .xlsx template for `table` (sheet named after it), optionally pre-filled."""
    t = TABLES[table]
    wb = Workbook()
    ws = wb.active
    ws.title = table
    cols = list(t.columns)
    ws.append([header(c, lang) for c in cols])
    for i, c in enumerate(cols, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = Font(bold=c.required)
        cell.fill = REQUIRED_FILL if c.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center")
        note = ("必填。" if lang == "zh" else "Required. ") if c.required else ""
        note += schema.EXPECTED[c.kind] + (f". {c.help}" if c.help else "")
        cell.comment = Comment(note, "ka-analytics")
        ws.column_dimensions[get_column_letter(i)].width = max(
            12, len(header(c, lang)) * (2.2 if lang == "zh" else 1.2) + 4
        )
    last = TEMPLATE_ROWS + 1 + len(rows or [])
    for i, c in enumerate(cols, start=1):
        letter = get_column_letter(i)
        span = f"{letter}2:{letter}{last}"
        if c.kind == schema.BOOL:
            dv = DataValidation(type="list", formula1='"' + ",".join(YES_NO[lang]) + '"', allow_blank=True)
            dv.add(span)
            ws.add_data_validation(dv)
        elif c.kind == schema.MECHANIC:
            dv = DataValidation(type="list", formula1='"' + ",".join(schema.MECHANICS) + '"', allow_blank=False)
            dv.add(span)
            ws.add_data_validation(dv)
        elif c.kind in (schema.DATE, schema.WEEK):
            for r in range(2, last + 1):
                ws.cell(row=r, column=i).number_format = "yyyy-mm-dd"
    for r, values in enumerate(rows or [], start=2):
        for i, c in enumerate(cols, start=1):
            if values.get(c.name) is not None:
                ws.cell(row=r, column=i, value=values[c.name])
        if values.get("_name") and "store_id" in t.column_names:
            cell = ws.cell(row=r, column=t.column_names.index("store_id") + 1)
            cell.comment = Comment(str(values["_name"]), "ka-analytics")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
