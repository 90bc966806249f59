"""The sidebar: language, period, chain / region / category filters and the settings."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ka_core import i18n, views
from ka_core.i18n import t
from ka_core.settings import SETTINGS_HELP

from . import data, state


def draw() -> None:
    """Draw the global filters and settings (called by app.py before page.run())."""
    opts = data.options()
    sb = st.sidebar
    sb.segmented_control(
        t("language", state.lang()), options=list(i18n.LANGS), format_func=i18n.LANGS.get, key="lang", default="en"
    )
    lg = state.lang()
    sb.header(t("filters", lg))
    sb.selectbox(t("period", lg), views.PRESETS, format_func=lambda p: t(p, lg), key="preset", index=1)
    if st.session_state.get("preset") == "custom":
        latest = data.latest_week() or dt.date.today()
        sb.date_input(
            t("period", lg),
            value=(latest - dt.timedelta(weeks=12), latest + dt.timedelta(days=6)),
            key="custom_range",
        )
    for key, opt in (("chains", "chain"), ("regions", "region"), ("categories", "category")):
        sb.multiselect(t(key, lg), opts[opt], key=key, placeholder=t("all_values", lg))
    with sb.expander(t("settings", lg)):
        st.slider(t("a_cut", lg), 0.5, 0.95, 0.80, 0.05, key="a_cut", help=_help("a_cut", lg))
        st.slider(t("b_cut", lg), 0.80, 0.99, 0.95, 0.01, key="b_cut", help=_help("b_cut", lg))
        st.slider(t("fsi_threshold", lg), 50, 150, 100, 5, key="fsi_threshold", help=_help("fsi_threshold", lg))
        st.radio(t("level", lg), ["region", "national"], format_func=lambda v: t(v, lg), key="level", horizontal=True)
        st.slider(t("baseline_weeks", lg), 2, 26, 8, key="baseline_weeks", help=_help("baseline_weeks", lg))
        st.slider(t("post_weeks", lg), 1, 12, 4, key="post_weeks", help=_help("post_weeks", lg))
    f = state.filters()
    if f.date_from and f.date_to:
        sb.caption(t("period_shown", lg, start=i18n.date(f.date_from, lg), end=i18n.date(f.date_to, lg)))


def _help(name: str, lg: str) -> str:
    s = SETTINGS_HELP[name]
    return f"{s.help} ({s.cli}, default {s.default})" if lg == "en" else f"{s.zh}（命令行 {s.cli}，默认 {s.default}）"
