"""End to end in headless Chromium: every page on the demo warehouse, both languages, screenshots.

Screenshots go to artifacts/screenshots/ (kept as test artifacts, not in git).
"""

from __future__ import annotations

import time

import pytest

from ka_core import db
from ka_core.demo import create_demo
from tests.browser import ARTIFACTS, CHROMIUM_ARGS, ensure_chromium, streamlit_server, wait_idle

pytestmark = pytest.mark.browser
# URL paths of the pages; the default page (Overview) lives at the root.
PAGES = {"overview": "", "share": "share", "quadrants": "quadrants", "promotions": "promotions", "visits": "visits"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "demo.duckdb"
    c = db.connect(path)
    create_demo(c)
    c.execute("CHECKPOINT").fetchall()
    c.close()
    with streamlit_server(path) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    exe = ensure_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


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
            wait_idle(page)
            assert page.locator("[data-testid='stException']").count() == 0, f"exception on {name} ({lang})"
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=20000)  # fails if no chart renders
            assert page.locator(".js-plotly-plot .main-svg").count() >= 1, f"no chart rendered on {name} ({lang})"
            title = page.locator("h1").first.inner_text()
            if lang == "zh":
                assert any("\u4e00" <= ch <= "\u9fff" for ch in title), title
            page.screenshot(path=str(ARTIFACTS / f"{name}_{lang}.png"), full_page=True)
    page.close()


def test_deep_links_open_through_the_frame(server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    for path in PAGES.values():
        page.goto(f"{server}/{path}")
        wait_idle(page)
        assert page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").count() == 3  # the filters
        assert page.locator("[role='dialog']").count() == 0
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
    t0 = time.perf_counter()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    wait_idle(page)
    took = time.perf_counter() - t0
    after = page.locator("[data-testid='stMetricValue']").first.inner_text()
    assert after != before  # own sales of Walmart alone differ from all chains
    assert page.locator("[data-testid='stException']").count() == 0
    print(f"filter change redraw: {took:.2f} s (includes the browser's wait steps)")
    page.screenshot(path=str(ARTIFACTS / "overview_walmart.png"), full_page=True)
    page.close()


def test_phone_width(server, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server)
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "overview_390px.png"), full_page=True)
    page.close()
