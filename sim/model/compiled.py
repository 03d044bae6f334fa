"""A scenario turned into plain numbers (hours since epoch) once, before any replication runs.

Everything a replication needs that does not depend on random draws is computed here: planned
instants, launch windows, landing opportunities and their daylight flags, the outcome-row template.
The result is picklable, so process and Dask workers receive it once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from sim.model.draws import draw
from sim.model.geometry import (
    HORIZON_DAYS,
    daylight_flags,
    orbit_of,
    orbit_opportunities,
    time_of_day_h,
)
from sim.model.inputs import DEFAULT_BLOCK_SIZE, set_sampling
from sim.model.names import ScenarioNames
from sim.scenario import Scenario

#: Planned work runs at this SimPy priority; contingencies (0-9) and liner swaps preempt it.
WORK_PRIORITY = 10
#: Quantiles that bound a drawn descent (the daylight rule holds over the whole range).
DESCENT_RANGE_Q = (0.001, 0.999)
LINER_SWAP_PRIORITY = 5


@dataclass(frozen=True)
class Launch:
    """An arriving vehicle's launch, rendezvous and docking, in hours since epoch."""

    vehicle: str
    crewed: bool
    spec: Any  # LaunchSpec
    slip: Any  # the slip distribution in force (by planning horizon when the plan date is known)
    rendezvous: Any  # RendezvousSpec
    docking: Any  # DockingSpec
    planned_h: float
    windows_h: tuple[
        float, ...
    ]  # launch window of day k after the planned day (k = 0..HORIZON_DAYS)
    nominal_rdv_h: float  # planned launch-to-docking duration
    dock_planned_h: float
    blocked_by: tuple[int, ...]  # relocations that must finish before launch
    # The distributions above, compiled (sim.model.draws): slip, scrub turnaround, rendezvous
    # duration by scheme, manual docking's extra time, uncrewed retry delay.
    slip_draw: Any = None
    turnaround_draw: Any = None
    rendezvous_draws: dict[str, Any] = field(default_factory=dict)
    manual_extra_draw: Any = None
    retry_delay_draw: Any = None
    #: Median launch-to-docking duration of each scheme (hours): the docking a slip lets planners
    #: expect, and the visit a launch predicts.
    median_rdv_h: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Return:
    """A vehicle's return, in hours since epoch."""

    vehicle: str
    spec: Any  # ReturnSpec
    planned_undock_h: float
    descent_nominal_h: float
    landing_planned_h: float
    planned_day: int  # UTC calendar day index of the planned landing (days since 1970-01-01)
    life_end_h: float | None  # None when the vehicle arrives in the run (set at docking)
    design_life_h: float
    limit_h: float  # latest undock by max_extension and latest_undock (life applied at run time)
    orbit_based: bool  # opportunities from the orbit (else daily at the planned time of day)
    max_extension_h: float = 0.0  # most an until-done return may stay past its (shifted) plan
    latest_undock_h: float = math.inf  # hard limit; does not move with a launch slip
    #: Undock instants whose landing is usable (in daylight, or no daylight rule), in order.
    usable_h: tuple[float, ...] = ()
    descent_draw: Any = None  # the descent distribution, compiled (sim.model.draws)
    #: The range a descent is drawn in (hours): its 0.1 and 99.9 % quantiles. The daylight rule is
    #: checked at both ends, so a landing judged in daylight stays in daylight whatever is drawn.
    descent_range_h: tuple[float, float] = (0.0, math.inf)
    #: People who fly up in the run and come home on this vehicle, and the vehicles they fly up on.
    visitors: tuple[str, ...] = ()
    visitor_vehicles: tuple[str, ...] = ()
    #: Planned visit: the visitors' planned docking to the planned undock (keep-visit keeps it).
    visit_planned_h: float = 0.0
    min_visit_h: float = 0.0
    #: Planned docking of the next arrival that needs this vehicle's port or its crew's room.
    next_arrival_h: float = math.inf


@dataclass(frozen=True)
class Person:
    name: str
    index: int
    aboard_vehicle: str | None
    up_vehicle: str | None
    returns: str


@dataclass(frozen=True)
class TaskPlan:
    name: str
    people: tuple[str, ...]
    hours: float
    efficiency: Any  # distribution
    efficiency_draw: Any = None  # compiled (sim.model.draws)


@dataclass(frozen=True)
class ContingencyPlan:
    name: str
    rate_per_h: float  # 0 for a dated contingency
    impact: Any  # duration distribution
    crew: Any  # "all" | int | tuple[str, ...]
    priority: int
    impact_draw: Any = None  # compiled (sim.model.draws)
    at_h: float | None = None  # a dated contingency's instant


@dataclass(frozen=True)
class RelocationPlan:
    index: int
    vehicle: str
    from_port: str
    to_port: str
    planned_h: float
    duration: Any
    slip: Any
    duration_draw: Any = None  # compiled (sim.model.draws)
    slip_draw: Any = None


@dataclass
class CompiledScenario:
    """Everything a replication needs, precomputed."""

    name: str
    epoch: datetime
    epoch_unix: float
    primary: str | None
    ports: tuple[str, ...]
    max_crew: int
    liner_swap_h: float
    seats: dict[str, int]
    docked_at: dict[str, str]  # vehicles docked at the epoch -> port
    docked_since_h: dict[str, float]
    design_life_h: dict[str, float]
    launches: dict[str, Launch]
    returns: dict[str, Return]
    relocations: tuple[RelocationPlan, ...]
    people: dict[str, Person]
    tasks: tuple[TaskPlan, ...]
    work_hours_per_day: float
    work_day_start_h: float
    work_start_after_docking_h: float
    contingencies: tuple[ContingencyPlan, ...]
    horizon_h: float = 0.0
    #: Most events one replication may process (``monte_carlo.max_events``).
    max_events: int = 1_000_000
    #: People whose time the schedule depends on (named in tasks, or moving a seat liner): only
    #: their crew time is modelled as a resource; a contingency costs the others nothing we track.
    scheduled_people: frozenset[str] = frozenset()
    #: Fewest people aboard before it is a violation, checked until ``min_crew_until_h``.
    min_crew: int = 0
    min_crew_until_h: float = math.inf
    #: The people the headline is about: those who fly up in the run and come home on the primary
    #: return (the film crew); without such people, everyone planned to come home on it.
    visitors: tuple[str, ...] = ()
    #: Planned visit (hours): the visitors' planned docking to the primary's planned undock.
    visit_planned_h: float = math.nan
    #: Windows and opportunities from the station's orbit (else one a day, drifting by the priors).
    orbit_based: bool = False
    row_template: dict[str, Any] = field(default_factory=dict)
    #: Sampling plan (sim.model.inputs.set_sampling): mode, replications per block and the
    #: inputs whose uniforms come from the block's Latin hypercube (none with "mc").
    sampling: str = "mc"
    block_size: int = 0
    strata_names: tuple[str, ...] = ()
    health: Any = None  # HealthPlan (sim.model.health): failures, replacements, emergencies
    swap_plan: Any = None  # SwapPlan (sim.model.rotation), made by the first replication
    #: (distribution, a, b) of each beta probability by name, filled as replications draw them.
    beta_params: dict[str, tuple[Any, float, float]] = field(default_factory=dict)
    #: Names of outcome columns, inputs and streams, made once (``sim.model.names``).
    names: ScenarioNames = field(default_factory=ScenarioNames)

    @property
    def work_planned_h(self) -> float:
        return sum(t.hours for t in self.tasks)


def _median_h(dist: Any) -> float:
    return float(dist.quantile(0.5)) * dist.to_hours


def compile_scenario(s: Scenario) -> CompiledScenario:
    """Precompute the numbers of a validated scenario (no random draws here)."""
    from sim.scenario.health import with_replacement_vehicles

    s = with_replacement_vehicles(s)  # vehicles named by `like` replacements
    epoch_unix = s.epoch.timestamp()
    orbit = orbit_of(s)

    launches: dict[str, Launch] = {}
    for name, v in s.vehicles.items():
        if v.launch is None:
            continue
        planned = s.hours(v.launch.planned)
        nominal = _median_h(v.rendezvous.durations[v.rendezvous.scheme])
        dock_planned = s.hours(v.docking.planned) if v.docking.planned else planned + nominal
        days = np.arange(HORIZON_DAYS + 1, dtype=float)
        if orbit is not None:
            from sim.orbit.geometry import launch_windows

            site = s.orbit.launch_site
            windows_unix = launch_windows(
                orbit,
                site.lat,
                site.lon,
                v.launch.planned.timestamp() - 600,
                HORIZON_DAYS + 1,
                offset_s=s.orbit.launch_offset_h * 3600,
            )
            windows = (np.asarray(windows_unix, float) - epoch_unix) / 3600
            windows[0] = planned
        else:
            windows = planned + days * 24.0 + days * v.launch.window_drift
        crewed = v.crewed if v.crewed is not None else any(c.up == name for c in s.crew.values())
        # A relocation holds this launch when it names it, or when it frees this vehicle's port
        # (a crewed Soyuz cannot loiter for days waiting for its port).
        blocked = tuple(
            i
            for i, r in enumerate(s.relocations)
            if r.before == name or (r.vehicle != name and r.from_ == v.docking.port)
        )
        launches[name] = Launch(
            vehicle=name,
            crewed=crewed,
            spec=v.launch,
            slip=v.launch.effective_slip(),
            rendezvous=v.rendezvous,
            docking=v.docking,
            planned_h=planned,
            windows_h=tuple(float(x) for x in windows),
            nominal_rdv_h=nominal,
            dock_planned_h=dock_planned,
            blocked_by=blocked,
            slip_draw=draw(v.launch.effective_slip()),
            turnaround_draw=draw(v.launch.scrub_turnaround),
            rendezvous_draws={k: draw(d) for k, d in v.rendezvous.durations.items()},
            manual_extra_draw=draw(v.docking.manual_extra),
            retry_delay_draw=draw(v.docking.retry_delay),
            median_rdv_h={k: _median_h(d) for k, d in v.rendezvous.durations.items()},
        )

    returns: dict[str, Return] = {}
    for name, r in s.returns.items():
        v = s.vehicles[name]
        undock = s.hours(r.planned_undock)
        descent = float(r.descent.mean()) * r.descent.to_hours
        if orbit is not None:
            opps = orbit_opportunities(s, orbit, r, undock, descent)
        else:
            days = np.arange(HORIZON_DAYS + 1, dtype=float)
            opps = undock + days * 24.0 + days * r.opportunity_drift
        descent_range = (
            float(r.descent.quantile(DESCENT_RANGE_Q[0])) * r.descent.to_hours,
            float(r.descent.quantile(DESCENT_RANGE_Q[1])) * r.descent.to_hours,
        )
        if r.daylight:
            usable = np.ones(len(opps), bool)
            for d in (descent_range[0], descent, descent_range[1]):
                landing_unix = epoch_unix + (np.asarray(opps, float) + d) * 3600
                usable &= daylight_flags(
                    landing_unix, r.zone.lat, r.zone.lon, r.daylight_margin_deg
                )
        else:
            usable = np.ones(len(opps), bool)
        life_end = None
        if v.docked_since is not None:
            life_end = s.hours(v.docked_since) + v.design_life
        extension = r.max_extension if r.policy == "until-done" else 0.0
        latest = s.hours(r.latest_undock) if r.latest_undock is not None else math.inf
        limit = min(undock + extension, latest)
        landing_planned = undock + descent
        returns[name] = Return(
            vehicle=name,
            spec=r,
            planned_undock_h=undock,
            descent_nominal_h=descent,
            descent_range_h=descent_range,
            landing_planned_h=landing_planned,
            planned_day=math.floor((epoch_unix + landing_planned * 3600) / 86400),
            life_end_h=life_end,
            design_life_h=v.design_life,
            limit_h=limit,
            orbit_based=orbit is not None,
            max_extension_h=extension,
            latest_undock_h=latest,
            usable_h=tuple(float(x) for x in np.asarray(opps, float)[np.asarray(usable, bool)]),
            descent_draw=draw(r.descent),
        )

    people = {n: Person(n, i, c.aboard, c.up, c.returns) for i, (n, c) in enumerate(s.crew.items())}
    from sim.model.visits import visitors_of, with_visit

    returns = {
        name: with_visit(s, plan, people, launches, returns) for name, plan in returns.items()
    }
    tasks = tuple(
        TaskPlan(t.name, tuple(t.people), t.hours, t.efficiency, draw(t.efficiency))
        for t in s.work.tasks
    )
    contingencies = tuple(
        ContingencyPlan(
            c.name,
            c.rate.rate_per_hour if c.rate is not None else 0.0,
            c.impact,
            tuple(c.crew) if isinstance(c.crew, list) else c.crew,
            c.priority,
            draw(c.impact),
            s.hours(c.at) if c.at is not None else None,
        )
        for c in s.contingencies
    )
    relocations = tuple(
        RelocationPlan(
            i,
            r.vehicle,
            r.from_,
            r.to,
            s.hours(r.planned),
            r.duration,
            r.slip,
            draw(r.duration),
            draw(r.slip),
        )  # fmt: skip
        for i, r in enumerate(s.relocations)
    )
    compiled = CompiledScenario(
        name=s.name,
        epoch=s.epoch,
        epoch_unix=epoch_unix,
        primary=s.primary,
        ports=tuple(s.station.ports),
        max_crew=s.station.max_crew,
        liner_swap_h=s.station.liner_swap,
        seats={n: v.seats for n, v in s.vehicles.items()},
        docked_at={n: v.docked_at for n, v in s.vehicles.items() if v.docked_at},
        docked_since_h={
            n: s.hours(v.docked_since) for n, v in s.vehicles.items() if v.docked_since
        },
        design_life_h={n: v.design_life for n, v in s.vehicles.items()},
        launches=launches,
        returns=returns,
        relocations=relocations,
        people=people,
        tasks=tasks,
        work_hours_per_day=s.work.hours_per_day,
        # The work day starts at a UTC time of day; the epoch need not be at midnight.
        work_day_start_h=(s.work.day_start - time_of_day_h(epoch_unix)) % 24.0,
        work_start_after_docking_h=s.work.start_after_docking,
        contingencies=contingencies,
    )
    last = max(
        [r.planned_undock_h for r in returns.values()]
        + [lp.planned_h for lp in launches.values()]
        + [0.0]
    )
    compiled.scheduled_people = frozenset(
        [p for t in tasks for p in t.people]
        + [p.name for p in people.values() if (p.aboard_vehicle or p.up_vehicle) != p.returns]
    )
    compiled.horizon_h = last + HORIZON_DAYS * 24.0
    compiled.max_events = s.monte_carlo.max_events
    compiled.orbit_based = orbit is not None
    compiled.min_crew = s.station.min_crew
    if s.station.min_crew_until is not None:
        compiled.min_crew_until_h = s.hours(s.station.min_crew_until)
    compiled.visitors, compiled.visit_planned_h = visitors_of(compiled)
    from sim.model.outcome import row_template

    compiled.row_template = row_template(compiled)
    mc = getattr(s, "monte_carlo", None)
    set_sampling(
        compiled, getattr(mc, "sampling", "mc"), getattr(mc, "block_size", DEFAULT_BLOCK_SIZE)
    )
    from sim.model.health import compile_health

    compile_health(s, compiled, orbit)
    return compiled
