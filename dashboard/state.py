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
    """The sidebar's settings (each setting's default where it was never touched or is not valid:
    the page then says which value was refused, in the user's language)."""
    values = {name: st.session_state.get(name) for name in SPECS}
    if values["a_cut"] is not None and values["b_cut"] is not None:  # two sliders: B never below A
        values["b_cut"] = max(values["b_cut"], values["a_cut"])
    values["currency"] = (values["currency"] or "").strip() or None
    settings, problems = Settings.lenient(values, lang())  # a bad value: its default, and why, in the user's words
    for problem in problems:
        st.warning(problem)
    return settings


# Clicks on charts and tables: the one way a chart or a table sets a filter or opens a store ----------

FILTER_KEYS = {"chain": "chains", "region": "regions", "category": "categories"}  # the sidebar's widgets
STORE_KEY = "store_page"  # the store page's store (pages/store.py)
QUADRANT_KEY = "quadrant_pick"  # the quadrant whose stores the Attack / defend page lists


def set_filter(kind: str, values) -> None:
    """Filter the dashboard to `values` of a kind (chain, region, category): the sidebar's widget value."""
    st.session_state[FILTER_KEYS[kind]] = list(values)


def picked(key: str, index: int = 0):
    """customdata[index] of the first point selected in the chart `key` (its session_state), if any."""
    event = st.session_state.get(key)
    points = (event or {}).get("selection", {}).get("points", []) if hasattr(event, "get") else []
    for point in points:
        data = point.get("customdata")
        if data is not None and len(data) > index:
            return data[index]
    return None


def filter_on_click(key: str, kind: str = "chain"):
    """The on_select callback of a chart whose points carry a `kind` value in customdata[0]:
    a click filters the dashboard to that value (before the sidebar is drawn again)."""

    def apply() -> None:
        value = picked(key)
        if value is not None:
            set_filter(kind, [value])

    return apply


def filter_on_row(key: str, df, column: str = "chain", kind: str = "chain"):
    """The on_select callback of a table drawn from `df`: a click on a row filters the dashboard
    to that row's `column` value (as a click on the chain's bar does)."""

    def apply() -> None:
        event = st.session_state.get(key)
        rows = (event or {}).get("selection", {}).get("rows", []) if hasattr(event, "get") else []
        if rows and rows[0] < len(df):
            set_filter(kind, [df.iloc[rows[0]][column]])

    return apply


def quadrant_on_click(key: str, index: int = 0):
    """The on_select callback of a chart whose points carry a quadrant in customdata[index]."""

    def apply() -> None:
        value = picked(key, index)
        if value is not None:
            st.session_state[QUADRANT_KEY] = value

    return apply


def open_store(store_id) -> None:
    """Go to the store page for `store_id` (a click on a store in a chart or a table)."""
    if store_id is None:
        return
    st.session_state[STORE_KEY] = store_id
    st.switch_page("pages/store.py")


def source(f: Filters, lg: str) -> str:
    """The source line of every chart: period, filters in the user's language, and a restricted
    user's scope (so that a screenshot stands alone)."""
    from . import auth, tables

    user = auth.user()
    who = None
    if user is not None and not user.scope.everything:
        who = user.name or user.email
    return views.source_text(f, lg, tables.names_lookup(), who)


def names():
    """The `names` lookup (chains, regions… in the user's language) for charts."""
    from . import tables

    return tables.names_lookup()
