"""The meeting pack (data-contract.md, `export`): PDF, PowerPoint or Excel for the filters.

Every number comes from the reports and views (ka_core.reports, ka_core.views),
every text format from ka_core.fmt, every label from ka_core.i18n; this module
only lays them out. `build` gathers the pack once; `write` writes it in the
format the file name asks for.

- PDF: HTML laid out by WeasyPrint, charts as PNG pictures, text in the CJK font
  (Noto Sans CJK, installed by the project's setup), embedded as subsets.
- PowerPoint: python-pptx, one slide per part, charts as pictures, the East
  Asian typeface set on every run so PowerPoint shows Chinese properly.
- Excel: one formatted sheet per report (number, percent and currency formats,
  header style, frozen header, filters, widths), text neutralised (ka_core.sheets).

Charts become pictures through kaleido and the system Chromium, with MathJax off
and plotly.js from the plotly package: nothing is downloaded at run time.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import html
import io
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import pandas as pd
import plotly.graph_objects as go

from . import charts, fmt, i18n, metrics, sheets, views
from . import names as _names
from .db import query
from .errors import KaError
from .i18n import label, t
from .reports import REPORTS
from .settings import Filters, Settings

FORMATS = ("pdf", "pptx", "xlsx")
# The PDF's font: WenQuanYi Micro Hei (fonts-wqy-microhei) covers Latin and Chinese in one
# TrueType face, which WeasyPrint subsets in a fraction of the time of Noto Sans CJK's CFF
# outlines; Noto Sans CJK (fonts-noto-cjk) is the fallback. Embedded as subsets.
CJK_FONT = "WenQuanYi Micro Hei"
CJK_FALLBACK = "Noto Sans CJK SC"
# PowerPoint's East Asian typeface: the one every Windows and Mac Office has for Simplified Chinese.
PPTX_EA_FONT = "Microsoft YaHei"
PPTX_LATIN_FONT = "Calibri"
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
ATTACK_ROWS = 15
PROMO_ROWS = 10
IMAGE_SIZE = (1100, 480)
# The charts' pictures are JPEG: Chromium encodes them, and WeasyPrint and python-pptx embed
# the bytes as they are (a PNG, WeasyPrint decodes and compresses again, its alpha channel
# apart: 0.3–0.6 s of CPU more per PDF). At scale 2 the text of the charts stays sharp.
PICTURE_FORMAT = "jpeg"

# How each KPI is shown: its label, its format.
KPI_ROWS = (
    ("own_sales", "kpi_own_sales", fmt.MONEY),
    ("customer_share", "customer_share", fmt.SHARE),
    ("market_share", "market_share", fmt.SHARE),
    ("fair_share_index", "fair_share_index", fmt.INDEX),
    ("attack_stores", "kpi_attack", fmt.COUNT),
    ("opportunity", "opportunity", fmt.MONEY),
    ("promo_roi", "kpi_roi", fmt.SHARE),
)


@dataclass
class Pack:
    """Everything the pack shows, computed once for the filters."""

    filters: Filters  # with the period as dates
    settings: Settings
    lang: str
    kpis: views.Kpis
    previous: views.Kpis | None
    year_ago: views.Kpis | None
    targets: pd.DataFrame
    trend: pd.DataFrame
    chains: pd.DataFrame
    quadrants: pd.DataFrame
    pareto: pd.DataFrame
    attack: pd.DataFrame
    promos: pd.DataFrame
    visits: views.VisitSummary
    figures: dict[str, go.Figure] = field(default_factory=dict)
    # The names table (chain, region, category… in the pack's language: 沃尔玛 for Walmart).
    names: _names.Lookup = field(default_factory=dict)
    # The reader the pack was gathered with (each report computed once; to_xlsx reuses it).
    reader: views.Source | None = None

    @property
    def period(self) -> str:
        return views.period_text(self.filters, self.lang)

    @property
    def scope(self) -> str:
        return views.scope_text(self.filters, self.lang, self.names)

    @property
    def source(self) -> str:
        return views.source_text(self.filters, self.lang, self.names)


def dated(con: duckdb.DuckDBPyConnection, filters: Filters) -> Filters:
    """The filters with the period as dates: an open end becomes the first or last week with sales."""
    if filters.date_from and filters.date_to:
        return filters
    got = query(
        con,
        "SELECT min(week) AS first, max(week) AS last FROM ka_sales_weekly "
        "WHERE week >= coalesce(CAST(date_trunc('week', CAST($date_from AS DATE)) AS DATE), DATE '0001-01-01') "
        "AND week <= coalesce(CAST($date_to AS DATE), DATE '9999-12-31')",
        {"date_from": filters.date_from, "date_to": filters.date_to},
    ).to_pylist()[0]
    if got["first"] is None:
        raise KaError("Nothing to export: no sales in this period. Widen the period or load sales first.")
    return replace(
        filters,
        date_from=filters.date_from or got["first"],
        date_to=filters.date_to or got["last"] + dt.timedelta(days=6),
    )


class Reader:
    """The pack's source of rows (views.Source): each report or query computed once per filters
    and settings, however many parts of the pack (and the workbook) read it."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.done: dict[tuple, pd.DataFrame] = {}

    def __call__(self, name: str, filters: Filters, settings: Settings) -> pd.DataFrame:
        key = (name, filters, settings)
        if key not in self.done:
            self.done[key] = views.rows(self.con, name, filters, settings)
        return self.done[key].copy()  # callers may add columns; the kept rows stay as computed


def build(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    settings: Settings,
    lang: str = "en",
    with_figures: bool = True,
) -> Pack:
    """Gather the pack's numbers (reports and views, each computed once) and its charts
    (not needed for the workbook: `with_figures=False`)."""
    f = dated(con, filters)
    before = views.previous(f)
    src = Reader(con)
    quadrants = src("quadrants", f, settings)
    attack = quadrants[quadrants["quadrant"] == "Attack"].sort_values(
        ["opportunity", "store_id"], ascending=[False, True]
    )
    promos = src("promo-summary", f, settings)
    promos = promos.sort_values(["roi", "promo_id"], ascending=[False, True], na_position="last")
    pack = Pack(
        filters=f,
        settings=settings,
        lang=lang,
        kpis=views.kpis(src, f, settings),
        previous=views.kpis(src, before, settings) if before else None,
        year_ago=views.yoy_kpis(src, f, settings),
        # the latest year first, as its chart shows it (the report lists years in order)
        targets=src("targets", f, settings).sort_values("year", ascending=False, kind="stable", ignore_index=True),
        trend=src("trend", f, settings),
        chains=views.chain_summary(src, f, settings),
        quadrants=views.quadrant_summary(src, f, settings),
        pareto=src("pareto", f, settings),
        attack=attack.head(ATTACK_ROWS).reset_index(drop=True),
        promos=promos.head(PROMO_ROWS).reset_index(drop=True),
        visits=views.visit_summary(src, f, settings),
        reader=src,
        names=_names.lookup(con),
    )
    if with_figures:
        pack.figures = figures(pack)
    return pack


def figures(p: Pack) -> dict[str, go.Figure]:
    """The pack's charts, each with a title that states its point and a source line."""
    lg, cur = p.lang, p.settings.currency
    out: dict[str, go.Figure] = {}
    if not p.targets.empty:
        out["targets"] = charts.targets(p.targets, lg, names=p.names)
    if not p.trend.empty:
        out["trend"] = charts.trend(p.trend, lg, names=p.names)
    if not p.pareto.empty:
        fig = charts.pareto(p.pareto, lg, p.settings.a_cut, p.settings.b_cut, currency=cur, names=p.names)
        a = p.pareto[p.pareto["abc"] == "A"]
        fig.update_layout(
            title_text=t("pareto_point", lg, n=len(a), share=fmt.pct(a["share"].sum(), lg, 0)),
        )
        out["pareto"] = fig
    q = p.quadrants
    fig = charts.quadrant_bars(q, lg, currency=cur)
    attack = q[q["quadrant"] == "Attack"]
    fig.update_layout(
        title_text=t(
            "quadrant_point",
            lg,
            n=int(attack["stores"].sum()),
            opp=fmt.money(float(attack["opportunity"].sum()), lg, cur),
        )
    )
    out["quadrants"] = fig
    for fig in out.values():
        charts.source_line(fig, p.source)
    return out


# Pictures of the charts ----------------------------------------------------------------------


def _browser() -> str | None:
    for path in (os.environ.get("BROWSER_PATH"), *CHROMIUM):
        if path and Path(path).exists():
            return path
    return None


def _kaleido():
    """kaleido over the system Chromium, MathJax off (its default is fetched from a CDN)."""
    import kaleido

    browser = _browser()
    if browser is None:
        raise KaError(
            "The meeting pack draws its charts with Chromium, which is not installed "
            "(apt-get install chromium; see the README)."
        )
    os.environ.setdefault("BROWSER_PATH", browser)
    return kaleido.Kaleido(n=1, mathjax=False, timeout=60)


async def _draw(k, figs: dict[str, go.Figure], width: int, height: int) -> dict[str, bytes]:
    out = {}
    for name, fig in figs.items():
        h = int(fig.layout.height or height)
        out[name] = await k.calc_fig(fig, opts=dict(format=PICTURE_FORMAT, width=width, height=h, scale=2))
    return out


def images(figs: dict[str, go.Figure], width: int = IMAGE_SIZE[0], height: int = IMAGE_SIZE[1]) -> dict[str, bytes]:
    """Pictures of the charts (PICTURE_FORMAT), all through one headless Chromium (kaleido), nothing downloaded."""
    if not figs:
        return {}

    async def run_all() -> dict[str, bytes]:
        async with _kaleido() as k:
            return await _draw(k, figs, width, height)

    return asyncio.run(run_all())


def _with_pictures(con: duckdb.DuckDBPyConnection, filters: Filters, settings: Settings, lang: str, make):
    """`make(pack, pictures)` for the pack of the filters and its charts' pictures. Chromium starts
    while the reports run, and closes while `make` lays out the files (each a second or more)."""

    async def both():
        k = _kaleido()
        opening = asyncio.ensure_future(k.__aenter__())
        try:
            pack = await asyncio.to_thread(build, con, filters, settings, lang)
        except BaseException:
            await opening
            await k.__aexit__(None, None, None)
            raise
        await opening
        try:
            pictures = await _draw(k, pack.figures, *IMAGE_SIZE)
        except BaseException:
            await k.__aexit__(None, None, None)
            raise
        closing = asyncio.ensure_future(k.__aexit__(None, None, None))
        try:
            return await asyncio.to_thread(make, pack, pictures)
        finally:
            await closing

    return asyncio.run(both())


def build_with_pictures(
    con: duckdb.DuckDBPyConnection, filters: Filters, settings: Settings, lang: str
) -> tuple[Pack, dict[str, bytes]]:
    """The pack and its charts' pictures; Chromium starts while the reports run (a second or two saved)."""
    return _with_pictures(con, filters, settings, lang, lambda pack, pictures: (pack, pictures))


# Cells as text, for the PDF and the deck -----------------------------------------------------


def kpi_table(p: Pack) -> pd.DataFrame:
    """The KPIs with their changes against the previous period and a year before, as text."""
    lg, cur = p.lang, p.settings.currency
    prev = views.kpi_changes(p.kpis, p.previous)
    yoy = views.kpi_changes(p.kpis, p.year_ago)
    rows = []
    for name, key, kind in KPI_ROWS:
        value = getattr(p.kpis, name)
        shown = fmt.money(value, lg, cur) if kind == fmt.MONEY else fmt.value(kind, value, lg, cur)
        change = views.KPI_CHANGE[name]
        rows.append(
            {
                t("kpi", lg): label(key, lg),
                t("value", lg): shown,
                t("vs_previous", lg): fmt.change(change, prev[name], lg) or fmt.MISSING,
                t("vs_year_ago", lg): fmt.change(change, yoy[name], lg) or t("year_ago_none", lg),
            }
        )
    return pd.DataFrame(rows)


def shown(
    df: pd.DataFrame, cols: list[str], lang: str, currency: str | None, names: _names.Lookup | None = None
) -> pd.DataFrame:
    """Columns of a report as the screen shows them: labels in the language, cells formatted,
    chains, regions and categories by their names in the language."""
    out = pd.DataFrame()
    df = _names.frame(df, names or {}, lang)
    for c in cols:
        values = df[c]
        if c == "quadrant":
            cells = [i18n.quadrant(v, lang) for v in values]
        elif c == "mechanic":
            cells = [i18n.mechanic(v, lang) for v in values]
        elif c == "year":
            cells = ["" if fmt.missing(v) else str(int(v)) for v in values]
        elif fmt.kind_of(c) == fmt.MONEY:
            cells = [fmt.money_full(v, lang, currency) for v in values]
        else:
            cells = [fmt.metric(c, v, lang, currency) if not fmt.missing(v) else fmt.MISSING for v in values]
        if c == "category":
            cells = [t("all_values", lang) if fmt.missing(v) else v for v in values]
        out[label(c, lang)] = cells
    return out


def sections(p: Pack) -> list[tuple[str, pd.DataFrame | None, str | None]]:
    """(title, table, chart) of each part of the pack, in order."""
    lg, cur = p.lang, p.settings.currency
    v = p.visits
    visit_rows = pd.DataFrame(
        [{t("kpi", lg): t(k, lg), t("value", lg): fmt.pct(val, lg)} for k, val in views.coverage_cards(v).items()]
        + [{t("kpi", lg): label("visits", lg), t("value", lg): fmt.count(v.visits, lg)}]
    )
    promo_cols = ["promo_id", "chain", "mechanic", "start_date", "incremental_revenue", "cost", "roi"]
    if "lift_vs_control_pct" in p.promos.columns:
        promo_cols.append("lift_vs_control_pct")
    return [
        (t("pack_kpis", lg), kpi_table(p), None),
        (
            t("pack_targets", lg),
            shown(p.targets, list(REPORTS["targets"].columns), lg, cur, p.names) if not p.targets.empty else None,
            "targets",
        ),
        (t("pack_trend", lg), None, "trend"),
        (
            t("pack_chains", lg),
            shown(
                p.chains,
                ["chain", "own_revenue", "abc", "customer_share", "market_share", "fair_share_index", "opportunity"],
                lg,
                cur,
                p.names,
            ),
            None,
        ),
        (t("pack_pareto", lg), None, "pareto"),
        (
            t("pack_quadrants", lg),
            shown(p.quadrants, ["quadrant", "stores", "opportunity", "potential"], lg, cur, p.names),
            "quadrants",
        ),
        (
            t("pack_attack", lg),
            shown(
                p.attack,
                ["store_id", "store_name", "chain", "potential", "customer_share", "market_share", "opportunity"],
                lg,
                cur,
                p.names,
            ),
            None,
        ),
        (t("pack_promos", lg), shown(p.promos, promo_cols, lg, cur, p.names), None),
        (t("pack_visits", lg), visit_rows, None),
    ]


# PDF -------------------------------------------------------------------------------------------

PDF_CSS = """
@page { size: A4 landscape; margin: 14mm 14mm 16mm 14mm;
        @bottom-left { content: "%(source)s"; font-size: 8pt; color: #777; }
        @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #777; } }
@page { @bottom-left { font-family: "%(font)s", "%(fallback)s"; } @bottom-right { font-family: "%(font)s", "%(fallback)s"; } }
body { font-family: "%(font)s", "%(fallback)s", sans-serif; font-size: 10pt; color: #222; }
h1, h2, th { font-weight: normal; }  /* one face to embed: weight by size and colour */
h1 { font-size: 22pt; margin: 0 0 4mm 0; color: #1f4e8c; }
h2 { font-size: 15pt; margin: 0 0 3mm 0; color: #1f4e8c; }
.sub { font-size: 11pt; color: #555; margin-bottom: 6mm; }
section { page-break-before: always; }
section.first { page-break-before: avoid; }
table { border-collapse: collapse; width: 100%%; margin-bottom: 4mm; }
th { background: #1f4e8c; color: white; text-align: left; padding: 1.6mm 2mm; }
td { border-bottom: 0.3pt solid #ccc; padding: 1.3mm 2mm; }
td.n, th.n { text-align: right; }
img { width: 100%%; }
"""


def _html_table(df: pd.DataFrame) -> str:
    num = [
        c for c in df.columns if all(isinstance(v, str) and v[:1] in "¥$€£+-−0123456789—" for v in df[c]) and len(df)
    ]
    head = "".join(f'<th class="{"n" if c in num else ""}">{html.escape(str(c))}</th>' for c in df.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"n" if c in num else ""}">{html.escape(str(v))}</td>'
            for c, v in zip(df.columns, r, strict=True)
        )
        + "</tr>"
        for r in df.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _mime(picture: bytes) -> str:
    return "image/jpeg" if picture[:3] == b"\xff\xd8\xff" else "image/png"


def pdf_html(p: Pack, pictures: dict[str, bytes]) -> str:
    lg = p.lang
    parts = [
        f'<section class="first"><h1>{html.escape(t("pack_title", lg))}</h1>'
        f'<div class="sub">{html.escape(p.period)} · {html.escape(p.scope)}</div>'
    ]
    first = True
    for title, table, chart in sections(p):
        if table is None and (chart is None or chart not in pictures):
            continue
        body = f"<h2>{html.escape(title)}</h2>"
        if chart in pictures:
            body += f'<img src="data:{_mime(pictures[chart])};base64,{base64.b64encode(pictures[chart]).decode()}"/>'
        if table is not None:
            body += _html_table(table)
        parts.append(body + "</section>" if first else f"<section>{body}</section>")
        first = False
    css = PDF_CSS % {"font": CJK_FONT, "fallback": CJK_FALLBACK, "source": p.source.replace('"', "'")}
    return f'<!doctype html><html lang="{"zh-CN" if lg == "zh" else "en"}"><head><meta charset="utf-8"><style>{css}</style></head><body>{"".join(parts)}</body></html>'


def to_pdf(p: Pack, pictures: dict[str, bytes]) -> bytes:
    from weasyprint import HTML

    return HTML(string=pdf_html(p, pictures)).write_pdf()


# PowerPoint ------------------------------------------------------------------------------------


def _fonts(text_frame) -> None:
    """Latin and East Asian typefaces on every run, so that PowerPoint shows Chinese properly."""
    from pptx.oxml.ns import qn

    for para in text_frame.paragraphs:
        for r in para.runs:
            r.font.name = PPTX_LATIN_FONT
            rpr = r._r.get_or_add_rPr()
            for tag in ("a:ea", "a:cs"):
                el = rpr.find(qn(tag))
                if el is None:
                    el = rpr.makeelement(qn(tag), {})
                    rpr.append(el)
                el.set("typeface", PPTX_EA_FONT)


def to_pptx(p: Pack, pictures: dict[str, bytes]) -> bytes:
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 16:9
    W, H = prs.slide_width, prs.slide_height
    blank = prs.slide_layouts[6]

    def text(slide, s, left, top, width, height, size, bold=False, color=(0x22, 0x22, 0x22)):
        box = slide.shapes.add_textbox(left, top, width, height)
        tf = box.text_frame
        tf.word_wrap = True
        tf.text = s
        for para in tf.paragraphs:
            for r in para.runs:
                r.font.size, r.font.bold, r.font.color.rgb = Pt(size), bold, RGBColor(*color)
        _fonts(tf)
        return box

    def table(slide, df, top, height):
        rows = min(len(df), 14)
        shape = slide.shapes.add_table(rows + 1, len(df.columns), Emu(457200), top, W - Emu(914400), height)
        tbl = shape.table
        for j, c in enumerate(df.columns):
            tbl.cell(0, j).text = str(c)
        for i in range(rows):
            for j, v in enumerate(df.iloc[i]):
                tbl.cell(i + 1, j).text = str(v)
        for i in range(rows + 1):
            for j in range(len(df.columns)):
                tf = tbl.cell(i, j).text_frame
                for para in tf.paragraphs:
                    for r in para.runs:
                        r.font.size = Pt(12)
                        r.font.bold = i == 0
                _fonts(tf)

    slide = prs.slides.add_slide(blank)
    text(
        slide,
        t("pack_title", p.lang),
        Emu(457200),
        Emu(2200000),
        W - Emu(914400),
        Emu(900000),
        36,
        True,
        (0x1F, 0x4E, 0x8C),
    )
    text(slide, f"{p.period}\n{p.scope}", Emu(457200), Emu(3200000), W - Emu(914400), Emu(1200000), 20)
    for title, df, chart in sections(p):
        if df is None and (chart is None or chart not in pictures):
            continue
        slide = prs.slides.add_slide(blank)
        text(slide, title, Emu(457200), Emu(228600), W - Emu(914400), Emu(600000), 26, True, (0x1F, 0x4E, 0x8C))
        top = Emu(900000)
        if chart in pictures:
            pic_h = Emu(3600000) if df is not None else Emu(5300000)
            pic = slide.shapes.add_picture(io.BytesIO(pictures[chart]), Emu(457200), top, height=pic_h)
            if pic.width > W - Emu(914400):  # keep it on the slide
                ratio = (W - Emu(914400)) / pic.width
                pic.width, pic.height = int(pic.width * ratio), int(pic.height * ratio)
            top = top + pic.height + Emu(100000)
        if df is not None and len(df):
            table(slide, df, top, min(H - top - Emu(500000), Emu(300000) * (min(len(df), 14) + 1)))
        text(slide, p.source, Emu(457200), H - Emu(420000), W - Emu(914400), Emu(300000), 10, color=(0x77, 0x77, 0x77))
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# Excel -----------------------------------------------------------------------------------------


def number_format(kind: str, currency: str | None) -> str | None:
    """The Excel number format of a metric's kind (money with the currency symbol)."""
    cur = (currency if currency is not None else fmt.default_currency()).replace('"', "")
    return {
        fmt.MONEY: f'"{cur}"#,##0' if cur else "#,##0",
        fmt.SHARE: "0.0%",
        fmt.INDEX: "0.0",
        fmt.PCT: '+0.0"%";-0.0"%";0.0"%"',
        fmt.COUNT: "#,##0",
        fmt.NUMBER: "#,##0.0",
        fmt.DATE: "yyyy-mm-dd",
    }.get(kind)


def _cell(v):
    """A value as a spreadsheet cell: numbers stay numbers, missing is blank, dates are dates."""
    if fmt.missing(v):
        return None
    if hasattr(v, "item"):  # numpy scalars
        v = v.item()
    if isinstance(v, pd.Timestamp):
        v = v.to_pydatetime()
    return v


def to_xlsx(p: Pack, con: duckdb.DuckDBPyConnection) -> bytes:
    """One formatted sheet of KPIs, then one per report, for the pack's filters and settings.

    Written with XlsxWriter (several times faster than openpyxl for the promo-lift sheet);
    text cells are neutralised (ka_core.sheets) and written as strings, never as formulas.
    """
    import xlsxwriter

    lg, cur = p.lang, p.settings.currency
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    header = wb.add_format(
        {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E8C", "text_wrap": True, "valign": "vcenter"}
    )
    formats: dict[str, object] = {}

    def number(kind: str | None):
        nf = number_format(kind, cur) if kind else None
        if nf is None:
            return None
        if nf not in formats:
            formats[nf] = wb.add_format({"num_format": nf})
        return formats[nf]

    # KPIs: values as numbers with their formats, and the changes.
    prev = views.kpi_changes(p.kpis, p.previous)
    yoy = views.kpi_changes(p.kpis, p.year_ago)
    change_kind = {fmt.RELATIVE: fmt.SHARE, fmt.POINTS: fmt.SHARE, fmt.DIFFERENCE: fmt.NUMBER}
    ws = wb.add_worksheet(t("pack_kpis", lg)[:31])
    ws.write_string(0, 0, t("pack_title", lg), wb.add_format({"bold": True, "font_size": 14}))
    ws.write_string(1, 0, f"{p.period} · {p.scope}")
    for j, h in enumerate((t("kpi", lg), t("value", lg), t("vs_previous", lg), t("vs_year_ago", lg))):
        ws.write_string(2, j, h, header)
    for i, (name, key, kind) in enumerate(KPI_ROWS, start=3):
        ws.write_string(i, 0, label(key, lg))
        ws.write(i, 1, _cell(getattr(p.kpis, name)), number(kind))
        ws.write(i, 2, _cell(prev[name]), number(change_kind[views.KPI_CHANGE[name]]))
        ws.write(i, 3, _cell(yoy[name]), number(change_kind[views.KPI_CHANGE[name]]))
    ws.set_column(0, 0, 26)
    ws.set_column(1, 3, 18)
    ws.freeze_panes(3, 0)

    src = p.reader or con  # the reports the pack already computed are not computed again
    for name, report in REPORTS.items():
        df = sheets.neutralise(views.rows(src, name, p.filters, p.settings))
        cols = list(report.columns)
        ws = wb.add_worksheet(name[:31])
        for j, c in enumerate(cols):
            kind = metrics.METRICS[c].fmt if c in metrics.METRICS else None
            head = label(c, lg)
            ws.write_string(0, j, head, header)
            f = number(kind if kind != metrics.TEXT else None)
            values = df[c].tolist()
            for i, v in enumerate(values, start=1):
                v = _cell(v)
                if v is None:
                    continue
                if isinstance(v, str):
                    ws.write_string(i, j, v)
                elif isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, (dt.date, dt.datetime)):
                    ws.write_datetime(i, j, v, f or number(fmt.DATE))
                else:
                    ws.write_number(i, j, v, f)
            shown = [len(head) * (2 if lg == "zh" else 1)] + [len(str(v)) for v in values[:200]]
            ws.set_column(j, j, min(max(10, max(shown) + 3), 40))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(df), 1), len(cols) - 1)
    wb.close()
    return buf.getvalue()


# Writing ---------------------------------------------------------------------------------------


def kind_of_path(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise KaError(f"Cannot export to {Path(path).name!r}: expected a file name ending in .pdf, .pptx or .xlsx.")
    return suffix


def render_many(
    con: duckdb.DuckDBPyConnection, kinds: list[str], filters: Filters, settings: Settings, lang: str = "en"
) -> dict[str, bytes]:
    """The pack in several formats from one gathering: the reports computed once, the charts
    drawn once (one Chromium) for the PDF and the deck, the workbook reusing the reports."""
    for kind in kinds:
        if kind not in FORMATS:
            raise KaError(f"Unknown export format {kind!r}; expected one of: {', '.join(FORMATS)}.")
    kinds = list(dict.fromkeys(kinds))

    def make(pack: Pack, pictures: dict[str, bytes]) -> dict[str, bytes]:
        writers = {"pdf": to_pdf, "pptx": to_pptx, "xlsx": lambda p, _pictures: to_xlsx(p, con)}
        return {kind: writers[kind](pack, pictures) for kind in kinds}

    if "pdf" not in kinds and "pptx" not in kinds:  # the workbook has no charts: no Chromium
        return make(build(con, filters, settings, lang, with_figures=False), {})
    return _with_pictures(con, filters, settings, lang, make)


def render(con: duckdb.DuckDBPyConnection, kind: str, filters: Filters, settings: Settings, lang: str = "en") -> bytes:
    """The pack as the bytes of a PDF, a PowerPoint deck or an Excel workbook."""
    return render_many(con, [kind], filters, settings, lang)[kind]


def write(
    con: duckdb.DuckDBPyConnection, path: str | Path, filters: Filters, settings: Settings, lang: str = "en"
) -> Path:
    """Write the pack to `path` (.pdf, .pptx or .xlsx); the file appears only when complete."""
    return write_many(con, [path], filters, settings, lang)[0]


def write_many(
    con: duckdb.DuckDBPyConnection, paths: list[str | Path], filters: Filters, settings: Settings, lang: str = "en"
) -> list[Path]:
    """Write the pack to each of `paths` (.pdf, .pptx, .xlsx) from one gathering (`render_many`);
    each file appears only when complete."""
    paths = [Path(p) for p in paths]
    data = render_many(con, [kind_of_path(p) for p in paths], filters, settings, lang)
    for path in paths:
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data[kind_of_path(path)])
        tmp.replace(path)
    return paths
