"""Every number and date format, defined once: on screen, in charts and in the command line's table.

Rules are keyed by the metric format kinds of ka_core.metrics (MONEY, SHARE,
INDEX, PCT, COUNT, NUMBER, DATE, BOOL, TEXT), in English ("en") and Chinese
("zh"; any other language reads as English). Money carries the symbol of the
`currency` setting (ka_core.settings; None means its default, "¥"): a display
setting, it changes how money reads and never a number. Missing values (None,
NaN, NA, NaT) read as MISSING, "—" (an empty cell in the command line's table).

Text
    value(kind, v, lang, currency)   a value of a kind as the screen shows it
    metric(name, v, lang, currency)  the same by metric name (ka_core.metrics)
    money(v, lang, currency)         KPI cards: ¥1,234 · ¥1.23M; zh ¥99,999 · ¥12.3万 · ¥1.23亿
    money_full(v, lang, currency)    every unit: ¥1,234,567
    money_short(v, lang, currency)   chart labels and ticks: ¥172K · ¥1.39M; zh ¥9,999 · ¥1万 · ¥1.2亿
    pct(v, lang, digits=1)           a share 0–1 as a percentage: 22.2%
    signed_pct(v, lang, digits=1)    a ×100 percentage (lift, dip): +125.0%
    points(v, lang)                  a change of a share, in percentage points: +2.5 pp · +2.5个百分点
    index(v, lang)                   fair-share index: 103
    count(v, lang), number(v, lang, digits=1)
    change(kind, v, lang)            a KPI's change for st.metric (RELATIVE, POINTS, DIFFERENCE);
                                     None when there is nothing to compare with
    date(v, lang), date_range(first, last, lang)
    plain(kind, v, currency)         a cell of `python -m ka_core report --format table`

Tables (Streamlit)
    SCREEN_SCALE, SCREEN_ROUND       what a kind is multiplied by and rounded to on screen
    screen_frame(df, lang)           a report's numbers as a table shows them (downloads keep every digit)
    PRINTF                           the NumberColumn format of a kind, for screen_frame's values

Charts (plotly)
    hover(kind, ref, lang, currency, digits)   a hovertemplate field: hover(SHARE, "y") == "%{y:.1%}"
    AXIS, date_tick(lang)            tick formats per kind, and of dates per language
    money_ticks(hi, lang, currency), money_log_ticks(lo, hi, lang, currency) -> (tickvals, ticktext)
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from .metrics import BOOL, COUNT, DATE, INDEX, METRICS, MONEY, NUMBER, PCT, SHARE, TEXT
from .settings import SPECS

MISSING = "—"

# Kinds of change for `change` (ka_core.views.KPI_CHANGE names one per KPI).
RELATIVE = "relative"  # (a − b) / b, shown as a signed percentage
POINTS = "points"  # a share's a − b, shown in percentage points
DIFFERENCE = "difference"  # a − b in the figure's own units


def default_currency() -> str:
    """The `currency` setting's default (domain.md: ¥)."""
    return SPECS["currency"].default


def _cur(currency: str | None) -> str:
    return default_currency() if currency is None else currency


def _zh(lang: str) -> bool:
    return lang == "zh"


def missing(v) -> bool:
    """None, NaN, pd.NA and NaT: a value that is not there."""
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):  # not a scalar
        return False


def _num(x: float, spec: str) -> str:
    """format(x, spec), without the sign of a value that rounds to zero (−0.0% reads as 0.0%)."""
    s = format(x, spec)
    if math.isfinite(x) and not any(ch in "123456789" for ch in s):
        s = format(0.0, spec)
    return s


def _money_sign(text: str, currency: str) -> str:
    """The currency after the minus sign: -¥1,234."""
    return f"-{currency}{text[1:]}" if text.startswith("-") else f"{currency}{text}"


def _sig(x: float) -> str:
    """About three significant digits, never scientific: 1,020 · 172 · 36.1 · 1.39."""
    a = abs(x)
    s = f"{x:,.0f}" if a >= 100 else f"{x:.1f}" if a >= 10 else f"{x:.2f}"
    return s.rstrip("0").rstrip(".") if "." in s else s


# Units of money, ascending: (from, divided by, unit, format spec; None: about three significant digits).
_MONEY_STEPS = {
    "en": ((0, 1, "", ",.0f"), (1e6, 1e6, "M", ",.2f")),
    "zh": ((0, 1, "", ",.0f"), (1e5, 1e4, "万", ",.1f"), (1e7, 1e4, "万", ",.0f"), (1e8, 1e8, "亿", ",.2f")),
}
_SHORT_STEPS = {
    "en": ((0, 1, "", ",.0f"), (1e3, 1e3, "K", None), (1e6, 1e6, "M", None), (1e9, 1e9, "B", None)),
    "zh": ((0, 1, "", ",.0f"), (1e4, 1e4, "万", None), (1e8, 1e8, "亿", None)),
}


def _scaled(v: float, steps) -> str:
    """v in the largest unit it reaches; one unit up when rounding reaches the next (999,999.7 → 1.00M)."""
    a = abs(v)

    def show(i: int) -> str:
        _, size, _, spec = steps[i]
        return _sig(a / size) if spec is None else format(a / size, spec)

    i = max(k for k, step in enumerate(steps) if a >= step[0])
    text = show(i)
    if i + 1 < len(steps) and float(text.replace(",", "")) * steps[i][1] >= steps[i + 1][0]:
        i += 1
        text = show(i)
    negative = v < 0 and any(ch in "123456789" for ch in text)
    return ("-" if negative else "") + text + steps[i][2]


def money(v, lang: str = "en", currency: str | None = None) -> str:
    """Money on a KPI card: whole units, M from a million; in Chinese 万 from 100,000, 亿 from 10⁸."""
    if missing(v):
        return MISSING
    return _money_sign(_scaled(float(v), _MONEY_STEPS["zh" if _zh(lang) else "en"]), _cur(currency))


def money_full(v, lang: str = "en", currency: str | None = None) -> str:
    """Money to the unit with thousands separators, in both languages: ¥1,234,567."""
    if missing(v):
        return MISSING
    return _money_sign(_num(float(v), ",.0f"), _cur(currency))


def money_short(v, lang: str = "en", currency: str | None = None) -> str:
    """Money in a chart label or tick: ¥172K, ¥1.39M, ¥2.1B; in Chinese ¥17.2万, ¥1.2亿."""
    if missing(v):
        return MISSING
    return _money_sign(_scaled(float(v), _SHORT_STEPS["zh" if _zh(lang) else "en"]), _cur(currency))


def pct(v, lang: str = "en", digits: int = 1) -> str:
    """A share (fraction 0–1) as a percentage: 0.2222 → 22.2%."""
    return MISSING if missing(v) else _num(float(v) * 100, f".{digits}f") + "%"


def signed_pct(v, lang: str = "en", digits: int = 1) -> str:
    """A percentage already ×100 (lift, post-promotion dip), with its sign: 125 → +125.0%."""
    return MISSING if missing(v) else _num(float(v), f"+.{digits}f") + "%"


def points(v, lang: str = "en") -> str:
    """A change of a share (fractions) in percentage points, short enough for a KPI card: +2.5 pp, +12 pp."""
    if missing(v):
        return MISSING
    p = float(v) * 100
    num = _num(p, "+.0f") if abs(round(p, 1)) >= 10 else _num(p, "+.1f")
    return f"{num}个百分点" if _zh(lang) else f"{num} pp"


def index(v, lang: str = "en") -> str:
    """The fair-share index, whole: 103.1 → 103."""
    return MISSING if missing(v) else _num(float(v), ".0f")


def count(v, lang: str = "en") -> str:
    return MISSING if missing(v) else f"{round(float(v)):,}"


def number(v, lang: str = "en", digits: int = 1) -> str:
    return MISSING if missing(v) else _num(float(v), f",.{digits}f")


def change(kind: str, v, lang: str = "en") -> str | None:
    """A KPI's change as st.metric shows it: RELATIVE +5.0%, POINTS +2.5 pp, DIFFERENCE +3 (None: no comparison)."""
    if missing(v):
        return None
    if kind == RELATIVE:
        return _num(float(v) * 100, "+.1f") + "%"
    if kind == POINTS:
        return points(v, lang)
    return _num(float(v), "+,.0f")


def _as_date(v) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return pd.Timestamp(v).date()


def date(v, lang: str = "en") -> str:
    """A day: 2025-03-24; in Chinese 2025年3月24日."""
    if missing(v):
        return MISSING
    d = _as_date(v)
    return f"{d.year}年{d.month}月{d.day}日" if _zh(lang) else d.isoformat()


def date_range(first, last, lang: str = "en") -> str:
    """A short date range (03-03 – 03-30; 2025年3月3日 – 2025年3月30日), one date when both ends are one day."""
    if missing(first):
        return MISSING
    if missing(last) or _as_date(first) == _as_date(last):
        return date(first, lang)
    a, b = _as_date(first), _as_date(last)
    return f"{date(a, lang)} – {date(b, lang)}" if _zh(lang) else f"{a:%m-%d} – {b:%m-%d}"


def boolean(v, lang: str = "en") -> str:
    if missing(v):
        return MISSING
    return ("是" if v else "否") if _zh(lang) else ("yes" if v else "no")


def value(kind: str, v, lang: str = "en", currency: str | None = None) -> str:
    """A value of a metric format kind as the screen shows it."""
    if kind == MONEY:
        return money(v, lang, currency)
    if kind == SHARE:
        return pct(v, lang)
    if kind == INDEX:
        return index(v, lang)
    if kind == PCT:
        return signed_pct(v, lang)
    if kind == DATE:
        return date(v, lang)
    if kind == COUNT:
        return count(v, lang)
    if kind == NUMBER:
        return number(v, lang)
    if kind == BOOL:
        return boolean(v, lang)
    return MISSING if missing(v) else str(v)


def kind_of(name: str) -> str:
    """The format kind of a column: its metric's, else TEXT."""
    m = METRICS.get(name)
    return m.fmt if m is not None else TEXT


def metric(name: str, v, lang: str = "en", currency: str | None = None) -> str:
    """A metric's value (by its name in ka_core.metrics) as the screen shows it. Text is not translated."""
    return value(kind_of(name), v, lang, currency)


def plain(kind: str, v, currency: str | None = None) -> str:
    """A cell of the command line's text table: every unit of money, shares as %, other numbers to 0.1."""
    if missing(v):
        return ""
    if kind == MONEY:
        return money_full(v, "en", currency)
    if kind == SHARE:
        return _num(float(v) * 100, ".1f") + "%"
    if kind in (INDEX, PCT, NUMBER):
        return _num(float(v), ",.1f")
    if kind == COUNT:
        return f"{int(v):,}"
    if kind == BOOL:
        return "yes" if v else "no"
    return str(v)


# Tables on screen -------------------------------------------------------------------------

# A kind's numbers are multiplied by SCREEN_SCALE (default 1), then rounded to SCREEN_ROUND
# decimals, so that every column reads alike; kinds not listed are left as they are.
SCREEN_SCALE = {SHARE: 100}
SCREEN_ROUND = {MONEY: 0, SHARE: 1, NUMBER: 1, PCT: 1}

# Streamlit NumberColumn formats of the values screen_frame leaves (shares are ×100 there).
PRINTF = {
    MONEY: "localized",
    SHARE: "%.1f%%",
    INDEX: "%.0f",
    PCT: "%+.1f%%",
    NUMBER: "localized",
    COUNT: "localized",
}


def screen_frame(df: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """A copy of a report with its metric columns as a table shows them: money whole, shares in % to 0.1.

    Only numbers change (not headers or text); the rule is the same in both languages.
    """
    out = df.copy()
    for c in out.columns:
        kind = kind_of(c)
        if kind not in SCREEN_ROUND or not pd.api.types.is_numeric_dtype(out[c]) or pd.api.types.is_bool_dtype(out[c]):
            continue
        out[c] = (out[c] * SCREEN_SCALE.get(kind, 1)).round(SCREEN_ROUND[kind])
    return out


# Charts --------------------------------------------------------------------------------------

# d3-format pieces per kind (plotly): flags, decimals, type.
_D3 = {
    MONEY: (",", 0, "f"),
    SHARE: ("", 1, "%"),
    INDEX: ("", 0, "f"),
    PCT: ("+", 1, "f"),
    COUNT: (",", 0, "f"),
    NUMBER: (",", 1, "f"),
}
AXIS = {SHARE: ".0%", COUNT: ",d"}  # plotly tickformat
DATE_TICK = {"en": "%b %-d", "zh": "%-m月%-d日"}  # plotly date ticks: Mar 24 · 3月24日
DATE_HOVER = {"en": "%Y-%m-%d", "zh": "%Y年%-m月%-d日"}  # as `date` writes a day


# How plotly writes the numbers of an axis without ticktext or a tickformat of its own: in English its
# SI suffixes (80k, 1.2M); in Chinese no k or M, which readers take for neither 千 nor 万: all the digits
# with thousands separators (80,000). Money axes carry 万/亿 ticktext of their own (money_ticks).
AXIS_NUMBERS = {"en": {}, "zh": {"exponentformat": "none", "separatethousands": True}}


def axis_numbers(lang: str = "en") -> dict:
    """The plotly axis properties that write an axis's plain numbers in a language (AXIS_NUMBERS)."""
    return dict(AXIS_NUMBERS["zh" if _zh(lang) else "en"])


def date_tick(lang: str = "en") -> str:
    """The plotly tickformat of a date axis in a language."""
    return DATE_TICK["zh" if _zh(lang) else "en"]


def hover(kind: str, ref: str, lang: str = "en", currency: str | None = None, digits: int | None = None) -> str:
    """One field of a plotly hovertemplate: hover(SHARE, "y") == "%{y:.1%}", hover(MONEY, "x") == "¥%{x:,.0f}".

    `ref` is what plotly substitutes (x, y, customdata[2]); `digits` overrides the kind's decimals.
    Money is for values ≥ 0 (a negative one would read ¥-5): pass money_full texts through customdata.
    """
    if kind == DATE:
        return f"%{{{ref}|{DATE_HOVER['zh' if _zh(lang) else 'en']}}}"
    flags, d, typ = _D3.get(kind, ("", None, ""))
    spec = f"{flags}.{d if digits is None else digits}{typ}" if d is not None else ""
    field = f"%{{{ref}:{spec}}}" if spec else f"%{{{ref}}}"
    if kind == MONEY:
        return _cur(currency) + field
    if kind == PCT:
        return field + "%"
    return field


def money_ticks(
    hi: float, lang: str = "en", currency: str | None = None, lo: float = 0.0
) -> tuple[list[float], list[str]]:
    """Ticks of a linear money axis from 0 (or from lo < 0: a loss) to about hi, in round steps
    (1, 2, 2.5, 5 × 10ⁿ), as money_short (-¥2万, 0, ¥2万)."""
    lo = min(lo or 0.0, 0.0)
    span = (hi or 0.0) - lo
    if not span or span <= 0 or math.isnan(span):
        return [], []
    raw = span / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    ticks = [i * step for i in range(math.floor(lo / step), int(max(hi, 0) // step) + 2)]
    return ticks, [money_short(v, lang, currency) if v else "0" for v in ticks]


def log_ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks covering [lo, hi] on a log axis."""
    out = []
    for e in range(math.floor(math.log10(max(lo, 1))), math.ceil(math.log10(max(hi, 1))) + 1):
        out += [m * 10**e for m in (1, 2, 5) if lo / 1.5 <= m * 10**e <= hi * 1.5]
    return out


def money_log_ticks(
    lo: float, hi: float, lang: str = "en", currency: str | None = None
) -> tuple[list[float], list[str]]:
    """Ticks of a log money axis over [lo, hi], as money_short."""
    ticks = log_ticks(lo, hi)
    return ticks, [money_short(v, lang, currency) for v in ticks]
