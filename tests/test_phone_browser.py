"""Issue 11 on a phone (390×844) in headless Chromium: the sidebar closes, tables scroll in
their frame, the Data page's upload takes a file from the phone's file picker.

(Chart titles and legends on phones belong to ka_core/charts.py's own work.)
"""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SIDEBAR = "[data-testid='stSidebar']"


def sidebar_open(page) -> bool:
    """Whether the sidebar covers part of the screen (a closed one slides off to the left)."""
    page.wait_for_timeout(600)  # the slide animation
    box = page.locator(SIDEBAR).bounding_box()
    return box is not None and box["x"] + box["width"] > 10


def open_sidebar(page) -> None:
    page.locator("[data-testid='stExpandSidebarButton']").first.click()
    page.wait_for_timeout(600)


def test_phone_sidebar_tables_and_upload(server, browser, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(**PHONE)
    page = ctx.new_page()
    page.goto(server)
    wait_idle(page)
    assert not sidebar_open(page), "the sidebar must be closed at start on a phone"
    page.screenshot(path=str(ARTIFACTS / "phone_overview.png"))

    # Pick a page in the sidebar: it closes again, the page is readable.
    open_sidebar(page)
    assert sidebar_open(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Visits").click()
    page.locator("[data-testid='stMain'] h1", has_text="Visits").wait_for(timeout=30000)
    wait_idle(page)
    assert not sidebar_open(page), "the sidebar must close after picking a page"

    # Nothing is wider than the screen: tables scroll inside their own frame.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
    frames = page.locator("[data-testid='stDataFrame']")
    frames.first.wait_for(timeout=30000)  # the tables come below the charts
    for i in range(frames.count()):
        box = frames.nth(i).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, box
    page.screenshot(path=str(ARTIFACTS / "phone_visits.png"))

    # The Data page: the upload takes a file from the phone's picker (a file chooser event).
    open_sidebar(page)
    page.locator("[data-testid='stSidebarNav'] a", has_text="Data").click()
    page.locator("[data-testid='stMain'] h1", has_text="Data").wait_for(timeout=30000)
    wait_idle(page)
    assert not sidebar_open(page)
    f = tmp_path / "names.csv"
    f.write_text("kind,value,zh,en\nchain,Walmart,沃尔玛,Walmart\n", encoding="utf-8")
    with page.expect_file_chooser() as chooser:
        page.locator("[data-testid='stFileUploaderDropzone'] button").first.click()
    chooser.value.set_files(str(f))
    page.get_by_text("names.csv").first.wait_for(timeout=30000)
    wait_idle(page)
    page.get_by_text("No problem found in 1 rows.").wait_for(timeout=30000)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, f"the Data page scrolls sideways ({width} px)"
    page.screenshot(path=str(ARTIFACTS / "phone_data.png"), full_page=True)
    ctx.close()
