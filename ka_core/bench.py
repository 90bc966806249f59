"""`python -m ka_core bench`: every report against the machine's floor and against pandas, in one run.

Ratios taken in the same run are what count (these machines are shared and
noisy): report time / floor time, pandas time / report time. Not part of the
default test run; `--smoke` is a one-second version that the tests run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from . import db, loading, pandas_reference, reports
from .demo import create_demo
from .settings import Settings

# Demo stores giving about this many sales rows over 104 weeks (measured: ~5,500 rows a store).
SIZES = {"smoke": (12, 30), "1m": (183, 104), "10m": (1_820, 104), "50m": (9_100, 104)}

# The floor: a bare scan-aggregate of the columns each report reads.
SALES_FLOOR = (
    "SELECT p.is_own, p.category, sum(s.revenue), count(*), max(s.week), max(s.store_id) "
    "FROM sales s JOIN products p ON p.sku = s.sku GROUP BY ALL"
)
PROMO_FLOOR = "SELECT sum(units), sum(revenue), count(*), max(week), max(store_id), max(sku) FROM sales"
VISIT_FLOOR = (
    "SELECT sum(store_category_sales), sum(own_facings), count(*), max(visit_date), max(rep) FROM visits"
)
FLOORS = {
    "fair-share": [SALES_FLOOR, VISIT_FLOOR],
    "quadrants": [SALES_FLOOR, VISIT_FLOOR],
    "ka-list": [SALES_FLOOR, VISIT_FLOOR],
    "pareto": [SALES_FLOOR, VISIT_FLOOR],
    "promo-lift": [PROMO_FLOOR],
    "promo-summary": [PROMO_FLOOR],
    "visit-coverage": [SALES_FLOOR, VISIT_FLOOR],
}


def rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> dict:
    mem = ""
    try:
        mem = next(line.split(":")[1].strip() for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    return {
        "cores": os.cpu_count(),
        "memory": mem,
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pd.__version__,
    }


def _time(fn, runs: int) -> tuple[float, float]:
    """(first run, median of `runs` further runs) in seconds."""
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return first, statistics.median(times)


def same_numbers(a: pd.DataFrame, b: pd.DataFrame) -> str:
    """OK, or which columns differ (numbers to 1e-6 relative)."""
    b = b[list(a.columns)]
    if len(a) != len(b):
        return f"MISMATCH rows {len(a)} vs {len(b)}"
    bad = []
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x):
            xv = pd.to_numeric(x, errors="coerce").astype(float).to_numpy()
            yv = pd.to_numeric(y, errors="coerce").astype(float).to_numpy()
            if not np.allclose(xv, yv, rtol=1e-6, atol=1e-6, equal_nan=True):
                bad.append(col)
        else:
            def text(s):
                return [None if pd.isna(v) else str(v)[:10] for v in s.astype(object)]

            if text(x) != text(y):
                bad.append(col)
    return "OK" if not bad else "MISMATCH " + ",".join(bad)


def build(folder: Path, size: str, seed: int = 7) -> Path:
    """The demo warehouse of a size, built once and reused."""
    stores, weeks = SIZES[size]
    path = folder / f"demo_{size}.duckdb"
    if not path.exists():
        con = db.connect(path)
        create_demo(con, stores=stores, weeks=weeks, seed=seed)
        con.execute("CHECKPOINT").fetchall()
        con.close()
    return path


def bench_reports(path: Path, runs: int, with_pandas: bool) -> list[dict]:
    rows = []
    con = db.connect(path, read_only=True)
    tables = None
    pandas_load = None
    if with_pandas:
        t = time.perf_counter()
        tables = pandas_reference.load_tables(con)
        pandas_load = time.perf_counter() - t
    for name in reports.REPORTS:
        cold_con = db.connect(path, read_only=True)  # first query on a fresh connection
        t = time.perf_counter()
        reports.run(cold_con, name)
        cold = time.perf_counter() - t
        cold_con.close()
        _, warm = _time(lambda n=name: reports.run(con, n), runs)
        _, floor = _time(lambda n=name: [con.execute(q).fetchall() for q in FLOORS[n]], runs)
        row = {"report": name, "cold_s": cold, "warm_s": warm, "floor_s": floor, "ratio_to_floor": warm / floor}
        if with_pandas:
            fn = pandas_reference.REPORTS[name]
            t = time.perf_counter()
            ref = fn(tables, Settings())
            row["pandas_s"] = time.perf_counter() - t
            row["pandas_load_s"] = pandas_load
            row["speedup_vs_pandas"] = row["pandas_s"] / warm
            row["check"] = same_numbers(reports.run(con, name), ref)
        row["rss_mb"] = rss_mb()
        rows.append(row)
    con.close()
    return rows


def bench_loads(source: Path, folder: Path) -> dict:
    """Load the sales table from Parquet and from CSV, and a 5,000-row visit sheet from XLSX."""
    import openpyxl

    out = {}
    src = db.connect(source, read_only=True)
    work = folder / "load_work"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for t in ("stores", "products"):
        src.execute(f"COPY (SELECT * EXCLUDE (load_id) FROM {t}) TO '{work / t}.parquet' (FORMAT parquet)").fetchall()
    src.execute(f"COPY (SELECT * EXCLUDE (load_id) FROM sales) TO '{work / 'sales.parquet'}' (FORMAT parquet)").fetchall()
    src.execute(
        f"COPY (SELECT * EXCLUDE (load_id) FROM sales) TO '{work / 'sales.csv'}' (FORMAT csv, HEADER, DATEFORMAT '%Y-%m-%d')"
    ).fetchall()
    visits = src.sql("SELECT * EXCLUDE (load_id) FROM visits ORDER BY visit_date DESC LIMIT 5000").df()
    out["sales_rows"] = src.execute("SELECT count(*) FROM sales").fetchall()[0][0]
    src.close()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "visits"
    ws.append(list(visits.columns))
    for row in visits.itertuples(index=False):
        ws.append([None if (isinstance(v, float) and np.isnan(v)) or v is pd.NA else v for v in row])
    wb.save(work / "visits.xlsx")
    for fmt in ("parquet", "csv"):
        path = work / f"load_{fmt}.duckdb"
        con = db.connect(path)
        for t in ("stores", "products"):
            loading.load_files(con, t, [work / f"{t}.parquet"], user="bench")
        t0 = time.perf_counter()
        loading.load_files(con, "sales", [work / f"sales.{fmt}"], user="bench")
        out[f"sales_{fmt}_s"] = time.perf_counter() - t0
        out[f"rss_after_{fmt}_mb"] = rss_mb()
        if fmt == "parquet":
            t0 = time.perf_counter()
            loading.load_files(con, "visits", [work / "visits.xlsx"], user="bench")
            out["visits_xlsx_5000_s"] = time.perf_counter() - t0
        con.close()
    shutil.rmtree(work, ignore_errors=True)
    return out


def print_table(size: str, rows: list[dict]) -> None:
    print(f"\n{size}: report times (s), ratio to floor, speed-up against pandas")
    head = f"{'report':15s} {'cold':>7s} {'warm':>7s} {'floor':>7s} {'×floor':>7s} {'pandas':>8s} {'speed-up':>9s}  check"
    print(head)
    print("-" * len(head))
    for r in rows:
        pandas_s = f"{r['pandas_s']:8.2f}" if "pandas_s" in r else f"{'-':>8s}"
        speed = f"{r['speedup_vs_pandas']:8.1f}×" if "speedup_vs_pandas" in r else f"{'-':>9s}"
        print(
            f"{r['report']:15s} {r['cold_s']:7.3f} {r['warm_s']:7.3f} {r['floor_s']:7.3f} "
            f"{r['ratio_to_floor']:6.1f}× {pandas_s} {speed}  {r.get('check', '')}"
        )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ka_core bench", description=__doc__)
    p.add_argument("--sizes", default="1m,10m", help="comma-separated: 1m, 10m, 50m (default 1m,10m)")
    p.add_argument("--dir", default="bench", help="where demo warehouses are built and reused (default bench/)")
    p.add_argument("--runs", type=int, default=5, help="warm runs per report (median; default 5)")
    p.add_argument("--json", default=None, help="results file (default DIR/results.json)")
    p.add_argument("--smoke", action="store_true", help="a one-second run on a tiny warehouse")
    p.add_argument("--skip-pandas", action="store_true")
    p.add_argument("--skip-load", action="store_true")
    args = p.parse_args(argv)
    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = ["smoke"] if args.smoke else [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        p.error(f"unknown size {unknown}; expected {', '.join(k for k in SIZES if k != 'smoke')}")
    results = {"machine": machine(), "sizes": {}}
    for size in sizes:
        t = time.perf_counter()
        path = build(folder, size)
        built = time.perf_counter() - t
        con = db.connect(path, read_only=True)
        counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in ("sales", "visits", "promotions")}
        con.close()
        rows = bench_reports(path, 1 if args.smoke else args.runs, not args.skip_pandas)
        entry = {"rows": counts, "build_or_reuse_s": built, "reports": rows, "rss_mb": rss_mb()}
        print_table(f"{size} ({counts['sales']:,} sales rows)", rows)
        if not args.skip_load and size != "smoke":
            entry["loads"] = bench_loads(path, folder)
            ld = entry["loads"]
            print(
                f"loads: sales from Parquet {ld['sales_parquet_s']:.1f} s, from CSV {ld['sales_csv_s']:.1f} s "
                f"({ld['sales_rows']:,} rows); 5,000-row visit sheet (XLSX) {ld['visits_xlsx_5000_s']:.2f} s"
            )
        print(f"peak RSS so far: {rss_mb():,.0f} MB")
        results["sizes"][size] = entry
    out = Path(args.json) if args.json else folder / "results.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    print(f"\nmachine: {results['machine']}\nresults: {out}")
    return 0
