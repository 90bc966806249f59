"""Charts built once for every session (dashboard/figures.py): the same rows, language, settings
and source give the same figure object; anything else that changes the chart gives another one.
A wrong key here would show one session's chart to another, so each part of the key is tested.
"""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import pytest
import streamlit as st

from dashboard import figures
from ka_core import charts
from ka_core.db import connect
from tests import tiny

TREND = pd.DataFrame(
    {
        "week": [dt.date(2025, 1, 6), dt.date(2025, 1, 13)] * 2,
        "chain": ["Alpha", "Alpha", "Beta", "Beta"],
        "customer_share": [0.20, 0.25, 0.10, 0.12],
    }
)


@pytest.fixture
def built(tmp_path, monkeypatch):
    """A warehouse for data.stamp(), an empty figure cache, and a count of trend charts built."""
    path = tmp_path / "tiny.duckdb"
    con = connect(path)
    tiny.fill(con, tiny.ROWS)
    con.close()
    monkeypatch.setenv("KA_DB", str(path))
    st.cache_resource.clear()
    calls = []
    original = charts.trend

    def trend(*args, **kwargs):
        calls.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(charts, "trend", trend)
    yield calls, path
    st.cache_resource.clear()


def test_same_rows_language_and_source_build_one_figure(built):
    calls, _ = built
    a = figures.figure(charts.trend, TREND, "en", source="Last 13 weeks")
    b = figures.figure(charts.trend, TREND.copy(), "en", source="Last 13 weeks")
    assert a is b and calls == ["en"]
    # The source line is part of the figure: the subtitle under the title.
    assert a.layout.title.subtitle.text == "Last 13 weeks"


def test_language_rows_source_and_names_each_give_another_figure(built):
    calls, path = built
    en = figures.figure(charts.trend, TREND, "en", source="s")
    zh = figures.figure(charts.trend, TREND, "zh", source="s")
    assert zh is not en and zh.layout.title.text != en.layout.title.text
    other = TREND.assign(customer_share=[0.20, 0.25, 0.10, 0.30])
    assert figures.figure(charts.trend, other, "en", source="s") is not en
    assert figures.figure(charts.trend, TREND, "en", source="another scope") is not en
    named = figures.figure(charts.trend, TREND, "zh", names={"chain": {}}, source="s")
    assert named is not zh
    # The names lookup is keyed by the warehouse's state: a write gives a new figure.
    assert figures.figure(charts.trend, TREND, "zh", names={"chain": {}}, source="s") is named
    con = connect(path)
    con.execute("INSERT INTO names (kind, value, zh, en) VALUES ('chain', 'Alpha', '阿尔法', 'Alpha')")
    con.close()
    os.utime(path, ns=(1, 1))  # a new size or mtime is a new warehouse state
    assert (
        figures.figure(charts.trend, TREND, "zh", names={"chain": {"Alpha": ("阿尔法", "Alpha")}}, source="s")
        is not named
    )
    assert calls == ["en", "zh", "en", "en", "zh", "zh"]


def test_only_chart_functions_are_built(built):
    with pytest.raises(ValueError, match=r"not a ka_core\.charts function"):
        figures.figure(lambda df, lang: None, TREND, "en")
