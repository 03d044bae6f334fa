"""The zero-inflated Weibull launch slip, as a plug-in fit or with its parameter uncertainty.

``{dist: zero_inflated_weibull, p_zero, shape, scale}`` is the plug-in form (the launch-delay
model of Gardner & Grogan): on time with probability ``p_zero``, else a Weibull(``shape``,
``scale``) slip. Its parameters are taken as known.

``{dist: zero_inflated_weibull, zeros, n, positive, weights, high, low}`` is the same model **from
the record, with the uncertainty of its parameters**: on time in ``zeros`` of ``n`` flights, and the
positive slips ``positive`` (with ``weights``, counts). In each replication

1. the on-time probability is drawn from its posterior Beta(zeros + a0, n - zeros + b0)
   (reference prior ``prior``, Jeffreys by default), as in ``zero_inflated_empirical``;
2. the Weibull shape k is drawn from its posterior on a grid of :data:`GRID` values of log k,
   under a weakly informative log-normal prior (median ``shape_median``, default 1: the
   exponential, log-sd ``shape_sigma``, default 0.5: 95 % of its mass in 0.38-2.7) and the
   scale-invariant reference prior p(scale) ~ 1/scale. Integrating the scale out in closed form,
   p(k | slips) ~ p(k) k^(m-1) prod(x_i^(k-1)) / S_k^m with S_k = sum x_i^k over the m positive
   slips;
3. the slip is drawn from the Weibull with that k and its scale integrated over its posterior
   (given k, x^k has posterior predictive survival (S_k / (S_k + t))^m, a Lomax), truncated at
   ``high`` (by the inverse CDF: one uniform per draw, no rejection), and at least ``low`` (a slip
   is by whole days: a positive slip is at least one).

So a record with a single slip of one day no longer says that every slip is one day: the sizes are
as uncertain as one value makes them. Each draw makes the same four generator calls (a beta and three
uniforms) whatever it returns, so replication ``i`` does not depend on the others. ``quantile`` and
``mean`` are those of the marginal (posterior predictive) distribution, computed once on a dense grid
of slips (the stratified and Latin-hypercube sampling plans use the quantile).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.scenario.families import _Dist
from sim.scenario.posterior import Beta

#: Points of the grid of log shape on which the shape's posterior is computed (+-4 prior sd).
GRID = 201
#: Points of the (log-spaced) grid of slips on which the marginal CDF is tabulated.
_TABLE = 2001


class ZeroInflatedWeibull(_Dist):
    """Zero with probability ``p_zero``, else Weibull(``shape``, ``scale``) (plug-in); or the same
    model from the record with its parameters drawn per replication (see the module docstring)."""

    dist: Literal["zero_inflated_weibull"] = "zero_inflated_weibull"
    p_zero: float | None = Field(default=None, ge=0, le=1, description="P(no slip), plug-in.")
    shape: float | None = Field(default=None, gt=0, description="Weibull shape, plug-in.")
    scale: float | None = Field(default=None, gt=0, description="Weibull scale, plug-in.")
    zeros: int | None = Field(default=None, ge=0, description="Flights on time (from the record).")
    n: int | None = Field(default=None, ge=1, description="Flights in the record.")
    positive: list[float] | None = Field(default=None, description="Observed positive slips.")
    weights: list[float] | None = Field(default=None, description="Counts of `positive`.")
    prior: Literal["jeffreys", "uniform"] | None = Field(
        default=None, description="Reference prior of the on-time share (default jeffreys)."
    )
    shape_median: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="Prior median of the shape (1)."
    )
    shape_sigma: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="Prior log-sd of the shape (0.5)."
    )
    low: float | None = Field(
        default=None, ge=0, allow_inf_nan=False, description="Smallest positive slip."
    )
    high: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="Largest slip (truncation)."
    )

    @model_validator(mode="after")
    def _check(self) -> ZeroInflatedWeibull:
        plug_in = [self.p_zero, self.shape, self.scale]
        record = [self.zeros, self.n, self.positive]
        if any(v is not None for v in plug_in) == any(v is not None for v in record):
            raise ValueError(
                "zero_inflated_weibull needs either p_zero, shape and scale (a plug-in fit) or "
                "zeros, n, positive and high (the record, with parameter uncertainty)"
            )
        if any(v is not None for v in plug_in):
            if any(v is None for v in plug_in):
                raise ValueError("a plug-in zero_inflated_weibull needs p_zero, shape and scale")
            extra = [
                name
                for name in ("weights", "prior", "shape_median", "shape_sigma", "low", "high")
                if getattr(self, name) is not None
            ]
            if extra:
                raise ValueError(
                    f"{', '.join(extra)}: only for a zero_inflated_weibull from the record"
                )
            return self
        if self.zeros is None or self.n is None or not self.positive:
            raise ValueError(
                "zero_inflated_weibull from the record needs zeros, n and at least one positive slip"
            )
        if self.zeros > self.n:
            raise ValueError(f"zeros must be at most n, got zeros={self.zeros}, n={self.n}")
        if any(not math.isfinite(v) or v <= 0 for v in self.positive):
            raise ValueError("positive slips must be finite numbers > 0")
        if self.high is not None and max(self.positive) > self.high:
            raise ValueError(f"positive slips must be at most high={self.high}")
        if self.high is not None and self.high > 1e6 * min(self.positive):
            raise ValueError(f"high={self.high} is more than 10^6 times the smallest positive slip")
        if self.weights is not None:
            if len(self.weights) != len(self.positive):
                raise ValueError("one weight per positive slip")
            if any(not math.isfinite(w) or w < 0 for w in self.weights) or not sum(self.weights):
                raise ValueError("weights must be finite, non-negative, with a positive sum")
        if self.high is None:
            raise ValueError(
                "zero_inflated_weibull from the record needs `high` (its tail is heavy)"
            )
        if not (self.low or 0.0) < self.high:
            raise ValueError(f"needs low < high, got low={self.low}, high={self.high}")
        return self

    @property
    def from_record(self) -> bool:
        """True when the parameters are drawn per replication (the record form)."""
        return self.p_zero is None

    @property
    def on_time(self) -> Beta:
        """The posterior of the on-time probability (record form)."""
        return Beta(k=self.zeros, n=self.n, prior=self.prior or "jeffreys")

    def _key(self) -> tuple:
        """The parameters the posterior depends on, hashable (for the caches)."""
        weights = tuple(self.weights) if self.weights is not None else (1.0,) * len(self.positive)
        return (
            tuple(self.positive),
            weights,
            self.shape_median or 1.0,
            self.shape_sigma or 0.5,
            self.low or 0.0,
            self.high,
        )

    def _posterior(self) -> dict[str, Any]:
        """The shape grid with its posterior CDF, S_k and the truncation mass (cached)."""
        return _shape_posterior(*self._key())

    def _positive_cdf(self, y: np.ndarray) -> np.ndarray:
        """Marginal CDF of a positive slip before the ``low`` floor, truncated at ``high``."""
        return _positive_cdf(self._posterior(), y, self.high)

    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        """Slips (log-spaced from a tiny value to ``high``) and the marginal positive CDF there."""
        return _cdf_table(*self._key())

    def sample(self, rng, size=None):
        if not self.from_record:
            slip = self.scale * rng.weibull(self.shape, size)
            zero = rng.random(size) < self.p_zero
            if size is None:
                return 0.0 if zero else float(slip)
            return np.where(zero, 0.0, slip)
        p = self._posterior()
        p0 = self.on_time.sample(rng, size)
        u_zero = rng.random(size)
        j = np.minimum(np.searchsorted(p["cum"], rng.random(size), side="right"), GRID - 1)
        v = rng.random(size) * p["mass"][j]  # uniform over the mass below `high`
        t = p["s"][j] * ((1.0 - v) ** (-1.0 / p["m"]) - 1.0)  # (x/high)^k: Lomax predictive
        slip = np.maximum(self.high * t ** (1.0 / p["k"][j]), self.low or 0.0)
        out = np.where(u_zero < p0, 0.0, np.minimum(slip, self.high))
        return float(out) if size is None else out

    def mean(self) -> float:
        if not self.from_record:
            return (1 - self.p_zero) * self.scale * math.gamma(1 + 1 / self.shape)
        y, cdf = self._table()
        floor = self.low or 0.0
        # E[max(floor, Y)] = floor + integral from floor to high of P(Y > y) dy
        keep = y >= floor
        ys = np.concatenate([[floor], y[keep]])
        surv = 1.0 - np.concatenate([[float(self._positive_cdf(np.array([floor]))[0])], cdf[keep]])
        positive_mean = floor + float(np.sum(np.diff(ys) * (surv[1:] + surv[:-1]) / 2))
        return (1 - self.on_time.mean()) * positive_mean

    def quantile(self, q: float) -> float:
        p_zero = self.p_zero if not self.from_record else self.on_time.mean()
        if q <= p_zero:
            return 0.0
        qq = min((q - p_zero) / (1 - p_zero), 1.0)
        if not self.from_record:
            return self.scale * (-math.log(1 - qq)) ** (1 / self.shape) if qq < 1 else math.inf
        y, cdf = self._table()
        value = float(np.interp(qq, cdf, y))
        return min(max(value, self.low or 0.0), self.high)


@lru_cache(maxsize=64)
def _shape_posterior(
    positive: tuple[float, ...],
    weights: tuple[float, ...],
    shape_median: float,
    shape_sigma: float,
    low: float,
    high: float,
) -> dict[str, Any]:
    """The posterior of the shape on its grid (see the module docstring), with S_k, m and the
    mass below ``high`` of each grid point's predictive."""
    # Slips are measured in units of `high` (r = x / high <= 1), so no power overflows; the
    # posterior is unchanged (the terms this drops are constant in k).
    log_r = np.log(np.asarray(positive, float)) - math.log(high)
    w = np.asarray(weights, float)
    m = float(w.sum())
    z = np.linspace(-4.0, 4.0, GRID)
    k = shape_median * np.exp(shape_sigma * z)
    from scipy.special import logsumexp  # imported when first needed (a third of a second)

    with np.errstate(divide="ignore", under="ignore"):
        log_s = logsumexp(np.log(w)[None, :] + k[:, None] * log_r[None, :], axis=1)
    log_post = -0.5 * z**2 + (m - 1) * np.log(k) + (k - 1) * float(np.dot(w, log_r))
    log_post -= m * log_s
    prob = np.exp(log_post - log_post.max())
    prob /= prob.sum()
    cum = np.cumsum(prob)
    cum[-1] = 1.0
    s = np.exp(log_s)
    mass = -np.expm1(-m * np.logaddexp(0.0, -log_s))  # 1 - (s / (s + 1))^m
    return {"k": k, "s": s, "m": m, "prob": prob, "cum": cum, "mass": mass}


def _positive_cdf(post: dict[str, Any], y: np.ndarray, high: float) -> np.ndarray:
    """The marginal CDF at ``y`` of a positive slip (before the floor), truncated at ``high``."""
    yk = (np.clip(np.asarray(y, float), 0.0, high) / high)[None, :] ** post["k"][:, None]
    s = post["s"][:, None]
    with np.errstate(invalid="ignore", divide="ignore", under="ignore"):
        cdf_k = (1.0 - (s / (s + yk)) ** post["m"]) / post["mass"][:, None]
    cdf_k = np.nan_to_num(cdf_k, nan=0.0)  # a grid point with no mass: left out
    return post["prob"] @ cdf_k


@lru_cache(maxsize=64)
def _cdf_table(
    positive: tuple[float, ...],
    weights: tuple[float, ...],
    shape_median: float,
    shape_sigma: float,
    low: float,
    high: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Slips log-spaced up to ``high`` (from 0) and the marginal positive CDF there."""
    post = _shape_posterior(positive, weights, shape_median, shape_sigma, low, high)
    y = np.geomspace(high * 1e-6, high, _TABLE)
    cdf = np.maximum.accumulate(_positive_cdf(post, y, high))
    return np.concatenate([[0.0], y]), np.concatenate([[0.0], cdf])
