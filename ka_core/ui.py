"""The one ka_core module that imports Streamlit: connection, caches, sidebar state, tables.

The app holds one process-wide read-write connection (st.cache_resource) and
gives every query its own cursor (db.query does). DuckDB lets one process
write a file: while the dashboard runs, the command line says clearly that
the warehouse is in use and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import streamlit as st

from . import db, i18n, reports, views
from .errors import KaError
from .i18n import label, t
from .settings import Filters, Settings

CACHE = dict(ttl=3600, max_entries=512, show_spinner=False)


@st.cache_resource(show_spinner=False)
def connection():
    """The warehouse connection of this server process; creates the demo warehouse when none exists."""
    path = db.db_path()
    fresh = not path.exists()
    con = db.connect(path)
    if fresh:
        from .demo import create_demo

        create_demo(con)
        con.execute("CHECKPOINT").fetchall()
    return con


def open_warehouse():
    """The connection, or a clear message and a stopped page."""
    lang = st.session_state.get("lang", "en")
    try:
        if not db.db_path().exists():
            with st.spinner(t("creating_demo", lang)):
                return connection()
        return connection()
    except KaError as exc:
        st.error(f"{t('warehouse_busy', lang)}\n\n{exc}")
        st.stop()


FRAME_KEY = "_ka_frame"


def frame() -> None:
    """Mark this run as going through app.py (called by app.py)."""
    st.session_state[FRAME_KEY] = True


def through_frame() -> None:
    """First line of every page: a fresh server opened at a page URL runs the page
    the legacy pages/ way, without app.py; route it through app.py instead."""
    if not st.session_state.get(FRAME_KEY):
        st.switch_page("app.py")


def data_changed() -> None:
    """After a write: every page must show the new data at once."""
    st.cache_data.clear()


# Cached results, keyed on small hashable arguments (frozen dataclasses) --------------------


@st.cache_data(**CACHE)
def report(name: str, filters: Filters, settings: Settings) -> pd.DataFrame:
    return reports.run(connection(), name, filters, settings)


@st.cache_data(**CACHE)
def kpis(filters: Filters, settings: Settings) -> views.Kpis:
    return views.kpis(connection(), filters, settings)


@st.cache_data(**CACHE)
def view(name: str, filters: Filters, settings: Settings, *args) -> pd.DataFrame:
    """A DataFrame view of ka_core.views by name (stores_to_visit, ka_comparison, …)."""
    return getattr(views, name)(connection(), filters, settings, *args)


@st.cache_data(**CACHE)
def store_detail(store_id: str, filters: Filters, settings: Settings):
    con = connection()
    return views.store_weekly(con, store_id, filters, settings), views.store_visits(con, store_id, filters)


@st.cache_data(**CACHE)
def promo_detail(promo_id: str, settings: Settings) -> pd.DataFrame:
    return views.promo_weekly(connection(), promo_id, settings)


@st.cache_data(**CACHE)
def visit_summary(filters: Filters, settings: Settings) -> views.VisitSummary:
    return views.visit_summary(connection(), filters, settings)


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def options() -> dict[str, list[str]]:
    return views.options(connection())


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def latest_week() -> dt.date | None:
    return views.latest_week(connection())


# The sidebar: filters, settings and language, kept in session_state ----------------------


def lang() -> str:
    return st.session_state.get("lang", "en")


def sidebar() -> None:
    """Draw the global filters and settings (called by app.py before page.run())."""
    opts = options()
    lg = lang()
    sb = st.sidebar
    sb.segmented_control(
        t("language", lg), options=list(i18n.LANGS), format_func=i18n.LANGS.get, key="lang", default="en"
    )
    lg = lang()
    sb.header(t("filters", lg))
    sb.selectbox(t("period", lg), views.PRESETS, format_func=lambda p: t(p, lg), key="preset", index=1)
    if st.session_state.get("preset") == "custom":
        latest = latest_week() or dt.date.today()
        sb.date_input(
            t("period", lg),
            value=(latest - dt.timedelta(weeks=12), latest + dt.timedelta(days=6)),
            key="custom_range",
        )
    for key, opt in (("chains", "chain"), ("regions", "region"), ("categories", "category")):
        sb.multiselect(t(key, lg), opts[opt], key=key, placeholder=t("all_values", lg))
    with sb.expander(t("settings", lg)):
        st.slider(t("a_cut", lg), 0.5, 0.95, 0.80, 0.05, key="a_cut", help=_help("a_cut", lg))
        st.slider(t("b_cut", lg), 0.80, 0.99, 0.95, 0.01, key="b_cut", help=_help("b_cut", lg))
        st.slider(t("fsi_threshold", lg), 50, 150, 100, 5, key="fsi_threshold", help=_help("fsi_threshold", lg))
        st.radio(t("level", lg), ["region", "national"], format_func=lambda v: t(v, lg), key="level", horizontal=True)
        st.slider(t("baseline_weeks", lg), 2, 26, 8, key="baseline_weeks", help=_help("baseline_weeks", lg))
        st.slider(t("post_weeks", lg), 1, 12, 4, key="post_weeks", help=_help("post_weeks", lg))
    f = filters()
    if f.date_from and f.date_to:
        sb.caption(t("period_shown", lg, start=i18n.date(f.date_from, lg), end=i18n.date(f.date_to, lg)))


def _help(name: str, lg: str) -> str:
    from .settings import SETTINGS_HELP

    s = SETTINGS_HELP[name]
    return f"{s.help} ({s.cli}, default {s.default})" if lg == "en" else f"{s.zh}（命令行 {s.cli}，默认 {s.default}）"


def filters() -> Filters:
    ss = st.session_state
    preset = ss.get("preset", "13w")
    start = end = None
    if preset == "custom":
        rng = ss.get("custom_range") or ()
        if len(rng) == 2:
            start, end = rng
    date_from, date_to = views.period(preset, latest_week(), start, end)
    return Filters(
        date_from=date_from,
        date_to=date_to,
        chains=tuple(ss.get("chains") or ()),
        regions=tuple(ss.get("regions") or ()),
        categories=tuple(ss.get("categories") or ()),
    )


def settings() -> Settings:
    ss = st.session_state
    a_cut = float(ss.get("a_cut", 0.80))
    return Settings(
        a_cut=a_cut,
        b_cut=max(float(ss.get("b_cut", 0.95)), a_cut),
        fsi_threshold=float(ss.get("fsi_threshold", 100)),
        level=ss.get("level", "region"),
        baseline_weeks=int(ss.get("baseline_weeks", 8)),
        post_weeks=int(ss.get("post_weeks", 4)),
    )


# Tables and downloads ---------------------------------------------------------------------


def neutralise(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula (=, +, -, @) get a leading quote."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v)
    return out


def to_xlsx(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    neutralise(df).to_excel(buf, index=False, engine="openpyxl")
    return buf.getvalue()


def _display(df: pd.DataFrame, lg: str, rounded: bool = True) -> pd.DataFrame:
    """Headers translated; quadrants in the chosen language; money to whole units on screen."""
    from . import metrics as m

    out = df.copy()
    if rounded:
        for c in out.columns:
            if c in m.METRICS and m.METRICS[c].fmt == m.MONEY and pd.api.types.is_numeric_dtype(out[c]):
                out[c] = out[c].round(0)
    if "quadrant" in out:
        out["quadrant"] = out["quadrant"].map(lambda q: i18n.quadrant(q, lg) if isinstance(q, str) else q)
    if "change" in out:
        out["change"] = out["change"].map(lambda c: t(c, lg) if isinstance(c, str) and c in i18n.TEXT else c)
    return out.rename(columns={c: label(c, lg) for c in out.columns})


def _column_config(df: pd.DataFrame, lg: str) -> dict:
    from . import metrics as m

    cfg = {}
    for c in df.columns:
        meta = m.METRICS.get(c)
        if meta is None:
            continue
        name = label(c, lg)
        helptext = i18n.help_text(c, lg)
        if meta.fmt == m.MONEY:
            cfg[name] = st.column_config.NumberColumn(name, help=helptext, format="localized")
        elif meta.fmt == m.SHARE:
            cfg[name] = st.column_config.NumberColumn(name, help=helptext, format="percent")
        elif meta.fmt == m.INDEX:
            cfg[name] = st.column_config.NumberColumn(name, help=helptext, format="%.0f")
        elif meta.fmt == m.PCT:
            cfg[name] = st.column_config.NumberColumn(name, help=helptext, format="%.1f%%")
        elif meta.fmt == m.NUMBER:
            cfg[name] = st.column_config.NumberColumn(name, help=helptext, format="%.1f")
        else:
            cfg[name] = st.column_config.Column(name, help=helptext)
    return cfg


HIGHLIGHT = {"missed": "#fde2dc", "over-served": "#fff3c4"}


def table(
    df: pd.DataFrame,
    key: str,
    *,
    height: int | None = None,
    selectable: bool = False,
    name: str = "table",
    highlight: str | None = None,
):
    """A sortable table with translated headers and formats, and CSV / Excel downloads.

    `highlight` names a column whose values missed / over-served colour their row.
    """
    lg = lang()
    df = df.reset_index(drop=True)
    shown = _display(df, lg)
    data = shown
    if highlight and highlight in df:
        colours = [HIGHLIGHT.get(v, "") for v in df[highlight]]
        data = shown.style.apply(lambda row: [f"background-color: {colours[row.name]}" if colours[row.name] else ""] * len(row), axis=1)
    event = st.dataframe(
        data,
        hide_index=True,
        column_config=_column_config(df, lg),
        height=height or "auto",
        key=key,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row" if selectable else "multi-row",
    )
    c1, c2, _ = st.columns([1, 1, 8])
    full = _display(df, lg, rounded=False)  # downloads keep every digit
    c1.download_button(
        t("download_csv", lg), neutralise(full).to_csv(index=False).encode("utf-8-sig"),
        file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv",
    )
    c2.download_button(
        t("download_xlsx", lg), to_xlsx(full), file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
    )
    return event


def nothing(lg: str | None = None) -> None:
    """The empty state: a helpful message instead of an empty axis."""
    st.info(t("no_data", lg or lang()))


# The upload journey (Data page) ------------------------------------------------------------


def uploader_name() -> str | None:
    """Who uploads: the logged-in user when login is configured, else the name entered once."""
    try:
        if getattr(st.user, "is_logged_in", False):
            return str(st.user.get("name") or st.user.get("email"))
    except Exception:  # st.user raises when auth is not configured
        pass
    return (st.session_state.get("who") or "").strip() or None


def read_uploads(files, table_choice: str | None, mappings: dict[str, dict[str, str]]):
    """Uploaded files as ka_core.upload.Upload objects, read once per file and mapping."""
    from . import upload

    cache = st.session_state.setdefault("_uploads", {})
    cur = connection().cursor()
    out = []
    try:
        for f in files:
            data = f.getvalue()
            mapping = mappings.get(f.name) or None
            key = (f.file_id, table_choice, tuple(sorted((mapping or {}).items())))
            if key not in cache:
                up = upload.Upload(name=f.name, path=upload.save(f.name, data))
                up.headers = upload.peek_headers(up.path)
                table = table_choice or upload.guess_table(up.headers)
                if table is None:
                    up.error = "not recognised"
                else:
                    upload.read(cur, up, table, mapping)
                cache[key] = up
            out.append(cache[key])
    finally:
        cur.close()
    return out


def preview_load(table: str, raws: list, filters: Filters, settings: Settings):
    """Validation and what the load would change (nothing is written)."""
    from . import loading

    cur = connection().cursor()
    try:
        return loading.preview(cur, table, raws, filters, settings)
    finally:
        cur.close()


def save_load(table: str, raws: list, user: str, remember: dict[str, dict[str, str]]):
    """Write the files (validated again inside), remember confirmed mappings, refresh every page."""
    from . import loading

    cur = connection().cursor()
    try:
        result = loading.write_files(cur, table, raws, user)
        for mapping in remember.values():
            loading.remember_mapping(cur, table, mapping)
    finally:
        cur.close()
    data_changed()
    st.session_state.pop("_uploads", None)
    return result


def history() -> pd.DataFrame:
    from . import loading

    cur = connection().cursor()
    try:
        return loading.history(cur)
    finally:
        cur.close()


def undo_load(load_id: int) -> dict:
    from . import loading

    cur = connection().cursor()
    try:
        out = loading.undo(cur, load_id)
    finally:
        cur.close()
    data_changed()
    return out


def visit_template(manager: str | None, week: dt.date, header_lang: str) -> bytes:
    from . import templates

    rows = templates.manager_rows(connection(), manager, week) if manager else None
    return templates.template_xlsx("visits", header_lang, rows)
