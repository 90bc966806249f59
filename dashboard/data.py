"""The warehouse of this server process and every cached read of it.

Concurrency with the command line (DuckDB lets one process write a file, or
any number of processes read it): the dashboard opens the warehouse READ-ONLY
for the queries of a rerun and closes it a second after the last query, so it
never holds the file between reruns and `python -m ka_core load` (which waits up to
`--wait` seconds) gets its turn. The dashboard's own writes (the Data page) go
through `Warehouse.write()`: it waits for the running queries, writes through a
short-lived read-write connection, and closes it again; it waits likewise
(WAIT seconds) for another program's write.

Who sees what: every read binds the session's scope (dashboard/auth.py) into
its Filters (`scoped`), so the cache keys on it and no page, chart, table or
download reaches outside it; a session the login gate did not resolve binds
NOBODY.

Caches are keyed by `stamp()`, the warehouse file's size and modification time
(and its write-ahead log's): any write, by this process or another, makes the
next rerun read fresh numbers, and nothing else ever invalidates them. (The
argument is called `version`, not `_version`: Streamlit leaves arguments whose
names start with `_` out of the cache key.)
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from ka_core import access, db, reports, views
from ka_core.access import Scope
from ka_core.db import query
from ka_core.errors import KaError
from ka_core.settings import Filters, Settings

# Cached reads are keyed by the warehouse stamp, so a write never shows stale numbers; the ttl
# only bounds how long a result nobody reads again is kept (a day, so what the warmer computes
# after a nightly import is still there in the morning; max_entries bounds the memory).
CACHE = dict(ttl=24 * 3600, max_entries=256, show_spinner=False)
WAIT = 60.0  # seconds a read or a write waits for another program's write (as the command line's --wait)
_LOGGER = logging.getLogger(__name__)
IDLE_CLOSE = 1.0  # seconds without a query after which the dashboard lets go of the warehouse file


class Warehouse:
    """The server process's one warehouse: a read-only connection shared by every
    session (each read a cursor of its own, see read()), and writes one at a time.

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
        self._ready = False
        self.warmer = Warmer(self.stamp, path)

    def stamp(self) -> tuple[int, ...]:
        """What the warehouse looks like from outside: size and mtime of the file and its WAL."""
        out: list[int] = []
        for p in (self.path, Path(f"{self.path}.wal")):
            try:
                s = os.stat(p)
                out += [s.st_size, s.st_mtime_ns]
            except OSError:
                out += [0, 0]
        return tuple(out)

    def prepare(self) -> None:
        """Before the first read: create the demo warehouse when none exists, and
        upgrade an older schema (a read-only connection cannot)."""
        with self._cond:
            while self._writing:
                self._cond.wait()
            if self._ready:
                return
            if not self.path.exists():
                from ka_core.demo import create_demo  # imported here: the app starts even without demo data

                con = db.connect(self.path)
                try:
                    create_demo(con)
                    con.execute("CHECKPOINT").fetchall()
                finally:
                    con.close()
            try:
                db.connect(self.path, read_only=True, wait=WAIT).close()
            except KaError:
                db.connect(self.path, wait=WAIT).close()  # upgrades the schema, or raises the clear reason
            self._ready = True

    @contextlib.contextmanager
    def read(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor of the read-only connection, held open while the block runs its queries.

        A cursor, not the connection: every session's thread and the warmer read at once, and
        DuckDB refuses a connection object used by two threads at the same time ("connection is
        busy with another call"); a cursor is a connection of its own to the same database.

        While another program waits to write (db.writer_waiting), new reads wait,
        the running ones finish, the connection closes and the writer gets the file;
        then the reads open it again (waiting for the write to end).
        """
        nested = getattr(self._mine, "reads", 0) > 0  # this thread already holds a read: no waiting
        give_up = time.monotonic() + WAIT
        with self._cond:
            while self._writing or (not nested and db.writer_waiting(self.path) and time.monotonic() < give_up):
                self._cond.wait(0.1)
            if self._con is None:
                self._con = db.connect(self.path, read_only=True, wait=WAIT)  # KaError when a writer keeps it
            self._readers += 1
            con = self._con
        self._mine.reads = getattr(self._mine, "reads", 0) + 1
        try:
            cur = con.cursor()
            try:
                yield cur
            finally:
                cur.close()
        finally:
            self._mine.reads -= 1
            with self._cond:
                self._readers -= 1
                if not self._readers and self._con is not None:
                    # Idle: let go of the file soon (not at once: the next read of the same rerun
                    # would pay for opening it again), so a writer never waits for an idle dashboard.
                    timer = threading.Timer(IDLE_CLOSE, self._close_if_idle)
                    timer.daemon = True
                    timer.start()
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
            con = db.connect(self.path, wait=WAIT)
            try:
                yield con
                con.execute("CHECKPOINT").fetchall()
            finally:
                con.close()
        finally:
            with self._cond:
                self._writing = False
                self._cond.notify_all()

    def _close_if_idle(self) -> None:
        with self._cond:
            if not self._readers and self._con is not None:
                self._con.close()
                self._con = None

    def close(self) -> None:
        self.warmer.stop()
        with self._cond:
            if self._con is not None:
                self._con.close()
                self._con = None


class Warmer:
    """What people read lately, computed again as soon as the warehouse changes, before they ask.

    Every cached read notes its call (the cached function and its arguments, without the
    warehouse stamp), how long it took and when. A watcher thread looks at the stamp every
    POLL seconds; once a change has settled (no writer waiting, the same stamp for SETTLE
    seconds) it calls the reads of the last MAX_AGE seconds again with the new stamp, the
    costliest first (the ones a session would wait longest for), one at a time, for at most
    BUDGET seconds, so the cache holds the new numbers when a session asks for them; a session
    asking meanwhile waits for that computation instead of starting its own (Streamlit computes
    a cached value once). A newer change starts the round again. Reads stay in the scope they
    were made in: the scope is part of their arguments. Only the data reads are warmed: charts
    and table frames are built from their rows when a session first shows them. KA_WARM=0
    turns it off.
    """

    LIMIT = 128  # distinct reads kept, the least recently made dropped first
    MAX_AGE = 24 * 3600.0  # seconds: a read nobody made in a day is not computed again
    BUDGET = 30.0  # seconds of work a round may take; the reads left are computed when asked for
    POLL = 0.2
    SETTLE = 0.3

    def __init__(self, stamp, path: Path):
        self._stamp = stamp
        self._path = path
        self._reads: OrderedDict[tuple, tuple] = OrderedDict()  # key -> (fn, args, cost, last made)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen: tuple | None = None  # the stamp the watcher compares with
        self.rounds = 0  # rounds completed (tests)

    def note(self, fn, args: tuple, seconds: float) -> None:
        """A read made (`seconds`: how long it took, a cache hit or its computation)."""
        if os.environ.get("KA_WARM", "1") == "0":
            return
        try:
            key = (fn.__qualname__, args)
            hash(key)
        except TypeError:
            return
        with self._lock:
            cost = max(seconds, self._reads[key][2]) if key in self._reads else seconds
            self._reads[key] = (fn, args, cost, time.monotonic())
            self._reads.move_to_end(key)
            while len(self._reads) > self.LIMIT:
                self._reads.popitem(last=False)
            if self._thread is None and not self._stopping.is_set():
                self._seen = self._stamp()  # now, not when the thread first runs: a change right after counts
                self._thread = threading.Thread(target=self._watch, name="ka-warmer", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def _watch(self) -> None:
        while not self._stopping.wait(self.POLL):
            try:
                now = self._stamp()
                if now == self._seen:
                    continue
                while not self._stopping.wait(self.SETTLE):  # let the write finish
                    later = self._stamp()
                    if later == now and not db.writer_waiting(self._path):
                        break
                    now = later
                self._seen = now
                if self._round(now):
                    self.rounds += 1
            except Exception:  # the watcher lives as long as the server: log, keep watching
                _LOGGER.warning("the warmer's watch failed", exc_info=True)

    def _round(self, version: tuple) -> bool:
        oldest = time.monotonic() - self.MAX_AGE
        give_up = time.monotonic() + self.BUDGET
        with self._lock:
            calls = sorted((c for c in self._reads.values() if c[3] >= oldest), key=lambda c: -c[2])
        for fn, args, _, _ in calls:
            if self._stopping.is_set() or self._stamp() != version:
                return False  # a newer change: the watcher starts a new round
            if time.monotonic() > give_up:
                return True  # the budget is spent: the rest are computed when a session asks
            try:
                fn(*args, version)
            except Exception:  # the session that asks again shows its own error
                _LOGGER.warning("warming %s failed", fn.__qualname__, exc_info=True)
        return True


@st.cache_resource(show_spinner=False, on_release=Warehouse.close)
def warehouse(path: str) -> Warehouse:
    """The warehouse of this server process (keyed on its path: KA_DB may differ between tests)."""
    return Warehouse(Path(path))


def _wh() -> Warehouse:
    return warehouse(str(db.db_path().resolve()))


def reading():
    """`with data.reading() as con:` a cursor of the shared read-only connection (Warehouse.read)."""
    return _wh().read()


def writing():
    """`with data.writing() as con:` a read-write connection for one load or undo."""
    return _wh().write()


def stamp() -> tuple[int, ...]:
    """What the warehouse looks like from outside (Warehouse.stamp).

    Every cached read takes it as an argument, so a write by anyone shows on the next rerun.
    """
    return _wh().stamp()


def _read(fn, *args):
    """A cached read at the warehouse's present state, noted for the warmer."""
    wh = _wh()
    t0 = time.perf_counter()
    out = fn(*args, wh.stamp())
    wh.warmer.note(fn, args, time.perf_counter() - t0)
    return out


def open_warehouse(creating_message: str, busy_message: str) -> None:
    """Create the demo warehouse on first start; open the warehouse, or say clearly why not and stop."""
    wh = _wh()
    try:
        if not wh.path.exists():
            with st.spinner(creating_message):
                wh.prepare()
        else:
            wh.prepare()
    except KaError as exc:
        st.error(f"{busy_message}\n\n{exc}", icon=":material/lock:")
        st.stop()


# Cached reads: small hashable arguments (frozen dataclasses) and the warehouse stamp --------


def scoped(filters: Filters) -> Filters:
    """The filters with the session's scope (dashboard/auth.py): every read goes through here."""
    from . import auth

    return dataclasses.replace(filters, scope=auth.scope())


@st.cache_data(**CACHE)
def _report(name: str, filters: Filters, settings: Settings, version: tuple) -> pd.DataFrame:
    with reading() as con:
        return views.rows(con, name, filters, settings)


def report(name: str, filters: Filters, settings: Settings) -> pd.DataFrame:
    """A contract report or a dashboard query (reports.REPORTS / QUERIES), computed once per
    filters, scope, settings and warehouse state, however many views and charts read it."""
    return _read(_report, name, scoped(filters), settings)


@st.cache_data(**CACHE)
def _view(name: str, filters: Filters, settings: Settings, args: tuple, version: tuple):
    # The filters are scoped already: the reports read with them as they are.
    def scoped_report(report_name: str, f: Filters, s: Settings) -> pd.DataFrame:
        return _report(report_name, f, s, version)

    return getattr(views, name)(scoped_report, filters, settings, *args)


def view(name: str, filters: Filters, settings: Settings, *args):
    """A ka_core.views function by name (kpis, chain_summary, stores_to_visit, …) over the cached reports.

    Cached too, on the same key as the reports it reads: a view only selects, merges and
    sorts their rows, but doing that again on every rerun of every session was a quarter
    of a rerun's time with 8 people on the dashboard."""
    return _read(_view, name, scoped(filters), settings, args)


@st.cache_data(**CACHE)
def _store_detail(store_id: str, filters: Filters, settings: Settings, version: tuple):
    with reading() as con:
        return views.store_weekly(con, store_id, filters, settings), views.store_visits(con, store_id, filters)


def store_detail(store_id: str, filters: Filters, settings: Settings):
    """A store's weeks and its visits (nothing for a store outside the scope)."""
    return _read(_store_detail, store_id, scoped(filters), settings)


@st.cache_data(**CACHE)
def _promo_detail(promo_id: str, filters: Filters, settings: Settings, version: tuple) -> pd.DataFrame:
    with reading() as con:
        return reports.run_query(con, "promo-weekly", filters, settings, promo_id=promo_id)


def promo_detail(promo_id: str, settings: Settings) -> pd.DataFrame:
    """A promotion's weekly units with phase and baseline (nothing for a promotion outside the scope)."""
    return _read(_promo_detail, promo_id, scoped(Filters()), settings)


@st.cache_data(ttl=600, max_entries=64, show_spinner=False)
def _options(scope: Scope, version: tuple) -> dict[str, list[str]]:
    with reading() as con:
        out = views.options(con)
        if scope.everything:
            return out
        seen = access.stores_in_scope(con, scope)
        managers = set(
            query(
                con,
                "SELECT ka_manager FROM stores WHERE list_contains($ids, store_id)",
                {"ids": list(seen["store_id"])},
            )
            .column(0)
            .to_pylist()
        )
    return {
        "chain": [c for c in out["chain"] if c in set(seen["chain"])],
        "region": [r for r in out["region"] if r in set(seen["region"])],
        "category": out["category"],
        "ka_manager": [m for m in out["ka_manager"] if m in managers],
    }


def options() -> dict[str, list[str]]:
    """Values for the sidebar filters and pickers: only the chains, regions and KA managers in scope."""
    from . import auth

    return _read(_options, auth.scope())


@st.cache_data(ttl=600, max_entries=8, show_spinner=False)
def _latest_week(version: tuple) -> dt.date | None:
    with reading() as con:
        return views.latest_week(con)


def latest_week() -> dt.date | None:
    """Monday of the latest week with sales."""
    return _read(_latest_week)
