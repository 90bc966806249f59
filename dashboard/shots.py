"""`python -m dashboard.shots [OUT]`: every page as its users see it, in PNG files to look at.

On the demo warehouse (bench/shots.duckdb, built when missing), one served dashboard,
headless Chromium: every page at 1280×720 (a meeting-room projector) and 390×844 (a
phone), in English and 简体中文, full height; and the meeting pack's PDF rendered to PNG
(pdftoppm), first two pages. Default OUT: artifacts/shots/. The README's pictures are
`docs/overview_1280x720.png` and `docs/pack_page2.png` from here (`--docs` copies them).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from dashboard import probe
from dashboard.bench import demo_warehouse

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
SIZES = {"projector": {"viewport": {"width": 1280, "height": 720}}, "phone": PHONE}


def _idle(page) -> None:
    page.wait_for_selector("[data-testid='stApp']", timeout=120_000)
    page.evaluate("() => { window.__kaIdle = 0; }")
    page.wait_for_function(probe.IDLE_JS, polling=probe.IDLE_POLL_MS, timeout=120_000)


def _sidebar(page) -> None:
    """Open the sidebar if it is closed (on a phone it starts closed and closes after a pick)."""
    page.wait_for_timeout(600)  # a slide in progress
    box = page.locator("[data-testid='stSidebar']").bounding_box()
    if box is None or box["x"] + box["width"] <= 10:
        page.locator("[data-testid='stExpandSidebarButton']").first.click()
        page.wait_for_timeout(600)


def _whole(page, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so the window is made as tall as it."""
    size = page.viewport_size
    tall = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], [data-testid="stMainBlockContainer"]\')]'
        ".map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(int(tall) + 40, 12000))})
    page.wait_for_timeout(800)  # charts redraw at the new size
    page.screenshot(path=str(path))
    page.set_viewport_size(size)
    page.wait_for_timeout(300)


def pages(url: str, out: Path) -> list[Path]:
    """Every page in one session per size and language, reached through the sidebar as a user does."""
    from playwright.sync_api import sync_playwright

    from dashboard.frame import PAGES

    made = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=probe.ensure_chromium(), args=probe.CHROMIUM_ARGS)
        for size, device in SIZES.items():
            for lang in ("en", "zh"):
                ctx = browser.new_context(**device)
                page = ctx.new_page()
                page.set_default_timeout(120_000)
                page.goto(url)
                _idle(page)
                if lang == "zh":
                    _sidebar(page)
                    page.locator(
                        "[data-testid='stSidebar'] [data-testid='stButtonGroup'] button", has_text="简体中文"
                    ).click()
                    _idle(page)
                for i, (*_, name) in enumerate(PAGES):
                    if i or lang == "zh":
                        _sidebar(page)
                        page.locator("[data-testid='stSidebarNav'] a").nth(i).click()
                        page.wait_for_timeout(100)
                        _idle(page)
                    if i == 0 and size == "projector":  # what the room sees without scrolling
                        page.screenshot(path=str(out / f"{name}_{size}_{lang}_fold.png"))
                        made.append(out / f"{name}_{size}_{lang}_fold.png")
                    _whole(page, out / f"{name}_{size}_{lang}.png")
                    made.append(out / f"{name}_{size}_{lang}.png")
                ctx.close()
        browser.close()
    return made


def pack(db_path: Path, out: Path) -> list[Path]:
    """The meeting pack (PDF, English, default filters) and its first two pages as PNG."""
    pdf = out / "meeting-pack.pdf"
    cmd = [sys.executable, "-m", "ka_core", "export", str(pdf), "--db", str(db_path)]
    subprocess.run(cmd, check=True, cwd=probe.ROOT)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(pdf), str(out / "pack")], check=True)
    return sorted(out.glob("pack-*.png"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.shots", description=__doc__.split("\n\n")[0])
    ap.add_argument("out", nargs="?", default="artifacts/shots")
    ap.add_argument("--db", default="bench/shots.duckdb")
    ap.add_argument("--docs", action="store_true", help="copy the README's two pictures into docs/")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db_path = demo_warehouse(Path(args.db)).resolve()
    with tempfile.TemporaryDirectory() as tmp, probe.serve(db_path, log=Path(tmp) / "streamlit.log") as (url, _):
        made = pages(url, out)
    made += pack(db_path, out)
    for path in made:
        print(path)
    if args.docs:
        shutil.copy(out / "overview_projector_en_fold.png", probe.ROOT / "docs" / "overview_1280x720.png")
        shutil.copy(sorted(out.glob("pack-*2.png"))[0], probe.ROOT / "docs" / "pack_page2.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
