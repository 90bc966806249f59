"""The meeting pack's targets table: the latest year first, the year its chart shows."""

from __future__ import annotations

import datetime as dt

from ka_core import export
from ka_core.db import connect
from ka_core.settings import Filters, Settings
from tests import tiny

YEAR = dt.timedelta(weeks=52)
TARGETS = [
    # year, chain, category, revenue_target, share_target
    (2025, "Alpha", None, 1000, 0.2),
    (2025, "Beta", None, 500, None),
    (2026, "Alpha", None, 2000, 0.2),
]
LATER = [(w + YEAR, "A", "P1", 22, 110) for w in tiny.WEEKS]  # store A (Alpha) a year later


def test_targets_table_lists_the_latest_year_first_as_the_chart_shows(tmp_path):
    con = connect(tmp_path / "tiny.duckdb")
    tiny.fill(con, {**tiny.ROWS, "targets": TARGETS, "sales": tiny.SALES + LATER})
    f = Filters(date_from=tiny.W1, date_to=tiny.W3 + YEAR + dt.timedelta(days=6))
    pack = export.build(con, f, Settings(), "en", with_figures=False)
    assert list(pack.targets["year"]) == [2026, 2025, 2025]
    assert list(pack.targets["chain"]) == ["Alpha", "Alpha", "Beta"]  # the report's order within a year
    _title, table, chart = export.sections(pack)[1]
    assert chart == "targets" and list(table["Year"]) == ["2026", "2025", "2025"]
    # the chart draws the latest year: the table's first rows
    assert export.figures(pack)["targets"].layout.title.text.startswith("2026:")
    con.close()
