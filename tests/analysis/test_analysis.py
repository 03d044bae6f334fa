"""Tests of sim.analysis on synthetic outcome tables with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from factories import CAUSES, LAUNCH_PLANNED, make_outcomes
from scipy import stats

from sim import analysis
from sim.errors import CrewsimError


@pytest.fixture(scope="module")
def outcomes() -> pd.DataFrame:
    return make_outcomes(2000, seed=1)


@pytest.mark.parametrize("method", ["order", "bootstrap"])
def test_percentile_ci_covers_true_quantile_at_nominal_rate(method: str) -> None:
    """95 % intervals of the P80 of Exp(1) samples (n=200) cover -ln(0.2) in ~95 % of 200 seeds."""
    q, seeds, ci = 0.8, 200, 0.95
    truth = -math.log(1 - q)
    hits = 0
    for seed in range(seeds):
        x = np.random.default_rng(seed).exponential(1.0, 200)
        row = analysis.percentiles(
            pd.DataFrame({"x": x}), "x", qs=(q,), ci=ci, n_boot=500, seed=seed, method=method
        ).iloc[0]
        hits += row.ci_low <= truth <= row.ci_high
    se = math.sqrt(ci * (1 - ci) / seeds)
    assert abs(hits / seeds - ci) <= 4 * se


def test_percentiles_of_time_points_are_timestamps(outcomes: pd.DataFrame) -> None:
    p = analysis.percentiles(outcomes, "landing_actual_utc")
    assert str(p["value"].dtype).startswith("datetime64") and p["value"].dt.tz is not None
    hours = (outcomes["landing_actual_utc"] - outcomes["landing_planned_utc"]) / pd.Timedelta("1h")
    expected = outcomes["landing_planned_utc"].iloc[0] + pd.to_timedelta(
        np.quantile(hours, 0.8), unit="h"
    )
    got = p.set_index("label").loc["P80"]
    assert abs((got.value - expected) / pd.Timedelta("1s")) < 1
    assert got.ci_low <= got.value <= got.ci_high
    assert list(p["label"]) == ["P10", "P50", "P80", "P90"]


def test_percentiles_drop_missing_and_reject_unknown_column() -> None:
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, 2.0]})
    p = analysis.percentiles(df, "x", qs=(0.5,))
    assert p["value"].iloc[0] == 2.0 and p["n"].iloc[0] == 3
    with pytest.raises(CrewsimError, match="not in the outcome table"):
        analysis.percentiles(df, "y")


def test_wilson_interval_known_values() -> None:
    lo, hi = analysis.wilson(0, 10)
    assert lo == 0 and hi == pytest.approx(0.2775, abs=1e-4)
    lo, hi = analysis.wilson(50, 100)
    assert (lo, hi) == pytest.approx((0.4038, 0.5962), abs=1e-4)


def test_probability_forms_agree(outcomes: pd.DataFrame) -> None:
    a = analysis.p_on_time(outcomes)
    b = analysis.probability(outcomes, outcomes["landed_on_planned_day"])
    c = analysis.probability(outcomes, lambda d: d["landed_on_planned_day"])
    assert a == b == c
    p, low, high = a
    assert low < p < high and p == outcomes["landed_on_planned_day"].mean()


def test_p_within_counts_missing_as_not_within() -> None:
    df = pd.DataFrame({"delay_h": [0.0, 5.0, 30.0, np.nan]})
    assert analysis.p_within(df, "delay_h", 24).p == 0.5
    assert analysis.p_within(df, "delay_h", 24, na="drop").p == pytest.approx(2 / 3)


def test_p_within_a_date(outcomes: pd.DataFrame) -> None:
    p = analysis.p_within(outcomes, "landing_actual_utc", "2021-10-18T00:00:00Z")
    assert p.p == pytest.approx(outcomes["landed_on_planned_day"].mean())


def test_replications_for_precision_matches_normal_theory() -> None:
    x = np.random.default_rng(3).normal(0, 1, 20_000)
    plan = analysis.replications_for_precision(pd.DataFrame({"x": x}), "x", q=0.5, half_width=0.1)
    expected = 0.25 * stats.norm.ppf(0.975) ** 2 / (0.1 * stats.norm.pdf(0)) ** 2  # ~603
    assert plan.n_required == pytest.approx(expected, rel=0.1)
    hist = analysis.replications_for_precision(
        pd.DataFrame({"x": x}), "x", q=0.5, half_width=0.1, method="histogram"
    )
    assert hist.n_required == pytest.approx(expected, rel=0.1)


def test_convergence_ends_at_full_sample(outcomes: pd.DataFrame) -> None:
    conv = analysis.convergence(outcomes, "landing_delay_h", points=20)
    assert conv["n"].iloc[-1] == len(outcomes) and conv["n"].is_monotonic_increasing
    last = conv.iloc[-1]
    full = analysis.percentiles(outcomes, "landing_delay_h", qs=(0.5, 0.8)).set_index("label")
    assert last["P80"] == pytest.approx(full.loc["P80", "value"])
    assert last["p"] == pytest.approx(outcomes["landed_on_planned_day"].mean())
    assert (conv["p_low"] <= conv["p"]).all() and (conv["P80_low"] <= conv["P80"]).all()


def test_tornado_ranks_the_driver_first() -> None:
    rng = np.random.default_rng(5)
    n = 3000
    df = pd.DataFrame(
        {
            "in.a": rng.normal(size=n),
            "in.b": rng.normal(size=n),
            "in.fixed": np.ones(n),
        }
    )
    df["landing_delay_h"] = 3 * df["in.a"] - 0.5 * df["in.b"] + rng.normal(size=n)
    t = analysis.tornado(df)
    assert list(t["input"]) == ["in.a", "in.b"]  # the constant input is left out
    assert t["rho"].iloc[0] > 0.9 and t["rho"].iloc[1] < 0
    assert ((t["ci_low"] < t["rho"]) & (t["rho"] < t["ci_high"])).all()
    rho = stats.spearmanr(df["in.b"], df["landing_delay_h"]).statistic
    assert t["rho"].iloc[1] == pytest.approx(rho)


def test_criticality_and_never_firing_cause(outcomes: pd.DataFrame) -> None:
    c = analysis.criticality(outcomes).set_index("cause")
    assert set(c.index) == set(CAUSES)
    assert c.loc["life_limit", "criticality"] == 0
    assert c.loc["weather", "criticality"] == pytest.approx(
        (outcomes["delay.weather_h"] > 0).mean()
    )


def test_attribution_shares_add_up(outcomes: pd.DataFrame) -> None:
    a = analysis.attribution(outcomes).set_index("cause")
    assert a["share"].sum() == pytest.approx(1.0, abs=1e-9)
    assert a["mean_h"].sum() == pytest.approx(outcomes["landing_delay_h"].mean())
    assert a.loc["life_limit", "share"] == 0 and a.loc["life_limit", "mean_h"] == 0
    assert a["share"].idxmax() == "launch_slip"


def test_attribution_with_no_delay_has_zero_shares() -> None:
    df = pd.DataFrame({"landing_delay_h": [0.0, 0.0], "delay.weather_h": [0.0, 0.0]})
    assert analysis.attribution(df)["share"].tolist() == [0.0]


def test_attribution_mismatch_names_the_rows(outcomes: pd.DataFrame) -> None:
    bad = outcomes.copy()
    bad.loc[bad["replication"].isin([7, 11]), "delay.weather_h"] += 0.5
    with pytest.raises(ValueError, match=r"2 row\(s\): replication 7 .*11"):
        analysis.attribution(bad)


def test_compare_with_itself(outcomes: pd.DataFrame) -> None:
    c = analysis.compare(outcomes, outcomes)
    assert c.paired
    assert (c.table["diff"] == 0).all()
    assert (c.table["diff_low"] == 0).all() and (c.table["diff_high"] == 0).all()
    assert c.ks_statistic == 0 and c.ks_pvalue == 1
    assert c.p_a_later == 0 and c.p_tie == 1 and c.p_a_later_mw == 0.5
    u = analysis.compare(outcomes, outcomes, paired=False)
    assert not u.paired and (u.table["diff"] == 0).all() and u.ks_pvalue == 1


def test_compare_detects_a_known_shift() -> None:
    rng = np.random.default_rng(11)
    a = pd.DataFrame({"replication": np.arange(2000), "delay_h": rng.gamma(2.0, 3.0, 2000)})
    b = a.assign(delay_h=a["delay_h"] + 1.5)
    paired = analysis.compare(a, b, metric="delay_h")
    assert paired.paired
    assert paired.table["diff"].to_numpy() == pytest.approx(1.5)
    assert paired.table["diff_low"].to_numpy() == pytest.approx(1.5)
    assert paired.p_a_later == 0 and paired.ks_pvalue < 1e-6
    # Independent run: a fresh sample shifted by 1.5 h.
    c = pd.DataFrame({"replication": np.arange(2000), "delay_h": rng.gamma(2.0, 3.0, 2000) + 1.5})
    u = analysis.compare(a, c, metric="delay_h", paired=False).table.set_index("statistic")
    for stat in ("mean", "P50"):
        assert u.loc[stat, "diff_low"] < 1.5 < u.loc[stat, "diff_high"]
        assert u.loc[stat, "diff_low"] > 0


def test_compare_time_points_in_hours(outcomes: pd.DataFrame) -> None:
    shifted = make_outcomes(2000, seed=1, shift_h=3.0)
    c = analysis.compare(outcomes, shifted, metric="landing_actual_utc")
    assert c.is_time and c.table["diff"].to_numpy() == pytest.approx(3.0, abs=1e-6)
    assert isinstance(c.table["A"].iloc[1], pd.Timestamp)
    assert "B - A" in c.to_text()


def test_paired_compare_needs_same_replications(outcomes: pd.DataFrame) -> None:
    other = make_outcomes(1500, seed=2)
    with pytest.raises(CrewsimError, match="same replication numbers"):
        analysis.compare(outcomes, other, paired=True)
    assert not analysis.compare(outcomes, other).paired  # automatic: unpaired


def test_headline(outcomes: pd.DataFrame) -> None:
    h = analysis.headline(outcomes, {"primary_return": "MS-18"})
    metrics = set(h["metric"])
    assert {"landing delay P50", "landing delay P70", "landing delay P80"} <= metrics
    assert {"P(landing on planned day)", "P(work plan complete)"} <= metrics
    assert set(h["flight"]) == {"MS-18"}
    on_day = h[h["metric"] == "P(landing on planned day)"].iloc[0]
    assert on_day.ci_low < on_day.value < on_day.ci_high


def test_launch_probability_curve(outcomes: pd.DataFrame) -> None:
    curve = analysis.launch_probability_curve(outcomes, "MS-19")
    ok = ~outcomes["MS-19.launch_failed"]
    assert curve["n"].iloc[0] == ok.sum()
    assert curve["p"].is_monotonic_increasing and curve["p"].iloc[-1] == 1
    assert curve["p"].iloc[0] == pytest.approx(
        (outcomes.loc[ok, "MS-19.launch_slip_d"] == 0).mean()
    )
    assert curve.loc[curve["day"] == 0, "day"].size == 1 and LAUNCH_PLANNED.year == 2021


def test_sweep_summary() -> None:
    runs = {0: make_outcomes(300, 1), 24: make_outcomes(300, 1, shift_h=24)}
    s = analysis.sweep_summary(runs)
    assert list(s["value"]) == [0, 24]
    assert s["p_on_time"].iloc[1] < s["p_on_time"].iloc[0]
    assert (s["p_low"] <= s["p_on_time"]).all() and (s["work_p10"] <= s["work_p50"]).all()
