"""The layers: ka_core imports no Streamlit, pages hold no SQL and no pandas arithmetic."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ka_core_imports_no_streamlit():
    """Importing every ka_core module leaves Streamlit unloaded (checked in a fresh interpreter)."""
    mods = sorted(p.stem for p in (ROOT / "ka_core").glob("*.py") if p.stem != "__main__")
    code = "import sys\n" + "".join(f"import ka_core.{m}\n" for m in mods) + "print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr
    for p in (ROOT / "ka_core").rglob("*.py"):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] == "streamlit"], p


ARITHMETIC_CALLS = {"groupby", "agg", "sum", "mean", "median", "pivot_table", "merge", "apply", "cumsum", "div"}


def test_pages_hold_no_sql_and_no_pandas_arithmetic():
    for p in sorted((ROOT / "pages").glob("*.py")):
        text = p.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert "SELECT " not in node.value.upper() or len(node.value) < 8, (p.name, node.value)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                assert node.func.attr not in ARITHMETIC_CALLS, (p.name, node.lineno, node.func.attr)
            if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Div, ast.Mult)):
                raise AssertionError(f"{p.name}:{node.lineno}: arithmetic belongs in ka_core")
        assert "duckdb" not in text, p.name
