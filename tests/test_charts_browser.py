"""Charts in a real browser (headless Chromium): on a phone (390×844) in both languages no chart
title, source line or axis title runs past the screen's edge and no legend covers a title; on a
projector a click on a Pareto bar filters the dashboard to that chain (the KPIs change), and a
click on a store opens the store page."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
PAGES = (  # sidebar link text (en, zh): the pages with charts
    ("Overview", "总览"),
    ("Share vs market", "份额对比"),
    ("Attack / defend", "进攻/防守"),
    ("Promotions", "促销"),
    ("Visits", "拜访"),
    ("Store", "门店"),
)

# Every plotly chart's title, source line, legend and axis titles, as boxes on the screen.
BOXES = """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')].map((plot) => {
    const box = (sel) => [...plot.querySelectorAll(sel)].map((el) => {
        const r = el.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, text: el.textContent.slice(0, 60)};
    }).filter((r) => r.right > r.left);
    return {
        titles: box('.g-gtitle text.gtitle, .g-gtitle .gtitle-subtitle'),
        legend: box('g.legend > rect.bg'),
        axes: box('.g-xtitle text, .g-ytitle text, .g-y2title text'),
    };
})"""


def overlap(a, b) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def problems(charts: list[dict], width: int) -> list[str]:
    """What is wrong with the charts' boxes on a screen `width` px wide."""
    out = []
    for i, c in enumerate(charts):
        for kind in ("titles", "axes"):
            for b in c[kind]:
                if b["left"] < -1 or b["right"] > width + 1:
                    out.append(f"chart {i}: {kind[:-1]} {b['text']!r} spans {b['left']:.0f}–{b['right']:.0f} px")
        for leg in c["legend"]:
            if leg["right"] > width + 1:
                out.append(f"chart {i}: legend ends at {leg['right']:.0f} px")
            for b in c["titles"]:
                if overlap(leg, b):
                    out.append(f"chart {i}: legend covers {b['text']!r}")
    return out


def open_sidebar(page) -> None:
    page.locator("[data-testid='stExpandSidebarButton']").first.click()
    page.wait_for_timeout(600)


def charts_drawn(page) -> None:
    """Scroll to the end, so every chart is drawn, then back."""
    page.wait_for_selector("[data-testid='stPlotlyChart'] .js-plotly-plot", timeout=30000)
    page.mouse.wheel(0, 20000)
    page.wait_for_timeout(800)
    page.mouse.wheel(0, -20000)
    page.wait_for_timeout(300)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_phone_chart_titles_and_legends_fit(server, browser, lang):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(server)
    wait_idle(page)
    if lang == "zh":
        open_sidebar(page)
        page.locator("[data-testid='stSidebar'] [data-testid='stButtonGroup'] button", has_text="简体中文").click()
        wait_idle(page)
        page.locator("[data-testid='stSidebarCollapseButton'] button").first.click()
        page.wait_for_timeout(600)
    found = {}
    for en, zh in PAGES:
        name = en if lang == "en" else zh
        if en != "Overview":
            open_sidebar(page)
            page.locator("[data-testid='stSidebarNav'] a", has_text=name).first.click()
            page.wait_for_timeout(500)
        wait_idle(page)
        charts_drawn(page)
        boxes = page.evaluate(BOXES)
        assert boxes, f"{en}: no chart"
        untitled = [f"chart {i}: no title" for i, c in enumerate(boxes) if not c["titles"]]
        found[en] = untitled + problems(boxes, 390)
        page.screenshot(path=str(ARTIFACTS / f"phone_charts_{en.split()[0].lower()}_{lang}.png"), full_page=True)
    ctx.close()
    assert not any(found.values()), found


def click_mark(page, mark) -> None:
    """Click a bar or a point as a user does: plotly's drag layer lies over the marks, so the mouse
    goes to the mark's centre (plotly picks the mark under it)."""
    box = mark.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_timeout(300)
    page.mouse.click(x, y)


def kpi(page, label: str) -> str:
    card = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return card.locator("[data-testid='stMetricValue']").inner_text()


def test_click_a_pareto_bar_filters_to_its_chain(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server)
    wait_idle(page)
    before = kpi(page, "Own sales")
    chart = page.locator(".st-key-pareto_chart .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    click_mark(page, chart.locator("g.barlayer g.point path").first)
    wait_idle(page)
    # The sidebar's chain filter holds the chain clicked (its placeholder "All" is gone).
    chains = "[data-testid='stSidebar'] [data-testid='stMultiSelect'] [data-testid='stMultiSelectTagsContainer']"
    page.wait_for_function(
        "(sel) => { const t = document.querySelector(sel); return t && t.innerText.trim() && "
        "!t.innerText.includes('All'); }",
        arg=chains,
        timeout=30000,
    )
    chain = page.locator(chains).first.inner_text().strip().splitlines()[0]
    page.wait_for_function(
        """(v) => {
            const card = [...document.querySelectorAll('[data-testid="stMetric"]')]
                .find((c) => c.textContent.includes('Own sales'));
            return card && !card.textContent.includes(v);
        }""",
        arg=before,
        timeout=30000,
    )
    after = kpi(page, "Own sales")
    assert after != before, (before, after)
    # The Pareto now shows that chain alone, and every source line names the filter. The rerun
    # replaces the page's elements top down: the KPIs can be new while the chart is still the
    # old one, so wait for the page to settle and the chart to be redrawn.
    wait_idle(page)
    bars = ".st-key-pareto_chart .js-plotly-plot g.barlayer g.point path"
    page.wait_for_function("(sel) => document.querySelectorAll(sel).length === 1", arg=bars, timeout=30000)
    assert chart.locator("g.barlayer g.point path").count() == 1
    assert f"Chains: {chain}" in page.locator(".st-key-pareto_chart").inner_text()
    page.screenshot(path=str(ARTIFACTS / "pareto_click.png"))
    page.close()


def test_click_a_store_in_the_share_chart_opens_its_page(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server + "/share")
    wait_idle(page)
    chart = page.locator(".st-key-share_chart .js-plotly-plot")
    chart.scroll_into_view_if_needed()
    click_mark(page, chart.locator("g.scatterlayer g.trace path.point").last)
    page.locator("[data-testid='stMain'] h1", has_text="Store ").wait_for(timeout=30000)
    wait_idle(page)
    assert page.locator("[data-testid='stMain'] h1").first.inner_text().startswith("Store ")
    page.close()


def test_click_a_row_of_the_chain_table_filters_to_its_chain(server, browser):
    """The chain table lists chains as the Pareto does (own sales, highest first): a click on the
    second row's marker filters the dashboard to the Pareto's second chain."""
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    page.goto(server)
    wait_idle(page)
    order = page.locator(".st-key-pareto_chart g.xtick text").all_text_contents()
    assert len(order) >= 2, order
    table = page.locator(".st-key-chain_table [data-testid='stDataFrame']")
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 35 + 17)  # header 35 px, rows 35 px: row 2's marker
    chains = "[data-testid='stSidebar'] [data-testid='stMultiSelect'] [data-testid='stMultiSelectTagsContainer']"
    page.wait_for_function(
        "([sel, want]) => { const t = document.querySelector(sel); return t && t.innerText.split('\\n')[0].trim() === want; }",
        arg=[chains, order[1]],
        timeout=30000,
    )
    wait_idle(page)
    assert page.locator(".st-key-pareto_chart g.xtick text").all_text_contents() == [order[1]]
    page.close()
