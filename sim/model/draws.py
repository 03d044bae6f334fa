"""Distributions compiled once per scenario into plain sampling functions.

A scenario's distributions are pydantic models whose ``sample`` recomputes its parameters on every
call (cumulative weights, PERT's beta parameters, truncation masses, unit factors). :class:`Draw`
does that work once, when the scenario is compiled, and keeps a closure that makes exactly the same
generator calls in the same order, so a compiled draw returns bit for bit the value of
``float(dist.sample(rng)) * dist.to_hours`` (tested for every kind of distribution).

``at(u)`` is the same distribution by its inverse CDF at a given uniform ``u`` (0 <= u < 1), used
when an input is stratified (see :mod:`sim.montecarlo.sampling`); for empirical and Bernoulli
inputs it is the very mapping the generator path uses.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable
from typing import Any

import numpy as np

Sampler = Callable[[np.random.Generator], float]


class Draw:
    """One distribution, compiled: ``value(rng)`` (its own unit), ``hours(rng)`` (in hours) and
    ``at(u)`` (hours, by inverse CDF). Pickles as its distribution and recompiles on arrival."""

    __slots__ = ("dist", "value", "hours", "_inverse", "_factor")

    def __init__(self, dist: Any) -> None:
        self.dist = dist
        self._factor = float(dist.to_hours)
        self.value, self._inverse = _compile(dist)
        value, factor = self.value, self._factor
        self.hours: Sampler = value if factor == 1.0 else (lambda rng: value(rng) * factor)

    def at(self, u: float) -> float:
        """The value (hours) at cumulative probability ``u``."""
        return self._inverse(u) * self._factor

    def value_at(self, u: float) -> float:
        """The value (in the distribution's own unit) at cumulative probability ``u``."""
        return self._inverse(u)

    def __reduce__(self) -> tuple[Any, tuple[Any]]:
        return (Draw, (self.dist,))

    def __repr__(self) -> str:
        return f"Draw({self.dist!r})"


def draw(dist: Any) -> Draw | None:
    """``Draw(dist)``, or None for a missing distribution."""
    return None if dist is None else Draw(dist)


def _compile(dist: Any) -> tuple[Sampler, Callable[[float], float]]:
    """The generator path and the inverse CDF of ``dist`` (both in its own unit)."""
    kind = getattr(dist, "dist", None)
    if kind == "fixed":
        v = float(dist.value)
        return (lambda rng: v), (lambda u: v)
    if kind == "uniform":
        lo, hi = dist.low, dist.high
        low, span = float(lo), float(hi) - float(lo)
        # NumPy's ``uniform(lo, hi)`` is ``lo + (hi - lo) * random()`` in doubles: the same bits.
        return (lambda rng: low + span * rng.random()), (lambda u: lo + u * (hi - lo))
    if kind == "triangular":
        lo, mode, hi = dist.low, dist.mode, dist.high
        return (lambda rng: float(rng.triangular(lo, mode, hi))), dist.quantile
    if kind == "pert":
        a, b = dist._ab
        lo, span = dist.low, dist.high - dist.low
        from scipy.special import betaincinv

        return (lambda rng: float(lo + rng.beta(a, b) * span)), (
            lambda u: float(lo + betaincinv(a, b, u) * span)
        )
    if kind in ("normal", "lognormal"):
        from scipy.special import ndtri

        pl, ph = dist._mass()
        from_std = dist._from_std
        width = ph - pl  # rng.uniform(pl, ph), bit for bit, without its argument parsing
        return (lambda rng: float(from_std(ndtri(pl + width * rng.random())))), dist.quantile
    if kind == "empirical":
        cum = [float(x) for x in np.cumsum(dist.probabilities)]
        values = [float(x) for x in np.asarray(dist.values, float)]
        last = len(values) - 1

        def empirical(u: float) -> float:
            return values[min(bisect_right(cum, u), last)]

        return (lambda rng: empirical(rng.random())), empirical
    if kind == "bernoulli":
        p = dist.p
        return (lambda rng: float(rng.random() < p)), (lambda u: float(u < p))
    if kind == "predictive":
        from scipy.special import stdtrit

        pl, ph = dist._mass()
        width = ph - pl  # rng.uniform(pl, ph), bit for bit, without its argument parsing
        dof, centre, scale = dist.dof, dist.mean_, dist.scale
        lognormal = dist.family == "lognormal"

        def predictive(rng: np.random.Generator) -> float:
            y = centre + scale * float(stdtrit(dof, pl + width * rng.random()))
            return math.exp(y) if lognormal else y

        low_end = -math.inf if dist.family == "normal" else 0.0

        def predictive_at(q: float) -> float:
            # ``dist.quantile``'s steps (NumPy scalars and all), bit for bit.
            u = pl + min(max(q, 0.0), 1.0) * (ph - pl)
            if u <= 0.0:
                return low_end
            if u >= 1.0:
                return math.inf
            y = centre + scale * stdtrit(dof, u)
            return float(np.exp(y)) if lognormal else float(y)

        return predictive, predictive_at
    if kind == "zero_inflated_empirical":
        a, b = dist.on_time.alpha_beta
        sizes, cumulative = (arr.tolist() for arr in dist._cum())
        top = len(sizes) - 1

        def zero_inflated(rng: np.random.Generator) -> float:
            p_on_time = rng.beta(a, b)
            u = rng.random()
            size = sizes[min(bisect_right(cumulative, rng.random()), top)]
            return 0.0 if u < p_on_time else size

        return zero_inflated, dist.quantile
    if kind == "zero_inflated_weibull" and not dist.from_record:
        shape, scale, p_zero = dist.shape, dist.scale, dist.p_zero

        def ziw(rng: np.random.Generator) -> float:
            slip = scale * rng.weibull(shape)
            return 0.0 if rng.random() < p_zero else float(slip)

        return ziw, dist.quantile
    if kind == "zero_inflated_weibull":  # from the record: its parameters drawn per replication
        post = dist._posterior()
        a, b = dist.on_time.alpha_beta
        cum = post["cum"].tolist()
        top = len(cum) - 1
        shapes, sums, masses, m = post["k"], post["s"], post["mass"], post["m"]
        high, low = dist.high, dist.low or 0.0

        def ziw_record(rng: np.random.Generator) -> float:
            # The distribution's own steps, with NumPy scalars where it has them (bit for bit).
            p_on_time = rng.beta(a, b)
            u_zero = rng.random()
            j = min(bisect_right(cum, rng.random()), top)
            v = rng.random() * masses[j]
            t = sums[j] * ((1.0 - v) ** (-1.0 / m) - 1.0)
            slip = max(high * t ** (1.0 / shapes[j]), low)
            return 0.0 if u_zero < p_on_time else float(min(slip, high))

        p_zero = a / (a + b)  # ``dist.on_time.mean()``, without building the Beta each time
        slips, cdf = dist._table()

        def ziw_record_at(q: float) -> float:
            # ``dist.quantile``'s steps, bit for bit (a stratified launch slip, every replication).
            if q <= p_zero:
                return 0.0
            qq = min((q - p_zero) / (1 - p_zero), 1.0)
            return min(max(float(np.interp(qq, cdf, slips)), low), high)

        return ziw_record, ziw_record_at
    # Any other distribution: its own methods (correct, just not precompiled).
    return (lambda rng: float(dist.sample(rng))), (lambda u: float(dist.quantile(u)))
