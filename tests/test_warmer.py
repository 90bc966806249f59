"""The dashboard's warmer (dashboard.data.Warmer) and its shared read connection.

The warmer computes the reads people made lately again as soon as the warehouse changes,
the costliest first, and only once a write has settled. Its reads share the one read-only
connection with every session's, so every read is a cursor of its own: DuckDB refuses a
connection used by two threads at the same time ("connection is busy with another call")."""

from __future__ import annotations

import dataclasses
import threading
import time

import pandas as pd
import pytest

from dashboard.data import Warehouse, Warmer
from ka_core import access, db, names, reports, views
from ka_core.settings import Filters, Settings
from tests import tiny


class Clock:
    """A warehouse stamp the test moves by hand."""

    def __init__(self):
        self.now = (1, 0, 0, 0)

    def __call__(self):
        return self.now


def wait_for(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def warmer(tmp_path, monkeypatch):
    """A warmer of tmp_path/w.duckdb on a stamp the test moves by hand (`warmer.clock.now`),
    looking every 0.05 s; stopped after the test."""
    monkeypatch.setenv("KA_WARM", "1")
    clock = Clock()
    w = Warmer(clock, tmp_path / "w.duckdb")
    w.clock, w.POLL, w.SETTLE = clock, 0.05, 0.05
    yield w
    w.stop()


def test_a_change_recomputes_the_noted_reads_costliest_first(warmer):
    w, clock = warmer, warmer.clock
    calls: list[tuple] = []

    def cheap(name, version):
        calls.append(("cheap", name, version))

    def dear(name, version):
        calls.append(("dear", name, version))

    w.note(cheap, ("a",), 0.01)
    w.note(dear, ("b",), 0.90)
    w.note(cheap, ("c",), 0.20)
    w.note(cheap, ("a",), 0.001)  # the same read again: its dearest cost is kept (0.01)
    time.sleep(0.2)
    assert calls == []  # nothing changed yet: nothing recomputed
    clock.now = (2, 5, 0, 0)
    assert wait_for(lambda: w.rounds == 1)
    assert calls == [("dear", "b", (2, 5, 0, 0)), ("cheap", "c", (2, 5, 0, 0)), ("cheap", "a", (2, 5, 0, 0))]


def test_reads_nobody_made_lately_are_left_alone(warmer):
    w, clock = warmer, warmer.clock
    calls: list[str] = []

    def read(name, version):
        calls.append(name)

    w.note(read, ("old",), 0.9)
    w.MAX_AGE = 0.3
    time.sleep(0.4)  # the first read is older than MAX_AGE now
    w.note(read, ("new",), 0.1)
    clock.now = (5, 0, 0, 0)
    assert wait_for(lambda: w.rounds == 1)
    assert calls == ["new"]


def test_no_round_while_a_writer_waits_and_none_when_turned_off(warmer, tmp_path, monkeypatch):
    w, clock, path = warmer, warmer.clock, tmp_path / "w.duckdb"
    calls: list[tuple] = []
    w.note(lambda v: calls.append(v), (), 0.1)
    marker = db.waiting_marker(path)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()  # another program waits to write: the change has not settled
    clock.now = (3, 1, 0, 0)
    time.sleep(0.5)
    assert calls == []
    marker.unlink()
    assert wait_for(lambda: calls == [(3, 1, 0, 0)])
    monkeypatch.setenv("KA_WARM", "0")
    off = Warmer(clock, path)
    off.note(lambda v: calls.append(v), (), 0.1)
    assert off._thread is None


def test_a_failing_read_does_not_stop_the_round(warmer):
    w, clock = warmer, warmer.clock
    done: list[str] = []

    def broken(version):
        raise RuntimeError("boom")

    w.note(broken, (), 0.5)
    w.note(lambda v: done.append("ok"), (), 0.1)
    clock.now = (4, 0, 0, 0)
    assert wait_for(lambda: w.rounds == 1)
    assert done == ["ok"]


def test_every_read_is_a_cursor_so_threads_share_the_connection(tmp_path):
    """Sessions' threads and the warmer read through one Warehouse at once; ka_core's lookups
    run whatever they run on the connection they are given (here names and access, which query
    it directly), so Warehouse.read gives each read a cursor of its own."""
    wh = Warehouse(tiny.warehouse(tmp_path / "w.duckdb"))
    wh.prepare()
    errors: list[BaseException] = []

    def lookups():
        try:
            for _ in range(30):
                with wh.read() as con:
                    names.lookup(con)
                    access.resolve(con, "nobody@example.com")
                    access.admin_emails(con)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lookups) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wh.close()
    assert errors == []


def test_a_round_stops_at_its_budget(warmer):
    w, clock = warmer, warmer.clock
    w.BUDGET = 0.3
    calls: list[str] = []

    def slow(name, version):
        calls.append(name)
        time.sleep(0.2)

    for name in "abcde":
        w.note(slow, (name,), 0.2)
    clock.now = (6, 0, 0, 0)
    assert wait_for(lambda: w.rounds == 1)
    assert 1 <= len(calls) <= 3  # 0.2 s each: the budget of 0.3 s ends the round before the fifth


def test_after_a_write_the_next_read_finds_the_new_rows_computed(tmp_path, monkeypatch):
    """End to end, with the dashboard's own cached reads (dashboard.data), outside a session."""
    import streamlit as st

    from dashboard import auth, data

    path = tiny.warehouse(tmp_path / "w.duckdb")
    monkeypatch.setenv("KA_DB", str(path))
    monkeypatch.setenv("KA_WARM", "1")
    monkeypatch.setattr(auth, "scope", lambda: access.LOCAL)
    st.cache_resource.clear()
    st.cache_data.clear()
    try:
        warmer = data._wh().warmer
        warmer.POLL, warmer.SETTLE = 0.05, 0.05
        f, s = Filters(), Settings()
        before = data.report("quadrants", f, s)
        with data.writing() as con:  # a write, as the Data page makes one
            con.execute("UPDATE sales SET units = units * 3, revenue = revenue * 3").fetchall()
            db.rebuild_weekly(con)
        assert wait_for(lambda: warmer.rounds >= 1)

        def boom(*args, **kwargs):
            raise AssertionError("computed when asked: the warmer had not computed it")

        monkeypatch.setattr(views, "rows", boom)  # from here a cache miss fails
        after = data.report("quadrants", f, s)
        con = db.connect(path, read_only=True)
        try:
            expected = reports.run(con, "quadrants", dataclasses.replace(f, scope=access.LOCAL), s)
        finally:
            con.close()
        pd.testing.assert_frame_equal(after, expected)
        assert not after.equals(before)
        # The scope is part of the key: another scope's read is not the one warmed.
        monkeypatch.setattr(auth, "scope", lambda: access.NOBODY)
        with pytest.raises(AssertionError, match="computed when asked"):
            data.report("quadrants", f, s)
    finally:
        st.cache_resource.clear()  # closes the warehouse, which stops its warmer
        st.cache_data.clear()
    assert warmer._stopping.is_set()
