"""Share vs market: customer share against market share per store, and one store's weeks."""

import streamlit as st

from ka_core import charts, ui
from ka_core.i18n import t

ui.through_frame()
lang, f, s = ui.lang(), ui.filters(), ui.settings()
st.title(t("page_share", lang))

q = ui.report("quadrants", f, s)
known = q.dropna(subset=["customer_share", "market_share"])
if known.empty:
    ui.nothing()
    st.stop()

event = st.plotly_chart(
    charts.share_scatter(q, lang), key="share_chart", on_select="rerun", selection_mode="points"
)
points = event.selection.points if event and event.selection else []
if points and points[0].get("customdata"):
    st.session_state["share_store"] = points[0]["customdata"][0]

fair = ui.report("fair-share", f, s)
ui.table(fair, key="fair_share_table", name="fair_share", height=320)

stores = list(known.sort_values("potential", ascending=False)["store_id"])
names = dict(zip(q["store_id"], q["store_name"], strict=True))
if st.session_state.get("share_store") not in stores:
    st.session_state["share_store"] = stores[0]
store = st.selectbox(
    t("pick_store", lang), stores, key="share_store", format_func=lambda k: f"{names[k]} ({k})", help=t("pick_store_help", lang)
)
weekly, visits = ui.store_detail(store, f, s)
row = q[q["store_id"] == store].iloc[0]
st.plotly_chart(charts.store_weekly(weekly, visits, row["market_share"], names[store], lang), key="store_chart")
if len(visits):
    ui.table(visits, key="store_visits", name=f"visits_{store}", height=240)
