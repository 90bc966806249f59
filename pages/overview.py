"""Overview: the period's KPIs against the previous period, chains as a Pareto, stores to visit next."""

import streamlit as st

from dashboard import data, frame, state, tables
from ka_core import charts, fmt, i18n, views
from ka_core.i18n import label, t

frame.enter()
lang, f, s = state.lang(), state.filters(), state.settings()
st.title(t("overview_title", lang))

cur = data.view("kpis", f, s)
before = views.previous(f)
prev = data.view("kpis", before, s) if before else None
changes = views.kpi_changes(cur, prev)
if before:
    st.caption(t("compared_with", lang, n=views.weeks_in(f)))

cards = [
    ("own_sales", t("kpi_own_sales", lang), fmt.money(cur.own_sales, lang, s.currency), "normal"),
    ("customer_share", label("customer_share", lang), fmt.pct(cur.customer_share, lang), "normal"),
    ("market_share", label("market_share", lang), fmt.pct(cur.market_share, lang), "normal"),
    ("fair_share_index", label("fair_share_index", lang), fmt.index(cur.fair_share_index, lang), "normal"),
    ("attack_stores", t("kpi_attack", lang), f"{cur.attack_stores:,}", "inverse"),
    ("opportunity", label("opportunity", lang), fmt.money(cur.opportunity, lang, s.currency), "inverse"),
    ("promo_roi", t("kpi_roi", lang), fmt.pct(cur.promo_roi, lang, 0), "normal"),
]
for col, (name, title, value, colour) in zip(st.columns(len(cards)), cards, strict=True):
    col.metric(
        title,
        value,
        fmt.change(views.KPI_CHANGE[name], changes[name], lang),
        delta_color=colour if changes[name] else "off",  # no change: grey, no arrow
        delta_arrow="auto" if changes[name] else "off",
        help=i18n.help_text(name, lang)
        if name in ("customer_share", "market_share", "fair_share_index", "opportunity")
        else None,
        border=True,
    )

pareto = data.report("pareto", f, s)
if pareto.empty:
    tables.nothing()
else:
    st.plotly_chart(charts.pareto(pareto, lang, s.a_cut, s.b_cut, currency=s.currency), key="pareto_chart")
    st.subheader(t("chains_title", lang))
    tables.table(data.view("chain_summary", f, s), key="chains", name="chains", rows=len(pareto))

st.subheader(t("visit_next_title", lang))
st.caption(t("visit_next_help", lang))
nxt = data.view("stores_to_visit", f, s)
if nxt.empty:
    tables.nothing()
else:
    tables.table(nxt, key="visit_next", name="stores_to_visit", rows=len(nxt))
