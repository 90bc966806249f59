"""The whole app (app.py) under Streamlit's AppTest: one harness for the AppTest modules.

    @pytest.fixture
    def app(warehouse, monkeypatch):
        yield from apptest.serving(warehouse, monkeypatch)

`app(page, **state)` runs app.py with that session state, switches to `page` and checks no
exception was raised; `setup(at)` may set secrets or a user before the first run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(
    page: str = "overview",
    *,
    timeout: float = 60,
    setup: Callable[[AppTest], None] | None = None,
    **state,
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=timeout)
    if setup is not None:
        setup(at)
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    if page != "overview" and not at.exception and not at.error:
        at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def serving(warehouse: Path, monkeypatch, timeout: float = 60) -> Iterator[Callable[..., AppTest]]:
    """Point the app at `warehouse` with empty caches; yield `open_page`; empty them again after."""
    import streamlit as st

    monkeypatch.setenv("KA_DB", str(warehouse))
    # No warmer in AppTests: each module swaps KA_DB, and a round still running for the last
    # warehouse would read the next one (tests/test_warmer.py tests the warmer end to end).
    monkeypatch.setenv("KA_WARM", "0")
    st.cache_resource.clear()
    st.cache_data.clear()
    yield lambda page="overview", **state: open_page(page, timeout=timeout, **state)
    st.cache_resource.clear()
