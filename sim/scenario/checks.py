"""Consistency checks of a validated scenario across its fields.

Every person has one return seat, no vehicle is over its seats, the crew limit holds at the start,
ports exist and are not double-booked, an arrival's port is freed, durations are not negative;
warnings for a return planned past the vehicle's design life.
"""

from __future__ import annotations

import difflib
import math
import typing
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from sim.scenario.distributions import _Dist
from sim.scenario.fields import MAX_DURATION_H
from sim.scenario.health import check_health

#: A draw rarer than this is treated as impossible when bounding a distribution's range.
_TAIL = 1e-9
#: Most work done per hour spent: a task done ten times faster than planned is a typo.
MAX_EFFICIENCY = 10.0
#: Most contingencies of one kind a day: more is not a contingency but the station's routine.
MAX_CONTINGENCIES_PER_DAY = 100.0

if TYPE_CHECKING:
    from sim.scenario.schema import Scenario, VehicleSpec


def check_scenario(s: Scenario) -> list[tuple[str, str]]:
    """Consistency checks across fields; each problem is ``(field path, message)``."""
    problems: list[tuple[str, str]] = []
    add = problems.append
    vehicles = s.vehicles
    ports = set(s.station.ports)

    def known_vehicle(where: str, name: str | None) -> bool:
        if name is None or name in vehicles:
            return True
        close = difflib.get_close_matches(name, list(vehicles), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known: {', '.join(vehicles)}"
        add((where, f"unknown vehicle {name!r}{hint}"))
        return False

    def known_port(where: str, port: str) -> None:
        if port not in ports:
            close = difflib.get_close_matches(port, sorted(ports), n=1)
            hint = (
                f"; did you mean {close[0]!r}?"
                if close
                else f"; station ports: {', '.join(s.station.ports)}"
            )
            add((where, f"unknown port {port!r}{hint}"))

    def known_person(where: str, person: str) -> None:
        if person not in s.crew:
            close = difflib.get_close_matches(person, list(s.crew), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            add((where, f"unknown person {person!r} (not in `crew`){hint}"))

    # Vehicles: docked or launched, ports at the epoch.
    occupied: dict[str, str] = {}
    for name, v in vehicles.items():
        where = f"vehicles.{name}"
        if v.launch is None:
            if v.docked_at is None or v.docked_since is None:
                add(
                    (
                        where,
                        "a vehicle needs either `launch` or both `docked_at` and `docked_since`",
                    )
                )
            if v.rendezvous is not None or v.docking is not None:
                add((where, "`rendezvous` and `docking` need a `launch` section"))
        else:
            if v.docked_at is not None:
                add((where, "a vehicle cannot both be docked at the epoch and launch"))
            if v.rendezvous is None:
                add(
                    (
                        f"{where}.rendezvous",
                        "required for a launching vehicle (or set defaults.rendezvous)",
                    )
                )
            if v.docking is None:
                add((f"{where}.docking", "required for a launching vehicle"))
            if v.launch.planned < s.epoch:
                add((f"{where}.launch.planned", f"is before the epoch {s.epoch.isoformat()}"))
        if v.docked_at is not None:
            known_port(f"{where}.docked_at", v.docked_at)
            if v.docked_at in occupied:
                add(
                    (
                        f"{where}.docked_at",
                        f"port {v.docked_at!r} is already taken by {occupied[v.docked_at]} at the epoch",
                    )
                )
            occupied[v.docked_at] = name
            if v.docked_since is not None and v.docked_since > s.epoch:
                add((f"{where}.docked_since", "is after the epoch; launch the vehicle instead"))
        if v.rendezvous is not None:
            r = v.rendezvous
            for key, scheme in (("scheme", r.scheme), ("fallback", r.fallback)):
                if scheme not in r.durations:
                    add(
                        (
                            f"{where}.rendezvous.{key}",
                            f"scheme {scheme!r} has no entry in durations "
                            f"({', '.join(r.durations) or 'none'})",
                        )
                    )
        if v.docking is not None:
            known_port(f"{where}.docking.port", v.docking.port)
            if (
                v.launch is not None
                and v.docking.planned is not None
                and v.docking.planned < v.launch.planned
            ):
                add((f"{where}.docking.planned", "is before the planned launch"))

    # Relocations.
    position = {n: v.docked_at for n, v in vehicles.items()}
    for i, r in enumerate(sorted(s.relocations, key=lambda r: r.planned)):
        where = f"relocations.{s.relocations.index(r)}"
        if not known_vehicle(f"{where}.vehicle", r.vehicle):
            continue
        known_port(f"{where}.from", r.from_)
        known_port(f"{where}.to", r.to)
        known_vehicle(f"{where}.before", r.before)
        if vehicles[r.vehicle].launch is None and position.get(r.vehicle) != r.from_:
            add(
                (f"{where}.from", f"{r.vehicle} is at {position.get(r.vehicle)!r}, not {r.from_!r}")
            )
        if r.to in occupied and occupied[r.to] != r.vehicle:
            add((f"{where}.to", f"port {r.to!r} is taken by {occupied[r.to]}"))
        occupied.pop(r.from_, None)
        occupied[r.to] = r.vehicle
        position[r.vehicle] = r.to
        del i

    # Arrivals need a port that is free by then.
    for name, v in vehicles.items():
        if (
            v.docking is not None
            and v.docking.port in occupied
            and occupied[v.docking.port] != name
        ):
            holder = occupied[v.docking.port]
            holder_docking = vehicles[holder].docking
            if _leaves_before(s, holder, v):
                continue
            if vehicles[holder].launch is None or (
                holder_docking is not None and holder_docking.port == v.docking.port
            ):
                add(
                    (
                        f"vehicles.{name}.docking.port",
                        f"port {v.docking.port!r} is occupied by {holder} and no entry in `relocations` frees it",
                    )
                )

    # Crew: where they come from and go to.
    up_count: dict[str, int] = {}
    ret_count: dict[str, int] = {}
    aboard = 0
    for person, c in s.crew.items():
        where = f"crew.{person}"
        if (c.aboard is None) == (c.up is None):
            add((where, "give exactly one of `aboard` (already on the station) or `up` (launches)"))
        if c.aboard is not None and known_vehicle(f"{where}.aboard", c.aboard):
            aboard += 1
            if vehicles[c.aboard].launch is not None:
                add((f"{where}.aboard", f"{c.aboard} is not docked at the epoch; use `up`"))
        if c.up is not None and known_vehicle(f"{where}.up", c.up):
            up_count[c.up] = up_count.get(c.up, 0) + 1
            if vehicles[c.up].launch is None:
                add((f"{where}.up", f"{c.up} does not launch in this scenario; use `aboard`"))
        if known_vehicle(f"{where}.returns", c.returns):
            ret_count[c.returns] = ret_count.get(c.returns, 0) + 1
            if c.returns not in s.returns:
                add((f"{where}.returns", f"{c.returns} has no entry in `returns`"))
    for name, n in up_count.items():
        if n > vehicles[name].seats:
            add(
                (
                    f"vehicles.{name}.seats",
                    f"{n} people fly up on {name} but it has {vehicles[name].seats} seats",
                )
            )
    for name, n in ret_count.items():
        if name in vehicles and n > vehicles[name].seats:
            add(
                (
                    f"vehicles.{name}.seats",
                    f"{n} people return on {name} but it has {vehicles[name].seats} seats",
                )
            )
    if aboard > s.station.max_crew:
        add(
            (
                "station.max_crew",
                f"{aboard} people are aboard at the epoch, above the limit {s.station.max_crew}",
            )
        )

    # Work and contingencies name real people.
    for i, task in enumerate(s.work.tasks):
        for j, person in enumerate(task.people):
            known_person(f"work.tasks.{i}.people.{j}", person)
        if task.hours <= 0:
            add((f"work.tasks.{i}.hours", "must be positive"))
        if _upper_hours(task.efficiency) > MAX_EFFICIENCY:
            add(
                (
                    f"work.tasks.{i}.efficiency",
                    f"must stay below {MAX_EFFICIENCY:g} (work per hour spent); give the "
                    "distribution a `high`, or a smaller spread",
                )
            )
        if task.efficiency.lower <= 0:
            add(
                (
                    f"work.tasks.{i}.efficiency",
                    f"must be positive (its lowest value is {task.efficiency.lower:g}); "
                    "give the distribution a `low` above 0",
                )
            )
    for i, c in enumerate(s.contingencies):
        per_day = c.rate.rate_per_hour * 24.0 if c.rate is not None else 0.0
        if per_day > MAX_CONTINGENCIES_PER_DAY:
            add(
                (
                    f"contingencies.{i}.rate",
                    f"{per_day:g} a day is above the most this model takes "
                    f"({MAX_CONTINGENCIES_PER_DAY:g} a day)",
                )
            )
        if isinstance(c.crew, list):
            for j, person in enumerate(c.crew):
                known_person(f"contingencies.{i}.crew.{j}", person)
        elif isinstance(c.crew, int) and c.crew < 1:
            add(
                (f"contingencies.{i}.crew", "expected 'all', a positive number or a list of people")
            )

    # Returns.
    for name, r in s.returns.items():
        where = f"returns.{name}"
        if not known_vehicle(where, name):
            continue
        v = vehicles[name]
        if v.docking is not None and v.launch is not None:
            docked_plan = v.docking.planned or v.launch.planned
            if r.planned_undock <= docked_plan:
                add((f"{where}.planned_undock", "is before the vehicle's planned docking"))
        if r.latest_undock is not None and r.latest_undock < r.planned_undock:
            add((f"{where}.latest_undock", "is before planned_undock"))
    if s.primary_return is not None and s.primary_return not in s.returns:
        add(("primary_return", f"{s.primary_return!r} has no entry in `returns`"))

    # Durations (and slips) cannot be negative, wherever they are written, `defaults` included.
    for where, dist in _durations(s, ""):
        if dist.lower < 0:
            lowest = (
                "unbounded below; give it low: 0"
                if dist.lower == -math.inf
                else (f"its lowest value is {dist.lower:g} {dist.unit}")
            )
            add((where, f"a duration cannot be negative ({lowest})"))
        highest = _upper_hours(dist)
        if highest > MAX_DURATION_H:
            add(
                (
                    where,
                    f"a duration must stay below {MAX_DURATION_H:.0f} h (ten years), but "
                    f"{'it is unbounded' if math.isinf(highest) else f'it reaches {highest:g} h'}"
                    " (a parameter too large, e.g. sigma or scale, or a missing `high`)",
                )
            )
    if s.orbit is not None:
        known_vehicle("orbit.reference_launch", s.orbit.reference_launch)
    problems.extend(check_health(s))
    return problems


def _leaves_before(s: Scenario, holder: str, arrival: VehicleSpec) -> bool:
    """Whether ``holder``'s return is planned before ``arrival``'s planned docking (or it is a
    replacement that launches only after a failure): its undock frees the port."""
    if arrival.launch is None:
        return False
    if s.vehicle_health is not None and any(
        s.vehicles.get(r.vehicle) is arrival and r.lead_time is not None
        for r in s.vehicle_health.replacements.values()
    ):
        return True
    r = s.returns.get(holder)
    docking = arrival.docking.planned if arrival.docking is not None else None
    return r is not None and r.planned_undock <= (docking or arrival.launch.planned)


def _upper_hours(dist: Any) -> float:
    """The value (hours, for a duration) a distribution exceeds with probability ``_TAIL`` at
    most; inf when it overflows."""
    import numpy as np

    try:
        with np.errstate(over="ignore"):
            value = float(dist.quantile(1.0 - _TAIL)) * dist.to_hours
    except (OverflowError, ValueError, ZeroDivisionError):
        return math.inf
    return value if math.isfinite(value) else math.inf


def _durations(node: Any, where: str) -> typing.Iterator[tuple[str, Any]]:
    """Every duration distribution (a distribution with a unit) under ``node``, with its path."""
    if isinstance(node, _Dist):
        if node.unit is not None:
            yield where, node
    elif isinstance(node, BaseModel):
        for name, field in type(node).model_fields.items():
            key = field.alias or name
            yield from _durations(getattr(node, name), f"{where}.{key}" if where else key)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _durations(value, f"{where}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _durations(value, f"{where}.{i}")


def life_margins(s: Scenario) -> dict[str, float]:
    """Days of design life left at each return's planned undock (negative: over the limit)."""
    margins = {}
    for name, r in s.returns.items():
        v = s.vehicles.get(name)
        if v is None:
            continue
        since = v.docked_since
        if since is None and v.docking is not None:
            since = v.docking.planned or v.launch.planned
        if since is None:
            continue
        docked_days = (r.planned_undock - since).total_seconds() / 86400
        margins[name] = v.design_life / 24 - docked_days
    return margins


def scenario_warnings(s: Scenario) -> list[str]:
    """Things that are allowed but worth saying (e.g. a return planned past the design life)."""
    out = []
    for name, margin in life_margins(s).items():
        if margin < 0:
            out.append(
                f"returns.{name}.planned_undock: {name} would be docked {-margin:.1f} d past its "
                f"design life ({s.vehicles[name].design_life / 24:.0f} d)"
            )
    peak, when = planned_peak_crew(s)
    if peak > s.station.max_crew:
        out.append(
            f"station.max_crew: the plan has {peak} people aboard from {when.isoformat()}, above "
            f"the limit of {s.station.max_crew}; every replication will record a violation"
        )
    return out


def planned_peak_crew(s: Scenario) -> tuple[int, Any]:
    """The most people aboard in the plan (arrivals at their planned docking, departures at their
    planned undock) and when that peak starts."""
    changes = []
    for name, v in s.vehicles.items():
        if v.launch is not None:
            arriving = sum(1 for c in s.crew.values() if c.up == name)
            changes.append((v.docking.planned or v.launch.planned, arriving))
    for name, r in s.returns.items():
        leaving = sum(1 for c in s.crew.values() if c.returns == name)
        changes.append((r.planned_undock, -leaving))
    count = sum(1 for c in s.crew.values() if c.aboard is not None)
    peak, when = count, s.epoch
    for at, delta in sorted(changes, key=lambda c: (c[0], c[1])):
        count += delta
        if count > peak:
            peak, when = count, at
    return peak, when
