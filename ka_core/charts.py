"""Chart builders: pure functions DataFrame -> plotly Figure, readable from the back of a room.

Labels come from ka_core.metrics / ka_core.i18n, number formats (texts, hovers,
ticks) from ka_core.fmt; a chain or a quadrant has the same colour on every
page. `currency` is the setting's symbol (None: its default).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from . import fmt, i18n
from . import names as _names
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


# Phones (390 px) and projectors alike. The page cannot know the screen's width, so every chart's
# title is wrapped at a width that fits a phone (about 350 px of chart), the legend sits below the
# plot (never over the title), and the margins are set from the lines they hold.
TITLE_SIZE = 18
SOURCE_SIZE = 12
LEGEND_SIZE = 13
CHART_PX = 340  # the width every title line and legend row is budgeted for (a 390 px phone)
LABELS = 15  # the stores labelled on a scatter, biggest opportunity first (at most about 40)
TITLE_DROP = 14  # px
_WIDE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
_TOKENS = re.compile(
    r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|[^\s\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+|\s+"
)
_TAGS = re.compile(r"<[^>]+>")


def text_em(text: str) -> float:
    """A text's width in ems, an upper estimate: a Chinese character 1 em, a capital or digit 0.68, other 0.56."""
    plain = _TAGS.sub("", text)
    return sum(
        1.0 if _WIDE.match(ch) else 0.3 if ch == " " else 0.68 if ch.isupper() or ch.isdigit() else 0.56 for ch in plain
    )


def wrap(text: str, size: int, px: int = CHART_PX) -> list[str]:
    """`text` in lines no wider than `px` at font `size` (words kept whole; Chinese breaks anywhere)."""
    budget = px / size
    lines: list[str] = []
    line = ""
    for token in _TOKENS.findall(" ".join(text.replace("<br>", " ").split())):
        if line and not token.isspace() and text_em(line + token) > budget and line.strip():
            lines.append(line.rstrip())
            line = ""
        if not (token.isspace() and not line):
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def _legend_rows(fig: go.Figure) -> int:
    """How many rows the horizontal legend takes on a phone (0: no legend)."""
    entries = [tr.name for tr in fig.data if tr.name and tr.showlegend is not False]
    if len(entries) < 2 or fig.layout.showlegend is False:
        return 0
    widths = [40 + text_em(name) * LEGEND_SIZE for name in entries]  # the symbol and its gap, then the text
    if sum(widths) <= CHART_PX:
        return 1
    # A legend that wraps is laid out in columns as wide as its widest entry (plotly).
    per_row = max(1, int(CHART_PX // max(widths)))
    return math.ceil(len(entries) / per_row)


def _fit(fig: go.Figure) -> go.Figure:
    """Margins from the title's and the legend's lines, the legend below the plot clear of the axis title."""
    lines = (fig.layout.title.text or "").count("<br>") + 1 if fig.layout.title.text else 0
    sub = fig.layout.title.subtitle.text
    sub_lines = sub.count("<br>") + 1 if sub else 0
    top = TITLE_DROP + 12 + lines * round(TITLE_SIZE * 1.3) + sub_lines * round(SOURCE_SIZE * 1.4) + 10
    rows = _legend_rows(fig)
    axis_px = 62 if any(ax.title.text for ax in (fig.layout.xaxis,) if ax) else 34
    bottom = axis_px + rows * 24 + (8 if rows else 0)
    fig.update_layout(
        # plotly anchors a title of several lines by its first line: moved down so that line is whole
        title_y=1 - TITLE_DROP / (fig.layout.height or 450),
        margin=dict(l=10, r=10, t=top + _extra_top(fig), b=bottom),
        legend=dict(
            orientation="h",
            x=0,
            xanchor="left",
            y=0,
            yanchor="bottom",
            yref="container",
            font=dict(size=LEGEND_SIZE),
        ),
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _extra_top(fig: go.Figure) -> int:
    """Room above the plot that a chart asked for (subplot titles, a label over the plot)."""
    meta = fig.layout.meta
    return int(meta.get("extra_top", 0)) if isinstance(meta, dict) else 0


def _layout(
    fig: go.Figure, title: str, height: int = 480, source: str | None = None, extra_top: int = 0, lang: str = "en"
) -> go.Figure:
    numbers = fmt.axis_numbers(lang)  # in 中文 no SI suffix (80k) on any axis
    if numbers:
        fig.update_xaxes(**numbers)
        fig.update_yaxes(**numbers)
    if extra_top:
        fig.update_layout(meta=dict(extra_top=extra_top))
    fig.update_layout(
        title=dict(
            text="<br>".join(wrap(title, TITLE_SIZE)),
            font=dict(size=TITLE_SIZE),
            x=0,
            xref="container",
            xanchor="left",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(l=8, t=12),
            subtitle=dict(
                text="<br>".join(wrap(source, SOURCE_SIZE)) if source else None,
                font=dict(size=SOURCE_SIZE, color="#666"),
            ),
        ),
        font=FONT,
        height=height,
        hoverlabel=dict(font_size=14),
    )
    return _fit(fig)


def _shown(value, kind: str, lang: str, names: _names.Lookup | None):
    """A chain, region, category or mechanic as the user reads it (the `names` table), else itself."""
    if kind == "mechanic" and not (names and names.get("mechanic", {}).get(value)):
        return i18n.mechanic(value, lang)
    return _names.shown(value, kind, names or {}, lang)


def empty(message: str) -> go.Figure:
    """A chart-sized message instead of an empty axis."""
    fig = go.Figure()
    fig.add_annotation(
        text=message, showarrow=False, font=dict(size=18, color="#666"), x=0.5, y=0.5, xref="paper", yref="paper"
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, "", height=240)


def pareto(
    df: pd.DataFrame,
    lang: str,
    a_cut: float,
    b_cut: float,
    currency: str | None = None,
    names: _names.Lookup | None = None,
) -> go.Figure:
    """Own sales by chain as bars (coloured A/B/C) and the cumulative share as a line; the title
    says how many chains make class A. A bar's customdata[0] is its chain (a click filters to it)."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    shown = [_shown(c, "chain", lang, names) for c in df["chain"]]
    fig.add_bar(
        x=shown,
        y=df["own_revenue"],
        marker_color=[ABC_COLORS[a] for a in df["abc"]],
        text=[f"{a}" for a in df["abc"]],
        textposition="outside",
        name=label("own_revenue", lang),
        customdata=[
            [c, fmt.money(v, lang, currency), fmt.pct(s, lang)]
            for c, v, s in zip(df["chain"], df["own_revenue"], df["share"], strict=True)
        ],
        hovertemplate="%{x}<br>%{customdata[1]} (%{customdata[2]})<extra></extra>",
    )
    fig.add_scatter(
        x=shown,
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
    fig.update_yaxes(title_text=money_title("own_revenue", lang, currency), range=[0, top], secondary_y=False)
    money_axis(fig, top, lang, currency=currency, secondary_y=False)
    fig.update_yaxes(
        title_text=label("cum_share", lang) + " (%)",
        tickformat=fmt.AXIS[SHARE],
        range=[0, 1.05],
        dtick=0.2,
        secondary_y=True,
    )
    fig.update_yaxes(showgrid=False, secondary_y=True)
    a = df[df["abc"] == "A"]
    title = t("pareto_point", lang, n=len(a), share=fmt.pct(float(a["share"].sum()), lang, 0))
    return _layout(fig, title, height=440, lang=lang)


def money_title(metric: str, lang: str, currency: str | None = None) -> str:
    """An axis title for money: the metric and its currency, e.g. "Own sales (¥)"."""
    return f"{label(metric, lang)} ({fmt.default_currency() if currency is None else currency})"


def fitted(values: pd.Series, floor: float | None = 0.0, pad: float = 0.06) -> list[float]:
    """An axis range around the data (no half-empty axis): min to max with a margin, not below `floor`."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    if values.empty:
        return [0.0 if floor is None else floor, 1.0]
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo or abs(hi) or 1.0
    lo, hi = lo - pad * span, hi + pad * span
    return [lo if floor is None else max(floor, lo), hi]


def top_by_opportunity(d: pd.DataFrame, n: int) -> list[str]:
    """The store_ids of the `n` biggest opportunities (> 0), biggest first, ties by store_id."""
    ranked = d[d["opportunity"] > 0].sort_values(["opportunity", "store_id"], ascending=[False, True])
    return list(ranked["store_id"].head(n))


# Where a label may sit, as (dx, dy) px from its point: close first, then further with a leader line.
LABEL_SPOTS = ((0, -20), (0, 20), (36, -16), (-36, -16), (36, 16), (-36, 16), (0, -38), (0, 38), (56, 0), (-56, 0))
LABEL_SIZE = 11
PHONE_PLOT = (270, 0.62)  # a phone's plot: px wide, and the share of the chart's height it gets


def place_labels(
    d: pd.DataFrame,
    stores: list[str],
    xcol: str,
    ycol: str,
    x_range: list[float],
    y_range: list[float],
    height: int,
    log_x: bool = False,
) -> list[tuple[str, float, float, int, int]]:
    """Labels for `stores` (in that order) that overlap no other label: (store_id, x, y, dx, dy).

    Placed on a phone's plot (the narrowest the chart is drawn): where labels clear each other
    there, they clear each other on a wider screen too (points only move apart). A store whose
    label finds no free spot is left unlabelled.
    """
    width, plot_h = PHONE_PLOT[0], PHONE_PLOT[1] * height

    def px(x: float, y: float) -> tuple[float, float]:
        x0, x1 = (math.log10(v) for v in x_range) if log_x else x_range
        xv = math.log10(x) if log_x else x
        return (xv - x0) / ((x1 - x0) or 1) * width, (y_range[1] - y) / ((y_range[1] - y_range[0]) or 1) * plot_h

    rows = d.drop_duplicates("store_id").set_index("store_id")
    boxes: list[tuple[float, float, float, float]] = []
    out = []
    for sid in stores:
        x, y = float(rows.at[sid, xcol]), float(rows.at[sid, ycol])
        cx, cy = px(x, y)
        w, h = text_em(sid) * LABEL_SIZE + 4, LABEL_SIZE + 4
        for dx, dy in LABEL_SPOTS:
            box = (cx + dx - w / 2, cy + dy - h / 2, cx + dx + w / 2, cy + dy + h / 2)
            inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= plot_h
            if inside and not any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in boxes):
                boxes.append(box)
                out.append((sid, x, y, dx, dy))
                break
    return out


def _add_labels(fig: go.Figure, placed, log_x: bool = False) -> None:
    """The placed labels as annotations with a thin leader line to their point."""
    for sid, x, y, dx, dy in placed:
        fig.add_annotation(
            x=math.log10(x) if log_x else x,
            y=y,
            text=sid,
            ax=dx,
            ay=dy,
            showarrow=True,
            arrowhead=0,
            arrowwidth=1,
            arrowcolor="#888",
            standoff=4,
            font=dict(size=LABEL_SIZE, color="#222"),
            bgcolor="rgba(255,255,255,0.7)",
            name="store_label",
        )


def diagonal(fig: go.Figure, x_range: list[float], y_range: list[float], name: str) -> None:
    """The y = x line (fair share, shelf = share) across the part of the fitted axes where it shows."""
    lo, hi = max(x_range[0], y_range[0]), min(x_range[1], y_range[1])
    if lo < hi:
        fig.add_scatter(
            x=[lo, hi], y=[lo, hi], mode="lines", line=dict(color="#999", dash="dash"), name=name, hoverinfo="skip"
        )


def share_scatter(
    q: pd.DataFrame,
    lang: str,
    currency: str | None = None,
    names: _names.Lookup | None = None,
    labels: int = LABELS,
) -> go.Figure:
    """Customer share against market share per store, coloured by chain, sized by potential; the
    `labels` biggest opportunities carry their store id, the axes fit the data, the title says
    how much opportunity the stores below fair share hold. customdata[0] is the store (a click
    opens it)."""
    d = q.dropna(subset=["customer_share", "market_share"])
    fig = go.Figure()
    x_range = fitted(d["market_share"]) if len(d) else [0, 1]
    y_range = fitted(d["customer_share"]) if len(d) else [0, 1]
    diagonal(fig, x_range, y_range, t("fair_share_line_short", lang))
    size_ref = float(d["potential"].max()) if len(d) else 1
    top = top_by_opportunity(d, labels)
    for chain, g in d.groupby("chain"):
        fig.add_scatter(
            x=g["market_share"],
            y=g["customer_share"],
            mode="markers",
            name=_shown(chain, "chain", lang, names),
            marker=dict(
                size=8 + 30 * (g["potential"] / size_ref) ** 0.5,
                color=chain_color(chain),
                opacity=0.75,
                line=dict(width=0.5, color="white"),
            ),
            customdata=g[["store_id", "store_name", "potential", "fair_share_index", "chain"]].values,
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
    fig.update_xaxes(title_text=label("market_share", lang) + " (%)", tickformat=fmt.AXIS[SHARE], range=x_range)
    fig.update_yaxes(title_text=label("customer_share", lang) + " (%)", tickformat=fmt.AXIS[SHARE], range=y_range)
    height = 600
    placed = place_labels(d, top, "market_share", "customer_share", x_range, y_range, height)
    _add_labels(fig, placed)
    below = d[d["opportunity"] > 0]
    title = t(
        "share_point",
        lang,
        n=fmt.count(len(below), lang),
        opp=fmt.money(float(below["opportunity"].sum()), lang, currency),
        k=len(placed),
    )
    return _layout(fig, title, height=height, lang=lang)


def store_weekly(
    w: pd.DataFrame,
    visits: pd.DataFrame,
    market_share: float | None,
    store: str,
    lang: str,
    currency: str | None = None,
    customer_share: float | None = None,
) -> go.Figure:
    """A store's weekly own and category sales (top), customer share against market share (bottom), visits marked.

    With the period's `customer_share` the title states where the store stands against the market."""
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
    fig.update_yaxes(
        title_text=f"{t('revenue_axis', lang)} ({fmt.default_currency() if currency is None else currency})",
        rangemode="tozero",
        row=1,
        col=1,
    )
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
    title = t("store_weekly_title", lang, store=store)
    if not fmt.missing(customer_share) and not fmt.missing(market_share):
        key = "store_point_below" if customer_share < market_share else "store_point_above"
        title = t(key, lang, store=store, cs=fmt.pct(customer_share, lang), ms=fmt.pct(market_share, lang))
    return _layout(fig, title, height=620, lang=lang)


def quadrant_scatter(
    q: pd.DataFrame,
    lang: str,
    fsi_threshold: float,
    a_cut_potential: float | None,
    currency: str | None = None,
    names: _names.Lookup | None = None,
    labels: int = LABELS,
) -> go.Figure:
    """Potential (log) against fair-share index, coloured by quadrant, with the cut lines; the
    biggest opportunities labelled, the index axis fitted to the data. customdata[0] is the store,
    customdata[4] its quadrant (a click opens the store)."""
    d = q.dropna(subset=["potential", "fair_share_index"])
    d = d[d["potential"] > 0]
    top = top_by_opportunity(d, labels)
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
            customdata=[
                [sid, name, _shown(c, "chain", lang, names), o, quad]
                for sid, name, c, o in zip(g["store_id"], g["store_name"], g["chain"], g["opportunity"], strict=True)
            ],
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
        lo, hi = (math.log10(float(v)) for v in (d["potential"].min(), d["potential"].max())) if len(d) else (0, 1)
        right_half = math.log10(a_cut_potential) > (lo + hi) / 2
        fig.add_annotation(
            x=math.log10(a_cut_potential),
            xref="x",
            y=0.93,
            yref="paper",
            # on the side with room: a line in the right half gets its label on its left
            xanchor="right" if right_half else "left",
            yanchor="top",
            showarrow=False,
            text=t("a_cut_short", lang),
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
    fig.update_xaxes(
        type="log",
        title_text=f"{t('potential_axis', lang)} ({fmt.default_currency() if currency is None else currency})",
    )
    if len(d):  # the index axis around the data and the threshold line; the biggest opportunities labelled
        y_range = fitted(pd.concat([d["fair_share_index"], pd.Series([float(fsi_threshold)])]), pad=0.12)
        x_range = [float(d["potential"].min()) / 1.25, float(d["potential"].max()) * 1.25]
        fig.update_yaxes(range=y_range)
        fig.update_xaxes(range=[math.log10(v) for v in x_range])
        placed = place_labels(d, top, "potential", "fair_share_index", x_range, y_range, 580, log_x=True)
        _add_labels(fig, placed, log_x=True)
    fig.update_yaxes(title_text=t("fsi_axis", lang))
    attack = d[d["quadrant"] == "Attack"]
    title = t(
        "quadrant_point",
        lang,
        n=fmt.count(len(attack), lang),
        opp=fmt.money(float(attack["opportunity"].sum()), lang, currency),
    )
    fig = _layout(fig, title, height=580, lang=lang)
    fig.update_layout(showlegend=False)  # the corners name the quadrants
    return fig


def money_axis(
    fig: go.Figure, hi: float, lang: str, axis: str = "y", currency: str | None = None, lo: float = 0.0, **where
) -> None:
    """Money ticks as people read them (¥172K, ¥1.5M; ¥17万, ¥1.5亿) on a linear axis from 0, or from
    lo below 0 (fmt.money_ticks)."""
    ticks, texts = fmt.money_ticks(hi, lang, currency, lo)
    if ticks:
        update = fig.update_yaxes if axis == "y" else fig.update_xaxes
        update(tickvals=ticks, ticktext=texts, **where)


def quadrant_bars(summary: pd.DataFrame, lang: str, currency: str | None = None) -> go.Figure:
    """Stores (bars, with their count) per quadrant; each quadrant's opportunity under its name."""
    fig = go.Figure(
        go.Bar(
            x=[i18n.quadrant(q, lang) for q in summary["quadrant"]],
            y=summary["stores"],
            marker_color=[QUADRANT_COLORS[q] for q in summary["quadrant"]],
            # the count, and the opportunity under it: narrow bars (a phone, a column) keep both readable
            text=[
                f"<b>{fmt.count(n, lang)}</b><br>{fmt.money_short(o, lang, currency)}"
                for n, o in zip(summary["stores"], summary["opportunity"], strict=True)
            ],
            textposition="outside",
            textfont=dict(size=13),
            cliponaxis=False,
            hovertemplate="%{x}: %{y}<extra></extra>",
        )
    )
    fig.update_xaxes(tickangle=0)
    fig.update_traces(customdata=[[q] for q in summary["quadrant"]])  # a click picks the quadrant
    fig.update_yaxes(title_text=t("stores", lang), range=[0, float(summary["stores"].max()) * 1.35 + 1])
    total = float(summary["opportunity"].sum())
    attack = summary[summary["quadrant"] == "Attack"]
    title = t(
        "quadrant_bars_point",
        lang,
        n=fmt.count(int(attack["stores"].sum()), lang),
        share=fmt.pct(float(attack["opportunity"].sum()) / total if total else None, lang, 0),
    )
    return _layout(fig, title, height=460, lang=lang)


def promo_profit(
    summary: pd.DataFrame, lang: str, currency: str | None = None, names: _names.Lookup | None = None
) -> go.Figure:
    """Each promotion's incremental gross profit against its cost; above the diagonal it paid (the title counts them)."""
    d = summary.dropna(subset=["incremental_gross_profit", "cost"])
    fig = go.Figure()
    hi = float(max(d["cost"].max(), 1)) * 1.1 if len(d) else 1  # the diagonal spans the costs
    fig.add_scatter(
        x=[0, hi],
        y=[0, hi],
        mode="lines",
        line=dict(color="#999", dash="dash"),
        name=t("roi_zero_short", lang),
        hoverinfo="skip",
    )
    for mech, g in d.groupby("mechanic"):
        fig.add_scatter(
            x=g["cost"],
            y=g["incremental_gross_profit"],
            mode="markers",
            name=_shown(mech, "mechanic", lang, names),
            marker=dict(size=12, opacity=0.85, color=MECHANIC_COLORS.get(mech, "#7f7f7f")),
            # gross profit may be negative: its text from fmt (-¥1,234), not a hover format (¥-1,234)
            customdata=[
                [p, _shown(c, "chain", lang, names), r, fmt.money_full(gp, lang, currency)]
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
    fig.update_xaxes(title_text=money_title("cost", lang, currency))
    fig.update_yaxes(title_text=money_title("incremental_gross_profit", lang, currency))
    if len(d):
        money_axis(fig, hi, lang, axis="x", currency=currency)
        fig.update_xaxes(range=[-0.03 * hi, hi])
        lo, top = float(min(d["incremental_gross_profit"].min(), 0)), float(d["incremental_gross_profit"].max())
        money_axis(fig, top, lang, currency=currency, lo=lo)  # a loss below 0 reads -¥2万 too
    roi = d["roi"].dropna()
    title = t("promo_profit_point", lang, n=int((roi > 0).sum()), m=len(roi))
    return _layout(fig, title, height=520, lang=lang)


def lift_by_mechanic(df: pd.DataFrame, lang: str, names: _names.Lookup | None = None) -> go.Figure:
    """The median lift per mechanic; the title names the mechanic that lifts most."""
    fig = go.Figure(
        go.Bar(
            x=[_shown(m, "mechanic", lang, names) for m in df["mechanic"]],
            y=df["lift_pct"],
            marker_color=[MECHANIC_COLORS.get(m, "#7f7f7f") for m in df["mechanic"]],
            text=[fmt.signed_pct(v, lang, 0) for v in df["lift_pct"]],
            textposition="outside",
            hovertemplate="%{x}: " + fmt.hover(PCT, "y", digits=0) + "<extra></extra>",
        )
    )
    fig.update_yaxes(title_text=label("lift_pct", lang), ticksuffix="%")
    title = t("lift_by_mechanic_title", lang)
    best = df.dropna(subset=["lift_pct"]).sort_values(["lift_pct", "mechanic"], ascending=[False, True]).head(1)
    if len(best):
        title = t(
            "lift_point",
            lang,
            mech=_shown(best["mechanic"].iloc[0], "mechanic", lang, names),
            lift=fmt.signed_pct(float(best["lift_pct"].iloc[0]), lang, 0),
        )
    return _layout(fig, title, height=500, lang=lang)


def promo_weekly(w: pd.DataFrame, promo: str, lang: str, summary: dict | None = None) -> go.Figure:
    """Weekly units with the baseline, promotion weeks shaded, post weeks and OOS visits marked.

    With the promotion's promo-summary row the title states its incremental units and ROI."""
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
                # the post weeks' label a line lower: on a phone the two bands are narrower than their labels
                annotation=dict(yshift=-18) if phase == "post" else None,
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
    title = t("promo_weekly_title", lang, promo=promo)
    if summary and not fmt.missing(summary.get("incremental_units")):
        title = t(
            "promo_weekly_point",
            lang,
            promo=promo,
            units=fmt.number(summary["incremental_units"], lang, 0),
            roi=fmt.pct(summary.get("roi"), lang, 0),
        )
    return _layout(fig, title, height=480, lang=lang)


def visits_by_manager(df: pd.DataFrame, lang: str) -> go.Figure:
    """Visits per KA manager (left) and their Attack stores, visited or not (right)."""
    fig = make_subplots(
        rows=1,
        cols=2,
        column_widths=[0.55, 0.45],
        horizontal_spacing=0.06,
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
    fig.update_yaxes(showticklabels=False, row=1, col=2)  # the same managers as on the left
    fig.update_xaxes(range=[0, float(df["visits"].max() or 1) * 1.2], row=1, col=1)  # room for the counts
    fig.update_layout(barmode="stack")
    title = t(
        "by_manager_point",
        lang,
        a=fmt.count(int(df["attack_visited"].sum()), lang),
        b=fmt.count(int(df["attack"].sum()), lang),
        n=len(df),
    )
    return _layout(fig, title, height=max(440, 40 * len(df) + 200), extra_top=24, lang=lang)


def shelf_vs_share(df: pd.DataFrame, lang: str) -> go.Figure:
    """Share of shelf against customer share per store, axes fitted; the title counts the stores
    with less shelf than share."""
    fig = go.Figure()
    d = df.dropna(subset=["share_of_shelf", "customer_share"])
    x_range = fitted(d["customer_share"]) if len(d) else [0, 1]
    y_range = fitted(d["share_of_shelf"]) if len(d) else [0, 1]
    diagonal(fig, x_range, y_range, t("shelf_line", lang))
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
    fig.update_xaxes(title_text=label("customer_share", lang) + " (%)", tickformat=fmt.AXIS[SHARE], range=x_range)
    fig.update_yaxes(title_text=label("share_of_shelf", lang) + " (%)", tickformat=fmt.AXIS[SHARE], range=y_range)
    less = int((d["share_of_shelf"] < d["customer_share"]).sum())
    return _layout(fig, t("shelf_point", lang, n=less, m=len(d)), height=500, lang=lang)


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
    fig.update_xaxes(title_text=t("lift_axis", lang).replace(" %", "") + " (%)", ticksuffix="%")
    fig.update_yaxes(type="category", automargin=True)
    title = t("promo_effects_point", lang, k=int(sig.sum()), n=len(e))
    return _layout(fig, title, height=max(440, 22 * len(e) + 200), lang=lang)


def promo_weekly_with_control(w: pd.DataFrame, promo: str, lang: str, summary: dict | None = None) -> go.Figure:
    """promo_weekly with the control stores' line (their weekly units scaled to the promoted baseline)."""
    fig = promo_weekly(w, promo, lang, summary)
    if "control_units" in w and w["control_units"].notna().any():
        fig.add_scatter(
            x=w["week"],
            y=w["control_units"],
            mode="lines+markers",
            name=t("control_line", lang),
            line=dict(color="#2e6fbd", width=3),
            hovertemplate=fmt.hover(DATE, "x", lang) + ": " + fmt.hover(COUNT, "y") + "<extra></extra>",
        )
    return _fit(fig)


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
    fig.update_yaxes(title_text=label("effect_pct", lang) + " (%)", ticksuffix="%")
    last = d.sort_values("rel_week").iloc[-1]
    title = t(
        "visit_effect_point", lang, k=int(last["rel_week"]), effect=fmt.signed_pct(float(last["effect_pct"]), lang, 0)
    )
    return _layout(fig, title, height=440, lang=lang)


# The meeting pack (Overview, export) ---------------------------------------------------------


def source_line(fig: go.Figure, text: str) -> go.Figure:
    """The chart's source (period, filters, scope) under its title, so that a screenshot stands alone.

    The title is wrapped again too: a caller may have replaced it (the meeting pack states other points).
    """
    title = _TAGS.sub(" ", (fig.layout.title.text or "").replace("<br>", " "))
    fig.update_layout(
        title_text="<br>".join(wrap(title, TITLE_SIZE)),
        title_subtitle_text="<br>".join(wrap(text, SOURCE_SIZE)),
    )
    return _fit(fig)


def trend(df: pd.DataFrame, lang: str, names: _names.Lookup | None = None) -> go.Figure:
    """Customer share by week, one line per chain (the trend report); the title names the leader.
    A point's customdata[0] is its chain (a click filters to it)."""
    if df.empty:
        return empty(t("no_data", lang))
    fig = go.Figure()
    for chain, g in df.groupby("chain", sort=True):
        shown = _shown(chain, "chain", lang, names)
        fig.add_scatter(
            x=g["week"],
            y=g["customer_share"],
            mode="lines+markers",
            marker=dict(size=4),
            name=shown,
            customdata=[[chain]] * len(g),
            line=dict(color=chain_color(chain), width=2),
            hovertemplate=f"{shown}<br>%{{x|{fmt.date_tick(lang)}}}: " + fmt.hover(SHARE, "y") + "<extra></extra>",
        )
    last = df[df["week"] == df["week"].max()].dropna(subset=["customer_share"])
    lead = last.sort_values(["customer_share", "chain"], ascending=[False, True]).head(1)
    title = t("trend_title", lang)
    if len(lead):
        title = t(
            "trend_chart_title",
            lang,
            chain=_shown(lead["chain"].iloc[0], "chain", lang, names),
            share=fmt.pct(lead["customer_share"].iloc[0], lang),
        )
    fig.update_yaxes(
        title_text=label("customer_share", lang) + " (%)",
        tickformat=fmt.AXIS[SHARE],
        range=fitted(df["customer_share"]),
    )
    fig.update_xaxes(tickformat=fmt.date_tick(lang), title_text=t("week", lang))
    return _layout(fig, title, height=480, lang=lang)


def targets(df: pd.DataFrame, lang: str, names: _names.Lookup | None = None) -> go.Figure:
    """Attainment per chain (bars) against the time elapsed (a marker): behind = red.
    A bar's customdata[0] is its chain (a click filters to it)."""
    d = df[df["category"].isna()].dropna(subset=["attainment"])
    if d.empty:
        return empty(t("no_data", lang))
    d = d[d["year"] == d["year"].max()].sort_values(["attainment", "chain"], ascending=[False, True])
    behind = d["attainment"] < d["expected"]
    fig = go.Figure()
    shown = [_shown(c, "chain", lang, names) for c in d["chain"]]
    fig.add_bar(
        x=shown,
        y=d["attainment"],
        customdata=[[c] for c in d["chain"]],
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
        x=shown,
        y=d["expected"],
        mode="markers",
        name=label("expected", lang),
        marker=dict(symbol="line-ew", size=40, line=dict(width=4, color="#333")),
        hovertemplate="%{x}: " + fmt.hover(SHARE, "y") + "<extra></extra>",
    )
    top = max(float(d["attainment"].max()), float(d["expected"].max())) * 1.2
    fig.update_yaxes(title_text=label("attainment", lang) + " (%)", tickformat=fmt.AXIS[SHARE], range=[0, top])
    title = t(
        "targets_chart_title",
        lang,
        behind=int(behind.sum()),
        n=len(d),
        expected=fmt.pct(float(d["expected"].iloc[0]), lang, 0),
    )
    return _layout(fig, f"{int(d['year'].iloc[0])}: {title}", height=440, lang=lang)
