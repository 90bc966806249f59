"""Attack / defend: potential against fair-share index, and the two KA lists side by side."""

import streamlit as st

from dashboard import data, frame, sidebar, state, tables
from ka_core import charts, fmt, views
from ka_core.i18n import t

frame.enter()
lang = state.lang()
st.title(t("page_quadrants", lang))


# The cut lines are adjustable here too; they are the sidebar's settings, kept in one place.
sidebar.mirror(("a_cut", "fsi_threshold"), lang)

f, s = state.filters(), state.settings()
q = data.report("quadrants", f, s)
if q["fair_share_index"].isna().all():
    tables.nothing()
    st.stop()

left, right = st.columns([3, 2])
left.plotly_chart(
    charts.quadrant_scatter(q, lang, s.fsi_threshold, data.view("a_cut_potential", f, s), currency=s.currency),
    key="quadrant_chart",
)
right.plotly_chart(
    charts.quadrant_bars(data.view("quadrant_counts", f, s), lang, currency=s.currency), key="quadrant_bars"
)

st.subheader(t("ka_compare_title", lang))
st.caption(t("ka_compare_help", lang))
ka = data.view("ka_comparison", f, s)
counts = views.change_counts(ka)
m1, m2, m3, _ = st.columns([1, 1, 1, 1])
m1.metric(t("missed_title", lang), counts["missed"], border=True)
m2.metric(t("over_served_title", lang), counts["over-served"], border=True)
m3.metric(
    t("missed_potential", lang),
    fmt.money(views.missed_potential(ka), lang, s.currency),
    border=True,
    help=t("missed_potential_help", lang),
)
tables.table(ka, key="ka_table", name="ka_list", highlight="change")
