"""Overview: the KPIs against a year before and the previous period, targets, the weekly trend,
chains as a Pareto, stores to visit next, and the meeting pack to take away."""

import streamlit as st

from dashboard import data, figures, frame, state, tables
from ka_core import charts, export, fmt, i18n, views
from ka_core.i18n import label, t

frame.enter()
lang, f, s = state.lang(), state.filters(), state.settings()
st.title(t("overview_title", lang))

cur = data.view("kpis", f, s)
before = views.previous(f)
prev = data.view("kpis", before, s) if before else None
year_ago = data.view("yoy_kpis", f, s)
vs_prev = views.kpi_changes(cur, prev)
vs_year = views.kpi_changes(cur, year_ago)
notes = []
if year_ago:
    notes.append(t("vs_year_ago", lang))
if before:
    notes.append(t("compared_with", lang, n=views.weeks_in(f)))
if notes:
    st.caption(" · ".join(notes))

cards = [
    ("own_sales", t("kpi_own_sales", lang), fmt.money(cur.own_sales, lang, s.currency), "normal"),
    ("customer_share", label("customer_share", lang), fmt.pct(cur.customer_share, lang), "normal"),
    ("market_share", label("market_share", lang), fmt.pct(cur.market_share, lang), "normal"),
    ("fair_share_index", label("fair_share_index", lang), fmt.index(cur.fair_share_index, lang), "normal"),
    ("attack_stores", t("kpi_attack", lang), fmt.count(cur.attack_stores, lang), "inverse"),
    ("opportunity", label("opportunity", lang), fmt.money(cur.opportunity, lang, s.currency), "inverse"),
    ("promo_roi", t("kpi_roi", lang), fmt.pct(cur.promo_roi, lang, 0), "normal"),
]
# Two rows of four and three cards: each card wide enough on a 1280×720 projector with the sidebar open.
cols = [*st.columns(4), *st.columns(4)[:3]]
for col, (name, title, value, colour) in zip(cols, cards, strict=True):
    kind = views.KPI_CHANGE[name]
    # The year-ago change is the card's delta when there is one; the previous period is the second line.
    main, main_label = (vs_year[name], t("yoy_short", lang)) if year_ago else (vs_prev[name], t("prev_short", lang))
    delta = fmt.change(kind, main, lang)
    col.metric(
        title,
        value,
        f"{delta} {main_label}" if delta else None,
        delta_color=colour if delta else "off",
        delta_arrow="auto" if delta else "off",
        help=i18n.help_text(name, lang)
        if name in ("customer_share", "market_share", "fair_share_index", "opportunity")
        else None,
        border=True,
    )
    second = fmt.change(kind, vs_prev[name], lang) if year_ago else None
    if second:
        col.caption(f"{t('prev_short', lang)} {second}")

with st.popover(t("meeting_pack", lang), icon=":material/slideshow:", help=t("meeting_pack_help", lang)):
    kind = st.radio(t("pack_format", lang), export.FORMATS, horizontal=True, key="pack_kind", format_func=str.upper)
    if st.button(t("pack_make", lang), key="pack_make", type="primary"):
        with st.spinner(t("pack_make", lang)), data.reading() as con:
            st.session_state["pack_file"] = (kind, export.render(con, kind, f, s, lang))
    made = st.session_state.get("pack_file")
    if made:
        name = f"meeting-pack.{made[0]}"
        st.download_button(t("pack_download", lang, name=name), made[1], file_name=name, key="pack_download")

source, names = state.source(f, lang), state.names()


def chain_chart(build, *args, key: str, **kwargs) -> None:
    """A chart whose bars, lines or points are chains: a click filters the dashboard to that chain."""
    st.plotly_chart(
        figures.figure(build, *args, source=source, **kwargs),
        key=key,
        on_select=state.filter_on_click(key, "chain"),
        selection_mode="points",
    )


st.caption(t("chart_filters_help", lang))
targets = data.report("targets", f, s)
if not targets.empty:
    st.subheader(t("targets_title", lang))
    chain_chart(charts.targets, targets, lang, names=names, key="targets_chart")
    tables.table(targets, key="targets", name="targets", rows=len(targets))

trend = data.report("trend", f, s)
if not trend.empty:
    chain_chart(charts.trend, trend, lang, names=names, key="trend_chart")

pareto = data.report("pareto", f, s)
if pareto.empty:
    tables.nothing()
else:
    chain_chart(charts.pareto, pareto, lang, s.a_cut, s.b_cut, currency=s.currency, names=names, key="pareto_chart")
    st.subheader(t("chains_title", lang))
    chains = data.view("chain_summary", f, s)
    # A click on a chain's row filters the dashboard to it, as a click on its bar does.
    tables.table(
        chains,
        key="chain_table",
        name="chains",
        rows=len(pareto),
        on_select=state.filter_on_row("chain_table", chains, "chain"),
    )

st.subheader(t("visit_next_title", lang))
st.caption(t("visit_next_help", lang))
nxt = data.view("stores_to_visit", f, s)
if nxt.empty:
    tables.nothing()
else:
    picked = tables.table(nxt, key="visit_next", name="stores_to_visit", rows=len(nxt), selectable=True)
    state.open_store(tables.picked_row(picked, nxt, "store_id"))  # a click on a store opens its page
