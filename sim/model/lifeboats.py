"""Lifeboat seats: every person aboard needs a seat, with their liner, in a vehicle that is fit.

A person's lifeboat is the vehicle holding their seat liner, if that vehicle is docked and fit. When a
vehicle fails, the liners in it move (after the failure's ``lifeboat_after`` decision time, each a
``liner_swap`` of the person's own crew time) to free seats of other fit vehicles, people in
``lifeboat_order`` first; whoever finds no free fit seat is without a lifeboat (``no-lifeboat``) until
one docks (any vehicle arriving with free seats after the failure, a replacement first of all). The clock of hours
without a lifeboat runs per person from the failure until their liner is installed in a fit vehicle.

A vehicle's free seats are its seats less the people holding a liner in it and the people still to
swap into it (their return is planned on it). People whose liner is in an unfit vehicle at its undock
stay aboard: the vehicle leaves empty. Traced as process ``health`` (``unfit``, ``lost``) and
``seats`` (``no-lifeboat``, ``lifeboat``, ``liner moved``) with the person or vehicle as detail.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import simpy

from sim.model.compiled import LINER_SWAP_PRIORITY
from sim.model.station import release_all

if TYPE_CHECKING:
    from sim.model.env import RotationEnv
    from sim.model.health import FailurePlan


class HealthState:
    """Which vehicles are unfit, where each person's lifeboat is, and the no-lifeboat clocks."""

    def __init__(self, env: RotationEnv) -> None:
        self.env = env
        self.plan = env.c.health
        self.unfit: dict[str, str] = {}  # vehicle -> severity
        self.failed_at: dict[str, float] = {}
        self.failed_events: dict[str, simpy.Event] = {}
        self.return_of: dict[str, str] = {p.name: p.returns for p in env.c.people.values()}
        self.moving: set[str] = set()  # people whose liner is being moved
        self.move_procs: dict[str, simpy.Process] = {}
        self.no_lifeboat_since: dict[str, float] = {}
        self.no_lifeboat_h: dict[str, float] = {}
        self.left_on: dict[str, str] = {}
        self.recalled: dict[str, simpy.Event] = {}  # vehicle -> emergency recall
        self.staying_home: set[str] = set()
        self.emptied_events: dict[str, simpy.Event] = {}  # unfit vehicle -> its last liner left

    # Failure ----------------------------------------------------------------------------------------
    def failed_event(self, vehicle: str) -> simpy.Event:
        """Fires (value: hours since epoch) when ``vehicle`` fails."""
        if vehicle not in self.failed_events:
            self.failed_events[vehicle] = self.env.event()
        return self.failed_events[vehicle]

    def is_unfit(self, vehicle: str | None) -> bool:
        return vehicle in self.unfit

    def fail(self, vehicle: str, plan: FailurePlan) -> None:
        """``vehicle`` becomes unfit (or is lost) now; its people look for lifeboats."""
        env = self.env
        row = env.row
        if vehicle in self.unfit:
            return
        now = env.now
        self.unfit[vehicle] = plan.severity
        self.failed_at[vehicle] = now
        row["health.failures"] += 1
        if row["health.failures"] == 1:
            row["health.first_failure_utc"] = now
        row[f"{vehicle}.health"] = plan.severity
        row[f"{vehicle}.failed_utc"] = now
        row[f"{vehicle}.failure_cause"] = plan.cause
        station = env.station
        holders = [p for p in station.aboard if station.liner.get(p) == vehicle]
        primary_gone = env.c.primary in env.departed and env.departed[env.c.primary].triggered
        if holders and not primary_gone:
            row["health.return_vehicle_failed"] = True
        env.log(vehicle, "health", plan.severity, plan.cause or "failure")
        if plan.severity == "lost":
            for p in holders:
                station.liner.pop(p, None)
        self.refresh()
        self.failed_event(vehicle).succeed(now)
        delay = float(plan.lifeboat_after.sample(env.rng[f"health.{plan.index}.{vehicle}"]))
        delay *= plan.lifeboat_after.to_hours
        env.process(self._after_decision(delay))
        if len(self.unfit) == 1:  # from now on, any vehicle that docks may offer free seats
            for v, event in env.arrived.items():
                if not event.triggered:
                    env.process(self._on_arrival(v, event))

    def _on_arrival(self, vehicle: str, arrived: simpy.Event):
        if not (yield arrived):
            return
        hatch = self.env.station.docked_since[vehicle] + self.env.c.work_start_after_docking_h
        if self.env.now < hatch:
            yield self.env.timeout(hatch - self.env.now)
        self.assign()

    def _after_decision(self, delay_h: float):
        if delay_h > 0:
            yield self.env.timeout(delay_h)
        self.assign()

    # Lifeboats --------------------------------------------------------------------------------------
    def has_lifeboat(self, person: str) -> bool:
        station = self.env.station
        v = station.liner.get(person)
        return (
            v is not None
            and v not in self.unfit
            and (v in station.docked or v in station.relocating)
            and person not in self.moving
        )

    def refresh(self) -> None:
        """Start or stop the no-lifeboat clock of everyone aboard."""
        env = self.env
        now = env.now
        for p in sorted(env.station.aboard, key=lambda q: env.c.people[q].index):
            without = not self.has_lifeboat(p)
            if without and p not in self.no_lifeboat_since:
                self.no_lifeboat_since[p] = now
                env.log(p, "seats", "no-lifeboat", env.station.liner.get(p) or "no liner")
            elif not without and p in self.no_lifeboat_since:
                self._stop_clock(p, now)
                env.log(p, "seats", "lifeboat", env.station.liner[p])

    def _stop_clock(self, person: str, now: float) -> None:
        start = self.no_lifeboat_since.pop(person)
        self.no_lifeboat_h[person] = self.no_lifeboat_h.get(person, 0.0) + now - start

    def close_clocks(self, now: float) -> None:
        """Stop every running clock (end of the replication)."""
        for p in list(self.no_lifeboat_since):
            self._stop_clock(p, now)

    def free_seats(self, vehicle: str) -> int:
        """Seats of a docked, fit ``vehicle`` not held or promised (0 for any other vehicle)."""
        env = self.env
        station = env.station
        if (
            vehicle in self.unfit
            or vehicle not in station.docked
            or env.departed.get(vehicle, env.event()).triggered
        ):
            return 0
        taken = set()
        for p, v in station.liner.items():
            if v == vehicle and p in station.aboard:
                taken.add(p)
        for p, v in self.return_of.items():
            if v == vehicle and p not in station.left_at and p not in self.staying_home:
                up = env.c.people[p].up_vehicle
                if p in station.aboard or (up is not None and not env.arrived[up].triggered):
                    taken.add(p)
        return max(0, env.c.seats[vehicle] - len(taken))

    def assign(self, into: str | None = None, people: list[str] | None = None) -> None:
        """Move the liners of people without a lifeboat (or of ``people``) to free fit seats.

        ``into`` limits the seats to one vehicle (a replacement that has just docked).
        """
        env = self.env
        station = env.station
        if people is None:
            people = [p for p in self.plan.lifeboat_order if p in station.aboard]
            people = [p for p in people if not self.has_lifeboat(p) and p not in self.moving]
        if not people:
            return
        vehicles = [into] if into is not None else sorted(station.docked)
        free = {v: self.free_seats(v) for v in vehicles}
        for p in people:
            target = next((v for v in vehicles if free[v] > 0), None)
            if target is None:
                break
            free[target] -= 1
            self.return_of[p] = target
            self.moving.add(p)
            self.refresh()
            self.move_procs[p] = env.process(self._move_liner(p, target))

    def _move_liner(self, person: str, target: str):
        """One liner move: ``liner_swap`` hours of the person's time (preemptible), then installed."""
        env = self.env
        station = env.station
        remaining = env.c.liner_swap_h
        resource = station.crew_time.get(person)
        while remaining > 1e-9:
            request = (
                resource.request(priority=LINER_SWAP_PRIORITY, preempt=True) if resource else None
            )
            began = None
            try:
                if request is not None and not request.triggered:
                    yield request
                began = env.now
                yield env.timeout(remaining)
                remaining = 0.0
            except simpy.Interrupt:
                if began is not None:
                    remaining -= env.now - began
            finally:
                if request is not None:
                    release_all([request])
        self.moving.discard(person)
        if person in station.aboard and target in station.docked and target not in self.unfit:
            station.liner[person] = target
            env.log(target, "seats", "liner moved", person)
        else:
            self.return_of[person] = station.liner.get(person, "")
        for vehicle, event in self.emptied_events.items():
            if not event.triggered and not self.liners_in(vehicle):
                event.succeed()
        self.refresh()
        self.assign()

    def liners_in(self, vehicle: str) -> list[str]:
        station = self.env.station
        return [p for p in station.aboard if station.liner.get(p) == vehicle]

    def emptied(self, vehicle: str) -> simpy.Event:
        """Fires when no liner of anyone aboard is left in ``vehicle``."""
        if vehicle not in self.emptied_events:
            self.emptied_events[vehicle] = self.env.event()
        event = self.emptied_events[vehicle]
        if not event.triggered and not self.liners_in(vehicle):
            event.succeed()
        return event

    # Undock -----------------------------------------------------------------------------------------
    def boarding(self, vehicle: str, crew: list[str]) -> list[str]:
        """Who really leaves on ``vehicle`` now: nobody when it is unfit (their liners stay with
        them, without a seat); records each leaver's vehicle for the per-person outcome."""
        station = self.env.station
        if vehicle in self.unfit:
            for p in crew:
                station.liner.pop(p, None)
            if crew:
                self.env.log(vehicle, "health", "undocks empty", f"{len(crew)} stay aboard")
            crew = []
        crew = [p for p in crew if p not in self.moving]
        for p in crew:
            self.left_on[p] = vehicle
            self.return_of[p] = vehicle
            if p in self.no_lifeboat_since:
                self._stop_clock(p, self.env.now)
        return crew

    def after_undock(self, vehicle: str) -> None:
        """Liners left in a vehicle that has gone are gone too; look for new lifeboats."""
        station = self.env.station
        lost = [p for p in station.aboard if station.liner.get(p) == vehicle]
        for p in lost:
            station.liner.pop(p, None)
        if lost or self.unfit:
            self.refresh()
            self.assign()

    def swap_allowed(self, members: list) -> list:
        """The planned liner swaps (person, target, done) that still have a fit seat to go to.

        After a failure a swap into an unfit vehicle is given up, and so is a swap into a vehicle
        whose seats are held by liners that cannot leave it (the person keeps their seat).
        """
        if not self.unfit:
            return members
        env = self.env
        station = env.station
        leaving = {person for person, _target, _done in members}
        load = {}
        for _person, target, _done in members:
            if target not in load:
                load[target] = sum(
                    1
                    for p, v in station.liner.items()
                    if v == target and p in station.aboard and p not in leaving
                )
        keep = []
        for member in members:
            person, target, done = member
            if target in self.unfit or load[target] >= env.c.seats[target]:
                if not done.triggered:
                    done.succeed(False)
                self.return_of[person] = station.liner.get(person, "")
                why = "vehicle unfit" if target in self.unfit else "no free seat"
                env.log(target, "seats", "swap given up", f"{person}: {why}")
            else:
                load[target] += 1
                keep.append(member)
        return keep
