"""The SimPy environment of one replication, carrying its context.

Processes reach the compiled scenario, the named random streams, the station state, the outcome row
and the event recorder through ``env``; nothing is global, nothing is read from files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import URGENT

from sim.seeding import Streams, latin_hypercube_point

if TYPE_CHECKING:
    from sim.model.compiled import CompiledScenario
    from sim.model.lifeboats import HealthState
    from sim.model.station import StationState


#: The scenario field most likely behind a replication that never ends, by the model process that
#: keeps scheduling events.
_LIKELY_FIELD = {
    "launch_process": "vehicles.<vehicle>.launch (scrub_p, max_attempts, scrub_turnaround)",
    "rendezvous_and_dock": "vehicles.<vehicle>.docking (max_attempts, retry_delay)",
    "relocation_process": "relocations (duration, slip)",
    "contingency_process": "contingencies (rate, impact)",
    "_hold_crew": "contingencies (rate, impact)",
    "work_process": "work (tasks.hours, efficiency, hours_per_day)",
    "_run_tasks": "work (tasks.hours, efficiency, hours_per_day)",
    "liner_swap_process": "station.liner_swap",
    "return_process": "returns (policy, max_extension, weather_p)",
}


class EventBudgetExceeded(RuntimeError):
    """A replication processed more events than ``monte_carlo.max_events`` allows."""


class RotationEnv(simpy.Environment):
    """A :class:`simpy.Environment` with the replication's scenario, streams, row and trace."""

    def __init__(
        self, compiled: CompiledScenario, seed: int, replication: int, trace: bool
    ) -> None:
        super().__init__()
        self.c = compiled
        self.replication = replication
        self.seed = seed
        self.rng = Streams(seed, replication)
        self.row: dict[str, Any] = dict(compiled.row_template)
        self.row["replication"] = replication
        self.tracing = trace
        self.events_log: list[tuple[Any, ...]] = []
        self.station: StationState  # set by the rotation
        self.health: HealthState  # set by the rotation
        #: Fires when a vehicle has docked (value: True) or will never dock (value: False).
        self.arrived: dict[str, simpy.Event] = {v: self.event() for v in compiled.launches}
        #: Fires when a relocation is complete.
        self.relocated: dict[int, simpy.Event] = {
            r.index: self.event() for r in compiled.relocations
        }
        #: Fires when a vehicle has undocked.
        self.departed: dict[str, simpy.Event] = {v: self.event() for v in compiled.returns}
        #: Launch slip in days of each launching vehicle, once known.
        self.slip_days: dict[str, float] = {}
        #: Hours of each launch's lateness by cause (launch_slip, relocation, scrub), once launched.
        self.launch_causes: dict[str, dict[str, float]] = {}
        self.launched: dict[str, simpy.Event] = {v: self.event() for v in compiled.launches}
        #: Stratified uniforms of this replication's once-per-replication inputs, by input name
        #: (empty with plain Monte Carlo sampling: every input is drawn from its stream).
        self.strata: dict[str, float] = strata_of(compiled, seed, replication, self.rng)
        #: Earliest docking each launching vehicle can make, once its slip is known (hours).
        self.expected_dock_h: dict[str, float] = {}
        #: Visitors who stayed on the ground because their visit would be shorter than min_visit.
        self.stood_down: set[str] = set()

    def fire(self, event: simpy.Event, value: Any = None) -> None:
        """Trigger ``event`` with ``value``. With nobody waiting for it yet it needs no SimPy
        event: it is marked processed at once, and a later ``yield`` of it continues at once."""
        if event.callbacks:
            event.succeed(value)
        else:
            event._ok = True
            event._value = value
            event.callbacks = None

    def uniform(self, name: str, rng: Any) -> float:
        """The uniform behind input ``name``: its stratified value, else ``rng.random()``."""
        u = self.strata.get(name)
        return rng.random() if u is None else u

    def run_bounded(self, until: float, max_events: int) -> None:
        """``run(until=until)``, processing at most ``max_events`` events.

        A model loop that stops advancing time (or a rate that schedules events without end)
        would otherwise run until memory runs out; past the budget this raises
        :class:`EventBudgetExceeded` naming the replication, the seed and the likely field.
        """
        if until > self.now:
            stop = simpy.Event(self)
            stop._ok = True
            stop._value = None
            self.schedule(stop, URGENT, until - self.now)
            stop.callbacks.append(StopSimulation.callback)
        step = self.step
        try:
            for _ in range(max_events):
                step()
        except (StopSimulation, EmptySchedule):
            return
        raise EventBudgetExceeded(
            f"replication {self.replication} (seed {self.seed}) processed more than {max_events} "
            f"events at simulated hour {self.now:.1f} without ending; likely cause: "
            f"{self._busiest_field()}. Check that field, or raise monte_carlo.max_events"
        )

    def _busiest_field(self) -> str:
        """The field behind the model process with most events waiting in the queue."""
        counts: dict[str, int] = {}
        for item in self._queue:
            for callback in item[3].callbacks or ():
                generator = getattr(getattr(callback, "__self__", None), "_generator", None)
                name = getattr(generator, "__name__", None)
                if name:
                    counts[name] = counts.get(name, 0) + 1
        if not counts:
            return "unknown"
        name = max(counts, key=lambda n: counts[n])
        return _LIKELY_FIELD.get(name, f"the model process {name}")

    def log(self, flight: str, process: str, event: str, detail: str = "") -> None:
        """Record one event of the trace (only when tracing)."""
        if self.tracing:
            self.events_log.append((self.replication, self.now, flight, process, event, detail))

    def log_at(
        self, time_h: float, flight: str, process: str, event: str, detail: str = ""
    ) -> None:
        """Record an event at a time already past (the trace is sorted by time at the end)."""
        if self.tracing:
            self.events_log.append((self.replication, time_h, flight, process, event, detail))

    def violation(self, what: str) -> None:
        """Record a broken constraint (seat, crew limit, design life...)."""
        row = self.row
        row["violations"] += 1
        row["violation_list"] = f"{row['violation_list']};{what}" if row["violation_list"] else what
        self.log("station", "check", "violation", what)


_NO_STRATA: dict[str, float] = {}


def strata_of(compiled: Any, seed: int, replication: int, streams: Streams) -> dict[str, float]:
    """The stratified uniforms of a replication (see ``compiled.strata_names``)."""
    names = getattr(compiled, "strata_names", ())
    if not names:
        return _NO_STRATA
    jitter = streams["strata"].random(len(names))
    point = latin_hypercube_point(seed, replication, compiled.block_size, jitter)
    return dict(zip(names, point.tolist(), strict=True))
