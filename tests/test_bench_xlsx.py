"""The benchmark's big-XLSX section (issue 11) in its smoke size: a sales sheet written in
openpyxl's write-only mode is read as the loader reads it, in a child process, every row."""

from __future__ import annotations

import json

from ka_core import bench


def test_big_xlsx_smoke(tmp_path, capsys):
    out = tmp_path / "big.json"
    assert bench.main(["--big-xlsx", "--smoke", "--dir", str(tmp_path), "--json", str(out)]) == 0
    big = json.loads(out.read_text())["big_xlsx"]
    assert big["rows"] == big["rows_written"] == bench.SMOKE_BIG_XLSX_ROWS  # title row and header skipped
    assert big["read_s"] > 0 and big["read_cpu_s"] > 0
    assert big["peak_rss_mb"] >= big["rss_before_mb"] > 0 and big["arrow_mb"] > 0
    assert big["unpacked_mb"] > big["xlsx_mb"] > 0
    assert "read in streaming" in capsys.readouterr().out
    # The sheet is reused by the next run.
    assert bench.main(["--big-xlsx", "--smoke", "--dir", str(tmp_path), "--json", str(out)]) == 0
    assert json.loads(out.read_text())["big_xlsx"]["reused"] is True
