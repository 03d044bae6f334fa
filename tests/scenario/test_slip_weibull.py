"""The zero-inflated Weibull slip from the record: its shape posterior and predictive by hand,
its recovery of a known Weibull from many slips, and its draws (one replication's alone).

Statistical checks are deterministic (fixed seeds) with tolerances of 4 standard errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError
from scipy import integrate, stats

from sim.model.draws import Draw
from sim.scenario.distributions import ZeroInflatedWeibull, coerce_distribution

RECORD = {"dist": "zero_inflated_weibull", "zeros": 5, "n": 6, "positive": [1], "unit": "d"}


def _positive_share_below(dist: ZeroInflatedWeibull, y: float) -> float:
    """P(slip <= y | a slip), from the distribution's quantile function (bisection)."""
    p0 = dist.on_time.mean()
    lo, hi = p0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if dist.quantile(mid) <= y else (lo, mid)
    return (lo - p0) / (1 - p0)


def test_one_slip_of_one_day_leaves_its_size_uncertain():
    """One positive slip x = 1: the shape's likelihood is flat (k^0 1^(k-1) / 1^k), so its
    posterior is the prior, and given k the predictive CDF is y^k / (1 + y^k) (the median is
    1 day for every k), truncated at H = 120 d: divided by H^k / (1 + H^k). P(slip <= y | a slip)
    is its average over the log-normal prior of k (median 1, log-sd 0.5)."""
    high = 120.0
    dist = coerce_distribution({**RECORD, "high": high}, duration=True)
    for y in (1.0, 3.0, 13.0, 26.0):

        def below(z: float, y: float = y) -> float:
            k = math.exp(0.5 * z)
            return stats.norm.pdf(z) * (y**k / (1 + y**k)) / (high**k / (1 + high**k))

        expected = integrate.quad(below, -8, 8)[0]
        assert _positive_share_below(dist, y) == pytest.approx(expected, abs=1e-3)
    # The empirical record of the same flights says every slip is 1 day; this one does not:
    # P(a slip is 13 days or more) is about 7 %.
    assert 0.05 < 1 - _positive_share_below(dist, 13.0) < 0.1


def test_many_slips_recover_the_weibull_they_came_from():
    """With 400 slips from Weibull(shape 1.5, scale 10) the prior no longer matters: the
    predictive's quantiles are the true ones (to within the sampling error of 400 values)."""
    rng = np.random.default_rng(3)
    slips = np.round(10 * rng.weibull(1.5, 400), 3)
    dist = ZeroInflatedWeibull(zeros=100, n=500, positive=slips.tolist(), high=1000)
    truth = stats.weibull_min(1.5, scale=10)
    p0 = dist.on_time.mean()
    assert p0 == pytest.approx(100.5 / 501)
    for q in (0.1, 0.5, 0.9):
        got = dist.quantile(p0 + q * (1 - p0))
        # The empirical quantile of 400 values has sd ~ sqrt(q(1-q)/400) / f(x_q).
        se = math.sqrt(q * (1 - q) / 400) / truth.pdf(truth.ppf(q))
        assert abs(got - truth.ppf(q)) < 4 * se, (q, got, truth.ppf(q), se)


def test_draws_match_the_marginal_and_respect_the_bounds():
    dist = coerce_distribution({**RECORD, "low": 1, "high": 120}, duration=True)
    x = dist.sample(np.random.default_rng(8), 100_000)
    p0 = dist.on_time.mean()  # Jeffreys: 5.5 / 7
    assert p0 == pytest.approx(5.5 / 7)
    assert abs(np.mean(x == 0) - p0) < 4 * math.sqrt(p0 * (1 - p0) / x.size)
    positive = x[x > 0]
    assert positive.min() >= 1 and positive.max() <= 120
    for q in (0.5, 0.8, 0.95, 0.99):
        xq = dist.quantile(q)
        tol = 4 * math.sqrt(q * (1 - q) / x.size)
        assert np.mean(x < xq) <= q + tol and np.mean(x <= xq) >= q - tol
    se = x.std(ddof=1) / math.sqrt(x.size)
    assert abs(x.mean() - dist.mean()) < 4 * se


def test_a_draw_makes_the_same_generator_calls_whatever_it_returns():
    """Four calls (a beta, three uniforms) per draw: the stream after a draw does not depend on
    whether the flight slipped, so one replication does not shift another's draws."""
    dist = coerce_distribution({**RECORD, "low": 1, "high": 120}, duration=True)
    compiled = Draw(dist)
    values = []
    for seed in range(40):
        rng, ref = np.random.default_rng(seed), np.random.default_rng(seed)
        values.append(compiled.value(rng))
        ref.beta(*dist.on_time.alpha_beta), ref.random(), ref.random(), ref.random()
        assert rng.random() == ref.random()
        assert values[-1] == dist.sample(np.random.default_rng(seed))
    assert 0.0 in values and any(v >= 1 for v in values)


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"positive": [1]}, "needs `high`"),
        ({"positive": [], "high": 120}, "at least one positive slip"),
        ({"positive": [200], "high": 120}, "at most high"),
        ({"positive": [1], "high": 120, "p_zero": 0.5}, "either p_zero"),
        ({"positive": [1], "high": 120, "zeros": 7}, "at most n"),
        ({"positive": [1], "high": 120, "low": 200}, "low < high"),
    ],
)
def test_inconsistent_records_are_refused(fields, words):
    with pytest.raises(ValidationError, match=words):
        coerce_distribution({**RECORD, **fields}, duration=True)


def test_a_plug_in_fit_refuses_record_fields():
    with pytest.raises(ValidationError, match="only for a zero_inflated_weibull from the record"):
        ZeroInflatedWeibull(p_zero=0.5, shape=1, scale=2, high=10)


def test_the_baseline_slip_is_listed_as_calibrated_on_its_flights():
    from pathlib import Path

    from sim.scenario import load_scenario, uncertain_inputs

    baseline = Path(__file__).resolve().parents[2] / "scenarios" / "vyzov_2021.yaml"
    slip = next(
        a
        for a in uncertain_inputs(load_scenario(baseline))
        if a.path == "vehicles.MS-19.launch.slip"
    )
    assert slip.distribution.startswith("zero_inflated_weibull(zeros=5, n=6, positive=[1.0]")
    assert slip.calibrated and slip.basis == "n = 6"
    # Its mean: P(late) 1.5 / 7 times the mean positive slip (at least a day, heavy-tailed).
    assert 0.5 < slip.mean < 2.0
    plug_in = ZeroInflatedWeibull(p_zero=0.5, shape=1, scale=2, unit="d")
    assert plug_in.from_record is False
