"""Statistical fits for calibration: binomial intervals, the median, and the zero-inflated Weibull.

The zero-inflated Weibull is the launch-delay model of Gardner & Grogan: a share ``p_zero`` of
launches leave on the planned day, the others slip by a Weibull(``shape``, ``scale``) number of days.
Its likelihood separates, so the maximum-likelihood ``p_zero`` is the share of zeros and the Weibull
is fitted to the positive values alone (numerically, with ``scipy.optimize``). Intervals come from a
nonparametric bootstrap (resampling flights) with a fixed seed, so they are reproducible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from sim.analysis.estimates import wilson


def wilson_interval(k: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``k`` of ``n`` (``(0, 1)`` when ``n == 0``), by
    ``scipy.stats.binomtest`` (:func:`sim.analysis.estimates.wilson`)."""
    if n == 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    return wilson(k, n, conf)


def jeffreys_rate(k: int, n: int) -> float:
    """Posterior mean of a rate under the Jeffreys prior, ``(k + 1/2) / (n + 1)``.

    Used for event probabilities so that an event not seen in ``n`` flights keeps a small,
    honest probability instead of zero.
    """
    return (k + 0.5) / (n + 1)


def median_interval(values, conf: float = 0.95) -> tuple[float, float]:
    """Distribution-free interval for the median from order statistics (binomial ranks).

    With few values the widest achievable interval, ``(min, max)``, is returned.
    """
    x = np.sort(np.asarray(values, float))
    n = len(x)
    if n == 0:
        raise ValueError("median_interval needs at least one value")
    # Ranks j and n+1-j (1-based) cover the median with probability 1 - 2 P(Bin(n, 1/2) <= j-1).
    j = 1
    while j + 1 <= (n + 1) / 2 and 1 - 2 * stats.binom.cdf(j, n, 0.5) >= conf:
        j += 1
    return float(x[j - 1]), float(x[n - j])


@dataclass(frozen=True)
class ZIWeibullFit:
    """A fitted zero-inflated Weibull with percentile-bootstrap intervals (``conf`` level)."""

    p_zero: float
    shape: float
    scale: float
    n: int
    n_zero: int
    loglik: float
    p_zero_ci: tuple[float, float]
    shape_ci: tuple[float, float]
    scale_ci: tuple[float, float]
    n_boot: int  # bootstrap resamples that could be fitted
    conf: float

    def as_yaml(self, unit: str = "d") -> dict:
        """The scenario YAML form of the fitted distribution."""
        return {
            "dist": "zero_inflated_weibull",
            "p_zero": round(self.p_zero, 4),
            "shape": round(self.shape, 4),
            "scale": round(self.scale, 4),
            "unit": unit,
        }


def fit_weibull(positive) -> tuple[float, float, float]:
    """Maximum-likelihood Weibull ``(shape, scale, loglik)`` of positive values.

    Needs at least two distinct values. The scale is profiled out, so the optimiser searches the
    shape alone (bounded, on the log scale).
    """
    x = np.asarray(positive, float)
    if len(x) < 2 or np.any(x <= 0) or np.ptp(x) == 0:
        raise ValueError("a Weibull fit needs at least two distinct positive values")
    logx = np.log(x)

    def scale_of(k: float) -> float:
        return float(np.mean(x**k) ** (1 / k))

    def neg_loglik(log_k: float) -> float:
        k = math.exp(log_k)
        lam = scale_of(k)
        z = x / lam
        return -float(np.sum(math.log(k / lam) + (k - 1) * (logx - math.log(lam)) - z**k))

    res = optimize.minimize_scalar(
        neg_loglik, bounds=(math.log(0.05), math.log(50)), method="bounded"
    )
    k = math.exp(res.x)
    return k, scale_of(k), -float(res.fun)


def _fit_point(x: np.ndarray) -> tuple[float, float, float, float]:
    zero = x <= 0
    p0 = float(zero.mean())
    k, lam, ll = fit_weibull(x[~zero])
    n0, n = int(zero.sum()), len(x)
    ll_zero = (n0 * math.log(p0) if n0 else 0.0) + ((n - n0) * math.log(1 - p0) if n > n0 else 0)
    return p0, k, lam, ll + ll_zero


def fit_zero_inflated_weibull(
    values, *, n_boot: int = 1000, seed: int = 0, conf: float = 0.95
) -> ZIWeibullFit:
    """Fit a zero-inflated Weibull to slips (``<= 0`` counts as on time) by maximum likelihood.

    Intervals: percentile bootstrap over ``n_boot`` resamples of the values (``seed`` fixes them);
    resamples with fewer than two distinct positive values cannot be fitted and are skipped
    (``n_boot`` of the result says how many were used).
    """
    x = np.asarray(values, float)
    if np.any(~np.isfinite(x)):
        raise ValueError("slips must be finite numbers")
    p0, k, lam, ll = _fit_point(x)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(n_boot):
        sample = x[rng.integers(0, len(x), len(x))]
        try:
            draws.append(_fit_point(sample)[:3])
        except ValueError:
            continue
    tail = (1 - conf) / 2 * 100
    if draws:
        arr = np.asarray(draws)
        lo, hi = np.percentile(arr, [tail, 100 - tail], axis=0)
        cis = [(float(a), float(b)) for a, b in zip(lo, hi, strict=True)]
    else:
        cis = [(math.nan, math.nan)] * 3
    return ZIWeibullFit(
        p_zero=p0,
        shape=k,
        scale=lam,
        n=len(x),
        n_zero=int((x <= 0).sum()),
        loglik=ll,
        p_zero_ci=cis[0],
        shape_ci=cis[1],
        scale_ci=cis[2],
        n_boot=len(draws),
        conf=conf,
    )
