"""Scores of probabilistic forecasts against what happened (used by ``crewsim backtest``).

A forecast is either an *ensemble* (the replications' values of one quantity, e.g. launch slip in
days) or a *probability* of an event (the share of replications in which it happened). Scores:

* PIT (probability integral transform): where the observation falls in the forecast distribution.
  For an ensemble with ties (discrete slips) the randomised PIT ``P(X < y) + V * P(X = y)`` with
  ``V ~ U(0, 1)`` is used, which is exactly uniform when the forecast is the true distribution.
* central intervals: ``[q((1-level)/2), q((1+level)/2)]`` of the ensemble (sample quantiles,
  ``inverted_cdf``: both ends are values of the ensemble); an observation on an end is inside.
* CRPS (continuous ranked probability score, in the unit of the quantity; 0 is perfect):
  ``E|X - y| - E|X - X'| / 2`` over the empirical ensemble, computed exactly from the sorted
  sample; a point forecast ``x0`` scores ``|x0 - y|``.
* Brier score ``(p - o)^2`` of a probability ``p`` for an event ``o`` in {0, 1}.
* skill against a reference forecast: ``1 - mean(score) / mean(reference score)``; undefined (None)
  when the reference's mean score is 0 (it was perfect, nothing to improve on).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.calibration.fitting import wilson_interval


def _sample(values: Sequence[float] | np.ndarray) -> np.ndarray:
    x = np.asarray(values, float).ravel()
    if x.size == 0:
        raise ValueError("an ensemble needs at least one value")
    if not np.all(np.isfinite(x)):
        raise ValueError("ensemble values must be finite numbers")
    return x


def crps_ensemble(values: Sequence[float] | np.ndarray, y: float) -> float:
    """CRPS of the empirical distribution of ``values`` for the observation ``y``.

    ``E|X - y| - 0.5 E|X - X'|`` where ``X, X'`` are independent draws from the ensemble (all
    ``n^2`` pairs, so a one-member ensemble scores ``|x - y|``). With the sorted sample
    ``x_(1) <= ... <= x_(n)``: ``E|X - X'| = 2 / n^2 * sum_i (2i - n - 1) x_(i)``. O(n log n).
    """
    x = np.sort(_sample(values))
    n = x.size
    ranks = np.arange(1, n + 1, dtype=float)
    spread = 2.0 * float(np.sum((2.0 * ranks - n - 1.0) * x)) / (n * n)
    return float(np.mean(np.abs(x - y))) - 0.5 * spread


def crps_point(x0: float, y: float) -> float:
    """CRPS of a point forecast (all mass at ``x0``): ``|x0 - y|``."""
    return abs(float(x0) - float(y))


def crps_normal(mu: float, sigma: float, y: float) -> float:
    """Closed-form CRPS of a normal ``N(mu, sigma^2)`` forecast (Gneiting & Raftery 2007)."""
    if sigma <= 0:
        raise ValueError("sigma must be positive")
    z = (y - mu) / sigma
    cdf = 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
    pdf = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    return sigma * (z * (2.0 * cdf - 1.0) + 2.0 * pdf - 1.0 / math.sqrt(math.pi))


def pit(values: Sequence[float] | np.ndarray, y: float, u: float) -> float:
    """Randomised PIT of ``y`` under the ensemble: ``P(X < y) + u * P(X = y)``, ``u`` in [0, 1].

    Pass ``u`` drawn from U(0, 1) with a fixed seed; for a continuous ensemble without ties at
    ``y`` the result does not depend on ``u``.
    """
    x = _sample(values)
    if not 0.0 <= u <= 1.0:
        raise ValueError("u must be in [0, 1]")
    below = float(np.mean(x < y))
    equal = float(np.mean(x == y))
    return below + u * equal


def central_interval(values: Sequence[float] | np.ndarray, level: float) -> tuple[float, float]:
    """The central ``level`` interval of the ensemble (ends are ensemble values)."""
    if not 0.0 < level < 1.0:
        raise ValueError("level must be between 0 and 1")
    x = _sample(values)
    lo, hi = np.quantile(x, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf")
    return float(lo), float(hi)


def inside(values: Sequence[float] | np.ndarray, y: float, level: float) -> bool:
    """Whether ``y`` lies in the closed central ``level`` interval of the ensemble."""
    lo, hi = central_interval(values, level)
    return lo <= y <= hi


def brier(p: float, outcome: bool | int) -> float:
    """Brier score of probability ``p`` for an event that happened (1) or not (0)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError("a probability must be in [0, 1]")
    return (float(p) - float(bool(outcome))) ** 2


def skill(scores: Sequence[float], reference: Sequence[float]) -> float | None:
    """``1 - mean(scores) / mean(reference)``; ``None`` when the reference's mean is 0 (or empty).

    1 is perfect, 0 no better than the reference, negative worse than it.
    """
    if len(scores) != len(reference):
        raise ValueError("scores and reference scores must pair up")
    if not scores:
        return None
    ref = float(np.mean(reference))
    if ref == 0.0:
        return None
    return 1.0 - float(np.mean(scores)) / ref


@dataclass(frozen=True)
class Coverage:
    """How many of ``n`` observations fell inside their ``level`` interval, with a Wilson 95 % CI."""

    level: float
    inside: int
    n: int

    @property
    def share(self) -> float | None:
        return self.inside / self.n if self.n else None

    @property
    def wilson95(self) -> tuple[float, float]:
        return wilson_interval(self.inside, self.n)

    def as_dict(self) -> dict:
        lo, hi = self.wilson95
        return {
            "level": self.level,
            "inside": self.inside,
            "n": self.n,
            "coverage": self.share,
            "wilson95": [lo, hi],
        }

    def __str__(self) -> str:
        if not self.n:
            return f"{self.level:.0%}: no flights"
        lo, hi = self.wilson95
        return (
            f"{self.level:.0%} interval: {self.inside}/{self.n} = {self.share:.2f} "
            f"(Wilson 95 % {lo:.2f}-{hi:.2f})"
        )


def coverage(flags: Sequence[bool], level: float) -> Coverage:
    """Count of ``True`` flags (observation inside its interval) as a :class:`Coverage`."""
    return Coverage(level=level, inside=int(sum(bool(f) for f in flags)), n=len(flags))
