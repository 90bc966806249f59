"""The reports on Apache Spark, over a lake (ka_core/lake.py): the same SQL, the same rows.

The statement is the one DuckDB runs (ka_core.reports.statement), translated
from DuckDB's dialect to Spark's by sqlglot; the SQL of ka_core/sql keeps to
the subset both engines read the same way (ka_core/sql/README.md), which
the Spark tests check with Spark's own parser and analyzer. Parameters are
bound by Spark (`spark.sql(sql, args=…)`), never spliced into the text, and the
rows come back through Arrow.

PySpark is optional (requirements-spark.txt): nothing imports this module
unless `--engine spark` is asked for.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pyarrow as pa

from . import lake
from .errors import KaError
from .reports import QUERIES, REPORTS, statement
from .settings import Filters, Settings

DEFAULT_MASTER = "local[*]"


@functools.cache
def translate(sql: str) -> str:
    """DuckDB SQL (with `$name` parameters) as Spark SQL (with `:name` parameters)."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    # `AS MATERIALIZED` is a DuckDB planning hint with no Spark equivalent (Spark
    # plans each CTE itself): the rows are the same without it.
    for cte in tree.find_all(exp.CTE):
        cte.set("materialized", None)
    return tree.sql(dialect="spark")


def _require_pyspark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise KaError(
            "--engine spark needs PySpark and Java 17: `pip install -r requirements-spark.txt` "
            "and `apt-get install openjdk-17-jre-headless`."
        ) from None


def session(master: str | None = None):
    """A Spark session: Spark Connect at `master` (sc://…) or $SPARK_REMOTE, else a local one (`local[*]`)."""
    _require_pyspark()
    from pyspark.sql import SparkSession

    remote = master if master and master.startswith("sc://") else os.environ.get("SPARK_REMOTE")
    if remote and not (master and not master.startswith("sc://")):
        return SparkSession.builder.remote(remote).getOrCreate()
    # A local driver listens on loopback only, with no web UI.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master(master or DEFAULT_MASTER)
        .appName("ka-analytics")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", os.environ.get("KA_SPARK_SHUFFLE_PARTITIONS", "8"))
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # no Java, a port refused…
        raise KaError(f"Cannot start Spark ({master or DEFAULT_MASTER}): {str(exc).splitlines()[0]}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def register_lake(spark, lake_dir: str | os.PathLike) -> dict[str, Any]:
    """Every table of the lake as a temporary view of its name; the lake's manifest."""
    root = Path(lake_dir).absolute()
    manifest = lake.read_manifest(root)
    for name, table in manifest["tables"].items():
        paths = [str(root / f["path"]) for f in table["files"]]
        # Files, not folders: Spark adds no `month` column from the partition paths.
        spark.read.parquet(*paths).createOrReplaceTempView(name)
    return manifest


def _arg(value: Any):
    """A parameter as a Spark literal: a list as array(…), a missing date as NULL (the SQL casts it)."""
    from pyspark.sql import functions as F

    if isinstance(value, (list, tuple)):
        # Spark accepts only literals and constructors such as array() as arguments (no CAST).
        return F.array(*[F.lit(v) for v in value])
    return F.lit(value)


def run_sql(spark, sql: str, params: dict[str, Any]) -> pa.Table:
    """One DuckDB statement on Spark: translated, parameters bound by Spark, Arrow out."""
    args = {k: _arg(v) for k, v in params.items()}
    df = spark.sql(translate(sql), args=args)
    return df.toArrow()


def run_arrow(
    spark, name: str, filters: Filters | None = None, settings: Settings | None = None, **extra: Any
) -> pa.Table:
    """A report (or one of QUERIES) on Spark, with exactly its declared columns, in order."""
    if name not in REPORTS and name not in QUERIES:
        raise KaError(f"Unknown report {name!r}; expected one of: {', '.join(REPORTS)}")
    sql, params = statement(name, filters, settings, **extra)
    table = run_sql(spark, sql, params)
    columns = REPORTS[name].columns if name in REPORTS else QUERIES[name].columns
    assert tuple(table.column_names) == columns, (name, table.column_names)
    return table


def run(spark, name: str, filters: Filters | None = None, settings: Settings | None = None):
    """A report on Spark as a DataFrame (numbers as floats, missing values as NaN/None)."""
    return run_arrow(spark, name, filters, settings).to_pandas()
