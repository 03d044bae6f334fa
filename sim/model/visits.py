"""Who a return brings home from a visit, and the bounds on replanning it (computed once, before any
replication): the visitors and their planned visit, and the next arrival that needs the port or the
crew's room. Instants are hours since the epoch.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.compiled import CompiledScenario, Launch, Person, Return
    from sim.scenario import Scenario


def with_visit(
    s: Scenario,
    plan: Return,
    people: dict[str, Person],
    launches: dict[str, Launch],
    returns: dict[str, Return],
) -> Return:
    """``plan`` with its visitors, planned visit, min_visit and next-arrival bound filled in."""
    name = plan.vehicle
    visitors = [p for p in people.values() if p.returns == name and p.up_vehicle in launches]
    vehicles = tuple(dict.fromkeys(p.up_vehicle for p in visitors))
    arrival = max((launches[v].dock_planned_h for v in vehicles), default=plan.planned_undock_h)
    return replace(
        plan,
        visitors=tuple(p.name for p in visitors),
        visitor_vehicles=vehicles,
        visit_planned_h=plan.planned_undock_h - arrival,
        min_visit_h=plan.spec.min_visit,
        next_arrival_h=_next_arrival_h(s, plan, people, launches, returns, vehicles),
    )


def _next_arrival_h(
    s: Scenario,
    plan: Return,
    people: dict[str, Person],
    launches: dict[str, Launch],
    returns: dict[str, Return],
    own_visitors: tuple[str, ...],
) -> float:
    """Planned docking of the first later arrival that needs this vehicle's port (the port it is
    at after its relocations) or room for its crew (the station's crew limit), else infinity."""
    name = plan.vehicle
    vehicle = s.vehicles[name]
    port = vehicle.docked_at or (vehicle.docking.port if vehicle.docking else None)
    for r in s.relocations:
        if r.vehicle == name:
            port = r.to
    undock = plan.planned_undock_h

    def aboard_at(t: float) -> int:
        count = 0
        for p in people.values():
            came = 0.0 if p.aboard_vehicle else launches[p.up_vehicle].dock_planned_h
            leaves = returns[p.returns].planned_undock_h if p.returns in returns else math.inf
            count += came <= t < leaves
        return count

    bound = math.inf
    for other, launch in launches.items():
        if other == name or other in own_visitors or launch.dock_planned_h <= undock:
            continue
        crew = sum(p.up_vehicle == other for p in people.values())
        needs_port = launch.docking.port == port
        # Room: the people aboard then, plus this vehicle's crew had it stayed, plus the arrivals.
        staying = sum(p.returns == name for p in people.values())
        needs_room = aboard_at(launch.dock_planned_h - 1e-6) + staying + crew > s.station.max_crew
        if needs_port or needs_room:
            bound = min(bound, launch.dock_planned_h)
    return bound


def visitors_of(c: CompiledScenario) -> tuple[tuple[str, ...], float]:
    """The headline people (see ``CompiledScenario.visitors``) and their planned visit (hours)."""
    if c.primary is None:
        return (), math.nan
    home = [p for p in c.people.values() if p.returns == c.primary]
    flying = [p for p in home if p.up_vehicle in c.launches]
    if not flying:
        return tuple(p.name for p in home), math.nan
    arrival = max(c.launches[p.up_vehicle].dock_planned_h for p in flying)
    return tuple(p.name for p in flying), c.returns[c.primary].planned_undock_h - arrival
