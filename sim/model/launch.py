"""Pre-launch slip and the launch itself.

The planned launch day slips by a sampled number of whole days; a relocation that must free the
target port holds the launch until it is done. There is one instantaneous window a day (its time
drifting per day, or from the orbit); a scrub moves the attempt to a later day's window; a launch
failure ends the flight with the crew safe.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.model.policy import visitors_stand_down
from sim.model.rendezvous import rendezvous_and_dock

if TYPE_CHECKING:
    from sim.model.compiled import Launch
    from sim.model.env import RotationEnv


def launch_process(env: RotationEnv, plan: Launch):
    """Launch ``plan.vehicle``, then rendezvous and dock (see :mod:`sim.model.rendezvous`)."""
    v = plan.vehicle
    spec = plan.spec
    row = env.row
    names = env.c.names
    vn, inputs, ln = names.of[v], names.inputs[v], names.launch[v]
    rng = env.rng[ln.prefix]
    windows = plan.windows_h

    u = env.strata.get(ln.slip)
    slip_h = plan.slip_draw.hours(rng) if u is None else plan.slip_draw.at(u)
    slip_days = max(0, int(round(slip_h / 24.0)))
    row[inputs.slip_d] = float(slip_days)
    day = min(slip_days, len(windows) - 1)
    _expect_docking(env, plan, day)

    # A relocation that frees the target port must be complete first.
    hold_days = 0
    for index in plan.blocked_by:
        done = env.relocated[index]
        if not done.triggered:
            yield done
        finished = done.value
        while day < len(windows) - 1 and windows[day] < finished:
            day += 1
            hold_days += 1
    if hold_days:
        env.log(v, "launch", "held", f"relocation: +{hold_days} d")

    # Attempts: scrubs move to a later window; causes can persist (scrub_repeat_p).
    scrub_days = 0
    scrubs = 0
    scrubbed_last = False
    p_first = env.p(spec.scrub_p, vn.scrub_p)
    p_repeat = (
        p_first if spec.scrub_repeat_p is None else env.p(spec.scrub_repeat_p, vn.scrub_repeat_p)
    )
    turnaround = plan.turnaround_draw.hours
    stood_down = True
    for attempt in range(spec.max_attempts):
        p = p_repeat if scrubbed_last else p_first
        # The first attempt's uniform may be stratified; later ones come from the stream.
        if p > 0 and (env.uniform(ln.scrub, rng) if attempt == 0 else rng.random()) < p:
            scrubs += 1
            step = max(1, math.ceil(turnaround(rng) / 24.0 - 1e-9))
            if env.now < windows[day]:
                yield env.timeout(windows[day] - env.now)
            env.log(v, "launch", "scrub", f"next attempt in {step} d")
            day = min(day + step, len(windows) - 1)
            scrub_days += step
            scrubbed_last = True
            if env.now >= windows[-1]:  # scrubbed at the horizon's last window: time cannot advance
                break
            continue
        stood_down = False
        break
    if stood_down:
        env.log(v, "launch", "stood down", f"{scrubs} scrubs")
        row[vn.pad_aborts] = scrubs
        row[inputs.scrubs] = float(scrubs)
        row[vn.stood_down] = True
        env.fire(env.launched[v], False)
        env.fire(env.arrived[v], False)
        return

    row[vn.pad_aborts] = scrubs
    row[inputs.scrubs] = float(scrubs)
    if env.now < windows[day]:
        yield env.timeout(windows[day] - env.now)
    launched = env.now
    total_days = day
    _expect_docking(env, plan, day)
    visitors_stand_down(env, v, launched, slipped=total_days > 0)
    env.slip_days[v] = float(total_days)
    row[vn.launch_actual_utc] = launched
    row[vn.launch_slip_d] = float(total_days)
    if env.tracing:
        env.log(v, "launch", "launch", f"day +{total_days}")

    p_failure = env.p(spec.failure_p, vn.failure_p)
    if p_failure > 0 and env.uniform(ln.failure, rng) < p_failure:
        row[vn.launch_failed] = True
        env.log(v, "launch", "failure", "ballistic abort, crew safe")
        env.fire(env.launched[v], False)
        env.fire(env.arrived[v], False)
        return
    env.fire(env.launched[v], True)

    # Split the launch's lateness into its causes (hours), for the docking-delay attribution.
    lateness = launched - plan.planned_h
    per_day = lateness / total_days if total_days else 0.0
    causes = {
        "launch_slip": per_day * min(slip_days, total_days),
        "relocation": per_day * hold_days,
        "scrub": per_day * scrub_days,
    }
    causes["launch_slip"] += lateness - sum(causes.values())
    env.launch_causes[v] = causes
    yield from rendezvous_and_dock(env, plan, slipped=total_days > 0, launch_causes=causes)


def _expect_docking(env: RotationEnv, plan: Launch, day: int) -> None:
    """Publish the earliest docking a launch on window ``day`` allows (the slip is known weeks
    ahead, so a return need not wait for a flight that cannot come in time)."""
    rdv = plan.rendezvous
    median = plan.median_rdv_h[rdv.fallback if day > 0 else rdv.scheme]
    env.expected_dock_h[plan.vehicle] = plan.windows_h[day] + median
