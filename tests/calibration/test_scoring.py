"""Forecast scores: CRPS against hand computations and the normal closed form, Brier by hand,
PIT uniform when the forecast is the truth, interval coverage near nominal, skill."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.calibration import scoring


def test_crps_tiny_ensemble_by_hand():
    # X uniform on {1, 2, 4}, y = 3: E|X-y| = (2+1+1)/3 = 4/3;
    # E|X-X'| over the 9 pairs = 2*(1+3+2)/9 = 12/9; CRPS = 4/3 - 6/9 = 2/3.
    assert scoring.crps_ensemble([4, 1, 2], 3) == pytest.approx(2 / 3)
    # One member: |x - y|; an observation equal to a point forecast scores 0.
    assert scoring.crps_ensemble([5.0], 2.0) == pytest.approx(3.0)
    assert scoring.crps_point(7, 7) == 0.0
    assert scoring.crps_point(2, 5.5) == 3.5


def test_crps_matches_the_brute_force_pair_sum():
    x = np.random.default_rng(3).gamma(2.0, 3.0, 60)
    y = 4.2
    brute = np.mean(np.abs(x - y)) - 0.5 * np.mean(np.abs(x[:, None] - x[None, :]))
    assert scoring.crps_ensemble(x, y) == pytest.approx(brute, rel=1e-12)


@pytest.mark.parametrize("y", [-1.3, 0.0, 0.4, 2.5])
def test_crps_of_a_normal_ensemble_matches_the_closed_form(y):
    # A deterministic "sample" of N(1, 2^2): its quantiles at (i - 1/2) / n.
    n = 20_000
    x = stats.norm.ppf((np.arange(n) + 0.5) / n, loc=1.0, scale=2.0)
    assert scoring.crps_ensemble(x, y) == pytest.approx(scoring.crps_normal(1.0, 2.0, y), abs=2e-3)


def test_crps_normal_known_value():
    # y at the mean of N(0, 1): 2 phi(0) - 1/sqrt(pi) = 0.2336.
    assert scoring.crps_normal(0.0, 1.0, 0.0) == pytest.approx(0.233695, abs=1e-6)


def test_brier_by_hand():
    assert scoring.brier(0.2, True) == pytest.approx(0.64)
    assert scoring.brier(0.2, 0) == pytest.approx(0.04)
    assert scoring.brier(1.0, 1) == 0.0
    with pytest.raises(ValueError):
        scoring.brier(1.5, 1)


def test_skill_and_undefined_skill():
    assert scoring.skill([1.0, 3.0], [4.0, 4.0]) == pytest.approx(0.5)
    assert scoring.skill([0.1], [0.0]) is None
    assert scoring.skill([], []) is None


def _uniformity_chi2_p(values, bins=10):
    counts, _ = np.histogram(values, bins=bins, range=(0, 1))
    return stats.chisquare(counts).pvalue


def test_randomised_pit_is_uniform_when_the_forecast_is_the_truth_discrete():
    # A discrete slip distribution like the calibrated one: lots of ties at 0.
    values, weights = np.array([0, 1, 13, 26]), np.array([5, 1, 1, 1]) / 8
    rng = np.random.default_rng(20240)
    ensemble = rng.choice(values, size=4000, p=weights)
    ys = rng.choice(values, size=2000, p=weights)
    pits = [scoring.pit(ensemble, y, u) for y, u in zip(ys, rng.random(ys.size), strict=True)]
    assert abs(np.mean(pits) - 0.5) < 4 * np.sqrt(1 / 12 / len(pits))
    assert _uniformity_chi2_p(pits) > 1e-3
    # Without randomisation (u = 1) the PIT of a discrete forecast is not uniform.
    plain = [scoring.pit(ensemble, y, 1.0) for y in ys]
    assert _uniformity_chi2_p(plain) < 1e-6


def test_pit_is_uniform_and_intervals_cover_when_the_forecast_is_the_truth_continuous():
    rng = np.random.default_rng(7)
    ensemble = rng.triangular(48.6, 49.8, 50.5, 4000)
    ys = rng.triangular(48.6, 49.8, 50.5, 2000)
    pits = [scoring.pit(ensemble, y, 0.5) for y in ys]
    assert _uniformity_chi2_p(pits) > 1e-3
    for level in (0.5, 0.8):
        cov = scoring.coverage([scoring.inside(ensemble, y, level) for y in ys], level)
        se = np.sqrt(level * (1 - level) / cov.n)
        assert abs(cov.share - level) < 4 * se
        lo, hi = cov.wilson95
        assert lo < cov.share < hi


def test_central_interval_ends_are_ensemble_values():
    # F(0) = 5/8 < 0.75 = F(1): the upper quartile is 1, the lower 0.
    sample = [0, 0, 0, 0, 0, 1, 13, 26]
    assert scoring.central_interval(sample, 0.5) == (0.0, 1.0)
    assert scoring.inside(sample, 0, 0.5) and scoring.inside(sample, 1, 0.5)
    assert not scoring.inside(sample, 13, 0.5)
    assert scoring.central_interval(sample, 0.8) == (0.0, 26.0)
