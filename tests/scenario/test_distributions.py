"""Distributions of the scenario language: sampling against analytic means and quantiles.

Each distribution is sampled at a fixed seed and compared with its analytic ``mean()`` and
``quantile(q)`` within 4 standard errors: the sample mean within 4 sd/sqrt(n), and the empirical CDF
at the analytic quantile within 4 sqrt(q(1-q)/n) of q. ``quantile`` and ``mean`` are also checked
against values computed by hand (or by an independent formula) in this file. Durations: parsing of
"90 min", "3.2 h", "2 d", "1 h 30 min", {value, unit}, and conversion to hours.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError
from scipy import integrate, stats

from sim.scenario.distributions import (
    HOURS_PER_UNIT,
    Bernoulli,
    Empirical,
    Fixed,
    Lognormal,
    Normal,
    Pert,
    PoissonEvent,
    Triangular,
    Uniform,
    ZeroInflatedWeibull,
    coerce_distribution,
    parse_duration_text,
)

N = 40_000
SEED = 20211005
QS = (0.25, 0.9)


def _draw(dist, n: int = N) -> np.ndarray:
    return np.asarray(dist.sample(np.random.default_rng(SEED), n), dtype=float)


def _check_mean(x: np.ndarray, mean: float) -> None:
    se = x.std(ddof=1) / math.sqrt(len(x))
    assert abs(x.mean() - mean) <= 4 * se + 1e-12, (x.mean(), mean, se)


def _check_quantile_continuous(x: np.ndarray, xq: float, q: float) -> None:
    """Empirical CDF at the analytic quantile: |F_n(x_q) - q| <= 4 sqrt(q(1-q)/n)."""
    tol = 4 * math.sqrt(q * (1 - q) / len(x))
    assert abs(np.mean(x <= xq) - q) <= tol, (np.mean(x <= xq), q, tol)


def _check_quantile_discrete(x: np.ndarray, xq: float, q: float) -> None:
    """For a discrete law x_q is the smallest value with F(x_q) >= q: P(X < x_q) <= q <= F(x_q)."""
    tol = 4 * math.sqrt(q * (1 - q) / len(x))
    assert np.mean(x <= xq) >= q - tol
    assert np.mean(x < xq) <= q + tol


CONTINUOUS = {
    "uniform": Uniform(low=2, high=10),
    "triangular": Triangular(low=1, mode=2, high=4),
    "pert": Pert(low=0, mode=1, high=4),
    "normal": Normal(mean=10, sd=2),
    "normal_bounded": Normal(mean=10, sd=2, low=10),
    "normal_two_bounds": Normal(mean=10, sd=2, low=7, high=15),
    "lognormal": Lognormal(median=5, sigma=0.5),
    "lognormal_bounded": Lognormal(median=5, sigma=0.5, low=2, high=10),
}

DISCRETE = {
    "empirical": Empirical(values=[0, 1, 2], weights=[18, 1, 1]),
    "empirical_unweighted": Empirical(values=[3, 1, 2, 10]),
    "bernoulli": Bernoulli(p=0.3),
    "zero_inflated_weibull": ZeroInflatedWeibull(p_zero=0.625, shape=0.9923, scale=13.296),
    "zero_inflated_weibull_record": ZeroInflatedWeibull(
        zeros=5, n=8, positive=[1, 13, 26], low=1, high=120
    ),
}


@pytest.mark.parametrize("name", sorted(CONTINUOUS))
def test_continuous_sample_matches_mean_and_quantiles(name: str) -> None:
    dist = CONTINUOUS[name]
    x = _draw(dist)
    _check_mean(x, dist.mean())
    for q in QS:
        _check_quantile_continuous(x, dist.quantile(q), q)


@pytest.mark.parametrize("name", sorted(DISCRETE))
def test_discrete_sample_matches_mean_and_quantiles(name: str) -> None:
    dist = DISCRETE[name]
    x = _draw(dist)
    _check_mean(x, dist.mean())
    for q in (*QS, 0.5, 0.7, 0.95):
        _check_quantile_discrete(x, dist.quantile(q), q)


def test_zero_inflated_weibull_positive_part_is_weibull() -> None:
    dist = ZeroInflatedWeibull(p_zero=0.3, shape=1.5, scale=10.0)
    x = _draw(dist)
    for q in (0.5, 0.8, 0.95):  # above p_zero the law is continuous
        _check_quantile_continuous(x, dist.quantile(q), q)
    tol = 4 * math.sqrt(0.3 * 0.7 / N)
    assert abs(np.mean(x == 0.0) - 0.3) <= tol


def test_fixed() -> None:
    dist = Fixed(value=5, unit="h")
    assert dist.sample(np.random.default_rng(0)) == 5
    assert np.all(dist.sample(np.random.default_rng(0), 7) == 5)
    assert dist.mean() == 5
    assert dist.quantile(0.1) == dist.quantile(0.9) == 5
    assert dist.is_fixed
    assert dist.lower == 5


# ---------------------------------------------------------------------------------------------
# Hand-computed references
# ---------------------------------------------------------------------------------------------


def test_uniform_by_hand() -> None:
    d = Uniform(low=2, high=10)
    assert d.mean() == pytest.approx(6.0)
    assert d.quantile(0.25) == pytest.approx(4.0)
    assert d.quantile(0.9) == pytest.approx(9.2)


def test_triangular_by_hand() -> None:
    d = Triangular(low=1, mode=2, high=4)
    assert d.mean() == pytest.approx(7 / 3)
    # F(x) = (x-1)^2 / ((4-1)(2-1)) below the mode (F(mode) = 1/3).
    assert d.quantile(0.25) == pytest.approx(1 + math.sqrt(0.75))
    # 1 - F(x) = (4-x)^2 / ((4-1)(4-2)) above the mode.
    assert d.quantile(0.9) == pytest.approx(4 - math.sqrt(0.6))
    assert d.quantile(1 / 3) == pytest.approx(2.0)


def test_pert_by_hand() -> None:
    d = Pert(low=0, mode=1, high=4)  # lambda 4: Beta(2, 4) on [0, 4]
    assert d.mean() == pytest.approx(4 / 3)

    def beta24_cdf(u: float) -> float:  # I_u(2, 4) = 1 - (1-u)^5 - 5u(1-u)^4
        return 1 - (1 - u) ** 5 - 5 * u * (1 - u) ** 4

    for q in QS:
        assert beta24_cdf(d.quantile(q) / 4) == pytest.approx(q, abs=1e-9)
    assert d.lower == 0.0


def test_normal_by_hand() -> None:
    d = Normal(mean=10, sd=2)
    assert d.mean() == pytest.approx(10.0)
    assert d.quantile(0.975) == pytest.approx(10 + 2 * 1.959963985, abs=1e-6)
    assert d.quantile(0.5) == pytest.approx(10.0)
    assert d.lower == -math.inf


def test_half_normal_by_hand() -> None:
    d = Normal(mean=10, sd=2, low=10)
    assert d.mean() == pytest.approx(10 + 2 * math.sqrt(2 / math.pi))
    # Median of a half-normal: sd * z_{0.75}.
    assert d.quantile(0.5) == pytest.approx(10 + 2 * 0.6744897502, abs=1e-6)
    assert d.lower == pytest.approx(10.0)


def test_two_sided_truncated_normal_against_scipy() -> None:
    d = Normal(mean=10, sd=2, low=7, high=15)
    ref = stats.truncnorm((7 - 10) / 2, (15 - 10) / 2, loc=10, scale=2)
    assert d.mean() == pytest.approx(ref.mean(), rel=1e-9)
    for q in QS:
        assert d.quantile(q) == pytest.approx(ref.ppf(q), rel=1e-9)


def test_lognormal_by_hand() -> None:
    d = Lognormal(median=5, sigma=0.5)
    assert d.mean() == pytest.approx(5 * math.exp(0.125))
    assert d.quantile(0.5) == pytest.approx(5.0)
    assert d.quantile(stats.norm.cdf(1.0)) == pytest.approx(5 * math.exp(0.5))
    assert d.lower == 0.0


def test_bounded_lognormal_against_integration() -> None:
    d = Lognormal(median=5, sigma=0.5, low=2, high=10)
    ref = stats.lognorm(s=0.5, scale=5)
    mass = ref.cdf(10) - ref.cdf(2)
    mean, _ = integrate.quad(lambda x: x * ref.pdf(x), 2, 10)
    assert d.mean() == pytest.approx(mean / mass, rel=1e-7)
    for q in QS:
        assert ref.cdf(d.quantile(q)) - ref.cdf(2) == pytest.approx(q * mass, abs=1e-9)
    assert d.lower == pytest.approx(2.0)


def test_empirical_by_hand() -> None:
    d = Empirical(values=[0, 1, 2], weights=[18, 1, 1])
    assert d.mean() == pytest.approx(0.15)
    assert d.quantile(0.5) == 0
    assert d.quantile(0.9) == 0  # F(0) = 0.9 exactly
    assert d.quantile(0.95) == 1
    assert d.quantile(0.96) == 2
    # Unsorted values with counts.
    d2 = Empirical(values=[13, 0, 26, 1], weights=[1, 5, 1, 1])
    assert d2.mean() == pytest.approx(40 / 8)
    assert d2.quantile(0.6) == 0
    assert d2.quantile(0.7) == 1
    assert d2.quantile(0.8) == 13


def test_empirical_zero_weight_never_drawn() -> None:
    d = Empirical(values=[5, 7], weights=[0, 1])
    assert set(np.unique(_draw(d, 1000))) == {7.0}


def test_bernoulli_by_hand() -> None:
    d = Bernoulli(p=0.3)
    assert d.mean() == 0.3
    assert d.quantile(0.7) == 0.0
    assert d.quantile(0.71) == 1.0


def test_zero_inflated_weibull_by_hand() -> None:
    d = ZeroInflatedWeibull(p_zero=0.625, shape=1.0, scale=13.296)  # shape 1: exponential
    assert d.mean() == pytest.approx(0.375 * 13.296)
    assert d.quantile(0.5) == 0.0
    assert d.quantile(0.9) == pytest.approx(13.296 * math.log(1 / (1 - 0.275 / 0.375)))
    d2 = ZeroInflatedWeibull(p_zero=0.0, shape=2.0, scale=10.0)
    assert d2.mean() == pytest.approx(10 * math.sqrt(math.pi) / 2)  # Gamma(1.5) = sqrt(pi)/2
    assert d2.quantile(1 - math.exp(-1)) == pytest.approx(10.0)


# ---------------------------------------------------------------------------------------------
# Poisson risk events
# ---------------------------------------------------------------------------------------------


def test_poisson_event_counts_and_times() -> None:
    event = PoissonEvent(rate=0.5, per="d")
    assert event.rate_per_hour == pytest.approx(0.5 / 24)
    assert event.mean_count(720.0) == pytest.approx(15.0)
    rng = np.random.default_rng(SEED)
    n = 4000
    draws = [event.times(rng, 100.0, 820.0) for _ in range(n)]
    counts = np.array([len(t) for t in draws], dtype=float)
    _check_mean(counts, 15.0)
    assert abs(counts.var(ddof=1) / 15.0 - 1) < 0.1  # Poisson: variance = mean
    ref = stats.poisson(15.0)
    for q in QS:
        _check_quantile_discrete(counts, ref.ppf(q), q)
    times = np.concatenate(draws)
    assert np.all((times >= 100.0) & (times < 820.0))
    assert all(np.all(np.diff(t) >= 0) for t in draws)
    _check_mean(times, 460.0)  # uniform arrivals: the midpoint
    _check_quantile_continuous(times, 100.0 + 0.25 * 720.0, 0.25)


def test_poisson_event_units_and_empty_interval() -> None:
    assert PoissonEvent(rate=2, per="h").mean_count(3.0) == pytest.approx(6.0)
    assert PoissonEvent(rate=60, per="min").rate_per_hour == pytest.approx(3600.0)
    rng = np.random.default_rng(0)
    assert len(PoissonEvent(rate=5, per="h").times(rng, 10.0, 10.0)) == 0
    assert len(PoissonEvent(rate=0, per="d").times(rng, 0.0, 1e6)) == 0
    with pytest.raises(ValidationError):
        PoissonEvent(rate=-1)
    with pytest.raises(ValidationError):
        PoissonEvent(rate=1, per="week")


# ---------------------------------------------------------------------------------------------
# Vectorised sampling
# ---------------------------------------------------------------------------------------------

ALL = {**CONTINUOUS, **DISCRETE, "fixed": Fixed(value=2.5)}


@pytest.mark.parametrize("name", sorted(ALL))
def test_vectorised_size(name: str) -> None:
    dist = ALL[name]
    one = dist.sample(np.random.default_rng(1))
    assert np.ndim(one) == 0
    assert math.isfinite(float(one))
    many = dist.sample(np.random.default_rng(1), 5)
    assert np.shape(many) == (5,)
    grid = dist.sample(np.random.default_rng(1), (2, 3))
    assert np.shape(grid) == (2, 3)
    assert np.all(np.asarray(grid) >= dist.lower)
    # Same seed, same stream: reproducible.
    again = dist.sample(np.random.default_rng(1), 5)
    assert np.array_equal(np.asarray(many), np.asarray(again))


def test_sample_hours_and_mean_hours() -> None:
    d = Triangular(low=25, mode=43, high=45, unit="min")
    assert d.to_hours == pytest.approx(1 / 60)
    assert d.mean_hours() == pytest.approx((25 + 43 + 45) / 3 / 60)
    x = np.asarray(d.sample_hours(np.random.default_rng(SEED), N))
    assert x.min() >= 25 / 60 and x.max() <= 45 / 60
    _check_mean(x, d.mean_hours())
    assert Empirical(values=[0, 1, 2], unit="d").mean_hours() == pytest.approx(24.0)
    assert Bernoulli(p=0.5).to_hours == 1.0  # no unit: no conversion


# ---------------------------------------------------------------------------------------------
# Durations
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("90 min", 90.0, "min"),
        ("3.2 h", 3.2, "h"),
        ("2 d", 2.0, "d"),
        ("1 h 30 min", 90.0, "min"),
        ("3 h 23 min", 203.0, "min"),
        ("1 d 12 h", 36.0, "h"),
        ("90min", 90.0, "min"),
        ("45 s", 45.0, "s"),
        ("2 days", 2.0, "d"),
        ("1.5 hours", 1.5, "h"),
        ("10 minutes", 10.0, "min"),
        ("  4 H ", 4.0, "h"),
        ("1e2 min", 100.0, "min"),
    ],
)
def test_parse_duration_text(text: str, value: float, unit: str) -> None:
    got_value, got_unit = parse_duration_text(text)
    assert got_unit == unit
    assert got_value == pytest.approx(value)


@pytest.mark.parametrize(
    "text", ["90", "min", "ninety min", "5 weeks", "1 h 30", "", "h 3", "3 h!"]
)
def test_parse_duration_text_errors(text: str) -> None:
    with pytest.raises(ValueError, match="duration|unit"):
        parse_duration_text(text)


@pytest.mark.parametrize(
    ("value", "hours"),
    [
        ("90 min", 1.5),
        ("3.2 h", 3.2),
        ("2 d", 48.0),
        ("1 h 30 min", 1.5),
        ("3600 s", 1.0),
        ({"value": 90, "unit": "min"}, 1.5),
        ({"value": 2, "unit": "days"}, 48.0),
        ({"dist": "fixed", "value": 3, "unit": "h"}, 3.0),
        ({"dist": "uniform", "low": 2, "high": 5, "unit": "d"}, 3.5 * 24),
        ({"dist": "triangular", "low": 25, "mode": 43, "high": 45, "unit": "minutes"}, 113 / 180),
    ],
)
def test_duration_to_hours(value, hours: float) -> None:
    dist = coerce_distribution(value, duration=True)
    assert dist.mean_hours() == pytest.approx(hours)
    assert dist.mean() * HOURS_PER_UNIT[dist.unit] == pytest.approx(hours)


def test_duration_text_is_fixed() -> None:
    dist = coerce_distribution("1 h 30 min", duration=True)
    assert isinstance(dist, Fixed)
    assert (dist.value, dist.unit) == (90.0, "min")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3, "needs a unit"),
        (2.5, "needs a unit"),
        ({"dist": "uniform", "low": 1, "high": 2}, "needs 'unit'"),
        ({"value": 5}, "needs 'unit'"),
        ({"low": 1, "high": 2}, "'dist' key"),
        (True, "expected a number or a distribution"),
        ([1, 2], "expected a distribution"),
        ("soon", "expected a duration"),
    ],
)
def test_duration_errors(value, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        coerce_distribution(value, duration=True)


def test_quantity_forms() -> None:
    assert coerce_distribution(0.8, duration=False) == Fixed(value=0.8)
    pert = coerce_distribution({"dist": "pert", "low": 0.8, "mode": 1, "high": 1.2}, duration=False)
    assert isinstance(pert, Pert)
    assert pert.unit is None
    with pytest.raises(ValueError, match="expected a number"):
        coerce_distribution("0.8", duration=False)


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"),
    [
        (Uniform, {"low": 5, "high": 1}, "low <= high"),
        (Triangular, {"low": 5, "mode": 3, "high": 1}, "low <= mode <= high"),
        (Triangular, {"low": 1, "mode": 1, "high": 1}, "low < high"),
        (Pert, {"low": 0, "mode": 5, "high": 4}, "low <= mode <= high"),
        (Normal, {"mean": 0, "sd": 1, "low": 2, "high": 1}, "low < high"),
        (Normal, {"mean": 0, "sd": 1, "low": 60}, "no probability mass"),
        (Lognormal, {"median": 1, "sigma": 0.1, "high": -1}, "high > 0"),
        (Lognormal, {"median": 1, "sigma": 0.01, "low": 1e6}, "no probability mass"),
        (Empirical, {"values": [1, 2], "weights": [0, 0]}, "positive sum"),
        (Empirical, {"values": [1, 2], "weights": [1]}, "one weight per value"),
        (Empirical, {"values": [1, 2], "weights": [-1, 2]}, "non-negative"),
        (Bernoulli, {"p": 1.7}, "less than or equal to 1"),
        (ZeroInflatedWeibull, {"p_zero": 0.5, "shape": 0, "scale": 1}, "greater than 0"),
    ],
)
def test_invalid_parameters(cls, kwargs: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        cls(**kwargs)


# --- distributions with parameter uncertainty (sim.scenario.posterior) ----------------------------


def test_beta_from_counts_is_the_jeffreys_posterior():
    from sim.scenario.posterior import Beta

    b = Beta(k=1, n=40)
    assert b.alpha_beta == (1.5, 39.5)
    assert b.mean() == pytest.approx(1.5 / 41)  # (k + 1/2) / (n + 1)
    assert b.quantile(0.9) == pytest.approx(stats.beta.ppf(0.9, 1.5, 39.5))
    assert Beta(k=0, n=10, prior="uniform").alpha_beta == (1.0, 11.0)
    assert Beta(a=2, b=3).mean() == pytest.approx(0.4)
    x = b.sample(np.random.default_rng(3), 40_000)
    assert abs(x.mean() - b.mean()) < 4 * x.std() / math.sqrt(x.size)
    assert abs(np.mean(x <= b.quantile(0.3)) - 0.3) < 4 * math.sqrt(0.3 * 0.7 / x.size)


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"k": 5, "n": 4}, "k <= n"),
        ({"k": 1}, "both k and n"),
        ({"k": 1, "n": 3, "a": 1, "b": 1}, "either k and n"),
        ({}, "either k and n"),
        ({"a": 1}, "both a and b"),
    ],
)
def test_beta_rejects_inconsistent_fields(fields, words):
    from sim.scenario.posterior import Beta

    with pytest.raises(ValidationError, match=words):
        Beta(**fields)


def test_predictive_is_the_student_t_of_the_fit():
    from sim.scenario.posterior import Predictive

    d = Predictive(family="normal", n=8, mean=49.7, sd=0.4, unit="h")
    t = stats.t(df=7, loc=49.7, scale=0.4 * math.sqrt(1 + 1 / 8))
    for q in (0.05, 0.25, 0.5, 0.9):
        assert d.quantile(q) == pytest.approx(t.ppf(q), rel=1e-9)
    assert d.mean() == pytest.approx(49.7)
    x = d.sample(np.random.default_rng(1), 40_000)
    assert abs(np.mean(x <= t.ppf(0.9)) - 0.9) < 4 * math.sqrt(0.09 / x.size)
    # A pooled spread brings its own degrees of freedom.
    pooled = Predictive(family="normal", n=2, df=30, mean=3.2, sd=0.1, unit="h")
    assert pooled.quantile(0.95) == pytest.approx(
        stats.t.ppf(0.95, 30, loc=3.2, scale=0.1 * math.sqrt(1.5))
    )


def test_predictive_lognormal_truncated():
    from sim.scenario.posterior import Predictive

    d = Predictive(
        family="lognormal", n=3, mean=math.log(3.2), sd=0.05, low=1.6, high=6.4, unit="h"
    )
    x = d.sample(np.random.default_rng(2), 40_000)
    assert x.min() >= 1.6 and x.max() <= 6.4
    assert d.quantile(0.0) == pytest.approx(1.6) and d.quantile(1.0) == pytest.approx(6.4)
    assert abs(x.mean() - d.mean()) < 4 * x.std() / math.sqrt(x.size)
    with pytest.raises(ValidationError, match="needs `high`"):
        Predictive(family="lognormal", n=3, mean=1.0, sd=0.05)
    with pytest.raises(ValidationError, match="needs `df`"):
        Predictive(family="normal", n=1, mean=1.0, sd=0.05)


def test_zero_inflated_empirical_draws_the_on_time_share():
    from sim.scenario.posterior import ZeroInflatedEmpirical

    d = ZeroInflatedEmpirical(zeros=5, n=8, positive=[1, 13, 26], unit="d")
    p0 = 5.5 / 9  # Jeffreys posterior mean of the on-time share
    assert d.on_time.mean() == pytest.approx(p0)
    assert d.mean() == pytest.approx((1 - p0) * 40 / 3)
    x = d.sample(np.random.default_rng(4), 40_000)
    assert abs(np.mean(x == 0) - p0) < 4 * math.sqrt(p0 * (1 - p0) / x.size)
    assert set(np.unique(x)) == {0.0, 1.0, 13.0, 26.0}
    assert d.quantile(0.5) == 0.0 and d.quantile(0.99) == 26.0
    with pytest.raises(ValidationError, match="need their `positive`"):
        ZeroInflatedEmpirical(zeros=1, n=2, unit="d")
    with pytest.raises(ValidationError, match="min_slip is only"):
        ZeroInflatedEmpirical(zeros=1, n=2, positive=[3], min_slip=1, unit="d")
