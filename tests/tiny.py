"""A tiny warehouse whose every report value is worked out by hand in test_reports.py.

Phones, weeks w1-w3 (2025-01-06, -13, -20), as domain.md's worked example, plus:
- store C (South) shares data through an aggregate OTHER-Phones row; South has market rows;
- store E (East) is big with a tiny own share; East has market rows;
- store D (South, Beta) has no data at all;
- store A also sells Tablets;
- promotions PR1 (the worked example), PR0 (overlapping, earlier), PR2 (brand, blank store).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from ka_core.db import rebuild_weekly
from ka_core.schema import TABLES

W1, W2, W3 = dt.date(2025, 1, 6), dt.date(2025, 1, 13), dt.date(2025, 1, 20)
WEEKS = (W1, W2, W3)

STORES = [
    # store_id, store_name, chain, region, city, format, ka_manager
    ("A", "Store A", "Alpha", "North", "Beijing", "Hypermarket", "Li"),
    ("B", "Store B", "Beta", "North", "Tianjin", "Supermarket", "Wang"),
    ("C", "Store C", "Alpha", "South", "Guangzhou", "Hypermarket", "Li"),
    ("D", "Store D", "Beta", "South", "Shenzhen", "Supermarket", "Wang"),
    ("E", "Store E", "Alpha", "East", "Shanghai", "Hypermarket", "Zhao"),
]

PRODUCTS = [
    # sku, brand, category, is_own, sku_name, manufacturer, unit_cost
    ("P1", "Ours", "Phones", True, "Our phone", "Us", 2.0),
    ("X1", "Rival", "Phones", False, "Rival phone", "Them", None),
    ("OTHER-Phones", "Other", "Phones", False, "All other phones", None, None),
    ("T1", "Ours", "Tablets", True, "Our tablet", "Us", None),
    ("TX", "Rival", "Tablets", False, "Rival tablet", "Them", None),
]


def _weekly(store, sku, units, revenue):
    return [(w, store, sku, units, revenue) for w in WEEKS]


SALES = (
    _weekly("A", "P1", 20, 100)
    + _weekly("A", "X1", 60, 300)
    + _weekly("A", "T1", 4, 20)
    + _weekly("A", "TX", 16, 80)
    + _weekly("B", "P1", 10, 50)
    + _weekly("C", "P1", 12, 60)
    + _weekly("C", "OTHER-Phones", 28, 140)
    + _weekly("E", "P1", 2, 10)
    + _weekly("E", "X1", 118, 590)
    + [
        # Store A, P1 after w3: the promotion's timeline (price 5, 4 in promo weeks).
        (dt.date(2025, 1, 27), "A", "P1", 100, 500),
        (dt.date(2025, 2, 3), "A", "P1", 10, 50),
        # 2025-02-10: no sales row
        (dt.date(2025, 2, 17), "A", "P1", 20, 100),  # under PR0
        (dt.date(2025, 2, 24), "A", "P1", 14, 70),
        (dt.date(2025, 3, 3), "A", "P1", 30, 120),  # PR1
        (dt.date(2025, 3, 10), "A", "P1", 24, 96),  # PR1
        (dt.date(2025, 3, 17), "A", "P1", 9, 45),
        (dt.date(2025, 3, 24), "A", "P1", 11, 55),
    ]
)

MARKET = [(w, "South", "Phones", 1000, 200) for w in WEEKS] + [(w, "East", "Phones", 3000, 300) for w in WEEKS]

PROMOTIONS = [
    # promo_id, chain, mechanic, start, end, store_id, sku, brand, promo_price, cost, target
    ("PR1", "Alpha", "DM", dt.date(2025, 3, 4), dt.date(2025, 3, 12), "A", "P1", None, 4.0, 30.0, 50.0),
    ("PR0", "Alpha", "TPR", dt.date(2025, 2, 17), dt.date(2025, 2, 21), "A", "P1", None, None, 0.0, None),
    ("PR2", "Beta", "TG", dt.date(2025, 1, 13), dt.date(2025, 1, 19), None, None, "Ours", None, 100.0, 100.0),
]

VISITS = [
    # visit_date, store_id, rep, category, store_category_sales, own_facings, total_facings,
    # display_ok, promo_executed, price_compliant, oos_skus, competitor_activity, notes
    (dt.date(2025, 1, 8), "B", "R1", "Phones", 250, 2, 10, True, False, True, None, None, None),
    (dt.date(2025, 1, 21), "B", "R1", "Phones", 300, 3, 10, None, None, False, "P1", None, None),
    (dt.date(2025, 1, 24), "B", "R2", "Phones", 200, None, 12, None, None, None, None, None, None),
    (dt.date(2025, 1, 24), "B", "R2", "Tablets", None, 1, 4, None, None, True, None, None, None),
    (dt.date(2025, 3, 5), "A", "R3", "Phones", None, None, None, None, None, None, "P1;X1", None, None),
    (dt.date(2025, 3, 11), "A", "R3", "Phones", None, None, None, None, None, None, "X1", None, None),
    (dt.date(2025, 3, 14), "A", "R3", "Phones", None, None, None, None, None, None, "P1", None, None),
]

ROWS = {
    "stores": STORES,
    "products": PRODUCTS,
    "sales": SALES,
    "market": MARKET,
    "promotions": PROMOTIONS,
    "visits": VISITS,
}


def insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Insert rows given in the contract's column order (load_id left NULL)."""
    cols = TABLES[table].column_names
    marks = ", ".join("?" for _ in cols)
    con.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", rows)


def fill(con: duckdb.DuckDBPyConnection, rows: dict[str, list[tuple]] | None = None) -> None:
    """Insert the rows by hand (as an analyst might), then rebuild the derived weekly table as init does."""
    for table, table_rows in (rows or ROWS).items():
        if table_rows:
            insert(con, table, table_rows)
    rebuild_weekly(con)


def warehouse(path: Path) -> Path:
    """A warehouse file at `path` holding the tiny rows, closed again (for a server or a process)."""
    from ka_core import db

    con = db.connect(path)
    try:
        fill(con)
    finally:
        con.close()
    return path
