"""The one ka_core module that imports Streamlit: connection, caches, sidebar state, tables.

Concurrency with the command line (DuckDB lets one process write a file, or
any number of processes read it): the dashboard holds the warehouse READ-ONLY,
so `python -m ka_core report` works alongside it, and a command that writes
(load, undo, init) gets db.connect's clear "in use by another program… Nothing
was changed". The dashboard's own writes (the Data page) go through
`Warehouse.write()`: it waits for the running queries, closes the read-only
connection, writes through a short-lived read-write one, and closes it again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from . import db, i18n, reports, views
from .errors import KaError
from .i18n import label, t
from .settings import Filters, Settings

CACHE = dict(ttl=3600, max_entries=512, show_spinner=False)


class Warehouse:
    """The server process's one warehouse: a read-only connection shared by every
    session (each query on its own cursor, see db.query), and writes one at a time.

    Readers and the writer exclude each other, so a write never closes the
    connection under a running query.
    """

    def __init__(self, path: Path):
        self.path = path
        self._con: duckdb.DuckDBPyConnection | None = None
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False
        self._mine = threading.local()  # reads this thread holds (a write inside one would wait forever)

    def prepare(self) -> None:
        """Before the first read: create the demo warehouse when none exists, and
        upgrade an older schema (a read-only connection cannot)."""
        with self._cond:
            while self._writing:
                self._cond.wait()
            if self._con is not None:
                return
            if not self.path.exists():
                from .demo import create_demo  # imported here: the app starts even without demo data

                con = db.connect(self.path)
                try:
                    create_demo(con)
                    con.execute("CHECKPOINT").fetchall()
                finally:
                    con.close()
            try:
                self._con = db.connect(self.path, read_only=True)
            except KaError:
                db.connect(self.path).close()  # upgrades the schema, or raises the clear reason
                self._con = db.connect(self.path, read_only=True)

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The read-only connection, held open while the block runs its queries."""
        with self._cond:
            while self._writing:
                self._cond.wait()
            if self._con is None:
                self._con = db.connect(self.path, read_only=True)  # KaError when a writer holds it
            self._readers += 1
            con = self._con
        self._mine.reads = getattr(self._mine, "reads", 0) + 1
        try:
            yield con
        finally:
            self._mine.reads -= 1
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection for one write; KaError when another program holds the file."""
        if getattr(self._mine, "reads", 0):
            raise RuntimeError("Warehouse.write() inside Warehouse.read() of the same thread")
        with self._cond:
            while self._writing or self._readers:
                self._cond.wait()
            self._writing = True
            if self._con is not None:
                self._con.close()
                self._con = None
        try:
            con = db.connect(self.path)
            try:
                yield con
                con.execute("CHECKPOINT").fetchall()
            finally:
                con.close()
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            if self._con is not None:
                self._con.close()
                self._con = None


@st.cache_resource(show_spinner=False, on_release=Warehouse.close)
def warehouse(path: str) -> Warehouse:
    """The warehouse of this server process (keyed on its path: KA_DB may differ between tests)."""
    return Warehouse(Path(path))


def _wh() -> Warehouse:
    return warehouse(str(db.db_path().resolve()))


def reading():
    """`with ui.reading() as con:` the shared read-only connection."""
    return _wh().read()


def writing():
    """`with ui.writing() as con:` a read-write connection for one load or undo."""
    return _wh().write()


def open_warehouse() -> None:
    """Create the demo warehouse on first start; open the warehouse, or say clearly why not and stop."""
    lang = st.session_state.get("lang", "en")
    wh = _wh()
    try:
        if not wh.path.exists():
            with st.spinner(t("creating_demo", lang)):
                wh.prepare()
        else:
            wh.prepare()
    except KaError as exc:
        st.error(f"{t('warehouse_busy', lang)}\n\n{exc}", icon=":material/lock:")
        st.stop()


FRAME_KEY = "_ka_frame"


def frame() -> None:
    """Mark this run as going through app.py (called by app.py)."""
    st.session_state[FRAME_KEY] = True


DEEP_LINK_KEY = "_ka_deep_link"


def through_frame() -> None:
    """First line of every page: a new session opened at a page URL runs the page
    the legacy pages/ way, without app.py; route it through app.py, which then
    opens the page asked for (follow_deep_link)."""
    if not st.session_state.get(FRAME_KEY):
        st.session_state[DEEP_LINK_KEY] = Path(sys._getframe(1).f_globals.get("__file__", "")).name
        st.switch_page("app.py")


def follow_deep_link() -> None:
    """Called by app.py after st.navigation: go on to the page a deep link asked for."""
    name = st.session_state.pop(DEEP_LINK_KEY, None)
    if name and (Path(__file__).parents[1] / "pages" / name).exists():
        st.switch_page(f"pages/{name}")


def data_changed() -> None:
    """After a write: every page must show the new data at once."""
    st.cache_data.clear()


# Cached results, keyed on small hashable arguments (frozen dataclasses) --------------------


@st.cache_data(**CACHE)
def report(name: str, filters: Filters, settings: Settings) -> pd.DataFrame:
    with reading() as con:
        return reports.run(con, name, filters, settings)


@st.cache_data(**CACHE)
def kpis(filters: Filters, settings: Settings) -> views.Kpis:
    with reading() as con:
        return views.kpis(con, filters, settings)


@st.cache_data(**CACHE)
def view(name: str, filters: Filters, settings: Settings, *args) -> pd.DataFrame:
    """A DataFrame view of ka_core.views by name (stores_to_visit, ka_comparison, …)."""
    with reading() as con:
        return getattr(views, name)(con, filters, settings, *args)


@st.cache_data(**CACHE)
def store_detail(store_id: str, filters: Filters, settings: Settings):
    with reading() as con:
        return views.store_weekly(con, store_id, filters, settings), views.store_visits(con, store_id, filters)


@st.cache_data(**CACHE)
def promo_detail(promo_id: str, settings: Settings) -> pd.DataFrame:
    with reading() as con:
        return views.promo_weekly(con, promo_id, settings)


@st.cache_data(**CACHE)
def visit_summary(filters: Filters, settings: Settings) -> views.VisitSummary:
    with reading() as con:
        return views.visit_summary(con, filters, settings)


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def options() -> dict[str, list[str]]:
    with reading() as con:
        return views.options(con)


@st.cache_data(ttl=600, max_entries=4, show_spinner=False)
def latest_week() -> dt.date | None:
    with reading() as con:
        return views.latest_week(con)


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


def _display(df: pd.DataFrame, lg: str, screen: bool = True) -> pd.DataFrame:
    """Headers translated, quadrants and changes in the chosen language.

    On screen, money is in whole units and shares are percentages with one
    decimal (so every column reads alike); downloads keep every digit and the
    contract's fractions.
    """
    from . import metrics as m

    out = df.copy()
    if screen:
        for c in out.columns:
            meta = m.METRICS.get(c)
            if meta is None or not pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c]):
                continue
            if meta.fmt == m.MONEY:
                out[c] = out[c].round(0)
            elif meta.fmt == m.SHARE:
                out[c] = (out[c] * 100).round(1)
            elif meta.fmt in (m.NUMBER, m.PCT):
                out[c] = out[c].round(1)
    if "quadrant" in out:
        out["quadrant"] = out["quadrant"].map(lambda q: i18n.quadrant(q, lg) if isinstance(q, str) else q)
    if screen and "mechanic" in out:
        out["mechanic"] = out["mechanic"].map(lambda v: i18n.mechanic(v, lg) if isinstance(v, str) else v)
    if "change" in out:
        out["change"] = out["change"].map(lambda c: t(c, lg) if isinstance(c, str) and c in i18n.TEXT else c)
    return out.rename(columns={c: label(c, lg) for c in out.columns})


def _column_config(df: pd.DataFrame, lg: str) -> dict:
    """Formats and help per column, from the metric definitions."""
    from . import metrics as m

    cfg = {}
    for c in df.columns:
        meta = m.METRICS.get(c)
        name = label(c, lg)
        if meta is None:
            numeric = pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            cfg[name] = st.column_config.NumberColumn(name, format="localized") if numeric else st.column_config.Column(name)
            continue
        helptext = i18n.help_text(c, lg)
        number = pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
        formats = {m.MONEY: "localized", m.SHARE: "%.1f%%", m.INDEX: "%.0f", m.PCT: "%+.1f%%", m.NUMBER: "localized",
                   m.COUNT: "localized"}
        if number and meta.fmt in formats:
            cfg[name] = st.column_config.NumberColumn(name, help=helptext, format=formats[meta.fmt])
        else:
            cfg[name] = st.column_config.Column(name, help=helptext)
    return cfg


HIGHLIGHT = {"missed": "#fde2dc", "over-served": "#fff3c4"}
ROW_PX = 35


def table(
    df: pd.DataFrame,
    key: str,
    *,
    height: int | None = None,
    rows: int | None = None,
    selectable: bool = False,
    name: str = "table",
    highlight: str | None = None,
):
    """A sortable table with translated headers and formats, and CSV / Excel downloads.

    `rows` sizes the table to show that many rows without scrolling; `highlight`
    names a column whose values missed / over-served colour their row.
    """
    lg = lang()
    df = df.reset_index(drop=True)
    shown = _display(df, lg)
    data = shown
    if highlight and highlight in df:
        colours = [HIGHLIGHT.get(v, "") for v in df[highlight]]
        data = shown.style.apply(lambda row: [f"background-color: {colours[row.name]}" if colours[row.name] else ""] * len(row), axis=1)
    if rows is not None:
        height = ROW_PX * (min(rows, len(df)) + 1) + 3
    event = st.dataframe(
        data,
        hide_index=True,
        column_config=_column_config(df, lg),
        height=height or "auto",
        key=key,
        on_select="rerun" if selectable else "ignore",
        selection_mode="single-row" if selectable else "multi-row",
        placeholder="—",
    )
    full = _display(df, lg, screen=False)  # downloads keep every digit
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            t("download_csv", lg), neutralise(full).to_csv(index=False).encode("utf-8-sig"),
            file_name=f"{name}.csv", mime="text/csv", key=f"{key}_csv", icon=":material/download:",
        )
        st.download_button(
            t("download_xlsx", lg), to_xlsx(full), file_name=f"{name}.xlsx", icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
        )
    return event


def picked_point(event) -> str | None:
    """The first key (customdata[0]) of the points selected in a chart, if any."""
    points = event.selection.points if event and getattr(event, "selection", None) else []
    return points[0]["customdata"][0] if points and points[0].get("customdata") else None


def picked_row(event, df: pd.DataFrame, column: str) -> str | None:
    """`column` of the row selected in a table drawn from `df`, if any."""
    rows = event.selection.rows if event and getattr(event, "selection", None) else []
    return df.iloc[rows[0]][column] if rows and rows[0] < len(df) else None


def pick(source: str, value, target: str) -> None:
    """Set the widget `target` to `value` when the selection in `source` changed.

    Chart and table selections persist across reruns; applying them only when
    they change keeps a later choice made in `target` itself.
    """
    last = f"_picked_{source}"
    if value is not None and st.session_state.get(last) != value:
        st.session_state[target] = value
    st.session_state[last] = value


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
    out = []
    # A cursor of its own: the temporary tables of the reading live and die with it.
    with reading() as con, contextlib.closing(con.cursor()) as cur:
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
    return out


def preview_load(table: str, raws: list, filters: Filters, settings: Settings):
    """Validation and what the load would change (nothing is written)."""
    from . import loading

    with writing() as con:  # the preview writes in a transaction it rolls back
        return loading.preview(con, table, raws, filters, settings)


def save_load(table: str, raws: list, user: str, remember: dict[str, dict[str, str]]):
    """Write the files (validated again inside), remember confirmed mappings, refresh every page."""
    from . import loading

    with writing() as con:
        result = loading.write_files(con, table, raws, user)
        for mapping in remember.values():
            loading.remember_mapping(con, table, mapping)
    data_changed()
    st.session_state.pop("_uploads", None)
    return result


def history() -> pd.DataFrame:
    from . import loading

    with reading() as con:
        return loading.history(con)


def undo_load(load_id: int) -> dict:
    from . import loading

    with writing() as con:
        out = loading.undo(con, load_id)
    data_changed()
    return out


def visit_template(manager: str | None, week: dt.date, header_lang: str) -> bytes:
    from . import templates

    with reading() as con:
        rows = templates.manager_rows(con, manager, week) if manager else None
    return templates.template_xlsx("visits", header_lang, rows)
