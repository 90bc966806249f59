"""Issue 11 on the dashboard: names in Chinese in the pickers and tables (AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ka_core import db
from tests import tiny

APP = str(Path(__file__).resolve().parents[1] / "app.py")
NAMES = [
    ("chain", "Alpha", "阿尔法", None),
    ("chain", "Beta", "贝塔", None),
    ("region", "North", "北区", None),
    ("category", "Phones", "手机", None),
]


@pytest.fixture
def app(tmp_path, monkeypatch):
    path = tmp_path / "tiny.duckdb"
    c = db.connect(path)
    tiny.fill(c, {**tiny.ROWS, "names": NAMES})
    c.close()
    monkeypatch.setenv("KA_DB", str(path))
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()

    def make(page: str, lang: str) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    yield make
    st.cache_resource.clear()


def test_chinese_names_in_pickers_and_tables(app):
    at = app("visits", "zh")
    assert at.multiselect(key="chains").options == ["阿尔法", "贝塔"]
    assert "北区" in at.multiselect(key="regions").options and "手机" in at.multiselect(key="categories").options
    table = at.dataframe[-1].value
    assert set(table["系统"]) == {"阿尔法", "贝塔"}
    en = app("visits", "en")
    assert en.multiselect(key="chains").options == ["Alpha", "Beta"]
    assert set(en.dataframe[-1].value["Chain"]) == {"Alpha", "Beta"}
