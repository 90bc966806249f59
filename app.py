"""ka-analytics dashboard: the frame. Pages draw what ka_core computes."""

import streamlit as st

from dashboard import data, sidebar, state
from ka_core.i18n import t

st.set_page_config(page_title="KA analytics", page_icon=":material/analytics:", layout="wide")

state.frame()
nav = state.navigation()  # before any widget: see state.navigation
data.open_warehouse(t("creating_demo", state.lang()), t("warehouse_busy", state.lang()))
sidebar.draw()
nav.run()
