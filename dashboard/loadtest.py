"""`python -m dashboard.loadtest`: many people at once, measured in real browsers.

On the demo warehouse, one `streamlit run` on 127.0.0.1 (as served), N headless
Chromium sessions (default 8) open the dashboard together while a command-line
load of sales runs alongside (`python -m ka_core load sales … --wait 120`).
Each session times its first page (navigation start → title drawn, no
"Running…" for 0.6 s), then clicks through the other pages in the sidebar and
times each the same way. Prints p50/p95/max of both and whether the load
succeeded; `--json PATH` writes them too. Targets (issue 10): first page ≤ 5 s
p95, later pages ≤ 2 s p95, on a 2-core machine.

Two times per page: **drawn**, when the tab shows it (the idle check above), and
**served**, when the server's last `script_finished` message for that page
arrived in the browser's network stack (before the tab's renderer has drawn
anything). The browsers run on the same 2 cores as the server, which no real
team does, so the tabs' own work is printed too: Chromium's main-thread time
per first page and per later page (`TaskDuration`), and the floor it sets,
tab time × sessions / cores, below which no server could bring the drawn first
pages. CPU seconds of the server and of the browsers and the server's peak
memory complete the picture. `--browsers warm` (the default) measures
returning users: the browser profile already holds the dashboard's scripts in
its cache (one visit to every page, against another server process, before the
measured server starts; its own caches start empty). `--browsers cold` gives
each session a fresh profile (first visit ever: every session downloads and
compiles the scripts).

Run: python -m dashboard.loadtest [--db PATH] [--sessions 8] [--browsers warm|cold] [--no-load] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dashboard import probe
from dashboard.bench import demo_warehouse

ROOT = Path(__file__).resolve().parents[1]
ARGS = probe.CHROMIUM_ARGS
LATER = ["share", "quadrants", "promotions", "visits", "overview"]


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc): the server's share of the work,
    which the machine's other load does not change much, unlike wall times."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    """The server's peak resident memory so far (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _browser_cpu_seconds() -> float:
    """CPU time so far of the Chromium processes this program started (its descendants named chrom*)."""
    parent, comm = {}, {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            with contextlib.suppress(OSError):
                head, tail = d.joinpath("stat").read_text().rsplit(")", 1)
                parent[int(d.name)] = int(tail.split()[1])
                comm[int(d.name)] = head.split("(", 1)[1]
    total = 0.0
    for pid, name in comm.items():
        up = parent.get(pid)
        while up and up != os.getpid():
            up = parent.get(up)
        if up == os.getpid() and "chrom" in name.lower():
            with contextlib.suppress(OSError):
                total += _cpu_seconds(pid)
    return total


def _sales_file(db_path: Path, out: Path) -> Path:
    """A week of sales for every store and own SKU of the warehouse, after its latest week."""
    from ka_core import db

    con = db.connect(db_path, read_only=True)
    try:
        rows = con.execute(
            "SELECT CAST((SELECT max(week) FROM sales) + INTERVAL 7 DAY AS DATE), s.store_id, p.sku "
            "FROM stores s, products p WHERE p.is_own"
        ).fetchall()
    finally:
        con.close()
    out.write_text(
        "week,store_id,sku,units,revenue\n" + "".join(f"{w:%Y-%m-%d},{s},{k},3,30\n" for w, s, k in rows),
        encoding="utf-8",
    )
    return out


async def _idle(page, timeout_ms: int = 120_000) -> None:
    await page.wait_for_selector("[data-testid='stApp']", timeout=timeout_ms)
    await page.evaluate("() => { window.__kaIdle = 0; }")
    await page.wait_for_function(probe.IDLE_JS, polling=probe.IDLE_POLL_MS, timeout=timeout_ms)


async def _visit_all(page, url: str) -> None:
    """A returning user's earlier visit: every page once (the browser caches their scripts)."""
    await page.goto(url)
    await _idle(page)
    for name in LATER[:-1]:
        await page.locator(f"[data-testid='stSidebarNav'] a[href$='/{name}']").click()
        await page.wait_for_timeout(50)
        await _idle(page)


def _listen(page, finished: list[float]) -> None:
    """Note when the server says a script run is over (Streamlit's ForwardMsg script_finished).

    The frames arrive in the browser process's network stack, before the tab's renderer draws
    anything, so these times are the server's part of a page, whatever the browsers' own load.
    """
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    def frame(payload) -> None:
        if isinstance(payload, bytes):
            with contextlib.suppress(Exception):
                msg = ForwardMsg.FromString(payload)
                if (
                    msg.WhichOneof("type") == "script_finished"
                    and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                ):
                    finished.append(time.perf_counter())

    page.on("websocket", lambda ws: ws.on("framereceived", frame))


@dataclasses.dataclass
class Session:
    """What one person waited for: drawn (the idle check in the tab) and served (the server's
    last script_finished for that page), and the tab's own main-thread time (Chromium's
    TaskDuration) for the first page and for the later ones."""

    first: float = 0.0
    first_served: float = 0.0
    first_tab_cpu: float = 0.0
    later: list[float] = dataclasses.field(default_factory=list)
    later_served: list[float] = dataclasses.field(default_factory=list)
    later_tab_cpu: float = 0.0


async def _tab_cpu(cdp) -> float:
    metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


async def _session(browser, url: str, start: asyncio.Event) -> Session:
    """One person: a tab of the shared (warm) profile, or a fresh profile of its own."""
    if hasattr(browser, "new_context"):
        ctx = await browser.new_context(viewport={"width": 1280, "height": 720})
        page = await ctx.new_page()
    else:
        ctx, page = None, await browser.new_page()
    page.set_default_timeout(120_000)  # a click's navigation waits as long as the idle check
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("Performance.enable")
    finished: list[float] = []
    _listen(page, finished)
    out = Session()
    await start.wait()
    t0 = time.perf_counter()
    await page.goto(url)
    await _idle(page)
    out.first = (
        time.perf_counter() - t0 - probe.IDLE_CALM_S
    )  # the idle check waits 0.6 s of calm after the page is drawn
    out.first_served = (finished[-1] if finished else float("nan")) - t0
    out.first_tab_cpu = await _tab_cpu(cdp)
    for name in LATER:
        link = page.locator(f"[data-testid='stSidebarNav'] a[href$='/{name}']")
        if name == "overview":
            link = page.locator("[data-testid='stSidebarNav'] a").first
        finished.clear()
        t0 = time.perf_counter()
        await link.click()
        await page.wait_for_timeout(50)
        await _idle(page)
        out.later.append(time.perf_counter() - t0 - probe.IDLE_CALM_S)
        out.later_served.append((finished[-1] if finished else float("nan")) - t0)
    out.later_tab_cpu = await _tab_cpu(cdp) - out.first_tab_cpu
    await (ctx or page).close()
    return out


async def _run(url: str, sessions: int, load_cmd: list[str], profile: Path | None):
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        if profile is None:
            browser = await p.chromium.launch(executable_path=probe.CHROMIUM, args=ARGS)
        else:
            browser = await p.chromium.launch_persistent_context(
                profile, executable_path=probe.CHROMIUM, args=ARGS, viewport={"width": 1280, "height": 720}
            )
        start = asyncio.Event()
        tasks = [asyncio.create_task(_session(browser, url, start)) for _ in range(sessions)]
        await asyncio.sleep(1)
        start.set()
        if not load_cmd:
            results = await asyncio.gather(*tasks)
            browser_cpu = _browser_cpu_seconds()
            await browser.close()
            return results, 0, "no load", browser_cpu
        load = await asyncio.create_subprocess_exec(
            *load_cmd, cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        results = await asyncio.gather(*tasks)
        out, err = await load.communicate()
        browser_cpu = _browser_cpu_seconds()
        await browser.close()
    return results, load.returncode, (out + err).decode().strip(), browser_cpu


async def _warm(url: str, profile: Path) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        ctx = await p.chromium.launch_persistent_context(
            profile, executable_path=probe.CHROMIUM, args=ARGS, viewport={"width": 1280, "height": 720}
        )
        ctx.set_default_timeout(120_000)
        await _visit_all(ctx.pages[0] if ctx.pages else await ctx.new_page(), url)
        await ctx.close()


def _p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(0.95 * len(xs) + 0.5) - 1))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.loadtest", description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", default="bench/loadtest.duckdb", help="demo warehouse (built when missing)")
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--json", default=None)
    ap.add_argument("--no-load", action="store_true", help="no command-line load alongside (to separate its cost)")
    ap.add_argument("--browsers", choices=["warm", "cold"], default="warm", help="returning users or first visits")
    args = ap.parse_args(argv)
    db_path = demo_warehouse(Path(args.db)).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        sales = _sales_file(db_path, Path(tmp) / "sales.csv")
        load_cmd = [sys.executable, "-m", "ka_core", "load", "sales", str(sales), "--db", str(db_path)]
        load_cmd += ["--wait", "120", "--user", "loadtest"]
        port = probe.free_port()
        profile = None
        if args.browsers == "warm":
            profile = Path(tmp) / "profile"
            with probe.serve(db_path, port, Path(tmp) / "streamlit.log") as (url, _):
                asyncio.run(_warm(url, profile))
        with probe.serve(db_path, port, Path(tmp) / "streamlit.log") as (url, pid):
            cpu0 = _cpu_seconds(pid)
            wall0 = time.perf_counter()
            results, code, said, browser_cpu = asyncio.run(
                _run(url, args.sessions, [] if args.no_load else load_cmd, profile)
            )
            cpu = _cpu_seconds(pid) - cpu0
            peak_mb = _peak_rss_mb(pid)
            wall = time.perf_counter() - wall0
    firsts = [r.first for r in results]
    later = [x for r in results for x in r.later]
    firsts_served = [r.first_served for r in results]
    later_served = [x for r in results for x in r.later_served]
    first_tab = statistics.median(r.first_tab_cpu for r in results)
    summary = {
        "sessions": args.sessions,
        "browsers": args.browsers,
        "cores": os.cpu_count(),
        "first_page_p50_s": statistics.median(firsts),
        "first_page_p95_s": _p95(firsts),
        "first_page_max_s": max(firsts),
        "later_page_p50_s": statistics.median(later),
        "later_page_p95_s": _p95(later),
        "later_page_max_s": max(later),
        "first_served_p50_s": statistics.median(firsts_served),
        "first_served_p95_s": _p95(firsts_served),
        "later_served_p50_s": statistics.median(later_served),
        "later_served_p95_s": _p95(later_served),
        "first_page_tab_cpu_s": first_tab,
        "later_page_tab_cpu_s": statistics.median(r.later_tab_cpu for r in results) / len(LATER),
        # No server at all could draw the first pages sooner than the tabs' own work on these cores.
        "first_page_floor_s": first_tab * args.sessions / (os.cpu_count() or 1),
        "server_cpu_s": cpu,
        "server_peak_rss_mb": peak_mb,
        "browsers_cpu_s": browser_cpu,
        "wall_s": wall,
        "load_average_1min": os.getloadavg()[0],
        "cli_load_exit": code,
        "cli_load_output": said,
    }
    for k, v in summary.items():
        print(f"{k:<20} {v:.2f}" if isinstance(v, float) else f"{k:<20} {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2))
    return 0 if code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
