"""Uncertain quantities of a scenario.

Every distribution is a small, frozen pydantic model with

* ``sample(rng, size=None)`` drawing from a :class:`numpy.random.Generator` (vectorised with ``size``),
* ``mean()`` (analytic) and ``quantile(q)`` (analytic or exact), used by the tests and the docs,
* an optional ``unit`` (``min``, ``h``, ``d``). A distribution that stands for a duration must carry
  one; ``to_hours`` converts its draws once, so model code works in hours only.

The YAML form is a mapping with a ``dist`` tag, e.g. ``{dist: triangular, low: 5, mode: 10, high: 20,
unit: min}``; a duration may also be written as a plain string such as ``"90 min"``, ``"3.2 h"`` or
``"2 d"``, or as ``{value: 90, unit: min}``, both meaning a fixed value.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, model_validator

Unit = Literal["s", "min", "h", "d"]

#: Hours per unit.
HOURS_PER_UNIT: dict[str, float] = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0}

_UNIT_ALIASES = {
    "s": "s",
    "sec": "s",
    "second": "s",
    "seconds": "s",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "m": "min",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
}

_DURATION_RE = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*([a-zA-Z]+)\s*$")


def parse_duration_text(text: str) -> tuple[float, str]:
    """Parse ``"90 min"``, ``"3.2 h"``, ``"2 d"`` (or ``"1 h 30 min"``) into ``(value, unit)``.

    Compound forms are summed and returned in the smallest unit named. Raises ``ValueError`` with a
    message that says what was expected.
    """
    parts = re.findall(r"([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*([a-zA-Z]+)", text)
    rebuilt = " ".join(f"{v} {u}" for v, u in parts)
    if not parts or re.sub(r"\s+", "", rebuilt) != re.sub(r"\s+", "", text):
        raise ValueError(
            f"expected a duration with a unit such as '90 min', '3.2 h' or '2 d', got {text!r}"
        )
    total_h = 0.0
    smallest = "d"
    for value, unit in parts:
        canonical = _UNIT_ALIASES.get(unit.lower())
        if canonical is None:
            raise ValueError(f"unknown time unit {unit!r} in {text!r}; use one of s, min, h, d")
        total_h += float(value) * HOURS_PER_UNIT[canonical]
        if HOURS_PER_UNIT[canonical] < HOURS_PER_UNIT[smallest]:
            smallest = canonical
    return total_h / HOURS_PER_UNIT[smallest], smallest


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
        from scipy import stats

        a, b = self._ab
        return float(self.low + stats.beta.ppf(q, a, b) * (self.high - self.low))


def _norm_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _norm_pdf(z: float) -> float:
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


class _Bounded(_Dist):
    low: float | None = Field(default=None, description="Optional lower bound (truncation).")
    high: float | None = Field(default=None, description="Optional upper bound (truncation).")

    def _check_bounds(self) -> None:
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"bounds need low < high, got low={self.low}, high={self.high}")

    def _check_mass(self) -> None:
        # Bounds far out in a tail leave no probability (in floating point): nothing to sample and
        # a mean of 0/0.
        pl, ph = self._mass()
        if not ph - pl > 0:
            raise ValueError(
                f"bounds low={self.low}, high={self.high} leave no probability mass; "
                "they must overlap the bulk of the distribution"
            )

    def _std_bounds(self) -> tuple[float, float]:
        raise NotImplementedError

    def _mass(self) -> tuple[float, float]:
        zl, zh = self._std_bounds()
        return _norm_cdf(zl), _norm_cdf(zh)

    def _from_std(self, z):
        raise NotImplementedError

    def sample(self, rng, size=None):
        # Inverse-CDF sampling of the truncated standard normal keeps one uniform draw per value.
        from scipy.special import ndtri

        pl, ph = self._mass()
        u = rng.uniform(pl, ph, size)
        return self._from_std(ndtri(u))

    def quantile(self, q: float) -> float:
        from scipy.special import ndtri

        pl, ph = self._mass()
        return float(self._from_std(ndtri(pl + q * (ph - pl))))


class Normal(_Bounded):
    """Normal, optionally truncated to ``[low, high]``."""

    dist: Literal["normal"] = "normal"
    mean_: float = Field(alias="mean")
    sd: float = Field(gt=0)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> Normal:
        self._check_bounds()
        self._check_mass()
        return self

    def _std_bounds(self) -> tuple[float, float]:
        zl = -math.inf if self.low is None else (self.low - self.mean_) / self.sd
        zh = math.inf if self.high is None else (self.high - self.mean_) / self.sd
        return zl, zh

    def _from_std(self, z):
        return self.mean_ + self.sd * z

    def mean(self) -> float:
        zl, zh = self._std_bounds()
        pl, ph = _norm_cdf(zl), _norm_cdf(zh)
        dl = 0.0 if math.isinf(zl) else _norm_pdf(zl)
        dh = 0.0 if math.isinf(zh) else _norm_pdf(zh)
        return self.mean_ + self.sd * (dl - dh) / (ph - pl)


class Lognormal(_Bounded):
    """Log-normal given its median and the standard deviation ``sigma`` of the log."""

    dist: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)

    @model_validator(mode="after")
    def _check(self) -> Lognormal:
        self._check_bounds()
        if self.high is not None and self.high <= 0:
            raise ValueError(f"lognormal needs high > 0, got high={self.high}")
        self._check_mass()
        return self

    def _std_bounds(self) -> tuple[float, float]:
        mu = math.log(self.median)
        zl = (
            -math.inf
            if self.low is None or self.low <= 0
            else (math.log(self.low) - mu) / self.sigma
        )
        zh = math.inf if self.high is None else (math.log(self.high) - mu) / self.sigma
        return zl, zh

    def _from_std(self, z):
        return self.median * np.exp(self.sigma * z)

    def mean(self) -> float:
        zl, zh = self._std_bounds()
        pl, ph = _norm_cdf(zl), _norm_cdf(zh)
        s = self.sigma
        num = _norm_cdf(zh - s) - _norm_cdf(zl - s)
        return self.median * math.exp(s * s / 2) * num / (ph - pl)


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


class ZeroInflatedWeibull(_Dist):
    """Zero with probability ``p_zero``, else Weibull(``shape``, ``scale``).

    The launch-delay form of Gardner & Grogan: P(on time) plus a Weibull for positive slips.
    """

    dist: Literal["zero_inflated_weibull"] = "zero_inflated_weibull"
    p_zero: float = Field(ge=0, le=1)
    shape: float = Field(gt=0)
    scale: float = Field(gt=0)

    def sample(self, rng, size=None):
        slip = self.scale * rng.weibull(self.shape, size)
        zero = rng.random(size) < self.p_zero
        if size is None:
            return 0.0 if zero else float(slip)
        return np.where(zero, 0.0, slip)

    def mean(self) -> float:
        return (1 - self.p_zero) * self.scale * math.gamma(1 + 1 / self.shape)

    def quantile(self, q: float) -> float:
        if q <= self.p_zero:
            return 0.0
        qq = (q - self.p_zero) / (1 - self.p_zero)
        return self.scale * (-math.log(1 - qq)) ** (1 / self.shape)


Distribution = Annotated[
    Fixed
    | Uniform
    | Triangular
    | Pert
    | Normal
    | Lognormal
    | Empirical
    | Bernoulli
    | ZeroInflatedWeibull,
    Field(discriminator="dist"),
]

DIST_NAMES = [
    "fixed",
    "uniform",
    "triangular",
    "pert",
    "normal",
    "lognormal",
    "empirical",
    "bernoulli",
    "zero_inflated_weibull",
]

_DIST_ADAPTER: TypeAdapter[Any] = TypeAdapter(Distribution)


class PoissonEvent(BaseModel):
    """A risk event arriving as a Poisson process at ``rate`` events per ``per``.

    Used for station contingencies; ``times`` returns the arrival instants in an interval (hours).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    rate: float = Field(ge=0, description="Mean number of events per `per`.")
    per: Unit = Field(default="d", description="Time unit of the rate.")

    @property
    def rate_per_hour(self) -> float:
        return self.rate / HOURS_PER_UNIT[self.per]

    def mean_count(self, duration_h: float) -> float:
        return self.rate_per_hour * duration_h

    def times(self, rng: np.random.Generator, start_h: float, end_h: float) -> np.ndarray:
        """Sorted arrival times (hours) in ``[start_h, end_h)``."""
        n = rng.poisson(self.mean_count(max(end_h - start_h, 0.0)))
        return np.sort(rng.uniform(start_h, end_h, n))


def coerce_distribution(value: Any, *, duration: bool) -> Any:
    """Turn the YAML forms of an uncertain quantity into a distribution model.

    ``duration=True``: strings like ``"90 min"``, ``{value, unit}`` mappings and distributions with a
    unit are accepted; a bare number or a distribution without ``unit`` is an error, because a
    unit-less duration is ambiguous. ``duration=False``: bare numbers mean ``fixed``.
    Returns the validated model (pydantic raises the errors, with their field paths).
    """
    if isinstance(value, _Dist):
        dist = value
    elif isinstance(value, str):
        if not duration:
            raise ValueError(f"expected a number or a distribution mapping, got text {value!r}")
        number, unit = parse_duration_text(value)
        return Fixed(value=number, unit=unit)
    elif isinstance(value, bool):
        raise ValueError(f"expected a number or a distribution, got {value!r}")
    elif isinstance(value, int | float):
        if duration:
            raise ValueError(
                f"a duration needs a unit: write e.g. '{value} h', '{value} min' or '{value} d'"
            )
        return Fixed(value=float(value))
    elif isinstance(value, dict):
        if "dist" not in value:
            if "value" in value:
                value = {"dist": "fixed", **value}
            else:
                raise ValueError(
                    "expected a distribution mapping with a 'dist' key "
                    f"(one of {', '.join(DIST_NAMES)})"
                )
        if isinstance(value.get("unit"), str):
            canonical = _UNIT_ALIASES.get(value["unit"].lower())
            if canonical is not None:
                value = {**value, "unit": canonical}
        dist = _DIST_ADAPTER.validate_python(value)
    else:
        raise ValueError(f"expected a distribution, got {type(value).__name__}")
    if duration and dist.unit is None:
        raise ValueError(f"a duration distribution needs 'unit' (min, h or d); got {value!r}")
    return dist
