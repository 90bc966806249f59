"""Filters (what to look at) and Settings (how numbers are computed and shown), each defined once.

Every setting is declared once, in SPECS: its name, default, type, what a
valid value is, the command-line flag, the environment variable where there
is one, label and help in English and Chinese, and how the dashboard draws it.
The `Settings` dataclass takes its defaults and its validation from there,
`python -m ka_core` builds its flags from there, and the README's settings
table is `readme_table()` (a test compares them).

    Settings()                          every default (env KA_MAX_FILE_MB / KA_MAX_ROWS read then)
    Settings.from_mapping(values)       from loose values: st.session_state, vars(argparse namespace),
                                        a dict; a missing or None value takes its default; "0.8" → 0.8;
                                        KaError naming the flag, the value and what is expected
    Settings.from_mapping(values, "zh") the same, the message in Chinese (the setting's label too)
    Settings.lenient(values, lang)      for the dashboard: (settings with each bad value at its default,
                                        a message per bad value naming its label, value, range, default)

A dashboard draws every setting from its spec:

    for spec in settings.SPECS.values():
        if spec.widget == "slider":      # a_cut, b_cut, fsi_threshold, baseline_weeks, post_weeks
            st.slider(**spec.slider_args(lang), key=spec.name)
        elif spec.widget == "radio":     # level
            st.radio(spec.label_in(lang), spec.choices, key=spec.name, horizontal=True,
                     format_func=lambda v, s=spec: s.choice_label(v, lang), help=spec.help_in(lang))
        elif spec.widget == "text":      # currency
            st.text_input(spec.label_in(lang), spec.default, key=spec.name, help=spec.help_in(lang))
    settings = Settings.from_mapping(st.session_state)

`spec.widget` is None for the loading limits (the dashboard sets its own).
`spec.min`, `spec.max`, `spec.step` are the slider's range (narrower than what
is valid), `spec.choices` a radio's values; `label_in(lang)` and
`help_in(lang)` ("…(--a-cut, default 0.80)") are the texts. `display_only`
marks `currency`: it changes how money reads (ka_core.fmt), never a number,
so it is not among `params()`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .access import LOCAL, NOBODY, Scope
from .errors import KaError


@dataclass(frozen=True)
class Filters:
    """The scope of a report. Empty tuples mean "all"."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    chains: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # Who sees what (ka_core/access.py): the stores of the user; LOCAL without login.
    # Every report binds it (sql/access.sql); None binds NOBODY: no store.
    scope: Scope | None = LOCAL

    def params(self) -> dict:
        """Bound parameters shared by every report query (see sql/scope.sql).

        The lists bind as list parameters; an empty list selects everything:
        `(cardinality($chains) = 0 OR array_contains($chains, chain))`.
        """
        return {
            "date_from": self.date_from,
            "date_to": self.date_to,
            "chains": list(self.chains),
            "regions": list(self.regions),
            "categories": list(self.categories),
        } | (self.scope or NOBODY).params()

    def describe(self) -> str:
        """Human-readable text of the scope, for titles and exports."""
        parts = []
        if self.date_from or self.date_to:
            parts.append(f"{self.date_from or '…'} – {self.date_to or '…'}")
        for label, values in (
            ("chain", self.chains),
            ("region", self.regions),
            ("category", self.categories),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        return "; ".join(parts) or "all data"


@dataclass(frozen=True)
class Setting:
    """One setting, declared once (see the module docstring for how it is used)."""

    name: str
    default: Any
    type: type  # float, int or str
    label: str  # English label (the dashboard)
    zh: str  # Chinese label
    help: str  # English help: the dashboard's tooltip, `--help`, the README
    help_zh: str
    expected: str  # what a valid value is, for the error; formatted with every setting's value
    valid: Callable[[Any, Mapping[str, Any]], bool] | None  # (value, every setting's value) -> ok; None: one of choices
    group: str = "report"  # the command whose flag it is: report (and export) or load
    env: str | None = None  # environment variable overriding the default
    min: float | None = None  # the dashboard's slider
    max: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()  # the only values (a radio in the dashboard)
    choice_labels: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # value -> (English, Chinese)
    display_only: bool = False  # changes how numbers read, never a number
    expected_zh: str = ""  # `expected` in Chinese (the same {placeholders})

    @property
    def cli(self) -> str:
        """The command-line flag: --a-cut for a_cut."""
        return "--" + self.name.replace("_", "-")

    @property
    def widget(self) -> str | None:
        """How the dashboard draws it: slider, radio, text, or None (not in the sidebar)."""
        if self.choices:
            return "radio"
        if self.min is not None:
            return "slider"
        return "text" if self.type is str else None

    def default_value(self) -> Any:
        """The default now: the environment variable when set, else `default`."""
        raw = os.environ.get(self.env) if self.env else None
        if raw in (None, ""):
            return self.default
        try:
            return self.parse(raw)
        except ValueError:
            raise KaError(f"{self.env}={raw!r}: expected {self._expected_type()}") from None

    def default_text(self) -> str:
        """The default as the README and the help show it: 0.80, 100, 50,000,000, region."""
        v = self.default
        if self.type is float:
            if self.step is not None:
                decimals = len(f"{self.step:g}".partition(".")[2])
                return f"{v:,.{decimals}f}"
            return f"{v:,g}"
        if self.type is int:
            return f"{v:,}"
        return str(v)

    def parse(self, raw: Any) -> Any:
        """A loose value ("0.8", 8.0 from a slider, " region ") as this setting's type; ValueError if it is none."""
        if self.type is str:
            return str(raw).strip()
        if isinstance(raw, str):
            raw = raw.strip().replace(",", "")
        if isinstance(raw, bool):
            raise ValueError(raw)
        if self.type is int:
            number = float(raw)
            if not number.is_integer():
                raise ValueError(raw)
            return int(number)
        return float(raw)

    def _expected_type(self, lang: str = "en") -> str:
        from . import i18n

        key = {float: "setting_number", int: "setting_whole_number"}.get(self.type, "setting_text")
        return i18n.t(key, lang)

    def expected_in(self, lang: str) -> str:
        """What a valid value is, in `lang` (placeholders unformatted)."""
        return self.expected_zh if lang == "zh" and self.expected_zh else self.expected

    def refusal(self, value: Any, what: str, lang: str = "en", ui: bool = False) -> str:
        """The message for a refused value: the setting (the flag on the command line; its label in
        `lang` in the dashboard, with the default it falls back to), the value and what is expected."""
        from . import i18n

        if ui:
            return i18n.t(
                "setting_bad_ui", lang, name=self.label_in(lang), value=value, what=what, default=self.default_text()
            )
        name = f"{self.zh}（{self.cli}）" if lang == "zh" else self.cli
        return i18n.t("setting_bad", lang, name=name, value=value, what=what)

    def problem(self, v: Any, values: Mapping[str, Any], lang: str = "en", ui: bool = False) -> str | None:
        """Why v is not a valid value (naming the setting, the value and what is expected), or None."""
        try:
            ok = v in self.choices if self.valid is None else self.valid(v, values)
        except TypeError:  # a value of another type
            ok = False
        return None if ok else self.refusal(v, self.expected_in(lang).format(**values), lang, ui)

    def label_in(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.label

    def help_in(self, lang: str) -> str:
        """The help with the flag and the default, for a tooltip."""
        if lang == "zh":
            return f"{self.help_zh}（命令行 {self.cli}，默认 {self.default_text()}）"
        return f"{self.help} ({self.cli}, default {self.default_text()})"

    def choice_label(self, value: str, lang: str) -> str:
        en, zh = self.choice_labels.get(value, (value, value))
        return zh if lang == "zh" else en

    def slider_args(self, lang: str) -> dict:
        """Keyword arguments of st.slider (all of the setting's type, as Streamlit wants them)."""
        t = self.type
        return dict(
            label=self.label_in(lang),
            min_value=t(self.min),
            max_value=t(self.max),
            value=t(self.default),
            step=t(self.step or 1),
            help=self.help_in(lang),
        )


def _between(lo: float, hi: float) -> Callable[[Any, Mapping[str, Any]], bool]:
    return lambda v, _: lo <= v <= hi


SPECS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "a_cut",
            0.80,
            float,
            "A-class cut (cumulative share)",
            "A类累计占比",
            "Class A: stores (or chains) before this cumulative share.",
            "A类：累计占比在此之前的门店（或系统）。",
            "a fraction between 0 and 1, e.g. 0.8",
            lambda v, _: 0 < v < 1,
            min=0.50,
            max=0.95,
            step=0.05,
            expected_zh="介于 0 与 1 之间的比例，如 0.8",
        ),
        Setting(
            "b_cut",
            0.95,
            float,
            "B-class cut (cumulative share)",
            "B类累计占比",
            "Class B: before this cumulative share; the rest are C.",
            "B类：累计占比在此之前；其余为C类。",
            "a fraction between the A cut ({a_cut}) and 1",
            lambda v, s: 0 < v <= 1 and v >= s["a_cut"],
            min=0.80,
            max=0.99,
            step=0.01,
            expected_zh="A类累计占比（{a_cut}）到 1 之间的比例",
        ),
        Setting(
            "fsi_threshold",
            100.0,
            float,
            "Fair-share threshold (index)",
            "公平份额指数阈值",
            "Fair-share index below which a store is below fair share (Attack/Monitor).",
            "公平份额指数低于此值的门店低于公平份额（进攻/观察）。",
            "a number > 0, e.g. 100",
            lambda v, _: v > 0,
            min=50.0,
            max=150.0,
            step=5.0,
            expected_zh="大于 0 的数，如 100",
        ),
        Setting(
            "level",
            "region",
            str,
            "Market share level",
            "市场份额层级",
            "Market share per region, or national.",
            "市场份额按大区计算，或按全国计算。",
            "region or national",
            None,
            choices=("region", "national"),
            choice_labels={"region": ("Region", "大区"), "national": ("National", "全国")},
            expected_zh="region（大区）或 national（全国）",
        ),
        Setting(
            "baseline_weeks",
            8,
            int,
            "Baseline weeks",
            "基线周数",
            "Weeks before a promotion whose mean units are its baseline.",
            "促销前用于计算基线（平均周销量）的周数。",
            "1 to 104 weeks",
            _between(1, 104),
            min=2,
            max=26,
            step=1,
            expected_zh="介于 1 与 104 之间的周数",
        ),
        Setting(
            "post_weeks",
            4,
            int,
            "Post-promotion weeks",
            "促销后周数",
            "Weeks after a promotion checked for a post-promotion dip.",
            "促销后用于检查销量下滑的周数。",
            "0 to 52 weeks",
            _between(0, 52),
            min=1,
            max=12,
            step=1,
            expected_zh="介于 0 与 52 之间的周数",
        ),
        Setting(
            "currency",
            "¥",
            str,
            "Currency symbol",
            "货币符号",
            "Symbol shown with money; changes how money reads, never a number.",
            "金额显示的货币符号；只影响显示，不改变任何数字。",
            "a currency symbol of at most 5 characters, e.g. ¥ or $",
            lambda v, _: isinstance(v, str) and len(v) <= 5,
            display_only=True,
            expected_zh="不超过 5 个字符的货币符号，如 ¥ 或 $",
        ),
        Setting(
            "max_file_mb",
            500.0,
            float,
            "Largest file (MB)",
            "文件大小上限（MB）",
            "Largest file accepted for loading (MB).",
            "可加载的最大文件（MB）。",
            "a number of MB > 0",
            lambda v, _: v > 0,
            group="load",
            env="KA_MAX_FILE_MB",
            expected_zh="大于 0 的 MB 数",
        ),
        Setting(
            "max_rows",
            50_000_000,
            int,
            "Most rows in a file",
            "单个文件行数上限",
            "Most rows accepted in one file.",
            "单个文件可接受的最多行数。",
            "a whole number > 0",
            lambda v, _: v > 0,
            group="load",
            env="KA_MAX_ROWS",
            expected_zh="大于 0 的整数",
        ),
    )
}


def _default(name: str):
    """A dataclass default from the spec (read at construction when an environment variable may set it)."""
    s = SPECS[name]
    return field(default_factory=s.default_value) if s.env else s.default


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default and validation from SPECS (domain.md, "Settings and their defaults")."""

    a_cut: float = _default("a_cut")
    b_cut: float = _default("b_cut")
    fsi_threshold: float = _default("fsi_threshold")
    level: str = _default("level")
    baseline_weeks: int = _default("baseline_weeks")
    post_weeks: int = _default("post_weeks")
    currency: str = _default("currency")
    # Loading limits (not numbers on screen, but settings all the same).
    max_file_mb: float = _default("max_file_mb")
    max_rows: int = _default("max_rows")

    def __post_init__(self) -> None:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        problems = [p for s in SPECS.values() if (p := s.problem(values[s.name], values))]
        if problems:
            raise KaError("; ".join(problems))

    @classmethod
    def from_mapping(cls, values: Any, lang: str = "en") -> Settings:
        """Settings from loose values (a dict, st.session_state, an argparse namespace).

        Names not in SPECS are ignored; a missing or None value takes its default. A bad value:
        KaError naming each bad setting, its value and what is expected, in `lang`.
        """
        given, problems = cls._read(values, lang, ui=False)
        if problems:
            from . import i18n

            raise KaError(i18n.joined(problems, lang))
        return cls(**given)

    @classmethod
    def lenient(cls, values: Any, lang: str = "en") -> tuple[Settings, list[str]]:
        """For the dashboard: the settings with each bad value at its default, and a message for
        each bad value in `lang` (the setting's label, the value, what is expected, the default used)."""
        given, problems = cls._read(values, lang, ui=True)
        try:
            return cls(**given), problems
        except KaError:  # the good values together still break a rule between settings
            return cls(), problems

    @classmethod
    def _read(cls, values: Any, lang: str, ui: bool) -> tuple[dict, list[str]]:
        """The valid values given (by name) and the message for each bad one."""
        get = values.get if hasattr(values, "get") else lambda k, d=None: getattr(values, k, d)
        given, problems = {}, []
        for s in SPECS.values():
            raw = get(s.name, None)
            if raw is None:
                continue
            try:
                given[s.name] = s.parse(raw)
            except (TypeError, ValueError):
                problems.append(s.refusal(raw, s._expected_type(lang), lang, ui))
        merged = {s.name: s.default_value() for s in SPECS.values()} | given
        for s in SPECS.values():
            if s.name in given and (p := s.problem(given[s.name], merged, lang, ui)):
                problems.append(p)
                del given[s.name]
        return given, problems

    def params(self) -> dict:
        return {
            "a_cut": self.a_cut,
            "b_cut": self.b_cut,
            "fsi_threshold": self.fsi_threshold,
            "national": self.level == "national",
            "baseline_weeks": self.baseline_weeks,
            "post_weeks": self.post_weeks,
        }


assert list(SPECS) == [f.name for f in fields(Settings)], "every Settings field is declared once, in SPECS"


def readme_table() -> str:
    """The README's settings table (section "### Settings"), generated from SPECS."""
    lines = ["| setting | flag | default | meaning |", "|---|---|---|---|"]
    for s in SPECS.values():
        flag = f"`{s.cli}`" + (f" (env `{s.env}`)" if s.env else "")
        lines.append(f"| `{s.name}` | {flag} | {s.default_text()} | {s.help} |")
    return "\n".join(lines)
