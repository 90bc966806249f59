"""One store: its weeks of own sales and category total, customer share against market share,
visits and promotions. Reached from any store in a table or chart (the store is kept in
session_state["store_page"]), or picked here."""

import streamlit as st

from dashboard import data, figures, frame, state, tables
from ka_core import charts, fmt, i18n, views
from ka_core import names as names_of
from ka_core.i18n import label, t

frame.enter()
lang, f, s = state.lang(), state.filters(), state.settings()

q = data.report("quadrants", f, s)
if q.empty:
    st.title(t("page_store", lang))
    tables.nothing()
    st.stop()
names = dict(zip(q["store_id"], q["store_name"], strict=True))
if st.session_state.get("store_page") not in names:  # the biggest opportunity first
    first = data.view("stores_to_visit", f, s, 1)
    st.session_state["store_page"] = first["store_id"].iloc[0] if len(first) else q["store_id"].iloc[0]
store = st.selectbox(t("pick_store", lang), list(names), key="store_page", format_func=lambda k: f"{names[k]} ({k})")
row = views.store_row(q, store)
st.title(t("store_page_title", lang, store=f"{names[store]} ({store})"))
lookup = state.names()  # chain and region in the user's language
chain, region = (names_of.shown(row[k], k, lookup, lang) for k in ("chain", "region"))
st.caption(f"{chain} · {region} · {i18n.quadrant(row['quadrant'], lang)}")

cards = [
    (label("potential", lang), fmt.money(row["potential"], lang, s.currency)),
    (label("customer_share", lang), fmt.pct(row["customer_share"], lang)),
    (label("market_share", lang), fmt.pct(row["market_share"], lang)),
    (label("fair_share_index", lang), fmt.index(row["fair_share_index"], lang)),
    (label("opportunity", lang), fmt.money(row["opportunity"], lang, s.currency)),
]
for col, (title, value) in zip(st.columns(len(cards)), cards, strict=True):
    col.metric(title, value, border=True)

weekly, visits = data.store_detail(store, f, s)
st.plotly_chart(
    figures.figure(
        charts.store_weekly,
        weekly,
        visits,
        row["market_share"],
        names[store],
        lang,
        currency=s.currency,
        customer_share=row["customer_share"],
        source=state.source(f, lang),
    ),
    key="store_page_chart",
)

st.subheader(t("store_promos_title", lang))
promos = data.view("store_promotions", f, s, store)
if len(promos):
    tables.table(promos, key="store_page_promos", name=f"promotions_{store}", height=240)
else:
    st.caption(t("no_promos_store", lang))

st.subheader(t("store_visits_title", lang, store=names[store]))
if len(visits):
    tables.table(visits, key="store_page_visits", name=f"visits_{store}", height=240)
else:
    st.warning(t("no_visits_store", lang), icon=":material/person_off:")
