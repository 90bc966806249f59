"""ka-analytics dashboard: the frame. Pages draw what ka_core computes."""

import streamlit as st

from dashboard import data, sidebar, state
from ka_core.i18n import t

st.set_page_config(page_title="KA analytics", page_icon=":material/analytics:", layout="wide")

state.frame()
data.open_warehouse(t("creating_demo", state.lang()), t("warehouse_busy", state.lang()))
sidebar.draw()
lang = state.lang()

pages = [
    st.Page("pages/overview.py", title=t("page_overview", lang), icon=":material/home:", default=True, url_path="overview"),
    st.Page("pages/share.py", title=t("page_share", lang), icon=":material/scatter_plot:", url_path="share"),
    st.Page("pages/quadrants.py", title=t("page_quadrants", lang), icon=":material/swords:", url_path="quadrants"),
    st.Page("pages/promotions.py", title=t("page_promotions", lang), icon=":material/campaign:", url_path="promotions"),
    st.Page("pages/visits.py", title=t("page_visits", lang), icon=":material/directions_walk:", url_path="visits"),
    st.Page("pages/data.py", title=t("page_data", lang), icon=":material/upload_file:", url_path="data"),
]
nav = st.navigation(pages)
state.follow_deep_link()
nav.run()
