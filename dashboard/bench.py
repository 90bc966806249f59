"""`python -m dashboard.bench`: what a page's rerun costs the server, on the demo warehouse.

For every page, in one process (as one `streamlit run` serves every session):
the page is opened once, then the sidebar's chain filter is set to values not
chosen before, one at a time, and each rerun is timed (the server-side part of
"click → page settled"; nothing is cached for that value yet); then the same
value is set again and timed (everything cached: what Streamlit itself costs).
Medians are printed with their ratio, which is what counts on a shared machine.

Run: python -m dashboard.bench [--db PATH] [--values N] [--json PATH]
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


def _demo(path: Path) -> Path:
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


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m dashboard.bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", default="bench/pages.duckdb", help="demo warehouse to use (built when missing)")
    p.add_argument("--values", type=int, default=3, help="filter values per page, each never chosen before (default 3)")
    p.add_argument("--json", default=None, help="also write the results here")
    args = p.parse_args(argv)
    os.environ["KA_DB"] = str(_demo(Path(args.db)).resolve())

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
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
