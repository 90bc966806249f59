"""Tables with translated headers and formats, their CSV / Excel downloads, and selections."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ka_core import fmt, i18n, metrics, names, sheets
from ka_core.i18n import label, t

from . import data, state


@st.cache_resource(ttl=600, max_entries=8, show_spinner=False)
def _names(version: tuple) -> names.Lookup:
    # One object for every session (read only, never changed): no copy per call.
    with data.reading() as con:
        return names.lookup(con)


def names_lookup() -> names.Lookup:
    """The `names` table (kind -> value -> (zh, en)), read again after any write."""
    return _names(data.stamp())


def _display(df: pd.DataFrame, lg: str, screen: bool = True) -> pd.DataFrame:
    """Headers translated, quadrants and changes in the chosen language.

    On screen, money is in whole units and shares are percentages with one
    decimal (so every column reads alike); downloads keep every digit and the
    contract's fractions.
    """
    out = fmt.screen_frame(df, lg) if screen else df.copy()
    out = names.frame(out, names_lookup(), lg)  # chains, regions, categories… in the user's language
    if "quadrant" in out:
        out["quadrant"] = out["quadrant"].map(lambda q: i18n.quadrant(q, lg) if isinstance(q, str) else q)
    if screen and "mechanic" in out:
        out["mechanic"] = out["mechanic"].map(lambda v: i18n.mechanic(v, lg) if isinstance(v, str) else v)
    if "change" in out:
        out["change"] = out["change"].map(lambda c: t(c, lg) if isinstance(c, str) and c in i18n.TEXT else c)
    return out.rename(columns={c: label(c, lg) for c in out.columns})


def _column_config(df: pd.DataFrame, lg: str) -> dict:
    """Formats and help per column, from the metric definitions."""
    cfg = {}
    for c in df.columns:
        meta = metrics.METRICS.get(c)
        name = label(c, lg)
        if meta is None:
            numeric = pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
            cfg[name] = (
                st.column_config.NumberColumn(name, format="localized") if numeric else st.column_config.Column(name)
            )
            continue
        helptext = i18n.help_text(c, lg)
        number = pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])
        if number and meta.fmt in fmt.PRINTF:
            cfg[name] = st.column_config.NumberColumn(name, help=helptext, format=fmt.PRINTF[meta.fmt])
        else:
            cfg[name] = st.column_config.Column(name, help=helptext)
    return cfg


@st.cache_resource(ttl=3600, max_entries=512, show_spinner=False)
def _prepared(df: pd.DataFrame, lg: str, version: tuple) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """A table's screen frame, its column formats and its download frame (every digit), made once
    for every session showing the same rows in the same language (`version`: the names they use).
    Read only: st.dataframe and the downloads never change them."""
    return _display(df, lg), _column_config(df, lg), _display(df, lg, screen=False)


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
    on_select=None,
):
    """A sortable table with translated headers and formats, and CSV / Excel downloads.

    `selectable` lets the user pick one row (read it with `picked_row`); `on_select`, a
    callback, does so too and runs before the next rerun (state.filter_on_row).

    `rows` sizes the table to show that many rows without scrolling; `highlight`
    names a column whose values missed / over-served colour their row.
    """
    lg = state.lang()
    df = df.reset_index(drop=True)
    shown, config, full = _prepared(df, lg, data.stamp())
    body = shown
    if highlight and highlight in df:
        colours = [HIGHLIGHT.get(v, "") for v in df[highlight]]
        body = shown.style.apply(
            lambda row: [f"background-color: {colours[row.name]}" if colours[row.name] else ""] * len(row), axis=1
        )
    if rows is not None:
        height = ROW_PX * (min(rows, len(df)) + 1) + 3
    event = st.dataframe(
        body,
        hide_index=True,
        column_config=config,
        height=height or "auto",
        key=key,
        on_select=on_select or ("rerun" if selectable else "ignore"),
        selection_mode="single-row" if selectable or on_select else "multi-row",
        placeholder="—",
    )
    # The files are written when clicked (a callable runs then), not on every rerun:
    # an XLSX per table per rerun was an eighth of the server's time with 8 sessions at once.
    with st.container(horizontal=True, gap="small"):
        st.download_button(
            t("download_csv", lg),
            lambda: sheets.csv_bytes(full),
            file_name=f"{name}.csv",
            mime="text/csv",
            key=f"{key}_csv",
            icon=":material/download:",
        )
        st.download_button(
            t("download_xlsx", lg),
            lambda: sheets.xlsx_bytes(full),
            file_name=f"{name}.xlsx",
            icon=":material/download:",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{key}_xlsx",
        )
    return event


PROBLEM_CELL = "background-color: #f8c4c4"


def marked(frame: pd.DataFrame, mask: pd.DataFrame, key: str, height: int) -> None:
    """A preview whose cells flagged True in the same-shaped `mask` are red (the problems)."""
    styled = frame.style.apply(lambda c: [PROBLEM_CELL if v else "" for v in mask[c.name]], axis=0)
    st.dataframe(styled, hide_index=True, key=key, height=height)


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


def nothing() -> None:
    """The empty state: a helpful message instead of an empty axis."""
    st.info(t("no_data", state.lang()))
