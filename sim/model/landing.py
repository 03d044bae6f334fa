"""Return: liner swaps done, the undock decision, daylight and weather, descent and landing.

The people a vehicle takes home are those aboard whose seat liner is installed in it, so a liner swap
that could not happen (the other vehicle never arrived) keeps a person on their original seat.
The policy decides the undock: ``fixed`` leaves on the planned day, work finished or not;
``until-done`` stays until the work of its crew is done, bounded by the maximum extension, the
vehicle's design life and ``latest_undock``. The undock then waits for the first landing opportunity
whose landing is in daylight at the zone and not weathered out.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from typing import TYPE_CHECKING

import simpy

if TYPE_CHECKING:
    from sim.model.compiled import Return
    from sim.model.env import RotationEnv

from sim.model.emergency import emergency_undock_h, recall_event
from sim.model.outcome import DELAY_CAUSES, DELAY_COLUMNS, DOCK_CAUSES
from sim.model.policy import first_usable_from, keep_visit_undock, last_usable_by, upper_bound_h
from sim.model.replacement import (
    hold_unfit,
    return_target,
    wait_arrival,
    wait_for_liner_moves,
)

SECONDS_PER_DAY = 86400.0


def return_process(
    env: RotationEnv,
    plan: Return,
    swaps: list[simpy.Event],
    swap_arrivals: list[str],
    work_done: simpy.Event,
    work_proc,
):
    """Bring ``plan.vehicle`` home; fills its columns and, for the primary, the headline ones."""
    v = plan.vehicle
    c = env.c
    row = env.row
    station = env.station
    spec = plan.spec
    causes = dict.fromkeys(DELAY_CAUSES, 0.0)
    target = plan.planned_undock_h

    # The vehicle must be here.
    if v in env.arrived:
        arrived = yield from wait_arrival(env, v)
        if not arrived:
            env.log(v, "return", "no return", "vehicle never docked")
            env.fire(env.departed[v])
            return
    vn, inputs, ln = c.names.of[v], c.names.inputs[v], c.names.landing[v]
    rng = env.rng[ln.prefix]
    life_end = plan.life_end_h
    if life_end is None:
        life_end = station.docked_since[v] + plan.design_life_h
    # A replacement leaves no earlier than its `return_after`; an emergency recalls a vehicle early.
    causes["health"] = return_target(env, v, target) - target
    target += causes["health"]
    recall = recall_event(env, v)

    if env.now > target:
        causes["arrival"] = env.now - target
    ready = max(env.now, target)
    if env.now < target:
        until_target = env.timeout(target - env.now)
        # Only an emergency recalls a vehicle: without one, wait for the plan alone.
        yield (until_target | recall) if c.health.emergencies else until_target
    early = None
    if recall.triggered and env.now < target:
        causes["health"] += env.now - target
        ready = env.now
        early = emergency_undock_h(plan, ready)

    # Liner swaps into or out of this vehicle must be done.
    # Waiting for the vehicles those people arrive on is charged to that flight's own docking-delay
    # causes (its launch slip, scrubs, rendezvous...); the swaps themselves to `liner_swap`.
    # The wait is bounded by the design life, latest_undock and the next arrival (up to the last
    # usable landing opportunity inside them): past that the vehicle leaves with whoever's liner it
    # holds, and the swaps are abandoned (reason `swap_abandoned`).
    pending = [e for e in swaps if not e.triggered]
    if pending and not recall.triggered:
        last = last_usable_by(plan, upper_bound_h(plan, life_end))
        # A flight whose known slip docks it too late for the swaps before the last usable
        # opportunity is not waited for: the return goes now.
        late = [a for a in swap_arrivals if not env.arrived[a].triggered]
        known = [env.expected_dock_h.get(a) for a in late]
        if late and last is not None and None not in known:
            swapped = max(known) + c.work_start_after_docking_h + c.liner_swap_h
            if swapped > last:
                last = env.now
        give_up = env.timeout(max(last if last is not None else env.now, env.now) - env.now)
        before = env.now
        waiting = [env.arrived[a] for a in swap_arrivals if not env.arrived[a].triggered]
        if waiting:
            yield env.all_of(waiting) | give_up
            _charge_arrival(env, causes, swap_arrivals, env.now - before)
        after_arrival = env.now
        pending = [e for e in swaps if not e.triggered]
        if pending and not give_up.processed:
            yield env.all_of(pending) | give_up
        causes["liner_swap"] = env.now - after_arrival
        ready = env.now
        if any(not e.triggered for e in swaps):
            row["outcome_reason"] = "swap_abandoned"
            env.log(v, "return", "swaps abandoned", "bounds reached, or the flight docks too late")

    # keep-visit: visitors who docked late keep their planned visit, inside the bounds.
    if spec.policy == "keep-visit" and not recall.triggered:
        ready = yield from _keep_visit(env, plan, life_end, ready, causes)

    # Policy: until-done waits for the work, within its limits: the extension past the plan,
    # latest_undock and the design life. It waits at most until the last usable landing
    # opportunity inside them, so that the undock itself stays inside them too.
    if (
        spec.policy == "until-done"
        and not recall.triggered
        and not work_done.triggered
        and _crew_has_work(env, v)
    ):
        limit = min(target + plan.max_extension_h, upper_bound_h(plan, life_end))
        last = last_usable_by(plan, limit)
        deadline = max(last if last is not None else env.now, env.now)
        before = env.now
        yield work_done | env.timeout(deadline - env.now)
        causes["work_extension"] = env.now - before
        ready = env.now
        if not work_done.triggered:
            env.log(v, "return", "extension ends", "work incomplete")

    # Liners moving into this vehicle (lifeboat or replacement moves) must be installed first
    # (only after a vehicle failure do liners move so).
    if env.health.unfit or env.health.move_procs:
        before = env.now
        yield from hold_unfit(env, plan, upper_bound_h(plan, life_end))
        causes["health"] += env.now - before
        before = env.now
        yield from wait_for_liner_moves(env, v)
        causes["liner_swap"] += env.now - before
    ready = max(ready, env.now)

    # First landing opportunity at or after `ready`, in daylight and not weathered out. The
    # opportunities (and their daylight flags) are fixed instants: a shifted plan does not move them.
    # Only usable opportunities are walked: the first at or after `ready`, then day by day.
    usable_h = plan.usable_h
    n_usable = len(usable_h)
    i = bisect_left(usable_h, ready - 1e-9)
    p_weather = env.p(spec.weather_p, vn.weather_p)
    weather_days = 0
    waived = False
    last_day = None
    first_usable = None
    undock = None
    epoch_h = c.epoch_unix / 3600.0
    weather_key = ln.weather
    if early is not None:  # an emergency: the next daily opportunity, rules waived
        undock = first_usable = early
        i = n_usable
    if i < n_usable:
        first_usable = usable_h[i]
    while i < n_usable:
        when = usable_h[i]
        day = math.floor((epoch_h + when) / 24.0)  # UTC calendar day
        if (
            p_weather > 0
            and day != last_day
            # The first landing day's uniform may be stratified; later ones come from the stream.
            and (env.uniform(weather_key, rng) if last_day is None else rng.random()) < p_weather
        ):
            after = first_usable_from(plan, (day + 1) * 24.0 - epoch_h)
            if when <= life_end + 1e-9 and (after is None or after > life_end + 1e-9):
                # The last landing day inside the design life: the vehicle lands anyway
                # (in marginal weather or at a reserve zone) rather than outlive its life.
                waived = True
                env.log_at(
                    when, v, "return", "weather waived", "last landing day of its design life"
                )
                undock = when
                break
            weather_days += 1
            last_day = day
            # At the opportunity it weathers out: the trace shows one postponement per day.
            env.log_at(when, v, "return", "weather", "landing postponed a day")
            i = bisect_left(usable_h, (day + 1) * 24.0 - epoch_h)
            continue
        undock = when
        break
    if undock is None:
        row["outcome_reason"] = "return_blocked"
        env.log(v, "return", "no opportunity", "no usable landing opportunity in the horizon")
        env.fire(env.departed[v])
        return
    causes["landing_window"] += first_usable - ready
    causes["weather"] = undock - first_usable
    if env.now < undock:
        yield env.timeout(undock - env.now)

    # Undock: whoever's liner is in this vehicle goes home.
    liner = station.liner
    crew = [p for p in station.aboard_in_order() if liner.get(p) == v]
    crew = env.health.boarding(v, crew)
    if len(crew) > c.seats[v]:
        env.violation(f"{v} carries {len(crew)} people in {c.seats[v]} seats")
    if undock > life_end + 1e-9:
        env.violation(f"{v} undocks {(undock - life_end) / 24:.1f} d past its design life")
    if work_proc is not None and work_proc.is_alive and _crew_has_work(env, v, crew):
        work_proc.interrupt("undock")
    if env.tracing:
        env.log(v, "return", "undock", f"crew={len(crew)}")
    station.free_port(v)
    station.leave(crew, v)
    env.fire(env.departed[v])
    env.health.after_undock(v)

    u = env.strata.get(ln.descent)
    descent = plan.descent_draw.hours(rng) if u is None else plan.descent_draw.at(u)
    low, high = plan.descent_range_h
    descent = min(max(descent, low), high)  # the range the daylight check covered
    causes["descent"] = descent - plan.descent_nominal_h
    yield env.timeout(descent)
    landed = env.now
    env.log(v, "return", "landing", spec.zone.name)

    delay = landed - plan.landing_planned_h
    on_day = math.floor((c.epoch_unix + landed * 3600) / SECONDS_PER_DAY) == plan.planned_day
    row[vn.undock_actual_utc] = undock
    row[vn.landing_actual_utc] = landed
    row[vn.landing_delay_h] = delay
    row[vn.landed_on_planned_day] = on_day
    row[vn.extension_d] = max(0.0, undock - plan.planned_undock_h) / 24.0
    row[vn.life_margin_d] = (life_end - undock) / 24.0
    row[vn.crew_returned] = len(crew)
    crew_names = c.names.crew
    for person in crew:
        pc = crew_names[person]
        row[pc.home_on] = v
        row[pc.home_utc] = landed
    row[vn.weather_days] = weather_days
    row[vn.weather_waived] = waived
    row[inputs.weather_days] = float(weather_days)
    row[inputs.descent_h] = descent
    if v == c.primary:
        row["landing_actual_utc"] = landed
        row["landing_delay_h"] = delay
        row["landed_on_planned_day"] = on_day
        # Exact attribution: put any rounding remainder on the largest cause.
        remainder = delay - sum(causes.values())
        biggest = max(causes, key=lambda k: abs(causes[k]))
        causes[biggest] += remainder
        for cause, column in DELAY_COLUMNS:
            row[column] = causes[cause]
        visitors = [p for p in crew if c.people[p].up_vehicle is not None]
        if visitors:
            row["visit_days"] = max(undock - station.arrived_at[p] for p in visitors) / 24.0


def _keep_visit(env: RotationEnv, plan: Return, life_end: float, ready: float, causes: dict):
    """Move the return so that the visitors who docked late keep their planned visit (or cut it to
    the bounds); returns the new ``ready``. The move is charged to the late flight's causes."""
    station = env.station
    here = [
        p for p in plan.visitors if p in station.aboard and station.liner.get(p) == plan.vehicle
    ]
    if not here:
        return ready
    arrival = max(station.arrived_at[p] for p in here)
    undock, cut, desired = keep_visit_undock(plan, life_end, arrival, env.now)
    if undock is None:  # no usable opportunity inside the bounds is left: the first one after
        return ready
    if env.tracing and cut:
        planned = plan.visit_planned_h / 24
        why = f"visit {(undock - arrival) / 24:.2f} d of {planned:.2f} d planned"
        env.log(plan.vehicle, "return", "visit cut", why)
    elif env.tracing and undock > ready + 1e-9:
        env.log(plan.vehicle, "return", "visit kept", f"undock moved {(undock - ready) / 24:.2f} d")
    if undock > ready:
        # The swaps happen inside the visit: the move to the kept visit's end is the late
        # arrival's; from there to a usable landing opportunity, the landing window's.
        window = 0.0 if cut else max(0.0, undock - max(desired, ready))
        moved = undock - ready - window + causes["liner_swap"]
        causes["liner_swap"] = 0.0
        causes["landing_window"] += window
        _charge_arrival(env, causes, list(plan.visitor_vehicles), moved)
        yield env.timeout(undock - env.now)
        return undock
    return ready


def _crew_has_work(env: RotationEnv, vehicle: str, crew: list[str] | None = None) -> bool:
    """Whether anyone going home on ``vehicle`` (aboard, their liner in it) is named in the work
    plan. People who never came aboard (their flight failed) have no work to wait for."""
    if crew is None:
        crew = [p for p in env.station.aboard if env.station.liner.get(p) == vehicle]
    names = set(crew)
    return any(names.intersection(t.people) for t in env.c.tasks)


def _charge_arrival(env: RotationEnv, causes: dict, vehicles: list[str], hours: float) -> None:
    """Split ``hours`` of waiting for arrivals over the last arrival's docking-delay causes."""
    if hours <= 0:
        return
    row = env.row
    names = env.c.names
    docked_at = {v: row[names.of[v].dock_actual_utc] for v in vehicles}
    docked = [v for v in vehicles if docked_at[v] == docked_at[v]]  # NaN: never docked
    if not docked:
        causes["arrival"] += hours
        return
    last = max(docked, key=docked_at.__getitem__)
    parts = {k: row[column] for k, column in names.dock_delay(last, DOCK_CAUSES)}
    _split(causes, hours, parts, "arrival")


def _split(causes: dict, hours: float, parts: dict | None, fallback: str) -> None:
    """Add ``hours`` to ``causes`` in proportion to the positive ``parts`` (else to ``fallback``)."""
    positive = {k: max(0.0, v) for k, v in (parts or {}).items()}
    total = sum(positive.values())
    if total <= 0:
        causes[fallback] += hours
        return
    for k, part in positive.items():
        causes[k] += hours * part / total
