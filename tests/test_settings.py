"""Each setting is declared once (ka_core.settings.SPECS): the dataclass, the command line and the UI read it."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

import pytest

from ka_core import cli, i18n
from ka_core.errors import KaError
from ka_core.settings import SPECS, Settings

# domain.md, "Settings and their defaults" (and the loading limits of the README)
DOMAIN_DEFAULTS = {
    "a_cut": 0.80,
    "b_cut": 0.95,
    "fsi_threshold": 100,
    "level": "region",
    "baseline_weeks": 8,
    "post_weeks": 4,
    "currency": "¥",
    "max_file_mb": 500,
    "max_rows": 50_000_000,
}


def test_defaults_are_domain_md(monkeypatch):
    monkeypatch.delenv("KA_MAX_FILE_MB", raising=False)
    monkeypatch.delenv("KA_MAX_ROWS", raising=False)
    s = Settings()
    assert {f.name: getattr(s, f.name) for f in dataclasses.fields(s)} == DOMAIN_DEFAULTS
    assert {n: spec.default for n, spec in SPECS.items()} == DOMAIN_DEFAULTS


def test_every_field_has_one_spec_with_texts_in_both_languages():
    assert list(SPECS) == [f.name for f in dataclasses.fields(Settings)]
    for s in SPECS.values():
        assert s.label and s.help and s.expected
        assert any("\u4e00" <= ch <= "\u9fff" for ch in s.zh + s.help_zh), s.name
        assert s.group in ("report", "load")
        assert isinstance(s.default, s.type)


def test_environment_sets_the_loading_limits(monkeypatch):
    monkeypatch.setenv("KA_MAX_FILE_MB", "20")
    monkeypatch.setenv("KA_MAX_ROWS", "1000")
    assert (Settings().max_file_mb, Settings().max_rows) == (20.0, 1000)
    monkeypatch.setenv("KA_MAX_ROWS", "lots")
    with pytest.raises(KaError, match="KA_MAX_ROWS='lots': expected a whole number"):
        Settings()


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"a_cut": 1.5}, "--a-cut 1.5: expected a fraction between 0 and 1, e.g. 0.8"),
        ({"a_cut": 0.9, "b_cut": 0.85}, "--b-cut 0.85: expected a fraction between the A cut (0.9) and 1"),
        ({"fsi_threshold": 0}, "--fsi-threshold 0: expected a number > 0, e.g. 100"),
        ({"level": "city"}, "--level city: expected region or national"),
        ({"baseline_weeks": 0}, "--baseline-weeks 0: expected 1 to 104 weeks"),
        ({"post_weeks": 53}, "--post-weeks 53: expected 0 to 52 weeks"),
        ({"currency": "dollars"}, "--currency dollars: expected a currency symbol of at most 5 characters"),
        ({"max_rows": 0}, "--max-rows 0: expected a whole number > 0"),
        ({"a_cut": "high"}, "--a-cut high: expected a fraction between 0 and 1"),
    ],
)
def test_validation_names_the_flag_the_value_and_what_is_expected(kw, message):
    with pytest.raises(KaError, match=re.escape(message)):
        Settings(**kw)


def test_currency_changes_no_number():
    assert Settings(currency="$").params() == Settings().params()
    assert SPECS["currency"].display_only and not any(s.display_only for n, s in SPECS.items() if n != "currency")


def test_from_mapping_takes_loose_values_and_defaults():
    s = Settings.from_mapping({"a_cut": "0.7", "baseline_weeks": 6.0, "level": None, "chains": ["x"], "currency": "$"})
    assert s == dataclasses.replace(Settings(), a_cut=0.7, baseline_weeks=6, currency="$")
    assert Settings.from_mapping({}) == Settings()
    assert Settings.from_mapping(argparse.Namespace(post_weeks=2, name="pareto")).post_weeks == 2
    with pytest.raises(KaError, match=re.escape("--baseline-weeks 6.5: expected a whole number")):
        Settings.from_mapping({"baseline_weeks": 6.5})
    with pytest.raises(KaError, match="--fsi-threshold lots: expected a number"):
        Settings.from_mapping({"fsi_threshold": "lots"})


def test_command_line_flags_come_from_the_spec():
    parser = cli._parser()
    args = parser.parse_args(["report", "pareto"])
    assert Settings.from_mapping(args) == Settings()
    flags = [
        f"{s.cli}={'national' if s.choices else '2' if s.type is int else '0.9' if s.type is float else '€'}"
        for s in SPECS.values()
        if s.group == "report"
    ]
    args = parser.parse_args(["report", "pareto", *flags])
    s = Settings.from_mapping(args)
    assert (s.a_cut, s.b_cut, s.level, s.baseline_weeks, s.currency) == (0.9, 0.9, "national", 2, "€")
    load = parser.parse_args(["load", "sales", "x.csv", "--max-rows", "7", "--max-file-mb", "1.5"])
    assert (Settings.from_mapping(load).max_rows, Settings.from_mapping(load).max_file_mb) == (7, 1.5)
    source = Path(cli.__file__).read_text(encoding="utf-8")
    assert "0.80" not in source and "0.95" not in source and "default=8" not in source


def test_what_a_sidebar_needs():
    widgets = {n: s.widget for n, s in SPECS.items()}
    assert widgets == {
        "a_cut": "slider",
        "b_cut": "slider",
        "fsi_threshold": "slider",
        "level": "radio",
        "baseline_weeks": "slider",
        "post_weeks": "slider",
        "currency": "text",
        "max_file_mb": None,
        "max_rows": None,
    }
    for s in SPECS.values():
        if s.widget == "slider":
            a = s.slider_args("en")
            values = [a["min_value"], a["max_value"], a["value"], a["step"]]
            assert {type(v) for v in values} == {s.type}, s.name  # Streamlit refuses mixed types
            assert a["min_value"] <= a["value"] <= a["max_value"]
            assert s.problem(a["min_value"], {"a_cut": 0}) is None and s.problem(a["max_value"], {"a_cut": 0}) is None
    a = SPECS["a_cut"]
    assert a.slider_args("zh")["label"] == "A类累计占比" == i18n.t("a_cut", "zh")
    assert a.help_in("en").endswith("(--a-cut, default 0.80)")
    assert a.help_in("zh").endswith("（命令行 --a-cut，默认 0.80）")
    assert SPECS["level"].choice_label("national", "zh") == "全国" == i18n.t("national", "zh")
