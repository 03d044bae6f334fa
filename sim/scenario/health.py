"""The `vehicle_health` section: failures of docked vehicles, replacements and emergency returns.

A docked crew vehicle can become unfit to carry its crew home (a Poisson risk per docked day, or an
event at a given instant). Its people then need a lifeboat: their seat liners move to free seats of
other fit vehicles, and a replacement (an uncrewed launch after a lead time, or a crewed vehicle
flying up with empty seats) brings the stranded home. An emergency sends a named group home on
their lifeboat at the next landing opportunity. The model is in :mod:`sim.model.health`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field, model_validator

from sim.scenario.distributions import Fixed, PoissonEvent
from sim.scenario.fields import Duration, Hours, Instant, _Model

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario

#: What a failure leaves of the vehicle.
SEVERITIES = ("unfit-for-crew", "lost")


class _Risk(_Model):
    """Either a Poisson `rate` or a dated event `at`, never both."""

    rate: PoissonEvent | None = Field(
        default=None, description="Poisson risk per docked day (e.g. {rate: 1.0e-4, per: d})."
    )
    at: Instant | None = Field(default=None, description="The event at this instant instead.")
    cause: str = Field(default="", description="What happened (shown in the trace and outcomes).")

    @model_validator(mode="after")
    def _one_of_rate_or_at(self):
        if (self.rate is None) == (self.at is None):
            raise ValueError("give exactly one of `rate` (a Poisson risk) or `at` (an instant)")
        return self


class VehicleFailure(_Risk):
    """A docked vehicle becoming unfit to carry crew home."""

    vehicles: list[str] = Field(
        min_length=1,
        description="Vehicles at risk while docked (a dated event: the first one fails).",
    )
    severity: Literal["unfit-for-crew", "lost"] = Field(
        default="unfit-for-crew",
        description="`unfit-for-crew`: carries nobody home; stays docked as the last resort of "
        "the people whose liners are in it (until they have another seat, within its design life), "
        "then undocks empty; `lost`: written off at once with the liners in it.",
    )
    lifeboat_after: Duration = Field(
        default=Fixed(value=0, unit="h"),
        description="Assessment and decision before liners move to free seats of fit vehicles.",
    )


class Replacement(_Model):
    """The vehicle that brings home the people of a failed one."""

    vehicle: str = Field(
        description="A launching vehicle in `vehicles` (with its `returns` entry), or with `like` "
        "the name of a new one."
    )
    like: str | None = Field(
        default=None,
        description="A new uncrewed vehicle of the same kind as this launching vehicle (its seats, "
        "launch, rendezvous and docking), returning like the failed vehicle (its `returns` entry).",
    )
    port: str | None = Field(default=None, description="Docking port of a `like` vehicle.")
    lead_time: Duration | None = Field(
        default=None,
        description="Uncrewed replacement: from the failure to its planned launch (then the "
        "usual slip, scrubs, rendezvous and docking). Without it the vehicle keeps its own "
        "planned launch (a crewed flight with seats to spare).",
    )
    stays_home: list[str] = Field(
        default_factory=list,
        description="People who give up their seat up on a crewed replacement when the failure "
        "happens before its launch (fewer people up, more seats down).",
    )
    return_after: Hours = Field(
        default=0.0,
        ge=0,
        description="Earliest undock of the replacement after its docking (liner moves, checks).",
    )


class Emergency(_Risk):
    """A medical or station emergency sending a named group home on their lifeboat."""

    name: str
    people: list[str] = Field(min_length=1, description="Who must go home.")


class VehicleHealth(_Model):
    """Vehicle failures, lifeboat seats, replacements and emergency returns."""

    failures: list[VehicleFailure] = Field(default_factory=list)
    replacements: dict[str, Replacement] = Field(
        default_factory=dict, description="Failed vehicle -> the replacement that serves it."
    )
    emergencies: list[Emergency] = Field(default_factory=list)
    lifeboat_order: list[str] = Field(
        default_factory=list,
        description="People given free fit seats first (then everyone else in `crew` order).",
    )


def check_health(s: Scenario) -> list[tuple[str, str]]:
    """Cross-field problems of ``s.vehicle_health`` as (field path, message) pairs."""
    h = s.vehicle_health
    problems: list[tuple[str, str]] = []
    if h is None:
        return problems

    def vehicle(where: str, name: str) -> bool:
        if name not in s.vehicles:
            problems.append((where, f"unknown vehicle {name!r}; known: {', '.join(s.vehicles)}"))
            return False
        return True

    def person(where: str, name: str) -> None:
        if name not in s.crew:
            problems.append((where, f"unknown person {name!r}; known: {', '.join(s.crew)}"))

    for i, f in enumerate(h.failures):
        for j, v in enumerate(f.vehicles):
            if vehicle(f"vehicle_health.failures.{i}.vehicles.{j}", v) and v not in s.returns:
                problems.append(
                    (f"vehicle_health.failures.{i}.vehicles.{j}", f"{v} has no entry in `returns`")
                )
    for failed, r in h.replacements.items():
        where = f"vehicle_health.replacements.{failed}"
        vehicle(where, failed)
        if r.like is not None:
            if r.vehicle in s.vehicles:
                problems.append((f"{where}.vehicle", f"{r.vehicle} exists; `like` makes a new one"))
            if vehicle(f"{where}.like", r.like) and s.vehicles[r.like].launch is None:
                problems.append((f"{where}.like", f"{r.like} has no `launch` section to copy"))
            if failed in s.vehicles and failed not in s.returns:
                problems.append((where, f"{failed} has no entry in `returns` to copy"))
            if r.lead_time is None:
                problems.append((f"{where}.lead_time", "a `like` replacement needs a lead time"))
            if r.port is not None and r.port not in s.station.ports:
                problems.append((f"{where}.port", f"unknown port {r.port!r}"))
        elif vehicle(f"{where}.vehicle", r.vehicle):
            spec = s.vehicles[r.vehicle]
            if spec.launch is None:
                problems.append((f"{where}.vehicle", f"{r.vehicle} has no `launch` section"))
            if r.vehicle not in s.returns:
                problems.append((f"{where}.vehicle", f"{r.vehicle} has no entry in `returns`"))
            if r.lead_time is not None and any(c.up == r.vehicle for c in s.crew.values()):
                problems.append(
                    (
                        f"{where}.lead_time",
                        f"an uncrewed replacement, but people fly up on {r.vehicle}",
                    )
                )
        for j, p in enumerate(r.stays_home):
            person(f"{where}.stays_home.{j}", p)
            if p in s.crew and s.crew[p].up != r.vehicle:
                problems.append((f"{where}.stays_home.{j}", f"{p} does not fly up on {r.vehicle}"))
    for i, e in enumerate(h.emergencies):
        for j, p in enumerate(e.people):
            person(f"vehicle_health.emergencies.{i}.people.{j}", p)
    for j, p in enumerate(h.lifeboat_order):
        person(f"vehicle_health.lifeboat_order.{j}", p)
    return problems


def replacement_launches(s: Scenario) -> set[str]:
    """Vehicles that launch only when the vehicle they replace fails (those with a lead time)."""
    h = s.vehicle_health
    if h is None:
        return set()
    return {r.vehicle for r in h.replacements.values() if r.lead_time is not None}


def with_replacement_vehicles(s: Scenario) -> Scenario:
    """``s`` with the vehicles that `like` replacements name added to `vehicles` and `returns`.

    The new vehicle copies the `like` vehicle (uncrewed, at `port` if given) and returns like the
    failed vehicle, with that vehicle's planned undock (a replacement's `return_after` moves it).
    """
    h = s.vehicle_health
    if h is None or not any(r.like for r in h.replacements.values()):
        return s
    vehicles = dict(s.vehicles)
    returns = dict(s.returns)
    for failed, r in h.replacements.items():
        if r.like is None:
            continue
        model = s.vehicles[r.like]
        update: dict = {"crewed": False}
        if r.port is not None:
            update["docking"] = model.docking.model_copy(update={"port": r.port})
        vehicles[r.vehicle] = model.model_copy(update=update, deep=True)
        returns[r.vehicle] = s.returns[failed].model_copy(
            update={"latest_undock": None, "follows_launch_of": None}, deep=True
        )
    return s.model_copy(update={"vehicles": vehicles, "returns": returns})
