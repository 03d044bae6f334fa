"""The SimPy environment of one replication, carrying its context.

Processes reach the compiled scenario, the named random streams, the station state, the outcome row
and the event recorder through ``env``; nothing is global, nothing is read from files.
"""

from __future__ import annotations

from heapq import heappush
from typing import TYPE_CHECKING, Any

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, PENDING, URGENT

from sim.scenario.posterior import Beta
from sim.seeding import Streams, latin_hypercube_strata

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
        # SimPy binds ``timeout``, ``event``, ``all_of``... to an Environment itself but not to a
        # subclass's instance: without this, every ``env.timeout`` builds a bound method.
        for name in ("timeout", "event", "all_of", "any_of"):
            setattr(self, name, getattr(self, name))
        #: Processes made before the run starts, not started yet (None once the run is on).
        self._unstarted: list[simpy.Process] | None = []
        #: Every process of the replication, so :meth:`close` can end those still suspended.
        self._processes: list[simpy.Process] = []
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
        #: Probabilities with a posterior (``beta``), drawn once in this replication, by name.
        self.drawn: dict[str, float] = {}

    def process(self, generator: Any) -> simpy.Process:
        """A SimPy process of ``generator``.

        A process made before the run starts (the rotation's set-up) takes its first step when the
        run starts, in the order the processes were made, exactly as with SimPy's own ``Initialize``
        events (all urgent at time 0, before anything the first steps schedule), but without an
        event each. Processes made during the run are ordinary SimPy processes.
        """
        if self._unstarted is None:
            proc = simpy.Process(self, generator)
            self._processes.append(proc)
            return proc
        proc = simpy.Process.__new__(simpy.Process)
        proc.env = self
        proc.callbacks = []
        proc._generator = generator
        proc._target = None  # set by its first step
        self._unstarted.append(proc)
        self._processes.append(proc)
        return proc

    def close(self) -> None:
        """End the replication's object graph at once (call it once the row and trace are taken).

        Processes still suspended when the run ends (a return waiting for a vehicle that never
        comes, a contingency past the horizon...) hold their events, which hold them back: left
        alone, each replication leaves such cycles for Python's cyclic garbage collector, which
        then closes the generators at some later moment. Here they are closed now, against a
        scratch copy of the row and without tracing, so their ``finally`` clauses cannot touch the
        returned row or trace, and the references are dropped so reference counting frees the rest.
        """
        self.row = dict(self.row)
        self.tracing = False
        for proc in self._processes:
            if proc._value is PENDING:
                proc._generator.close()
            proc._target = None
        self.__dict__.clear()

    def schedule(self, event: simpy.Event, priority: Any = NORMAL, delay: float = 0) -> None:
        """SimPy's ``schedule``, except for a process that has ended with nobody waiting for it:
        its end is marked processed at once instead of being queued as an event (a later
        ``yield`` of it continues at once). The model only waits for processes still alive."""
        if event.__class__ is simpy.Process and not event.callbacks and event._ok:
            event.callbacks = None
            return
        heappush(self._queue, (self._now + delay, priority, next(self._eid), event))

    def run(self, until: Any = None) -> Any:
        """SimPy's ``run``, after starting the processes made before it."""
        self._start_processes()
        return super().run(until)

    def _start_processes(self) -> None:
        """The first step of every process made before the run, in the order they were made."""
        unstarted, self._unstarted = self._unstarted or [], None
        begun = simpy.Event(self)
        begun._ok = True
        begun._value = None
        begun.callbacks = None
        for proc in unstarted:
            proc._resume(begun)

    def p(self, value: Any, name: str) -> float:
        """A probability of this replication: a number as it is; a ``beta`` posterior drawn once
        per replication from its own stream ``param.<name>``, so every use shares the draw and the
        other streams see the same draws as with a fixed probability."""
        if value.__class__ is float or value.__class__ is int:
            return value
        got = self.drawn.get(name)
        if got is None:
            rng = self.rng[self.c.names.param[name].prefix]
            if value.__class__ is Beta:  # its parameters once per scenario, then a plain draw
                params = self.c.beta_params.get(name)
                if params is None or params[0] is not value:
                    params = self.c.beta_params[name] = (value, *value.alpha_beta)
                got = float(rng.beta(params[1], params[2]))
            else:
                got = float(value.sample(rng))
            self.drawn[name] = got
        return got

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
        self._start_processes()
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

    def _busiest_field(self, steps: int = 500) -> str:
        """The field behind the model process that keeps the run busy: the process resumed most
        often over ``steps`` more events (the replication has failed already; this only names
        the likely cause)."""
        counts: dict[str, int] = {}
        for _ in range(steps):
            if not self._queue:
                break
            for callback in self._queue[0][3].callbacks or ():
                generator = getattr(getattr(callback, "__self__", None), "_generator", None)
                name = getattr(generator, "__name__", None)
                if name:
                    field = _LIKELY_FIELD.get(name, f"the model process {name}")
                    counts[field] = counts.get(field, 0) + 1
            try:
                self.step()
            except Exception:  # the end of the run, or the model's own error: stop watching
                break
        if not counts:
            return "unknown"
        return max(counts, key=lambda field: counts[field])

    def log(self, flight: str, process: str, event: str, detail: str = "") -> None:
        """Record one event of the trace (only when tracing)."""
        if self.tracing:
            self.events_log.append((self.replication, self.now, flight, process, event, detail))

    def log_at(
        self, time_h: float, flight: str, process: str, event: str, detail: str = ""
    ) -> None:
        """Record an event at another instant than now, past or ahead (the trace is sorted by time
        at the end)."""
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
    size = compiled.block_size
    jitter = streams["strata"].random(len(names)).tolist()
    strata = latin_hypercube_strata(seed, replication, size, len(names))
    # (stratum + jitter) / size: the point of ``sim.seeding.latin_hypercube_point``, bit for bit.
    return {name: (k + j) / size for name, k, j in zip(names, strata, jitter, strict=True)}
