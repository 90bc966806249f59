"""The benchmark's one-second smoke run: every report timed, and SQL equal to plain pandas."""

from __future__ import annotations

import json

from ka_core import bench, reports


def test_smoke_run(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert bench.main(["--smoke", "--dir", str(tmp_path), "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["machine"]["cores"] >= 1
    rows = data["sizes"]["smoke"]["reports"]
    assert [r["report"] for r in rows] == list(reports.REPORTS)
    for r in rows:
        assert r["warm_s"] > 0 and r["floor_s"] > 0 and r["pandas_s"] > 0
        assert r["check"] == "OK", (r["report"], r["check"])  # the SQL and the plain pandas agree
    assert "speed-up" in capsys.readouterr().out
