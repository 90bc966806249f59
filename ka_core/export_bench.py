"""Benchmark of the meeting pack: `python -m ka_core.export_bench [--db PATH] [--runs N]`.

Exports the demo warehouse (created in a temporary folder unless --db names one) at the
default filters (every week, no chain, region or category filter) to PDF, PowerPoint and
Excel, in English and Chinese, and prints the wall time of each against the 10 s target
(issue 12). Wall time includes the reports, the charts' pictures (Chromium) and the file.
CPU is this process's (the reports, the layout) and, apart, Chromium's (the child processes
kaleido starts and ends). `all` is the three files from one gathering (`export a.pdf a.pptx
a.xlsx`): the reports computed once, the charts drawn once.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from . import db, export
from .demo import create_demo
from .settings import Filters, Settings

TARGET_S = 10.0


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def measure(path: Path, runs: int = 1) -> list[dict]:
    out = []
    con = db.connect(path, read_only=True)
    try:
        for kind in (*export.FORMATS, "all"):
            kinds = list(export.FORMATS) if kind == "all" else [kind]
            for lang in ("en", "zh"):
                best = None
                for _ in range(runs):
                    t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
                    data = export.render_many(con, kinds, Filters(), Settings(), lang)
                    took = time.perf_counter() - t0
                    if best is None or took < best["seconds"]:
                        best = {
                            "format": kind,
                            "lang": lang,
                            "seconds": round(took, 2),
                            "cpu_s": round(time.process_time() - c0, 2),
                            "chromium_cpu_s": round(_children_cpu() - k0, 2),
                            "bytes": sum(len(b) for b in data.values()),
                        }
                out.append(best)
    finally:
        con.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ka_core.export_bench", description=__doc__.splitlines()[0])
    p.add_argument("--db", help="an existing warehouse (default: a fresh demo warehouse)")
    p.add_argument("--runs", type=int, default=1, help="runs per format and language; the best counts")
    p.add_argument("--json", help="also write the results to this JSON file")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.db) if args.db else Path(tmp) / "demo.duckdb"
        if not args.db:
            con = db.connect(path)
            create_demo(con)
            con.close()
        rows = measure(path, args.runs)
    worst = max(r["seconds"] for r in rows if r["format"] != "all")
    for r in rows:
        # cpu: this process (the reports, the layout); Chromium draws the charts in its own processes.
        print(
            f"{r['format']:5} {r['lang']}  {r['seconds']:6.2f} s wall  {r['cpu_s']:5.2f} s cpu "
            f"(+ Chromium {r['chromium_cpu_s']:5.2f} s)  {r['bytes']:>10,} bytes"
        )
    load = os.getloadavg()[0]
    print(f"slowest {worst:.2f} s; target ≤ {TARGET_S:.0f} s: {'OK' if worst <= TARGET_S else 'SLOW'}")
    print(f"(load average {load:.1f} on {os.cpu_count()} cores while measuring)")
    if args.json:
        Path(args.json).write_text(json.dumps({"target_s": TARGET_S, "results": rows}, indent=1))
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
