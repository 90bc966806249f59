"""The Data page's flow on the server: read → validate → preview → confirm → load → result.

The logic is ka_core.upload and ka_core.loading; this module gives it the
warehouse connections and keeps what was read in the session, so a rerun does
not read a file twice.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from ka_core import access, loading, templates, upload
from ka_core.settings import Filters, Settings

from .data import reading, scoped, writing


def uploader_name() -> str | None:
    """Who uploads: the logged-in user when login is configured, else the name entered once."""
    try:
        if getattr(st.user, "is_logged_in", False):
            return str(st.user.get("name") or st.user.get("email"))
    except Exception:  # st.user raises when auth is not configured
        pass
    return (st.session_state.get("who") or "").strip() or None


def read_uploads(files, table_choice: str | None, mappings: dict[str, dict[str, str]]) -> list[upload.Upload]:
    """Uploaded files as ka_core.upload.Upload objects, read once per file, table and mapping."""
    cache = st.session_state.setdefault("_uploads", {})
    out = []
    # A read is a cursor of its own: the temporary tables of the reading live and die with it.
    with reading() as cur:
        for f in files:
            mapping = mappings.get(f.name) or None
            key = (f.file_id, table_choice, tuple(sorted((mapping or {}).items())))
            if key not in cache:
                cache[key] = upload.open_upload(cur, f.name, f.getvalue(), table_choice, mapping)
            out.append(cache[key])
    return out


def preview_load(
    table: str, raws: list, filters: Filters, settings: Settings, user: access.User | None = None
) -> loading.Preview:
    """Validation, the rows outside the login's scope, and what the load would change, in the
    session's scope. Reads only: a cursor of the shared read-only connection (its temporary
    tables and views die with it), so it works while another program reads the warehouse and
    waits its turn like any read while the command line writes."""
    with reading() as cur:
        return loading.preview(cur, table, raws, scoped(filters), settings, user)


def save_load(table: str, raws: list, user: str, remember: dict[str, dict[str, str]]) -> loading.LoadResult:
    """Write the files (validated again inside) and remember the confirmed mappings."""
    with writing() as con:
        result = loading.write_files(con, table, raws, user)
        for mapping in remember.values():
            loading.remember_mapping(con, table, mapping)
    st.session_state.pop("_uploads", None)
    return result


def history() -> pd.DataFrame:
    with reading() as con:
        return loading.history(con)


def undo_plan(load_id: int) -> dict:
    """What undoing a load would remove and put back (nothing changes)."""
    with reading() as con:
        return loading.undo_plan(con, load_id)


def undo_load(load_id: int) -> dict:
    with writing() as con:
        return loading.undo(con, load_id)


def visit_template(manager: str | None, week: dt.date, header_lang: str) -> bytes:
    """The visit-sheet template, pre-filled with a KA manager's stores for the week."""
    with reading() as con:
        rows = templates.manager_rows(con, manager, week) if manager else None
        lists = templates.choices(con, manager)
    return templates.template_xlsx("visits", header_lang, rows, lists)
