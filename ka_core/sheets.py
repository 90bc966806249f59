"""Files written for spreadsheets (downloads, templates, problem lists): never a live formula.

The one place of the OWASP rule of data-contract.md: a text cell starting with
`=`, `+`, `-`, `@`, tab or CR gets a leading `'` in CSV, and is stored as text
with Excel's quote prefix in XLSX (`put`); numbers stay numbers.
"""

from __future__ import annotations

import io

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutral(value):
    """One cell made safe: a text that a spreadsheet would run gets a leading quote."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of `df` whose text cells are safe to open in a spreadsheet."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutral)
    return out


def risky(value) -> bool:
    """A text a spreadsheet would run as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START)


def put(ws, row: int, column: int, value):
    """Write one XLSX cell (openpyxl): a risky text is stored as text with a quote prefix,
    never as a formula; anything else as is. Returns the cell."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        if risky(value):
            cell.quotePrefix = True
    return cell


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark (Excel opens Chinese text right), neutralised."""
    return neutralise(df).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame, sheet: str = "Sheet1") -> bytes:
    """One-sheet Excel workbook; every text cell stored as text (quote prefix when risky)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet[:31]
    for j, name in enumerate(df.columns, start=1):
        put(ws, 1, j, str(name))
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for j, v in enumerate(row, start=1):
            put(ws, i, j, _xlsx_value(v))
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_value(v):
    """A pandas value as openpyxl takes it: missing as an empty cell, numpy scalars as Python."""
    if v is None or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v.item() if hasattr(v, "item") else v
