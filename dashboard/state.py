"""The session: language, filters and settings as the sidebar left them in session_state, and routing."""

from __future__ import annotations

import streamlit as st

from ka_core import views
from ka_core.i18n import t
from ka_core.settings import SPECS, Filters, Settings

from . import data


def lang() -> str:
    return st.session_state.get("lang", "en")


def filters() -> Filters:
    """The period and the chain, region and category filters of the sidebar."""
    ss = st.session_state
    preset = ss.get("preset", "13w")
    start = end = None
    if preset == "custom":
        rng = ss.get("custom_range") or ()
        if len(rng) == 2:
            start, end = rng
    date_from, date_to = views.period(preset, data.latest_week(), start, end)
    return Filters(
        date_from=date_from,
        date_to=date_to,
        chains=tuple(ss.get("chains") or ()),
        regions=tuple(ss.get("regions") or ()),
        categories=tuple(ss.get("categories") or ()),
    )


def settings() -> Settings:
    """The sidebar's settings (each setting's default where it was never touched)."""
    values = {name: st.session_state.get(name) for name in SPECS}
    if values["a_cut"] is not None and values["b_cut"] is not None:  # two sliders: B never below A
        values["b_cut"] = max(values["b_cut"], values["a_cut"])
    values["currency"] = (values["currency"] or "").strip() or None
    return Settings.from_mapping(values)


FRAME_KEY = "_ka_frame"

# The pages: script, title (i18n key), icon, URL path. The first is the default page (the root URL).
PAGES = (
    ("pages/overview.py", "page_overview", ":material/home:", "overview"),
    ("pages/share.py", "page_share", ":material/scatter_plot:", "share"),
    ("pages/quadrants.py", "page_quadrants", ":material/swords:", "quadrants"),
    ("pages/promotions.py", "page_promotions", ":material/campaign:", "promotions"),
    ("pages/visits.py", "page_visits", ":material/directions_walk:", "visits"),
    ("pages/data.py", "page_data", ":material/upload_file:", "data"),
)


def navigation():
    """`st.navigation` over PAGES, titled in the session's language: the page to run.

    app.py calls it first, before any widget exists. Because a pages/ folder
    sits next to app.py, a server's first run goes through Streamlit's legacy
    pages/ router (PagesManager.uses_pages_directory), which runs app.py as a
    page of its own, under another script hash: the widgets drawn there got
    other ids than in every later run, so the first change of a sidebar filter
    was lost. st.navigation switches that router off for the process and puts
    app.py's own hash back, so the widgets drawn after it keep their ids.
    """
    lg = lang()  # the language widget's value, known before it is drawn
    return st.navigation(
        [
            st.Page(path, title=t(title, lg), icon=icon, url_path=url, default=i == 0)
            for i, (path, title, icon, url) in enumerate(PAGES)
        ]
    )


def frame() -> None:
    """Mark this run as going through app.py (called by app.py, consumed by the page)."""
    st.session_state[FRAME_KEY] = True


def through_frame() -> None:
    """First line of every page. Where the legacy pages/ router ran the page without
    app.py (a server's first session opened at a page URL such as /share), switch
    that router off and rerun the same URL, now through app.py."""
    if not st.session_state.pop(FRAME_KEY, False):
        navigation()
        st.rerun()
