"""The meeting pack in several formats from one gathering (issue 12, export ≤ 10 s): the reports
computed once however many parts and files read them, the charts drawn once by one Chromium
for the PDF and the deck, and the pictures embedded as JPEG bytes as Chromium made them."""

from __future__ import annotations

import io
import subprocess
import sys
from collections import Counter

import pytest

from ka_core import export, views
from ka_core.settings import Settings
from tests.test_export import FILTERS, ROOT, warehouse  # noqa: F401  (fixture)


@pytest.fixture
def counted(monkeypatch):
    """Counts of each report or query computed (per filters), and of Chromium sessions started."""
    runs: Counter = Counter()
    real_run, real_query, real_kaleido = views.run, views.run_query, export._kaleido

    def run(con, name, filters, *a, **k):
        runs[name, filters] += 1
        return real_run(con, name, filters, *a, **k)

    def run_query(con, name, filters, *a, **k):
        runs[name, filters] += 1
        return real_query(con, name, filters, *a, **k)

    def kaleido():
        runs["chromium"] += 1
        return real_kaleido()

    monkeypatch.setattr(views, "run", run)
    monkeypatch.setattr(views, "run_query", run_query)
    monkeypatch.setattr(export, "_kaleido", kaleido)
    return runs


def test_three_formats_from_one_gathering(warehouse, counted):  # noqa: F811
    from ka_core import db

    con = db.connect(warehouse, read_only=True)
    try:
        files = export.render_many(con, ["pdf", "pptx", "xlsx"], FILTERS, Settings(), "en")
    finally:
        con.close()
    assert files["pdf"][:5] == b"%PDF-" and files["pptx"][:2] == files["xlsx"][:2] == b"PK"
    assert counted["chromium"] == 1  # the charts drawn once for the PDF and the deck
    # Every report and query once per filters (the period, the previous one, a year before),
    # though the KPIs, the chain table and the workbook share them.
    assert max(n for key, n in counted.items() if key != "chromium") == 1, counted
    names = Counter(key[0] for key in counted if key != "chromium")
    assert {"quadrants", "promo-summary", "pareto", "fair-share", "promo-lift"} <= set(names)
    assert names["rollup"] == 3  # this period, the previous one and the same weeks a year before
    # The pictures are Chromium's JPEG bytes, embedded as they are.
    assert files["pdf"].count(b"/DCTDecode") == 4
    from pptx import Presentation

    pictures = [
        s.image.content_type
        for slide in Presentation(io.BytesIO(files["pptx"])).slides
        for s in slide.shapes
        if s.shape_type == 13
    ]
    assert pictures and set(pictures) == {"image/jpeg"}


def test_a_workbook_alone_starts_no_chromium(warehouse, counted):  # noqa: F811
    from ka_core import db

    con = db.connect(warehouse, read_only=True)
    try:
        data = export.render(con, "xlsx", FILTERS, Settings(), "en")
    finally:
        con.close()
    assert data[:2] == b"PK" and counted["chromium"] == 0
    names = Counter(key[0] for key in counted if key != "chromium")
    assert names["quadrants"] == names["promo-summary"] == 1  # the pack's and the sheet's


def test_command_line_writes_several_files_at_once(warehouse, tmp_path):  # noqa: F811
    out = [tmp_path / "pack.pdf", tmp_path / "pack.xlsx"]
    got = subprocess.run(
        [sys.executable, "-m", "ka_core", "export", *map(str, out), "--db", str(warehouse), "--from", "2026-08-24"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert got.returncode == 0, got.stderr
    assert got.stdout.count("Meeting pack written") == 2
    assert out[0].read_bytes()[:5] == b"%PDF-" and out[1].read_bytes()[:2] == b"PK"
    bad = subprocess.run(
        [sys.executable, "-m", "ka_core", "export", str(out[0]), str(tmp_path / "x.docx"), "--db", str(warehouse)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert bad.returncode == 2 and "x.docx" in bad.stderr and "Traceback" not in bad.stderr
