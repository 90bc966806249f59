"""The benchmark's smoke run: every report timed, and the SQL equal to the plain pandas version.

The equality is a real test of the reports: ka_core/pandas_reference.py computes
every report again from domain.md in pandas, on a small demo warehouse.
"""

from __future__ import annotations

import json
import math

import pandas as pd

from ka_core import bench, pandas_reference
from ka_core.reports import REPORTS


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def test_smoke_run(tmp_path, capsys):
    out = tmp_path / "out.json"
    assert bench.main(["--smoke", "--dir", str(tmp_path), "--json", str(out)]) == 0
    data = json.loads(out.read_text())

    assert data["machine"]["cores"] >= 1 and data["machine"]["memory_gb"] > 0
    assert data["machine"]["duckdb"] and data["machine"]["pandas"]
    info = data["sizes"]["smoke"]
    assert info["rows"]["sales"] > 1000 and info["rows"]["promotions"] > 0 and info["rows"]["visits"] > 0

    rows = data["reports"]
    assert [r["report"] for r in rows] == list(REPORTS)
    for r in rows:
        for key in ("cold_s", "warm_s", "floor_s", "ratio_to_floor", "pandas_s", "pandas_load_s", "speedup"):
            assert _number(r[key]) and r[key] > 0, (r["report"], key, r.get(key))
        assert r["rows"] > 0, r["report"]  # every report has rows on the demo data
        check = r["check"]
        assert check["status"] == "OK", (r["report"], check["problems"])  # SQL == plain pandas
        assert check["rows_sql"] == check["rows_pandas"] == r["rows"]

    (loads,) = data["loads"]
    for key in ("sales_parquet_s", "sales_csv_s", "visits_xlsx_s"):
        assert _number(loads[key]) and loads[key] > 0
    assert loads["sales_rows"] == info["rows"]["sales"]
    # The lean load against DuckDB's own CREATE TABLE AS of the same file, each in its own process.
    for key in ("ctas_s", "lean_load_s", "load_to_ctas", "lean_load_peak_mb", "ctas_peak_mb"):
        assert _number(loads[key]) and loads[key] > 0, key
    assert loads["load_to_ctas"] == loads["lean_load_s"] / loads["ctas_s"]
    assert {"Parquet load / DuckDB CTAS", "Parquet load peak MB"} <= {t["target"] for t in data["targets"]}
    assert {t["target"] for t in data["targets"]} >= {"fair-share warm s", "sales Parquet load s"}
    assert all(_number(p["peak_rss_mb"]) for p in data["phases"])

    printed = capsys.readouterr().out
    for name in REPORTS:
        assert name in printed
    assert "speed-up" in printed and "MISMATCH" not in printed

    # The warehouse is reused, not rebuilt, on the next run.
    assert bench.main(["--smoke", "--dir", str(tmp_path), "--json", str(out), "--skip-pandas", "--skip-load"]) == 0
    again = json.loads(out.read_text())
    assert again["sizes"]["smoke"]["reused"] is True
    assert "check" not in again["reports"][0] and again["loads"] == []


def test_the_check_sees_a_wrong_number():
    """compare() is what makes the smoke run a test: a changed value, row or key is a MISMATCH."""
    sql = pd.DataFrame(
        {
            "chain": ["A", "B"],
            "own_revenue": [10.0, 5.0],
            "share": [2 / 3, 1 / 3],
            "cum_share": [2 / 3, 1.0],
            "abc": ["A", "C"],
        }
    )
    assert bench.compare("pareto", sql, sql.iloc[::-1].reset_index(drop=True))["status"] == "OK"
    near = sql.assign(own_revenue=[10.0 * (1 + 1e-9), 5.0])
    assert bench.compare("pareto", sql, near)["status"] == "OK"
    for changed in (
        sql.assign(own_revenue=[10.001, 5.0]),
        sql.assign(abc=["A", "B"]),
        sql.iloc[:1],
        sql.assign(chain=["A", "Z"]),
        sql.assign(share=[2 / 3, None]),
    ):
        result = bench.compare("pareto", sql, changed)
        assert result["status"] == "MISMATCH" and result["problems"], changed
    assert set(pandas_reference.REPORT_KEYS) == set(REPORTS) == set(pandas_reference.REFERENCE)


def test_usage_errors_are_exit_status_2(tmp_path):
    assert bench.main(["--sizes", "7m", "--dir", str(tmp_path)]) == 2
    assert bench.main(["--runs", "0", "--dir", str(tmp_path)]) == 2
    assert bench.main(["--no-such-option"]) == 2


def test_scale_mode_on_the_smoke_warehouse(tmp_path, capsys):
    """`bench --scale`: per size the lean load against DuckDB's CTAS, and every report, each measured in its
    own process (Spark left out here: tests/test_spark.py covers the engine; README "Scale" has its figures)."""
    out = tmp_path / "scale.json"
    assert (
        bench.main(["--scale", "--sizes", "smoke", "--spark-sizes", "", "--dir", str(tmp_path), "--json", str(out)])
        == 0
    )
    (size,) = json.loads(out.read_text())["sizes"]
    assert size["size"] == "smoke" and size["rows"] > 1000 and "spark" not in size
    assert _number(size["load"]["load_to_ctas"]) and _number(size["load"]["lean_load_peak_mb"])
    assert set(size["duckdb"]["reports"]) == set(REPORTS)
    assert all(_number(r["warm_s"]) and r["warm_s"] > 0 for r in size["duckdb"]["reports"].values())
    assert _number(size["duckdb"]["peak_mb"])
    assert "load average" in capsys.readouterr().out
    assert bench.main(["--scale", "--sizes", "2m", "--dir", str(tmp_path)]) == 2


def test_a_childs_peak_memory_is_its_own():
    """A child's peak is its own (VmHWM), not the parent's: ru_maxrss carries the parent's peak into it."""
    ballast = bytearray(400 * 2**20)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touched, so resident
    code = bench._PEAK + "import json; big = bytearray(100 * 2**20); big[::4096] = b'1' * len(big[::4096])\n"
    code += "print(json.dumps({'peak_mb': peak_mb()}))"
    peak = bench._run_child(code)["peak_mb"]
    assert 100 < peak < 300, peak  # the child's 100 MB and Python, not the parent's 400 MB
    del ballast


def test_some_reports_only(tmp_path):
    """--reports times and checks the reports named (the promotion reports of issue 13), in one run."""
    out = tmp_path / "r.json"
    args = [
        "--smoke",
        "--dir",
        str(tmp_path),
        "--json",
        str(out),
        "--skip-load",
        "--reports",
        "promo-lift,promo-summary",
    ]
    assert bench.main(args) == 0
    res = json.loads(out.read_text())
    assert [r["report"] for r in res["reports"]] == ["promo-lift", "promo-summary"]
    assert all(r["check"]["status"] == "OK" and r["speedup"] > 0 for r in res["reports"])
    assert {t["target"] for t in res["targets"]} >= {"promo-lift warm s", "promo-summary speed-up vs pandas"}
    assert bench.main(["--smoke", "--dir", str(tmp_path), "--reports", "promo-lfit"]) == 2
