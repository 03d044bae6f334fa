"""The SimPy environment of one replication, carrying its context.

Processes reach the compiled scenario, the named random streams, the station state, the outcome row
and the event recorder through ``env``; nothing is global, nothing is read from files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import simpy

from sim.seeding import Streams

if TYPE_CHECKING:
    from sim.model.compiled import CompiledScenario
    from sim.model.lifeboats import HealthState
    from sim.model.station import StationState


class RotationEnv(simpy.Environment):
    """A :class:`simpy.Environment` with the replication's scenario, streams, row and trace."""

    def __init__(
        self, compiled: CompiledScenario, seed: int, replication: int, trace: bool
    ) -> None:
        super().__init__()
        self.c = compiled
        self.replication = replication
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
