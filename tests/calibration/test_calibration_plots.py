"""The verification figures (sim.plots.calibration): the binomial band of a flat PIT histogram, the
Wilson bars of the reliability diagram, and the sharpness figure."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.calibration.fitting import wilson_interval
from sim.plots import calibration as plots


def test_binomial_band_holds_a_flat_histogram_95_percent_of_the_time():
    lo, hi = plots.binomial_band(40, 5)
    assert (lo, hi) == (stats.binom.ppf(0.025, 40, 0.2), stats.binom.ppf(0.975, 40, 0.2))
    inside = stats.binom.cdf(hi, 40, 0.2) - stats.binom.cdf(lo - 1, 40, 0.2)
    assert inside >= 0.95


@pytest.mark.parametrize("k, n", [(0, 8), (3, 8), (8, 8), (17, 40)])
def test_wilson_bars_agree_with_the_calibration_interval(k, n):
    assert plots.wilson(k, n) == pytest.approx(wilson_interval(k, n), abs=1e-9)


def test_figures_are_drawn_from_plain_numbers():
    rng = np.random.default_rng(0)
    fig = plots.pit_histogram({"a": list(rng.random(30)), "b": []}, {"a": "slip (d)"})
    assert len(fig.axes) == 2 and "30 flights" in fig.axes[0].get_title()
    fig = plots.reliability_diagram({"e": ([0.1, 0.2, 0.9], [0, 1, 1])}, {"e": "event"})
    assert fig.axes[0].get_xlabel().startswith("forecast probability")
    fig = plots.sharpness({"h": {"50": [1.0, 2.0], "80": [3.0, 4.0], "90": []}}, {"h": "h"})
    assert fig.axes[0].get_ylabel() == "interval width (h)"
