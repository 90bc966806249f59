"""Benchmark of the meeting pack: `python -m ka_core.export_bench [--db PATH] [--runs N]`.

Exports the demo warehouse (created in a temporary folder unless --db names one) at the
default filters (every week, no chain, region or category filter) to PDF, PowerPoint and
Excel, in English and Chinese, and prints the wall time of each against the 10 s target
(issue 12). Wall time includes the reports, the charts' pictures (Chromium) and the file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from . import db, export
from .demo import create_demo
from .settings import Filters, Settings

TARGET_S = 10.0


def measure(path: Path, runs: int = 1) -> list[dict]:
    out = []
    con = db.connect(path, read_only=True)
    try:
        for kind in export.FORMATS:
            for lang in ("en", "zh"):
                best = cpu = None
                for _ in range(runs):
                    t0, c0 = time.perf_counter(), time.process_time()
                    data = export.render(con, kind, Filters(), Settings(), lang)
                    took = time.perf_counter() - t0
                    if best is None or took < best:
                        best, cpu = took, time.process_time() - c0
                out.append(
                    {
                        "format": kind,
                        "lang": lang,
                        "seconds": round(best, 2),
                        "cpu_s": round(cpu, 2),
                        "bytes": len(data),
                    }
                )
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
    worst = max(r["seconds"] for r in rows)
    for r in rows:
        # cpu: this process only (the reports, the layout); Chromium draws the charts in its own processes.
        print(
            f"{r['format']:5} {r['lang']}  {r['seconds']:6.2f} s wall  {r['cpu_s']:5.2f} s cpu  {r['bytes']:>10,} bytes"
        )
    load = os.getloadavg()[0]
    print(f"slowest {worst:.2f} s; target ≤ {TARGET_S:.0f} s: {'OK' if worst <= TARGET_S else 'SLOW'}")
    print(f"(load average {load:.1f} on {os.cpu_count()} cores while measuring)")
    if args.json:
        Path(args.json).write_text(json.dumps({"target_s": TARGET_S, "results": rows}, indent=1))
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
