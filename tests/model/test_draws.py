"""Compiled distributions draw bit for bit what the distributions themselves draw."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from sim.model.draws import Draw
from sim.scenario.distributions import coerce_distribution

DISTRIBUTIONS = [
    {"dist": "fixed", "value": 2.5, "unit": "h"},
    {"dist": "uniform", "low": 1, "high": 4, "unit": "d"},
    {"dist": "triangular", "low": 48.8, "mode": 49.7, "high": 50.6, "unit": "h"},
    {"dist": "pert", "low": 5, "mode": 10, "high": 30, "unit": "min"},
    {"dist": "normal", "mean": 1.0, "sd": 0.3, "low": 0.5, "high": 2.0, "unit": "h"},
    {"dist": "normal", "mean": 1.0, "sd": 0.3, "unit": "h"},
    {"dist": "lognormal", "median": 3.0, "sigma": 0.5, "high": 20, "unit": "h"},
    {"dist": "empirical", "values": [0, 1, 2, 13], "weights": [30, 3, 1, 1], "unit": "d"},
    {"dist": "empirical", "values": [0.7, 0.9, 1.0]},
    {"dist": "bernoulli", "p": 0.13},
    {"dist": "zero_inflated_weibull", "p_zero": 0.7, "shape": 0.8, "scale": 3.0, "unit": "d"},
    {"dist": "zero_inflated_empirical", "zeros": 5, "n": 6, "positive": [1], "weights": [1]},
    {
        "dist": "zero_inflated_weibull",
        "zeros": 5,
        "n": 6,
        "positive": [1],
        "weights": [1],
        "low": 1,
        "high": 120,
        "unit": "d",
    },
    {
        "dist": "zero_inflated_weibull",
        "zeros": 2,
        "n": 9,
        "positive": [1, 3, 14, 2, 40],
        "high": 200,
        "shape_median": 0.8,
        "unit": "d",
    },
    {"dist": "zero_inflated_empirical", "zeros": 3, "n": 9, "positive": [4, 1, 2, 1], "unit": "d"},
    {
        "dist": "predictive",
        "family": "lognormal",
        "n": 16,
        "df": 15,
        "mean": 1.2,
        "sd": 0.06,
        "low": 1.7,
        "high": 6.8,
        "unit": "h",
    },
    {"dist": "predictive", "family": "normal", "n": 5, "mean": 3.0, "sd": 0.4, "unit": "h"},
]


@pytest.mark.parametrize("spec", DISTRIBUTIONS, ids=lambda d: d["dist"])
def test_a_compiled_draw_equals_the_distributions_own_draw(spec):
    dist = coerce_distribution(spec, duration=False)
    compiled = pickle.loads(pickle.dumps(Draw(dist)))  # workers receive it pickled
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    want = [float(dist.sample(a)) * dist.to_hours for _ in range(500)]
    got = [compiled.hours(b) for _ in range(500)]
    assert got == want  # exact, not approximately
    assert a.random() == b.random()  # and the generators moved alike


@pytest.mark.parametrize("spec", DISTRIBUTIONS, ids=lambda d: d["dist"])
def test_the_inverse_cdf_gives_the_distributions_quantiles(spec):
    dist = coerce_distribution(spec, duration=False)
    compiled = Draw(dist)
    us = np.linspace(0.0005, 0.9995, 41)
    values = [compiled.at(u) for u in us]
    # Monotone in u (Bernoulli keeps the generator's own mapping, 1 for u < p: decreasing).
    assert values in (sorted(values), sorted(values, reverse=True))
    # The mean of the inverse CDF over a fine midpoint grid is the distribution's mean.
    grid = (np.arange(20_000) + 0.5) / 20_000
    mean = np.mean([compiled.at(u) for u in grid])
    assert mean == pytest.approx(dist.mean() * dist.to_hours, rel=2e-3, abs=1e-3)


@pytest.mark.parametrize(
    "spec",
    [
        d
        for d in DISTRIBUTIONS
        if d["dist"] == "predictive" or (d["dist"] == "zero_inflated_weibull" and "zeros" in d)
    ],
    ids=lambda d: d.get("family", d["dist"]),
)
def test_a_compiled_inverse_equals_its_quantile_bit_for_bit(spec):
    """Stratified sampling reads predictive inputs and launch slips from the record through the
    compiled inverse: the very numbers of ``dist.quantile``, the ends (0 and 1) included."""
    dist = coerce_distribution(spec, duration=False)
    compiled = Draw(dist)
    for u in [0.0, 1e-12, *np.linspace(0.0005, 0.9995, 101).tolist(), 1 - 1e-12, 1.0]:
        assert compiled.value_at(u) == dist.quantile(u)
