"""How the SQL is put together: the statement and the parameters a report sends (as Datasette tests them)."""

from __future__ import annotations

import re

import pytest

from ka_core import db, reports
from ka_core.settings import Filters, Settings
from tests import tiny
from tests.test_reports import by

QUERIES = {**{n: r.query for n, r in reports.REPORTS.items()}, **reports.QUERIES}


def cte_names(sql: str) -> list[str]:
    """Top-level CTE names, in order (each starts a line: `name AS (`)."""
    return re.findall(r"^(\w+) AS (?:MATERIALIZED )?\(", sql, re.MULTILINE)


def test_pareto_statement_and_params():
    sql, params = reports.statement("pareto", Filters(chains=("Alpha",)), Settings(a_cut=0.7))
    files = [
        (db.SQL_DIR / f"{n}.sql").read_text(encoding="utf-8").strip() for n in ("period", "access", "scope", "pareto")
    ]
    assert sql == (
        "WITH\n"
        + ",\n\n".join(files)
        + "\n\nSELECT chain, own_revenue, share, cum_share, abc\nFROM pareto\nORDER BY own_revenue DESC, chain"
    )
    assert cte_names(sql) == [
        "period",
        "access_stores",
        "scope_stores",
        "scope_categories",
        "sales_scw",
        "visit_scw",
        "scw",
        "store_category",
        "own_all",
        "chain_own",
        "ranked",
        "pareto",
    ]
    # Only the parameters the statement uses (DuckDB refuses others); lists stay lists.
    assert params == {
        "date_from": None,
        "date_to": None,
        "chains": ["Alpha"],
        "regions": [],
        "categories": [],
        "a_cut": 0.7,
        "b_cut": 0.95,
        "scope_all": True,  # no login: the local user sees every store (ka_core/access.py)
        "scope_chains": [],
        "scope_regions": [],
        "scope_stores": [],
        "scope_managers": [],
    }
    assert "(cardinality($chains) = 0 OR array_contains($chains, chain))" in sql


def test_list_parameters_bind_empty_and_filled(tmp_path):
    c = db.connect(tmp_path / "tiny.duckdb")
    tiny.fill(c)
    everything = reports.run(c, "quadrants")  # empty lists: no filter
    assert set(everything["store_id"]) == {"A", "B", "C", "D", "E"}
    some = reports.run(c, "quadrants", Filters(chains=("Beta",), regions=("North", "South")))
    assert set(some["store_id"]) == {"B", "D"}
    assert reports.run(c, "quadrants", Filters(chains=("Nobody",))).empty
    rows = by(reports.run(c, "fair-share", Filters(categories=("Tablets",))), "store_id", "category")
    assert set(rows) == {("A", "Tablets")}
    c.close()


def test_param_names():
    assert db.param_names("a = $x AND b > $y_1 OR cardinality($x) = 0") == {"x", "y_1"}
    assert db.used_params("SELECT $a", {"a": 1, "b": 2}) == {"a": 1}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_every_query_reads_its_files_in_order(name):
    """Each file names the files it reads (`Reads: …`); a query lists them before it, and nothing twice."""
    q = QUERIES[name]
    assert len(set(q.ctes)) == len(q.ctes)
    names = cte_names(q.sql)
    assert len(set(names)) == len(names), "a CTE defined twice"
    assert q.source in names
    for i, file in enumerate(q.ctes):
        header = " ".join(line.removeprefix("--").strip() for line in db.load_sql(file).split(" AS (")[0].splitlines())
        reads = re.search(r"Reads: ([\w, ]+)\.", header)
        assert reads, f"{file}.sql: say which files it reads"
        needed = [] if reads.group(1) == "nothing" else [r.strip() for r in reads.group(1).split(",")]
        # A file may stand in for another (targets_period.sql defines the `period` scope.sql reads).
        given = [g for f in q.ctes[:i] for g in (f, *re.findall(r"Stands in for (\w+)\.sql", db.load_sql(f)))]
        assert [f for f in given if f in needed] == needed, (file, q.ctes[:i], needed)


def test_every_sql_file_is_plain_ctes_and_used():
    used = {f for q in QUERIES.values() for f in q.ctes}
    for path in db.SQL_DIR.glob("*.sql"):
        text = path.read_text(encoding="utf-8").strip()
        assert path.stem in used, f"{path.name} is read by no query"
        assert cte_names(text), path.name
        # The files are joined with commas: each ends with its last CTE's closing parenthesis.
        assert text.endswith(")"), path.name
        assert "-- include:" not in text and not text.upper().startswith("WITH"), path.name
