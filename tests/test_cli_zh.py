"""The command line in 中文 (issue 11): `--lang zh` or KA_LANG=zh makes every message, note,
problem and table header Chinese; problems name the column as the file names it; the --errors
file carries Chinese headers. CSV and JSON output stay the contract's."""

from __future__ import annotations

import csv
import io
import re

import pytest

from ka_core import loading
from ka_core.cli import main
from tests import tiny


@pytest.fixture
def path(tmp_path, monkeypatch):
    monkeypatch.delenv("KA_LANG", raising=False)
    p = tiny.warehouse(tmp_path / "tiny.duckdb")
    return p


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def cjk(line: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in line)


def all_chinese(text: str) -> bool:
    """Every line a user reads says something in Chinese."""
    return all(cjk(line) for line in text.splitlines() if line.strip())


BAD = "拜访日期,门店编号,业务员,品类,本品排面,总排面\n2025-02-03,B,王芳,Phones,3,10\n2025-02-04,Z9,王芳,Phones,x,10\n"


def test_load_refused_in_chinese_names_the_columns_as_the_sheet_does(path, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KA_LANG", "zh")
    f = tmp_path / "周报.csv"
    f.write_text(BAD, encoding="utf-8")
    errors = tmp_path / "problems.csv"
    code, out, err = run(capsys, "load", "visits", f, "--db", path, "--errors", errors)
    assert code == 1 and not out
    lines = err.splitlines()
    assert "周报.csv，第 3 行，列“门店编号”：'Z9' — 应为门店表中的门店编号" in lines
    assert "周报.csv，第 3 行，列“本品排面”：'x' — 应为一个 ≥ 0 的数字" in lines
    assert lines[-1] == "错误：发现 2 个问题；没有写入任何数据。"
    assert all_chinese(err), err
    rows = list(csv.reader(io.StringIO(errors.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["文件", "行", "列", "值", "应为"]
    assert sorted(r[2] for r in rows[1:]) == ["本品排面", "门店编号"]


def test_load_in_english_is_unchanged(path, tmp_path, capsys):
    f = tmp_path / "v.csv"
    f.write_text(BAD, encoding="utf-8")
    code, _out, err = run(capsys, "load", "visits", f, "--db", path)
    assert code == 1
    assert "v.csv, row 3, column store_id: 'Z9' — expected a store_id of the stores table" in err
    assert err.splitlines()[-1] == "error: 2 problems found; nothing was written."


def test_load_undo_and_history_in_chinese(path, tmp_path, capsys):
    f = tmp_path / "v.csv"
    # Own sales of B in the week of 2025-01-13 are 50: a category total of 20 is a sheet mistake
    # (a warning); the extra column is ignored (a note).
    f.write_text(
        "拜访日期,门店编号,业务员,品类,门店品类销售额,备注2\n2025-01-15,B,王芳,Phones,20,x\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "load", "visits", f, "--db", path, "--lang", "zh")
    assert code == 0, err
    [load_line] = out.splitlines()
    m = re.fullmatch(r"批次 (\d+)：v\.csv → (\S+)：写入 1 行，其中 0 行替换了已有的行。", load_line)
    assert m and cjk(m[2]), load_line
    assert "v.csv：已忽略不属于 visits 表的列：备注2。" in err.splitlines()
    warning = next(line for line in err.splitlines() if line.startswith("警告："))
    assert "第 2 行" in warning and "列“门店品类销售额”" in warning and "按本品销售额计" in warning
    assert all_chinese(out + err), out + err
    code, out, _ = run(capsys, "history", "--db", path, "--lang", "zh")
    assert code == 0 and out.splitlines()[0].split()[:3] == ["批次", "数据表", "文件"]
    load_id = int(m[1])
    code, out, err = run(capsys, "undo", load_id, "--db", path, "--lang", "zh")
    assert code == 0, err
    assert out.startswith(f"已撤销批次 {load_id}（v.csv → ") and "删除 1 行" in out
    code, _out, err = run(capsys, "undo", load_id, "--db", path, "--lang", "zh")
    assert code == 1 and err.startswith(f"错误：批次 {load_id}（v.csv）已于 ") and all_chinese(err)


def test_report_table_in_chinese_and_csv_unchanged(path, capsys):
    code, out, _ = run(capsys, "report", "quadrants", "--db", path, "--lang", "zh", "--from", "2025-01-06")
    assert code == 0
    head = out.splitlines()[0]
    assert "门店编号" in head and "象限" in head and "store_id" not in head
    assert all_chinese(out.splitlines()[0])
    assert {"进攻", "防守", "维持", "观察"} & set(out.split())  # quadrants named in Chinese
    code, out, _ = run(capsys, "report", "quadrants", "--db", path, "--lang", "zh", "--format", "csv")
    assert out.splitlines()[0].startswith("store_id,store_name,chain,region,potential")
    code, out, _ = run(capsys, "report", "fair-share", "--db", path, "--lang", "zh", "--from", "2030-01-01")
    assert out.strip() == "（没有数据：没有符合这些筛选条件的行）"


def test_refusals_in_chinese(path, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KA_LANG", "zh")
    code, _out, err = run(capsys, "report", "quadrants", "--db", tmp_path / "none.duckdb")
    assert code == 1 and err.startswith("错误：") and "处没有数据仓库" in err and all_chinese(err)
    code, _out, err = run(capsys, "report", "quadrants", "--db", path, "--as", "nobody@co.com")
    assert code == 1 and "没有访问权限" in err
    code, _out, err = run(capsys, "load", "visits", tmp_path / "missing.csv", "--db", path)
    assert code == 1 and err.strip() == "错误：missing.csv：文件不存在。"
    (tmp_path / "empty.csv").write_bytes(b"")
    code, _out, err = run(capsys, "load", "visits", tmp_path / "empty.csv", "--db", path)
    assert code == 1 and err.strip() == "错误：empty.csv：文件是空的。"
    code, _out, err = run(capsys, "report", "quadrants", "--db", path, "--chain", "Gamma")
    assert "注意：没有名为 'Gamma' 的系统；已有：Alpha, Beta。" in err.splitlines()
    code, _out, err = run(capsys, "report", "quadrants", "--db", path, "--from", "2025-03-01", "--to", "2025-01-01")
    assert code == 2 and err.splitlines()[-1] == "错误：--from 2025-03-01 晚于 --to 2025-01-01"
    code, out, _ = run(capsys, "init", "--db", tmp_path / "new.duckdb")
    assert code == 0 and out.startswith("数据仓库已就绪：")


def test_an_unknown_language_is_a_usage_error(path, capsys, monkeypatch):
    monkeypatch.setenv("KA_LANG", "fr")
    code, _out, err = run(capsys, "history", "--db", path)
    assert code == 2 and "KA_LANG='fr': expected en or zh" in err
    code, _out, err = run(capsys, "history", "--db", path, "--lang", "en")  # the option wins
    assert code == 0


def test_a_problem_line_in_chinese_without_a_file_header():
    from ka_core import upload

    p = loading.Problem(
        "v.csv", 4, "store_id", "A", "expected a store in your scope (3 stores): B, D, E; nothing was written"
    )
    assert upload.problem_line(p, "zh", None, "visits") == (
        "v.csv，第 4 行，列“门店编号”：'A' — 应为您权限范围内的门店（共 3 家）：B, D, E；未写入任何数据"
    )
    assert upload.problem_line(p, "en") == str(p)
