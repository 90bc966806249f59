"""Issue 11 on the dashboard: names in Chinese in the pickers and tables (AppTest)."""

from __future__ import annotations

import pytest

from ka_core import db
from tests import apptest, tiny

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
    serving = apptest.serving(path, monkeypatch)
    make = next(serving)
    yield lambda page, lang: make(page, lang=lang)
    next(serving, None)


def test_chinese_names_in_pickers_and_tables(app):
    at = app("visits", "zh")
    assert at.multiselect(key="chains").options == ["阿尔法", "贝塔"]
    assert "北区" in at.multiselect(key="regions").options and "手机" in at.multiselect(key="categories").options
    table = at.dataframe[-1].value
    assert set(table["系统"]) == {"阿尔法", "贝塔"}
    en = app("visits", "en")
    assert en.multiselect(key="chains").options == ["Alpha", "Beta"]
    assert set(en.dataframe[-1].value["Chain"]) == {"Alpha", "Beta"}
