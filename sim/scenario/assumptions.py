"""Every uncertain input of a scenario, with its distribution and what it rests on.

:func:`uncertain_inputs` walks a validated :class:`~sim.scenario.Scenario` (vehicles, relocations,
work, contingencies, returns; the ``defaults`` section is already applied to them and is not listed
again) and returns one :class:`Assumption` per input that is not a fixed number: its field path, its
distribution in words, its mean, and whether it was calibrated on data, with ``k/n`` (a probability
from counts) or ``n`` (a duration fitted to n values, a slip from n flights); any other distribution
(an empirical or three-point PRIOR) counts as expert judgement. The report's
assumptions table is built from it, so a reader sees which numbers rest on eight flights and which
on expert judgement.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.scenario.families import Fixed, _Dist
from sim.scenario.posterior import Beta, Predictive, ZeroInflatedEmpirical
from sim.scenario.schema import Scenario
from sim.scenario.slip_weibull import ZeroInflatedWeibull


@dataclass(frozen=True)
class Assumption:
    """One uncertain input: where, what distribution, its mean, and the data behind it."""

    path: str  # field path, e.g. "vehicles.MS-19.launch.failure_p"
    distribution: str  # e.g. "beta(k=1, n=40, jeffreys)"
    mean: float  # in the distribution's unit (or a probability)
    unit: str  # "", "min", "h", "d"
    calibrated: bool  # estimated from flight data (counts or fitted values)
    k: int | None = None  # events, for a probability from counts
    n: int | None = None  # flights (or values) behind it
    per_replication: bool = True  # drawn afresh in every replication

    @property
    def basis(self) -> str:
        """``"k/n = 1/40"``, ``"n = 16"``, or ``"expert judgement"``."""
        if self.k is not None and self.n is not None:
            return f"k/n = {self.k}/{self.n}"
        if self.n is not None:
            return f"n = {self.n}"
        return "expert judgement"


def describe(dist: Any) -> str:
    """A distribution in words: its tag and parameters (``dist`` and ``unit`` left out)."""
    fields = dist.model_dump(by_alias=True, exclude_none=True)
    tag = fields.pop("dist")
    fields.pop("unit", None)
    text = ", ".join(
        f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}" for k, v in fields.items()
    )
    return f"{tag}({text})"


def _assumption(path: str, dist: Any) -> Assumption:
    k = n = None
    calibrated = False
    if isinstance(dist, Beta) and dist.n is not None:
        k, n, calibrated = dist.k, dist.n, True
    elif isinstance(dist, Predictive | ZeroInflatedEmpirical) or (
        isinstance(dist, ZeroInflatedWeibull) and dist.from_record
    ):
        n, calibrated = dist.n, True
    return Assumption(
        path=path,
        distribution=describe(dist),
        mean=float(dist.mean()),
        unit=dist.unit or "",
        calibrated=calibrated,
        k=k,
        n=n,
    )


def _walk(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, _Dist):
        if not isinstance(node, Fixed):
            yield where, node
    elif isinstance(node, BaseModel):
        for name, field in type(node).model_fields.items():
            yield from _walk(getattr(node, name), f"{where}.{field.alias or name}".lstrip("."))
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{where}.{i}")


def uncertain_inputs(scenario: Scenario) -> list[Assumption]:
    """Every uncertain input of ``scenario`` (see the module docstring), in field order."""
    out = []
    for name in type(scenario).model_fields:
        if name in ("defaults", "monte_carlo", "extends"):
            continue
        out += [_assumption(path, dist) for path, dist in _walk(getattr(scenario, name), name)]
    return out
