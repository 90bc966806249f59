"""Excel templates users fill in: one per table, English or Chinese headers.

Yes/no, mechanic, store and category columns are drop-down lists, every column
shows an input hint, date columns are formatted as dates, and a visit sheet can
come pre-filled with a KA manager's stores for a week, so a manager types
numbers, not codes. A filled template loads as is (its blank rows are skipped).
No cell is ever a formula: every value goes through ka_core.sheets.put.
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

from . import schema, sheets
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


def choices(con: duckdb.DuckDBPyConnection, ka_manager: str | None = None) -> dict[str, list[str]]:
    """The values a visit sheet's drop-downs offer: the manager's stores (all stores when
    none is given) and every category."""
    stores = query(
        con,
        "SELECT store_id FROM stores WHERE $m IS NULL OR ka_manager = $m ORDER BY store_id",
        {"m": ka_manager},
    ).column("store_id")
    categories = query(con, "SELECT DISTINCT category FROM products ORDER BY 1").column("category")
    return {"store_id": stores.to_pylist(), "category": categories.to_pylist()}


def _hint(col: schema.Column, lang: str) -> tuple[str, str]:
    """The input message Excel shows when a cell of the column is selected (title ≤ 32, text ≤ 255)."""
    from . import i18n

    title = (col.zh if lang == "zh" else col.name)[:32]
    text = i18n.expected(col.kind, lang)
    if col.required:
        text = ("必填。" if lang == "zh" else "Required. ") + text
    help_text = i18n.column_help(col, lang)
    if help_text:
        text += ("。" if lang == "zh" else ". ") + help_text
    return title, text[:255]


def template_xlsx(
    table: str,
    lang: str = "en",
    rows: list[dict] | None = None,
    lists: dict[str, list[str]] | None = None,
) -> bytes:
    """An .xlsx template for `table` (sheet named after it), optionally pre-filled.

    Drop-downs for yes/no and mechanic columns and for the columns in `lists`
    (store, category: values kept on a hidden sheet, no 255-character limit);
    every column shows an input hint; the header is frozen. Every text written
    goes through sheets.put, so a value such as `=cmd` stays text.
    """
    t = TABLES[table]
    wb = Workbook()
    ws = wb.active
    ws.title = table
    cols = list(t.columns)
    for i, c in enumerate(cols, start=1):
        cell = sheets.put(ws, 1, i, header(c, lang))
        cell.font = Font(bold=c.required)
        cell.fill = REQUIRED_FILL if c.required else OPTIONAL_FILL
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[get_column_letter(i)].width = _width(c, lang, rows)
    last = TEMPLATE_ROWS + 1 + len(rows or [])
    lists = {k: v for k, v in (lists or {}).items() if v and k in t.column_names}
    hidden = None
    if lists:
        hidden = wb.create_sheet("lists")
        hidden.sheet_state = "hidden"
    for i, c in enumerate(cols, start=1):
        letter = get_column_letter(i)
        span = f"{letter}2:{letter}{last}"
        title, text = _hint(c, lang)
        if c.kind == schema.BOOL:
            dv = DataValidation(type="list", formula1='"' + ",".join(YES_NO[lang]) + '"', allow_blank=True)
        elif c.kind == schema.MECHANIC:
            dv = DataValidation(type="list", formula1='"' + ",".join(schema.MECHANICS) + '"', allow_blank=False)
        elif c.name in lists:
            j = list(lists).index(c.name) + 1
            hidden_letter = get_column_letter(j)
            sheets.put(hidden, 1, j, c.name)
            for r, v in enumerate(lists[c.name], start=2):
                sheets.put(hidden, r, j, v)
            end = len(lists[c.name]) + 1
            dv = DataValidation(
                type="list", formula1=f"lists!${hidden_letter}$2:${hidden_letter}${end}", allow_blank=True
            )
        else:
            dv = DataValidation(allow_blank=True)  # any value: the input hint only
        dv.promptTitle, dv.prompt, dv.showInputMessage = title, text, True
        dv.add(span)
        ws.add_data_validation(dv)
        if c.kind in (schema.DATE, schema.WEEK):
            for r in range(2, last + 1):
                ws.cell(row=r, column=i).number_format = "yyyy-mm-dd"
    for r, values in enumerate(rows or [], start=2):
        for i, c in enumerate(cols, start=1):
            if values.get(c.name) is not None:
                sheets.put(ws, r, i, values[c.name])
        if values.get("_name") and "store_id" in t.column_names:
            cell = ws.cell(row=r, column=t.column_names.index("store_id") + 1)
            cell.comment = Comment(str(values["_name"]), "ka-analytics")
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _width(col: schema.Column, lang: str, rows: list[dict] | None) -> float:
    """A column as wide as its header or its longest pre-filled value (CJK counts double), 12–40."""

    def w(text: str) -> float:
        return sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text)

    longest = max([w(header(col, lang)), *(w(str(r.get(col.name) or "")) for r in rows or [])])
    if col.kind in (schema.DATE, schema.WEEK):
        longest = max(longest, 11)
    return min(40, max(12, longest + 4))
