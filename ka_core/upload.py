"""The upload journey's logic (the Data page only draws it): files from bytes, table guess,
headers for a mapping, a preview with the problem cells marked, what a load will do."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from . import errors, loading
from .errors import KaError
from .schema import LOAD_ORDER, TABLES, header_aliases, normalise_header
from .settings import Settings

UPLOAD_SETTINGS = Settings(max_file_mb=20, max_rows=1_000_000)  # the dashboard's limits (issue 4)
PREVIEW_ROWS = 50


@dataclass
class Upload:
    """One uploaded file, kept on disk for the loader, with what we learned about it."""

    name: str
    path: Path
    table: str | None = None
    raw: loading.RawFile | None = None
    error: str | None = None  # a refusal (size, format, headers) in one clear line
    error_code: str | None = None  # errors.HEADERS / errors.NOT_RECOGNISED: a mapping can fix it
    headers: list[str] = field(default_factory=list)

    @property
    def mappable(self) -> bool:
        """The headers could not be matched: the user may map them by hand."""
        return self.error_code in (errors.HEADERS, errors.NOT_RECOGNISED)


def save(name: str, data: bytes, folder: Path | None = None) -> Path:
    """Write uploaded bytes to a private temporary file (the loader reads paths)."""
    folder = folder or Path(tempfile.mkdtemp(prefix="ka-upload-"))
    safe = "".join(ch for ch in Path(name).name if ch.isalnum() or ch in "._- ()（）") or "upload"
    path = folder / safe
    path.write_bytes(data)
    return path


def peek_headers(path: Path) -> list[str]:
    """Candidate headers for a manual mapping: the first row of the file, as the loader reads it
    (its encoding, delimiter and sheet), with at least two cells."""
    try:
        for row in loading.first_rows(path):
            cells = [str(c).strip() for c in row if c is not None and str(c).strip()]
            if len(cells) >= 2:
                return cells
    except (KaError, OSError, ValueError):
        return []
    return []


def guess_table(headers: list[str]) -> str | None:
    """The table whose required columns the headers cover best (all of them to count)."""
    best, best_score = None, 0.0
    for table in LOAD_ORDER:
        aliases = header_aliases(TABLES[table])
        found = {aliases.get(normalise_header(h)) for h in headers} - {None}
        required = set(TABLES[table].required)
        if required <= found:
            score = len(found) / len(TABLES[table].columns) + len(required)
            if score > best_score:
                best, best_score = table, score
    return best


def read(
    con: duckdb.DuckDBPyConnection,
    upload: Upload,
    table: str,
    mapping: dict[str, str] | None = None,
    settings: Settings = UPLOAD_SETTINGS,
) -> Upload:
    """Read an upload for a table (remembered mappings applied); refusals land in upload.error."""
    upload.table = table
    upload.headers = upload.headers or peek_headers(upload.path)  # the caller may have read them to guess
    try:
        upload.raw = loading.read_files(con, table, [upload.path], settings, mapping, [upload.name])[0]
        upload.error = upload.error_code = None
    except KaError as exc:
        upload.raw, upload.error, upload.error_code = None, str(exc), exc.code
    return upload


def open_upload(
    con: duckdb.DuckDBPyConnection, name: str, data: bytes, table: str | None, mapping: dict[str, str] | None = None
) -> Upload:
    """Step 1 of the flow, for one uploaded file: save it, find its table (or take `table`), read it."""
    up = Upload(name=name, path=save(name, data))
    up.headers = peek_headers(up.path)
    target = table or guess_table(up.headers)
    if target is None:
        up.error, up.error_code = f"{name}: not recognised", errors.NOT_RECOGNISED
        return up
    return read(con, up, target, mapping)


def preview_frame(
    raw: loading.RawFile,
    problems: list[loading.Problem],
    n: int = PREVIEW_ROWS,
    lang: str = "en",
    table: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The first rows with problems first, and a same-shaped True/False frame of problem cells.

    Columns carry the file's own headers (门店编号 if the sheet says 门店编号), the row number
    column the user's language."""
    df = raw.table.to_pandas()
    bad = {(p.row, c) for p in problems if p.file == raw.name for c in (p.column or "").split("/")}
    bad_rows = {r for r, _ in bad}
    df["_bad"] = df[loading.ROW].isin(bad_rows)
    df = pd.concat([df[df["_bad"]], df[~df["_bad"]]]).head(n).drop(columns="_bad")
    df = df[[loading.ROW, *[c for c in df.columns if c != loading.ROW]]].rename(columns={loading.ROW: "row"})
    mask = pd.DataFrame(False, index=df.index, columns=df.columns)
    for i, r in zip(df.index, df["row"], strict=True):
        for c in df.columns:
            if (r, c) in bad:
                mask.at[i, c] = True
    names = {c: column_as_user_sees_it(c, table, raw.headers, lang) for c in df.columns if c != "row"}
    names["row"] = PROBLEM_HEADERS["row"][1 if lang == "zh" else 0]
    return df.reset_index(drop=True).rename(columns=names), mask.reset_index(drop=True).rename(columns=names)


def problems_csv(
    problems: list[loading.Problem],
    lang: str = "en",
    files: list[loading.RawFile] | None = None,
    table: str | None = None,
) -> bytes:
    """The problems download: the problems table in the user's language (headers, columns named
    as the file names them, what was expected), neutralised, UTF-8 with a byte-order mark."""
    from . import sheets

    return sheets.csv_bytes(problems_frame(problems, lang, files, table))


PROBLEM_HEADERS = {
    "file": ("file", "文件"),
    "row": ("row", "行"),
    "column": ("column", "列"),
    "value": ("value", "值"),
    "expected": ("expected", "应为"),
}


def column_as_user_sees_it(column: str | None, table: str | None, own: dict[str, str], lang: str) -> str | None:
    """A contract column named as the user's file names it (门店编号 if the sheet says 门店编号),
    else in the user's language; key columns joined with '/' are named one by one."""
    if not column:
        return column
    out = []
    for c in column.split("/"):
        if c in own:
            out.append(own[c])
        elif lang == "zh" and table in TABLES and c in TABLES[table].column_names:
            out.append(TABLES[table].column(c).zh)
        else:
            out.append(c)
    return "/".join(out)


def problem_line(
    p: loading.Problem, lang: str = "en", files: list[loading.RawFile] | None = None, table: str | None = None
) -> str:
    """One problem as the command line prints it: in English as loading.Problem says it; in
    Chinese with the column named as the file names it and what was expected translated."""
    if lang != "zh":
        return str(p)
    from . import i18n

    own = {f.name: f.headers for f in files or []}
    where = p.file
    if p.row is not None:
        where += f"，第 {p.row} 行"
    if p.column:
        where += f"，列“{column_as_user_sees_it(p.column, table, own.get(p.file, {}), lang)}”"
    value = "" if p.value is None else f"：{loading.shown(p.value)!r}"
    expected = i18n.expected_text(loading.shown(p.expected, 2 * loading.SHOWN_CHARS), lang)
    return f"{where}{value} — {expected}"


def problems_frame(
    problems: list[loading.Problem],
    lang: str = "en",
    files: list[loading.RawFile] | None = None,
    table: str | None = None,
) -> pd.DataFrame:
    """The problems as a table in the user's language: columns named by the file's own headers,
    what was expected translated (ka_core.i18n.expected_text)."""
    from . import i18n

    own = {f.name: f.headers for f in files or []}
    rows = [
        (
            p.file,
            p.row,
            column_as_user_sees_it(p.column, table, own.get(p.file, {}), lang) if files or lang == "zh" else p.column,
            None if p.value is None else loading.shown(p.value),
            i18n.expected_text(p.expected, lang),
        )
        for p in problems
    ]
    cols = list(PROBLEM_HEADERS) if lang != "zh" else [v[1] for v in PROBLEM_HEADERS.values()]
    return pd.DataFrame(rows, columns=cols)


def changes_frame(changes: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Before → after of the stores a load changes, as text for the confirmation table."""
    from . import fmt, i18n

    def show(c: str, v) -> str:
        return i18n.quadrant(v, lang) if c == "quadrant" and isinstance(v, str) else fmt.metric(c, v, lang)

    out = pd.DataFrame({"store_id": changes["store_id"], "store_name": changes["store_name"]})
    for c in ("customer_share", "fair_share_index", "quadrant"):
        out[c] = [
            i18n.t("before_after", lang, a=show(c, a), b=show(c, b))
            for a, b in zip(changes[f"{c}_before"], changes[f"{c}_after"], strict=True)
        ]
    return out


# The load history and undo ----------------------------------------------------------------


def _when(ts, lang: str) -> str:
    """A load's time as people read it: the day as ka_core.fmt writes it, then hh:mm."""
    from . import fmt

    if ts is None or pd.isna(ts):
        return ""
    return f"{fmt.date(ts, lang)} {pd.Timestamp(ts):%H:%M}"


def table_name(table: str, lang: str) -> str:
    return TABLES[table].zh if lang == "zh" and table in TABLES else table


def history_frame(hist: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The load log as the Data page shows it: formatted counts and times, headers in the
    user's language, a status instead of an empty `undone_at` (never `None`)."""
    from . import fmt, i18n

    out = pd.DataFrame(
        {
            "load_id": hist["load_id"].map(lambda v: f"{int(v)}"),
            "table_name": hist["table_name"].map(lambda v: table_name(v, lang)),
            "file_name": hist["file_name"].fillna(""),
            "rows_inserted": hist["rows_inserted"].map(lambda v: fmt.count(v, lang)),
            "rows_replaced": hist["rows_replaced"].map(lambda v: fmt.count(v, lang)),
            "user_name": hist["user_name"].fillna(""),
            "loaded_at": hist["loaded_at"].map(lambda v: _when(v, lang)),
            "status": hist["undone_at"].map(
                lambda v: i18n.t("undone_on", lang, when=_when(v, lang)) if not pd.isna(v) else ""
            ),
        }
    )
    return i18n.history_headers(out, lang)


def load_choice(row: dict, lang: str) -> str:
    """One load in the undo picker: id, table, file, rows, who, when."""
    from . import fmt, i18n

    return i18n.t(
        "load_choice",
        lang,
        id=row["load_id"],
        table=table_name(row["table_name"], lang),
        file=row["file_name"],
        rows=fmt.count(row["rows_inserted"], lang),
        user=row["user_name"] or "?",
        when=_when(row["loaded_at"], lang),
    )


def undo_summary(plan: dict, lang: str) -> tuple[list[str], bool]:
    """What undoing a load means, in sentences (loading.undo_plan), and whether it can be done now."""
    from . import fmt, i18n

    when = _when(plan["loaded_at"], lang)
    if plan["undone_at"] is not None:
        return [i18n.t("undo_already", lang, id=plan["load_id"], when=_when(plan["undone_at"], lang))], False
    lines = [
        i18n.t(
            "undo_removes",
            lang,
            id=plan["load_id"],
            rows=fmt.count(plan["removes"], lang),
            table=table_name(plan["table"], lang),
            file=plan["file_name"],
            user=plan["user"] or "?",
            when=when,
        )
    ]
    if plan["restores"]:
        lines.append(i18n.t("undo_restores", lang, rows=fmt.count(plan["restores"], lang)))
    for later in plan["later"]:
        lines.append(
            i18n.t(
                "undo_blocked",
                lang,
                rows=fmt.count(later["rows"], lang),
                id=later["load_id"],
                file=later["file_name"],
                user=later["user"] or "?",
            )
        )
    return lines, not plan["later"]


def replacements_frame(rep: pd.DataFrame, table: str, lang: str) -> pd.DataFrame:
    """Rows a load replaces as the confirmation shows them: the row of the file, the key, and
    `before → after` for each value that changes (an unchanged value shows once)."""
    from . import fmt, i18n

    t = TABLES[table]

    def show(v) -> str:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            return fmt.MISSING
        if isinstance(v, bool):
            return fmt.boolean(v, lang)
        if isinstance(v, float):
            return fmt.number(v, lang, 0 if v.is_integer() else 2)
        if hasattr(v, "year"):
            return fmt.date(v, lang)
        return str(v)

    header = {c.name: (c.zh if lang == "zh" else c.name) for c in t.columns}
    out = pd.DataFrame({"行" if lang == "zh" else "row": rep["row"]})
    for k in t.key:
        out[header[k]] = rep[k].map(show)
    for c in t.column_names:
        if c in t.key:
            continue
        a, b = rep[f"{c}_before"].map(show), rep[f"{c}_after"].map(show)
        if (a == b).all():
            continue
        out[header[c]] = [x if x == y else i18n.t("before_after", lang, a=x, b=y) for x, y in zip(a, b, strict=True)]
    return out
