"""The first session of a freshly started server: one filter change counts, deep links go through app.py.

Each run starts its own `streamlit run` (the bug lived only in a process's very
first script run: Streamlit's legacy pages/ router gave app.py's widgets other
ids; see dashboard.state.navigation). Five fresh servers in a row, no retry.
"""

from __future__ import annotations

import shutil

import pytest

from tests.browser import make_demo, streamlit_server, wait_idle

pytestmark = pytest.mark.browser
KPI = "[data-testid='stMetricValue']"
CHAINS = "[data-testid='stSidebar'] [data-testid='stMultiSelect']"


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("router") / "demo.duckdb")


def fresh(demo_file, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_file, path)
    return path


def pick_chain(page, chain: str) -> None:
    box = page.locator(f"{CHAINS} input").first
    box.click()
    box.fill(chain)
    option = page.get_by_role("option", name=chain)
    option.wait_for(timeout=5000)
    option.click()
    page.keyboard.press("Escape")


@pytest.mark.parametrize("run", range(5))
def test_first_filter_change_on_a_fresh_server_counts(demo_file, tmp_path, browser, run):
    with streamlit_server(fresh(demo_file, tmp_path)) as url:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(url)
        wait_idle(page)
        before = page.locator(KPI).first.inner_text()
        pick_chain(page, "Walmart")
        page.wait_for_function(f'b => document.querySelector("{KPI}").innerText !== b', arg=before, timeout=20000)
        wait_idle(page)
        page.wait_for_timeout(800)  # a lost change would come back as the old value after a second rerun
        wait_idle(page)
        assert page.locator(KPI).first.inner_text() != before
        assert "Walmart" in page.locator(CHAINS).first.inner_text()
        assert page.locator("[data-testid='stException']").count() == 0
        page.close()


def test_deep_link_on_a_fresh_server_opens_the_page_with_its_sidebar(demo_file, tmp_path, browser):
    with streamlit_server(fresh(demo_file, tmp_path)) as url:
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.goto(f"{url}/share")
        wait_idle(page)
        assert page.locator("[data-testid='stMain'] h1").first.inner_text() == "Share vs market"
        assert page.locator(CHAINS).count() == 3  # chains, regions, categories: app.py ran
        assert page.url.endswith("/share")
        pick_chain(page, "Carrefour")
        wait_idle(page)
        page.wait_for_timeout(800)
        wait_idle(page)
        assert "Carrefour" in page.locator(CHAINS).first.inner_text()
        assert page.locator("[data-testid='stMain'] h1").first.inner_text() == "Share vs market"
        page.close()
