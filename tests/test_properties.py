"""Rules that hold for any data: shares in [0, 1], filters only remove rows, loads are idempotent."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ka_core import db, loading, reports
from ka_core.settings import Filters, Settings
from tests import tiny

STORES = [
    ("S1", "One", "Alpha", "North", None, None, None),
    ("S2", "Two", "Beta", "North", None, None, None),
    ("S3", "Three", "Alpha", "South", None, None, None),
    ("S4", "Four", "Beta", "South", None, None, None),
]
PRODUCTS = [
    ("O1", "Ours", "Dairy", True, None, None, 1.0),
    ("C1", "Them", "Dairy", False, None, None, None),
    ("O2", "Ours", "Snacks", True, None, None, 1.0),
    ("C2", "Them", "Snacks", False, None, None, None),
]
WEEKS = [dt.date(2025, 1, 6) + dt.timedelta(weeks=i) for i in range(4)]

# A sales row per (week, store, sku) or none; revenue >= 0.
cells = st.lists(
    st.tuples(
        st.sampled_from(WEEKS),
        st.sampled_from([s[0] for s in STORES]),
        st.sampled_from([p[0] for p in PRODUCTS]),
        st.integers(0, 50),
        st.floats(0, 1000, allow_nan=False),
    ),
    max_size=40,
    unique_by=lambda r: r[:3],
)


def build(rows):
    c = db.connect(":memory:")
    tiny.fill(c, {"stores": STORES, "products": PRODUCTS, "sales": rows})
    return c


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=cells, a_cut=st.sampled_from([0.5, 0.8, 0.9]), level=st.sampled_from(["region", "national"]))
def test_shares_in_unit_interval_and_filters_only_remove_rows(rows, a_cut, level):
    c = build(rows)
    s = Settings(a_cut=a_cut, b_cut=0.95, level=level)
    full = reports.run(c, "fair-share", settings=s)
    for col in ("customer_share", "market_share"):
        v = full[col].dropna()
        assert ((v >= 0) & (v <= 1 + 1e-12)).all()
    assert (full["opportunity"].dropna() >= 0).all()
    # A chain filter removes rows and leaves the others' numbers as they were.
    alpha = reports.run(c, "fair-share", Filters(chains=("Alpha",)), s)
    merged = alpha.merge(full, on=["store_id", "category"], suffixes=("", "_all"))
    assert len(merged) == len(alpha) and set(alpha["chain"]) <= {"Alpha"}
    for col in ("customer_share", "market_share", "fair_share_index", "opportunity"):
        a, b = merged[col], merged[f"{col}_all"]
        assert ((a - b).abs().fillna(0) < 1e-9).all() and (a.isna() == b.isna()).all()
    # A category filter only removes rows too.
    dairy = reports.run(c, "fair-share", Filters(categories=("Dairy",)), s)
    assert set(dairy["category"]) <= {"Dairy"} and len(dairy) <= len(full)
    # Every store in scope has exactly one quadrant.
    q = reports.run(c, "quadrants", settings=s)
    assert sorted(q["store_id"]) == ["S1", "S2", "S3", "S4"]
    assert set(q["quadrant"]) <= {"Attack", "Defend", "Maintain", "Monitor", "No data"}
    c.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=cells.filter(bool))
def test_reload_changes_nothing(tmp_path_factory, rows):
    c = build([])
    path = tmp_path_factory.mktemp("reload") / "sales.csv"
    path.write_text("week,store_id,sku,units,revenue\n" + "".join(f"{w},{s},{k},{u},{r!r}\n" for w, s, k, u, r in rows))
    loading.load_files(c, "sales", [path])
    names = ("fair-share", "ka-list", "pareto")
    first = [reports.run(c, n) for n in names]
    second = loading.load_files(c, "sales", [path])
    assert second.loads[0]["rows_replaced"] == len(rows)
    # Rows moved, so sums may differ in the last bits of a double: compare to 1e-9.
    for before, after in zip(first, [reports.run(c, n) for n in names], strict=True):
        pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-9)
    loading.undo(c, second.loads[0]["load_id"])
    for before, after in zip(first, [reports.run(c, n) for n in names], strict=True):
        pd.testing.assert_frame_equal(before, after, check_exact=False, rtol=1e-9)
    c.close()


def weekly_is_current(c) -> bool:
    """ka_sales_weekly equals a fresh aggregate of sales x products."""
    from ka_core.db import WEEKLY_SELECT

    fresh = c.execute(f"SELECT * FROM ({WEEKLY_SELECT} GROUP BY ALL) ORDER BY ALL").fetchall()
    kept = c.execute("SELECT * FROM ka_sales_weekly ORDER BY ALL").fetchall()
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in fresh] == [
        tuple(round(v, 6) if isinstance(v, float) else v for v in r) for r in kept
    ]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=cells.filter(bool), second=cells.filter(bool))
def test_weekly_table_stays_current_through_loads_and_undo(tmp_path_factory, first, second):
    c = build([])
    folder = tmp_path_factory.mktemp("weekly")
    ids = []
    for i, rows in enumerate((first, second)):
        path = folder / f"s{i}.csv"
        path.write_text(
            "week,store_id,sku,units,revenue\n" + "".join(f"{w},{s},{k},{u},{r!r}\n" for w, s, k, u, r in rows)
        )
        ids.append(loading.load_files(c, "sales", [path]).loads[0]["load_id"])
        assert weekly_is_current(c)
    loading.undo(c, ids[1])
    assert weekly_is_current(c)
    # A product moving to another category moves its revenue in the weekly table too.
    p = folder / "products.csv"
    p.write_text("sku,brand,category,is_own\nO1,Ours,Snacks,Y\n")
    loading.load_files(c, "products", [p])
    assert weekly_is_current(c)
    c.close()
