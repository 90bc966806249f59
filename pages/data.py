"""Data: templates, uploads with validation before anything is saved, the load history with undo."""

import datetime as dt

import streamlit as st

from dashboard import auth, data, frame, state, tables, uploads
from ka_core import fmt, i18n, loading, templates, upload
from ka_core.i18n import t
from ka_core.schema import TABLES

frame.enter()
lang, f, s = state.lang(), state.filters(), state.settings()
st.title(t("data_title", lang))
if auth.history_only():  # directors: the load history only (domain.md, "Who sees what")
    auth.history_page(lang)
    st.stop()

if auth.login_user() is None:  # with login, loads are checked and recorded as the login's email
    st.text_input(t("who", lang), key="who", max_chars=60)
user = auth.login_user() or uploads.uploader_name()

# 1 · Templates -----------------------------------------------------------------------------
with st.expander(t("step_template", lang), expanded=False):
    c1, c2 = st.columns(2)
    tpl_table = c1.selectbox(
        t("table", lang), list(TABLES), key="tpl_table", format_func=lambda x: f"{x} · {TABLES[x].zh}"
    )
    tpl_lang = c2.radio(
        t("headers_lang", lang), ["zh", "en"], format_func=i18n.LANGS.get, key="tpl_lang", horizontal=True
    )
    if tpl_table == "visits":
        managers = data.options()["ka_manager"]
        m1, m2 = st.columns(2)
        manager = m1.selectbox(
            t("prefill_manager", lang),
            [None, *managers],
            format_func=lambda m: m or t("nobody", lang),
            key="tpl_manager",
        )
        week = m2.date_input(t("week_of", lang), value=data.latest_week() or dt.date.today(), key="tpl_week")
        template = uploads.visit_template(manager, week, tpl_lang)
        fname = f"visits_{manager.split(' ')[0] if manager else 'template'}_{week}.xlsx"
    else:
        template, fname = templates.template_xlsx(tpl_table, tpl_lang), f"{tpl_table}_template.xlsx"
    st.download_button(
        t("download_template", lang),
        template,
        file_name=fname,
        key="tpl_download",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

# 2 · Upload --------------------------------------------------------------------------------
st.subheader(t("step_upload", lang, mb=int(upload.UPLOAD_SETTINGS.max_file_mb)))
gen = st.session_state.setdefault("upload_gen", 0)
files = st.file_uploader(
    t("step_upload", lang, mb=int(upload.UPLOAD_SETTINGS.max_file_mb)),
    type=["csv", "xlsx", "xlsm", "parquet"],
    accept_multiple_files=True,
    key=f"uploader_{gen}",
    label_visibility="collapsed",
)
choice = st.selectbox(
    t("table", lang),
    [None, *TABLES],
    key="upload_table",
    format_func=lambda x: t("auto_table", lang) if x is None else f"{x} · {TABLES[x].zh}",
)
if st.session_state.get("saved_message"):
    st.success(st.session_state.pop("saved_message"))

mappings = st.session_state.setdefault("mappings", {})
opened = uploads.read_uploads(files, choice, mappings) if files else []
for up in opened:
    if up.table and not up.error:
        st.caption(t("recognised_as", lang, file=up.name, table=up.table))
    elif up.mappable:
        st.warning(t("not_recognised", lang, file=up.name) if up.table is None else i18n.refusal_text(up.error, lang))
        target = up.table or choice
        if target and up.headers:
            with st.form(f"map_{up.name}"):
                st.markdown(t("map_columns", lang, table=target))
                picked = {}
                cols = st.columns(3)
                for i, col in enumerate(TABLES[target].columns):
                    picked[col.name] = cols[i % 3].selectbox(
                        f"{col.name} · {col.zh}" + (" *" if col.required else ""),
                        [None, *up.headers],
                        key=f"map_{up.name}_{col.name}",
                    )
                remember = st.checkbox(t("remember", lang), value=True, key=f"remember_{up.name}")
                if st.form_submit_button(t("apply_mapping", lang)):
                    mappings[up.name] = {h: c for c, h in picked.items() if h}
                    st.session_state.setdefault("remember_maps", {})[up.name] = remember
                    st.rerun()
    else:
        st.error(i18n.refusal_text(up.error, lang))

ready = [u for u in opened if u.raw is not None]
targets = {u.table for u in ready}
if ready and len(targets) == 1:
    table = targets.pop()
    pv = uploads.preview_load(table, [u.raw for u in ready], f, s, auth.login_user())
    st.subheader(t("step_check", lang))
    for u in ready:
        for note in u.raw.notes:
            st.caption(note)
    if pv.validation.problems:
        st.error(t("problems_found", lang, n=len(pv.validation.problems)))
        problems = upload.problems_frame(pv.validation.problems, lang, [u.raw for u in ready], table)
        st.dataframe(problems, hide_index=True, key="problems")
        st.download_button(
            t("download_problems", lang),
            upload.problems_csv(pv.validation.problems, lang, [u.raw for u in ready], table),
            file_name="problems.csv",
            mime="text/csv",
            key="problems_csv",
        )
    else:
        st.success(t("all_good", lang, rows=f"{pv.validation.rows:,}"))
    st.markdown("**" + t("preview", lang) + "**")
    for u in ready:
        tables.marked(
            *upload.preview_frame(u.raw, pv.validation.problems, lang=lang, table=table),
            key=f"preview_{u.name}",
            height=240,
        )
    if pv.validation.ok:
        st.subheader(t("step_confirm", lang))
        k1, k2, k3, k4, k5 = st.columns(5)
        k1.metric(t("will_add", lang), fmt.count(pv.rows_new, lang), border=True)
        k2.metric(t("will_replace", lang), fmt.count(pv.rows_replaced, lang), border=True)
        k3.metric(t("empty_rows_skipped", lang), fmt.count(pv.blank_rows, lang), border=True)
        k4.metric(t("stores_covered", lang), fmt.count(len(pv.stores), lang), border=True)
        k5.metric(t("dates_covered", lang), fmt.date_range(pv.first_date, pv.last_date, lang), border=True)
        st.markdown(
            t(
                "confirm_counts",
                lang,
                new=fmt.count(pv.rows_new, lang),
                replaced=fmt.count(pv.rows_replaced, lang),
                blank=fmt.count(pv.blank_rows, lang),
            )
        )
        if pv.replacements is not None and len(pv.replacements):
            st.markdown("**" + t("replaced_rows", lang) + "**")
            tables.table(upload.replacements_frame(pv.replacements, table, lang), key="replaced", name="replaced")
        if pv.validation.warnings:
            st.warning(t("sheet_warnings", lang, n=fmt.count(len(pv.validation.warnings), lang)))
            st.dataframe(
                upload.problems_frame(pv.validation.warnings, lang, [u.raw for u in ready], table),
                hide_index=True,
                key="warnings",
            )
        if pv.changes is not None and len(pv.changes):
            st.markdown("**" + t("share_changes", lang) + "**")
            tables.table(upload.changes_frame(pv.changes, lang), key="changes", name="changes")
        else:
            st.caption(t("no_share_change", lang))
        if not user:
            st.warning(t("who_needed", lang))
        if st.button(t("save", lang), type="primary", disabled=not user, key="save"):
            remember = {
                u.name: mappings[u.name]
                for u in ready
                if u.name in mappings and st.session_state.get("remember_maps", {}).get(u.name)
            }
            try:
                result = uploads.save_load(table, [u.raw for u in ready], user, remember)
            except loading.ValidationFailed as exc:  # the data changed since the check
                st.error(str(exc))
            except Exception as exc:  # shown, never a traceback
                st.error(str(exc))
            else:
                st.session_state["saved_message"] = t(
                    "saved", lang, ids=", ".join(str(x["load_id"]) for x in result.loads)
                )
                st.session_state["upload_gen"] = gen + 1
                st.rerun()
elif len(targets) > 1:
    st.error(", ".join(sorted(targets)))

# History and undo -------------------------------------------------------------------------
st.subheader(t("history", lang))
hist = uploads.history()
st.dataframe(upload.history_frame(hist, lang), hide_index=True, key="history", height=260)
active = auth.undoable(hist)  # KA managers: their own loads; admins and the local user: all
if active:
    st.markdown("**" + t("undo", lang) + "**")
    labels = {int(r["load_id"]): upload.load_choice(r, lang) for r in active}
    load_id = st.selectbox(  # nothing preselected: an undo is always a choice
        t("undo_pick", lang),
        list(labels),
        index=None,
        placeholder=t("undo_none_picked", lang),
        format_func=labels.get,
        key="undo_id",
    )
    if load_id is not None:
        lines, possible = upload.undo_summary(uploads.undo_plan(load_id), lang)
        (st.info if possible else st.warning)("\n\n".join(lines))
        if possible:
            with st.form("undo_form"):
                sure = st.checkbox(t("undo_confirm", lang), key="undo_sure")
                if st.form_submit_button(t("undo_button", lang)) and sure:
                    try:
                        r = uploads.undo_load(int(load_id))
                    except Exception as exc:  # shown, never a traceback
                        st.error(str(exc))
                    else:
                        st.success(
                            t(
                                "undone",
                                lang,
                                id=r["load_id"],
                                removed=fmt.count(r["rows_removed"], lang),
                                restored=fmt.count(r["rows_restored"], lang),
                            )
                        )
