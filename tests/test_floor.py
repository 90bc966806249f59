"""The browser's floor measures what it says (dashboard/floor.py): one new tab at a time on a
returning user's idle browser, for a bare Streamlit app, the same with one plotly chart, and the
dashboard's Overview. Its figures are not asserted against targets here (timings are for the
benchmark, not for tests); what is asserted is that every figure is measured and consistent."""

from __future__ import annotations

import json
import math

import pytest

from dashboard import floor
from tests.browser import ensure_chromium

pytestmark = pytest.mark.browser


def test_the_floor_is_measured_and_consistent(tmp_path):
    ensure_chromium()
    out = tmp_path / "floor.json"
    assert floor.main(["--repeat", "1", "--json", str(out)]) == 0
    got = json.loads(out.read_text())
    apps = got["apps"]
    assert list(apps) == ["bare", "plotly", "overview"] and got["sessions"] == 8 and got["cores"] >= 1
    for name, a in apps.items():
        assert len(a["runs"]) == 1, name
        for key in ("cpu_s", "server_cpu_s", "drawn_s", "served_s", "floor_s"):
            assert math.isfinite(a[key]) and a[key] > 0, (name, key)
        assert math.isfinite(a["tail_cpu_s"]) and a["tail_cpu_s"] >= 0, name
        # The split by Chromium's process type adds up to the total, and a tab's own renderer
        # drew something (the type is read from the command line, so it was recognised).
        assert sum(a["cpu_by_type_s"].values()) == pytest.approx(a["cpu_s"], abs=0.011), name
        assert set(a["cpu_by_type_s"]) == set(floor.TYPES) and a["cpu_by_type_s"]["renderer"] > 0, name
        assert a["floor_s"] == pytest.approx(got["sessions"] * a["cpu_s"] / got["cores"]), name
        # The server has said the page is done before the tab has drawn it.
        assert a["served_s"] <= a["drawn_s"], name
        assert a["drawn_minus_served_s"] == pytest.approx(a["drawn_s"] - a["served_s"]), name
        assert a["charts"] == floor.CHARTS[name], name
    # A page with charts costs the browser more than a bare one; the Overview (three charts,
    # the sidebar, tables) more than a bare app.
    assert apps["bare"]["cpu_s"] < apps["plotly"]["cpu_s"]
    assert apps["bare"]["cpu_s"] < apps["overview"]["cpu_s"]
    assert got["overview_drawn_minus_served_s"] == apps["overview"]["drawn_minus_served_s"]
