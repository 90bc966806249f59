"""The load test measures what it says (dashboard/loadtest.py), in real browsers on a live server:
two sessions open the dashboard together and click through every page, with a command-line load
alongside. Its figures are not asserted against targets here (timings are for the benchmark,
not for tests); what is asserted is that every figure is measured and consistent."""

from __future__ import annotations

import json
import math

import pytest

from dashboard import loadtest
from tests.browser import ensure_chromium

pytestmark = pytest.mark.browser


def test_two_sessions_and_a_load_are_measured(tmp_path):
    ensure_chromium()
    out = tmp_path / "loadtest.json"
    code = loadtest.main(["--sessions", "2", "--db", str(tmp_path / "demo.duckdb"), "--json", str(out)])
    got = json.loads(out.read_text())
    assert code == 0 and got["cli_load_exit"] == 0 and "rows written" in got["cli_load_output"]
    for key in ("first_page_p95_s", "later_page_p95_s", "first_served_p95_s", "later_served_p95_s"):
        assert math.isfinite(got[key]) and got[key] > 0, key
    # The server has said a page is done before the tab has drawn it and been calm for a while.
    assert got["first_served_p50_s"] <= got["first_page_p50_s"]
    assert got["later_served_p50_s"] <= got["later_page_p50_s"]
    # The CPU clock: the first-page phase is part of the run, and its floor is the browsers'
    # CPU in it over the cores (two tabs drawing a page with charts use well over 0.1 s).
    assert 0 < got["first_phase_wall_s"] <= got["wall_s"]
    assert 0.1 < got["first_phase_browsers_cpu_s"] <= got["browsers_cpu_s"]
    assert 0 < got["first_phase_server_cpu_s"] <= got["server_cpu_s"]
    assert got["first_page_floor_s"] == pytest.approx(got["first_phase_browsers_cpu_s"] / got["cores"])
    assert got["first_page_floor_s"] <= got["first_phase_wall_s"]  # CPU over cores never exceeds the wall
    assert got["server_peak_rss_mb"] > 50
    # The tabs drew the pages' charts (a run on a warehouse whose latest weeks have no data
    # would measure "nothing matches" pages).
    assert got["charts_shown"] == {"overview": 3, "share": 2, "quadrants": 2, "promotions": 4, "visits": 3}
