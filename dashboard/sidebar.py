"""The sidebar: language, period, chain / region / category filters and the settings."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from ka_core import fmt, i18n, names, views
from ka_core.i18n import t
from ka_core.settings import SPECS, Setting

from . import data, state, tables

# On a phone the sidebar covers most of the screen: once a page is picked in it, close it
# (Streamlit leaves it open). Installed once per browser tab; a no-op on wider screens.
PHONE_NAV_JS = """
<script>
(() => {
  const doc = window.parent ? window.parent.document : document;
  if (doc.__kaPhoneNav) return;
  doc.__kaPhoneNav = true;
  doc.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("[data-testid='stSidebarNav'] a");
    if (!link || !doc.defaultView.matchMedia("(max-width: 640px)").matches) return;
    setTimeout(() => {
      const close = doc.querySelector("[data-testid='stSidebarCollapseButton'] button");
      if (close) close.click();
    }, 150);
  }, true);
})();
</script>
"""


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
    lookup = tables.names_lookup()
    for key, opt in (("chains", "chain"), ("regions", "region"), ("categories", "category")):
        sb.multiselect(
            t(key, lg),
            opts[opt],
            key=key,
            placeholder=t("all_values", lg),
            format_func=lambda v, kind=opt: names.shown(v, kind, lookup, lg),
        )
    with sb.expander(t("settings", lg)):
        for spec in SPECS.values():
            setting(spec, lg)
    f = state.filters()
    if f.date_from and f.date_to:
        sb.caption(t("period_shown", lg, start=fmt.date(f.date_from, lg), end=fmt.date(f.date_to, lg)))
    with sb.container(height=1, border=False):  # out of sight: the phone's sidebar closes after a pick
        st.html(PHONE_NAV_JS, unsafe_allow_javascript=True)


def setting(spec: Setting, lg: str, key: str | None = None, on_change=None, args=()) -> None:
    """One setting's widget, drawn from its spec (range, default, labels and help live there)."""
    key = key or spec.name
    if spec.widget == "slider":
        kwargs = spec.slider_args(lg)
        if key in st.session_state:  # a value set in session_state wins; Streamlit refuses both
            kwargs.pop("value")
        st.slider(**kwargs, key=key, on_change=on_change, args=args)
    elif spec.widget == "radio":
        st.radio(
            spec.label_in(lg),
            spec.choices,
            key=key,
            horizontal=True,
            help=spec.help_in(lg),
            format_func=lambda v: spec.choice_label(v, lg),
            on_change=on_change,
            args=args,
        )
    elif spec.widget == "text":
        st.text_input(
            spec.label_in(lg), spec.default, key=key, help=spec.help_in(lg), max_chars=8, on_change=on_change, args=args
        )


def mirror(names: tuple[str, ...], lg: str) -> None:
    """Settings drawn again on a page (the cut lines beside a chart), in step with the sidebar's."""
    for col, name in zip(st.columns(len(names)), names, strict=True):
        here = f"page_{name}"
        spec = SPECS[name]
        st.session_state[here] = spec.type(st.session_state.get(name, spec.default))
        with col:
            setting(spec, lg, key=here, on_change=_copy, args=(here, name))


def _copy(src: str, dst: str) -> None:
    st.session_state[dst] = st.session_state[src]
