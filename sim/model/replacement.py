"""Replacement flights: a vehicle that brings home the people of a failed one.

Uncrewed (a ``lead_time``): the launch is planned ``lead_time`` after the failure, at the next launch
window, then slips, scrubs, flies its rendezvous and docks like any launch (:mod:`sim.model.launch`).
Crewed (no lead time): the vehicle keeps its own planned launch, and the people in ``stays_home``
give up their seats up when the failure happens before it launches (fewer people up, more seats
down). Once it has docked and the hatch is open, the liners of the people without a lifeboat, then of
everyone whose return was planned on the failed vehicle, move into its free seats. Its return leaves
no earlier than ``return_after`` past its docking, and waits for those liner moves.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from sim.model.launch import launch_process

#: Flights of an uncrewed replacement: after a launch failure or an abandoned docking another
#: vehicle is prepared (a new lead time), up to this many in all.
MAX_REPLACEMENT_FLIGHTS = 3

if TYPE_CHECKING:
    from sim.model.compiled import Return
    from sim.model.env import RotationEnv
    from sim.model.health import ReplacementPlan


def replacement_processes(env: RotationEnv) -> None:
    """Start one process per replacement named in the scenario."""
    for plan in env.c.health.replacements.values():
        env.process(_replacement(env, plan))


def _replacement(env: RotationEnv, plan: ReplacementPlan):
    health = env.health
    v = plan.vehicle
    failed_at = yield health.failed_event(plan.failed)
    if plan.lead_time is not None:
        rng = env.rng[f"replacement.{v}"]
        lead = float(plan.lead_time.sample(rng)) * plan.lead_time.to_hours
        env.row[f"in.{v}.lead_time_d"] = lead / 24.0
        earliest = failed_at + lead
        for flight in range(1, MAX_REPLACEMENT_FLIGHTS + 1):
            env.row[f"{v}.replacement_flights"] = flight
            yield from _launch_after(env, plan, earliest)
            if env.arrived[v].value or flight == MAX_REPLACEMENT_FLIGHTS:
                break
            # Lost on launch or never docked: another vehicle after a new lead time. Fresh events,
            # set before anyone resumes, so the return waits for the next flight (wait_arrival).
            env.arrived[v] = env.event()
            env.launched[v] = env.event()
            env.row[f"{v}.launch_failed"] = False
            # A new vehicle and campaign: fresh draws, not the stratified ones of the first flight.
            strata = getattr(env, "strata", {})
            for key in [
                k for k in strata if k.startswith(f"launch.{v}.") or k.startswith(f"docking.{v}")
            ]:
                del strata[key]
            env.row[f"{v}.stood_down"] = False
            earliest = env.now + float(plan.lead_time.sample(rng)) * plan.lead_time.to_hours
            env.log(v, "replacement", "another flight", f"for {plan.failed}")
    elif not env.launched[v].triggered:
        staying = [p for p in plan.stays_home if p not in env.station.aboard]
        health.staying_home.update(staying)
        env.stood_down.update(staying)  # they do not board at the docking
        if staying:
            env.log(v, "replacement", "seats freed", f"stay home: {';'.join(staying)}")
    arrived = yield env.arrived[v]
    if not arrived:
        env.log(v, "replacement", "never docked", f"for {plan.failed}")
        return
    hatch = env.station.docked_since[v] + env.c.work_start_after_docking_h
    if env.now < hatch:
        yield env.timeout(hatch - env.now)
    station = env.station
    order = [p for p in health.plan.lifeboat_order if p in station.aboard]
    stranded = [p for p in order if not health.has_lifeboat(p) and p not in health.moving]
    planned_on_failed = [
        p
        for p in order
        if env.c.people[p].returns == plan.failed
        and p not in stranded
        and p not in health.moving
        and station.liner.get(p) != v
    ]
    env.row[f"{plan.failed}.health"] = "replaced"
    env.log(v, "replacement", "ready", f"for {plan.failed}")
    health.assign(into=v, people=stranded + planned_on_failed)


def _launch_after(env: RotationEnv, plan: ReplacementPlan, earliest_h: float):
    """Fly the replacement launch with its planned day at the first window after ``earliest_h``."""
    launch = env.c.launches[plan.vehicle]
    windows = plan.windows_h
    k = min(bisect_left(windows, earliest_h - 1e-9), len(windows) - 1)
    planned = windows[k]
    shifted = dataclasses.replace(
        launch,
        planned_h=planned,
        windows_h=windows[k:],
        dock_planned_h=planned + launch.nominal_rdv_h,
    )
    row = env.row
    row[f"{plan.vehicle}.launch_planned_utc"] = planned
    row[f"{plan.vehicle}.dock_planned_utc"] = shifted.dock_planned_h
    env.log(plan.vehicle, "replacement", "launch planned", f"for {plan.failed}")
    yield from launch_process(env, shifted)


def wait_arrival(env: RotationEnv, vehicle: str):
    """Whether ``vehicle`` docks (a generator for ``yield from``); waits through the next flight
    when a replacement is flown again after a failed one."""
    while True:
        event = env.arrived[vehicle]
        arrived = yield event
        if arrived or env.arrived[vehicle] is event:
            return arrived


def return_target(env: RotationEnv, vehicle: str, target_h: float) -> float:
    """A replacement's planned undock: not before ``return_after`` past its docking."""
    for plan in env.c.health.replacements.values():
        if plan.vehicle == vehicle and vehicle in env.station.docked_since:
            return max(target_h, env.station.docked_since[vehicle] + plan.return_after_h)
    return target_h


def wait_for_liner_moves(env: RotationEnv, vehicle: str):
    """Wait until no liner is on its way into ``vehicle`` (a generator for ``yield from``)."""
    health = env.health
    while True:
        moving = [
            proc for p, proc in health.move_procs.items() if health.return_of.get(p) == vehicle
        ]
        moving = [proc for proc in moving if proc.is_alive]
        if not moving:
            return
        yield env.all_of(moving)


def hold_unfit(env: RotationEnv, plan: Return, limit_h: float):
    """An unfit vehicle still holding liners stays docked until they have another seat (it is the
    last resort of people without one), but not past the last usable landing opportunity a day
    before ``limit_h`` (the end of its design life, or its latest undock)."""
    health = env.health
    vehicle = plan.vehicle
    if vehicle not in health.unfit or not health.liners_in(vehicle):
        return
    k = bisect_right(plan.usable_h, limit_h - 24.0 + 1e-9) - 1
    limit = float(plan.usable_h[k]) if k >= 0 else env.now
    if env.now >= limit:
        return
    env.log(vehicle, "health", "held", "until the liners in it have another seat")
    yield health.emptied(vehicle) | env.timeout(limit - env.now)
