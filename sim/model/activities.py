"""Planned work on station (the visitors' tasks or scenes) and seat-liner swaps.

A task needs all its named people aboard and together; it runs in the daily work window
(``day_start`` .. ``day_start + hours_per_day``), taking their crew time at the work priority.
A contingency that preempts any of them interrupts the task, which keeps the hours already done and
resumes when the crew is free again, still inside a work window. Work stops when a person leaves.
"""

from __future__ import annotations

import contextlib
import math
from typing import TYPE_CHECKING

import simpy

from sim.model.compiled import LINER_SWAP_PRIORITY, WORK_PRIORITY
from sim.model.station import release_all

if TYPE_CHECKING:
    from sim.model.env import RotationEnv


def work_process(env: RotationEnv, done_event: simpy.Event):
    """Run the tasks in order; fires ``done_event`` when all are complete.

    The return process interrupts it with cause ``"undock"`` when people of the plan leave.
    """
    c = env.c
    row = env.row
    rng = env.rng["work"]
    strata = env.strata
    effs = [
        t.efficiency_draw.value(rng)
        if (u := strata.get(f"work.{t.name}.efficiency")) is None
        else t.efficiency_draw.value_at(u)
        for t in c.tasks
    ]
    for task, eff in zip(c.tasks, effs, strict=True):
        row[f"in.work.{task.name}.efficiency"] = eff
    progress = [0.0]
    with contextlib.suppress(simpy.Interrupt):  # the undock ends the work
        yield from _run_tasks(env, effs, progress)
    total = progress[0]
    planned = c.work_planned_h
    if planned > 0:
        row["work_done_h"] = min(total, planned)
        row["work_done_frac"] = min(total / planned, 1.0)
        row["work_plan_done"] = total >= planned - 1e-6
    if row["work_plan_done"]:
        env.fire(done_event)


def _run_tasks(env: RotationEnv, effs: list[float], progress: list[float]):
    """Work each task in the daily windows until done, preempted or its people leave.

    A task holds its crew's time from the moment it can start until it is complete, and its progress
    is the work-window time inside that hold (computed, not stepped day by day): one SimPy event
    per stretch of holding, not several per work day. A contingency or a liner swap preempts the
    hold at any hour; outside the work windows that costs no work.

    Traced (flight ``station``, process ``work``, detail ``task=<name> done_h=.. remaining_h=..``)
    as spans of work actually done with the whole task crew: opened by ``start`` (first span) or
    ``resume``, closed by ``end`` (task complete), ``interrupt`` (preempted by a contingency or a
    liner swap) or ``stop`` (end of the work day, ``cause=day-end``; or ``cause=undock``). A task
    given up is traced as ``abandoned``.
    """
    c = env.c
    station = env.station
    tracing = env.tracing
    windows = (c.work_day_start_h, c.work_hours_per_day)
    for task, eff in zip(c.tasks, effs, strict=True):
        name = task.name
        ready = yield from _wait_for_people(env, task.people)
        remaining = task.hours
        done = 0.0
        started = [False]
        if not ready:
            if tracing:
                env.log("station", "work", "abandoned", f"task={name} remaining_h={remaining:.6f}")
            return
        while remaining > 1e-9:
            if any(p not in station.aboard for p in task.people):
                if tracing:
                    env.log(
                        "station",
                        "work",
                        "abandoned",
                        f"task={name} done_h={done:.6f} remaining_h={remaining:.6f}",
                    )
                return
            requests = []
            began = None
            closing = "end"
            try:
                for person in task.people:
                    req = station.crew_time[person].request(priority=WORK_PRIORITY, preempt=False)
                    requests.append(req)
                    if not req.triggered:
                        yield req
                began = env.now
                if eff > 0:
                    finish = window_time_after(began, remaining / eff, *windows)
                else:  # no progress possible: hold until preempted or the people leave
                    finish = max(c.horizon_h, began)
                yield env.timeout(finish - began)
            except simpy.Interrupt as interrupt:
                closing = "stop" if interrupt.cause == "undock" else "interrupt"
                if closing == "stop":
                    raise
            finally:
                if began is not None:
                    worked = window_hours(began, env.now, *windows) * eff
                    if tracing:
                        _trace_spans(
                            env, name, began, env.now, done, remaining, eff, closing, started
                        )
                    remaining -= worked
                    done += worked
                    progress[0] += worked
                    crew_names = env.c.names.crew
                    for person in task.people:
                        env.row[crew_names[person].work_h] += worked
                release_all(requests)


def window_hours(a: float, b: float, day_start: float, hours_per_day: float) -> float:
    """Hours of daily work windows (``day_start`` .. ``day_start + hours_per_day``) in [a, b]."""
    if b <= a:
        return 0.0
    return _cumulative(b - day_start, hours_per_day) - _cumulative(a - day_start, hours_per_day)


def window_time_after(a: float, need: float, day_start: float, hours_per_day: float) -> float:
    """The instant at which ``need`` hours of work windows have passed since ``a``."""
    target = _cumulative(a - day_start, hours_per_day) + need
    day = math.floor(target / hours_per_day)
    rest = target - day * hours_per_day
    if rest <= 1e-9:  # exactly at the end of a window
        return day_start + 24.0 * (day - 1) + hours_per_day
    return day_start + 24.0 * day + rest


def _cumulative(t: float, hours_per_day: float) -> float:
    """Window hours from the first window (time 0 = a window's start) to ``t``."""
    day = math.floor(t / 24.0)
    return day * hours_per_day + min(t - 24.0 * day, hours_per_day)


def _trace_spans(env, name, began, until, done, remaining, eff, closing, started) -> None:
    """Log the stretches of work done inside [began, until] (at their own times)."""
    day_start, hours_per_day = env.c.work_day_start_h, env.c.work_hours_per_day
    day = math.floor((began - day_start) / 24.0)
    while True:
        w_start = day_start + 24.0 * day
        w_end = w_start + hours_per_day
        if w_start >= until - 1e-9:
            return
        lo, hi = max(began, w_start), min(until, w_end)
        day += 1
        if hi - lo <= 1e-9:
            continue
        env.log_at(
            lo,
            "station",
            "work",
            "resume" if started[0] else "start",
            f"task={name} done_h={done:.6f} remaining_h={remaining:.6f}",
        )
        started[0] = True
        worked = (hi - lo) * eff
        done += worked
        remaining -= worked
        last = hi >= until - 1e-9
        if last and closing == "end":
            event, detail = "end", f"task={name} done_h={done:.6f} remaining_h=0"
        else:
            cause = {"interrupt": "preempted", "stop": "undock"}.get(closing, "day-end")
            event = closing if last and closing != "end" else "stop"
            cause = cause if last else "day-end"
            detail = (
                f"task={name} done_h={done:.6f} remaining_h={max(remaining, 0):.6f} cause={cause}"
            )
        env.log_at(hi, "station", "work", event, detail)
        if last:
            return


def _wait_for_people(env: RotationEnv, people: tuple[str, ...]):
    """Wait until everyone named is aboard and settled; False when someone never arrives."""
    c = env.c
    for person in people:
        up = c.people[person].up_vehicle
        if up is not None and person not in env.station.aboard:
            arrived = yield from _wait(env, env.arrived[up])
            if not arrived:
                return False
    if not all(p in env.station.aboard for p in people):
        return False
    start = max(env.station.arrived_at[p] for p in people) + c.work_start_after_docking_h
    if env.now < start:
        yield from _wait(env, env.timeout(start - env.now))
    return all(p in env.station.aboard for p in people)


def _wait(env: RotationEnv, event: simpy.Event):
    """Wait for ``event``, ignoring late preemption notices (but not an undock)."""
    while True:
        try:
            return (yield event)
        except simpy.Interrupt as interrupt:
            if interrupt.cause == "undock":
                raise


def liner_swap_process(
    env: RotationEnv, vehicles: tuple[str, ...], members: list[tuple[str, str, simpy.Event]]
):
    """Move the seat liners of ``members`` (person, target vehicle, done event) together.

    The swaps that the same arrivals (``vehicles``) make possible are done as one job, after those
    vehicles have docked and their hatches are open: each person involved spends ``liner_swap``
    hours of their own time (a contingency can preempt it; the job resumes with the time it still
    needs). A swap whose vehicle never docks does not happen, and its person keeps their seat.
    """
    c = env.c
    station = env.station
    for vehicle in vehicles:
        arrived = yield env.arrived[vehicle]
        if not arrived:
            for _person, _target, done in members:
                env.fire(done, False)
            return
    members = _still_possible(env, members)
    if not members:
        return
    here = max(
        max(station.arrived_at[person], station.docked_since.get(target, 0.0))
        for person, target, _done in members
    )
    start = here + c.work_start_after_docking_h
    if env.now < start:
        yield env.timeout(start - env.now)
    remaining = c.liner_swap_h
    tracing = env.tracing
    while remaining > 1e-9:
        # A vehicle (or a person) may have left meanwhile: no liner moves into a departed vehicle.
        members = _still_possible(env, members)
        if not members:
            return
        requests = []
        began = None
        try:
            for person, _target, _done in members:
                req = station.crew_time[person].request(priority=LINER_SWAP_PRIORITY, preempt=True)
                requests.append(req)
                if not req.triggered:
                    yield req
            began = env.now
            if tracing:
                for person, target, _done in members:
                    env.log(target, "seats", "swap", person)
            try:
                yield env.timeout(remaining)
            finally:
                remaining -= env.now - began
        except simpy.Interrupt:
            if tracing and began is not None:
                for person, target, _done in members:
                    env.log(target, "seats", "swap interrupted", person)
        finally:
            release_all(requests)
    for person, target, done in _still_possible(env, members):
        station.liner[person] = target
        env.log(target, "seats", "liner installed", person)
        env.fire(done, True)


def _still_possible(env: RotationEnv, members: list) -> list:
    """The swaps whose person is aboard and whose target vehicle is still docked; the others are
    given up (their return left without them), and keep the person on their original seat."""
    station = env.station
    keep = []
    for person, target, done in members:
        if person in station.aboard and target in station.docked and not done.triggered:
            keep.append((person, target, done))
        elif not done.triggered:
            env.fire(done, False)
            env.log(target, "seats", "swap given up", person)
    return env.health.swap_allowed(keep)
