"""`python -m dashboard.bench`: what a page's rerun costs the server, on the demo warehouse.

For every page, in one process (as one `streamlit run` serves every session):
the page is opened once, then the sidebar's chain filter is set to values not
chosen before, one at a time, and each rerun is timed (the server-side part of
"click → page settled"; nothing is cached for that value yet); then the same
value is set again and timed (everything cached: what Streamlit itself costs).
Medians are printed with their ratio, which is what counts on a shared machine.

With `--browser`, the same in a real `streamlit run` and headless Chromium:
for every page, a chain chosen in the sidebar (a value not chosen before) and
the time from the click to the page settled (the run the click started has
finished and nothing of the previous run is left stale), the figure a user feels.

Run: python -m dashboard.bench [--db PATH] [--values N] [--browser] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["overview", "share", "quadrants", "promotions", "visits", "data"]


def demo_warehouse(path: Path) -> Path:
    from ka_core import db
    from ka_core.demo import create_demo

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        con = db.connect(path)
        create_demo(con)
        con.execute("CHECKPOINT").fetchall()
        con.close()
    return path


def bench_page(page: str, values: list[list[str]]) -> dict:
    """Rerun times of one page: new filter values (uncached) and a repeated one (cached)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    if page != "overview":
        at.switch_page(f"pages/{page}.py").run()
    fresh, cached = [], []
    for v in values:
        t0 = time.perf_counter()
        at.multiselect(key="chains").set_value(v).run()
        fresh.append(time.perf_counter() - t0)
        assert not at.exception, [e.value for e in at.exception]
        at.multiselect(key="chains").set_value([]).run()  # back, so the next value is a change again
        t0 = time.perf_counter()
        at.multiselect(key="chains").set_value(v).run()
        cached.append(time.perf_counter() - t0)
    return {
        "page": page,
        "uncached_s": statistics.median(fresh),
        "uncached_max_s": max(fresh),
        "cached_s": statistics.median(cached),
        "ratio": statistics.median(fresh) / max(statistics.median(cached), 1e-9),
    }


# Streamlit's app root says whether the script runs (data-test-script-state); watch it from before the click.
WATCH_RUN = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    window.__kaRan = false;
    new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__kaRan = true;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
# Settled: the run that the click started has finished and no element of the previous run is left stale.
RUN_DONE = """() => window.__kaRan
    && document.querySelector("[data-testid='stApp']").getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector("[data-stale='true']")"""


def bench_browser(db_path: Path, chains: list[str], values: int) -> list[dict]:
    """Click → page settled in Chromium, per page, for `values` chains never chosen before on that page."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_ARGS, ensure_chromium, streamlit_server, wait_idle

    rows = []
    with streamlit_server(db_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=ensure_chromium(), args=CHROMIUM_ARGS)
        for i, page_name in enumerate(p for p in PAGES if p != "data"):  # the Data page shows no filtered numbers
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url if page_name == "overview" else f"{url}/{page_name}")
            wait_idle(page)
            times = []
            for chain in chains[i * values : (i + 1) * values]:
                box = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first
                box.click()
                box.fill(chain)
                option = page.get_by_role("option", name=chain)
                option.wait_for(timeout=5000)
                page.evaluate(WATCH_RUN)
                t0 = time.perf_counter()
                option.click()
                page.keyboard.press("Escape")
                page.wait_for_function(RUN_DONE, polling=20, timeout=30000)
                times.append(time.perf_counter() - t0)
                wait_idle(page)
            rows.append({"page": page_name, "click_to_settled_s": statistics.median(times), "max_s": max(times)})
            page.close()
        browser.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dashboard.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", default="bench/pages.duckdb", help="demo warehouse to use (built when missing)")
    p.add_argument("--values", type=int, default=3, help="filter values per page, each never chosen before (default 3)")
    p.add_argument("--browser", action="store_true", help="also time click → settled in headless Chromium")
    p.add_argument("--json", default=None, help="also write the results here")
    args = p.parse_args(argv)
    os.environ["KA_DB"] = str(demo_warehouse(Path(args.db)).resolve())

    from ka_core import db, views

    con = db.connect(os.environ["KA_DB"], read_only=True)
    chains = views.options(con)["chain"]
    con.close()
    # Every page gets chain sets no page has seen before (singles, then pairs), so nothing is cached.
    sets = [[c] for c in chains] + [[a, b] for i, a in enumerate(chains) for b in chains[i + 1 :]]
    need = args.values * len(PAGES)
    if len(sets) < need:
        raise SystemExit(f"the warehouse has too few chains for {args.values} new values a page")
    rows = [bench_page(page, sets[i * args.values : (i + 1) * args.values]) for i, page in enumerate(PAGES)]
    print(f"{'page':<12} {'rerun, new filter s':>20} {'max s':>7} {'rerun, cached s':>16} {'ratio':>6}")
    for r in rows:
        print(
            f"{r['page']:<12} {r['uncached_s']:>20.2f} {r['uncached_max_s']:>7.2f} {r['cached_s']:>16.2f} {r['ratio']:>6.1f}"
        )
    out = {"server": rows}
    if args.browser:
        # A fresh server: chains one at a time, added to the selection (each a value not chosen before).
        out["browser"] = bench_browser(
            Path(os.environ["KA_DB"]), chains, args.values if len(chains) >= 5 * args.values else 1
        )
        print(f"\n{'page':<12} {'click → settled s':>18} {'max s':>7}")
        for r in out["browser"]:
            print(f"{r['page']:<12} {r['click_to_settled_s']:>18.2f} {r['max_s']:>7.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
