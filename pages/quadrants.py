"""Attack / defend: potential against fair-share index, and the two KA lists side by side."""

import streamlit as st

from dashboard import data, figures, frame, sidebar, state, tables
from ka_core import charts, fmt, i18n, views
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

source, names = state.source(f, lang), state.names()
st.caption(t("quadrant_pick_help", lang))
left, right = st.columns([3, 2])
# One store clicked opens its page; a box or lasso around stores lists their quadrant below.
chosen = left.plotly_chart(
    figures.figure(
        charts.quadrant_scatter,
        q,
        lang,
        s.fsi_threshold,
        data.view("a_cut_potential", f, s),
        currency=s.currency,
        names=names,
        source=source,
    ),
    key="quadrant_chart",
    on_select="rerun",
    selection_mode=("points", "box", "lasso"),
)
points = chosen.selection.points if chosen and chosen.selection else []
if len(points) == 1:
    state.open_store(tables.picked_point(chosen))
elif points:
    st.session_state[state.QUADRANT_KEY] = views.most_common(
        [p["customdata"][4] for p in points if p.get("customdata")]
    )
right.plotly_chart(
    figures.figure(charts.quadrant_bars, data.view("quadrant_counts", f, s), lang, currency=s.currency, source=source),
    key="quadrant_bars",
    on_select=state.quadrant_on_click("quadrant_bars"),
    selection_mode="points",
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
st.caption(t("open_store_help", lang))
picked = tables.table(ka, key="ka_table", name="ka_list", highlight="change", selectable=True)
state.open_store(tables.picked_row(picked, ka, "store_id"))

quadrant = st.session_state.get(state.QUADRANT_KEY) or "Attack"
st.subheader(t("quadrant_picked", lang, q=i18n.quadrant(quadrant, lang)))
stores = views.stores_in_quadrant(q, quadrant)
if stores.empty:
    tables.nothing()
else:
    picked = tables.table(stores, key="quadrant_stores", name=f"stores_{quadrant}", height=300, selectable=True)
    state.open_store(tables.picked_row(picked, stores, "store_id"))
