"""Charts that make their point (issue 12, item 3): titles stating it, source lines, units,
fitted axes, the biggest opportunities labelled, names in the user's language, and titles and
legends that fit a phone. On the hand fixture (tests/tiny.py), values worked out by hand.

Phones, weeks w1-w3: opportunity B = (0.24242 − 0.22222) × 450 = 9.09 (domain.md's worked
example); E (East, market 300 / 3000 = 0.1) = (0.1 − 10/600) × 1,800 = 150; A and C are at or
above fair share (0). So two stores below fair share hold ¥159 of opportunity, E first.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ka_core import charts, views
from ka_core.db import connect
from ka_core.reports import run, run_query
from ka_core.settings import Filters, Settings
from tests import tiny

PHONES = Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 26), categories=("Phones",))
NAMES = [
    # kind, value, zh, en
    ("chain", "Alpha", "阿尔法", "Alpha"),
    ("chain", "Beta", "贝塔", "Beta"),
    ("region", "North", "华北", "North"),
    ("category", "Phones", "手机", "Phones"),
    ("mechanic", "TPR", "直降", "TPR"),
]
TARGETS = [(2025, "Alpha", None, 1000, 0.2), (2025, "Beta", None, 500, None)]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = connect(tmp_path_factory.mktemp("charts") / "tiny.duckdb")
    tiny.fill(c, {**tiny.ROWS, "names": NAMES, "targets": TARGETS})
    yield c
    c.close()


@pytest.fixture(scope="module")
def lookup(con):
    from ka_core import names

    return names.lookup(con)


def labels_of(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.name == "store_label"]


def title_of(fig, sep: str = " ") -> str:
    """The title as one line (Chinese wraps between characters: sep "")."""
    return fig.layout.title.text.replace("<br>", sep)


def test_share_chart_title_states_the_opportunity_below_fair_share(con):
    q = run(con, "quadrants", PHONES, Settings())
    fig = charts.share_scatter(q, "en")
    # B 9.09 + E 150 = 159.09 → ¥159; both labelled (2 ≤ LABELS).
    assert title_of(fig) == "2 stores below fair share hold ¥159 of opportunity (top 2 labelled)"
    assert sorted(labels_of(fig)) == ["B", "E"]
    zh = charts.share_scatter(q, "zh")
    assert title_of(zh, "") == "2家门店低于公平份额，蕴含¥159机会额（标注前2家）"


def test_share_chart_labels_the_biggest_opportunities_first(con):
    q = run(con, "quadrants", PHONES, Settings())
    fig = charts.share_scatter(q, "en", labels=1)
    assert labels_of(fig) == ["E"]  # 150 > 9.09
    assert charts.top_by_opportunity(q, 5) == ["E", "B"]  # A and C have none: never labelled


def test_share_chart_axes_fit_the_data(con):
    q = run(con, "quadrants", PHONES, Settings()).dropna(subset=["customer_share", "market_share"])
    fig = charts.share_scatter(q, "en")
    for axis, col in ((fig.layout.xaxis, "market_share"), (fig.layout.yaxis, "customer_share")):
        lo, hi = axis.range
        vmin, vmax = q[col].min(), q[col].max()
        span = vmax - vmin
        assert lo <= vmin and hi >= vmax  # every store on the plot
        assert hi - lo <= span * 1.12 + 1e-9  # 6% each side: no half-empty axis
    # tiny: market shares 0.1 (E), 0.2 (C), 0.24242 (A, B) → x from 0.1 − 0.06 × 0.14242.
    assert fig.layout.xaxis.range[0] == pytest.approx(0.1 - 0.06 * (0.24242424 - 0.1), abs=1e-6)


def test_demo_share_chart_labels_at_most_40_of_the_top_opportunities(tmp_path):
    from ka_core.demo import create_demo

    c = connect(tmp_path / "demo.duckdb")
    create_demo(c)
    latest = c.execute("SELECT max(week) FROM sales").fetchone()[0]
    f = Filters(date_from=latest - dt.timedelta(weeks=12), date_to=latest + dt.timedelta(days=6))
    q = run(c, "quadrants", f, Settings())
    c.close()
    for n in (charts.LABELS, 40, 100):
        fig = charts.share_scatter(q, "en", labels=n)
        got = labels_of(fig)
        top = charts.top_by_opportunity(q.dropna(subset=["customer_share", "market_share"]), min(n, 40))
        assert 0 < len(got) <= 40
        assert got[0] == top[0]  # the biggest opportunity is always labelled
        assert set(got) <= set(charts.top_by_opportunity(q, n))  # only the top n, no other store
        assert len(q.dropna(subset=["customer_share"])) > 100  # the demo really has many points
    quad = charts.quadrant_scatter(q, "en", 100, None)
    assert 0 < len(labels_of(quad)) <= charts.LABELS


def test_labels_never_overlap_on_a_phone():
    # Ten stores on one spot: only as many labels as there are free places around it.
    d = pd.DataFrame(
        {"store_id": [f"S{i:02d}" for i in range(10)], "x": [0.5] * 10, "y": [0.5] * 10, "opportunity": range(10)}
    )
    placed = charts.place_labels(d, list(d["store_id"]), "x", "y", [0, 1], [0, 1], 600)
    assert 0 < len(placed) <= len(charts.LABEL_SPOTS)
    boxes = []
    for sid, _, _, dx, dy in placed:
        w = charts.text_em(sid) * charts.LABEL_SIZE + 4
        cx, cy = 0.5 * charts.PHONE_PLOT[0] + dx, 0.5 * charts.PHONE_PLOT[1] * 600 + dy
        boxes.append((cx - w / 2, cy - 7.5, cx + w / 2, cy + 7.5))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def every_chart(con, lang: str, lookup) -> dict:
    """Every chart the pages draw, on the hand fixture, with its source line."""
    s = Settings()
    f = PHONES
    q = run(con, "quadrants", f, s)
    promos = Filters(date_from=tiny.W1, date_to=dt.date(2025, 3, 30))  # the promotions run after w3
    summary = run(con, "promo-summary", promos, s)
    weekly = views.store_weekly(con, "B", f, s)
    visits = views.store_visits(con, "B", f)
    promo = views.promo_weekly(con, "PR1", s)
    figs = {
        "pareto": charts.pareto(run(con, "pareto", f, s), lang, s.a_cut, s.b_cut, names=lookup),
        "share": charts.share_scatter(q, lang, names=lookup),
        "quadrants": charts.quadrant_scatter(q, lang, s.fsi_threshold, None, names=lookup),
        "quadrant_bars": charts.quadrant_bars(views.quadrant_summary(con, f, s), lang),
        "store": charts.store_weekly(weekly, visits, 0.24242, "Store B", lang, customer_share=0.22222),
        "promo_profit": charts.promo_profit(summary, lang, names=lookup),
        "lift_by_mechanic": charts.lift_by_mechanic(run_query(con, "promo-mechanics", promos, s), lang, names=lookup),
        "by_manager": charts.visits_by_manager(views.visits_by_manager(con, f, s), lang),
        "trend": charts.trend(run(con, "trend", f, s), lang, names=lookup),
        # targets per chain (all categories): no category filter
        "targets": charts.targets(run(con, "targets", Filters(tiny.W1, dt.date(2025, 1, 26)), s), lang, names=lookup),
    }
    if len(promo):
        figs["promo_weekly"] = charts.promo_weekly(promo, "PR1", lang, summary.iloc[0].to_dict())
    source = views.source_text(f, lang, lookup)
    return {k: charts.source_line(v, source) for k, v in figs.items()}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_chart_has_a_point_a_source_line_and_units(con, lookup, lang):
    figs = every_chart(con, lang, lookup)
    period = "2025-01-06 – 2025-01-26" if lang == "en" else "2025年1月6日 – 2025年1月26日"
    category = "Categories: Phones" if lang == "en" else "品类: 手机"
    for name, fig in figs.items():
        title = title_of(fig)
        assert any(ch.isdigit() for ch in title), (name, title)  # a point is a number, not a topic
        sub = fig.layout.title.subtitle.text.replace("<br>", " ")
        assert period in sub and category in sub, (name, sub)
        for axis in (fig.layout.xaxis, fig.layout.yaxis):
            if axis.title.text and axis.tickformat != "%b %-d":
                unit = any(u in axis.title.text for u in ("(%)", "(¥)", "%", "100 ="))
                assert unit or axis.title.text in ("Week", "周", "Stores", "门店数", "Units", "销量"), (
                    name,
                    axis.title.text,
                )


def test_chinese_charts_name_chains_and_mechanics_in_chinese(con, lookup):
    figs = every_chart(con, "zh", lookup)
    assert list(figs["pareto"].data[0].x) == ["阿尔法", "贝塔"]
    assert [c[0] for c in figs["pareto"].data[0].customdata] == ["Alpha", "Beta"]  # a click gives the value
    assert {tr.name for tr in figs["trend"].data} == {"阿尔法", "贝塔"}
    assert "阿尔法" in list(figs["targets"].data[0].x)
    legend = {tr.name for tr in figs["share"].data}
    assert {"阿尔法", "贝塔"} <= legend and "Alpha" not in legend
    english = every_chart(con, "en", lookup)
    assert list(english["pareto"].data[0].x) == ["Alpha", "Beta"]


def test_source_line_names_filters_in_the_language_and_a_restricted_scope(lookup):
    f = Filters(date_from=tiny.W1, date_to=dt.date(2025, 1, 26), chains=("Alpha",), regions=("North",))
    assert views.source_text(f, "zh", lookup, "王经理") == (
        "来源：ka-analytics · 2025年1月6日 – 2025年1月26日 · 系统: 阿尔法; 大区: 华北 · 范围：王经理"
    )
    assert (
        views.source_text(f, "en") == "Source: ka-analytics · 2025-01-06 – 2025-01-26 · Chains: Alpha; Regions: North"
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_titles_and_legends_fit_a_phone(con, lookup, lang):
    """Every title line fits 340 px at its size; the legend sits at the bottom, below the axis title,
    and the top margin holds the title and source lines."""
    for name, fig in every_chart(con, lang, lookup).items():
        for text, size in ((fig.layout.title.text, charts.TITLE_SIZE), (fig.layout.title.subtitle.text, 12)):
            for line in text.split("<br>"):
                assert charts.text_em(line) * size <= charts.CHART_PX, (name, line)
        lines = fig.layout.title.text.count("<br>") + 1 + fig.layout.title.subtitle.text.count("<br>") + 1
        assert fig.layout.margin.t >= lines * 16, name
        legend = fig.layout.legend
        assert (legend.orientation, legend.yref, legend.y, legend.yanchor) == ("h", "container", 0, "bottom"), name


def test_wrap_breaks_words_and_chinese_within_the_budget():
    assert charts.wrap("Customer share by week: Walmart leads at 31.2% in the latest week", 18) == [
        "Customer share by week: Walmart",
        "leads at 31.2% in the latest week",
    ]
    lines = charts.wrap("客户份额周趋势：最近一周沃尔玛最高，为31.2%", 18)
    assert len(lines) == 2 and all(charts.text_em(x) * 18 <= charts.CHART_PX for x in lines)
    assert "".join(lines) == "客户份额周趋势：最近一周沃尔玛最高，为31.2%"


def more_charts(con, lang: str) -> dict:
    """The charts every_chart leaves out: shelf, effects, a visit's effect, a promotion with control stores."""
    s = Settings()
    promos = Filters(date_from=tiny.W1, date_to=dt.date(2025, 3, 30))
    weekly = views.promo_weekly(con, "PR1", s)
    return {
        "shelf": charts.shelf_vs_share(views.shelf_vs_share(con, PHONES, s), lang),
        "effects": charts.promo_effects(views.promo_effects(con, promos, s), lang),
        "visit_effect": charts.visit_effect(run(con, "visit-effect", promos, s), lang),
        "promo_control": charts.promo_weekly_with_control(weekly, "PR1", lang),
        # a log money axis too wide for money_log_ticks' steps, and counts in the thousands
        "big_counts": charts.quadrant_bars(
            pd.DataFrame({"quadrant": ["Attack", "Defend"], "stores": [80_000, 12_000], "opportunity": [5e6, 1e6]}),
            lang,
        ),
    }


def numeric_axes(fig) -> dict:
    """Every x/y axis of a figure that plotly would number itself (not dates, not categories)."""
    layout = fig.layout.to_plotly_json()
    return {
        k: v
        for k, v in layout.items()
        if k[:5] in ("xaxis", "yaxis") and v.get("type") not in ("date", "category") and v.get("visible") is not False
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_axis_reads_k_or_m_in_chinese(con, lookup, lang):
    """In 中文 an axis's numbers are 万/亿 (money: ticktext from fmt.money_ticks) or all their digits,
    never plotly's SI suffixes (80k, 1.2M); in English plotly's k and M stay."""
    figs = every_chart(con, lang, lookup) | more_charts(con, lang)
    assert len(figs) >= 15
    for name, fig in figs.items():
        axes = numeric_axes(fig)
        for key, axis in axes.items():
            fmt_ = axis.get("tickformat") or ""
            assert "s" not in fmt_.lstrip("~,.0123456789%+-$ ")[:1], (name, key, fmt_)  # no d3 SI format
            if lang == "zh":
                assert axis.get("ticktext") or fmt_ or axis.get("exponentformat") == "none", (name, key, axis)
                assert axis.get("exponentformat") == "none" and axis.get("separatethousands"), (name, key)
            else:
                assert "exponentformat" not in axis, (name, key)  # plotly's default: 80k, 1.2M
    # the money axes keep their 万 ticks in 中文
    pareto = figs["pareto"].layout.yaxis
    assert pareto.ticktext and all(t == "0" or t.startswith("¥") for t in pareto.ticktext)
