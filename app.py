"""ka-analytics dashboard: the frame. Pages draw what ka_core computes."""

import streamlit as st

from ka_core import ui
from ka_core.i18n import t

st.set_page_config(page_title="KA analytics", page_icon=":material/analytics:", layout="wide")

ui.frame()
ui.open_warehouse()
ui.sidebar()
lang = ui.lang()

pages = [
    st.Page("pages/overview.py", title=t("page_overview", lang), icon=":material/home:", default=True, url_path="overview"),
    st.Page("pages/share.py", title=t("page_share", lang), icon=":material/scatter_plot:", url_path="share"),
    st.Page("pages/quadrants.py", title=t("page_quadrants", lang), icon=":material/swords:", url_path="quadrants"),
    st.Page("pages/promotions.py", title=t("page_promotions", lang), icon=":material/campaign:", url_path="promotions"),
    st.Page("pages/visits.py", title=t("page_visits", lang), icon=":material/directions_walk:", url_path="visits"),
    st.Page("pages/data.py", title=t("page_data", lang), icon=":material/upload_file:", url_path="data"),
]
nav = st.navigation(pages)
ui.follow_deep_link()
nav.run()
