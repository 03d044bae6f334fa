"""Distribution families with a bounded or discrete support, and the common base class.

Every distribution is a small, frozen pydantic model with ``sample(rng, size=None)`` (vectorised with
``size``), an analytic ``mean()`` and ``quantile(q)``, and an optional ``unit`` (``s``, ``min``,
``h``, ``d``); ``to_hours`` converts its draws once, so model code works in hours only. The
normal-based families (with optional truncation) are in :mod:`sim.scenario.truncated`, the
posteriors of few flights in :mod:`sim.scenario.posterior` and the zero-inflated Weibull slip in
:mod:`sim.scenario.slip_weibull`.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.units import HOURS_PER_UNIT, Unit


class _Dist(BaseModel):
    """Common behaviour: units and conversion to hours."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: Unit | None = Field(
        default=None, description="Time unit of the values (min, h, d); required for durations."
    )

    @property
    def to_hours(self) -> float:
        """Factor converting this distribution's values to hours (1.0 when it has no unit)."""
        return HOURS_PER_UNIT[self.unit] if self.unit else 1.0

    def sample_hours(self, rng: np.random.Generator, size: int | None = None) -> Any:
        """Draw and convert to hours."""
        return self.sample(rng, size) * self.to_hours

    def mean_hours(self) -> float:
        return self.mean() * self.to_hours

    # Subclasses implement these.
    def sample(self, rng: np.random.Generator, size: int | None = None) -> Any:  # pragma: no cover
        raise NotImplementedError

    def mean(self) -> float:  # pragma: no cover
        raise NotImplementedError

    def quantile(self, q: float) -> float:  # pragma: no cover
        raise NotImplementedError

    @property
    def is_fixed(self) -> bool:
        return False

    @property
    def lower(self) -> float:
        """Smallest value the distribution can produce (may be ``-inf``)."""
        return self.quantile(0.0)


class Fixed(_Dist):
    """A known value."""

    dist: Literal["fixed"] = "fixed"
    value: float

    def sample(self, rng, size=None):
        return self.value if size is None else np.full(size, self.value)

    def mean(self) -> float:
        return self.value

    def quantile(self, q: float) -> float:
        return self.value

    @property
    def is_fixed(self) -> bool:
        return True


class Uniform(_Dist):
    """Equally likely anywhere in ``[low, high]``."""

    dist: Literal["uniform"] = "uniform"
    low: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Uniform:
        if not self.low <= self.high:
            raise ValueError(f"uniform needs low <= high, got low={self.low}, high={self.high}")
        return self

    def sample(self, rng, size=None):
        return rng.uniform(self.low, self.high, size)

    def mean(self) -> float:
        return (self.low + self.high) / 2

    def quantile(self, q: float) -> float:
        return self.low + q * (self.high - self.low)


class Triangular(_Dist):
    """Three-point estimate: minimum, most likely, maximum."""

    dist: Literal["triangular"] = "triangular"
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _check(self) -> Triangular:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError(
                f"triangular needs low <= mode <= high and low < high, got "
                f"low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    def sample(self, rng, size=None):
        return rng.triangular(self.low, self.mode, self.high, size)

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3

    def quantile(self, q: float) -> float:
        a, c, b = self.low, self.mode, self.high
        fc = (c - a) / (b - a)
        if q < fc:
            return a + math.sqrt(q * (b - a) * (c - a))
        return b - math.sqrt((1 - q) * (b - a) * (b - c))


class Pert(_Dist):
    """Beta-PERT three-point estimate (smoother than triangular, weight ``lamb`` on the mode)."""

    dist: Literal["pert"] = "pert"
    low: float
    mode: float
    high: float
    lamb: float = Field(default=4.0, gt=0)

    @model_validator(mode="after")
    def _check(self) -> Pert:
        if not self.low <= self.mode <= self.high or self.low == self.high:
            raise ValueError(
                f"pert needs low <= mode <= high and low < high, got "
                f"low={self.low}, mode={self.mode}, high={self.high}"
            )
        return self

    @property
    def _ab(self) -> tuple[float, float]:
        r = self.high - self.low
        a = 1 + self.lamb * (self.mode - self.low) / r
        b = 1 + self.lamb * (self.high - self.mode) / r
        return a, b

    def sample(self, rng, size=None):
        a, b = self._ab
        return self.low + rng.beta(a, b, size) * (self.high - self.low)

    def mean(self) -> float:
        return (self.low + self.lamb * self.mode + self.high) / (self.lamb + 2)

    def quantile(self, q: float) -> float:
        # The inverse regularised incomplete beta (scipy.stats.beta.ppf's own), without importing
        # scipy.stats, which costs more than half a second of start-up.
        from scipy.special import betaincinv

        a, b = self._ab
        return float(self.low + betaincinv(a, b, q) * (self.high - self.low))


class Empirical(_Dist):
    """Observed values with weights (counts or probabilities)."""

    dist: Literal["empirical"] = "empirical"
    values: list[float] = Field(min_length=1)
    weights: list[float] | None = None

    @model_validator(mode="after")
    def _check(self) -> Empirical:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"empirical needs one weight per value, got {len(self.values)} values "
                    f"and {len(self.weights)} weights"
                )
            if any(w < 0 for w in self.weights) or sum(self.weights) <= 0:
                raise ValueError("empirical weights must be non-negative with a positive sum")
        return self

    @property
    def probabilities(self) -> np.ndarray:
        w = np.ones(len(self.values)) if self.weights is None else np.asarray(self.weights, float)
        return w / w.sum()

    def sample(self, rng, size=None):
        p = self.probabilities
        idx = np.searchsorted(np.cumsum(p), rng.random(size), side="right")
        idx = np.minimum(idx, len(p) - 1)
        values = np.asarray(self.values, float)
        return float(values[idx]) if size is None else values[idx]

    def mean(self) -> float:
        return float(np.dot(self.probabilities, self.values))

    def quantile(self, q: float) -> float:
        order = np.argsort(self.values)
        values = np.asarray(self.values, float)[order]
        cum = np.cumsum(self.probabilities[order])
        return float(values[min(np.searchsorted(cum, q - 1e-12), len(values) - 1)])


class Bernoulli(_Dist):
    """1 with probability ``p``, else 0."""

    dist: Literal["bernoulli"] = "bernoulli"
    p: float = Field(ge=0, le=1)

    def sample(self, rng, size=None):
        draw = rng.random(size) < self.p
        return float(draw) if size is None else draw.astype(float)

    def mean(self) -> float:
        return self.p

    def quantile(self, q: float) -> float:
        return 0.0 if q <= 1 - self.p else 1.0
