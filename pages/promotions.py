"""Promotions: which paid, lift by mechanic, best and worst, and one promotion's weeks."""

import streamlit as st

from dashboard import data, figures, frame, state, tables
from ka_core import charts, i18n, views
from ka_core.i18n import t

frame.enter()
lang, f, s = state.lang(), state.filters(), state.settings()
st.title(t("page_promotions", lang))

summary = data.report("promo-summary", f, s)
if summary.empty:
    tables.nothing()
    st.stop()

source, names = state.source(f, lang), state.names()
left, right = st.columns([3, 2])
left.plotly_chart(
    figures.figure(charts.promo_profit, summary, lang, currency=s.currency, names=names, source=source),
    key="promo_profit",
)
by_mech = data.report("promo-mechanics", f, s)
if by_mech.empty:
    right.info(t("no_data", lang))
else:
    right.plotly_chart(
        figures.figure(charts.lift_by_mechanic, by_mech, lang, names=names, source=source), key="lift_by_mechanic"
    )

effects = data.view("promo_effects", f, s)
st.plotly_chart(figures.figure(charts.promo_effects, effects, lang, source=source), key="promo_effects")
st.caption(t("effects_caption", lang, n=len(effects)))

with st.expander(t("method_title", lang), expanded=False):
    st.markdown(t("method_text", lang, b=s.baseline_weeks, p=s.post_weeks))

_, worst = views.best_worst(summary)
best = views.best_significant(summary)
c1, c2 = st.columns(2)
with c1:
    st.subheader(t("best_significant", lang))
    tables.table(best, key="best", name="best_promotions")
    if best.empty:
        st.caption(t("none_significant", lang))
with c2:
    st.subheader(t("worst_promos", lang))
    tables.table(worst, key="worst", name="worst_promotions")

st.subheader(i18n.report_title("promo-summary", lang))
tables.table(summary, key="promo_summary", name="promo_summary", height=320)

labels = {r.promo_id: f"{r.promo_id} · {r.chain} · {r.mechanic} · {r.start_date}" for r in summary.itertuples()}
promo = st.selectbox(t("pick_promo", lang), list(labels), format_func=labels.get, key="promo_pick")
weekly = data.promo_detail(promo, s)
if weekly.empty:
    tables.nothing()
else:
    row = summary.set_index("promo_id").loc[promo].to_dict()
    st.plotly_chart(
        figures.figure(charts.promo_weekly_with_control, weekly, promo, lang, row, source=source), key="promo_weekly"
    )
    st.subheader(t("promo_rows_title", lang, promo=promo))
    st.caption(t("open_store_help", lang))
    rows = data.view("promo_lift_of", f, s, promo)
    picked = tables.table(rows, key="promo_rows", name=f"lift_{promo}", height=260, selectable=True)
    state.open_store(tables.picked_row(picked, rows, "store_id"))
