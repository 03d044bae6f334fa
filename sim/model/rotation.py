"""One replication of a rotation: wire the processes, run them, return the outcome row.

Processes: relocations, each launch (pre-launch slip, launch, rendezvous, docking), liner swaps,
the work plan, station contingencies and each return. They meet through events on ``env``:
``arrived[v]``, ``relocated[i]``, ``launched[v]``, ``departed[v]``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.model.activities import liner_swap_process, work_process
from sim.model.compiled import CompiledScenario
from sim.model.emergency import emergency_processes
from sim.model.env import RotationEnv
from sim.model.health import failure_processes, finish_health_row
from sim.model.landing import return_process
from sim.model.launch import launch_process
from sim.model.lifeboats import HealthState
from sim.model.outcome import finish_row
from sim.model.rendezvous import relocation_process
from sim.model.replacement import replacement_processes
from sim.model.station import StationState, contingency_process, dated_contingency_process


@dataclass(frozen=True)
class SwapPlan:
    """The liner swaps of a scenario, the same in every replication: the people who swap, the
    jobs (the arriving vehicles that make them possible, and their (person, target vehicle)),
    and per return vehicle the people whose swap it waits for and the arrivals they need."""

    people: tuple[str, ...]
    jobs: tuple[tuple[tuple[str, ...], tuple[tuple[str, str], ...]], ...]
    of: dict[str, tuple[str, ...]]
    arrivals: dict[str, tuple[str, ...]]


def plan_swaps(c: CompiledScenario) -> SwapPlan:
    """Everyone whose liner is not in the vehicle that takes them home, grouped into jobs."""
    people: list[str] = []
    swaps_of: dict[str, list[str]] = {v: [] for v in c.returns}
    swap_arrivals: dict[str, list[str]] = {v: [] for v in c.returns}
    swap_jobs: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for person in c.people.values():
        start_vehicle = person.aboard_vehicle or person.up_vehicle
        if start_vehicle != person.returns:
            people.append(person.name)
            arriving = [a for a in (person.up_vehicle, person.returns) if a in c.launches]
            key = tuple(sorted(set(arriving)))
            swap_jobs.setdefault(key, []).append((person.name, person.returns))
            for v in (start_vehicle, person.returns):
                if v in swaps_of:
                    swaps_of[v].append(person.name)
                    swap_arrivals[v] += [
                        a for a in arriving if a != v and a not in swap_arrivals[v]
                    ]
    return SwapPlan(
        tuple(people),
        tuple((key, tuple(members)) for key, members in swap_jobs.items()),
        {v: tuple(names) for v, names in swaps_of.items()},
        {v: tuple(arrivals) for v, arrivals in swap_arrivals.items()},
    )


def simulate_replication(
    compiled: CompiledScenario, replication: int, seed: int, trace: bool = False
) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """Run replication ``replication`` of a run seeded with ``seed``.

    Returns the outcome row (a flat dict; ``*_utc`` columns in hours since the epoch) and, when
    ``trace`` is true, the event trace as ``(replication, time_h, flight, process, event, detail)``.
    """
    env = RotationEnv(compiled, seed, replication, trace)
    env.station = StationState(env)
    env.health = HealthState(env)
    c = compiled

    for plan in c.relocations:
        env.process(relocation_process(env, plan))
    on_failure = c.health.replacement_launches  # launched by the replacement process
    for plan in c.launches.values():
        if plan.vehicle not in on_failure:
            env.process(launch_process(env, plan))
    failure_processes(env)
    replacement_processes(env)
    emergency_processes(env)

    # Liner swaps: everyone whose liner is not in the vehicle that takes them home.
    swaps = c.swap_plan
    if swaps is None:
        swaps = c.swap_plan = plan_swaps(c)
    done = {person: env.event() for person in swaps.people}
    for vehicles, members in swaps.jobs:
        env.process(
            liner_swap_process(env, vehicles, [(p, target, done[p]) for p, target in members])
        )

    work_done = env.event()
    work_proc = env.process(work_process(env, work_done)) if c.tasks else None
    if work_proc is None:
        env.fire(work_done)

    # Contingencies matter while the visitors are aboard: from the first arrival to the primary's
    # undock (or, without a primary return, from the epoch until every return has left).
    if c.primary in env.departed:
        stop = env.departed[c.primary]
    elif env.departed:
        stop = env.all_of(list(env.departed.values()))
    else:  # no returns: contingencies run to the end of the horizon
        stop = env.event()
    start_h = min((p.dock_planned_h for p in c.launches.values()), default=0.0)
    for plan in c.contingencies:
        if plan.at_h is not None:
            env.process(dated_contingency_process(env, plan))
    if c.contingencies:
        planned_end = (
            c.returns[c.primary].planned_undock_h if c.primary in c.returns else c.horizon_h
        )
        env.process(contingency_process(env, c.contingencies, start_h, stop, planned_end))

    for plan in c.returns.values():
        env.process(
            return_process(
                env,
                plan,
                [done[p] for p in swaps.of[plan.vehicle]],
                swaps.arrivals[plan.vehicle],
                work_done,
                work_proc,
            )
        )

    env.run_bounded(c.horizon_h, c.max_events)
    finish_health_row(env)
    env.rng.release()
    if trace:
        env.events_log.sort(key=lambda e: e[1])
    finish_row(env)
    row, events = env.row, env.events_log
    env.close()
    return row, events
