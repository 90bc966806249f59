"""The demo warehouse: deterministic, valid by the contract's rules, and telling the method's stories."""

from __future__ import annotations

import pytest

from ka_core import db, reports
from ka_core.demo import create_demo
from ka_core.errors import KaError
from ka_core.schema import TABLES
from ka_core.settings import Filters


def build(path, **kw):
    c = db.connect(path)
    counts = create_demo(c, **kw)
    return c, counts


def checksum(c) -> dict:
    return {t: c.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {t}").fetchall()[0] for t in TABLES}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    c, counts = build(tmp_path_factory.mktemp("demo") / "d.duckdb", stores=60, weeks=40, seed=3)
    yield c, counts
    c.close()


def test_deterministic_and_seeded(tmp_path, demo):
    c1, _ = demo
    c2, _ = build(tmp_path / "again.duckdb", stores=60, weeks=40, seed=3)
    c3, _ = build(tmp_path / "other.duckdb", stores=60, weeks=40, seed=4)
    assert checksum(c1) == checksum(c2)
    assert checksum(c1)["sales"] != checksum(c3)["sales"]
    c2.close()
    c3.close()


def test_counts_and_load_log(demo):
    c, counts = demo
    for t, n in counts.items():
        assert c.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] == n > 0
    log = c.execute("SELECT table_name, rows_inserted, user_name FROM ka_loads ORDER BY load_id").fetchall()
    assert [(t, n) for t, n, _ in log] == list(counts.items())
    assert c.execute("SELECT count(*) FROM sales WHERE load_id IS NULL").fetchall() == [(0,)]


RULES = {
    "duplicate sales keys": "SELECT count(*) FROM (SELECT week, store_id, sku FROM sales GROUP BY ALL HAVING count(*) > 1)",
    "duplicate visit keys": "SELECT count(*) FROM (SELECT visit_date, store_id, category, rep FROM visits GROUP BY ALL HAVING count(*) > 1)",
    "orphan sales": "SELECT count(*) FROM sales WHERE store_id NOT IN (SELECT store_id FROM stores) OR sku NOT IN (SELECT sku FROM products)",
    "orphan visits": "SELECT count(*) FROM visits WHERE store_id NOT IN (SELECT store_id FROM stores) OR category NOT IN (SELECT category FROM products)",
    "week not Monday": "SELECT count(*) FROM sales WHERE isodow(week) <> 1",
    "facings": "SELECT count(*) FROM visits WHERE own_facings > total_facings",
    "negative": "SELECT count(*) FROM sales WHERE units < 0 OR revenue < 0",
    "promotion store outside its chain": "SELECT count(*) FROM promotions p JOIN stores s USING (store_id) WHERE s.chain <> p.chain",
    "promotion dates": "SELECT count(*) FROM promotions WHERE end_date < start_date",
    "promotion without sku or brand": "SELECT count(*) FROM promotions WHERE sku IS NULL AND brand IS NULL",
    "unknown oos sku": "SELECT count(*) FROM (SELECT unnest(string_split(oos_skus, ';')) AS k FROM visits) WHERE k NOT IN (SELECT sku FROM products)",
}


@pytest.mark.parametrize("rule", list(RULES))
def test_contract_rules_hold(demo, rule):
    c, _ = demo
    assert c.execute(RULES[rule]).fetchall() == [(0,)]


def test_every_mechanic_and_both_kinds_of_chain(demo):
    c, _ = demo
    assert {r[0] for r in c.execute("SELECT DISTINCT mechanic FROM promotions").fetchall()} == {
        "DM", "TG", "TPR", "PROMOTER", "BUNDLE"
    }
    # Chains that share category data have competitor rows; the others only own rows.
    shared = c.execute(
        "SELECT s.chain, bool_or(NOT p.is_own) FROM sales JOIN stores s USING (store_id) "
        "JOIN products p USING (sku) GROUP BY 1"
    ).fetchall()
    assert {ch for ch, comp in shared if comp} == {"Walmart", "Carrefour", "RT-Mart"} & {ch for ch, _ in shared}
    assert any(not comp for _, comp in shared)
    assert c.execute("SELECT count(DISTINCT region) FROM market").fetchall()[0][0] >= 1


def test_the_stories_are_there(demo):
    c, _ = demo
    q = reports.run(c, "quadrants")
    assert (q["quadrant"] == "Attack").sum() >= 3
    dairy = reports.run(c, "quadrants", Filters(categories=("Dairy",)))
    assert (dairy["quadrant"] == "No data").sum() >= 1  # a store that never reported Dairy totals
    big_low = q[(q["quadrant"] == "Attack") & (q["fair_share_index"] < 70)]
    assert len(big_low) >= 1  # high potential, well below fair share
    ka = reports.run(c, "ka-list")
    assert (ka["change"] == "over-served").sum() >= 1 and (ka["change"] == "missed").sum() >= 1
    promo = reports.run(c, "promo-summary")
    assert (promo["roi"] < 0).sum() >= 1 and (promo["roi"] > 0).sum() > (promo["roi"] < 0).sum()
    lift = reports.run(c, "promo-lift")
    assert (lift["oos_visits"] > 0).sum() >= 1
    # A neglected Attack store: not visited for the last twenty weeks.
    cov = reports.run(c, "visit-coverage")
    assert ((cov["quadrant"] == "Attack") & (cov["days_since_last_visit"] >= 20 * 7)).sum() >= 1


def test_refuses_a_non_empty_warehouse(demo):
    c, _ = demo
    with pytest.raises(KaError, match="not empty"):
        create_demo(c)
