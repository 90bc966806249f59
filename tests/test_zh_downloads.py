"""Downloads exported in 中文 carry Chinese headers for every column (issue 11): every CSV and
Excel file every page offers, on the tiny warehouse, including a selected store and promotion."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.test_app import _cjk, app, warehouse  # noqa: F401  (fixtures)

# Headers that read the same in Chinese: codes and abbreviations Chinese reports use as they are.
SAME = {"SKU", "ROI"}


@pytest.mark.parametrize(
    ("page", "state"),
    [
        ("overview", {}),
        ("share", {"share_store": "B"}),
        ("quadrants", {}),
        ("promotions", {"promo_pick": "PR1"}),
        ("visits", {}),
        ("store", {"store_page": "A"}),
    ],
)
def test_every_download_in_chinese_has_chinese_headers(app, monkeypatch, downloads_clicked, page, state):  # noqa: F811
    from dashboard import tables

    written: list[pd.DataFrame] = []
    real_csv, real_xlsx = tables.sheets.csv_bytes, tables.sheets.xlsx_bytes

    def csv_spy(df):
        written.append(df)
        return real_csv(df)

    def xlsx_spy(df, *a, **k):
        out = real_xlsx(df, *a, **k)
        written.append(pd.read_excel(io.BytesIO(out)))  # the headers as the file holds them
        return out

    monkeypatch.setattr(tables.sheets, "csv_bytes", csv_spy)
    monkeypatch.setattr(tables.sheets, "xlsx_bytes", xlsx_spy)
    app(page, lang="zh", preset="all", **state)
    assert written
    english = sorted({str(c) for df in written for c in df.columns if not _cjk(str(c)) and str(c) not in SAME})
    assert not english, english
