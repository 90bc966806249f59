"""Files written for spreadsheets (downloads, problem lists): never a live formula.

The one place of the OWASP rule of data-contract.md: a text cell starting with
`=`, `+`, `-`, `@`, tab or CR gets a leading `'`; numbers stay numbers.
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


def csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a byte-order mark (Excel opens Chinese text right), neutralised."""
    return neutralise(df).to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(df: pd.DataFrame) -> bytes:
    """One-sheet Excel workbook, neutralised."""
    buf = io.BytesIO()
    neutralise(df).to_excel(buf, index=False, engine="openpyxl")
    return buf.getvalue()
