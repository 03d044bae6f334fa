"""A person's time: a light preemptive resource of capacity one.

:class:`CrewTime` behaves like :class:`simpy.PreemptiveResource` with ``capacity=1`` (the same
request keys ``(priority, time of request, not preempt)``, the same stable order among equal keys,
the same :class:`simpy.resources.resource.Preempted` interrupts with ``by``, ``usage_since`` and
``resource``) but spends SimPy events only where a process can observe them:

* a request granted on the spot is returned already *processed* (yielding it continues at once) and
  schedules no event; SimPy schedules one that nobody waits for;
* a release schedules an event (which then grants the head of the queue, as SimPy's ``Release``
  does) only when someone is waiting; SimPy schedules one on every release.

Granting follows SimPy's rule exactly: when a request is made, or when the event of a release with
waiters is processed, only the head of the queue (the smallest key) is examined; it preempts the
user if it may (``preempt=True`` and a smaller key) and is granted if the person is then free.
One corner is not mirrored: when a release finds nobody waiting and, at the same instant, the head of
a queue formed later is withdrawn (``cancel``), SimPy would examine the new head at its (pending)
release event; here it waits for the next request or release. The model never does that.
Docking ports use the same class with requests of priority 0 that never preempt: first come, first
served, as :class:`simpy.Resource` with ``capacity=1``.
A property test (``tests/model/test_crewtime_property.py``) drives both with random
request/release/preempt/cancel sequences and compares grants and interrupts.
"""

from __future__ import annotations

from bisect import insort_right
from typing import TYPE_CHECKING, Any

import simpy
from simpy.events import PENDING
from simpy.resources.resource import Preempted

if TYPE_CHECKING:
    from simpy.events import Process


class CrewRequest(simpy.Event):
    """A request for a person's time at ``priority`` (smaller is more urgent).

    ``preempt=True`` lets it take the time of a less urgent user at once (that user's process is
    interrupted with :class:`Preempted`). ``triggered`` is true once granted; ``usage_since`` is
    the grant time (hours).
    """

    __slots__ = ("resource", "priority", "preempt", "time", "key", "proc", "usage_since")

    def __init__(self, resource: CrewTime, priority: int, preempt: bool) -> None:
        env = resource.env
        self.env = env
        self.callbacks: list[Any] | None = []
        self._value: Any = PENDING
        self.resource = resource
        self.priority = priority
        self.preempt = preempt
        self.time = now = env._now  # (env.now and env.active_process, without the properties)
        self.key = (priority, now, not preempt)
        self.proc: Process | None = env._active_proc
        self.usage_since: float | None = None

    def __lt__(self, other: CrewRequest) -> bool:  # the queue's order (bisect)
        return self.key < other.key

    def cancel(self) -> None:
        """Withdraw a request that has not been granted (no effect once granted)."""
        if self._value is PENDING:
            self.resource.queue.remove(self)


class CrewTime:
    """One person's time (see the module docstring for how it matches SimPy)."""

    __slots__ = ("env", "user", "queue")

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        #: The granted request holding the time, or None when the person is free.
        self.user: CrewRequest | None = None
        #: Waiting requests, by key; equal keys in the order they were made.
        self.queue: list[CrewRequest] = []

    @property
    def count(self) -> int:
        """Users (0 or 1), as ``simpy.Resource.count``."""
        return 0 if self.user is None else 1

    def request(self, priority: int = 0, preempt: bool = True) -> CrewRequest:
        """Ask for the time; granted on the spot (already processed) if possible."""
        req = CrewRequest(self, priority, preempt)
        if self.user is None and not self.queue:  # free, nobody waiting: granted on the spot
            self.user = req
            req.usage_since = req.time
            req._ok = True
            req._value = None
            req.callbacks = None
            return req
        insort_right(self.queue, req)
        self._serve_head(spot=req)
        return req

    def release(self, request: CrewRequest) -> None:
        """Give the time back (a request that no longer holds it changes nothing but, like SimPy,
        still has the head of the queue examined when someone waits)."""
        if self.user is request:
            self.user = None
        if self.queue:
            grant = simpy.Event(self.env)
            grant.callbacks.append(self._serve_head)
            grant.succeed()

    def _serve_head(self, event: Any = None, spot: CrewRequest | None = None) -> None:
        """SimPy's ``_trigger_put`` for capacity one: examine the head of the queue only."""
        if not self.queue:  # withdrawn meanwhile
            return
        head = self.queue[0]
        user = self.user
        if user is not None and head.preempt and user.key > head.key:
            self.user = None
            user.proc.interrupt(
                Preempted(by=head.proc, usage_since=user.usage_since, resource=self)
            )
            user = None
        if user is None:
            del self.queue[0]
            self.user = head
            head.usage_since = self.env._now
            if head is spot:  # granted on the spot: nobody waits for it, no event needed
                head._ok = True
                head._value = None
                head.callbacks = None
            else:
                head.succeed()
