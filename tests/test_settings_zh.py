"""Settings refused in the user's language (issue 11): on the command line by flag and label,
in the dashboard by label with the default used; never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ka_core import db
from ka_core.cli import main
from ka_core.errors import KaError
from ka_core.settings import SPECS, Settings
from tests import tiny

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.mark.parametrize(
    ("values", "en", "zh"),
    [
        (
            {"a_cut": 1.5},
            "--a-cut 1.5: expected a fraction between 0 and 1, e.g. 0.8",
            "A类累计占比（--a-cut）为 1.5：应为介于 0 与 1 之间的比例，如 0.8",
        ),
        (
            {"a_cut": 0.9, "b_cut": 0.85},
            "--b-cut 0.85: expected a fraction between the A cut (0.9) and 1",
            "B类累计占比（--b-cut）为 0.85：应为A类累计占比（0.9）到 1 之间的比例",
        ),
        (
            {"baseline_weeks": 0},
            "--baseline-weeks 0: expected 1 to 104 weeks",
            "基线周数（--baseline-weeks）为 0：应为介于 1 与 104 之间的周数",
        ),
        (
            {"fsi_threshold": "lots"},
            "--fsi-threshold lots: expected a number",
            "公平份额指数阈值（--fsi-threshold）为 lots：应为数字",
        ),
        (
            {"post_weeks": "2.5"},
            "--post-weeks 2.5: expected a whole number",
            "促销后周数（--post-weeks）为 2.5：应为整数",
        ),
        (
            {"level": "city"},
            "--level city: expected region or national",
            "市场份额层级（--level）为 city：应为region（大区）或 national（全国）",
        ),
    ],
)
def test_a_refused_setting_names_it_its_value_and_the_range_in_both_languages(values, en, zh):
    with pytest.raises(KaError) as got:
        Settings.from_mapping(values, "en")
    assert str(got.value) == en
    with pytest.raises(KaError) as got:
        Settings.from_mapping(values, "zh")
    assert str(got.value) == zh


def test_every_setting_says_what_is_expected_in_chinese():
    for s in SPECS.values():
        assert s.expected_zh and any("\u4e00" <= ch <= "\u9fff" for ch in s.expected_zh), s.name
        # the same placeholders as the English text
        assert s.expected_zh.count("{") == s.expected.count("{"), s.name


def test_two_bad_settings_in_one_message_each_named():
    with pytest.raises(KaError) as got:
        Settings.from_mapping({"post_weeks": 53, "currency": "dollars"}, "zh")
    assert str(got.value) == (
        "促销后周数（--post-weeks）为 53：应为介于 0 与 52 之间的周数；"
        "货币符号（--currency）为 dollars：应为不超过 5 个字符的货币符号，如 ¥ 或 $"
    )


def test_lenient_keeps_the_good_values_and_says_which_default_it_used():
    s, problems = Settings.lenient({"a_cut": 0.7, "currency": "dollars"}, "en")
    assert (s.a_cut, s.currency) == (0.7, "¥")
    assert problems == [
        "Currency symbol: dollars is not valid; expected a currency symbol of at most 5 characters, e.g. ¥ or $. "
        "The default, ¥, is used."
    ]
    s, problems = Settings.lenient({"a_cut": 0.7, "currency": "dollars"}, "zh")
    assert (s.a_cut, s.currency) == (0.7, "¥")
    assert problems == ["货币符号：dollars 无效，应为不超过 5 个字符的货币符号，如 ¥ 或 $。现按默认值 ¥ 计算。"]
    assert Settings.lenient({"a_cut": 0.7}, "zh") == (Settings(a_cut=0.7), [])


@pytest.fixture
def warehouse(tmp_path, monkeypatch):
    path = tmp_path / "tiny.duckdb"
    c = db.connect(path)
    tiny.fill(c)
    c.close()
    monkeypatch.setenv("KA_DB", str(path))
    monkeypatch.delenv("KA_LANG", raising=False)
    return path


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en", "Currency symbol: dollars is not valid"),
        ("zh", "货币符号：dollars 无效，应为不超过 5 个字符的货币符号，如 ¥ 或 $。现按默认值 ¥ 计算。"),
    ],
)
def test_the_dashboard_says_which_setting_it_refused_in_the_users_language(warehouse, lang, message):
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    box = next(w for w in at.sidebar.text_input if w.key == "currency")
    box.set_value("dollars").run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning]
    assert any(message in w for w in warnings), warnings
    st.cache_resource.clear()


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_refuses_a_setting_in_chinese(warehouse, capsys):
    code, out, err = run(capsys, "report", "fair-share", "--a-cut", "0.9", "--b-cut", "0.85", "--lang", "zh")
    assert code == 2 and not out
    assert err.splitlines()[-1] == "错误：B类累计占比（--b-cut）为 0.85：应为A类累计占比（0.9）到 1 之间的比例"
    code, out, err = run(capsys, "report", "fair-share", "--a-cut", "0.9", "--b-cut", "0.85")
    assert code == 2 and not out
    assert err.splitlines()[-1] == "error: --b-cut 0.85: expected a fraction between the A cut (0.9) and 1"


def test_a_bad_environment_limit_in_chinese(warehouse, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("KA_MAX_ROWS", "lots")
    f = tmp_path / "v.csv"
    f.write_text("visit_date,store_id,rep\n2025-01-15,B,x\n", encoding="utf-8")
    code, _out, err = run(capsys, "load", "visits", f, "--lang", "zh")
    assert code == 2
    assert err.splitlines()[-1] == "错误：KA_MAX_ROWS='lots'：应为整数"
