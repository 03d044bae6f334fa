"""Vehicle health compiled once per scenario, the failure processes, and the outcome columns.

A docked vehicle can become unfit to carry crew home (``unfit-for-crew``: it stays docked and
undocks empty at its planned time) or be ``lost`` (gone at once, with the seat liners in it). A
failure is a Poisson risk per docked day, or an event at a given instant. What follows for the people
is in :mod:`sim.model.lifeboats` (liners move to free seats of fit vehicles), the replacement
flight in :mod:`sim.model.replacement`, emergency returns in :mod:`sim.model.emergency`.

Outcome columns (hours since the epoch for ``*_utc``):
``health.failures``, ``health.first_failure_utc``, ``health.return_vehicle_failed`` (a vehicle
holding someone's seat liner failed before the headline return undocked), ``health.no_lifeboat_h``
(sum over people), ``health.emergency_returns``; per vehicle ``V.health`` (``fit``, ``unfit-for-crew``,
``lost``, ``replaced``: unfit and a replacement docked), ``V.failed_utc``, ``V.failure_cause``;
per person ``crew.P.no_lifeboat_h`` (beside the model's ``crew.P.home_on``, ``crew.P.home_utc``).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from sim.model.compiled import CompiledScenario
    from sim.model.env import RotationEnv
    from sim.scenario import Scenario

NAN = float("nan")


@dataclass(frozen=True)
class FailurePlan:
    """One failure risk: dated (``at_h``) or a Poisson rate per docked hour."""

    index: int
    vehicles: tuple[str, ...]
    rate_per_h: float
    at_h: float | None
    severity: str
    cause: str
    lifeboat_after: Any  # duration distribution


@dataclass(frozen=True)
class ReplacementPlan:
    failed: str
    vehicle: str
    lead_time: Any | None  # duration distribution; None: the vehicle keeps its planned launch
    stays_home: tuple[str, ...]
    return_after_h: float
    windows_h: tuple[
        float, ...
    ] = ()  # daily launch windows from the epoch (lead-time replacements)


@dataclass(frozen=True)
class EmergencyPlan:
    index: int
    name: str
    people: tuple[str, ...]
    rate_per_h: float
    at_h: float | None
    cause: str


@dataclass(frozen=True)
class HealthPlan:
    """The compiled ``vehicle_health`` section."""

    failures: tuple[FailurePlan, ...] = ()
    replacements: dict[str, ReplacementPlan] = dataclasses.field(default_factory=dict)
    emergencies: tuple[EmergencyPlan, ...] = ()
    lifeboat_order: tuple[str, ...] = ()

    @property
    def replacement_launches(self) -> frozenset[str]:
        """Vehicles launched only after the failure they answer (not at their planned time)."""
        return frozenset(r.vehicle for r in self.replacements.values() if r.lead_time is not None)


def compile_health(s: Scenario, compiled: CompiledScenario, orbit: Any = None) -> None:
    """Add the health plan and its outcome columns to ``compiled`` (no random draws).

    ``orbit`` is the station orbit (:class:`sim.orbit.geometry.Orbit`) of a scenario with one.
    """
    h = s.vehicle_health
    person_order = list(compiled.people)
    if h is None:
        compiled.health = HealthPlan()
    else:
        order = list(dict.fromkeys(list(h.lifeboat_order) + person_order))
        failures = tuple(
            FailurePlan(
                i,
                tuple(f.vehicles),
                f.rate.rate_per_hour if f.rate is not None else 0.0,
                s.hours(f.at) if f.at is not None else None,
                f.severity,
                f.cause,
                f.lifeboat_after,
            )
            for i, f in enumerate(h.failures)
        )
        replacements = {}
        for failed, r in h.replacements.items():
            windows: tuple[float, ...] = ()
            if r.lead_time is not None:
                windows = _windows_from_epoch(s, compiled, r.vehicle, orbit)
            replacements[failed] = ReplacementPlan(
                failed, r.vehicle, r.lead_time, tuple(r.stays_home), r.return_after, windows
            )
        emergencies = tuple(
            EmergencyPlan(
                i,
                e.name,
                tuple(e.people),
                e.rate.rate_per_hour if e.rate is not None else 0.0,
                s.hours(e.at) if e.at is not None else None,
                e.cause,
            )
            for i, e in enumerate(h.emergencies)
        )
        compiled.health = HealthPlan(failures, replacements, emergencies, tuple(order))
    compiled.row_template.update(_columns(compiled))


def _windows_from_epoch(
    s: Scenario, compiled: CompiledScenario, vehicle: str, orbit: Any
) -> tuple[float, ...]:
    """Daily launch windows of ``vehicle`` from the epoch to the horizon (hours since epoch).

    A replacement's launch day is known only when the failure happens, so its windows cover the
    whole run: from the orbit when the scenario has one, else at the planned time of day (drifting
    by ``window_drift`` a day, counted from the planned day).
    """
    plan = compiled.launches[vehicle]
    days = int(math.ceil(compiled.horizon_h / 24.0)) + 2
    if orbit is not None:
        from sim.orbit.geometry import launch_windows

        site = s.orbit.launch_site
        unix = launch_windows(
            orbit,
            site.lat,
            site.lon,
            compiled.epoch_unix,
            days,
            offset_s=s.orbit.launch_offset_h * 3600,
        )
        return tuple(float(x) for x in (np.asarray(unix, float) - compiled.epoch_unix) / 3600)
    first = -math.floor(plan.planned_h / 24.0)
    k = np.arange(first, first + days, dtype=float)
    windows = plan.planned_h + 24.0 * k + k * plan.spec.window_drift
    return tuple(float(x) for x in windows if x >= 0.0)


def _columns(c: CompiledScenario) -> dict[str, Any]:
    row: dict[str, Any] = {
        "health.failures": 0,
        "health.first_failure_utc": NAN,
        "health.return_vehicle_failed": False,
        "health.no_lifeboat_h": 0.0,
        "health.emergency_returns": 0,
    }
    for r in c.health.replacements.values():
        if r.lead_time is not None:
            row[f"in.{r.vehicle}.lead_time_d"] = NAN
            row[f"{r.vehicle}.replacement_flights"] = 0
            row[f"{r.vehicle}.launch_planned_utc"] = NAN  # known once the failure happens
            row[f"{r.vehicle}.dock_planned_utc"] = NAN
    for v in c.returns:
        row[f"{v}.health"] = "fit"
        row[f"{v}.failed_utc"] = NAN
        row[f"{v}.failure_cause"] = ""
    for p in c.people:
        row[f"crew.{p}.no_lifeboat_h"] = 0.0
    return row


def failure_processes(env: RotationEnv) -> None:
    """Start the failure risks: one process per dated event and per (risk, vehicle) rate."""
    for plan in env.c.health.failures:
        if plan.at_h is not None:
            env.process(_dated_failure(env, plan))
        elif plan.rate_per_h > 0:
            for v in plan.vehicles:
                env.process(_random_failure(env, plan, v))


def _dated_failure(env: RotationEnv, plan: FailurePlan):
    if env.now < plan.at_h:
        yield env.timeout(plan.at_h - env.now)
    v = plan.vehicles[0]
    if v in env.station.docked or v in env.station.relocating:
        env.health.fail(v, plan)
    else:
        env.log(v, "health", "no failure", "vehicle not at the station at the dated event")


def _random_failure(env: RotationEnv, plan: FailurePlan, v: str):
    """The first failure of ``v`` while docked: an exponential time after it docks (memoryless)."""
    rng = env.rng[env.c.names.health[plan.index, v].prefix]
    if v in env.arrived:
        arrived = yield env.arrived[v]
        if not arrived:
            return
    when = env.now + rng.exponential(1.0 / plan.rate_per_h)
    if when >= env.c.horizon_h:
        return
    yield env.timeout(when - env.now)
    if v in env.station.docked or v in env.station.relocating:
        env.health.fail(v, plan)


def finish_health_row(env: RotationEnv) -> None:
    """Per-person hours without a lifeboat, and the headline of a failed headline vehicle."""
    row = env.row
    health = env.health
    health.close_clocks(env.now)
    total = 0.0
    crew_names = env.c.names.crew
    for p in env.c.people:
        hours = health.no_lifeboat_h.get(p, 0.0)
        row[crew_names[p].no_lifeboat_h] = hours
        total += hours
    row["health.no_lifeboat_h"] = total
    _headline_follows_its_people(env)


def _headline_follows_its_people(env: RotationEnv) -> None:
    """When the headline vehicle failed, the headline landing is its people's: the last of those who
    were to come home on it and flew (NaN while any is still aboard); the difference to the
    vehicle's own (empty) landing is charged to ``delay.health_h``."""
    c = env.c
    row = env.row
    primary = c.primary
    if primary is None or row[f"{primary}.health"] == "fit":
        return
    people = [
        p.name
        for p in c.people.values()
        if p.returns == primary and p.name in env.station.arrived_at
    ]
    if not people:
        return
    homes = [row[f"crew.{p}.home_utc"] for p in people]
    landed = max(homes) if all(h == h for h in homes) else NAN
    plan = c.returns[primary]
    old_delay = row["landing_delay_h"]
    delay = landed - plan.landing_planned_h
    row["landing_actual_utc"] = landed
    row["landing_delay_h"] = delay
    row["landed_on_planned_day"] = (
        landed == landed
        and math.floor((c.epoch_unix + landed * 3600) / 86400.0) == plan.planned_day
    )
    if delay == delay and old_delay == old_delay:
        row["delay.health_h"] += delay - old_delay
