"""End to end in headless Chromium: every page on the demo warehouse, both languages, screenshots.

Screenshots go to artifacts/screenshots/ (kept as test artifacts, not in git).
"""

from __future__ import annotations

import time

import pytest

from ka_core import i18n
from tests.browser import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser
# URL paths of the pages; the default page (Overview) lives at the root.
PAGES = {"overview": "", "share": "share", "quadrants": "quadrants", "promotions": "promotions", "visits": "visits"}


def test_every_page_in_both_languages(server, browser):
    """Navigate as a user does (sidebar links; a new URL would be a new session), in English then Chinese."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(server)
    wait_idle(page)
    for lang in ("en", "zh"):
        if lang == "zh":
            page.locator("[data-testid='stSidebar'] [data-testid='stButtonGroup'] button", has_text="简体中文").click()
            wait_idle(page)
        for i, name in enumerate(PAGES):
            page.locator("[data-testid='stSidebarNav'] a").nth(i).click()
            title = i18n.t("overview_title" if name == "overview" else f"page_{name}", lang)
            page.locator("[data-testid='stMain'] h1", has_text=title).wait_for(timeout=30000)  # not the old page's
            wait_idle(page)
            assert page.locator("[data-testid='stException']").count() == 0, f"exception on {name} ({lang})"
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20000)  # fails if no chart renders
            assert page.locator(".js-plotly-plot .main-svg").count() >= 1, f"no chart rendered on {name} ({lang})"
            screenshot(page, ARTIFACTS / f"{name}_{lang}.png")
            assert page.locator("[data-testid='stException']").count() == 0, f"exception on {name} ({lang})"
            assert page.locator("[data-testid='stAlertContentError']").count() == 0, f"error on {name} ({lang})"
    page.close()


def screenshot(page, path) -> None:
    """The whole page: Streamlit scrolls inside its main area, so grow the window to its height first."""
    size = page.viewport_size
    measure = """() => Math.max(...[...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stMainBlockContainer"], [data-testid="stAppViewContainer"]')]
        .map(e => e.scrollHeight))"""
    height = 0
    for _ in range(20):  # the page's elements arrive one after another: wait until its height settles
        page.wait_for_timeout(400)
        now = page.evaluate(measure)
        if now == height:
            break
        height = now
    page.set_viewport_size({"width": size["width"], "height": min(max(height + 40, size["height"]), 8000)})
    page.wait_for_timeout(800)  # charts re-layout to the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def test_deep_links_open_through_the_frame(server, browser):
    """A page's URL in a new session opens that page, with the sidebar of app.py."""
    for name, path in PAGES.items():
        page = browser.new_page(viewport={"width": 1600, "height": 1000})  # a new session each time
        page.goto(f"{server}/{path}")
        wait_idle(page)
        assert page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").count() == 3  # the filters
        assert page.locator("[role='dialog']").count() == 0
        want = i18n.t("overview_title" if name == "overview" else f"page_{name}", "en")
        assert page.locator("[data-testid='stMain'] h1").first.inner_text() == want, name
        page.close()


def test_filter_change_redraws_quickly(server, browser):
    """A chain filter on the Overview redraws the page; the time is printed for the closing note."""
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(server)
    wait_idle(page)
    before = page.locator("[data-testid='stMetricValue']").first.inner_text()
    box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first
    box.click()
    box.fill("Walmart")
    option = page.get_by_role("option", name="Walmart")
    option.wait_for(timeout=5000)
    t0 = time.perf_counter()
    option.click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "before => document.querySelector('[data-testid=\"stMetricValue\"]').innerText !== before", arg=before
    )
    took = time.perf_counter() - t0
    wait_idle(page)
    after = page.locator("[data-testid='stMetricValue']").first.inner_text()
    assert after != before  # own sales of Walmart alone differ from all chains
    assert page.locator("[data-testid='stException']").count() == 0
    print(f"filter change: new KPI on screen after {took:.2f} s")
    page.screenshot(path=str(ARTIFACTS / "overview_walmart.png"), full_page=True)
    page.close()


def test_phone_width(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server)
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "overview_390px.png"), full_page=True)
    page.close()


def test_click_a_store_in_the_chart_opens_its_detail(server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    page.goto(server)
    wait_idle(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Share vs market").click()
    page.locator("[data-testid='stMain'] h3", has_text="Visits to").wait_for(timeout=20000)
    before = page.locator("[data-testid='stMain'] h3", has_text="Visits to").inner_text()
    points = page.locator(".js-plotly-plot .scatterlayer .trace .points path")
    assert points.count() > 20  # the stores are drawn
    points.nth(points.count() // 2).click(force=True)
    page.wait_for_function(
        "b => [...document.querySelectorAll('[data-testid=\"stMain\"] h3')].some(h => h.innerText.startsWith('Visits to') && h.innerText !== b)",
        arg=before,
        timeout=20000,
    )
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "share_clicked_store.png"), full_page=True)
    page.close()
