"""The frame every page runs in: page config, navigation, the warehouse, the sidebar, then the page.

app.py is `frame.run()`. Every page's first line is `frame.enter()`.

Why the order matters: a pages/ folder sits next to app.py, so a server's
first run goes through Streamlit's legacy pages/ router
(PagesManager.uses_pages_directory). That router runs app.py as a page of its
own, under another script hash, or, for a URL such as /share, runs
pages/share.py alone, without app.py. Widget ids include the script hash, so
the sidebar drawn in that run got other ids than in every later run, and the
first change of a sidebar filter was lost. `st.navigation` switches the legacy
router off for the process and puts app.py's own hash back: `run()` calls it
before any widget exists, and a page that finds itself run without the frame
runs the frame around itself in the same script run (so nothing the user
clicked is lost) and stops its own bare run.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ka_core.i18n import t

from . import auth, data, sidebar, state, style

FRAME_KEY = "_ka_frame"
ICON = Path(__file__).with_name("icon.png")

# The pages: script, title (i18n key), icon, URL path. The first is the default page (the root URL).
PAGES = (
    ("pages/overview.py", "page_overview", ":material/home:", "overview"),
    ("pages/share.py", "page_share", ":material/scatter_plot:", "share"),
    ("pages/quadrants.py", "page_quadrants", ":material/swords:", "quadrants"),
    ("pages/promotions.py", "page_promotions", ":material/campaign:", "promotions"),
    ("pages/visits.py", "page_visits", ":material/directions_walk:", "visits"),
    ("pages/store.py", "page_store", ":material/storefront:", "store"),
    ("pages/data.py", "page_data", ":material/upload_file:", "data"),
)


def navigation():
    """`st.navigation` over PAGES, titled in the session's language: the page to run."""
    lg = state.lang()  # the language widget's value, known before it is drawn
    return st.navigation(
        [
            st.Page(path, title=t(title, lg), icon=icon, url_path=url, default=i == 0)
            for i, (path, title, icon, url) in enumerate(PAGES)
        ]
    )


def run() -> None:
    """app.py: the frame, then the page the URL asks for."""
    # The icon is a file of the project: a :material/…: icon is fetched from a font server (offline: errors).
    st.set_page_config(page_title="KA analytics", page_icon=str(ICON), layout="wide")
    nav = navigation()  # before any widget (see the module's docstring)
    style.inject()
    lg = state.lang()
    data.open_warehouse(t("creating_demo", lg), t("warehouse_busy", lg))
    auth.gate(lg, data.reading)  # login, role and scope; stops with a clear page when there is none
    sidebar.draw()
    st.session_state[FRAME_KEY] = True  # set last: a frame stopped above (login, no access) leaves no stale flag
    nav.run()


def enter() -> None:
    """First line of every page: go on when the frame is running this page; else run the frame
    (which runs this page inside it) and end the bare run."""
    if not st.session_state.pop(FRAME_KEY, False):
        run()
        st.stop()
