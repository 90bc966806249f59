"""The placebo-week interval on simulated promotions of known effect (domain.md, "Effects with confidence").

Seasonal, noisy weekly sales (a swing of ±30% over the year, a chain-wide move each week, ±20%
noise per store and week); promotions on one store and SKU, 1-3 weeks, half with no effect and
half with a true lift of 10-60%. What counts: the 90% intervals hold the true lift in 85-95% of
promotions, and promotions without effect come out significant in at most 10%.

Tolerance for the number simulated: with N promotions the share is a binomial estimate with a
standard error of sqrt(p (1 - p) / N); at N = 360 that is 1.6 points for p = 0.90, so 85-95% is
about ±3 standard errors. Of the N0 = 180 without effect, the share significant may exceed 10% by
2 standard errors (2 x 2.2 points) before the test fails. The figures are in README.md.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ka_core import reports
from ka_core.db import connect, rebuild_weekly

WEEKS = 90
CHAINS, REGIONS, STORES_PER = 2, 2, 15  # 60 stores
SKUS = 6
SEED = 20261128


def simulate(seed: int = SEED) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    rng = np.random.default_rng(seed)
    w0 = dt.date(2024, 1, 1)
    weeks = np.array([w0 + dt.timedelta(weeks=i) for i in range(WEEKS)])
    stores = pd.DataFrame(
        [
            (f"S{c}{r}{i:02d}", f"S{c}{r}{i:02d}", f"Chain{c}", f"Region{r}", None, None, None)
            for c in range(CHAINS)
            for r in range(REGIONS)
            for i in range(STORES_PER)
        ],
        columns=["store_id", "store_name", "chain", "region", "city", "format", "ka_manager"],
    )
    products = pd.DataFrame(
        [(f"K{k}", "Ours", "Food", True, None, None, 1.0) for k in range(SKUS)],
        columns=["sku", "brand", "category", "is_own", "sku_name", "manufacturer", "unit_cost"],
    )
    n_s = len(stores)
    season = 1 + 0.3 * np.sin(2 * np.pi * np.arange(WEEKS) / 52)  # the swing that fools the naive lift
    chain_idx = np.repeat(np.arange(CHAINS), REGIONS * STORES_PER)
    chain_move = np.exp(rng.normal(0, 0.08, (CHAINS, SKUS, WEEKS)))  # chain-wide price moves
    size = rng.uniform(5, 50, (n_s, SKUS))
    units = (
        size[:, :, None]
        * season[None, None, :]
        * chain_move[chain_idx]
        * np.exp(rng.normal(0, 0.2, (n_s, SKUS, WEEKS)))
    )

    # One promotion per (store, SKU): a random start in weeks 10..80, 1-3 weeks, half without effect.
    promos, truth = [], []
    for s in range(n_s):
        for k in range(SKUS):
            start = int(rng.integers(10, 80))
            length = int(rng.integers(1, 4))
            lift = 0.0 if rng.random() < 0.5 else float(rng.uniform(0.1, 0.6))
            units[s, k, start : start + length] *= 1 + lift
            pid = f"P{s:02d}{k}"
            end = weeks[start + length - 1] + dt.timedelta(days=4)
            promos.append(
                (
                    pid,
                    stores["chain"][s],
                    "DM",
                    weeks[start],
                    end,
                    stores["store_id"][s],
                    f"K{k}",
                    None,
                    None,
                    100.0,
                    None,
                )
            )
            truth.append((pid, lift * 100))
    units = np.round(units, 1)
    s_i, k_i, w_i = np.meshgrid(np.arange(n_s), np.arange(SKUS), np.arange(WEEKS), indexing="ij")
    sales = pd.DataFrame(
        {
            "week": weeks[w_i.ravel()],
            "store_id": stores["store_id"].to_numpy()[s_i.ravel()],
            "sku": [f"K{k}" for k in k_i.ravel()],
            "units": units.ravel(),
            "revenue": units.ravel() * 3.0,
        }
    )
    promotions = pd.DataFrame(
        promos,
        columns=[
            "promo_id", "chain", "mechanic", "start_date", "end_date", "store_id", "sku", "brand",
            "promo_price", "cost", "retailer_target_units",
        ],
    )  # fmt: skip
    tables = {"stores": stores, "products": products, "sales": sales, "promotions": promotions}
    return tables, pd.DataFrame(truth, columns=["promo_id", "true_lift_pct"])


def measure(tmp_path, seed: int = SEED) -> dict[str, float]:
    tables, truth = simulate(seed)
    con = connect(tmp_path / "simulation.duckdb")
    for name, df in tables.items():
        con.register("rows_in", df)
        con.execute(f"INSERT INTO {name} ({', '.join(df.columns)}) SELECT * FROM rows_in")
        con.unregister("rows_in")
    rebuild_weekly(con)
    s = reports.run(con, "promo-summary").merge(truth, on="promo_id")
    lift = reports.run(con, "promo-lift")
    con.close()
    with_interval = s[s["lift_low"].notna()]
    held = (with_interval["lift_low"] <= with_interval["true_lift_pct"]) & (
        with_interval["true_lift_pct"] <= with_interval["lift_high"]
    )
    null = with_interval[with_interval["true_lift_pct"] == 0]
    naive = lift.merge(truth, on="promo_id")
    return {
        "promotions": len(s),
        "with_interval": len(with_interval),
        "coverage": float(held.mean()),
        "zero_effect": len(null),
        "false_positive": float(null["significant"].astype(bool).mean()),
        "bias_vs_control": float((s["lift_vs_control_pct"] - s["true_lift_pct"]).mean()),
        "abs_error_vs_control": float((s["lift_vs_control_pct"] - s["true_lift_pct"]).abs().mean()),
        "abs_error_naive": float((naive["lift_pct"] - naive["true_lift_pct"]).abs().mean()),
    }


def test_placebo_interval_holds_the_true_lift(tmp_path):
    m = measure(tmp_path)
    print(m)
    assert m["with_interval"] >= 0.95 * m["promotions"]  # starts in weeks 10..80 leave >= 19 moves
    assert 0.85 <= m["coverage"] <= 0.95
    n0 = m["zero_effect"]
    assert m["false_positive"] <= 0.10 + 2 * np.sqrt(0.1 * 0.9 / n0)
    # The control stores take out the season and the chain-wide moves the naive lift reads as effect.
    assert m["abs_error_vs_control"] < m["abs_error_naive"]


@pytest.mark.parametrize("seed", [1])
def test_simulation_is_deterministic(tmp_path, seed):
    a, _ = simulate(seed)
    b, _ = simulate(seed)
    pd.testing.assert_frame_equal(a["sales"], b["sales"])
