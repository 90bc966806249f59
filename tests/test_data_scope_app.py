"""The Data page with a faked st.user (issue 10): a KA manager's visit sheet with rows for stores
outside his scope is refused, those rows named in the problems table in both languages, and
nothing can be saved; the same sheet with his stores only checks clean. The upload widget is
replaced by a stand-in that hands the page a file, as a browser would."""

from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ka_core import db, loading
from tests import tiny
from tests.apptest import APP
from tests.test_access import ACCESS
from tests.test_access_app import AUTH

SHEET = (
    "visit_date,store_id,rep,category,display_ok\n"
    "2025-02-03,B,Wang,Phones,Y\n2025-02-03,A,Wang,Phones,Y\n2025-02-04,C,Wang,Phones,Y\n"
)


class Uploaded:
    """What st.file_uploader returns for one file (the attributes the page reads)."""

    def __init__(self, name: str, text: str):
        self.name, self.file_id, self._data = name, f"id-{name}-{hash(text)}", text.encode("utf-8")

    def getvalue(self) -> bytes:
        return self._data


@pytest.fixture
def page(tmp_path, monkeypatch):
    path = tmp_path / "tiny.duckdb"
    c = db.connect(path)
    tiny.fill(c)
    (tmp_path / "access.csv").write_text(ACCESS, encoding="utf-8")
    loading.load_files(c, "access", [tmp_path / "access.csv"], user="setup")
    c.close()
    monkeypatch.setenv("KA_DB", str(path))
    st.cache_resource.clear()
    st.cache_data.clear()

    def open_page(email: str, sheet: str, lang: str = "en") -> AppTest:
        monkeypatch.setattr(st, "file_uploader", lambda *a, **k: [Uploaded("visits.csv", sheet)])
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets = {"auth": AUTH}
        at.user = {"is_logged_in": True, "email": email}
        at.session_state["lang"] = lang
        at.run()
        at.switch_page("pages/data.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield open_page, path
    st.cache_resource.clear()


def problems(at: AppTest):
    """The problems table (AppTest does not keep a dataframe's key): the one with an 'expected' column."""
    found = [df.value for df in at.dataframe if {"expected", "应为"} & set(df.value.columns)]
    return found[0] if found else None


@pytest.mark.parametrize(
    ("lang", "header", "expected"),
    [
        ("en", "expected", "expected a store in your scope (3 stores): B, D, E; nothing was written"),
        ("zh", "应为", "应为您权限范围内的门店（共 3 家）：B, D, E；未写入任何数据"),
    ],
)
def test_ka_managers_rows_outside_his_scope_are_named(page, lang, header, expected):
    open_page, path = page
    at = open_page("wang@co.com", SHEET, lang)
    df = problems(at)
    row, value = ("row", "value") if lang == "en" else ("行", "值")
    assert list(df[row]) == [3, 4] and list(df[value]) == ["A", "C"]
    assert list(df[header]) == [expected, expected]
    assert at.error and not [b for b in at.button if b.key == "save"]  # nothing to save
    c = db.connect(path, read_only=True)
    assert c.execute("SELECT count(*) FROM visits WHERE rep = 'Wang'").fetchall() == [(0,)]
    c.close()


def test_his_own_stores_check_clean_and_an_admin_loads_any(page):
    open_page, _ = page
    own = "visit_date,store_id,rep,category,display_ok\n2025-02-03,B,Wang,Phones,Y\n2025-02-04,E,Wang,Phones,Y\n"
    at = open_page("wang@co.com", own)
    assert problems(at) is None
    assert [b for b in at.button if b.key == "save"]
    at = open_page("boss@co.com", SHEET)  # an admin: every store is his
    assert problems(at) is None


def test_chinese_data_page_names_columns_as_the_sheet_does(page, monkeypatch):
    """In 中文, with a sheet headed in Chinese: the preview's columns are the sheet's own headers,
    and every table and download of the check step has Chinese headers (issue 11)."""
    from dashboard import tables
    from tests.test_app import _cjk

    written = []
    real = tables.sheets.csv_bytes
    monkeypatch.setattr(tables.sheets, "csv_bytes", lambda df: written.append(df) or real(df))
    open_page, _ = page
    sheet = (
        "拜访日期,门店编号,业务员,品类,本品排面,总排面\n2025-02-03,B,王芳,Phones,3,10\n2025-02-04,Z9,王芳,Phones,x,10\n"
    )
    at = open_page("boss@co.com", sheet, "zh")
    columns = [list(df.value.columns) for df in at.dataframe]
    assert ["行", "拜访日期", "门店编号", "业务员", "品类", "本品排面", "总排面"] in columns  # the preview
    assert all(_cjk(str(c)) for cols in columns for c in cols), columns
    assert [list(df.columns) for df in written if "应为" in df.columns] == [["文件", "行", "列", "值", "应为"]]
