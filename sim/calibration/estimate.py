"""One calibrated parameter (:class:`Estimate`), a calibration run (:class:`Calibration`), and the
estimate of an event probability from counts (:func:`rate_estimate`).

An event probability is written as its posterior, ``{dist: beta, k, n, prior: jeffreys}``: the
scenario draws it once per replication from Beta(k + 1/2, n - k + 1/2), so the forecast carries what
``n`` flights cannot tell; its mean is the Jeffreys posterior mean ``(k + 1/2) / (n + 1)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.calibration.fitting import ZIWeibullFit, jeffreys_rate, wilson_interval
from sim.calibration.flights import FlightRecord

#: The reference prior written with every probability (see :mod:`sim.scenario.posterior`).
REFERENCE_PRIOR = "jeffreys"


@dataclass(frozen=True)
class Estimate:
    """One calibrated parameter.

    ``path`` is where it goes under ``defaults:`` (``None``: reported only); ``n`` the flights used;
    ``left_out`` the flights of the population whose needed cell was unknown.
    """

    name: str
    value: str
    n: int
    left_out: int
    interval: str
    flights: tuple[str, ...]
    path: tuple[str, ...] | None = None
    yaml_value: Any = None
    note: str = ""


@dataclass
class Calibration:
    """All estimates of one calibration run, plus the slip fit (``None`` if it could not be made)."""

    estimates: list[Estimate] = field(default_factory=list)
    slip_fit: ZIWeibullFit | None = None
    #: The slip model asked for (``auto`` = the rule of ``sim.calibration.slips``).
    slip_model: str = "auto"

    def get(self, name: str) -> Estimate:
        return next(e for e in self.estimates if e.name == name)


def fmt(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:.0f}"


def rate_estimate(
    name: str,
    population: list[FlightRecord],
    outcome: Callable[[FlightRecord], bool | None],
    path: tuple[str, ...] | None,
    note: str = "",
) -> Estimate:
    known = [r for r in population if outcome(r) is not None]
    k = sum(bool(outcome(r)) for r in known)
    n = len(known)
    lo, hi = wilson_interval(k, n)
    return Estimate(
        name=name,
        value=f"{jeffreys_rate(k, n):.4f} ({k}/{n}, Beta posterior)" if n else "n/a",
        n=n,
        left_out=len(population) - n,
        interval=f"{lo:.3f}-{hi:.3f} (Wilson 95%, k/n)" if n else "",
        flights=tuple(r.flight for r in known),
        path=path if n else None,
        yaml_value={"dist": "beta", "k": k, "n": n, "prior": REFERENCE_PRIOR} if n else None,
        note="; ".join(
            filter(
                None, [note, k and f"events: {', '.join(r.flight for r in known if outcome(r))}"]
            )
        ),
    )
