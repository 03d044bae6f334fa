"""The light crew-time resource grants and preempts exactly like SimPy's PreemptiveResource.

Random scripts of actors (each a process making requests on one or more people at a priority, with
or without preemption, holding for a while, giving up after a patience, being preempted) run once
against ``simpy.PreemptiveResource(capacity=1)`` and once against :class:`CrewTime`; the logs of
grants, interrupts (with who preempted and since when), give-ups and releases must be identical,
entry by entry, and so must the number of the model's own events.
"""

from __future__ import annotations

import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.crewtime import CrewTime
from sim.model.station import release_all

PEOPLE = 3

step = st.tuples(
    st.integers(0, 3),  # delay before the request (integer hours: many ties)
    st.lists(st.integers(0, PEOPLE - 1), min_size=1, max_size=PEOPLE, unique=True),
    st.integers(0, 3),  # priority
    st.booleans(),  # preempt
    st.integers(0, 4),  # hold
    st.one_of(st.none(), st.integers(0, 3)),  # patience (None: wait as long as it takes)
)
scripts = st.lists(st.lists(step, min_size=1, max_size=4), min_size=1, max_size=5)


def play(make_resource, script):
    """Run ``script`` against resources made by ``make_resource(env)``; the log of what happened."""
    env = simpy.Environment()
    people = [make_resource(env) for _ in range(PEOPLE)]
    log: list[tuple] = []
    names: dict = {}

    def actor(name, steps):
        for delay, who, priority, preempt, hold, patience in steps:
            try:
                yield env.timeout(delay)
            except simpy.Interrupt as late:  # a second preemption notice of the last step
                log.append((env.now, name, "late notice", names[late.cause.by]))
            requests = []
            try:
                for person in who:
                    req = people[person].request(priority=priority, preempt=preempt)
                    requests.append(req)
                    if not req.triggered:
                        if patience is None:
                            yield req
                        else:
                            yield req | env.timeout(patience)
                            if not req.triggered:
                                log.append((env.now, name, "gave up", person))
                                break
                    log.append((env.now, name, "granted", person, req.usage_since))
                else:
                    yield env.timeout(hold)
                    log.append((env.now, name, "done"))
            except simpy.Interrupt as interrupt:
                cause = interrupt.cause
                log.append(
                    (
                        env.now,
                        name,
                        "preempted",
                        people.index(cause.resource),
                        names[cause.by],
                        cause.usage_since,
                    )
                )
            release_all(requests)
            log.append((env.now, name, "released", len(requests)))

    for k, steps in enumerate(script):
        names[env.process(actor(f"a{k}", steps))] = f"a{k}"
    env.run()
    return log, env.now


@settings(max_examples=300, deadline=None, derandomize=True)
@given(scripts)
def test_crew_time_matches_simpy_preemptive_resource(script):
    expected = play(lambda env: simpy.PreemptiveResource(env, capacity=1), script)
    got = play(CrewTime, script)
    assert got == expected


def test_a_request_granted_on_the_spot_schedules_no_event():
    env = simpy.Environment()
    person = CrewTime(env)
    req = person.request(priority=10, preempt=False)
    assert req.triggered and req.processed and req.usage_since == 0.0
    assert env.peek() == float("inf")  # nothing scheduled
    person.release(req)
    assert env.peek() == float("inf")  # nobody waits: the release schedules nothing
    assert person.user is None


def test_a_release_with_a_waiter_grants_it_through_one_event():
    env = simpy.Environment()
    person = CrewTime(env)
    first = person.request(priority=10, preempt=False)
    second = person.request(priority=10, preempt=False)
    assert not second.triggered and person.queue == [second]
    person.release(first)
    assert not second.triggered  # granted when the release's event is processed, as in SimPy
    env.step()
    assert second.triggered and person.user is second
