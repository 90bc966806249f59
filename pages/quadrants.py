"""Attack / defend: potential against fair-share index, and the two KA lists side by side."""

import streamlit as st

from dashboard import data, state, tables
from ka_core import charts, i18n, views
from ka_core.i18n import t

state.through_frame()
lang = state.lang()
st.title(t("page_quadrants", lang))


def _copy(src: str, dst: str) -> None:
    st.session_state[dst] = st.session_state[src]


# The cut lines are adjustable here; they are the sidebar's settings, kept in one place.
for here, there in (("q_a_cut", "a_cut"), ("q_fsi", "fsi_threshold")):
    st.session_state[here] = st.session_state.get(there, 0.80 if there == "a_cut" else 100)
c1, c2 = st.columns(2)
c1.slider(t("a_cut", lang), 0.5, 0.95, step=0.05, key="q_a_cut", on_change=_copy, args=("q_a_cut", "a_cut"))
c2.slider(t("fsi_threshold", lang), 50, 150, step=5, key="q_fsi", on_change=_copy, args=("q_fsi", "fsi_threshold"))

f, s = state.filters(), state.settings()
q = data.report("quadrants", f, s)
if q["fair_share_index"].isna().all():
    tables.nothing()
    st.stop()

left, right = st.columns([3, 2])
left.plotly_chart(
    charts.quadrant_scatter(q, lang, s.fsi_threshold, data.view("a_cut_potential", f, s)), key="quadrant_chart"
)
right.plotly_chart(charts.quadrant_bars(data.view("quadrant_counts", f, s), lang), key="quadrant_bars")

st.subheader(t("ka_compare_title", lang))
st.caption(t("ka_compare_help", lang))
ka = data.view("ka_comparison", f, s)
counts = views.change_counts(ka)
m1, m2, m3, _ = st.columns([1, 1, 1, 1])
m1.metric(t("missed_title", lang), counts["missed"], border=True)
m2.metric(t("over_served_title", lang), counts["over-served"], border=True)
m3.metric(t("missed_potential", lang), i18n.money(views.missed_potential(ka), lang), border=True,
          help=t("missed_potential_help", lang))
tables.table(ka, key="ka_table", name="ka_list", highlight="change")
