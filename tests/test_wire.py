"""The dashboard spoken to without a browser (dashboard/wire.py) and the load test's `--clients
wire`: a live `streamlit run` on the demo warehouse answers every page whole (its title, its
charts, no exception), and the load test measures two such sessions with a command-line load
alongside, on a copy of the warehouse it was given."""

from __future__ import annotations

import asyncio
import json
import math

import pytest

from dashboard import loadtest
from dashboard.wire import WireError, WireSession
from ka_core import db
from tests.browser import make_demo, streamlit_server

PAGES = {  # url path -> (title, at least this many plotly charts)
    "": ("Where we stand", 3),
    "share": ("Share vs market", 2),
    "quadrants": ("Attack / defend", 2),
    "promotions": ("Promotions", 4),
    "visits": ("Visits", 3),
    "store": ("Store", 1),
    "data": ("Data", 0),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return make_demo(tmp_path_factory.mktemp("wire") / "demo.duckdb")


def test_every_page_is_answered_whole(demo):
    async def visit(url):
        s = WireSession(url)
        try:
            got = {"open": await s.open()}  # the address itself: the default page
            for path in PAGES:
                got[path] = await s.goto(path)
            with pytest.raises(WireError, match="no page 'nowhere'"):
                await s.goto("nowhere")
            return got, dict(s.pages)
        finally:
            await s.close()

    with streamlit_server(demo) as url:
        got, pages = asyncio.run(visit(url))
    assert set(PAGES) <= set(pages)
    assert got["open"].title == got[""].title and got["open"].elements.count("plotly_chart") == 3
    for path, (title, charts) in PAGES.items():
        answer = got[path]
        assert answer.title.startswith(title), (path, answer.title)
        assert answer.elements.count("plotly_chart") >= charts, (path, answer.elements)
        assert "exception" not in answer.elements
        assert not any(e.startswith("alert:Nothing matches") for e in answer.elements), (path, answer.elements)
        assert answer.messages > 10 and answer.bytes > 1000


def sales_rows(path):
    c = db.connect(path, read_only=True)
    try:
        return c.execute("SELECT count(*) FROM sales").fetchall()[0][0]
    finally:
        c.close()


def test_the_load_test_over_the_wire(demo, tmp_path):
    before = sales_rows(demo)
    out = tmp_path / "wire.json"
    code = loadtest.main(["--sessions", "2", "--clients", "wire", "--db", str(demo), "--json", str(out)])
    got = json.loads(out.read_text())
    assert code == 0 and got["cli_load_exit"] == 0 and "rows written" in got["cli_load_output"]
    assert got["clients"] == "wire" and got["server"] == "warm" and got["browsers"] == "none"
    for key in ("first_page_p95_s", "later_page_p95_s", "first_served_p95_s", "later_served_p95_s"):
        assert math.isfinite(got[key]) and got[key] > 0, key
    # No browser ran; the server and this process (the sessions' client side) did the work.
    assert got["browsers_cpu_s"] == 0 and got["server_cpu_s"] > 0 and got["client_process_cpu_s"] > 0
    assert 0 < got["cli_load_ended_s"] <= got["wall_s"]
    assert set(got["later_p95_by_page_s"]) == {"share", "quadrants", "promotions", "visits", "overview"}
    # The pages showed their charts: the run measured the dashboard, not "nothing matches".
    assert got["charts_shown"] == {"overview": 3, "share": 2, "quadrants": 2, "promotions": 4, "visits": 3}
    # The command-line load wrote to a copy: the warehouse the test was given is as it was.
    assert sales_rows(demo) == before
