"""Planned work on station (the visitors' tasks or scenes) and seat-liner swaps.

A task needs all its named people aboard and together; it runs in the daily work window
(``day_start`` .. ``day_start + hours_per_day``), taking their crew time at the work priority.
A contingency that preempts any of them interrupts the task, which keeps the hours already done and
resumes when the crew is free again, still inside a work window. Work stops when a person leaves.
"""

from __future__ import annotations

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
    effs = [float(t.efficiency.sample(rng)) for t in c.tasks]
    for task, eff in zip(c.tasks, effs, strict=True):
        row[f"in.work.{task.name}.efficiency"] = eff
    progress = [0.0]
    try:
        yield from _run_tasks(env, effs, progress)
    except simpy.Interrupt:
        env.log("work", "plan", "stopped", "people left")
    total = progress[0]
    planned = c.work_planned_h
    if planned > 0:
        row["work_done_h"] = min(total, planned)
        row["work_done_frac"] = min(total / planned, 1.0)
        row["work_complete"] = total >= planned - 1e-6
    if row["work_complete"]:
        done_event.succeed()


def _run_tasks(env: RotationEnv, effs: list[float], progress: list[float]):
    c = env.c
    station = env.station
    hours_per_day = c.work_hours_per_day
    day_start = c.work_day_start_h
    for task, eff in zip(c.tasks, effs, strict=True):
        ready = yield from _wait_for_people(env, task.people)
        if not ready:
            return
        env.log("work", task.name, "start", f"hours={task.hours:.1f}")
        remaining = task.hours
        while remaining > 1e-9:
            if any(p not in station.aboard for p in task.people):
                return
            # The current work window, or the next one.
            day = math.floor((env.now - day_start) / 24.0)
            w_start = day_start + 24.0 * day
            w_end = w_start + hours_per_day
            if env.now >= w_end - 1e-9:
                w_start += 24.0
                w_end += 24.0
            requests = []
            try:
                if env.now < w_start:
                    yield env.timeout(w_start - env.now)
                for person in task.people:
                    req = station.crew_time[person].request(priority=WORK_PRIORITY, preempt=False)
                    requests.append(req)
                    yield req
                if env.now >= w_end - 1e-9:
                    continue
                began = env.now
                span = min(remaining / eff, w_end - began) if eff > 0 else w_end - began
                try:
                    yield env.timeout(span)
                finally:
                    worked = (env.now - began) * eff
                    remaining -= worked
                    progress[0] += worked
            except simpy.Interrupt as interrupt:
                if interrupt.cause == "undock":
                    raise
                env.log("work", task.name, "preempted", f"remaining_h={remaining:.2f}")
            finally:
                release_all(requests)
        env.log("work", task.name, "complete")


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


def liner_swap_process(env: RotationEnv, person: str, target: str, done: simpy.Event):
    """Move ``person``'s seat liner to ``target`` once both are at the station; takes crew time."""
    c = env.c
    station = env.station
    up = c.people[person].up_vehicle
    if up is not None and person not in station.aboard:
        arrived = yield env.arrived[up]
        if not arrived:
            done.succeed(False)
            return
    if target in env.arrived and target not in station.docked:
        arrived = yield env.arrived[target]
        if not arrived:
            done.succeed(False)
            return
    start = station.arrived_at[person] + c.work_start_after_docking_h
    if env.now < start:
        yield env.timeout(start - env.now)
    remaining = c.liner_swap_h
    while remaining > 1e-9:
        requests = []
        try:
            req = station.crew_time[person].request(priority=LINER_SWAP_PRIORITY, preempt=True)
            requests.append(req)
            yield req
            began = env.now
            try:
                yield env.timeout(remaining)
            finally:
                remaining -= env.now - began
        except simpy.Interrupt:
            pass
        finally:
            release_all(requests)
    station.liner[person] = target
    env.log(target, "seats", "liner installed", person)
    done.succeed(True)
