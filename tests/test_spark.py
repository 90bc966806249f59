"""The reports on Spark (ka_core/engine_spark.py) give DuckDB's rows, for every report, filter and setting.

Marked `spark`: they need Java 17 and PySpark, which the test setup installs
(`make test`, or ensure_spark below: apt-get openjdk-17-jre-headless, pip
requirements-spark.txt). Skipped, with the reason, only where Java cannot be
installed. Reports are taken from ka_core.reports.REPORTS, so a new report is
compared without touching this file.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from ka_core import db, lake, reports
from ka_core.access import Scope
from ka_core.demo import create_demo
from ka_core.settings import Filters, Settings
from tests import tiny
from tests.test_cli import cli
from tests.test_meeting import LATER, TARGETS

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[1]
JAVA_PACKAGE = "openjdk-17-jre-headless"


def _java_works() -> bool:
    java = shutil.which("java")
    return bool(java) and subprocess.run([java, "-version"], capture_output=True).returncode == 0


def ensure_spark() -> str | None:
    """Install Java 17 (apt) and PySpark (requirements-spark.txt) when missing; the reason Spark cannot run, or None."""
    if not _java_works():
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            return f"Java is missing and cannot be installed here (apt-get {JAVA_PACKAGE} needs root and apt)."
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        r = subprocess.run(["apt-get", "install", "-y", "-qq", JAVA_PACKAGE], capture_output=True, text=True, env=env)
        if r.returncode != 0 or not _java_works():
            return f"Java could not be installed (apt-get install {JAVA_PACKAGE}): {r.stderr.strip()[-300:]}"
    try:
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements-spark.txt")], check=True
        )
    return None


@pytest.fixture(scope="module")
def spark():
    reason = ensure_spark()
    if reason:
        pytest.skip(reason)
    from ka_core import engine_spark

    s = engine_spark.session(os.environ.get("KA_SPARK_MASTER", "local[2]"))
    yield s
    s.stop()


def _warehouse_and_lake(path: Path, fill) -> tuple[Path, Path]:
    con = db.connect(path)
    fill(con)
    lake.write(con, path.parent / "lake")
    con.close()
    return path, path.parent / "lake"


def _messy(con) -> None:
    """The generated demo, made messier: a market with no revenue (division by zero), stores without a
    manager or any sales, unknown compliance, tied own revenue (ranking ties)."""
    create_demo(con, stores=24, weeks=20, seed=11)
    con.execute(
        "UPDATE market SET market_revenue = 0, own_revenue = 0 "
        "WHERE (region, category) = (SELECT (region, category) FROM market ORDER BY ALL LIMIT 1)"
    ).fetchall()
    con.execute("UPDATE stores SET ka_manager = NULL WHERE store_id IN (SELECT store_id FROM stores LIMIT 3)")
    con.execute("UPDATE visits SET price_compliant = NULL, oos_skus = '' WHERE hash(rep, visit_date) % 5 = 0")
    tiny.insert(con, "stores", [("ZZ-EMPTY", "No sales", "Walmart", "East", None, None, None)])
    # Two stores with exactly the same sales: the same own revenue, ranked by store_id in both engines.
    first, second = (r[0] for r in con.execute("SELECT store_id FROM stores ORDER BY store_id LIMIT 2").fetchall())
    con.execute("DELETE FROM sales WHERE store_id = ?", [second]).fetchall()
    con.execute(
        "INSERT INTO sales SELECT week, ?, sku, units, revenue, load_id FROM sales WHERE store_id = ?", [second, first]
    ).fetchall()
    db.rebuild_weekly(con)


def _tiny_with_targets(con) -> None:
    """The hand fixture with test_meeting's targets (a blank category, a year outside the period) and its
    sales a year later, plus a target for that second year: the targets report then covers two years."""
    later_target = (2026, "Beta", "Phones", 300, 0.5)
    tiny.fill(con, {**tiny.ROWS, "targets": [*TARGETS, later_target], "sales": tiny.SALES + LATER})


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    return _warehouse_and_lake(tmp_path_factory.mktemp("tiny") / "w.duckdb", _tiny_with_targets)


@pytest.fixture(scope="module")
def messy_data(tmp_path_factory):
    return _warehouse_and_lake(tmp_path_factory.mktemp("messy") / "w.duckdb", _messy)


def assert_same_rows(name: str, spark_df: pd.DataFrame, duck_df: pd.DataFrame) -> None:
    """Same columns and rows, in any order: labels exactly, numbers within 1e-9 relative or 1e-12 of the column's max."""
    assert list(spark_df.columns) == list(duck_df.columns), name
    assert len(spark_df) == len(duck_df), (name, len(spark_df), len(duck_df))
    floats = [c for c in duck_df.columns if pd.api.types.is_float_dtype(duck_df[c])]
    labels = [c for c in duck_df.columns if c not in floats]

    def ordered(df):
        key = df[labels].astype(str) if labels else df[floats].round(6).astype(str)
        return df.loc[key.sort_values(list(key.columns)).index].reset_index(drop=True)

    a, b = ordered(spark_df), ordered(duck_df)
    for c in labels:
        left = [None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v for v in a[c]]
        right = [None if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA else v for v in b[c]]
        assert left == right, (name, c)
    for c in floats:
        assert str(a[c].dtype) == "float64", (name, c, a[c].dtype)  # not a rounded DECIMAL
        scale = max((abs(v) for v in b[c] if not math.isnan(v)), default=0.0)
        for i, (x, y) in enumerate(zip(a[c], b[c], strict=True)):
            if math.isnan(y):
                assert math.isnan(x), (name, c, i, x, y)
            else:
                assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12 * scale), (name, c, i, x, y)


def _cases(con) -> list[tuple[str, Filters, Settings]]:
    """Default, and a narrowed scope with every setting moved off its default; the last as a user (`--as`)
    who sees one region, a store of another and a KA manager's stores."""
    first, last = con.execute("SELECT min(week), max(week) FROM sales").fetchall()[0]
    chains = [r[0] for r in con.execute("SELECT DISTINCT chain FROM stores ORDER BY 1 LIMIT 2").fetchall()]
    regions = [r[0] for r in con.execute("SELECT DISTINCT region FROM stores ORDER BY 1 LIMIT 2").fetchall()]
    category = con.execute("SELECT min(category) FROM products").fetchall()[0][0]
    middle = first + dt.timedelta(days=7 * ((last - first).days // 14))
    other_store, manager = con.execute(
        "SELECT max(store_id), min(ka_manager) FROM stores WHERE region <> ?", [regions[0]]
    ).fetchall()[0]
    user_scope = Scope(False, (), (regions[0],), (other_store,), (manager,) if manager else ())
    return [
        ("defaults", Filters(), Settings()),
        (
            "narrowed",
            Filters(
                date_from=middle + dt.timedelta(days=2), date_to=last, chains=tuple(chains), categories=(category,)
            ),
            Settings(a_cut=0.5, b_cut=0.9, fsi_threshold=95, level="national", baseline_weeks=2, post_weeks=1),
        ),
        (
            "regions",
            Filters(date_to=middle, regions=tuple(regions), scope=user_scope),
            Settings(a_cut=0.7, b_cut=0.95, fsi_threshold=100, level="region", baseline_weeks=6, post_weeks=3),
        ),
    ]


def _query(name):
    return reports.REPORTS[name].query if name in reports.REPORTS else reports.QUERIES[name]


# Each case runs every report on both engines; four cases keep the test within minutes: each
# report is one Spark statement a CTE, the promotion reports about 60 with 27 materialising jobs
# (this file took 17.6 minutes on the shared 2-core machine under a load average of 9-16).
@pytest.mark.parametrize(
    ("dataset", "case"),
    [("tiny_data", "defaults"), ("tiny_data", "narrowed"), ("messy_data", "defaults"), ("messy_data", "regions")],
)
def test_every_report_gives_duckdbs_rows(spark, dataset, case, request):
    from ka_core import engine_spark

    path, lake_dir = request.getfixturevalue(dataset)
    engine_spark.register_lake(spark, lake_dir)
    con = db.connect(path, read_only=True)
    try:
        _, filters, settings = next(c for c in _cases(con) if c[0] == case)
        for name in reports.REPORTS:
            duck = reports.run(con, name, filters, settings)
            on_spark = engine_spark.run(spark, name, filters, settings)
            assert_same_rows(f"{dataset} {case} {name}", on_spark, duck)
            if case == "defaults" and dataset == "messy_data":
                assert len(duck), f"{name}: the generated set gives rows"  # the comparison compares something
    finally:
        con.close()


def test_spark_parses_and_analyzes_every_statement(spark, tiny_data):
    """Spark's parser and analyzer over every report and dashboard query: sqlglot alone misses dialect errors."""
    from ka_core import engine_spark

    engine_spark.register_lake(spark, tiny_data[1])
    for name in (*reports.REPORTS, *reports.QUERIES):
        sql, params = reports.statement(name, store_id="A", promo_id="PR1")
        # Step by step, as the engine runs it: each CTE's statement goes through the analyzer.
        with engine_spark.prepared(spark, sql, params) as df:
            declared = reports.REPORTS[name].columns if name in reports.REPORTS else reports.QUERIES[name].columns
            assert tuple(df.columns) == declared, name
            # No DECIMAL column: Spark would round it where DuckDB gives a double.
            assert not [f.name for f in df.schema.fields if f.dataType.typeName() == "decimal"], name
        assert not [v for v in spark.catalog.listTables() if v.name.startswith(engine_spark.VIEW_PREFIX)], name


def test_translation_drops_materialized_and_binds_named_parameters():
    ensure_spark()
    pytest.importorskip("sqlglot", reason="requirements-spark.txt is not installed")
    from ka_core import engine_spark

    sql = "WITH x AS MATERIALIZED (SELECT $a_cut AS a) SELECT date_diff('day', DATE '2025-01-01', DATE '2025-01-08') AS d, a FROM x"
    out = engine_spark.translate(sql)
    assert "MATERIALIZED" not in out.upper() and ":a_cut" in out and "$" not in out


def test_steps_one_statement_a_cte_the_ones_read_twice_materialised():
    """The WITH list as temporary views: prefixed names, the alias kept, each step's own parameters."""
    ensure_spark()
    pytest.importorskip("sqlglot", reason="requirements-spark.txt is not installed")
    from ka_core import engine_spark

    sql = (
        "WITH a AS (SELECT store_id, $x AS v FROM stores), "
        "b AS (SELECT a.store_id FROM a WHERE a.v > $y), "
        "c AS (SELECT store_id FROM a WHERE store_id IN (SELECT store_id FROM b)) "
        "SELECT store_id FROM c ORDER BY store_id"
    )
    steps = engine_spark.steps(sql)
    assert [s.view for s in steps] == ["ka_cte_a", "ka_cte_b", "ka_cte_c", None]
    # a is read by b and by c: computed once; b and c once each: left to Spark to inline.
    assert [s.materialise for s in steps] == [True, False, False, False]
    assert [s.params for s in steps] == [("x",), ("y",), (), ()]
    assert steps[0].sql == "SELECT store_id, :x AS v FROM stores"  # a table of the lake keeps its name
    assert steps[1].sql == "SELECT a.store_id FROM ka_cte_a AS a WHERE a.v > :y"
    assert steps[3].sql == "SELECT store_id FROM ka_cte_c AS c ORDER BY store_id NULLS LAST"


def test_cli_report_on_spark_from_a_copied_lake(spark, tiny_data, tmp_path):
    path, lake_dir = tiny_data
    copy = tmp_path / "moved-lake"
    shutil.copytree(lake_dir, copy)
    r = cli("report", "pareto", "--format", "csv", "--engine", "spark", "--lake", copy, "--spark-master", "local[1]")
    assert r.returncode == 0, r.stderr
    on_spark = pd.read_csv(io.StringIO(r.stdout))
    duck = cli("report", "pareto", "--format", "csv", "--db", path)
    assert duck.returncode == 0, duck.stderr
    assert len(on_spark) > 1
    assert_same_rows("cli pareto", on_spark, pd.read_csv(io.StringIO(duck.stdout)))
