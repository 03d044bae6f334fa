"""Forecasts that carry the uncertainty of few flights: a synthetic world where the truth is known,
the randomised PIT of a calibrated discrete forecast, and Beta probabilities drawn per replication.

Statistical checks are deterministic (fixed seeds) with tolerances of 4 standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from factories import make_flight_records
from scipy import stats

from sim.calibration import scoring
from sim.calibration.calibrate import calibrate
from sim.scenario.distributions import coerce_distribution

#: The synthetic world: 34-orbit launch-to-docking hours, log-normal (median 49.7 h, 1 % spread).
TRUE_MEDIAN_H, TRUE_SIGMA = 49.7, 0.01
WORLDS, TRAIN, FUTURE = 300, 8, 200


def _coverages(level: float) -> tuple[np.ndarray, np.ndarray]:
    """Per world: the share of the next FUTURE flights inside the central ``level`` interval of
    (a) the calibrated predictive and (b) the plug-in fit (same family, parameters as if known)."""
    rng = np.random.default_rng(20261203)
    lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
    predictive, plug_in = [], []
    for _ in range(WORLDS):
        flights = TRUE_MEDIAN_H * np.exp(TRUE_SIGMA * rng.standard_normal(TRAIN + FUTURE))
        train, future = flights[:TRAIN], flights[TRAIN:]
        cal = calibrate(make_flight_records(np.round(train, 3)), n_boot=0)
        spec = cal.get("launch to docking, 34-orbit (h)").yaml_value
        dist = coerce_distribution(spec, duration=True)
        lo, hi = dist.quantile(lo_q), dist.quantile(hi_q)
        predictive.append(np.mean((future >= lo) & (future <= hi)))
        # Plug-in: the fitted family with its sample mean and sd taken as the truth.
        z = stats.norm.ppf(hi_q) * spec["sd"]
        if spec["family"] == "lognormal":
            plo, phi = math.exp(spec["mean"] - z), math.exp(spec["mean"] + z)
        else:
            plo, phi = spec["mean"] - z, spec["mean"] + z
        plug_in.append(np.mean((future >= plo) & (future <= phi)))
    return np.asarray(predictive), np.asarray(plug_in)


@pytest.mark.parametrize("level", [0.8, 0.9])
def test_calibrated_on_8_the_next_200_are_covered_as_stated(level):
    predictive, plug_in = _coverages(level)
    # Across worlds the mean coverage of the predictive is the nominal level (a single world's
    # coverage varies with its 8 training flights); the standard error comes from the spread of
    # the per-world coverages, which includes the binomial noise of the 200 future flights.
    se = predictive.std(ddof=1) / math.sqrt(WORLDS)
    assert abs(predictive.mean() - level) < 4 * se, (predictive.mean(), se)
    # Plug-in estimates from 8 flights are too sure of themselves: they under-cover.
    se_plug = plug_in.std(ddof=1) / math.sqrt(WORLDS)
    assert plug_in.mean() < level - 4 * se_plug, (plug_in.mean(), se_plug)


def test_slip_sizes_from_8_cover_the_next_200_where_the_plug_in_weibull_does_not():
    """A synthetic world of slip sizes, Weibull(shape 1, scale 10 d): the zero-inflated Weibull
    from a record of 8 slips (shape drawn from its posterior, scale integrated out) covers the next
    200 slips at the nominal level of its central intervals; the maximum-likelihood Weibull of the
    same 8 slips, its parameters taken as known, under-covers."""
    from sim.calibration.fitting import fit_weibull
    from sim.scenario.distributions import ZeroInflatedWeibull

    rng = np.random.default_rng(20261203)
    worlds = 150
    covered: dict[float, list[list[float]]] = {0.8: [[], []], 0.9: [[], []]}
    for _ in range(worlds):
        slips = 10.0 * rng.weibull(1.0, TRAIN + FUTURE)
        train, future = slips[:TRAIN], slips[TRAIN:]
        record = ZeroInflatedWeibull(
            zeros=0, n=TRAIN, positive=train.tolist(), high=1e6 * train.min()
        )
        shape, scale, _ = fit_weibull(train)
        p0 = record.on_time.mean()  # the record's on-time share: set aside, sizes only
        for level, (predictive, plug_in) in covered.items():
            lo_q, hi_q = (1 - level) / 2, (1 + level) / 2
            lo = record.quantile(p0 + lo_q * (1 - p0))
            hi = record.quantile(p0 + hi_q * (1 - p0))
            predictive.append(np.mean((future >= lo) & (future <= hi)))
            plo = scale * (-math.log(1 - lo_q)) ** (1 / shape)
            phi = scale * (-math.log(1 - hi_q)) ** (1 / shape)
            plug_in.append(np.mean((future >= plo) & (future <= phi)))
    for level, (predictive, plug_in) in covered.items():
        predictive, plug_in = np.asarray(predictive), np.asarray(plug_in)
        se = predictive.std(ddof=1) / math.sqrt(worlds)
        assert abs(predictive.mean() - level) < 4 * se, (level, predictive.mean(), se)
        se_plug = plug_in.std(ddof=1) / math.sqrt(worlds)
        assert plug_in.mean() < level - 4 * se_plug, (level, plug_in.mean(), se_plug)


def test_randomised_pit_of_a_calibrated_discrete_forecast_is_uniform():
    """Slips in whole days with a point mass at 0: the forecast is the truth itself."""
    rng = np.random.default_rng(7)
    forecast = coerce_distribution(
        {
            "dist": "zero_inflated_empirical",
            "zeros": 5,
            "n": 8,
            "positive": [1, 2, 13],
            "unit": "d",
        },
        duration=True,
    )
    ensemble = forecast.sample(rng, 4000)
    observed = forecast.sample(rng, 400)
    u = rng.random(observed.size)
    randomised = [scoring.pit(ensemble, y, ui) for y, ui in zip(observed, u, strict=True)]
    assert stats.kstest(randomised, "uniform").pvalue > 0.01
    # Without randomisation the PIT of a discrete forecast is far from uniform (the test has teeth).
    plain = [scoring.pit(ensemble, y, 1.0) for y in observed]
    assert stats.kstest(plain, "uniform").pvalue < 1e-6


def _beta_scenario(tmp_path, n: int = 400):
    text = f"""
name: beta-per-replication
epoch: 2030-01-01T00:00:00Z
monte_carlo: {{replications: {n}, seed: 11}}
station: {{ports: [p], max_crew: 6}}
vehicles:
  V:
    seats: 3
    launch:
      planned: 2030-01-20T10:00:00Z
      failure_p: {{dist: beta, k: 1, n: 3}}
      scrub_p: {{dist: beta, k: 2, n: 5}}
      max_attempts: 4
    rendezvous: {{scheme: 4-orbit, durations: {{4-orbit: 6 h, 34-orbit: 50 h}}}}
    docking: {{port: p}}
crew:
  a: {{up: V, returns: V}}
returns:
  V: {{planned_undock: 2030-02-20T10:00:00Z, daylight: false}}
"""
    path = tmp_path / "beta.yaml"
    path.write_text(text)
    return path


def test_beta_is_drawn_once_per_replication_and_shared_by_its_uses(tmp_path):
    from sim.model import compile_scenario
    from sim.model.env import RotationEnv
    from sim.scenario import load_scenario

    compiled = compile_scenario(load_scenario(_beta_scenario(tmp_path)))
    spec = compiled.launches["V"].spec
    draws = []
    for i in range(200):
        env = RotationEnv(compiled, 11, i, False)
        first = env.p(spec.scrub_p, "V.scrub_p")
        assert env.p(spec.scrub_p, "V.scrub_p") == first  # every attempt shares the draw
        assert RotationEnv(compiled, 11, i, False).p(spec.scrub_p, "V.scrub_p") == first
        draws.append(first)
        assert env.p(0.25, "fixed") == 0.25  # a number stays a number
    draws = np.asarray(draws)
    a, b = 2.5, 3.5  # Beta(k + 1/2, n - k + 1/2)
    assert len(np.unique(draws)) == draws.size  # a new draw in each replication
    assert stats.kstest(draws, stats.beta(a, b).cdf).pvalue > 0.01


def test_beta_replications_are_reproducible_alone_and_across_backends(tmp_path):
    import pandas as pd

    from sim.model import compile_scenario, simulate_replication
    from sim.montecarlo import results, runner
    from sim.scenario import load_scenario

    path = _beta_scenario(tmp_path, n=300)
    serial = runner.run(str(path), out=tmp_path / "serial", backend="serial", chunk_size=100)
    procs = runner.run(
        str(path), out=tmp_path / "procs", backend="processes", workers=2, chunk_size=100
    )
    a, b = results.load(serial), results.load(procs)
    pd.testing.assert_frame_equal(a, b)
    # Replication 123 alone gives its row of the run.
    compiled = compile_scenario(load_scenario(path))
    alone, _ = simulate_replication(compiled, 123, 11)
    assert alone["V.launch_failed"] == bool(a.loc[a.replication == 123, "V.launch_failed"].iloc[0])
    assert alone["V.pad_aborts"] == int(a.loc[a.replication == 123, "V.pad_aborts"].iloc[0])
    # The launch-failure share is the Beta(1.5, 2.5) mean, 0.375 (the draw, then the event).
    failed = a["V.launch_failed"].astype(bool)
    launched = a["V.launch_actual_utc"].notna()
    share = failed[launched].mean()
    se = math.sqrt(0.375 * 0.625 / launched.sum())
    assert abs(share - 0.375) < 4 * se


@pytest.mark.parametrize("sampling", ["mc", "lhs"])
def test_weibull_slip_replications_are_reproducible_alone_and_across_backends(tmp_path, sampling):
    """The zero-inflated Weibull slip from the record (on-time share and shape drawn per
    replication): the same rows on every backend, replication i alone gives its row, and the
    slips are spread beyond the single observed one-day slip."""
    import pandas as pd

    from sim.model import compile_scenario, simulate_replication
    from sim.montecarlo import results, runner
    from sim.scenario import load_scenario

    slip = (
        "{dist: zero_inflated_weibull, zeros: 5, n: 6, positive: [1], low: 1, high: 120, unit: d}"
    )
    text = _beta_scenario(tmp_path, n=300).read_text()
    text = text.replace("seed: 11}", f"seed: 11, sampling: {sampling}}}")
    text = text.replace("      failure_p:", f"      slip: {slip}\n      failure_p:")
    path = tmp_path / "slip.yaml"
    path.write_text(text)
    serial = runner.run(str(path), out=tmp_path / "serial", backend="serial", chunk_size=100)
    procs = runner.run(
        str(path), out=tmp_path / "procs", backend="processes", workers=2, chunk_size=100
    )
    a, b = results.load(serial), results.load(procs)
    pd.testing.assert_frame_equal(a, b)
    compiled = compile_scenario(load_scenario(path))
    for i in (0, 123, 299):
        alone, _ = simulate_replication(compiled, i, 11)
        assert alone["in.V.slip_d"] == a.loc[a.replication == i, "in.V.slip_d"].iloc[0]
    slips = a["in.V.slip_d"].to_numpy()
    p0 = 5.5 / 7  # the on-time share's Jeffreys posterior mean
    assert abs(np.mean(slips == 0) - p0) < 4 * math.sqrt(p0 * (1 - p0) / slips.size)
    assert slips.max() > 1  # the empirical record of the same flights never slips by more
