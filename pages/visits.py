"""Visits: are the KA managers visiting the right stores, and what do they find there."""

import streamlit as st

from dashboard import data, figures, frame, state, tables
from ka_core import charts, fmt, i18n, views
from ka_core.i18n import t

frame.enter()
lang, f, s = state.lang(), state.filters(), state.settings()
st.title(t("page_visits", lang))

summary = data.view("visit_summary", f, s)
cards = views.coverage_cards(summary)
for col, (key, value) in zip(st.columns(len(cards)), cards.items(), strict=True):
    col.metric(t(key, lang), fmt.pct(value, lang, 0), help=t(f"{key}_help", lang), border=True)
st.caption(
    t("coverage_attack", lang)
    + ": "
    + t("of", lang, a=summary.attack_visited, b=summary.attack_stores)
    + " · "
    + t("coverage_below", lang)
    + ": "
    + t("of", lang, a=summary.below_visited, b=summary.below_fair_share)
)

managers = data.view("visits_by_manager", f, s)
if managers.empty:
    tables.nothing()
    st.stop()
source = state.source(f, lang)
st.plotly_chart(figures.figure(charts.visits_by_manager, managers, lang, source=source), key="by_manager")

days = st.slider(t("days", lang), 7, 120, 28, 7, key="not_visited_days")
st.subheader(t("not_visited_title", lang, n=days))
stale = data.view("not_visited", f, s, days)
if stale.empty:
    st.success(t("all_visited", lang, n=days))
else:
    st.caption(t("open_store_help", lang))
    picked = tables.table(stale, key="not_visited", name="not_visited", height=300, selectable=True)
    state.open_store(tables.picked_row(picked, stale, "store_id"))

shelf = data.view("shelf_vs_share", f, s)
if shelf.empty:
    tables.nothing()
else:
    st.plotly_chart(figures.figure(charts.shelf_vs_share, shelf, lang, source=source), key="shelf")

effect = data.report("visit-effect", f, s)
st.plotly_chart(figures.figure(charts.visit_effect, effect, lang, source=source), key="visit_effect")
st.caption(t("visit_effect_note", lang, n=views.visit_events(effect)))

st.subheader(i18n.report_title("visit-coverage", lang))
coverage = data.report("visit-coverage", f, s)
picked = tables.table(coverage, key="coverage", name="visit_coverage", height=360, selectable=True)
state.open_store(tables.picked_row(picked, coverage, "store_id"))
