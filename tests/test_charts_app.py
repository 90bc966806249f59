"""Every chart on every page (AppTest, the hand fixture), in both languages: a title that states
a point, a source line with the period and the filters, chains by their Chinese names in 中文;
and a chain picked through dashboard.state (what a click on a Pareto bar calls) filters the page."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from ka_core import db
from tests import apptest, tiny
from tests.test_charts import NAMES

PAGES = ["overview", "share", "quadrants", "promotions", "visits", "store"]
# The tiny warehouse's latest week is 2025-03-24: the default 13 weeks.
PERIOD = {"en": "2024-12-30 – 2025-03-30", "zh": "2024年12月30日 – 2025年3月30日"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    path = tmp_path_factory.mktemp("charts_app") / "tiny.duckdb"
    c = db.connect(path)
    tiny.fill(c, {**tiny.ROWS, "names": NAMES})
    c.close()
    return path


@pytest.fixture
def app(warehouse, monkeypatch):
    yield from apptest.serving(warehouse, monkeypatch, timeout=90)


def figures(at: AppTest) -> list[dict]:
    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_on_every_page_states_its_point_and_its_source(app, lang):
    source = "Source: ka-analytics" if lang == "en" else "来源：ka-analytics"
    for page in PAGES:
        figs = figures(app(page, lang=lang))
        assert figs, page
        for fig in figs:
            title = fig["layout"]["title"]
            sub = title["subtitle"]["text"].replace("<br>", " ")
            assert source in sub and PERIOD[lang] in sub, (page, sub)
            if any(tr.get("type") != "scatter" or tr.get("x") for tr in fig.get("data", [])):  # not an empty state
                assert any(ch.isdigit() for ch in title["text"]), (page, title["text"])


def test_chinese_pages_name_chains_in_chinese_and_the_filter_in_the_source(app):
    at = app("overview", lang="zh", chains=["Alpha"])
    figs = figures(at)
    pareto = next(f for f in figs if f["data"][0].get("type") == "bar" and "customdata" in f["data"][0])
    assert "阿尔法" in pareto["data"][0]["x"]
    for fig in figs:
        assert "系统: 阿尔法" in fig["layout"]["title"]["subtitle"]["text"].replace("<br>", " ")


def test_a_chain_set_through_the_state_filters_the_kpis(app):
    """What a click on a chain calls (state.set_filter, via filter_on_click): the sidebar's
    chain filter, so every number follows. Alpha's own sales in the 13 weeks are below all chains'."""
    at = app("overview")
    before = {m.label: m.value for m in at.metric}["Own sales"]
    at.session_state["chains"] = ["Alpha"]  # as dashboard.state.set_filter("chain", ["Alpha"]) does
    at.run()
    after = {m.label: m.value for m in at.metric}["Own sales"]
    assert at.multiselect(key="chains").value == ["Alpha"]
    assert before != after
