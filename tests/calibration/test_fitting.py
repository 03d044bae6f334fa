"""Fits used by calibration: Wilson interval, median interval, zero-inflated Weibull MLE."""

from __future__ import annotations

import numpy as np
import pytest

from sim.calibration.fitting import (
    fit_weibull,
    fit_zero_inflated_weibull,
    jeffreys_rate,
    median_interval,
    wilson_interval,
)
from sim.scenario.distributions import ZeroInflatedWeibull


def test_wilson_known_values():
    # 5 of 8 (the MS on-time launches): textbook Wilson 95 % interval 0.306-0.863.
    lo, hi = wilson_interval(5, 8)
    assert (lo, hi) == pytest.approx((0.3057, 0.8632), abs=1e-4)
    assert wilson_interval(0, 10)[0] == pytest.approx(0.0, abs=1e-12)
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(3, 2)


def test_jeffreys_rate():
    assert jeffreys_rate(0, 39) == pytest.approx(0.0125)
    assert jeffreys_rate(1, 1) == pytest.approx(0.75)


def test_median_interval_ranks():
    assert median_interval(range(1, 101)) == (40.0, 61.0)  # standard order-statistic ranks
    assert median_interval([3.0, 1.0, 2.0]) == (1.0, 3.0)


def test_weibull_fit_needs_two_values():
    with pytest.raises(ValueError):
        fit_weibull([5.0])
    with pytest.raises(ValueError):
        fit_weibull([2.0, 2.0])


def test_zero_inflated_weibull_recovers_known_parameters():
    truth = ZeroInflatedWeibull(p_zero=0.35, shape=1.3, scale=20.0, unit="d")
    x = truth.sample(np.random.default_rng(20211005), 300)
    fit = fit_zero_inflated_weibull(x, n_boot=300, seed=7)
    assert fit.n == 300 and fit.n_boot == 300
    assert fit.p_zero_ci[0] <= truth.p_zero <= fit.p_zero_ci[1]
    assert fit.shape_ci[0] <= truth.shape <= fit.shape_ci[1]
    assert fit.scale_ci[0] <= truth.scale <= fit.scale_ci[1]
    # Point estimates within ~4 standard errors (bootstrap SE ~ CI width / 4).
    assert abs(fit.shape - truth.shape) < (fit.shape_ci[1] - fit.shape_ci[0])
    assert fit.as_yaml()["dist"] == "zero_inflated_weibull"


def test_zero_inflated_weibull_is_deterministic():
    x = [0, 0, 0, 0, 0, 1, 13, 26]  # the Soyuz MS last-month slips
    a = fit_zero_inflated_weibull(x, n_boot=200, seed=3)
    b = fit_zero_inflated_weibull(x, n_boot=200, seed=3)
    assert a == b
    assert a.p_zero == 0.625 and a.n_zero == 5
    assert a.n_boot < 200  # resamples with fewer than two distinct positives are skipped
