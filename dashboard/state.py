"""The session: language, filters and settings as the sidebar left them in session_state, and routing."""

from __future__ import annotations

import streamlit as st

from ka_core import views
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
