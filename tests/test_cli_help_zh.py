"""The command line's own words in 中文 (issue 11): --help of every command and every usage error
(argparse's and ours) read in Chinese under --lang zh or KA_LANG=zh; English stays argparse's."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import pytest

from ka_core import cli, reports
from ka_core.schema import TABLES

COMMANDS = ["", "init", "load", "report", "lake", "export", "history", "undo"]

# ASCII words a Chinese text may keep: names of things (programs, formats, variables, files), not English.
NAMES = {
    "python", "ka_core", "ka", "analytics", "DuckDB", "duckdb", "data", "KA_DB", "KA_LANG", "KA_MAX_FILE_MB",
    "KA_MAX_ROWS", "MB", "CSV", "XLSX", "Parquet", "PySpark", "Spark", "Connect", "SPARK_REMOTE", "sc", "local",
    "manifest", "json", "csv", "pdf", "pptx", "xlsx", "pandas", "YYYY", "MM", "DD", "h", "m", "e", "g",
    "history", "lake", "bench", "access", "A", "B", "C",
}  # fmt: skip


def allowed_words(parser: argparse.ArgumentParser) -> set[str]:
    """Option names, choices (tables, reports, languages, values) and the names above."""
    words = set(NAMES) | set(TABLES) | set(cli.COMMANDS) | {"bench"}
    parsers = [parser]
    while parsers:
        p = parsers.pop()
        for action in p._actions:
            for option in action.option_strings:
                words.update(re.findall(r"[A-Za-z_]+", option))
            for choice in action.choices or ():
                words.update(re.findall(r"[A-Za-z_]+", str(choice)))
                if isinstance(action, argparse._SubParsersAction):
                    parsers.append(action.choices[choice])
    for name in reports.REPORTS:
        words.update(re.findall(r"[A-Za-z_]+", name))
    return words


ALLOWED = allowed_words(cli._parser("en"))


def words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]+", text))


def english_left(zh: str, en: str) -> set[str]:
    """Words of the English text still in the Chinese one, names of things aside."""
    return (words(zh) & words(en)) - ALLOWED


def cjk(text: str) -> int:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text)


def run(capsys, args: list[str]) -> tuple[int, str, str]:
    try:
        code = cli.main(args)
    except SystemExit as exc:  # argparse: 0 after --help, 2 after a usage error
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def no_env_lang(monkeypatch):
    monkeypatch.delenv("KA_LANG", raising=False)
    monkeypatch.setenv("COLUMNS", "100")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_every_command_is_chinese(command, capsys):
    args = [command] if command else []
    code, zh, _ = run(capsys, [*args, "--help", "--lang", "zh"])
    assert code == 0
    code, en, _ = run(capsys, [*args, "--help", "--lang", "en"])
    assert code == 0
    assert not english_left(zh, en), (english_left(zh, en), zh)
    assert zh.startswith("用法：python -m ka_core") and "选项:" in zh and "显示此帮助并退出" in zh
    # English is argparse's own, every option with its help
    assert en.startswith("usage: python -m ka_core") and "options:" in en and "show this help message and exit" in en
    assert cjk(en) == 0
    # argparse's hooks are put back: a parser built afterwards speaks English
    assert argparse._("usage: ") == "usage: "


def test_every_option_has_a_chinese_help_text(capsys):
    for command in COMMANDS[1:]:
        _, zh, _ = run(capsys, [command, "--help", "--lang", "zh"])
        for line in zh.splitlines():
            if re.match(r"\s+--\S+( \S+)?\s{2,}\S", line):  # an option and its help on one line
                assert cjk(line.split("  ")[-1]) or "{" in line, line


def test_help_columns_are_aligned_with_chinese_metavars(capsys):
    """A CJK character takes two columns: every help text starts in the same column."""
    _, zh, _ = run(capsys, ["load", "--help", "--lang", "zh"])
    starts = set()
    for line in zh.splitlines():
        m = re.match(r"(\s+-\S.*?\S)\s{2,}(\S)", line)
        if m:
            starts.add(cli._width(line[: m.start(2)]))
    assert len(starts) == 1, zh


USAGE_ERRORS = [
    ([], "缺少必需的参数：命令", "the following arguments are required: COMMAND"),
    (["nope"], "参数 命令：无效的选项 'nope'", "argument COMMAND: invalid choice: 'nope'"),
    (["load"], "缺少必需的参数：数据表, 文件", "the following arguments are required: TABLE, FILE"),
    (["load", "shops", "x.csv"], "参数 数据表：无效的选项 'shops'", "argument TABLE: invalid choice: 'shops'"),
    (["report", "nope"], "参数 报表：无效的选项 'nope'", "argument REPORT: invalid choice: 'nope'"),
    (["report", "pareto", "--a-cut", "x"], "参数 --a-cut：无效的值 'x'（应为数字）", "invalid float value: 'x'"),
    (
        ["report", "pareto", "--from", "2025-13-01"],
        "参数 --from：'2025-13-01' 不是日期；应为 年-月-日（YYYY-MM-DD）",
        "argument --from: '2025-13-01' is not a date; expected YYYY-MM-DD",
    ),
    (["report", "pareto", "--format"], "参数 --format：需要一个值", "argument --format: expected one argument"),
    (["report", "pareto", "--level", "city"], "参数 --level：无效的选项 'city'", "invalid choice: 'city'"),
    (["init", "--stores", "x"], "参数 --stores：无效的值 'x'（应为整数）", "argument --stores: invalid int value: 'x'"),
    (["undo", "x"], "参数 批次号：无效的值 'x'（应为整数）", "argument LOAD_ID: invalid int value: 'x'"),
    (["history", "--bogus"], "无法识别的参数：--bogus", "unrecognized arguments: --bogus"),
    (["export"], "缺少必需的参数：文件", "the following arguments are required: FILE"),
    (["lake"], "缺少必需的参数：目录", "the following arguments are required: DIR"),
]


@pytest.mark.parametrize(("args", "zh_says", "en_says"), USAGE_ERRORS)
def test_argparse_usage_errors_in_chinese(args, zh_says, en_says, capsys):
    code, out, zh = run(capsys, [*args, "--lang", "zh"])
    assert code == 2 and not out
    assert zh.startswith("用法：python -m ka_core")
    last = zh.splitlines()[-1]
    assert "：错误：" in last and zh_says in last, zh
    code, _, en = run(capsys, [*args, "--lang", "en"])
    assert code == 2 and en.startswith("usage: ") and ": error: " in en and en_says in en, en
    assert not english_left(zh, en) - words(" ".join(args)), (english_left(zh, en), zh)  # what the user typed aside


def test_our_usage_errors_in_chinese(tmp_path, capsys):
    """The rare ones: the demo's size, and the lake flags without or with the wrong engine."""
    cases = [
        (
            ["init", "--demo", "--stores", "0", "--db", str(tmp_path / "d.duckdb")],
            "错误：--stores 应 ≥ 1，且 --weeks 应 ≥ 12",
            "error: --stores must be ≥ 1 and --weeks ≥ 12",
        ),
        (
            ["report", "pareto", "--lake", str(tmp_path), "--db", str(tmp_path / "none.duckdb")],
            "错误：--lake 和 --spark-master 只能与 --engine spark 一起使用",
            "error: --lake and --spark-master go with --engine spark",
        ),
        (
            ["report", "pareto", "--engine", "spark"],
            "错误：--engine spark 读取数据湖：请给出 --lake 目录（用 `python -m ka_core lake 目录` 写出）",
            "error: --engine spark reads a lake: give --lake DIR (write one with `python -m ka_core lake DIR`)",
        ),
    ]
    for args, zh_says, en_says in cases:
        code, out, zh = run(capsys, [*args, "--lang", "zh"])
        assert code == 2 and not out
        assert zh.splitlines()[-1] == zh_says, zh
        code, _, en = run(capsys, [*args, "--lang", "en"])
        assert code == 2 and en.splitlines()[-1] == en_says, en
        assert not english_left(zh, en), (english_left(zh, en), zh)
    assert not (tmp_path / "d.duckdb").exists()


@pytest.mark.parametrize(
    ("argv", "lang"),
    [
        (["--lang", "zh"], "zh"),
        (["load", "--lang=zh", "x"], "zh"),
        (["--lang", "en"], "en"),
        (["--lang", "fr"], "en"),
        (["report", "--", "--lang", "zh"], "en"),
    ],
)
def test_the_language_is_read_before_parsing(argv, lang):
    assert cli._argv_lang(argv) == lang


def test_ka_lang_makes_help_chinese_in_a_real_process():
    env = {**os.environ, "KA_LANG": "zh", "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-m", "ka_core", "report", "--help"], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0 and done.stdout.startswith("用法：") and "显示此帮助并退出" in done.stdout
    assert "--lang {en,zh}" in done.stdout  # --lang X on the command line still wins
    done = subprocess.run(
        [sys.executable, "-m", "ka_core", "report", "--lang", "en", "--help"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.stdout.startswith("usage: ")
