"""visit-effect (domain.md, "Did visits move sales") against values worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from ka_core import reports
from ka_core.db import connect
from tests import tiny

W0 = dt.date(2025, 1, 6)


def week(i: int) -> dt.date:
    return W0 + dt.timedelta(weeks=i)


def visit(store: str, i: int) -> tuple:
    return (week(i) + dt.timedelta(days=2), store, "R", "Food", None, None, None, None, None, None, None, None, None)


def warehouse(tmp_path, controls=("C1", "C2", "C3", "C4")):
    """16 weeks. V: 50 a week, 60 from its visit in week 8 on. C1-C3: 100 a week, 110 from week 8.
    C4 sells 1000 and has a visit in week 12 (inside 0..14: never a control; too late to be an event)."""
    stores = [(s, s, "Alpha", "North", None, None, None) for s in ("V", *controls)]
    own = {"V": (50, 60), "C1": (100, 110), "C2": (100, 110), "C3": (100, 110), "C4": (1000, 1000)}
    sales = [(week(i), s, "P", 1.0, float(own[s][i >= 8])) for s in ("V", *controls) for i in range(16)]
    visits = [visit("V", 8)] + ([visit("C4", 12)] if "C4" in controls else [])
    c = connect(tmp_path / "visits.duckdb")
    tiny.fill(
        c,
        {
            "stores": stores,
            "products": [("P", "Ours", "Food", True, None, None, None)],
            "sales": sales,
            "visits": visits,
        },
    )
    return c


def test_visit_effect_against_controls(tmp_path):
    c = warehouse(tmp_path)
    df = reports.run(c, "visit-effect").set_index("rel_week")
    c.close()
    assert list(df.index) == list(range(-6, 7))
    assert (df["events"] == 1).all()
    # Before: expected = 50 x 300 / 300 = 50, own 50 -> 0. From the visit week: 50 x 330 / 300 = 55, own 60.
    for t in range(-6, 0):
        assert df.loc[t, "effect_pct"] == pytest.approx(0.0, abs=1e-9)
    for t in range(0, 7):
        assert df.loc[t, "effect_pct"] == pytest.approx((60 / 55 - 1) * 100)
    # One event: every resample is that event.
    assert df.loc[3, "low"] == pytest.approx(df.loc[3, "effect_pct"])
    assert df.loc[3, "high"] == pytest.approx(df.loc[3, "effect_pct"])


def test_visit_effect_needs_three_controls(tmp_path):
    c = warehouse(tmp_path, controls=("C1", "C2", "C4"))
    df = reports.run(c, "visit-effect")
    c.close()
    assert len(df) == 13 and (df["events"] == 0).all()
    assert df["effect_pct"].isna().all() and df["low"].isna().all() and df["high"].isna().all()


def test_visit_effect_equals_the_pandas_reference_on_random_visits(tmp_path):
    """Many events and the seeded bootstrap: the SQL and ka_core/pandas_reference.py agree."""
    import numpy as np

    from ka_core import bench, pandas_reference

    rng = np.random.default_rng(5)
    stores = [(f"S{i:02d}", "x", f"Chain{i % 2}", "North", None, None, None) for i in range(24)]
    sales = [
        (week(w), s[0], "P", 1.0, float(round(rng.uniform(50, 150), 1)))
        for s in stores
        for w in range(40)
        if rng.random() < 0.95
    ]
    visits = [visit(s[0], w) for s in stores for w in range(40) if rng.random() < 0.06]
    c = connect(tmp_path / "random.duckdb")
    tiny.fill(
        c,
        {
            "stores": stores,
            "products": [("P", "Ours", "Food", True, None, None, None)],
            "sales": sales,
            "visits": visits,
        },
    )
    sql = reports.run(c, "visit-effect")
    ref = pandas_reference.compute(c, "visit-effect")
    c.close()
    assert sql["events"].iloc[0] >= 10
    assert bench.compare("visit-effect", sql, ref)["status"] == "OK"
    assert (sql["low"] <= sql["high"]).all()


def test_bootstrap_draws_are_as_random_as_draws_with_replacement():
    """m draws with replacement from m events hold 1 - (1 - 1/m)^m of them (63.4% at m = 114);
    the SQL's generator (written again in the pandas reference, which the report equals)
    gave 80%, a stratified sample, and so a band half as wide as the noise."""
    from ka_core.pandas_reference import _minstd_draw

    m = 114
    distinct = [len({_minstd_draw(b, j, m) for j in range(1, m + 1)}) / m for b in range(200)]
    expected = 1 - (1 - 1 / m) ** m
    # Per resample the fraction's sd is about 0.03; over 200 resamples the mean's is 0.002.
    assert abs(sum(distinct) / len(distinct) - expected) < 0.01
    assert all(1 <= _minstd_draw(b, j, m) <= m for b in range(5) for j in range(1, m + 1))
