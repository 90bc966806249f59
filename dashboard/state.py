"""The session: language, filters and settings as the sidebar left them in session_state, and routing."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from ka_core import views
from ka_core.settings import Filters, Settings

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
    """The sidebar's settings (the defaults where a setting was never touched)."""
    ss = st.session_state
    a_cut = float(ss.get("a_cut", 0.80))
    return Settings(
        a_cut=a_cut,
        b_cut=max(float(ss.get("b_cut", 0.95)), a_cut),
        fsi_threshold=float(ss.get("fsi_threshold", 100)),
        level=ss.get("level", "region"),
        baseline_weeks=int(ss.get("baseline_weeks", 8)),
        post_weeks=int(ss.get("post_weeks", 4)),
    )


FRAME_KEY = "_ka_frame"
DEEP_LINK_KEY = "_ka_deep_link"


def frame() -> None:
    """Mark this run as going through app.py (called by app.py)."""
    st.session_state[FRAME_KEY] = True


def through_frame() -> None:
    """First line of every page: a new session opened at a page URL runs the page
    the legacy pages/ way, without app.py; route it through app.py, which then
    opens the page asked for (follow_deep_link)."""
    if not st.session_state.get(FRAME_KEY):
        st.session_state[DEEP_LINK_KEY] = Path(sys._getframe(1).f_globals.get("__file__", "")).name
        st.switch_page("app.py")


def follow_deep_link() -> None:
    """Called by app.py after st.navigation: go on to the page a deep link asked for."""
    name = st.session_state.pop(DEEP_LINK_KEY, None)
    if name and (Path(__file__).parents[1] / "pages" / name).exists():
        st.switch_page(f"pages/{name}")
