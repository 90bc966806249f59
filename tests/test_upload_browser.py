"""The KA manager's journey in headless Chromium: template, a bad row, the fix, confirm, see it, undo.

What the pages show is read through their CSV downloads (tables are drawn on a
canvas) and the quadrant bars' labels.
"""

from __future__ import annotations

import csv
import io
import re
import time

import openpyxl
import pytest

from tests.browser import ARTIFACTS, choose, download, wait_idle

pytestmark = pytest.mark.browser
MANAGER = "Li Wei"


TITLES = {"Visits": "Visits", "Attack / defend": "Attack / defend", "Data": "Data: templates"}


def nav(page, label: str) -> None:
    """Go to a page through the sidebar and wait for its own title (the old one lingers a moment)."""
    page.locator("[data-testid='stSidebarNav'] a", has_text=label).click()
    page.locator("[data-testid='stMain'] h1", has_text=TITLES[label]).wait_for(timeout=30000)
    wait_idle(page)


def download_csv(page, key: str) -> list[dict]:
    """Click the CSV download of the table with this key and read its rows."""
    got = download(page, page.locator(f".st-key-{key}_csv button"))
    text = open(got.path(), encoding="utf-8-sig").read()
    return list(csv.DictReader(io.StringIO(text)))


def coverage(page) -> dict[str, dict]:
    nav(page, "Visits")
    return {r["Store"]: r for r in download_csv(page, "coverage")}


def attack_count(page) -> str:
    nav(page, "Attack / defend")
    page.wait_for_selector(".js-plotly-plot text.bartext", timeout=20000)
    return page.locator(".js-plotly-plot text.bartext").first.text_content()


def test_ka_manager_journey(server, browser, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.goto(server)
    wait_idle(page)
    before = coverage(page)
    attack_before = attack_count(page)

    started = time.perf_counter()
    nav(page, "Data")
    page.get_by_label("Your name (recorded with every load)").fill(MANAGER)
    page.keyboard.press("Enter")
    wait_idle(page)
    page.get_by_text("1 · Download a template").click()
    wait_idle(page)
    choose(page, page.locator("[data-testid='stExpander'] [data-testid='stSelectbox']").first, "visits")
    choose(page, page.locator("[data-testid='stSelectbox']").filter(has_text="Pre-fill").first, MANAGER)
    template = tmp_path / "template.xlsx"
    for _ in range(5):  # the button's file follows the last rerun: wait until it is the manager's sheet
        got = download(page, page.get_by_role("button", name="Download template"))
        if got.suggested_filename.startswith("visits_Li_"):
            break
        wait_idle(page)
    assert got.suggested_filename.startswith("visits_Li_"), got.suggested_filename
    got.save_as(template)

    # The manager fills in numbers: category totals and facings for every pre-filled row.
    wb = openpyxl.load_workbook(template)
    ws = wb["visits"]
    rows = [r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value]
    assert rows, "the template has the manager's stores pre-filled"
    stores = {ws.cell(r, 2).value for r in rows}
    for r in rows:
        ws.cell(r, 5, 250_000)
        ws.cell(r, 6, 4)
        ws.cell(r, 7, 20)
    ws.cell(rows[1], 6, 30)  # one bad row: own facings above total facings
    wb.save(tmp_path / "week_bad.xlsx")
    ws.cell(rows[1], 6, 3)
    wb.save(tmp_path / "week.xlsx")

    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    uploader.set_input_files(str(tmp_path / "week_bad.xlsx"))
    page.get_by_text("Problems found: 1.").wait_for(timeout=30000)
    wait_idle(page)
    assert page.get_by_role("button", name="Save to the warehouse").count() == 0  # nothing can be saved
    page.screenshot(path=str(ARTIFACTS / "data_bad_row.png"), full_page=True)
    page.locator("[data-testid='stFileChipDeleteBtn']").first.click()
    wait_idle(page)
    uploader.set_input_files(str(tmp_path / "week.xlsx"))
    page.get_by_role("button", name="Save to the warehouse").wait_for(timeout=30000)
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "data_confirm.png"), full_page=True)
    page.get_by_role("button", name="Save to the warehouse").click()
    saved = page.get_by_text(re.compile(r"Saved: load \d+"))
    saved.wait_for(timeout=30000)
    load_id = re.search(r"load (\d+)", saved.inner_text()).group(1)  # the demo's own loads come first
    wait_idle(page)
    print(f"journey from the Data page to saved: {time.perf_counter() - started:.1f} s")

    after = coverage(page)
    # A new visit counts once; a visit the demo already had on that Monday by the same rep is replaced.
    assert all(int(after[s]["Visits"]) >= int(before[s]["Visits"]) for s in stores)
    assert sum(int(after[s]["Visits"]) for s in stores) > sum(int(before[s]["Visits"]) for s in stores)
    assert all(after[s]["Days since last visit"] for s in stores)
    changed = [s for s in stores if after[s]["Quadrant"] != before[s]["Quadrant"]]
    assert changed, "a category total of 250,000 moves some of the manager's stores to another quadrant"
    assert attack_count(page) != attack_before
    page.screenshot(path=str(ARTIFACTS / "quadrants_after_upload.png"), full_page=True)

    nav(page, "Data")
    undo_box = page.locator("[data-testid='stSelectbox']").filter(has_text="Pick the load to undo")
    choose(page, undo_box, f"Load {load_id} ·")
    page.get_by_text(f"Undoing load {load_id} removes").wait_for(timeout=30000)
    page.get_by_text("I understand").click()
    page.get_by_role("button", name="Undo load").click()
    page.get_by_text(f"Load {load_id} undone").wait_for(timeout=30000)
    wait_idle(page)
    back = coverage(page)
    for s in stores:
        assert (back[s]["Visits"], back[s]["Quadrant"]) == (before[s]["Visits"], before[s]["Quadrant"]), s
    assert attack_count(page) == attack_before
    page.close()


def test_upload_at_phone_width(server, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(server)
    wait_idle(page)
    page.goto(f"{server}/data")
    wait_idle(page)
    bad = tmp_path / "sales.csv"
    bad.write_text("week,store_id,sku,units,revenue\n2026-11-16,NOPE,DAI-O01,3,30\n", encoding="utf-8")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad))
    page.get_by_text("Problems found: 1.").wait_for(timeout=30000)
    wait_idle(page)
    assert page.locator("[data-testid='stException']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "data_390px.png"), full_page=True)
    page.close()
