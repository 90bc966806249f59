"""Fixtures of the browser tests: each test module gets its own demo warehouse and server."""

from __future__ import annotations

import pytest

from tests.browser import CHROMIUM_ARGS, ensure_chromium, make_demo, streamlit_server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run app.py` on a fresh demo warehouse (a module may change its data)."""
    with streamlit_server(make_demo(tmp_path_factory.mktemp("browser") / "demo.duckdb")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium, driven by Playwright (installed with apt-get when missing)."""
    from playwright.sync_api import sync_playwright

    exe = ensure_chromium()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def downloads_clicked(monkeypatch):
    """Every download button's file written as if clicked: tables hand Streamlit a callable
    (dashboard/tables.py writes a file only when its button is clicked)."""
    import streamlit as st

    real = st.download_button

    def click(label, data, *args, **kwargs):
        return real(label, data() if callable(data) else data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", click)
