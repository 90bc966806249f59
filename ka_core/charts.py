"""Chart builders: pure functions DataFrame -> plotly Figure, readable from the back of a room.

Labels come from ka_core.metrics / ka_core.i18n, number formats (texts, hovers,
ticks) from ka_core.fmt; a chain or a quadrant has the same colour on every
page. `currency` is the setting's symbol (None: its default).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from . import fmt, i18n
from .fmt import COUNT, DATE, INDEX, MONEY, PCT, SHARE
from .i18n import label, t

# Every figure starts from plotly_white. As the default it is copied when a figure is
# built (1.7 ms); given to update_layout it was validated again for each figure (45 ms,
# most of the server's Python time with 8 people opening the dashboard at once).
pio.templates.default = "plotly_white"
FONT = dict(family="Inter, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif", size=15)
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f"]
# Distinct hues (Tableau 10), so that no two chains are confused on a projector.
CHAIN_COLORS = {
    "Walmart": "#1f77b4",
    "Carrefour": "#d62728",
    "RT-Mart": "#ff7f0e",
    "Metro": "#8c564b",
    "Yonghui": "#2ca02c",
    "Auchan": "#9467bd",
    "Vanguard": "#e377c2",
    "Lotus": "#17becf",
}
QUADRANT_COLORS = {
    "Attack": "#e4572e",
    "Defend": "#2e6fbd",
    "Maintain": "#3c9a5f",
    "Monitor": "#8a8f98",
    "No data": "#cfd3d8",
}
ABC_COLORS = {"A": "#1f4e8c", "B": "#6b9ad1", "C": "#c5d6ea"}
MECHANIC_COLORS = {"DM": "#1f77b4", "TG": "#ff7f0e", "TPR": "#2ca02c", "PROMOTER": "#9467bd", "BUNDLE": "#8c564b"}
PHASE_COLORS = {"base": "#9fb3c8", "promo": "#e4572e", "post": "#f2b134"}


def chain_color(chain: str) -> str:
    """A fixed colour per chain; chains not listed get a stable one from the palette."""
    if chain in CHAIN_COLORS:
        return CHAIN_COLORS[chain]
    return PALETTE[int(hashlib.md5(chain.encode()).hexdigest(), 16) % len(PALETTE)]


def _layout(fig: go.Figure, title: str, height: int = 480) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, font=dict(size=20)),
        font=FONT,
        height=height,
        margin=dict(l=70, r=30, t=70, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
        hoverlabel=dict(font_size=14),
    )
    return fig


def empty(message: str) -> go.Figure:
    """A chart-sized message instead of an empty axis."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, showarrow=False, font=dict(size=18, color="#666"), x=0.5, y=0.5, xref="paper", yref="paper"
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, "", height=240)


def pareto(df: pd.DataFrame, lang: str, a_cut: float, b_cut: float, currency: str | None = None) -> go.Figure:
    """Own sales by chain as bars (coloured A/B/C) and the cumulative share as a line."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_bar(
        x=df["chain"],
        y=df["own_revenue"],
        marker_color=[ABC_COLORS[a] for a in df["abc"]],
        text=[f"{a}" for a in df["abc"]],
        textposition="outside",
        name=label("own_revenue", lang),
        customdata=[
            [fmt.money(v, lang, currency), fmt.pct(s, lang)]
            for v, s in zip(df["own_revenue"], df["share"], strict=True)
        ],
        hovertemplate="%{x}<br>%{customdata[0]} (%{customdata[1]})<extra></extra>",
    )
    fig.add_scatter(
        x=df["chain"],
        y=df["cum_share"],
        mode="lines+markers",
        name=label("cum_share", lang),
        line=dict(color="#333", width=3),
        secondary_y=True,
        hovertemplate="%{x}<br>" + fmt.hover(SHARE, "y") + "<extra></extra>",
    )
    for cut, cls in ((a_cut, "A"), (b_cut, "B")):
        fig.add_hline(y=cut, line=dict(dash="dot", color="#999"), secondary_y=True)
        fig.add_annotation(
            x=0,
            xref="paper",
            xanchor="left",
            y=cut,
            yref="y2",
            yanchor="bottom",
            showarrow=False,
            text=t("abc_cut", lang, cls=cls, cut=fmt.pct(cut, lang, 0)),
            font=dict(size=13, color="#666"),
        )
    # Bars end below the cut lines, so the lines' labels never sit on a bar.
    top = float(df["own_revenue"].max()) * 1.45
    fig.update_yaxes(title_text=label("own_revenue", lang), range=[0, top], secondary_y=False)
    money_axis(fig, top, lang, currency=currency, secondary_y=False)
    fig.update_yaxes(
        title_text=label("cum_share", lang), tickformat=fmt.AXIS[SHARE], range=[0, 1.05], dtick=0.2, secondary_y=True
    )
    fig.update_yaxes(showgrid=False, secondary_y=True)
    return _layout(fig, t("pareto_title", lang), height=420)


def share_scatter(q: pd.DataFrame, lang: str, currency: str | None = None) -> go.Figure:
    """Customer share against market share per store, coloured by chain, sized by potential."""
    d = q.dropna(subset=["customer_share", "market_share"])
    fig = go.Figure()
    x_top = max(0.05, float(d["market_share"].max()) * 1.3) if len(d) else 1
    y_top = max(0.05, float(d["customer_share"].max()) * 1.05) if len(d) else 1
    line_top = min(x_top, y_top)
    fig.add_scatter(
        x=[0, line_top],
        y=[0, line_top],
        mode="lines",
        line=dict(color="#999", dash="dash"),
        name=t("fair_share_line", lang),
        hoverinfo="skip",
    )
    size_ref = float(d["potential"].max()) if len(d) else 1
    for chain, g in d.groupby("chain"):
        fig.add_scatter(
            x=g["market_share"],
            y=g["customer_share"],
            mode="markers",
            name=chain,
            marker=dict(
                size=8 + 30 * (g["potential"] / size_ref) ** 0.5,
                color=chain_color(chain),
                opacity=0.75,
                line=dict(width=0.5, color="white"),
            ),
            customdata=g[["store_id", "store_name", "potential", "fair_share_index"]].values,
            hovertemplate=(
                "<b>%{customdata[1]}</b> (%{customdata[0]})<br>"
                + label("customer_share", lang)
                + ": "
                + fmt.hover(SHARE, "y")
                + "<br>"
                + label("market_share", lang)
                + ": "
                + fmt.hover(SHARE, "x")
                + "<br>"
                + label("fair_share_index", lang)
                + ": "
                + fmt.hover(INDEX, "customdata[3]")
                + "<br>"
                + label("potential", lang)
                + ": "
                + fmt.hover(MONEY, "customdata[2]", lang, currency)
                + "<extra>%{fullData.name}</extra>"
            ),
        )
    fig.update_xaxes(title_text=label("market_share", lang) + " (%)", tickformat=fmt.AXIS[SHARE], range=[0, x_top])
    fig.update_yaxes(title_text=label("customer_share", lang) + " (%)", tickformat=fmt.AXIS[SHARE], range=[0, y_top])
    return _layout(fig, t("share_title", lang), height=560)


def store_weekly(
    w: pd.DataFrame,
    visits: pd.DataFrame,
    market_share: float | None,
    store: str,
    lang: str,
    currency: str | None = None,
) -> go.Figure:
    """A store's weekly own and category sales (top), customer share against market share (bottom), visits marked."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.6, 0.4], vertical_spacing=0.08)
    fig.add_scatter(
        x=w["week"],
        y=w["category_revenue"],
        name=t("weekly_category", lang),
        line=dict(color="#9fb3c8", width=3),
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=w["week"], y=w["own_revenue"], name=t("weekly_own", lang), line=dict(color="#1f4e8c", width=3), row=1, col=1
    )
    fig.add_scatter(
        x=w["week"],
        y=w["customer_share"],
        name=label("customer_share", lang),
        line=dict(color="#e4572e", width=3),
        row=2,
        col=1,
        hovertemplate=fmt.hover(DATE, "x", lang) + "<br>" + fmt.hover(SHARE, "y") + "<extra></extra>",
    )
    if market_share is not None:
        fig.add_hline(
            y=market_share,
            line=dict(color="#555", dash="dash"),
            row=2,
            col=1,
            annotation_text=f"{label('market_share', lang)} {fmt.pct(market_share, lang)}",
            annotation_position="top left",
        )
    if len(visits):
        days = sorted(set(visits["visit_date"]))
        fig.add_scatter(
            x=days,
            y=[0] * len(days),
            mode="markers",
            name=t("visit_marker", lang),
            marker=dict(symbol="triangle-up", size=12, color="#3c9a5f"),
            row=2,
            col=1,
            hovertemplate=fmt.hover(DATE, "x", lang) + "<extra>" + t("visit_marker", lang) + "</extra>",
        )
    fig.update_yaxes(title_text=t("revenue_axis", lang), rangemode="tozero", row=1, col=1)
    money_axis(
        fig, float(pd.concat([w["category_revenue"], w["own_revenue"]]).max()), lang, currency=currency, row=1, col=1
    )
    top = max(float(w["customer_share"].max()) if w["customer_share"].notna().any() else 0, market_share or 0, 0.01)
    fig.update_yaxes(
        title_text=t("share_axis", lang) + " (%)",
        tickformat=fmt.AXIS[SHARE],
        range=[-0.02 * top, top * 1.3],
        row=2,
        col=1,
    )
    fig.update_xaxes(title_text=t("week", lang), row=2, col=1)
    fig.update_xaxes(tickformat=fmt.date_tick(lang))
    return _layout(fig, t("store_weekly_title", lang, store=store), height=600)


def quadrant_scatter(
    q: pd.DataFrame, lang: str, fsi_threshold: float, a_cut_potential: float | None, currency: str | None = None
) -> go.Figure:
    """Potential (log) against fair-share index, coloured by quadrant, with the cut lines."""
    d = q.dropna(subset=["potential", "fair_share_index"])
    d = d[d["potential"] > 0]
    fig = go.Figure()
    for quad, color in QUADRANT_COLORS.items():
        g = d[d["quadrant"] == quad]
        if g.empty:
            continue
        fig.add_scatter(
            x=g["potential"],
            y=g["fair_share_index"],
            mode="markers",
            name=i18n.quadrant(quad, lang),
            marker=dict(size=11, color=color, opacity=0.85, line=dict(width=0.5, color="white")),
            customdata=g[["store_id", "store_name", "chain", "opportunity"]].values,
            hovertemplate=(
                "<b>%{customdata[1]}</b> (%{customdata[0]}, %{customdata[2]})<br>"
                + label("potential", lang)
                + ": "
                + fmt.hover(MONEY, "x", lang, currency)
                + "<br>"
                + label("fair_share_index", lang)
                + ": "
                + fmt.hover(INDEX, "y")
                + "<br>"
                + label("opportunity", lang)
                + ": "
                + fmt.hover(MONEY, "customdata[3]", lang, currency)
                + "<extra></extra>"
            ),
        )
    fig.add_hline(
        y=fsi_threshold,
        line=dict(color="#444", dash="dash"),
        annotation_text=f"{label('fair_share_index', lang)} = {fmt.index(fsi_threshold, lang)}",
        annotation_position="bottom left",
    )
    if a_cut_potential:
        fig.add_vline(x=a_cut_potential, line=dict(color="#444", dash="dash"))
        # Annotations on a log axis take log10 of the value (shapes take the value).
        fig.add_annotation(
            x=math.log10(a_cut_potential),
            xref="x",
            y=1,
            yref="paper",
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            text=t("a_cut_line", lang),
            font=dict(size=13, color="#444"),
        )
    # The quadrants' names in their corners, so the chart reads without the legend.
    corners = (
        ("Attack", 1, 0, "right", "bottom"),
        ("Defend", 1, 1, "right", "top"),
        ("Maintain", 0, 1, "left", "top"),
        ("Monitor", 0, 0, "left", "bottom"),
    )
    for quad, x, y, xa, ya in corners:
        fig.add_annotation(
            x=x,
            y=y,
            xref="paper",
            yref="paper",
            xanchor=xa,
            yanchor=ya,
            showarrow=False,
            text=f"<b>{i18n.quadrant(quad, lang)}</b>",
            font=dict(size=18, color=QUADRANT_COLORS[quad]),
            opacity=0.9,
        )
    if len(d):
        ticks, texts = fmt.money_log_ticks(float(d["potential"].min()), float(d["potential"].max()), lang, currency)
        fig.update_xaxes(tickvals=ticks, ticktext=texts)
    fig.update_xaxes(type="log", title_text=t("potential_axis", lang))
    fig.update_yaxes(title_text=t("fsi_axis", lang))
    fig = _layout(fig, t("quadrant_title", lang), height=560)
    fig.update_layout(showlegend=False)  # the corners name the quadrants
    return fig


def money_axis(fig: go.Figure, hi: float, lang: str, axis: str = "y", currency: str | None = None, **where) -> None:
    """Money ticks as people read them (¥172K, ¥1.5M; ¥17万, ¥1.5亿) on a linear axis from 0 (fmt.money_ticks)."""
    ticks, texts = fmt.money_ticks(hi, lang, currency)
    if ticks:
        update = fig.update_yaxes if axis == "y" else fig.update_xaxes
        update(tickvals=ticks, ticktext=texts, **where)


def quadrant_bars(summary: pd.DataFrame, lang: str, currency: str | None = None) -> go.Figure:
    """Stores (bars, with their count) per quadrant; each quadrant's opportunity under its name."""
    fig = go.Figure(
        go.Bar(
            x=[
                t("quadrant_tick", lang, q=i18n.quadrant(q, lang), opp=fmt.money_short(o, lang, currency))
                for q, o in zip(summary["quadrant"], summary["opportunity"], strict=True)
            ],
            y=summary["stores"],
            marker_color=[QUADRANT_COLORS[q] for q in summary["quadrant"]],
            text=[fmt.count(n, lang) for n in summary["stores"]],
            textposition="outside",
            textfont=dict(size=18),
            cliponaxis=False,
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(tickangle=0)
    fig.update_yaxes(title_text=t("stores", lang), range=[0, float(summary["stores"].max()) * 1.2 + 1])
    return _layout(fig, t("quadrant_counts", lang), height=440)


def promo_profit(summary: pd.DataFrame, lang: str, currency: str | None = None) -> go.Figure:
    """Each promotion's incremental gross profit against its cost; above the diagonal it paid."""
    d = summary.dropna(subset=["incremental_gross_profit", "cost"])
    fig = go.Figure()
    hi = float(max(d["cost"].max(), 1)) * 1.1 if len(d) else 1  # the diagonal spans the costs
    fig.add_scatter(
        x=[0, hi],
        y=[0, hi],
        mode="lines",
        line=dict(color="#999", dash="dash"),
        name=t("roi_zero", lang),
        hoverinfo="skip",
    )
    for mech, g in d.groupby("mechanic"):
        fig.add_scatter(
            x=g["cost"],
            y=g["incremental_gross_profit"],
            mode="markers",
            name=i18n.mechanic(mech, lang),
            marker=dict(size=12, opacity=0.85, color=MECHANIC_COLORS.get(mech, "#7f7f7f")),
            # gross profit may be negative: its text from fmt (-¥1,234), not a hover format (¥-1,234)
            customdata=[
                [p, c, r, fmt.money_full(gp, lang, currency)]
                for p, c, r, gp in zip(g["promo_id"], g["chain"], g["roi"], g["incremental_gross_profit"], strict=True)
            ],
            hovertemplate="<b>%{customdata[0]}</b> %{customdata[1]}<br>"
            + label("cost", lang)
            + ": "
            + fmt.hover(MONEY, "x", lang, currency)
            + "<br>"
            + label("incremental_gross_profit", lang)
            + ": %{customdata[3]}<br>"
            + label("roi", lang)
            + ": "
            + fmt.hover(SHARE, "customdata[2]", digits=0)
            + "<extra>%{fullData.name}</extra>",
        )
    fig.update_xaxes(title_text=label("cost", lang))
    fig.update_yaxes(title_text=label("incremental_gross_profit", lang))
    if len(d):
        money_axis(fig, hi, lang, axis="x", currency=currency)
        fig.update_xaxes(range=[-0.03 * hi, hi])
        lo, top = float(min(d["incremental_gross_profit"].min(), 0)), float(d["incremental_gross_profit"].max())
        if lo >= 0:
            money_axis(fig, top, lang, currency=currency)
    fig = _layout(fig, t("promo_summary_title", lang), height=500)
    fig.update_layout(legend=dict(orientation="h", y=-0.18, yanchor="top", x=0, xanchor="left"))
    return fig


def lift_by_mechanic(df: pd.DataFrame, lang: str) -> go.Figure:
    fig = go.Figure(
        go.Bar(
            x=[i18n.mechanic(m, lang) for m in df["mechanic"]],
            y=df["lift_pct"],
            marker_color=[MECHANIC_COLORS.get(m, "#7f7f7f") for m in df["mechanic"]],
            text=[fmt.signed_pct(v, lang, 0) for v in df["lift_pct"]],
            textposition="outside",
            hovertemplate="%{x}: " + fmt.hover(PCT, "y", digits=0) + "<extra></extra>",
        )
    )
    fig.update_yaxes(title_text=label("lift_pct", lang))
    return _layout(fig, t("lift_by_mechanic_title", lang), height=500)


def promo_weekly(w: pd.DataFrame, promo: str, lang: str) -> go.Figure:
    """Weekly units with the baseline, promotion weeks shaded, post weeks and OOS visits marked."""
    fig = go.Figure()
    fig.add_bar(
        x=w["week"],
        y=w["units"],
        marker_color=[PHASE_COLORS[p] for p in w["phase"]],
        name=t("units_axis", lang),
        hovertemplate=fmt.hover(DATE, "x", lang) + ": " + fmt.hover(COUNT, "y") + "<extra></extra>",
    )
    if w["baseline_units"].notna().any():
        fig.add_scatter(
            x=w["week"],
            y=w["baseline_units"],
            mode="lines",
            name=t("baseline", lang),
            line=dict(color="#333", dash="dash", width=3),
        )
    for phase, key in (("promo", "promo_weeks"), ("post", "post_weeks_band")):
        weeks = w.loc[w["phase"] == phase, "week"]
        if len(weeks):
            fig.add_vrect(
                x0=weeks.min() - dt.timedelta(days=3.5),
                x1=weeks.max() + dt.timedelta(days=3.5),
                fillcolor=PHASE_COLORS[phase],
                opacity=0.12,
                line_width=0,
                annotation_text=t(key, lang),
                annotation_position="top left",
            )
    oos = w[w["oos_visits"] > 0]
    if len(oos):
        fig.add_scatter(
            x=oos["week"],
            y=oos["units"] * 1.05,
            mode="markers+text",
            name=t("oos_marker", lang),
            marker=dict(symbol="x", size=14, color="#b00020"),
            text=[t("oos_times", lang, n=n) for n in oos["oos_visits"]],
            textposition="top center",
        )
    fig.update_xaxes(title_text=t("week", lang), tickformat=fmt.date_tick(lang))
    # Head room for the band labels and the OOS marks above the tallest bar.
    fig.update_yaxes(
        title_text=t("units_axis", lang), range=[0, float(w["units"].max() or 1) * 1.35], tickformat=fmt.AXIS[COUNT]
    )
    return _layout(fig, t("promo_weekly_title", lang, promo=promo), height=460)


def visits_by_manager(df: pd.DataFrame, lang: str) -> go.Figure:
    """Visits per KA manager (left) and their Attack stores, visited or not (right)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        horizontal_spacing=0.12,
        subplot_titles=(label("visits", lang), t("attack", lang)),
    )
    fig.add_bar(
        y=df["ka_manager"],
        x=df["visits"],
        orientation="h",
        name=label("visits", lang),
        marker_color="#2e6fbd",
        row=1,
        col=1,
        showlegend=False,
        text=df["visits"],
        textposition="outside",
        cliponaxis=False,
    )
    fig.add_bar(
        y=df["ka_manager"],
        x=df["attack_visited"],
        orientation="h",
        name=t("attack_visited", lang),
        marker_color="#e4572e",
        row=1,
        col=2,
    )
    fig.add_bar(
        y=df["ka_manager"],
        x=df["attack"] - df["attack_visited"],
        orientation="h",
        name=t("attack_not_visited", lang),
        marker_color="#f4c7bb",
        row=1,
        col=2,
    )
    fig.update_yaxes(autorange="reversed")
    fig = _layout(fig, t("by_manager_title", lang), height=max(420, 40 * len(df) + 160))
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.12, yanchor="top", x=1, xanchor="right"))
    return fig


def shelf_vs_share(df: pd.DataFrame, lang: str) -> go.Figure:
    fig = go.Figure()
    top = float(max(df["share_of_shelf"].max(), df["customer_share"].max(), 0.05)) * 1.05 if len(df) else 1
    fig.add_scatter(
        x=[0, top],
        y=[0, top],
        mode="lines",
        line=dict(color="#999", dash="dash"),
        name=t("shelf_line", lang),
        hoverinfo="skip",
    )
    for quad, g in df.groupby("quadrant"):
        fig.add_scatter(
            x=g["customer_share"],
            y=g["share_of_shelf"],
            mode="markers",
            name=i18n.quadrant(quad, lang),
            marker=dict(size=10, color=QUADRANT_COLORS.get(quad, "#888"), opacity=0.8),
            customdata=g[["store_id", "store_name"]].values,
            hovertemplate="<b>%{customdata[1]}</b> (%{customdata[0]})<br>"
            + label("customer_share", lang)
            + ": "
            + fmt.hover(SHARE, "x")
            + "<br>"
            + label("share_of_shelf", lang)
            + ": "
            + fmt.hover(SHARE, "y")
            + "<extra></extra>",
        )
    fig.update_xaxes(title_text=label("customer_share", lang) + " (%)", tickformat=fmt.AXIS[SHARE], range=[0, top])
    fig.update_yaxes(title_text=label("share_of_shelf", lang) + " (%)", tickformat=fmt.AXIS[SHARE], range=[0, top])
    return _layout(fig, t("shelf_title", lang), height=480)


# Effects with confidence (domain.md): lift against control stores, the visit effect -----------


def promo_effects(e: pd.DataFrame, lang: str) -> go.Figure:
    """Per promotion: the naive lift and the lift against control stores with its 90% interval;
    filled dots are significant."""
    if e.empty:
        return empty(t("no_data", lang))
    sig = e["significant"].fillna(False).astype(bool)
    fig = go.Figure()
    fig.add_scatter(
        x=e["naive_lift_pct"],
        y=e["promo_id"],
        mode="markers",
        name=t("naive_lift", lang),
        marker=dict(symbol="diamond", size=10, color="#9fb3c8"),
        hovertemplate="%{y}: " + fmt.hover(PCT, "x", lang) + "<extra></extra>",
    )
    has = e["lift_low"].notna()
    fig.add_scatter(
        x=e["lift_vs_control_pct"],
        y=e["promo_id"],
        mode="markers",
        name=t("control_lift", lang),
        marker=dict(
            size=12,
            color=["#1f4e8c" if s else "white" for s in sig],
            line=dict(color="#1f4e8c", width=2),
        ),
        error_x=dict(
            type="data",
            symmetric=False,
            array=(e["lift_high"] - e["lift_vs_control_pct"]).where(has, 0),
            arrayminus=(e["lift_vs_control_pct"] - e["lift_low"]).where(has, 0),
            color="#1f4e8c",
            thickness=1.5,
        ),
        text=[t("significant_yes" if s else "significant_no", lang) for s in sig],
        hovertemplate="%{y}: " + fmt.hover(PCT, "x", lang) + " (%{text})<extra></extra>",
    )
    fig.add_vline(x=0, line_color="#333", line_width=1)
    fig.update_xaxes(title_text=t("lift_axis", lang), ticksuffix="%")
    fig.update_yaxes(type="category", automargin=True)
    fig.update_layout(legend=dict(orientation="h", y=-0.12 if len(e) > 10 else -0.3))
    return _layout(fig, t("promo_effects_title", lang), height=max(420, 22 * len(e) + 160))


def promo_weekly_with_control(w: pd.DataFrame, promo: str, lang: str) -> go.Figure:
    """promo_weekly with the control stores' line (their weekly units scaled to the promoted baseline)."""
    fig = promo_weekly(w, promo, lang)
    if "control_units" in w and w["control_units"].notna().any():
        fig.add_scatter(
            x=w["week"],
            y=w["control_units"],
            mode="lines+markers",
            name=t("control_line", lang),
            line=dict(color="#2e6fbd", width=3),
            hovertemplate=fmt.hover(DATE, "x", lang) + ": " + fmt.hover(COUNT, "y") + "<extra></extra>",
        )
    return fig


def visit_effect(df: pd.DataFrame, lang: str) -> go.Figure:
    """Own sales against control stores in the weeks around a visit, with the 90% bootstrap band."""
    d = df.dropna(subset=["effect_pct"])
    if d.empty:
        return empty(t("visit_effect_none", lang))
    fig = go.Figure()
    band = d.dropna(subset=["low", "high"])
    fig.add_scatter(
        x=list(band["rel_week"]) + list(band["rel_week"][::-1]),
        y=list(band["high"]) + list(band["low"][::-1]),
        fill="toself",
        fillcolor="rgba(46,111,189,0.18)",
        line=dict(width=0),
        hoverinfo="skip",
        name="90%",
    )
    fig.add_scatter(
        x=d["rel_week"],
        y=d["effect_pct"],
        mode="lines+markers",
        name=label("effect_pct", lang),
        line=dict(color="#2e6fbd", width=3),
        hovertemplate="%{x}: " + fmt.hover(PCT, "y", lang) + "<extra></extra>",
    )
    fig.add_hline(y=0, line_color="#333", line_width=1)
    fig.add_vline(x=0, line_color="#e4572e", line_dash="dash", line_width=2)
    fig.update_xaxes(title_text=t("weeks_from_visit", lang), dtick=1)
    fig.update_yaxes(title_text=label("effect_pct", lang), ticksuffix="%")
    return _layout(fig, t("visit_effect_title", lang), height=420)


# The meeting pack (Overview, export) ---------------------------------------------------------


def source_line(fig: go.Figure, text: str) -> go.Figure:
    """A line under the chart naming its period and filters, so that a screenshot stands alone."""
    fig.add_annotation(
        text=text,
        showarrow=False,
        x=0,
        xref="paper",
        xanchor="left",
        y=0,
        yref="paper",
        yanchor="top",
        yshift=-45,
        font=dict(size=12, color="#777"),
    )
    fig.update_layout(margin=dict(b=85))
    return fig


def trend(df: pd.DataFrame, lang: str) -> go.Figure:
    """Customer share by week, one line per chain (the trend report); the title names the leader."""
    if df.empty:
        return empty(t("no_data", lang))
    fig = go.Figure()
    for chain, g in df.groupby("chain", sort=True):
        fig.add_scatter(
            x=g["week"],
            y=g["customer_share"],
            mode="lines",
            name=chain,
            line=dict(color=chain_color(chain), width=2),
            hovertemplate=f"{chain}<br>%{{x|{fmt.date_tick(lang)}}}: " + fmt.hover(SHARE, "y") + "<extra></extra>",
        )
    last = df[df["week"] == df["week"].max()].dropna(subset=["customer_share"])
    lead = last.sort_values(["customer_share", "chain"], ascending=[False, True]).head(1)
    title = t("trend_title", lang)
    if len(lead):
        title = t(
            "trend_chart_title", lang, chain=lead["chain"].iloc[0], share=fmt.pct(lead["customer_share"].iloc[0], lang)
        )
    fig.update_yaxes(title_text=label("customer_share", lang), tickformat=fmt.AXIS[SHARE], rangemode="tozero")
    fig.update_xaxes(tickformat=fmt.date_tick(lang))
    return _layout(fig, title, height=440)


def targets(df: pd.DataFrame, lang: str) -> go.Figure:
    """Attainment per chain (bars) against the time elapsed (a marker): behind = red."""
    d = df[df["category"].isna()].dropna(subset=["attainment"])
    if d.empty:
        return empty(t("no_data", lang))
    d = d[d["year"] == d["year"].max()].sort_values(["attainment", "chain"], ascending=[False, True])
    behind = d["attainment"] < d["expected"]
    fig = go.Figure()
    fig.add_bar(
        x=d["chain"],
        y=d["attainment"],
        name=label("attainment", lang),
        marker_color=["#d62728" if b else "#2e6fbd" for b in behind],
        text=[fmt.pct(v, lang, 0) for v in d["attainment"]],
        # Inside the bar's top: clear of the time-elapsed marker just above or below it.
        textposition="inside",
        insidetextanchor="middle",
        textfont=dict(color="white", size=16),
        hovertemplate="%{x}: " + fmt.hover(SHARE, "y") + "<extra></extra>",
    )
    fig.add_scatter(
        x=d["chain"],
        y=d["expected"],
        mode="markers",
        name=label("expected", lang),
        marker=dict(symbol="line-ew", size=40, line=dict(width=4, color="#333")),
        hovertemplate="%{x}: " + fmt.hover(SHARE, "y") + "<extra></extra>",
    )
    top = max(float(d["attainment"].max()), float(d["expected"].max())) * 1.2
    fig.update_yaxes(title_text=label("attainment", lang), tickformat=fmt.AXIS[SHARE], range=[0, top])
    title = t(
        "targets_chart_title",
        lang,
        behind=int(behind.sum()),
        n=len(d),
        expected=fmt.pct(float(d["expected"].iloc[0]), lang, 0),
    )
    return _layout(fig, f"{int(d['year'].iloc[0])}: {title}", height=420)
