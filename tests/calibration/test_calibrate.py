"""Calibration: a synthetic flight table drawn from known distributions is recovered; the command
writes a priors file the scenario loader accepts."""

from __future__ import annotations

import argparse
import csv
import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.calibration.calibrate import US_SEGMENT_SLIP_PRIORS, calibrate, us_segment_slip_prior
from sim.calibration.columns import REQUIRED_COLUMNS
from sim.calibration.flights import read_flights
from sim.calibration.priors_file import compress_flights, format_table, priors_yaml
from sim.scenario.distributions import Triangular, ZeroInflatedWeibull, coerce_distribution

DATA = Path(__file__).resolve().parents[1] / "data"

TRUTH = {
    "slip": ZeroInflatedWeibull(p_zero=0.6, shape=1.1, scale=12.0, unit="d"),
    "4-orbit": Triangular(low=5.6, mode=5.9, high=6.4, unit="h"),
    "34-orbit": Triangular(low=48.5, mode=49.7, high=50.7, unit="h"),
    "launch_failure_p": 0.05,
    "auto_failure_p": 0.1,
}


def _synthetic_table(path: Path, n: int = 300, seed: int = 11) -> None:
    """An MS-format table: 4-orbit plans, a slip forces 34-orbit, known event rates."""
    rng = np.random.default_rng(seed)
    epoch = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=REQUIRED_COLUMNS["ms"])
        writer.writeheader()
        for i in range(n):
            planned = epoch + timedelta(days=40 * i)
            slip = round(float(TRUTH["slip"].sample(rng)), 2)
            launch = planned + timedelta(days=slip)
            failed = rng.random() < TRUTH["launch_failure_p"]
            manual = rng.random() < TRUTH["auto_failure_p"]
            scheme = "34-orbit" if slip > 0 else "4-orbit"
            hours = round(float(TRUTH[scheme].sample(rng)), 3)
            row = {
                "flight": f"Soyuz XS-{i + 1:03d}",
                "crewed": "Y",
                "crew_down": "A; B; C",
                "planned_launch_date_T1mo": planned.date().isoformat(),
                "actual_launch_utc": launch.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "slip_days_vs_T1mo": f"{slip:g}",
                "rendezvous_planned": "4-orbit",
                "rendezvous_flown": "none - launch abort" if failed else scheme,
                "launch_to_dock_h": "" if failed else f"{hours:g}",
                "anomalies_notes": (
                    "Kurs failure on final approach; manual docking ~10 min late"
                    if manual and not failed
                    else ""
                ),
            }
            writer.writerow(row)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    path = tmp_path_factory.mktemp("cal") / "synthetic.csv"
    _synthetic_table(path)
    records, issues = read_flights(path)
    assert issues == []
    return records, calibrate(records, n_boot=300, seed=5)


def _wilson_bounds(est):
    lo, hi = est.interval.split()[0].split("-")
    return float(lo), float(hi)


def test_synthetic_slip_recovered(synthetic):
    _, cal = synthetic
    fit = cal.slip_fit
    truth = TRUTH["slip"]
    assert fit.p_zero_ci[0] <= truth.p_zero <= fit.p_zero_ci[1]
    assert fit.shape_ci[0] <= truth.shape <= fit.shape_ci[1]
    assert fit.scale_ci[0] <= truth.scale <= fit.scale_ci[1]
    empirical = cal.get("launch slip, last month (d)")
    assert empirical.n == 300 and empirical.path == ("launch", "slip")
    lo, hi = (float(x) for x in empirical.interval.split()[2].split("-"))
    assert lo <= truth.p_zero <= hi


def test_synthetic_rates_recovered(synthetic):
    _, cal = synthetic
    for name, truth in [
        ("launch failure", TRUTH["launch_failure_p"]),
        ("automatic docking failed, crewed", TRUTH["auto_failure_p"]),
    ]:
        lo, hi = _wilson_bounds(cal.get(name))
        assert lo <= truth <= hi, name
    fallback = cal.get("fallback to 34-orbit given a slip")
    assert f"({fallback.n}/{fallback.n}," in fallback.value  # every slip fell back
    assert fallback.left_out > 0  # slipped launches that failed flew no scheme
    assert cal.get("in-flight reversion to 34-orbit (missed burn)").value.startswith("0.00")


def test_synthetic_durations_recovered(synthetic):
    _, cal = synthetic
    for scheme in ("4-orbit", "34-orbit"):
        truth = TRUTH[scheme]
        est = cal.get(f"launch to docking, {scheme} (h)")
        fit = coerce_distribution(est.yaml_value, duration=True)
        assert est.yaml_value["dist"] == "predictive"
        # The predictive (about 100-160 flights) is close to the (skewed triangular) truth: within
        # a tenth of its range, which covers the family's misfit and the sampling error.
        tolerance = 0.1 * (truth.high - truth.low)
        for q in (0.1, 0.5, 0.9):
            assert fit.quantile(q) == pytest.approx(truth.quantile(q), abs=tolerance), (scheme, q)
        lo, hi = (float(x) for x in est.interval.split()[1].split("-"))
        assert lo <= truth.quantile(0.5) <= hi
        # Flights with a manual docking are left out of the nominal durations.
        assert "manual docking" in est.note


def test_calibration_is_deterministic(synthetic):
    records, cal = synthetic
    again = calibrate(records, n_boot=300, seed=5)
    assert format_table(again) == format_table(cal)


def test_us_segment_priors():
    assert set(US_SEGMENT_SLIP_PRIORS) == {"<=90d", "90-180d", "180-360d"}
    assert us_segment_slip_prior(60).scale == 26.5
    assert us_segment_slip_prior(120).shape == 0.81
    assert us_segment_slip_prior(300).p_zero == 0.0
    # Mean slip of the <= 90 d prior: published 22.4 d.
    assert US_SEGMENT_SLIP_PRIORS["<=90d"].mean() == pytest.approx(22.4, rel=0.02)
    with pytest.raises(ValueError):
        us_segment_slip_prior(400)


def test_compress_flights():
    names = ["MS-01", "MS-02", "MS-03", "MS-05", "TMA-08M", "TMA-09M", "TMA-21"]
    assert compress_flights(names) == "MS-01..03, MS-05, TMA-08M..09M, TMA-21"


def test_yaml_round_trip_and_loader_types(synthetic):
    _, cal = synthetic
    base = {
        "launch": {"window_drift": "-24 min", "slip": {"dist": "fixed", "value": 0, "unit": "d"}},
        "landing": {"zone": {"name": "SE of Dzhezkazgan", "lat": 47.4, "lon": 69.6}},
    }
    text = priors_yaml(
        cal, command="crewsim calibrate --flights x.csv", inputs=["x.csv"], base=base
    )
    assert text.startswith("# Fleet-wide priors")
    assert "# Generated by: crewsim calibrate --flights x.csv" in text
    data = yaml.safe_load(text)
    defaults = data["defaults"]
    assert defaults["launch"]["window_drift"] == "-24 min"  # carried over
    assert defaults["launch"]["slip"]["dist"] == "zero_inflated_empirical"  # replaced
    assert defaults["landing"]["zone"]["lat"] == 47.4
    for scheme, dist in defaults["rendezvous"]["durations"].items():
        assert coerce_distribution(dist, duration=True).lower > 0, scheme
    coerce_distribution(defaults["launch"]["slip"], duration=True)
    assert "launch.window_drift" in text.split("\ndefaults:")[0]  # listed as carried over


def test_command_on_small_tables(tmp_path, capsys):
    from sim.commands.calibrate import run

    out = tmp_path / "priors"
    args = argparse.Namespace(
        flights=[str(DATA / "ms_small.csv"), str(DATA / "tma_small.csv")],
        out=str(out),
        base=None,
        slip_model="empirical",
        exclude_first=0,
        since=None,
        bootstrap=50,
        bootstrap_seed=0,
        strict=False,
    )
    assert run(args) == 0
    printed = capsys.readouterr().out
    assert "parameter" in printed and "flights used" in printed
    assert "launch failure" in printed and "MS-10" in printed
    text = (out / "priors.yaml").read_text()
    data = yaml.safe_load(text)
    assert set(data["defaults"]) <= {"launch", "rendezvous", "docking", "landing"}
    header = text.split("\ndefaults:")[0]
    # The header states the slip model asked for, not the automatic rule.
    assert "sizes of the observed slips (--slip-model empirical)" in header
    assert "else a zero-inflated Weibull" not in header


def test_command_strict_fails_on_malformed(tmp_path):
    from sim.commands.calibrate import run
    from sim.errors import CrewsimError

    args = argparse.Namespace(
        flights=[str(DATA / "ms_malformed.csv")],
        out=None,
        base=None,
        slip_model="empirical",
        exclude_first=0,
        since=None,
        bootstrap=10,
        bootstrap_seed=0,
        strict=True,
    )
    with pytest.raises(CrewsimError, match="MS-19: column 'actual_launch_utc'"):
        run(args)


MS_TABLE = Path(__file__).resolve().parents[2] / "data" / "soyuz_ms_flights_2016_2021.csv"


def test_slip_selection_leaves_out_a_vehicles_first_flights():
    from sim.calibration.calibrate import SlipSelection

    records, _ = read_flights(MS_TABLE)
    every = calibrate(records, n_boot=0).get("launch slip, last month (d)")
    mature = calibrate(records, n_boot=0, selection=SlipSelection(exclude_first=2))
    slip = mature.get("launch slip, last month (d)")
    assert "MS-01" in every.flights and "MS-02" in every.flights
    assert "MS-01" not in slip.flights and "MS-02" not in slip.flights
    assert slip.n == every.n - 2
    # The debut flights' 13 and 26 days are gone; the record is 5 on time of 6, one 1-day slip:
    # too few slips for the empirical (the rule of slip model auto), so the zero-inflated Weibull
    # with parameter uncertainty is written.
    assert slip.yaml_value == {
        "dist": "zero_inflated_weibull",
        "zeros": 5,
        "n": 6,
        "positive": [1],
        "weights": [1],
        "prior": "jeffreys",
        "shape_median": 1,
        "shape_sigma": 0.5,
        "low": 1,
        "high": 120,
        "unit": "d",
    }
    forced = calibrate(
        records, n_boot=0, selection=SlipSelection(exclude_first=2), slip_model="empirical"
    )
    assert forced.get("launch slip, last month (d)").yaml_value["dist"] == "zero_inflated_empirical"
    assert "left out by it: MS-01, MS-02" in slip.note
    # Other estimates keep every flight.
    assert mature.get("launch failure").n == calibrate(records, n_boot=0).get("launch failure").n
    recent = calibrate(records, n_boot=0, selection=SlipSelection(since=2019))
    kept = recent.get("launch slip, last month (d)").flights
    assert kept and all(int(f.split("-")[1]) >= 12 for f in kept)  # MS-12 flew in 2019
    with pytest.raises(ValueError):
        SlipSelection(exclude_first=-1)


def test_calibrate_command_records_the_selection(tmp_path):
    out = tmp_path / "priors"
    from sim.cli import main

    assert (
        main(["calibrate", "--flights", str(MS_TABLE), "--exclude-first", "2", "--out", str(out)])
        == 0
    )
    text = (out / "priors.yaml").read_text()
    assert "--exclude-first 2" in text.splitlines()[1]
    assert yaml.safe_load(text)["defaults"]["launch"]["slip"]["n"] == 6


def test_the_slip_model_rule():
    """auto: the empirical record from 5 positive slips on (its sizes are then a record), the
    zero-inflated Weibull with parameter uncertainty below (a handful of sizes), the empirical
    when nothing slipped (no size can be estimated); a forced model is written as asked."""
    from sim.calibration.calibrate import SlipSelection
    from sim.calibration.slips import MIN_SLIPS_FOR_EMPIRICAL, choose_slip_model

    assert MIN_SLIPS_FOR_EMPIRICAL == 5
    assert [choose_slip_model("auto", m) for m in (0, 1, 4, 5, 9)] == [
        "empirical",
        "zero_inflated_weibull",
        "zero_inflated_weibull",
        "empirical",
        "empirical",
    ]
    assert choose_slip_model("empirical", 1) == "empirical"
    assert choose_slip_model("zero_inflated_weibull", 9) == "zero_inflated_weibull"
    assert choose_slip_model("zero_inflated_weibull", 0) == "empirical"
    with pytest.raises(ValueError, match="slip_model"):
        choose_slip_model("gamma", 3)
    records, _ = read_flights(MS_TABLE)
    # Every MS flight with a plan a month ahead: slips of 1, 13 and 26 days (3 < 5): the Weibull.
    every = calibrate(records, n_boot=0).get("launch slip, last month (d)")
    assert every.yaml_value["dist"] == "zero_inflated_weibull"
    assert every.yaml_value["positive"] == [1, 13, 26] and every.yaml_value["n"] == 8
    assert "auto: 3 positive slip(s), the empirical needs 5" in every.note
    # From 2019 on (MS-16, MS-18, MS-19): nothing slipped, the empirical record; a flight that
    # does not leave on time (Beta-drawn share, mean 0.5 / 4) slips by the smallest slip, a day.
    recent = calibrate(records, n_boot=0, selection=SlipSelection(since=2019))
    slip = recent.get("launch slip, last month (d)")
    assert slip.yaml_value == {
        "dist": "zero_inflated_empirical",
        "zeros": 3,
        "n": 3,
        "prior": "jeffreys",
        "min_slip": 1,
        "unit": "d",
    }
    never = coerce_distribution(slip.yaml_value, duration=True)
    assert never.mean() == pytest.approx(0.5 / 4)
    x = never.sample(np.random.default_rng(2), 20_000)
    assert set(np.unique(x)) == {0.0, 1.0}
    assert abs(np.mean(x) - 0.125) < 4 * math.sqrt(0.125 * 0.875 / x.size)
    # The written prior is a valid scenario distribution, its mean the record's.
    dist = coerce_distribution(every.yaml_value, duration=True)
    assert dist.on_time.mean() == pytest.approx(5.5 / 9)
