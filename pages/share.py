"""Share vs market: customer share against market share per store, and one store's weeks."""

import streamlit as st

from dashboard import data, figures, frame, state, tables
from ka_core import charts, i18n, views
from ka_core.i18n import t

frame.enter()
lang, f, s = state.lang(), state.filters(), state.settings()
st.title(t("page_share", lang))

q = data.report("quadrants", f, s)
known = views.stores_with_share(q)
if known.empty:
    tables.nothing()
    st.stop()

source, lookup = state.source(f, lang), state.names()
# A click on a store in the chart or a row of the table opens the store page; the list below shows one here.
chart = st.plotly_chart(
    figures.figure(charts.share_scatter, q, lang, currency=s.currency, names=lookup, source=source),
    key="share_chart",
    on_select="rerun",
    selection_mode="points",
)
state.open_store(tables.picked_point(chart))

st.subheader(i18n.report_title("fair-share", lang))
st.caption(t("open_store_help", lang))
fair = data.report("fair-share", f, s)
rows = tables.table(fair, key="fair_share_table", name="fair_share", height=320, selectable=True)
state.open_store(tables.picked_row(rows, fair, "store_id"))

names = dict(zip(known["store_id"], known["store_name"], strict=True))
if st.session_state.get("share_store") not in names:
    st.session_state["share_store"] = known["store_id"].iloc[0]
store = st.selectbox(
    t("pick_store", lang),
    list(names),
    key="share_store",
    format_func=lambda k: f"{names[k]} ({k})",
    help=t("pick_store_help", lang),
)
weekly, visits = data.store_detail(store, f, s)
market_share = known.set_index("store_id").at[store, "market_share"]
st.plotly_chart(
    figures.figure(
        charts.store_weekly,
        weekly,
        visits,
        market_share,
        names[store],
        lang,
        currency=s.currency,
        customer_share=known.set_index("store_id").at[store, "customer_share"],
        source=source,
    ),
    key="store_chart",
)
st.subheader(t("store_visits_title", lang, store=names[store]))
if len(visits):
    tables.table(visits, key="store_visits", name=f"visits_{store}", height=240)
else:
    st.warning(t("no_visits_store", lang), icon=":material/person_off:")
