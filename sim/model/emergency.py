"""Emergency returns: a medical or station emergency sends a named group home on their lifeboat.

At the emergency (a dated event, or a Poisson risk while any of the group is aboard) every fit vehicle
holding a liner of the group is recalled: its return stops waiting for its planned undock, its swaps
and its work policy, and undocks at the next daily opportunity (the planned undock's time of day; the
daylight rule and weather waived) with everyone whose liner is in it; the work of the people who leave stops (as at any undock). A member without a lifeboat cannot
be sent home (traced as ``no lifeboat``). Traced as process ``emergency``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import simpy

    from sim.model.compiled import Return
    from sim.model.env import RotationEnv
    from sim.model.health import EmergencyPlan


def emergency_processes(env: RotationEnv) -> None:
    """Start one process per emergency of the scenario."""
    for plan in env.c.health.emergencies:
        if plan.at_h is not None or plan.rate_per_h > 0:
            env.process(_emergency(env, plan))


def recall_event(env: RotationEnv, vehicle: str) -> simpy.Event:
    """Fires when an emergency recalls ``vehicle`` (its return then leaves at the next opportunity)."""
    recalled = env.health.recalled
    if vehicle not in recalled:
        recalled[vehicle] = env.event()
    return recalled[vehicle]


def emergency_undock_h(plan: Return, ready_h: float) -> float:
    """The undock of a return recalled at ``ready_h``, before its planned undock: the first instant
    at or after it on the daily grid of the planned undock's time of day (the daylight rule and the
    weather are waived in an emergency)."""
    days_early = math.floor((plan.planned_undock_h - ready_h) / 24.0 + 1e-9)
    return plan.planned_undock_h - 24.0 * days_early


def _emergency(env: RotationEnv, plan: EmergencyPlan):
    if plan.at_h is not None:
        when = plan.at_h
    else:
        when = env.now + env.rng[f"emergency.{plan.index}"].exponential(1.0 / plan.rate_per_h)
        if when >= env.c.horizon_h:
            return
    while True:
        if env.now < when:
            yield env.timeout(when - env.now)
        aboard = [p for p in plan.people if p in env.station.aboard]
        if aboard or plan.at_h is not None:
            break
        if all(p in env.station.left_at for p in plan.people):
            return  # the group has gone home: the risk is over
        when = env.now + env.rng[f"emergency.{plan.index}"].exponential(1.0 / plan.rate_per_h)
    if not aboard:
        env.log("station", "emergency", plan.name, "nobody of the group aboard")
        return
    health = env.health
    env.row["health.emergency_returns"] += 1
    env.log("station", "emergency", plan.name, plan.cause or "emergency")
    for p in aboard:
        if not health.has_lifeboat(p):
            env.log(p, "emergency", "no lifeboat", plan.name)
            continue
        vehicle = env.station.liner[p]
        recall = recall_event(env, vehicle)
        if not recall.triggered:
            env.log(vehicle, "emergency", "recalled", plan.name)
            recall.succeed(env.now)
