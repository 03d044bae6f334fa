"""Uncertain quantities of a scenario: the tagged union of distribution families and its coercion.

The families live in :mod:`sim.scenario.families` (bounded and discrete) and
:mod:`sim.scenario.truncated` (normal, log-normal); units in :mod:`sim.scenario.units`. This module
puts them together as :data:`Distribution` (discriminated by ``dist``) and turns the YAML forms of an
uncertain quantity into a model with :func:`coerce_distribution`.

The YAML form is a mapping with a ``dist`` tag, e.g. ``{dist: triangular, low: 5, mode: 10, high: 20,
unit: min}``; a duration may also be written as a plain string such as ``"90 min"``, ``"3.2 h"`` or
``"2 d"``, or as ``{value: 90, unit: min}``, both meaning a fixed value.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from sim.scenario.families import (
    Bernoulli,
    Empirical,
    Fixed,
    Pert,
    Triangular,
    Uniform,
    _Dist,
)
from sim.scenario.posterior import Beta, Predictive, ZeroInflatedEmpirical
from sim.scenario.slip_weibull import ZeroInflatedWeibull
from sim.scenario.truncated import Lognormal, Normal
from sim.scenario.units import HOURS_PER_UNIT, UNIT_ALIASES, Unit, parse_duration_text

__all__ = [
    "DIST_NAMES",
    "HOURS_PER_UNIT",
    "Bernoulli",
    "Beta",
    "Distribution",
    "Empirical",
    "Fixed",
    "Lognormal",
    "Normal",
    "Pert",
    "PoissonEvent",
    "Predictive",
    "Triangular",
    "Uniform",
    "Unit",
    "ZeroInflatedEmpirical",
    "ZeroInflatedWeibull",
    "coerce_distribution",
    "parse_duration_text",
]

Distribution = Annotated[
    Fixed
    | Uniform
    | Triangular
    | Pert
    | Normal
    | Lognormal
    | Empirical
    | Bernoulli
    | ZeroInflatedWeibull
    | Beta
    | Predictive
    | ZeroInflatedEmpirical,
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
    "beta",
    "predictive",
    "zero_inflated_empirical",
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
            canonical = UNIT_ALIASES.get(value["unit"].lower())
            if canonical is not None:
                value = {**value, "unit": canonical}
        dist = _DIST_ADAPTER.validate_python(value)
    else:
        raise ValueError(f"expected a distribution, got {type(value).__name__}")
    if duration and dist.unit is None:
        raise ValueError(f"a duration distribution needs 'unit' (min, h or d); got {value!r}")
    return dist
