"""Loading users' files: read, validate every row, then write all or nothing.

The command line and the dashboard's Data page both use `validate_files` and
`load_files`. Reading turns any file (CSV in UTF-8/BOM/GB18030, XLSX, Parquet)
into an Arrow table of strings plus the spreadsheet row number; validation and
typing are set-based SQL over that table, generated from schema.TABLES.
"""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import hashlib
import io
import sys
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from . import access, errors, lake, names, schema, sheets
from .db import query, rebuild_weekly, refresh_weekly, replaced_table
from .errors import KaError
from .schema import LOAD_ID, TABLES, header_aliases, normalise_header
from .settings import Settings

ROW = "_row"
FILE = "_file"
HEADER_SEARCH_ROWS = 10
TOTAL_WORDS = {"合计", "总计", "total", "totals", "sum"}
# An XLSX whose unpacked size is more than this many times its file size is refused.
XLSX_MAX_RATIO = 200
XLSX_MAX_ENTRIES = 10_000
# A value echoed in a message is cut to this many characters (a 1-million-character
# cell must not flood the screen or stderr).
SHOWN_CHARS = 200
# Tables whose rows holding nothing beyond their key are blank rows of a pre-filled
# sheet: skipped and counted, never stored (data-contract.md).
SKIP_KEY_ONLY = ("visits",)
# Rows of an XLSX sheet turned into Arrow at a time (the sheet is streamed).
XLSX_CHUNK = 50_000
# DuckDB's memory while a load validates and writes (MB): beyond it, the typed rows and the
# hash tables of the checks spill to DuckDB's temporary directory instead of growing the
# process (a 10M-row sales file otherwise peaks near 1.8 GB; see README "Scale"). A lower
# limit the warehouse already has is kept.
LOAD_MEMORY_MB = 1024

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # the file size limit bounds a cell, not the csv module


def shown(value, limit: int = SHOWN_CHARS) -> str:
    """A value as a message shows it: cut to about `limit` characters, saying how long it was."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters)"


@dataclass
class Problem:
    """One thing wrong with the input: where, what was there, what was expected."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        value = "" if self.value is None else f": {shown(self.value)!r}"
        return f"{where}{value} — {shown(self.expected, 2 * SHOWN_CHARS)}"


@dataclass
class ParquetSource:
    """A Parquet file DuckDB reads and validates itself (the lean load): which file column is which."""

    path: Path
    names: list[str]  # the file's column names, in order
    by_pos: dict[int, str]  # column position -> contract column
    types: dict[str, pa.DataType]  # contract column -> the file's Arrow type
    rows: int


@dataclass
class RawFile:
    """A file read as strings: contract column name -> values, plus row numbers.

    A Parquet file whose columns DuckDB reads with the same meaning (ParquetSource) is not
    turned into strings up front: validation reads it in DuckDB (the lean load), and `table`
    builds the strings only when something asks for them (a file with problems, a preview)."""

    name: str
    path: Path
    sha256: str
    text: pa.Table | None  # string columns named after contract columns, plus _row (None: not built yet)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    blank_rows: int = 0  # rows holding nothing beyond their key: skipped, never stored
    headers: dict[str, str] = field(default_factory=dict)  # contract column -> the file's own header
    parquet: ParquetSource | None = None

    @property
    def table(self) -> pa.Table:
        """The rows as strings (string columns named after contract columns, plus _row)."""
        if self.text is None:
            assert self.parquet is not None
            self.text = _parquet_text(self.parquet, self.name)
        return self.text

    @property
    def rows(self) -> int:
        return self.parquet.rows if self.text is None and self.parquet else self.table.num_rows


@dataclass
class Validation:
    table: str
    files: list[RawFile]
    problems: list[Problem]
    rows: int
    # filled when there is no problem: rows that will replace existing rows, per file
    replaced: dict[str, int] = field(default_factory=dict)
    # mistakes on the sheet that do not stop the load (a visit total below our own sales)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class LoadResult:
    table: str
    loads: list[dict]  # one per file: load_id, file_name, rows_inserted, rows_replaced
    notes: list[str]


class ValidationFailed(KaError):
    def __init__(self, validation: Validation):
        self.validation = validation
        n = len(validation.problems)
        super().__init__(f"{n} problem{'s' if n != 1 else ''} found; nothing was written.")


# Reading ------------------------------------------------------------------------------


def _bad_bytes(data: bytes, exc: UnicodeDecodeError, name: str, encoding: str) -> KaError:
    """Undecodable bytes, with the row they sit on (rows counted as a spreadsheet does)."""
    before = data[: exc.start]
    row = before.count(b"\n") + (before.count(b"\r") - before.count(b"\r\n")) + 1
    bad = data[exc.start : exc.start + 4].hex(" ")
    return KaError(
        f"{name}, row {row}: bytes {bad} are not {encoding}. Save the file from Excel as 'CSV UTF-8' or as .xlsx.",
        code=errors.FILE,
        file=name,
        row=row,
        value=bad,
        expected=encoding,
    )


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:65536]:
        raise KaError(f"{name}: this is not a text (CSV) file; expected CSV, XLSX or Parquet.")
    if data.startswith(b"\xef\xbb\xbf"):  # the byte-order mark says UTF-8: nothing else is tried
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _bad_bytes(data[3:], exc, name, "UTF-8 text (the file starts with a UTF-8 byte-order mark)") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise _bad_bytes(data, utf8_error, name, "UTF-8 text, neither UTF-8 nor GB18030") from None


def _one_newline(text: str) -> str:
    """CRLF and CR-only (old Mac) line endings as LF, so every reader sees the same rows."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _cell_text(value) -> str:
    """An XLSX cell as the text a person sees (real Excel dates become ISO dates)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check_xlsx(path: Path, size: int) -> None:
    """Refuse a zip bomb before parsing: entries and unpacked size out of proportion."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise KaError(f"{path.name}: not a valid .xlsx file (it may be damaged or an old .xls).") from None
    unpacked = sum(i.file_size for i in infos)
    if len(infos) > XLSX_MAX_ENTRIES or unpacked > max(size, 1) * XLSX_MAX_RATIO:
        raise KaError(
            f"{path.name}: refused: the workbook unpacks to {unpacked:,} bytes in {len(infos):,} "
            f"parts from a {size:,}-byte file, out of proportion for a data sheet."
        )


def _xlsx_rows(path: Path, table: str | None, n: int | None = None) -> Iterator[list[str]]:
    """The rows of the sheet named like the table (or the first sheet), `n` at most, streamed:
    openpyxl's read-only mode parses the sheet as the rows are taken."""
    import openpyxl  # only needed for XLSX

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise KaError(f"{path.name}: cannot read this workbook ({type(exc).__name__}).") from None
    try:
        wanted = {normalise_header(table), normalise_header(TABLES[table].zh)} if table else set()
        sheet = next((ws for ws in wb.worksheets if normalise_header(ws.title) in wanted), wb.worksheets[0])
        try:
            for row in sheet.iter_rows(values_only=True, max_row=n):
                yield [_cell_text(v) for v in row]
        except KaError:
            raise
        except Exception as exc:  # a damaged sheet part
            raise KaError(f"{path.name}: cannot read this workbook ({type(exc).__name__}).") from None
    finally:
        wb.close()


def _delimiter(line: str) -> str:
    """The CSV delimiter of a file: the most frequent of , ; and tab on its first non-blank line."""
    return max([",", ";", "\t"], key=line.count)


def _csv_rows(text: str, name: str = "file") -> list[list[str]]:
    text = _one_newline(text)
    first = next((ln for ln in text.split("\n") if ln.strip()), "")
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first)))
    except csv.Error as exc:
        raise KaError(f"{name}: not a readable CSV file ({shown(exc)}).", code=errors.FILE) from None


def first_rows(path: str | Path, n: int = HEADER_SEARCH_ROWS) -> list[list[str]]:
    """The first `n` rows of a file as the loader reads them (encoding, delimiter, first sheet),
    or the column names of a Parquet file; for guessing its table and mapping its headers."""
    path = Path(path)
    data = path.read_bytes()
    if data[:4] == b"PAR1" or path.suffix.lower() in (".parquet", ".pq"):
        try:
            return [list(pq.read_schema(io.BytesIO(data)).names)]
        except Exception:
            raise KaError(f"{path.name}: not a readable Parquet file.", code=errors.FILE, file=path.name) from None
    if data[:2] == b"PK" or path.suffix.lower() in (".xlsx", ".xlsm"):
        _check_xlsx(path, len(data))
        return list(_xlsx_rows(path, None, n))
    return _csv_rows(_decode(data[:200_000], path.name))[:n]


def _find_header(rows: list[list[str]], table: str, mapping: dict[str, str] | None = None) -> int | None:
    aliases = header_aliases(TABLES[table]) | {normalise_header(k): v for k, v in (mapping or {}).items()}
    required = set(TABLES[table].required)
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = {aliases.get(normalise_header(c)) for c in row}
        if required <= names:
            return i
    return None


def _header_problem(rows_or_names, table: str, name: str) -> KaError:
    t = TABLES[table]
    found = [shown(c, 60) for c in (rows_or_names[0] if rows_or_names else []) if str(c).strip()][:12]
    req = ", ".join(f"{c} ({t.column(c).zh})" for c in t.required)
    return KaError(
        f"{name}: no header row with the required columns of {table} in the first "
        f"{HEADER_SEARCH_ROWS} rows. Expected: {req}. Found: {', '.join(found) or 'nothing'}.",
        code=errors.HEADERS,
        file=name,
        expected=req,
    )


def _map_headers(
    headers: list[str], table: str, name: str, mapping: dict[str, str] | None
) -> tuple[dict[int, str], list[str]]:
    """Column position -> contract column, and the ignored headers."""
    aliases = header_aliases(TABLES[table])
    mapping = {normalise_header(k): v for k, v in (mapping or {}).items()}
    by_pos: dict[int, str] = {}
    ignored = []
    seen: dict[str, str] = {}
    for i, h in enumerate(headers):
        key = normalise_header(h)
        if not key:
            continue
        col = mapping.get(key) or aliases.get(key)
        if col is None:
            ignored.append(str(h))
            continue
        if col in seen:
            raise KaError(
                f"{name}: columns {shown(seen[col], 60)!r} and {shown(h, 60)!r} both mean {col}; keep one.",
                code=errors.HEADERS,
                file=name,
                column=shown(h, 60),
                value=shown(h, 60),
                expected=f"one column for {col}",
            )
        seen[col] = str(h)
        by_pos[i] = col
    missing = [c for c in TABLES[table].required if c not in seen]
    if missing:
        t = TABLES[table]
        wanted = ", ".join(f"{c} ({t.column(c).zh})" for c in missing)
        raise KaError(
            f"{name}: missing required column{'s' if len(missing) > 1 else ''} {wanted}",
            code=errors.HEADERS,
            file=name,
            column=missing[0],
            expected=wanted,
        )
    return by_pos, ignored


def _rows_to_table(
    rows: Iterable[list[str]],
    first_row: int,
    by_pos: dict[int, str],
    notes: list[str],
    name: str,
    max_rows: int | None = None,
) -> pa.Table:
    """Data rows (the first is the file's row `first_row`) to string columns, skipping blank
    rows and a last totals row; built in chunks, so a streamed sheet is never held whole."""
    chunks: list[pa.Table] = []
    cols: dict[str, list] = {c: [] for c in by_pos.values()}
    numbers: list[int] = []
    count = 0
    pending: tuple[int, list] | None = None  # the last data row, held back: it may be a totals row

    def add(number: int, row: list) -> None:
        for pos, col in by_pos.items():
            cols[col].append(str(row[pos]).strip() if pos < len(row) else "")
        numbers.append(number)

    def flush() -> None:
        arrays = {c: pa.array(v, pa.string()) for c, v in cols.items()}
        arrays[ROW] = pa.array(numbers, pa.int64())
        chunks.append(pa.table(arrays))
        for v in cols.values():
            v.clear()
        numbers.clear()

    for number, row in enumerate(rows, start=first_row):
        if not any(str(c).strip() for c in row):
            continue
        if pending is not None:
            add(*pending)
            if len(numbers) >= XLSX_CHUNK:
                flush()
        pending = (number, row)
        count += 1
        if max_rows is not None and count > max_rows + 1:
            raise KaError(
                f"{name}: more than {max_rows:,} rows, over the limit (setting max_rows / KA_MAX_ROWS).",
                code=errors.FILE,
                file=name,
            )
    if pending is not None:
        first_cell = str(pending[1][0]).strip().lower() if pending[1] else ""
        if first_cell in TOTAL_WORDS:
            notes.append(f"{name}: row {pending[0]} is a totals row ({shown(pending[1][0])}); skipped.")
        else:
            add(*pending)
    flush()
    return pa.concat_tables(chunks)


def _fast_csv(text: str, name: str, table: str, mapping) -> tuple[pa.Table, list[str], dict[str, str]] | None:
    """Arrow's parser for the common case: header on line 1, no blank or multi-line rows."""
    if "\n\n" in text or '"' in text.split("\n", 1)[0]:
        return None
    head = text.split("\n", 1)[0].rstrip("\r")
    delimiter = _delimiter(head)
    headers = next(csv.reader([head], delimiter=delimiter))
    if _find_header([headers], table, mapping) is None:
        return None
    by_pos, ignored = _map_headers(headers, table, name, mapping)
    try:
        t = pacsv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(len(headers))], skip_rows=1),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(headers))},
                include_columns=[f"c{i}" for i in by_pos],
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None  # ragged rows and the like: the careful path reports them
    last_line = text.rstrip().rsplit("\n", 1)[-1]
    if next(csv.reader([last_line], delimiter=delimiter), [""])[0].strip().lower() in TOTAL_WORDS:
        return None  # the careful path skips and reports the totals row
    t = t.rename_columns([by_pos[int(c[1:])] for c in t.column_names])
    t = t.append_column(ROW, pa.array(range(2, t.num_rows + 2), pa.int64()))
    return t, ignored, _own_headers(headers, by_pos)


def _parquet_columns(pt: pa.Table, by_pos: dict[int, str], name: str) -> dict[str, pa.ChunkedArray]:
    """Parquet columns as text; nested types (lists, structs, maps) are refused by name."""
    cols = {}
    for pos, col in by_pos.items():
        arr, header = pt.column(pos), pt.column_names[pos]
        if pa.types.is_nested(arr.type) or pa.types.is_union(arr.type):
            raise KaError(
                f"{name}: column {shown(header)!r} holds {shown(arr.type, 60)} values (a nested type); "
                f"expected one plain value per cell for {col}.",
                code=errors.FILE,
                file=name,
                column=str(header),
                value=str(arr.type),
                expected="a plain value per cell",
            )
        try:
            if pa.types.is_timestamp(arr.type):
                arr = arr.cast(pa.date32())
            cols[col] = arr.cast(pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            raise KaError(
                f"{name}: column {shown(header)!r} of type {shown(arr.type, 60)} cannot be read as {col}.",
                code=errors.FILE,
                file=name,
                column=str(header),
                value=str(arr.type),
                expected="text, numbers or dates",
            ) from None
    return cols


def _lean_type(kind: str, typ: pa.DataType) -> str | None:
    """How DuckDB reads a Parquet column of this type for this kind with the meaning the text path
    gives it: 'number' or 'date' (used as they are), 'text' (the same text as Arrow's cast to
    string, parsed by the same SQL), or None (only the text path knows: timestamps, decimals,
    floats in text columns, booleans…)."""
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return "text"
    if pa.types.is_integer(typ):
        return "number" if kind == schema.NUMBER else "text"  # an integer's text is the same in both
    if pa.types.is_float64(typ) and kind == schema.NUMBER:
        return "number"  # Arrow writes the shortest text that reads back as the same double
    if pa.types.is_date32(typ) and kind in (schema.DATE, schema.WEEK):
        return "date"
    return None


def _lean_parquet(
    path: Path, table: str, name: str, mapping: dict[str, str] | None
) -> tuple[ParquetSource, list[str], dict[str, str]] | None:
    """A Parquet file DuckDB can validate itself (see _lean_type), or None for the text path."""
    if table in SKIP_KEY_ONLY:
        return None
    try:
        pf = pq.ParquetFile(path)
        arrow_schema = pf.schema_arrow
        rows = pf.metadata.num_rows
    except Exception:
        return None  # the text path says what is wrong with it
    names = list(arrow_schema.names)
    if len({n.lower() for n in names}) != len(names):
        return None  # DuckDB's column names are case-insensitive: it would rename one of them
    by_pos, ignored = _map_headers(names, table, name, mapping)
    types = {col: arrow_schema.field(pos).type for pos, col in by_pos.items()}
    if any(_lean_type(TABLES[table].column(col).kind, typ) is None for col, typ in types.items()):
        return None
    return ParquetSource(path, names, by_pos, types, rows), ignored, _own_headers(names, by_pos)


def _parquet_text(source: ParquetSource, name: str) -> pa.Table:
    """A Parquet file as the text path reads it: its columns as strings, plus _row."""
    pt = pq.read_table(source.path)
    cols = _parquet_columns(pt, source.by_pos, name)
    cols[ROW] = pa.array(range(1, pt.num_rows + 1), pa.int64())
    return pa.table(cols)


def _skip_key_only(out: pa.Table, table: str) -> tuple[pa.Table, int]:
    """Drop the rows that hold nothing beyond the table's key; return them counted."""
    if table not in SKIP_KEY_ONLY:
        return out, 0
    rest = [c for c in TABLES[table].column_names if c not in TABLES[table].key and c in out.column_names]
    filled = pa.array([False] * out.num_rows, pa.bool_())
    for c in rest:
        text = pc.utf8_trim_whitespace(pc.fill_null(out.column(c), ""))
        filled = pc.or_(filled, pc.not_equal(text, ""))
    kept = out.filter(filled)
    return kept, out.num_rows - kept.num_rows


def _check_row_count(rows: int, name: str, max_rows: int) -> None:
    """A file with a header and no rows, or more rows than the max_rows setting allows, is refused."""
    if rows == 0:
        raise KaError(f"{name}: the header is there but no data rows follow.", code=errors.FILE, file=name)
    if rows > max_rows:
        raise KaError(f"{name}: {rows:,} rows is over the limit of {max_rows:,} (setting max_rows / KA_MAX_ROWS).")


def read_file(
    path: str | Path,
    table: str,
    settings: Settings | None = None,
    mapping: dict[str, str] | None = None,
    display_name: str | None = None,
) -> RawFile:
    """Read one file into strings. Refusals (size, format, headers) raise KaError."""
    settings = settings or Settings()
    path = Path(path)
    name = display_name or path.name
    if table not in TABLES:
        raise KaError(f"Unknown table {table!r}; expected one of: {', '.join(TABLES)}.")
    if not path.is_file():
        raise KaError(f"{name}: no such file.")
    size = path.stat().st_size
    if size == 0:
        raise KaError(f"{name}: the file is empty.")
    if size > settings.max_file_mb * 1024 * 1024:
        raise KaError(
            f"{name}: {size / 1024 / 1024:,.1f} MB is over the limit of {settings.max_file_mb:g} MB "
            "(setting max_file_mb / KA_MAX_FILE_MB)."
        )
    notes: list[str] = []
    suffix = path.suffix.lower()
    with open(path, "rb") as fh:
        magic = fh.read(4)
    if (magic == b"PAR1" or suffix in (".parquet", ".pq")) and (lean := _lean_parquet(path, table, name, mapping)):
        source, ignored, own = lean
        _check_row_count(source.rows, name, settings.max_rows)
        if ignored:
            notes.append(f"{name}: columns ignored (not in the {table} table): {', '.join(map(shown, ignored))}.")
        return RawFile(
            name=name,
            path=path,
            sha256=lake.file_sha256(path),
            text=None,
            ignored_columns=ignored,
            notes=notes,
            headers=own,
            parquet=source,
        )
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    if data[:4] == b"PAR1" or suffix in (".parquet", ".pq"):
        try:
            pt = pq.read_table(io.BytesIO(data))
        except Exception:
            raise KaError(f"{name}: not a readable Parquet file.") from None
        by_pos, ignored = _map_headers(pt.column_names, table, name, mapping)
        own = _own_headers(pt.column_names, by_pos)
        cols = _parquet_columns(pt, by_pos, name)
        cols[ROW] = pa.array(range(1, pt.num_rows + 1), pa.int64())
        out = pa.table(cols)
    elif data[:2] == b"PK" or suffix in (".xlsx", ".xlsm"):
        _check_xlsx(path, size)
        out, ignored, own = _from_rows(_xlsx_rows(path, table), table, name, mapping, notes, settings.max_rows)
    else:
        text = _one_newline(_decode(data, name))
        fast = _fast_csv(text, name, table, mapping)
        if fast:
            out, ignored, own = fast
        else:
            out, ignored, own = _from_rows(_csv_rows(text, name), table, name, mapping, notes, settings.max_rows)
    _check_row_count(out.num_rows, name, settings.max_rows)
    out, blank = _skip_key_only(out, table)
    if blank:
        notes.append(f"{name}: {blank:,} empty rows (nothing beyond {_key_label(table)}) skipped.")
    if out.num_rows == 0:
        raise KaError(
            f"{name}: every row is empty (nothing beyond {_key_label(table)}); nothing to load.",
            code=errors.FILE,
            file=name,
        )
    if ignored:
        notes.append(f"{name}: columns ignored (not in the {table} table): {', '.join(map(shown, ignored))}.")
    return RawFile(
        name=name,
        path=path,
        sha256=sha,
        text=out,
        ignored_columns=ignored,
        notes=notes,
        blank_rows=blank,
        headers=own,
    )


def _from_rows(rows: Iterable[list[str]], table, name, mapping, notes, max_rows=None):
    """Find the header in the first rows, then read the data rows below it (streamed)."""
    it = iter(rows)
    head = [r for _, r in zip(range(HEADER_SEARCH_ROWS), it, strict=False)]
    header_at = _find_header(head, table, mapping)
    if header_at is None:
        raise _header_problem(head, table, name)
    if header_at:
        notes.append(f"{name}: header found on row {header_at + 1}; the rows above it are titles.")
    headers = head[header_at]
    by_pos, ignored = _map_headers(headers, table, name, mapping)
    body = _chain(head[header_at + 1 :], it)
    out = _rows_to_table(body, header_at + 2, by_pos, notes, name, max_rows)
    return out, ignored, _own_headers(headers, by_pos)


def _chain(first: list, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def _own_headers(headers: list, by_pos: dict[int, str]) -> dict[str, str]:
    """Contract column -> the header the file itself uses for it (messages name the user's header)."""
    return {col: str(headers[pos]).strip() for pos, col in by_pos.items()}


# Validation ---------------------------------------------------------------------------

_YES = ", ".join(f"'{w}'" for w in schema.YES_WORDS)
_NO = ", ".join(f"'{w}'" for w in schema.NO_WORDS)
_MECH = ", ".join(f"'{m}'" for m in schema.MECHANICS)


def _parse_expr(col: schema.Column, text: str | None = None) -> str:
    """SQL that turns the raw text column (or the SQL expression `text`) into its typed value
    (NULL when blank or invalid)."""
    v = f"nullif(trim({text or 'r.' + col.name}), '')"
    if col.name in schema.NAME_KINDS:  # a value, its zh or its en: the value (ka_core.names)
        v = names.value_sql(col.name, v)
    if col.kind == schema.NUMBER:
        return f"TRY_CAST(replace({v}, ',', '') AS DOUBLE)"
    if col.kind in (schema.DATE, schema.WEEK):
        d = f"regexp_replace({v}, '[ T][0-9]{{1,2}}:[0-9]{{2}}(:[0-9]{{2}}(\\.[0-9]+)?)?$', '')"
        parsed = (
            "coalesce("
            + ", ".join(
                f"TRY_CAST(try_strptime({d}, '{fmt}') AS DATE)"
                for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
            )
            + ")"
        )
        # A time after the date is dropped, but only a real one: 25:99 makes the cell invalid.
        t = f"regexp_extract({v}, '[ T]([0-9]{{1,2}}):([0-9]{{2}})(?::([0-9]{{2}})(?:\\.[0-9]+)?)?$', ['h', 'm', 's'])"
        bad_time = (
            f"(TRY_CAST({t}.h AS INTEGER) > 23 OR TRY_CAST({t}.m AS INTEGER) > 59 "
            f"OR coalesce(TRY_CAST(nullif({t}.s, '') AS INTEGER), 0) > 59)"
        )
        parsed = f"CASE WHEN {bad_time} THEN NULL ELSE {parsed} END"
        if col.kind == schema.WEEK:
            return f"CAST(date_trunc('week', {parsed}) AS DATE)"
        return parsed
    if col.kind == schema.BOOL:
        return f"CASE WHEN lower({v}) IN ({_YES}) THEN TRUE WHEN lower({v}) IN ({_NO}) THEN FALSE END"
    if col.kind == schema.MECHANIC:
        return f"CASE WHEN upper({v}) IN ({_MECH}) THEN upper({v}) END"
    if col.kind == schema.SKU_LIST:
        return f"nullif(trim(regexp_replace({v}, '\\s*[;,；，]\\s*', ';', 'g'), ';'), '')"
    return v


def _invalid(col: schema.Column, raw: str, parsed: str) -> str:
    """SQL true when a cell holds something (`raw` not NULL) that is not a valid value of its column."""
    if col.kind == schema.NUMBER:
        return f"{raw} IS NOT NULL AND (({parsed}) IS NULL OR ({parsed}) < 0 OR NOT isfinite({parsed}))"
    if col.kind in (schema.DATE, schema.WEEK):
        return f"{raw} IS NOT NULL AND (({parsed}) IS NULL OR ({parsed}) NOT BETWEEN DATE '1900-01-01' AND DATE '2199-12-31')"
    return f"{raw} IS NOT NULL AND ({parsed}) IS NULL"


def _value_problems(col: schema.Column) -> str:
    """SQL yielding (row, column, value, expected) for bad cells of one column."""
    raw = f"nullif(trim(r.{col.name}), '')"
    parsed = _parse_expr(col)
    expected = schema.EXPECTED[col.kind].replace("'", "''")
    checks = []
    if col.required:
        checks.append(
            f"SELECT r.{FILE}, r.{ROW}, '{col.name}', r.{col.name}, 'missing: expected {expected}' FROM raw r WHERE {raw} IS NULL"
        )
    bad = _invalid(col, raw, parsed)
    if col.kind in (schema.DATE, schema.WEEK):
        expected += " between 1900 and 2199"
    if col.kind != schema.TEXT:
        checks.append(
            f"SELECT r.{FILE}, r.{ROW}, '{col.name}', r.{col.name}, 'expected {expected}' FROM raw r WHERE {bad}"
        )
    return "\nUNION ALL\n".join(checks)


# Checks across columns and tables, on the typed rows `t` (one list per table).
# Each SELECT yields (file, row, column, value, expected).
_REF_CHECKS: dict[str, list[str]] = {
    "sales": [
        "SELECT _file, _row, 'store_id', store_id, 'expected a store_id of the stores table' FROM t WHERE store_id NOT IN (SELECT store_id FROM stores)",
        "SELECT _file, _row, 'sku', sku, 'expected a sku of the products table' FROM t WHERE sku NOT IN (SELECT sku FROM products)",
    ],
    "market": [
        "SELECT _file, _row, 'category', category, 'expected a category of the products table' FROM t WHERE category NOT IN (SELECT category FROM products)",
    ],
    "visits": [
        "SELECT _file, _row, 'store_id', store_id, 'expected a store_id of the stores table' FROM t WHERE store_id NOT IN (SELECT store_id FROM stores)",
        "SELECT _file, _row, 'category', category, 'expected a category of the products table' FROM t WHERE category NOT IN (SELECT category FROM products)",
        "SELECT _file, _row, 'own_facings', CAST(own_facings AS VARCHAR) || ' > ' || CAST(total_facings AS VARCHAR), 'expected own_facings ≤ total_facings' FROM t WHERE own_facings > total_facings",
        """SELECT _file, _row, 'oos_skus', list_string, 'expected SKU codes of the products table; unknown: ' || unknown
           FROM (SELECT _file, _row, oos_skus AS list_string,
                        string_agg(code, ', ' ORDER BY code) AS unknown
                 FROM (SELECT _file, _row, oos_skus, unnest(string_split(oos_skus, ';')) AS code FROM t WHERE oos_skus IS NOT NULL) x
                 WHERE code NOT IN (SELECT sku FROM products)
                 GROUP BY _file, _row, oos_skus) u""",
    ],
    "promotions": [
        "SELECT _file, _row, 'end_date', CAST(end_date AS VARCHAR), 'expected an end_date on or after start_date ' || CAST(start_date AS VARCHAR) FROM t WHERE end_date < start_date",
        "SELECT _file, _row, 'sku', NULL, 'expected a sku or a brand (the promotion must name what it promotes)' FROM t WHERE sku IS NULL AND brand IS NULL",
        "SELECT _file, _row, 'chain', chain, 'expected a chain of the stores table' FROM t WHERE chain NOT IN (SELECT chain FROM stores)",
        "SELECT _file, _row, 'store_id', store_id, 'expected a store_id of the stores table' FROM t WHERE store_id IS NOT NULL AND store_id NOT IN (SELECT store_id FROM stores)",
        "SELECT t._file, t._row, 'store_id', t.store_id, 'expected a store of chain ' || t.chain || ' (this store is in ' || s.chain || ')' FROM t JOIN stores s ON s.store_id = t.store_id WHERE s.chain <> t.chain",
        "SELECT _file, _row, 'sku', sku, 'expected a sku of the products table' FROM t WHERE sku IS NOT NULL AND sku NOT IN (SELECT sku FROM products)",
        "SELECT _file, _row, 'brand', brand, 'expected a brand with own products (is_own = yes)' FROM t WHERE sku IS NULL AND brand IS NOT NULL AND brand NOT IN (SELECT brand FROM products WHERE is_own)",
    ],
}


# Mistakes that do not stop a load (data-contract.md, "Warnings"), on the typed rows `t`.
_WARN_CHECKS: dict[str, list[str]] = {
    "visits": [
        """SELECT t._file, t._row, 'store_category_sales', regexp_replace(CAST(t.store_category_sales AS VARCHAR), '\\.0$', ''),
                  'a category total below our own sales of it that week ('
                  || regexp_replace(CAST(w.own_revenue AS VARCHAR), '\\.0$', '') || '); counted as our own sales'
           FROM t JOIN ka_sales_weekly AS w
             ON w.store_id = t.store_id AND w.category = t.category
            AND w.week = CAST(date_trunc('week', t.visit_date) AS DATE)
           WHERE t.store_category_sales < w.own_revenue""",
    ],
}


# `names`: a known kind; a zh or en that is another value or name of the same kind is refused.
_OTHER_NAMES = f"""
    SELECT kind, value AS owner, value AS name FROM ({names.known_values_sql()}) k
    UNION ALL SELECT kind, value, zh FROM names WHERE (kind, value) NOT IN (SELECT (kind, value) FROM t)
    UNION ALL SELECT kind, value, en FROM names WHERE (kind, value) NOT IN (SELECT (kind, value) FROM t)
    UNION ALL SELECT kind, value, zh FROM t
    UNION ALL SELECT kind, value, en FROM t"""
_REF_CHECKS["names"] = [
    "SELECT _file, _row, 'kind', kind, 'expected one of " + ", ".join(schema.NAME_KINDS) + "' "
    "FROM t WHERE kind NOT IN (" + ", ".join(f"'{k}'" for k in schema.NAME_KINDS) + ")",
    *(
        f"""SELECT DISTINCT t._file, t._row, '{c}', t.{c},
                   'expected a name of its own: it is already the ' || t.kind || ' ' || o.owner
            FROM t JOIN ({_OTHER_NAMES}) o
              ON o.kind = t.kind AND o.name = t.{c} AND o.owner <> t.value"""
        for c in ("zh", "en")
    ),
]


def _key_label(table: str) -> str:
    return "/".join(TABLES[table].key)


def _duplicate_check(table: str) -> str:
    key = ", ".join(TABLES[table].key)
    shown = " || ' ' || ".join(f"coalesce(CAST({k} AS VARCHAR), '')" for k in TABLES[table].key)
    return f"""
        SELECT _file, _row, '{_key_label(table)}', {shown},
               'expected each key once; the same key is on row ' || CAST(first_row AS VARCHAR) || ' of ' || first_file
        FROM (
            SELECT *, first_value(_row) OVER w AS first_row, first_value(_file) OVER w AS first_file,
                   row_number() OVER w AS n
            FROM t
            WHERE {" AND ".join(f"{k} IS NOT NULL" for k in TABLES[table].key)}
            WINDOW w AS (PARTITION BY {key} ORDER BY _file, _row)
        ) d
        WHERE n > 1"""


def _ident(name: str) -> str:
    """A column name as an SQL identifier (a file's header may hold any character)."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """A string as an SQL literal, for the statements DuckDB takes no parameters in (a file path)."""
    return "'" + text.replace("'", "''") + "'"


def _lean_column(col: schema.Column, source: ParquetSource) -> tuple[str, str]:
    """(typed value, true when the cell is a problem) as SQL over the Parquet file read as `r`.

    The value and the verdict are those of the text path (_parse_expr, _value_problems) on the
    strings Arrow makes of the same cells: text goes through the same SQL, numbers and dates are
    used as they are where their text would parse back to the same value (_lean_type)."""
    pos = next((p for p, c in source.by_pos.items() if c == col.name), None)
    if pos is None:  # an optional column the file lacks (required ones were checked with the headers)
        return _parse_expr(col, "CAST(NULL AS VARCHAR)"), "false"
    src = f"r.{_ident(source.names[pos])}"
    how = _lean_type(col.kind, source.types[col.name])
    missing = f"{src} IS NULL" if col.required else "false"
    if how == "number":
        v = f"CAST({src} AS DOUBLE)"
        return v, f"({missing} OR {v} < 0 OR NOT isfinite({v}))"
    if how == "date":
        v = f"CAST(date_trunc('week', {src}) AS DATE)" if col.kind == schema.WEEK else src
        return v, f"({missing} OR {v} NOT BETWEEN DATE '1900-01-01' AND DATE '2199-12-31')"
    text = f"CAST({src} AS VARCHAR)"
    raw = f"nullif(trim({text}), '')"
    parsed = _parse_expr(col, text)
    bad = [f"{raw} IS NULL"] if col.required else []
    if col.kind != schema.TEXT:
        bad.append(f"({_invalid(col, raw, parsed)})")
    return parsed, "(" + (" OR ".join(bad) or "false") + ")"


def _validate_lean(con: duckdb.DuckDBPyConnection, table: str, files: list[RawFile]) -> Validation | None:
    """The lean load: DuckDB reads the Parquet files into the typed rows (ka_new) and checks them.

    Returns None when a cell is not valid or DuckDB cannot read a file: the text path then finds
    and words every problem exactly as for any other file (those files are the rare case; the
    common case, a valid file, never has its millions of values turned into strings)."""
    t = TABLES[table]
    selects = []
    for f in files:
        assert f.parquet is not None
        cols = [_lean_column(c, f.parquet) for c in t.columns]
        typed = ", ".join(f"{v} AS {c.name}" for c, (v, _) in zip(t.columns, cols, strict=True))
        bad = " OR ".join(b for _, b in cols)
        selects.append(
            f"SELECT {typed}, CAST(r.file_row_number + 1 AS BIGINT) AS {ROW}, {_literal(f.name)} AS {FILE}, "
            f"coalesce({bad}, false) AS _bad "
            f"FROM read_parquet({_literal(str(f.parquet.path.absolute()))}, file_row_number = true) AS r"
        )
    con.execute("DROP TABLE IF EXISTS ka_new").fetchall()
    try:
        con.execute("CREATE TEMP TABLE ka_new AS " + "\nUNION ALL\n".join(selects)).fetchall()
        bad_cells = con.execute("SELECT count(*) FROM ka_new WHERE _bad").fetchall()[0][0]
    except duckdb.Error:
        bad_cells = None
    if bad_cells != 0:
        con.execute("DROP TABLE IF EXISTS ka_new").fetchall()
        return None
    key = TABLES[table].key
    cross = [*_REF_CHECKS.get(table, []), *access.load_checks(table)]
    # Keys grouped by their 64-bit hash (a tenth of the memory of the keys themselves): a hash
    # seen twice may be a duplicate (or, rarely, two keys with one hash); only then the window
    # that finds and names each duplicate's first row runs.
    duplicated = con.execute(
        f"SELECT 1 FROM ka_new WHERE {' AND '.join(f'{k} IS NOT NULL' for k in key)} "
        f"GROUP BY hash({', '.join(key)}) HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if duplicated:
        cross.insert(0, _duplicate_check(table))
    problems = []
    if cross:
        sql = "\nUNION ALL\n".join(f"SELECT * FROM ({c})" for c in cross)
        problems = _fetch_problems(con, "WITH t AS (SELECT * FROM ka_new)\n" + sql)
    replaced, warnings = _replaced_and_warnings(con, table, problems)
    return Validation(table, files, problems, sum(f.rows for f in files), replaced, warnings)


def _replaced_and_warnings(
    cur: duckdb.DuckDBPyConnection, table: str, problems: list[Problem]
) -> tuple[dict[str, int], list[Problem]]:
    """When there is no problem: the rows of ka_new that replace existing rows (per file), and the warnings."""
    replaced: dict[str, int] = {}
    warnings: list[Problem] = []
    if not problems:
        if table in _WARN_CHECKS:
            sql = "\nUNION ALL\n".join(f"SELECT * FROM ({c})" for c in _WARN_CHECKS[table])
            warnings = _fetch_problems(cur, "WITH t AS (SELECT * FROM ka_new)\n" + sql)
        for name, n in cur.execute(
            f"SELECT n.{FILE}, count(*) FROM ka_new n JOIN {table} o ON {_same_key(table)} GROUP BY n.{FILE}"
        ).fetchall():
            replaced[name] = n
    return replaced, warnings


def _same_key(table: str) -> str:
    """Old row o and new row n have the same key; NULL-safe, since a key column may be blank
    (a target's category: blank = all categories) and a blank key must replace a blank key."""
    return " AND ".join(f"o.{k} IS NOT DISTINCT FROM n.{k}" for k in TABLES[table].key)


_UNITS = {"bytes": 1, "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40, "kb": 10**3, "mb": 10**6, "gb": 10**9}
_UNITS["tb"] = 10**12


def _limit_bytes(text: str) -> float:
    """DuckDB's memory_limit as it shows it ('12.4 GiB', '1000.0 MiB') in bytes; unknown: no limit."""
    number, _, unit = text.strip().partition(" ")
    try:
        return float(number) * _UNITS[unit.lower() or "bytes"]
    except (ValueError, KeyError):
        return float("inf")


@contextmanager
def memory_cap(con: duckdb.DuckDBPyConnection, mb: int = LOAD_MEMORY_MB) -> Iterator[None]:
    """DuckDB's memory limit at most `mb` while a load runs, then as it was (the limit is the
    database's, so a report running meanwhile spills to disk rather than grow the process)."""
    before = con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
    lower = _limit_bytes(before) > mb * 2**20
    if lower:
        con.execute(f"SET memory_limit = '{int(mb)}MiB'").fetchall()
    try:
        yield
    finally:
        if lower:
            con.execute(f"SET memory_limit = {_literal(before)}").fetchall()


def validate_files(con: duckdb.DuckDBPyConnection, table: str, files: list[RawFile]) -> Validation:
    """Every problem of every row of the files; prepares the typed rows in temp table `ka_new`."""
    with memory_cap(con):
        return _validate_files(con, table, files)


def _validate_files(con: duckdb.DuckDBPyConnection, table: str, files: list[RawFile]) -> Validation:
    t = TABLES[table]
    if not names.exists(con):
        names.ensure(con)  # a warehouse made before `names` existed
    if files and all(f.text is None and f.parquet is not None for f in files):
        lean = _validate_lean(con, table, files)
        if lean is not None:
            return lean
    raws = []
    for f in files:
        tbl = f.table
        for c in t.column_names:
            if c not in tbl.column_names:
                tbl = tbl.append_column(c, pa.nulls(tbl.num_rows, pa.string()))
        tbl = tbl.append_column(FILE, pa.array([f.name] * tbl.num_rows, pa.string()))
        raws.append(tbl.select([*t.column_names, ROW, FILE]))
    raw = pa.concat_tables(raws)
    cur = con  # temp tables belong to one connection: write_files reads ka_new on it
    try:
        cur.register("raw", raw)
        cur.execute("DROP TABLE IF EXISTS ka_new").fetchall()
        typed = ", ".join(f"{_parse_expr(c)} AS {c.name}" for c in t.columns)
        cur.execute(f"CREATE TEMP TABLE ka_new AS SELECT {typed}, r.{ROW}, r.{FILE} FROM raw r").fetchall()
        value_sql = "\nUNION ALL\n".join(s for s in (_value_problems(c) for c in t.columns) if s)
        # Cross checks read typed values; a cell that did not parse is NULL there and
        # was reported above, so every problem is reported once, all at once.
        cross = [_duplicate_check(table), *_REF_CHECKS.get(table, []), *access.load_checks(table)]
        value_sql += "\nUNION ALL\n" + "\nUNION ALL\n".join(f"SELECT * FROM ({c})" for c in cross)
        problems = _fetch_problems(cur, "WITH t AS (SELECT * FROM ka_new)\n" + value_sql)
        replaced, warnings = _replaced_and_warnings(cur, table, problems)
    finally:
        cur.unregister("raw")
    return Validation(table, files, problems, raw.num_rows, replaced, warnings)


def _fetch_problems(cur, sql: str) -> list[Problem]:
    rows = cur.execute(f"SELECT * FROM ({sql}) p ORDER BY 1, 2, 3").fetchall()
    return [Problem(f, r, c, v, e) for f, r, c, v, e in rows]


# Writing ------------------------------------------------------------------------------


def _user(user: str | None) -> str:
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def remembered_mapping(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """Headers users mapped to contract columns before (normalised header -> column)."""
    rows = con.execute("SELECT header, column_name FROM ka_header_map WHERE table_name = ?", [table]).fetchall()
    return dict(rows)


def remember_mapping(con: duckdb.DuckDBPyConnection, table: str, mapping: dict[str, str]) -> None:
    """Keep a confirmed mapping (file header -> contract column) for next time."""
    cols = set(TABLES[table].column_names)
    for header_text, column in mapping.items():
        if column not in cols:
            raise KaError(f"{column!r} is not a column of {table}; expected one of {', '.join(sorted(cols))}.")
        con.execute(
            "INSERT OR REPLACE INTO ka_header_map VALUES (?, ?, ?, now()::TIMESTAMP)",
            [table, normalise_header(header_text), column],
        ).fetchall()


def read_files(
    con: duckdb.DuckDBPyConnection,
    table: str,
    paths: list[str | Path],
    settings: Settings | None = None,
    mapping: dict[str, str] | None = None,
    display_names: list[str] | None = None,
) -> list[RawFile]:
    """Read files with the remembered header mappings (and `mapping`, which wins)."""
    merged = remembered_mapping(con, table) | {normalise_header(k): v for k, v in (mapping or {}).items()}
    names = list(display_names or [Path(p).name for p in paths])
    seen: dict[str, int] = {}
    for i, n in enumerate(names):  # two files of the same name stay apart
        seen[n] = seen.get(n, 0) + 1
        if seen[n] > 1:
            names[i] = f"{n} ({seen[n]})"
    return [read_file(p, table, settings, merged or None, names[i]) for i, p in enumerate(paths)]


def load_files(
    con: duckdb.DuckDBPyConnection,
    table: str,
    paths: list[str | Path],
    user: str | None = None,
    settings: Settings | None = None,
    mapping: dict[str, str] | None = None,
    display_names: list[str] | None = None,
) -> LoadResult:
    """Validate then write, all files in one transaction. Raises ValidationFailed or KaError."""
    return write_files(con, table, read_files(con, table, paths, settings, mapping, display_names), user)


def _apply(con: duckdb.DuckDBPyConnection, table: str, files: list[RawFile], user: str) -> list[dict]:
    """Write validated rows (temp table ka_new) file by file; the caller holds the transaction."""
    t = TABLES[table]
    cols = ", ".join(t.column_names)
    on = _same_key(table)
    # One file: its rows are ka_new's (a copy of ten million rows costs seconds and memory).
    rows_of = "ka_new" if len(files) == 1 else "ka_file"
    loads = []
    for f in files:
        load_id = con.execute("SELECT coalesce(max(load_id), 0) + 1 FROM ka_loads").fetchall()[0][0]
        if rows_of == "ka_file":
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE ka_file AS SELECT * FROM ka_new WHERE {FILE} = ?", [f.name]
            ).fetchall()
        con.execute(
            f"INSERT INTO {replaced_table(table)} SELECT o.*, ? FROM {table} o "
            f"WHERE EXISTS (SELECT 1 FROM {rows_of} n WHERE {on})",
            [load_id],
        ).fetchall()
        replaced = con.execute(f"DELETE FROM {table} o WHERE EXISTS (SELECT 1 FROM {rows_of} n WHERE {on})").fetchall()[
            0
        ][0]
        inserted = con.execute(
            f"INSERT INTO {table} ({cols}, {LOAD_ID}) SELECT {cols}, ? FROM {rows_of}", [load_id]
        ).fetchall()[0][0]
        con.execute(
            "INSERT INTO ka_loads VALUES (?, ?, ?, ?, ?, ?, ?, now()::TIMESTAMP, NULL)",
            [load_id, table, f.name, f.sha256, inserted, replaced, user],
        ).fetchall()
        if table == "sales":
            refresh_weekly(con, rows_of)
        loads.append({"load_id": load_id, "file_name": f.name, "rows_inserted": inserted, "rows_replaced": replaced})
    if table == "products":
        rebuild_weekly(con)  # a changed category or is_own moves revenue between columns
    con.execute("DROP TABLE IF EXISTS ka_file").fetchall()
    return loads


def write_files(
    con: duckdb.DuckDBPyConnection, table: str, files: list[RawFile], user: str | access.User | None = None
) -> LoadResult:
    """Validate, then write every file in one transaction (all or nothing)."""
    with memory_cap(con):
        return _write_files(con, table, files, user)


def _write_files(
    con: duckdb.DuckDBPyConnection, table: str, files: list[RawFile], user: str | access.User | None
) -> LoadResult:
    validation = validate_files(con, table, files)
    if isinstance(user, access.User):  # a login or --as: his rights and scope (domain.md, "Who sees what")
        validation.problems += [Problem(*p) for p in access.out_of_scope(con, table, user)]
        user = user.email
    if not validation.ok:
        raise ValidationFailed(validation)
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        loads = _apply(con, table, files, _user(user))
        con.execute("DROP TABLE IF EXISTS ka_new").fetchall()
        con.execute("COMMIT").fetchall()
    except Exception:
        con.execute("ROLLBACK").fetchall()
        raise
    notes = [n for f in files for n in f.notes] + [f"warning: {w}" for w in validation.warnings]
    return LoadResult(table, loads, notes)


@dataclass
class Preview:
    """What a load would do, computed by reading only (see `preview`)."""

    validation: Validation
    rows_new: int = 0
    rows_replaced: int = 0
    blank_rows: int = 0  # rows of the files holding nothing beyond their key: skipped
    stores: list[str] = field(default_factory=list)
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    # Rows the load replaces, old and new values side by side (columns `col_before`, `col_after`;
    # the first REPLACED_SHOWN of them).
    replacements: pd.DataFrame | None = None
    # Stores whose numbers change: store_id, store_name, and before/after of
    # customer_share, fair_share_index, quadrant.
    changes: pd.DataFrame | None = None


_COMPARE = ["customer_share", "fair_share_index", "quadrant"]
REPLACED_SHOWN = 200


def _replacements(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """The existing rows the validated rows (ka_new) would replace: key, then old and new values."""
    t = TABLES[table]
    on = _same_key(table)
    rest = [c for c in t.column_names if c not in t.key]
    cols = ", ".join(
        [f"n.{k}" for k in t.key] + [f"o.{c} AS {c}_before, n.{c} AS {c}_after" for c in rest] + [f"n.{ROW} AS row"]
    )
    return con.execute(
        f"SELECT {cols} FROM ka_new n JOIN {table} o ON {on} ORDER BY n.{FILE}, n.{ROW} LIMIT {REPLACED_SHOWN}"
    ).df()


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _overlay(con: duckdb.DuckDBPyConnection, table: str, files: list[RawFile]) -> list[str]:
    """Temporary views that show the warehouse as it would be after the load of the validated
    rows (temp table ka_new), writing nothing, so a read-only connection can preview a load.

    A temporary object shadows the table of the same name for this connection (DuckDB searches
    the temp catalog first), so the reports read the views unchanged. The views do what
    `_apply` does: the table without the rows of the same key, plus the new rows (with the load
    ids the load would give them: scope.sql orders visits by load id), and the weekly sales
    recomputed where the new rows fall. Returns the views made, for `_drop_overlay`.
    """
    from .db import WEEKLY_SELECT

    t = TABLES[table]
    main = f"{_quote(con.execute('SELECT current_database()').fetchall()[0][0])}.main"
    cols = ", ".join(t.column_names)
    on = " AND ".join(f"o.{k} = n.{k}" for k in t.key)
    first = con.execute(f"SELECT coalesce(max(load_id), 0) + 1 FROM {main}.ka_loads").fetchall()[0][0]
    con.execute(f"CREATE OR REPLACE TEMP TABLE ka_preview_ids ({FILE} VARCHAR, {LOAD_ID} INTEGER)").fetchall()
    con.executemany("INSERT INTO ka_preview_ids VALUES (?, ?)", [[f.name, first + i] for i, f in enumerate(files)])
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {table} AS "
        f"SELECT {cols}, {LOAD_ID} FROM {main}.{table} o WHERE NOT EXISTS (SELECT 1 FROM ka_new n WHERE {on}) "
        f"UNION ALL SELECT {', '.join(f'n.{c}' for c in t.column_names)}, i.{LOAD_ID} "
        f"FROM ka_new n JOIN ka_preview_ids i USING ({FILE})"
    ).fetchall()
    made = [table]
    weekly = "store_id, category, week, all_revenue, own_revenue, has_competitor"
    if table == "sales":  # as refresh_weekly: the store-weeks of the new rows recomputed
        keys = "(SELECT DISTINCT store_id, week FROM ka_new)"
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW ka_sales_weekly AS "
            f"SELECT {weekly} FROM {main}.ka_sales_weekly w "
            f"WHERE NOT EXISTS (SELECT 1 FROM {keys} k WHERE k.store_id = w.store_id AND k.week = w.week) "
            f"UNION ALL {WEEKLY_SELECT} WHERE EXISTS (SELECT 1 FROM {keys} k "
            f"WHERE k.store_id = s.store_id AND k.week = s.week) GROUP BY s.store_id, p.category, s.week"
        ).fetchall()
        made.append("ka_sales_weekly")
    elif table == "products":  # as rebuild_weekly: a changed category or is_own moves revenue
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW ka_sales_weekly AS {WEEKLY_SELECT} GROUP BY s.store_id, p.category, s.week"
        ).fetchall()
        made.append("ka_sales_weekly")
    return made


def _drop_overlay(con: duckdb.DuckDBPyConnection, views: list[str]) -> None:
    for v in reversed(views):
        con.execute(f"DROP VIEW IF EXISTS temp.main.{v}").fetchall()
    con.execute("DROP TABLE IF EXISTS temp.main.ka_preview_ids").fetchall()


def preview(
    con: duckdb.DuckDBPyConnection,
    table: str,
    files: list[RawFile],
    filters=None,
    settings: Settings | None = None,
    user: access.User | None = None,
) -> Preview:
    """Validate; when valid, say what the load would change. Reads only: `con` may be a
    read-only connection (the dashboard's, while another program reads or waits to write).

    `user` (a login or --as): his rows outside his scope are problems, as `write_files` finds.
    Use a cursor of its own: the temporary tables and views live on `con` until it closes.
    """
    from .reports import run  # reports imports nothing from here; keep the module graph flat

    validation = validate_files(con, table, files)
    if user is not None:
        validation.problems += [Problem(*p) for p in access.out_of_scope(con, table, user)]
    out = Preview(validation, blank_rows=sum(f.blank_rows for f in files))
    if not validation.ok:
        return out
    out.rows_replaced = sum(validation.replaced.values())
    out.rows_new = validation.rows - out.rows_replaced
    if out.rows_replaced:
        out.replacements = _replacements(con, table)
    cols = TABLES[table].column_names
    if "store_id" in cols:
        out.stores = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT store_id FROM ka_new WHERE store_id IS NOT NULL ORDER BY 1"
            ).fetchall()
        ]
    date_col = next((c for c in ("week", "visit_date", "start_date") if c in cols), None)
    if date_col:
        out.first_date, out.last_date = con.execute(f"SELECT min({date_col}), max({date_col}) FROM ka_new").fetchall()[
            0
        ]
    before = run(con, "quadrants", filters, settings)  # a cursor: it does not see the views below
    views = _overlay(con, table, files)
    try:
        after = run(con, "quadrants", filters, settings, in_transaction=True)
    finally:
        _drop_overlay(con, views)
    both = before[["store_id", "store_name", *_COMPARE]].merge(
        after[["store_id", *_COMPARE]], on="store_id", how="outer", suffixes=("_before", "_after")
    )
    changed = pd.Series(False, index=both.index)
    for c in _COMPARE:
        a, b = both[f"{c}_before"], both[f"{c}_after"]
        if c == "quadrant":
            changed |= a.fillna("") != b.fillna("")
        else:
            changed |= ((a - b).abs() > 1e-9).fillna(False) | (a.isna() != b.isna())
    out.changes = both[changed].reset_index(drop=True)
    return out


def history(con: duckdb.DuckDBPyConnection):
    """The load log, newest first."""
    return query(
        con,
        "SELECT load_id, table_name, file_name, rows_inserted, rows_replaced, user_name, "
        "loaded_at, undone_at, sha256 FROM ka_loads ORDER BY load_id DESC",
    ).to_pandas()


# Orphans that an undo must not leave behind: (table, column, SQL counting them).
_INTEGRITY = [
    ("sales", "store_id", "SELECT count(*) FROM sales WHERE store_id NOT IN (SELECT store_id FROM stores)"),
    ("sales", "sku", "SELECT count(*) FROM sales WHERE sku NOT IN (SELECT sku FROM products)"),
    ("visits", "store_id", "SELECT count(*) FROM visits WHERE store_id NOT IN (SELECT store_id FROM stores)"),
    ("visits", "category", "SELECT count(*) FROM visits WHERE category NOT IN (SELECT category FROM products)"),
    ("market", "category", "SELECT count(*) FROM market WHERE category NOT IN (SELECT category FROM products)"),
    ("promotions", "store_id", "SELECT count(*) FROM promotions WHERE store_id NOT IN (SELECT store_id FROM stores)"),
    ("promotions", "sku", "SELECT count(*) FROM promotions WHERE sku NOT IN (SELECT sku FROM products)"),
]


def undo_plan(con: duckdb.DuckDBPyConnection, load_id: int) -> dict:
    """What undoing a load would do, read without changing anything: the rows it would
    remove and put back, and the later loads that replaced some of its rows (undo those first)."""
    rows = con.execute(
        "SELECT table_name, file_name, user_name, loaded_at, undone_at FROM ka_loads WHERE load_id = ?", [load_id]
    ).fetchall()
    if not rows:
        raise KaError(f"There is no load {load_id}; `python -m ka_core history` lists them.")
    table, file_name, user, loaded_at, undone_at = rows[0]
    removes = con.execute(f"SELECT count(*) FROM {table} WHERE {LOAD_ID} = ?", [load_id]).fetchall()[0][0]
    restores = con.execute(f"SELECT count(*) FROM {replaced_table(table)} WHERE replaced_by = ?", [load_id]).fetchall()[
        0
    ][0]
    later = con.execute(
        f"SELECT r.replaced_by, l.file_name, l.user_name, count(*) FROM {replaced_table(table)} r "
        "JOIN ka_loads l ON l.load_id = r.replaced_by "
        "WHERE r.load_id = ? AND l.undone_at IS NULL GROUP BY ALL ORDER BY 1",
        [load_id],
    ).fetchall()
    return {
        "load_id": load_id,
        "table": table,
        "file_name": file_name,
        "user": user,
        "loaded_at": loaded_at,
        "undone_at": undone_at,
        "removes": removes,
        "restores": restores,
        "later": [{"load_id": i, "file_name": f, "user": u, "rows": n} for i, f, u, n in later],
    }


def undo(con: duckdb.DuckDBPyConnection, load_id: int) -> dict:
    """Restore exactly the state before a load: remove its rows, put back the rows it replaced."""
    rows = con.execute("SELECT table_name, file_name, undone_at FROM ka_loads WHERE load_id = ?", [load_id]).fetchall()
    row = rows[0] if rows else None
    if row is None:
        raise KaError(f"There is no load {load_id}; `python -m ka_core history` lists them.")
    table, file_name, undone_at = row
    if undone_at is not None:
        raise KaError(f"Load {load_id} ({file_name}) was already undone at {undone_at:%Y-%m-%d %H:%M}.")
    later = con.execute(
        f"SELECT DISTINCT r.replaced_by, l.file_name FROM {replaced_table(table)} r "
        "JOIN ka_loads l ON l.load_id = r.replaced_by "
        "WHERE r.load_id = ? AND l.undone_at IS NULL ORDER BY 1",
        [load_id],
    ).fetchall()
    if later:
        names = ", ".join(f"{lid} ({fn})" for lid, fn in later)
        raise KaError(
            f"Load {load_id} cannot be undone alone: later load {names} replaced some of its rows. "
            "Undo that first. Nothing was changed."
        )
    cols = ", ".join(TABLES[table].column_names)
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        removed = con.execute(f"DELETE FROM {table} WHERE {LOAD_ID} = ?", [load_id]).fetchall()[0][0]
        restored = con.execute(
            f"INSERT INTO {table} ({cols}, {LOAD_ID}) SELECT {cols}, {LOAD_ID} "
            f"FROM {replaced_table(table)} WHERE replaced_by = ?",
            [load_id],
        ).fetchall()[0][0]
        con.execute(f"DELETE FROM {replaced_table(table)} WHERE replaced_by = ?", [load_id]).fetchall()
        con.execute("UPDATE ka_loads SET undone_at = now()::TIMESTAMP WHERE load_id = ?", [load_id]).fetchall()
        if table in ("sales", "products"):
            rebuild_weekly(con)
        broken = [(t, c, n) for t, c, sql in _INTEGRITY if (n := con.execute(sql).fetchall()[0][0])]
        if broken:
            what = "; ".join(f"{n:,} {t} rows would point to a missing {c}" for t, c, n in broken)
            raise KaError(f"Undoing load {load_id} ({file_name}) would break references: {what}. Nothing was changed.")
        con.execute("COMMIT").fetchall()
    except Exception:
        con.execute("ROLLBACK").fetchall()
        raise
    return {
        "load_id": load_id,
        "table": table,
        "file_name": file_name,
        "rows_removed": removed,
        "rows_restored": restored,
    }


def problems_csv(problems: list[Problem]) -> str:
    """The validation report as CSV (file, row, column, value, expected), safe to open in a spreadsheet."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["file", "row", "column", "value", "expected"])
    for p in problems:
        w.writerow([sheets.neutral(v) for v in (p.file, p.row, p.column, p.value, p.expected)])
    return buf.getvalue()
