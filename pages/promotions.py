"""Promotions: which paid, lift by mechanic, best and worst, and one promotion's weeks."""

import streamlit as st

from ka_core import charts, i18n, ui, views
from ka_core.i18n import t

ui.through_frame()
lang, f, s = ui.lang(), ui.filters(), ui.settings()
st.title(t("page_promotions", lang))

summary = ui.report("promo-summary", f, s)
if summary.empty:
    ui.nothing()
    st.stop()

left, right = st.columns([3, 2])
left.plotly_chart(charts.promo_profit(summary, lang), key="promo_profit")
by_mech = views.lift_by_mechanic(ui.report("promo-lift", f, s))
if by_mech.empty:
    right.info(t("no_data", lang))
else:
    right.plotly_chart(charts.lift_by_mechanic(by_mech, lang), key="lift_by_mechanic")

with st.expander(t("method_title", lang), expanded=False):
    st.markdown(t("method_text", lang, b=s.baseline_weeks, p=s.post_weeks))

best, worst = views.best_worst(summary)
c1, c2 = st.columns(2)
with c1:
    st.subheader(t("best_promos", lang))
    ui.table(best, key="best", name="best_promotions")
with c2:
    st.subheader(t("worst_promos", lang))
    ui.table(worst, key="worst", name="worst_promotions")

st.subheader(i18n.report_title("promo-summary", lang))
ui.table(summary, key="promo_summary", name="promo_summary", height=320)

labels = {
    r.promo_id: f"{r.promo_id} · {r.chain} · {r.mechanic} · {r.start_date}" for r in summary.itertuples()
}
promo = st.selectbox(t("pick_promo", lang), list(labels), format_func=labels.get, key="promo_pick")
weekly = ui.promo_detail(promo, s)
if weekly.empty:
    ui.nothing()
else:
    st.plotly_chart(charts.promo_weekly(weekly, promo, lang), key="promo_weekly")
    st.subheader(t("promo_rows_title", lang, promo=promo))
    ui.table(ui.view("promo_lift_of", f, s, promo), key="promo_rows", name=f"lift_{promo}", height=260)
