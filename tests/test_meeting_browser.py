"""The Overview on a projector: at 1280×720 and 1366×768 with the sidebar open, in both
languages, no KPI label, value or comparison is cut (no ellipsis, nothing wider than its box);
and no request leaves the machine while the dashboard runs."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser

# Every text box of a KPI card that is cut: wider than its box, or ending in an ellipsis.
CUT = """() => {
    const out = [];
    for (const card of document.querySelectorAll('[data-testid="stMetric"]')) {
        for (const el of card.querySelectorAll('[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"], [data-testid="stMetricValue"] *, [data-testid="stMetricDelta"] *')) {
            const s = getComputedStyle(el);
            const clipped = el.scrollWidth > el.clientWidth + 1 && s.overflowX !== 'visible';
            const ellipsis = s.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1;
            const outside = el.getBoundingClientRect().right > card.getBoundingClientRect().right + 1;
            if ((clipped || ellipsis || outside) && el.textContent.trim()) out.push(el.textContent.trim());
        }
    }
    return out;
}"""


@pytest.mark.parametrize("size", [(1280, 720), (1366, 768)])
def test_no_kpi_text_is_cut_on_a_projector(server, browser, size):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    outside = []
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if urlparse(r.url).hostname not in ("127.0.0.1", "localhost", None) and not r.url.startswith("data:")
            else None
        ),
    )
    page.goto(server)
    wait_idle(page)
    for lang in ("en", "zh"):
        if lang == "zh":
            page.locator("[data-testid='stSidebar'] [data-testid='stButtonGroup'] button", has_text="简体中文").click()
            wait_idle(page)
        assert page.locator("[data-testid='stSidebar']").is_visible()  # the sidebar is open
        page.wait_for_selector("[data-testid='stMetric']")
        assert page.locator("[data-testid='stMetric']").count() == 7
        page.screenshot(path=str(ARTIFACTS / f"overview_{size[0]}x{size[1]}_{lang}.png"))
        cut = page.evaluate(CUT)
        assert cut == [], (size, lang, cut)
    page.close()
    assert outside == [], outside  # offline: every request stays on the machine
