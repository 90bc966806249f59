"""The reports on Apache Spark, over a lake (ka_core/lake.py): the same SQL, the same rows.

The statement is the one DuckDB runs (ka_core.reports.statement), translated
from DuckDB's dialect to Spark's by sqlglot; the SQL of ka_core/sql keeps to
the subset both engines read the same way (ka_core/sql/README.md), which
the Spark tests check with Spark's own parser and analyzer. Parameters are
bound by Spark (`spark.sql(sql, args=…)`), never spliced into the text, and the
rows come back through Arrow.

Spark does not run the statement whole: it inlines a CTE wherever it is read,
so a CTE read by two others, each read by two more, is planned 2, 4, 8… times
(the promotion reports, 60 CTEs, ran the analyzer out of a 4 GB heap; the
store reports spent most of their time planning). `steps` cuts the WITH list
(parsed by sqlglot) into one statement per CTE, each a temporary view; a CTE
read more than once is materialised (`localCheckpoint`), so what reads it
reads rows, not a plan. DuckDB still runs the one statement.

PySpark is optional (requirements-spark.txt): nothing imports this module
unless `--engine spark` is asked for.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from . import lake
from .errors import KaError
from .reports import QUERIES, REPORTS, statement
from .settings import Filters, Settings

DEFAULT_MASTER = "local[*]"
# The temporary views of a statement's CTEs: a prefix no table of the lake has, so a CTE
# named like a table (or like a view another report left) never hides it.
VIEW_PREFIX = "ka_cte_"


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


@dataclass(frozen=True)
class Step:
    """One statement of a report on Spark: a CTE as a temporary view, or the final SELECT (view None)."""

    view: str | None
    sql: str  # Spark SQL, CTEs read as the views of the steps before
    params: tuple[str, ...]  # the parameters it binds
    materialise: bool  # read by two or more later steps: computed once (localCheckpoint)


@functools.cache
def steps(sql: str) -> tuple[Step, ...]:
    """A DuckDB statement `WITH a AS (…), b AS (…) SELECT …` as Spark statements, one a CTE, then the SELECT."""
    import sqlglot
    from sqlglot import exp

    tree = sqlglot.parse_one(sql, read="duckdb")
    with_ = tree.args.get("with_")
    ctes = list(with_.expressions) if with_ else []
    tree.set("with_", None)
    names = [c.alias_or_name for c in ctes]
    bodies = [c.this for c in ctes] + [tree]
    # A WITH inside a CTE could hide a name, a column list rename columns: ka_core/sql has neither.
    assert not any(next(body.find_all(exp.With), None) for body in bodies), "a WITH inside a CTE"
    assert not any(c.args["alias"].columns for c in ctes), "a CTE with a column list"
    reads: Counter[str] = Counter()
    for i, body in enumerate(bodies):
        known = set(names[:i])
        for table in body.find_all(exp.Table):
            if table.db or table.name not in known:
                continue  # a table of the lake
            reads[table.name] += 1
            if not table.args.get("alias"):  # `FROM promos … promos.x` keeps reading `promos.x`
                table.set("alias", exp.TableAlias(this=exp.to_identifier(table.name)))
            table.set("this", exp.to_identifier(VIEW_PREFIX + table.name))
    out = []
    for i, body in enumerate(bodies):
        params = tuple(sorted({p.name for p in body.find_all(exp.Placeholder)}))
        view = VIEW_PREFIX + names[i] if i < len(names) else None
        out.append(Step(view, body.sql(dialect="spark"), params, view is not None and reads[names[i]] >= 2))
    return tuple(out)


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


@contextlib.contextmanager
def prepared(spark, sql: str, params: dict[str, Any], *, whole: bool = False) -> Iterator[Any]:
    """The statement's result as a Spark DataFrame, for the time of the block.

    Its CTEs are temporary views meanwhile (`steps`), those read twice or more
    materialised; they are dropped after the block. `whole=True` runs the one
    translated statement instead (what Spark did before: the benchmark's comparison).
    """
    if whole:
        yield spark.sql(translate(sql), args={k: _arg(v) for k, v in params.items()})
        return
    views: list[str] = []
    try:
        for step in steps(sql):
            df = spark.sql(step.sql, args={k: _arg(params[k]) for k in step.params})
            if step.view is None:
                yield df
                return
            if step.materialise:
                df = df.localCheckpoint(eager=True)
            df.createOrReplaceTempView(step.view)
            views.append(step.view)
    finally:
        for view in views:
            spark.catalog.dropTempView(view)


def run_sql(spark, sql: str, params: dict[str, Any], *, whole: bool = False) -> pa.Table:
    """One DuckDB statement on Spark: translated, parameters bound by Spark, Arrow out."""
    with prepared(spark, sql, params, whole=whole) as df:
        return df.toArrow()


def run_arrow(
    spark,
    name: str,
    filters: Filters | None = None,
    settings: Settings | None = None,
    *,
    whole: bool = False,
    **extra: Any,
) -> pa.Table:
    """A report (or one of QUERIES) on Spark, with exactly its declared columns, in order."""
    if name not in REPORTS and name not in QUERIES:
        raise KaError(f"Unknown report {name!r}; expected one of: {', '.join(REPORTS)}")
    sql, params = statement(name, filters, settings, **extra)
    table = run_sql(spark, sql, params, whole=whole)
    columns = REPORTS[name].columns if name in REPORTS else QUERIES[name].columns
    assert tuple(table.column_names) == columns, (name, table.column_names)
    return table


def run(spark, name: str, filters: Filters | None = None, settings: Settings | None = None, *, whole: bool = False):
    """A report on Spark as a DataFrame (numbers as floats, missing values as NaN/None)."""
    return run_arrow(spark, name, filters, settings, whole=whole).to_pandas()
