"""`python -m ka_core`: the command line of data-contract.md.

Exit status 0 on success, 2 for a usage error, 1 for anything else, with a
clear message on stderr and nothing changed.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import decimal
import json
import math
import os
import re
import sys
import time
import unicodedata
from pathlib import Path

import pandas as pd

from . import access, db, fmt, i18n, loading, metrics, reports, upload
from .errors import KaError, UsageError
from .schema import TABLES
from .settings import SPECS, Filters, Settings


def _date_type(lang: str):
    """The type of --from and --to: a date, or a message in the user's language."""

    def date(text: str) -> dt.date:
        for pattern in ("%Y-%m-%d", "%Y/%m/%d"):
            try:
                return dt.datetime.strptime(text, pattern).date()
            except ValueError:
                pass
        raise argparse.ArgumentTypeError(i18n.t("cli_not_date", lang, value=text))

    return date


def _typed(kind: type, lang: str):
    """int or float for argparse, named in the user's language (argparse's "invalid int value"
    names the type by the function's name)."""
    if lang != "zh" or kind not in (int, float):
        return kind

    def convert(text: str):
        return kind(text)

    convert.__name__ = i18n.t("cli_type_int" if kind is int else "cli_type_float", lang)
    return convert


def _setting_flags(parser: argparse.ArgumentParser, group: str, lang: str = "en") -> None:
    """The flags of the settings of a command (ka_core.settings.SPECS); unset ones take the spec's default."""
    for s in SPECS.values():
        if s.group != group:
            continue
        extra = i18n.t("cli_h_env", lang, env=s.env) if s.env else ""
        help_ = i18n.t(
            "cli_h_setting", lang, help=s.help_zh if lang == "zh" else s.help, default=s.default_text(), env=extra
        )
        metavar = "cli_m_x" if s.type is float else "cli_m_n" if s.type is int else "cli_m_text"
        parser.add_argument(
            s.cli,
            dest=s.name,
            type=_typed(s.type, lang),
            choices=s.choices or None,
            default=None,
            metavar=None if s.choices else i18n.t(metavar, lang),
            help=help_.replace("%", "%%"),
        )


class _WideFormatter(argparse.HelpFormatter):
    """argparse's help with the option column aligned when it holds Chinese (a CJK character takes
    two columns in a terminal; argparse counts one)."""

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            heads = [self._format_action_invocation(a) for a in [action, *self._iter_indented_subactions(action)]]
            longest = max(_width(h) for h in heads) + self._current_indent
            self._action_max_length = max(self._action_max_length, longest)

    def _format_action(self, action: argparse.Action) -> str:
        text = super()._format_action(action)
        head = self._format_action_invocation(action)
        extra = _width(head) - len(head)
        start = text.find(head)
        if extra and start >= 0:  # argparse padded by characters: take out one space per wide character
            end = start + len(head)
            gap = len(text[end:]) - len(text[end:].lstrip(" "))
            if gap - extra >= 2:
                text = text[:end] + " " * (gap - extra) + text[end + gap :]
            elif gap:  # too wide for the column: the help starts on the next line, as argparse does
                column = min(self._action_max_length + 2, self._max_help_position)
                text = text[:end] + "\n" + " " * column + text[end + gap :]
        return text


def _parser(lang: str = "en") -> argparse.ArgumentParser:
    """The command line's parser, every text in `lang` (i18n TEXT keys cli_h_* and cli_m_*); argparse's
    own texts follow `lang` inside _argparse_in(lang)."""

    def h(key: str, **kw) -> str:  # a help text; argparse formats help with %
        return i18n.t(key, lang, **kw).replace("%", "%%")

    def m(key: str) -> str:
        return i18n.t(key, lang)

    date = _date_type(lang)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", metavar=m("cli_m_path"), default=argparse.SUPPRESS, help=h("cli_h_db"))
    common.add_argument("--as", dest="as_user", metavar=m("cli_m_email"), default=argparse.SUPPRESS, help=h("cli_h_as"))
    common.add_argument(
        "--wait", type=_typed(float, lang), metavar=m("cli_m_seconds"), default=argparse.SUPPRESS, help=h("cli_h_wait")
    )
    common.add_argument("--lang", choices=list(i18n.LANGS), default=argparse.SUPPRESS, help=h("cli_h_lang"))
    kw = {"parents": [common], "formatter_class": _WideFormatter}
    p = argparse.ArgumentParser(prog="python -m ka_core", description=m("cli_description"), **kw)
    sub = p.add_subparsers(dest="command", required=True, metavar=m("cli_m_command"), help=h("cli_h_command"))

    s = sub.add_parser("init", **kw, help=h("cli_h_init"))
    s.add_argument("--demo", action="store_true", help=h("cli_h_demo"))
    s.add_argument("--stores", type=_typed(int, lang), default=160, metavar=m("cli_m_stores"), help=h("cli_h_stores"))
    s.add_argument("--weeks", type=_typed(int, lang), default=104, metavar=m("cli_m_weeks"), help=h("cli_h_weeks"))
    s.add_argument("--seed", type=_typed(int, lang), default=7, metavar=m("cli_m_seed"), help=h("cli_h_seed"))
    s.add_argument("--force", action="store_true", help=h("cli_h_force"))

    s = sub.add_parser("load", **kw, help=h("cli_h_load"))
    s.add_argument(
        "table", choices=list(TABLES), metavar=m("cli_m_table"), help=h("cli_h_table", tables=", ".join(TABLES))
    )
    s.add_argument("files", nargs="+", metavar=m("cli_m_file"), help=h("cli_h_files"))
    s.add_argument("--user", metavar=m("cli_m_user"), help=h("cli_h_user"))
    s.add_argument("--errors", metavar=m("cli_m_csv"), help=h("cli_h_errors"))
    _setting_flags(s, "load", lang)

    def filter_flags(s: argparse.ArgumentParser) -> None:
        s.add_argument("--from", dest="date_from", type=date, metavar=m("cli_m_date"), help=h("cli_h_from"))
        s.add_argument("--to", dest="date_to", type=date, metavar=m("cli_m_date"), help=h("cli_h_to"))
        s.add_argument("--chain", action="append", default=[], metavar=m("cli_m_chain"), help=h("cli_h_chain"))
        s.add_argument("--region", action="append", default=[], metavar=m("cli_m_region"), help=h("cli_h_region"))
        s.add_argument("--category", action="append", default=[], metavar=m("cli_m_category"), help=h("cli_h_category"))
        _setting_flags(s, "report", lang)

    s = sub.add_parser("report", **kw, help=h("cli_h_report"))
    s.add_argument(
        "name",
        choices=list(reports.REPORTS),
        metavar=m("cli_m_report"),
        help=h("cli_h_name", reports=", ".join(reports.REPORTS)),
    )
    s.add_argument("--format", choices=["csv", "json", "table"], default="table", help=h("cli_h_format"))
    filter_flags(s)
    s.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb", help=h("cli_h_engine"))
    s.add_argument("--lake", metavar=m("cli_m_dir"), help=h("cli_h_lake"))
    s.add_argument("--spark-master", metavar=m("cli_m_url"), help=h("cli_h_spark_master"))

    s = sub.add_parser("lake", **kw, help=h("cli_h_lake_cmd"))
    s.add_argument("dir", metavar=m("cli_m_dir"), help=h("cli_h_dir"))

    s = sub.add_parser("export", **kw, help=h("cli_h_export"))
    s.add_argument("file", metavar=m("cli_m_file"), nargs="+", help=h("cli_h_file"))
    filter_flags(s)

    sub.add_parser("bench", help=h("cli_h_bench"), add_help=False, formatter_class=_WideFormatter)

    sub.add_parser("history", **kw, help=h("cli_h_history"))
    s = sub.add_parser("undo", **kw, help=h("cli_h_undo"))
    s.add_argument("load_id", type=_typed(int, lang), metavar=m("cli_m_load_id"), help=h("cli_h_load_id"))
    return p


def _argv_lang(argv: list[str]) -> str:
    """The language before parsing: --lang X or --lang=X in argv, else $KA_LANG, else English
    (an unknown value: English, and the parser or _lang says what is wrong)."""
    lang = os.environ.get("KA_LANG", "").strip()
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            lang = argv[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.partition("=")[2]
    return lang if lang in i18n.LANGS else "en"


@contextlib.contextmanager
def _argparse_in(lang: str):
    """argparse's own texts (usage, section titles, its errors) in `lang`: its gettext hooks,
    argparse._ and argparse.ngettext, point at ka_core.i18n while the command line runs."""
    if lang == "en":
        yield
        return
    saved = argparse._, argparse.ngettext
    argparse._ = lambda text: i18n.argparse_text(text, lang)
    argparse.ngettext = lambda one, many, n: i18n.argparse_text(one if n == 1 else many, lang)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


# Output -------------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    fill = " " * (width - _width(text))
    return fill + text if right else text + fill


def _cell(column: str, value, kind: str, currency: str | None, lang: str) -> str:
    if lang == "zh" and isinstance(value, str):
        if column == "quadrant":
            return i18n.quadrant(value, lang)
        if column == "change" and value in i18n.TEXT:
            return i18n.t(value, lang)
    return fmt.plain(kind, value, currency)


def format_table(df: pd.DataFrame, currency: str | None = None, lang: str = "en") -> str:
    """A report as an aligned text table, each cell as ka_core.fmt.plain formats its metric;
    in Chinese the headers are the metrics' Chinese labels and quadrants are named in Chinese."""
    if df.empty:
        return i18n.t("cli_no_rows", lang)
    cols = list(df.columns)
    kinds = {c: fmt.kind_of(c) for c in cols}
    shown = {c: [_cell(c, v, kinds[c], currency, lang) for v in df[c]] for c in cols}
    heads = {c: i18n.label(c, lang) if lang == "zh" else c for c in cols}
    widths = {c: max(_width(heads[c]), *(_width(s) for s in shown[c])) for c in cols}
    right = {c: kinds[c] not in (metrics.TEXT, metrics.DATE) for c in cols}
    lines = ["  ".join(_pad(heads[c], widths[c], right[c]) for c in cols).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in cols))
    for i in range(len(df)):
        lines.append("  ".join(_pad(shown[c][i], widths[c], right[c]) for c in cols).rstrip())
    return "\n".join(lines)


def _json_value(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float):
        return None if math.isnan(v) else v
    if isinstance(v, (dt.date, dt.datetime, pd.Timestamp)):
        return v.isoformat()[:10]
    if hasattr(v, "item"):  # numpy scalars
        return _json_value(v.item())
    if isinstance(v, decimal.Decimal):  # a SQL sum of integers; JSON has numbers only
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def format_json(df: pd.DataFrame) -> str:
    rows = [{c: _json_value(v) for c, v in zip(df.columns, r, strict=True)} for r in df.itertuples(index=False)]
    return json.dumps(rows, ensure_ascii=False, indent=1)


def format_csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d")


# Commands -----------------------------------------------------------------------------


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _lang(args) -> str:
    """--lang, else $KA_LANG, else English: the language of messages, tables and the export."""
    lang = getattr(args, "lang", None) or os.environ.get("KA_LANG", "").strip() or "en"
    if lang not in i18n.LANGS:
        raise UsageError(i18n.t("cli_bad_lang", "en", value=lang))
    return lang


def _table_name(table: str, lang: str) -> str:
    return TABLES[table].zh if lang == "zh" and table in TABLES else table


def cmd_init(args) -> int:
    if args.demo and (args.stores < 1 or args.weeks < 12):  # before the file is created
        raise UsageError(i18n.t("cli_demo_size", _lang(args)))
    path = db.db_path(getattr(args, "db", None))
    if path.exists() and args.force:
        path.unlink()
        Path(str(path) + ".wal").unlink(missing_ok=True)
    con = db.connect(path)
    try:
        if not args.demo:
            db.rebuild_weekly(con)  # also picks up rows someone wrote into sales by hand
            print(i18n.t("cli_warehouse_ready", _lang(args), path=path, version=db.SCHEMA_VERSION))
            return 0
        from .demo import create_demo

        t0 = time.perf_counter()
        counts = create_demo(con, stores=args.stores, weeks=args.weeks, seed=args.seed)
        took = time.perf_counter() - t0
        con.execute("CHECKPOINT").fetchall()
    finally:
        con.close()
    lang = _lang(args)
    rows = ", ".join(f"{_table_name(t, lang)} {n:,}" for t, n in counts.items())
    print(i18n.t("cli_demo_ready", lang, path=path, s=f"{took:.1f}", rows=rows))
    return 0


def _settings(args) -> Settings:
    """The settings a command was given (the others at their defaults); a bad one is a usage error."""
    try:
        return Settings.from_mapping(args, _lang(args))
    except KaError as exc:
        raise UsageError(str(exc)) from None


DEFAULT_WAIT = 60.0


def _connect(args, read_only: bool = False):
    """The warehouse of --db, waiting up to --wait seconds (default 60) for another program's write."""
    return db.connect(getattr(args, "db", None), read_only=read_only, wait=getattr(args, "wait", DEFAULT_WAIT))


def _as_user(con, args) -> access.User | None:
    """--as EMAIL: that user from the access table (unknown: "no access"); None without --as (the local user)."""
    email = getattr(args, "as_user", None)
    return access.resolve_or_refuse(con, email) if email else None


_WARNING = re.compile(r"warning: (.+?), row (\d+), column ([^:]+): '(.*)' — (.+)", re.S)


def _note(note: str, lang: str, files: list, table: str) -> str:
    """A note of a load in the user's language (a warning is a Problem the loader wrote out)."""
    m = _WARNING.fullmatch(note) if lang == "zh" else None
    if m:
        p = loading.Problem(m[1], int(m[2]), m[3], m[4], m[5])
        return i18n.t("cli_warning", lang, msg=upload.problem_line(p, lang, files, table))
    return i18n.note_text(note, lang)


def cmd_load(args) -> int:
    lang = _lang(args)
    settings = _settings(args)
    con = _connect(args)
    files = []
    try:
        user = _as_user(con, args)
        files = loading.read_files(con, args.table, args.files, settings)
        result = loading.write_files(con, args.table, files, user or args.user)
    except loading.ValidationFailed as exc:
        problems = exc.validation.problems
        for f in files:
            for note in f.notes:
                _say(i18n.note_text(note, lang))
        limit = 100
        for p in problems[:limit]:
            _say(upload.problem_line(p, lang, files, args.table))
        if len(problems) > limit:
            _say(i18n.t("cli_more_problems", lang, n=f"{len(problems) - limit:,}"))
        if args.errors:
            if lang == "zh":  # the problems table as the Data page downloads it: Chinese headers
                Path(args.errors).write_bytes(upload.problems_csv(problems, lang, files, args.table))
            else:
                Path(args.errors).write_text(loading.problems_csv(problems), encoding="utf-8")
            _say(i18n.t("cli_errors_file", lang, path=args.errors))
        raise
    finally:
        con.close()
    for note in result.notes:
        _say(_note(note, lang, files, args.table))
    for ld in result.loads:
        print(
            i18n.t(
                "cli_loaded",
                lang,
                id=ld["load_id"],
                file=ld["file_name"],
                table=_table_name(args.table, lang),
                rows=f"{ld['rows_inserted']:,}",
                replaced=f"{ld['rows_replaced']:,}",
            )
        )
    return 0


def _check_filter_values(con, args) -> None:
    """Warn (not fail) about a chain, region or category that is not in the warehouse."""
    lang = _lang(args)
    for label, values, sql in (
        ("chain", args.chain, "SELECT DISTINCT chain FROM stores"),
        ("region", args.region, "SELECT DISTINCT region FROM stores"),
        ("category", args.category, "SELECT DISTINCT category FROM products"),
    ):
        if not values:
            continue
        known = {r[0] for r in con.execute(sql).fetchall()}
        what = i18n.t(f"{label}s", lang) if lang == "zh" else label  # chains -> 系统
        for v in values:
            if v not in known:
                names = ", ".join(sorted(known)) or i18n.t("cli_none", lang)
                _say(i18n.t("cli_unknown_value", lang, what=what, value=v, known=names))


def cmd_report(args) -> int:
    settings = _settings(args)
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UsageError(i18n.t("cli_from_after_to", _lang(args), a=args.date_from, b=args.date_to))
    filters = Filters(
        date_from=args.date_from,
        date_to=args.date_to,
        chains=tuple(args.chain),
        regions=tuple(args.region),
        categories=tuple(args.category),
    )
    if args.engine != "spark" and (args.lake or args.spark_master):
        raise UsageError(i18n.t("cli_lake_without_spark", _lang(args)))
    con = _connect(args, read_only=True) if args.engine != "spark" or getattr(args, "as_user", None) else None
    try:
        if con is not None:
            user = _as_user(con, args)  # the access table is the warehouse's, whichever engine runs
            if user is not None:
                filters = dataclasses.replace(filters, scope=user.scope)
        if args.engine == "spark":
            df = _report_spark(args, filters, settings)
        else:
            _check_filter_values(con, args)
            df = reports.run(con, args.name, filters, settings)
    finally:
        if con is not None:
            con.close()
    if args.format == "table":
        out = format_table(df, settings.currency, _lang(args))
    else:  # the contract: every digit, no currency
        out = {"csv": format_csv, "json": format_json}[args.format](df)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


def cmd_export(args) -> int:
    from . import export

    settings = _settings(args)
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UsageError(i18n.t("cli_from_after_to", _lang(args), a=args.date_from, b=args.date_to))
    try:
        for f in args.file:
            export.kind_of_path(f)
    except KaError as exc:
        raise UsageError(str(exc)) from None
    filters = Filters(
        date_from=args.date_from,
        date_to=args.date_to,
        chains=tuple(args.chain),
        regions=tuple(args.region),
        categories=tuple(args.category),
    )
    con = _connect(args, read_only=True)
    try:
        user = _as_user(con, args)
        if user is not None:
            filters = dataclasses.replace(filters, scope=user.scope)
        _check_filter_values(con, args)
        t0 = time.perf_counter()
        paths = export.write_many(con, args.file, filters, settings, _lang(args))
    finally:
        con.close()
    took = f"{time.perf_counter() - t0:.1f}"
    for path in paths:
        print(i18n.t("cli_pack_written", _lang(args), path=path, size=f"{path.stat().st_size:,}", s=took))
    return 0


def _report_spark(args, filters: Filters, settings: Settings) -> pd.DataFrame:
    """The report on Spark over the lake (ka_core/engine_spark.py)."""
    if not args.lake:
        raise UsageError(i18n.t("cli_spark_needs_lake", _lang(args)))
    from . import engine_spark, lake

    lake.read_manifest(args.lake)  # a clear message before Spark starts
    spark = engine_spark.session(args.spark_master)
    try:
        engine_spark.register_lake(spark, args.lake)
        return engine_spark.run(spark, args.name, filters, settings)
    finally:
        spark.stop()


def cmd_lake(args) -> int:
    from . import lake

    con = db.connect(getattr(args, "db", None), read_only=True)
    try:
        t0 = time.perf_counter()
        manifest = lake.write(con, args.dir)
        took = time.perf_counter() - t0
    finally:
        con.close()
    lang = _lang(args)
    tables = manifest["tables"]
    rows = ", ".join(f"{_table_name(t, lang)} {v['rows']:,}" for t, v in tables.items())
    files = sum(len(v["files"]) for v in tables.values())
    last = manifest["last_load_id"]
    print(i18n.t("cli_lake_ready", lang, dir=args.dir, s=f"{took:.1f}", files=files, rows=rows, last=last))
    return 0


def cmd_history(args) -> int:
    con = _connect(args, read_only=True)
    try:
        df = loading.history(con)
    finally:
        con.close()
    lang = _lang(args)
    if df.empty:
        print(i18n.t("cli_no_loads", lang))
        return 0
    df["loaded_at"] = df["loaded_at"].dt.strftime("%Y-%m-%d %H:%M")
    df["undone_at"] = df["undone_at"].dt.strftime("%Y-%m-%d %H:%M").fillna("")
    df["sha256"] = df["sha256"].str[:12]
    if lang == "zh":
        df["table_name"] = df["table_name"].map(lambda x: _table_name(x, lang))
        df = i18n.history_headers(df, lang).rename(columns={"sha256": i18n.t("cli_sha", lang)})
    print(df.to_string(index=False))
    return 0


def cmd_undo(args) -> int:
    con = _connect(args)
    try:
        user = _as_user(con, args)
        if user is not None:
            rows = con.execute("SELECT user_name FROM ka_loads WHERE load_id = ?", [args.load_id]).fetchall()
            if rows and not user.may_undo(rows[0][0]):
                raise KaError(
                    f"{user.email} ({user.role}) may not undo load {args.load_id} by {rows[0][0]}. Nothing was changed."
                )
        r = loading.undo(con, args.load_id)
    finally:
        con.close()
    lang = _lang(args)
    print(
        i18n.t(
            "cli_undone",
            lang,
            id=r["load_id"],
            file=r["file_name"],
            table=_table_name(r["table"], lang),
            removed=f"{r['rows_removed']:,}",
            restored=f"{r['rows_restored']:,}",
        )
    )
    return 0


COMMANDS = {
    "init": cmd_init,
    "load": cmd_load,
    "report": cmd_report,
    "export": cmd_export,
    "history": cmd_history,
    "lake": cmd_lake,
    "undo": cmd_undo,
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with _argparse_in(_argv_lang(argv)):  # --help and argparse's errors in the user's language too
        return _main(argv)


def _main(argv: list[str]) -> int:
    if argv[:1] == ["bench"]:  # its options are its own (argparse would claim --dir, --json…)
        from . import bench

        try:
            return bench.main(argv[1:])
        except KaError as exc:
            lang = _argv_lang(argv)
            _say(i18n.t("cli_error", lang, msg=i18n.message_text(str(exc), lang)))
            return 1
    parser = _parser(_argv_lang(argv))
    args = parser.parse_args(argv)
    try:
        lang = _lang(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        _say(f"error: {exc}")
        return 2
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        _say(i18n.t("cli_error", lang, msg=i18n.message_text(str(exc), lang)))
        return 2
    except KaError as exc:
        _say(i18n.t("cli_error", lang, msg=i18n.message_text(str(exc), lang)))
        return 1
    except KeyboardInterrupt:
        _say(i18n.t("cli_interrupted", lang))
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a user never sees a traceback
        if os.environ.get("KA_DEBUG"):
            raise
        what = i18n.t("cli_unexpected", lang, kind=type(exc).__name__, msg=exc)
        _say(i18n.t("cli_error", lang, msg=what))
        return 1
