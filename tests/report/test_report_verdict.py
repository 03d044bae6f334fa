"""The verdict and the assumptions table on cases checkable by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import analysis
from sim.report.assumptions import assumptions, calibrated_counts, describe
from sim.report.sections import consequences_md, landing_md, outcomes_md, precision_md
from sim.report.verdict import pct, verdict

PLANNED = pd.Timestamp("2021-10-17T04:37Z")


def _table(late_days: list[int]) -> pd.DataFrame:
    """One row per replication, landing ``late_days`` whole days after the plan."""
    late = np.asarray(late_days, dtype=float)
    landing = PLANNED + pd.to_timedelta(late, unit="D")
    return pd.DataFrame(
        {
            "replication": np.arange(late.size),
            "outcome": np.where(late > 0, "late-return", "as-planned"),
            "landing_planned_utc": PLANNED,
            "landing_actual_utc": landing,
            "landing_delay_h": 24 * late,
            "landed_on_planned_day": late == 0,
            "work_complete": late == 0,
            "visit_days": np.full(late.size, 12.0),
        }
    )


SCENARIO = {
    "crew": {
        "Commander": {"aboard": "Old", "returns": "Old"},
        "Visitor": {"up": "New", "returns": "Old"},
        "Pilot": {"up": "New", "returns": "New"},
    }
}


def test_verdict_of_a_hand_made_run() -> None:
    # 70 on time, 10 one day late, 10 four days late, 10 seventeen days late.
    df = _table([0] * 70 + [1] * 10 + [4] * 10 + [17] * 10)
    v = verdict(df, {"primary_return": "Old"}, SCENARIO)
    assert v.people == ["Visitor"] and v.on_day.p == pytest.approx(0.70)
    q = {x.label: x for x in v.quantiles}
    # P80: the 80th of 100 sorted values is the last one-day delay; P90 the last four-day one.
    assert q["P80"].delay_d == pytest.approx(1.0) and q["P90"].delay_d == pytest.approx(4.0)
    assert q["P50"].is_point and q["P50"].atom_share == pytest.approx(0.70)
    first, second = v.sentences()[:2]
    assert first.startswith("70 % chance") and "Visitor land on Old" in first
    assert "Sun 17 Oct 2021" in first
    # The on-time landings are the as-planned ones here (work done when on time): 70 % again.
    assert "; 70 % (60-78 %) that they do so with the work plan complete." in first
    assert second == (
        "1 in 5 chance that Old lands on or after Mon 18 Oct 2021 (1 day late); "
        "1 in 10 after Thu 21 Oct 2021 (4 days late)."
    )


def test_a_visit_never_cut_is_said_in_plain_words() -> None:
    v = verdict(_table([0] * 10), {"primary_return": "Old"}, SCENARIO)
    v.visit_planned_d = 12.0
    v.visit_cut = analysis.probability(_table([0] * 10), np.zeros(10, dtype=bool))
    assert "The visit is never cut by more than 12 h below the planned 12.0 days." in v.sentences()


def test_the_cut_share_is_one_number_in_the_verdict_and_the_table() -> None:
    # Visits 12 d planned: 11.9 d is within the model's 12 h tolerance, 11.0 d and 10.0 d are cut.
    df = _table([0] * 8 + [1, 2])
    df["visit_days"] = [12.0] * 5 + [11.9] * 3 + [11.0, 10.0]
    df["visit_planned_days"] = 12.0
    v = verdict(df, {"primary_return": "Old"}, SCENARIO)
    assert v.visit_cut.p == pytest.approx(0.2)
    assert "The visit is cut by more than 12 h below the planned 12.0 days in 20 %" in " ".join(
        v.sentences()
    )
    row = next(line for line in consequences_md(df, v).splitlines() if "visit cut" in line)
    assert [c.strip() for c in row.strip("|").split("|")][1:] == ["20 %", "100 %"]


def test_landing_table_explains_a_collapsed_interval() -> None:
    v = verdict(_table([0] * 90 + [3] * 10), {"primary_return": "Old"}, SCENARIO)
    text = landing_md(v)
    assert "| landing (UTC) | 17 Oct 04:37" in text
    assert "Discrete landings" in text and "90 % of replications land at exactly" in text


def test_outcome_lines_follow_the_model_labels() -> None:
    text = outcomes_md(_table([0] * 3 + [2]))
    assert "- **as-planned**: 75 % (3)" in text and "- **late-return**: 25 % (1)" in text


def test_pct_keeps_small_shares_visible() -> None:
    assert pct(0.004) == "0.4 %" and pct(0.5) == "50 %" and pct(0.996) == "99.6 %"
    assert pct(0.0001) == "0.01 %" and pct(0.0) == "0 %"


PRIORS = """\
defaults:
  launch:
    # launch slip, last month (d): n=8, left out 33; MS-01..03
    #   interval: on time 0.31-0.86 (Wilson 95%)
    slip: {dist: empirical, values: [0, 1], weights: [5, 1], unit: d}
    window_drift: -24 min
    # launch failure: n=40, left out 0
    failure_p: 0.0366
"""


def test_calibrated_counts_read_the_comment_above_each_key() -> None:
    counts = calibrated_counts(PRIORS)
    assert counts == {"defaults.launch.slip": 8, "defaults.launch.failure_p": 40}


def test_assumptions_mark_calibrated_and_prior_inputs(tmp_path: Path) -> None:
    (tmp_path / "priors.yaml").write_text(PRIORS)
    (tmp_path / "s.yaml").write_text("extends: priors.yaml\n")
    slip = {"dist": "empirical", "values": [0, 1], "weights": [5, 1], "unit": "d"}
    resolved = {
        "defaults": {"launch": {"slip": slip, "failure_p": 0.0366}},
        "vehicles": {
            "New": {"launch": {"slip": slip, "failure_p": 0.05}},
        },
        "work": {
            "tasks": [
                {
                    "name": "filming",
                    "efficiency": {"dist": "pert", "low": 0.8, "mode": 1.0, "high": 1.2},
                }
            ]
        },
    }
    rows = {
        path: (dist, source) for path, dist, source in assumptions(resolved, tmp_path / "s.yaml")
    }
    assert rows["vehicles.New.launch.slip"] == (
        "empirical 0/1 d, weights 5/1",
        "calibrated, n = 8 flights",
    )
    # Changed from the calibrated default: a prior, not the calibration.
    assert rows["vehicles.New.launch.failure_p"] == ("p = 0.05", "prior (expert guess)")
    assert rows["work.tasks.filming.efficiency"][1] == "prior (expert guess)"
    assert describe("rate", {"rate": 0.03, "per": "d"}) == "Poisson, 0.03 per d"


def test_precision_reads_the_exact_interval_of_the_landing_table() -> None:
    rng = np.random.default_rng(0)
    df = _table([0] * 400)
    delay_h = rng.normal(72.0, 24.0, 400)  # continuous: no atom at the P80
    df["landing_delay_h"] = delay_h
    df["landing_actual_utc"] = PLANNED + pd.to_timedelta(delay_h, unit="h")
    v = verdict(df, {"primary_return": "Old"}, SCENARIO)
    q = v.quantile("P80")
    half = (q.delay_high_d - q.delay_low_d) / 2
    assert half > 0.1
    text = precision_md(v, df)
    assert f"half-width ±{half:.2f} days) with 400 replications" in text
    assert f"needs about {int(np.ceil(400 * (half / 0.1) ** 2)):,} replications" in text
    # Tight delays (minutes apart): the interval is already narrower than a tenth of a day.
    df["landing_delay_h"] = 70.0 + delay_h / 1000
    df["landing_actual_utc"] = PLANNED + pd.to_timedelta(df["landing_delay_h"], unit="h")
    assert "already within ±0.1 day" in precision_md(verdict(df, {"primary_return": "Old"}), df)


def test_record_based_distributions_are_described_in_words() -> None:
    beta = {"dist": "beta", "k": 1, "n": 40, "prior": "jeffreys"}
    assert (
        describe("failure_p", beta) == "Beta posterior of 1 in 40 flights (jeffreys), mean 0.0366"
    )
    slip = {"dist": "zero_inflated_weibull", "zeros": 5, "n": 6, "positive": [1], "weights": [1]}
    slip |= {"prior": "jeffreys", "low": 1, "high": 120, "unit": "d"}
    assert describe("slip", slip) == (
        "on time in 5 of 6 flights (share Beta-drawn, jeffreys); else a Weibull size given the "
        "slips 1 d (shape drawn from its posterior, 1-120 d)"
    )
    record = {"dist": "zero_inflated_empirical", "zeros": 5, "n": 8, "positive": [1, 13, 26]}
    assert describe("slip", record | {"unit": "d"}).endswith("else one of the slips 1/13/26 d")
    rendezvous = {"dist": "predictive", "family": "lognormal", "n": 16, "df": 15, "mean": 3.9}
    rendezvous |= {"sd": 0.01, "low": 24.855, "high": 99.42, "unit": "h"}
    assert describe("34-orbit", rendezvous) == (
        "lognormal predictive from 16 flights, median 49.4 h, within 24.9-99.4 h"
    )
