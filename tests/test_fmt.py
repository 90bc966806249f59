"""ka_core.fmt, the one formatting module: hand-written expectations in both languages."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from ka_core import cli, fmt
from ka_core.metrics import BOOL, COUNT, DATE, INDEX, MONEY, NUMBER, PCT, SHARE, TEXT

NAN = float("nan")
MISSING = [None, NAN, pd.NA, pd.NaT]


@pytest.mark.parametrize(
    "v, en, zh",
    [
        (0, "¥0", "¥0"),
        (-0.4, "¥0", "¥0"),  # rounds to zero: no sign
        (1234, "¥1,234", "¥1,234"),
        (9_999, "¥9,999", "¥9,999"),
        (10_000, "¥10,000", "¥10,000"),  # 万 only from 100,000 on a KPI card
        (99_999.6, "¥100,000", "¥10.0万"),  # rounds up into the next unit
        (100_000, "¥100,000", "¥10.0万"),
        (1_234_567, "¥1.23M", "¥123.5万"),
        (9_999_960, "¥10.00M", "¥1,000万"),
        (12_345_678, "¥12.35M", "¥1,235万"),
        (99_999_999, "¥100.00M", "¥1.00亿"),
        (123_456_789, "¥123.46M", "¥1.23亿"),
        (999_999.7, "¥1.00M", "¥100.0万"),
        (-1_234_567, "-¥1.23M", "-¥123.5万"),
        (-5, "-¥5", "-¥5"),
    ],
)
def test_money(v, en, zh):
    assert fmt.money(v, "en") == en
    assert fmt.money(v, "zh") == zh


@pytest.mark.parametrize(
    "v, en, zh",
    [
        (0, "¥0", "¥0"),
        (950, "¥950", "¥950"),
        (999.6, "¥1K", "¥1,000"),
        (1_020, "¥1.02K", "¥1,020"),
        (9_999, "¥10K", "¥9,999"),
        (10_000, "¥10K", "¥1万"),
        (172_000, "¥172K", "¥17.2万"),
        (1_390_000, "¥1.39M", "¥139万"),
        (999_999.7, "¥1M", "¥100万"),
        (99_996_000, "¥100M", "¥1亿"),  # 9,999.6万 rounds to 1亿, not 10,000万
        (120_000_000, "¥120M", "¥1.2亿"),
        (2_100_000_000, "¥2.1B", "¥21亿"),
        (-172_000, "-¥172K", "-¥17.2万"),
    ],
)
def test_money_short(v, en, zh):
    assert fmt.money_short(v, "en") == en
    assert fmt.money_short(v, "zh") == zh


def test_money_full_and_currency():
    assert fmt.money_full(1_234_567.5, "en") == "¥1,234,568"
    assert fmt.money_full(1_234_567, "zh") == "¥1,234,567"
    assert fmt.money_full(-1_234.4, "en", "$") == "-$1,234"
    assert fmt.money_full(-0.2) == "¥0"
    assert fmt.money(1_234_567, "en", "€") == "€1.23M"
    assert fmt.money_short(17_200, "zh", "") == "1.72万"  # an empty symbol: the number alone
    assert fmt.default_currency() == "¥"


@pytest.mark.parametrize(
    "f",
    [
        fmt.money,
        fmt.money_full,
        fmt.money_short,
        fmt.pct,
        fmt.signed_pct,
        fmt.points,
        fmt.index,
        fmt.count,
        fmt.number,
        fmt.date,
        fmt.boolean,
    ],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_missing_reads_as_a_dash(f, lang):
    for v in MISSING:
        assert f(v, lang) == "—"


@pytest.mark.parametrize(
    "v, one, none",
    [
        (0, "0.0%", "0%"),
        (0.2222, "22.2%", "22%"),
        (0.24242, "24.2%", "24%"),
        (0.9995, "100.0%", "100%"),  # the rounding edge: 99.95 → 100.0
        (0.99949, "99.9%", "100%"),
        (1, "100.0%", "100%"),
        (1.5, "150.0%", "150%"),  # an ROI may exceed 100%
        (-0.35, "-35.0%", "-35%"),
        (-0.00001, "0.0%", "0%"),  # no "-0.0%"
    ],
)
def test_pct_of_a_share(v, one, none):
    for lang in ("en", "zh"):
        assert fmt.pct(v, lang) == one
        assert fmt.pct(v, lang, 0) == none


def test_signed_pct_of_a_x100_value():
    assert fmt.signed_pct(125) == "+125.0%"
    assert fmt.signed_pct(-16.6667, "zh") == "-16.7%"
    assert fmt.signed_pct(0) == "+0.0%"
    assert fmt.signed_pct(-0.01) == "+0.0%"
    assert fmt.signed_pct(125, "en", 0) == "+125%"


@pytest.mark.parametrize(
    "v, en, zh",
    [
        (0.025, "+2.5 pp", "+2.5个百分点"),
        (-0.025, "-2.5 pp", "-2.5个百分点"),
        (0.0996, "+10 pp", "+10个百分点"),  # 9.96 rounds to 10.0: whole points from 10 on
        (0.0994, "+9.9 pp", "+9.9个百分点"),
        (0.125, "+12 pp", "+12个百分点"),
        (0, "+0.0 pp", "+0.0个百分点"),
    ],
)
def test_points(v, en, zh):
    assert fmt.points(v, "en") == en
    assert fmt.points(v, "zh") == zh


def test_change_of_a_kpi():
    assert fmt.change(fmt.RELATIVE, 0.05, "en") == "+5.0%"
    assert fmt.change(fmt.RELATIVE, -0.123, "zh") == "-12.3%"
    assert fmt.change(fmt.POINTS, 0.025, "en") == "+2.5 pp"
    assert fmt.change(fmt.POINTS, 0.025, "zh") == "+2.5个百分点"
    assert fmt.change(fmt.DIFFERENCE, 3, "en") == "+3"
    assert fmt.change(fmt.DIFFERENCE, -1234.2, "zh") == "-1,234"
    assert fmt.change(fmt.DIFFERENCE, -0.3, "en") == "+0"
    for v in MISSING:
        assert fmt.change(fmt.RELATIVE, v, "en") is None  # st.metric shows no delta


def test_index_count_number():
    assert fmt.index(103.1) == "103" and fmt.index(91.7, "zh") == "92" and fmt.index(0) == "0"
    assert fmt.index(-0.4) == "0"
    assert fmt.count(1234) == "1,234" and fmt.count(0, "zh") == "0" and fmt.count(7.0) == "7"
    assert fmt.number(12) == "12.0" and fmt.number(1234.56, "zh") == "1,234.6" and fmt.number(-2.25, "en", 0) == "-2"


def test_dates():
    d = dt.date(2025, 3, 4)
    assert fmt.date(d, "en") == "2025-03-04"
    assert fmt.date(d, "zh") == "2025年3月4日"
    assert fmt.date(dt.datetime(2025, 3, 4, 18, 30), "zh") == "2025年3月4日"
    assert fmt.date(pd.Timestamp("2025-12-31"), "en") == "2025-12-31"
    assert fmt.date_range(d, dt.date(2025, 3, 30), "en") == "03-04 – 03-30"
    assert fmt.date_range(d, dt.date(2025, 3, 30), "zh") == "2025年3月4日 – 2025年3月30日"
    assert fmt.date_range(d, d, "en") == "2025-03-04"
    assert fmt.date_range(d, None, "zh") == "2025年3月4日"
    assert fmt.date_range(None, d, "en") == "—"


@pytest.mark.parametrize(
    "kind, v, en, zh",
    [
        (MONEY, 1_234_567, "¥1.23M", "¥123.5万"),
        (SHARE, 0.2222, "22.2%", "22.2%"),
        (INDEX, 103.1, "103", "103"),
        (PCT, 125, "+125.0%", "+125.0%"),
        (COUNT, 12, "12", "12"),
        (NUMBER, 6.25, "6.2", "6.2"),  # round half to even, as Python formats
        (DATE, dt.date(2025, 1, 6), "2025-01-06", "2025年1月6日"),
        (BOOL, True, "yes", "是"),
        (BOOL, False, "no", "否"),
        (TEXT, "Attack", "Attack", "Attack"),  # text is translated by i18n, not formatted
        (TEXT, None, "—", "—"),
    ],
)
def test_value_by_kind(kind, v, en, zh):
    assert fmt.value(kind, v, "en") == en
    assert fmt.value(kind, v, "zh") == zh


def test_metric_by_name():
    assert fmt.metric("customer_share", 100 / 450, "en") == "22.2%"
    assert fmt.metric("opportunity", 9.09, "zh", "$") == "$9"
    assert fmt.metric("lift_pct", -16.6667, "en") == "-16.7%"
    assert fmt.metric("store_name", "Store B", "zh") == "Store B"
    assert fmt.metric("not_a_metric", 3, "en") == "3"


@pytest.mark.parametrize(
    "kind, v, text",
    [
        (MONEY, 1_234_567.4, "¥1,234,567"),
        (MONEY, -0.3, "¥0"),
        (SHARE, 100 / 450, "22.2%"),
        (INDEX, 91.6667, "91.7"),
        (PCT, 125, "125.0"),
        (NUMBER, 1234.56, "1,234.6"),
        (COUNT, 1234, "1,234"),
        (BOOL, True, "yes"),
        (DATE, dt.date(2025, 1, 6), "2025-01-06"),
        (TEXT, "Store B", "Store B"),
        (MONEY, None, ""),
        (SHARE, NAN, ""),
    ],
)
def test_plain_is_the_command_line_table(kind, v, text):
    assert fmt.plain(kind, v) == text


def test_command_line_table_uses_plain_and_the_currency():
    df = pd.DataFrame(
        {"store_id": ["B"], "own_revenue": [100.0], "customer_share": [100 / 450], "fair_share_index": [91.6667]}
    )
    out = cli.format_table(df, "$").splitlines()
    assert out[0].split() == ["store_id", "own_revenue", "customer_share", "fair_share_index"]
    assert out[2].split() == ["B", "$100", "22.2%", "91.7"]
    assert cli.format_table(df).splitlines()[2].split()[1] == "¥100"


def test_screen_frame_rounds_per_kind():
    df = pd.DataFrame(
        {
            "store_id": ["A", "B"],
            "own_revenue": [300.4, 99.5],
            "customer_share": [0.25, 100 / 450],
            "fair_share_index": [103.125, 91.6667],
            "lift_pct": [125.04, None],
            "visits": [3, 0],
            "ka_by_own": [True, False],
            "something_else": [1.23456, 2.0],
        }
    )
    out = fmt.screen_frame(df, "zh")
    assert out["own_revenue"].tolist() == [300.0, 100.0]
    assert out["customer_share"].tolist() == [25.0, 22.2]
    assert out["fair_share_index"].tolist() == [103.125, 91.6667]  # NumberColumn "%.0f" shows it whole
    assert out["lift_pct"].iloc[0] == 125.0 and math.isnan(out["lift_pct"].iloc[1])
    assert out["visits"].tolist() == [3, 0] and out["ka_by_own"].tolist() == [True, False]
    assert out["something_else"].tolist() == [1.23456, 2.0]
    assert df["own_revenue"].tolist() == [300.4, 99.5]  # a copy
    assert fmt.PRINTF[SHARE] == "%.1f%%" and fmt.PRINTF[INDEX] == "%.0f" and fmt.PRINTF[PCT] == "%+.1f%%"
    assert fmt.PRINTF[MONEY] == "localized"
    assert set(fmt.SCREEN_ROUND) <= set(fmt.PRINTF)


def test_plotly_hovers_and_ticks():
    assert fmt.hover(SHARE, "y") == "%{y:.1%}"
    assert fmt.hover(SHARE, "customdata[2]", digits=0) == "%{customdata[2]:.0%}"
    assert fmt.hover(MONEY, "x") == "¥%{x:,.0f}"
    assert fmt.hover(MONEY, "x", "zh", "$") == "$%{x:,.0f}"
    assert fmt.hover(INDEX, "y") == "%{y:.0f}"
    assert fmt.hover(PCT, "y", digits=0) == "%{y:+.0f}%"
    assert fmt.hover(COUNT, "y") == "%{y:,.0f}"
    assert fmt.hover(DATE, "x", "en") == "%{x|%Y-%m-%d}"
    assert fmt.hover(DATE, "x", "zh") == "%{x|%Y年%-m月%-d日}"
    assert fmt.hover(TEXT, "x") == "%{x}"
    assert (fmt.date_tick("en"), fmt.date_tick("zh"), fmt.date_tick("fr")) == ("%b %-d", "%-m月%-d日", "%b %-d")
    assert fmt.AXIS[SHARE] == ".0%"
    assert fmt.money_ticks(1_000_000, "en") == (
        [0.0, 200_000.0, 400_000.0, 600_000.0, 800_000.0, 1_000_000.0, 1_200_000.0],
        ["0", "¥200K", "¥400K", "¥600K", "¥800K", "¥1M", "¥1.2M"],
    )
    assert fmt.money_ticks(1_234_567, "zh")[1] == ["0", "¥25万", "¥50万", "¥75万", "¥100万", "¥125万"]
    assert fmt.money_ticks(0) == ([], []) and fmt.money_ticks(NAN) == ([], [])
    assert fmt.log_ticks(3_000, 150_000) == [2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000]
    assert fmt.money_log_ticks(3_000, 12_000, "zh") == ([2_000, 5_000, 10_000], ["¥2,000", "¥5,000", "¥1万"])


def test_i18n_keeps_translations_only():
    from ka_core import i18n

    for gone in ("fmt", "_sig", "_missing"):
        assert not hasattr(i18n, gone)
    assert "date_tick" not in i18n.TEXT


def test_money_ticks_below_zero_read_as_money_in_both_languages():
    """A promotion that lost money: the axis runs from -¥20,000 in steps of (80,000 + 20,000) / 5."""
    ticks, zh = fmt.money_ticks(80_000, "zh", lo=-20_000)
    assert ticks == [-20_000, 0, 20_000, 40_000, 60_000, 80_000, 100_000]
    assert zh == ["-¥2万", "0", "¥2万", "¥4万", "¥6万", "¥8万", "¥10万"]
    assert fmt.money_ticks(80_000, "en", lo=-20_000)[1] == ["-¥20K", "0", "¥20K", "¥40K", "¥60K", "¥80K", "¥100K"]
    assert fmt.money_ticks(80_000, "zh", lo=-20_000)[0][0] <= -20_000 < 80_000 <= ticks[-1]
    assert fmt.money_ticks(80_000, "zh") == fmt.money_ticks(80_000, "zh", lo=0)  # from 0 as before
    assert fmt.money_ticks(0, "zh", lo=0) == ([], [])
