"""The station: ports, who is aboard, where each seat liner is, crew time, and contingencies.

Crew time is one :class:`~sim.model.crewtime.CrewTime` (a light preemptive resource) per person: a contingency (priority 0-9) preempts
planned work (priority 10), which resumes later with the hours it still needs. Every change of who is
aboard is checked against the station's crew limit and the seats of the docked vehicles.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import simpy

from sim.model.crewtime import CrewRequest, CrewTime

if TYPE_CHECKING:
    from sim.model.env import RotationEnv


class _Ports(dict):
    """Docking ports by name, each a capacity-one resource created when first asked for."""

    def __init__(self, env: RotationEnv) -> None:
        super().__init__()
        self.env = env

    def __missing__(self, port: str) -> CrewTime:
        resource = self[port] = CrewTime(self.env)
        return resource


class StationState:
    """Who and what is at the station, at every moment of one replication."""

    def __init__(self, env: RotationEnv) -> None:
        c = env.c
        self.env = env
        #: Ports, made on first use: a FIFO port is a CrewTime whose requests never preempt.
        self.ports = _Ports(env)
        self.port_requests: dict[str, CrewRequest] = {}
        self.docked: dict[str, str] = {}  # vehicle -> port
        self.relocating: set[str] = set()
        self.docked_since: dict[str, float] = {}
        self.aboard: set[str] = set()
        self.liner: dict[str, str] = {}  # person -> vehicle holding their seat liner
        self.crew_time = {p: CrewTime(env) for p in c.people if p in c.scheduled_people}
        self.arrived_at: dict[str, float] = {}  # person -> hours since epoch
        self.left_at: dict[str, float] = {}
        #: Contingency processes holding or waiting for each person's time.
        self.holds: dict[str, set] = {}
        for vehicle, port in c.docked_at.items():
            self.dock(vehicle, port, c.docked_since_h[vehicle], log=False)
        for person in c.people.values():
            if person.aboard_vehicle is not None:
                self.aboard.add(person.name)
                self.liner[person.name] = person.aboard_vehicle
                self.arrived_at[person.name] = 0.0
        env.row["peak_crew"] = len(self.aboard)
        env.row["min_crew"] = len(self.aboard)
        self.check(flight="", log=env.tracing)

    # Ports ---------------------------------------------------------------------------------------
    def dock(self, vehicle: str, port: str, since: float, log: bool = True) -> None:
        """Occupy ``port`` (it must be free: callers wait on :meth:`request_port` first)."""
        if vehicle not in self.port_requests:
            self.port_requests[vehicle] = self.ports[port].request(0, False)
        self.docked[vehicle] = port
        self.docked_since.setdefault(vehicle, since)
        if log and self.env.tracing:
            self.env.log(vehicle, "docking", "docked", f"port={port}")

    def request_port(self, vehicle: str, port: str) -> CrewRequest:
        """Ask for ``port``, first come first served (granted at once when it is free)."""
        req = self.ports[port].request(0, False)
        self.port_requests[vehicle] = req
        return req

    def free_port(self, vehicle: str) -> str:
        """Release the port of a vehicle that undocks (for good or to relocate)."""
        port = self.docked.pop(vehicle)
        req = self.port_requests.pop(vehicle)
        self.ports[port].release(req)
        return port

    # People --------------------------------------------------------------------------------------
    def board(self, people: list[str], vehicle: str) -> None:
        """``people`` come aboard from ``vehicle`` (their liners are in it)."""
        now = self.env.now
        for p in people:
            self.aboard.add(p)
            self.liner[p] = vehicle
            self.arrived_at[p] = now
        self.check(flight=vehicle)

    def leave(self, people: list[str], vehicle: str = "") -> None:
        """``people`` leave on ``vehicle`` (already undocked)."""
        now = self.env.now
        for p in people:
            self.aboard.discard(p)
            self.left_at[p] = now
            # A contingency holding (or waiting for) someone who leaves ends: they are gone.
            holds = self.holds.pop(p, None)
            for hold in list(holds) if holds else ():
                if hold.is_alive:
                    hold.interrupt("left")
        self.check(flight=vehicle)

    def aboard_in_order(self) -> list[str]:
        """Who is aboard, in the scenario's crew order (``Person.index``)."""
        aboard = self.aboard
        return [p for p in self.env.c.people if p in aboard]

    def seats_docked(self) -> int:
        """Seats of the vehicles at the station (a relocating vehicle keeps its crew aboard)."""
        seats = self.env.c.seats
        total = 0
        for v in self.docked:
            total += seats[v]
        for v in self.relocating:
            total += seats[v]
        return total

    def check(self, flight: str = "", log: bool = True) -> None:
        """Crew count against the crew limit and the seats of the docked vehicles.

        Traced as process ``crew``, event ``aboard``, flight = the vehicle that caused the change.
        """
        env = self.env
        n = len(self.aboard)
        seats = self.seats_docked()
        if n > env.row["peak_crew"]:
            env.row["peak_crew"] = n
        # People without a fit seat after a vehicle failure are flagged no-lifeboat (traced as
        # `no_lifeboat=`), not counted as a seat violation.
        health = getattr(env, "health", None)
        stranded = len(health.no_lifeboat_since) if health is not None else 0
        if log and env.tracing:
            detail = f"count={n} seats={seats} limit={env.c.max_crew}"
            env.log(
                flight, "crew", "aboard", detail + (f" no_lifeboat={stranded}" if stranded else "")
            )
        if env.now < env.c.min_crew_until_h:
            if n < env.row["min_crew"]:
                env.row["min_crew"] = n
            if n < env.c.min_crew and not env.row["min_crew_violated"]:
                env.row["min_crew_violated"] = True
                env.violation(f"crew {n} below minimum {env.c.min_crew} at {env.now:.2f} h")
        if n > env.c.max_crew:
            env.violation(f"crew {n} above limit {env.c.max_crew} at {env.now:.2f} h")
        if n - stranded > seats:
            env.violation(f"crew {n} above docked seats {seats} at {env.now:.2f} h")


def contingency_process(
    env: RotationEnv, plans, start_h: float, stop: simpy.Event, planned_end_h: float = math.inf
):
    """Arrivals of every kind of contingency (Poisson processes) from ``start_h`` until ``stop``.

    One SimPy process serves all kinds: it sleeps until the earliest next arrival. Each kind draws
    from its own stream, in the same order as if it had a process of its own. The sampled input
    ``in.contingency.<name>.count`` counts the arrivals before ``planned_end_h`` (the planned end of
    the visit): a late return's longer window is a consequence, not an input. Each arrival takes
    the crew it needs (everyone aboard, a number of people drawn at random, or named people) at its
    priority, preempting planned work, for a sampled impact.
    """
    plans = [p for p in plans if p.rate_per_h > 0]
    if not plans:
        return
    names = env.c.names.contingency
    rngs = [env.rng[names[p.name].prefix] for p in plans]
    if env.now < start_h:
        yield env.timeout(start_h - env.now)
    upcoming = [
        env.now + rng.exponential(1.0 / p.rate_per_h) for p, rng in zip(plans, rngs, strict=True)
    ]
    while True:
        k = min(range(len(plans)), key=upcoming.__getitem__)
        yield env.timeout(upcoming[k] - env.now)
        if stop.triggered:
            return
        plan, rng = plans[k], rngs[k]
        _arrival(env, plan, rng, planned=env.now < planned_end_h)
        upcoming[k] = env.now + rng.exponential(1.0 / plan.rate_per_h)


def dated_contingency_process(env: RotationEnv, plan):
    """A contingency that happens at a given instant (``at``), e.g. a recorded event in a replay."""
    if plan.at_h < env.now:
        return
    yield env.timeout(plan.at_h - env.now)
    _arrival(env, plan, env.rng[env.c.names.contingency[plan.name].prefix])


def _arrival(env: RotationEnv, plan, rng, planned: bool = True) -> None:
    """One contingency: count it, pick its crew and take their time."""
    station = env.station
    row = env.row
    impact = plan.impact_draw.hours(rng)
    row["contingency_count"] += 1
    if planned:
        row[env.c.names.contingency_inputs[plan.name].count] += 1
    row["contingency_h"] += impact
    aboard = station.aboard_in_order()
    if plan.crew == "all":
        crew = aboard
    elif isinstance(plan.crew, int):
        n = min(plan.crew, len(aboard))
        crew = [aboard[i] for i in sorted(rng.choice(len(aboard), n, replace=False))] if n else []
    else:
        crew = [p for p in aboard if p in plan.crew]
    if env.tracing:
        env.log("station", "contingency", plan.name, f"impact_h={impact:.2f} crew={len(crew)}")
    held = [p for p in crew if p in station.crew_time]
    if held:
        env.process(_hold_crew(env, held, impact, plan.priority, plan.name))


def _hold_crew(env: RotationEnv, crew: list[str], hours: float, priority: int, name: str):
    """Take ``crew``'s time for ``hours`` at ``priority`` (preempting lower-priority work).

    A more urgent contingency may preempt this one; the crew then handles that one instead. It
    ends when one of its people leaves the station.
    Traced as process ``contingency``, events ``hold`` (everyone taken) and ``release``, detail
    ``name=<kind> people=<a;b;...>`` (people last: names may contain spaces).
    """
    requests = []
    held = False
    me = env.active_process
    for person in crew:
        env.station.holds.setdefault(person, set()).add(me)
    try:
        for person in crew:
            req = env.station.crew_time[person].request(priority=priority, preempt=True)
            requests.append(req)
            if not req.triggered:
                yield req
        held = True
        if env.tracing:
            env.log("station", "contingency", "hold", f"name={name} people={';'.join(crew)}")
        yield env.timeout(hours)
    except simpy.Interrupt:
        pass
    # (Not in a `finally`: a generator closed when the run ends must not add trace events.)
    if held and env.tracing:
        env.log("station", "contingency", "release", f"name={name} people={';'.join(crew)}")
    release_all(requests)
    for person in crew:
        env.station.holds.get(person, set()).discard(me)


def release_all(requests: list) -> None:
    """Give back granted crew-time requests and withdraw the ones still waiting."""
    for req in requests:
        if req.triggered:
            req.resource.release(req)
        else:
            req.cancel()
