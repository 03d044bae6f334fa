"""The replication's environment starts and ends processes with fewer SimPy events than SimPy
itself, in exactly SimPy's order (``sim.model.env.RotationEnv``)."""

from __future__ import annotations

from pathlib import Path

import simpy

from sim.model import compile_scenario
from sim.model.env import RotationEnv
from sim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "vyzov_2021.yaml"


def _script(env: simpy.Environment, seen: list) -> None:
    """Processes that log what they do, wait on each other, fire events and interrupt."""
    gate = env.event()

    def opener(name):
        seen.append((env.now, name, "start"))
        yield env.timeout(0)
        seen.append((env.now, name, "opens"))
        gate.succeed(name)

    def waiter(name, delay):
        seen.append((env.now, name, "start"))
        value = yield gate
        seen.append((env.now, name, f"gate {value}"))
        try:
            yield env.timeout(delay)
            seen.append((env.now, name, "slept"))
        except simpy.Interrupt as interrupt:
            seen.append((env.now, name, f"interrupted {interrupt.cause}"))
        return name

    def quitter(name):
        seen.append((env.now, name, "start, and done"))
        return
        yield  # a generator

    def boss(victim, joined):
        seen.append((env.now, "boss", "start"))
        yield env.timeout(1)
        victim.interrupt("late")
        finished = yield joined
        seen.append((env.now, "boss", f"joined {finished}"))

    env.process(quitter("q"))
    first = env.process(waiter("w1", 5))
    second = env.process(waiter("w2", 1))
    env.process(opener("o"))
    env.process(boss(first, second))


def test_processes_run_in_simpy_order_with_fewer_events():
    compiled = compile_scenario(load_scenario(BASELINE))
    plain = simpy.Environment()
    want: list = []
    _script(plain, want)
    plain.run()

    env = RotationEnv(compiled, 1, 0, False)
    got: list = []
    _script(env, got)
    assert env._queue == []  # made before the run: nothing scheduled yet
    env.run()
    assert got == want
    assert (1, "w1", "interrupted late") in got and (1, "boss", "joined w2") in got


def test_a_process_that_ends_unwatched_queues_nothing_and_a_watched_one_wakes_its_waiter():
    compiled = compile_scenario(load_scenario(BASELINE))
    env = RotationEnv(compiled, 1, 0, False)
    env.run()  # the run is on: processes are ordinary from now

    def short():
        yield env.timeout(1)
        return "done"

    alone = env.process(short())
    while alone.is_alive:
        env.step()
    # SimPy would queue its end as one more event; here it is processed at once
    assert alone.processed and alone.value == "done"
    assert not [item for item in env._queue if item[3] is alone]

    watched = env.process(short())
    woke = []

    def watcher():
        woke.append((yield watched))

    env.process(watcher())
    env.run(until=5)
    assert woke == ["done"]


def test_close_ends_suspended_processes_without_touching_the_returned_row() -> None:
    """A process still suspended when the run ends is closed by ``close``: its ``finally`` clause
    runs (here it would write to the row and the trace), but against a scratch row and with
    tracing off, so what the replication returned stays as it was."""
    env = RotationEnv(compile_scenario(load_scenario(BASELINE)), 1, 0, True)
    cleaned = []

    def worker():
        try:
            yield env.timeout(100.0)
        finally:
            env.row["replication"] = -1
            env.log("X", "work", "closed")
            cleaned.append(env.now)

    env.process(worker())
    env.run(until=10.0)
    row, events = env.row, env.events_log
    before = dict(row)
    env.close()
    assert cleaned == [10.0]  # closed at once, not whenever the garbage collector comes by
    assert row == before and events == []
    assert not hasattr(env, "row")  # the environment keeps nothing of the replication


def test_a_replication_leaves_no_cycles_for_the_garbage_collector() -> None:
    """After ``simulate_replication`` the replication's objects are freed by reference counting:
    the cyclic collector finds (almost) nothing left, so it neither costs time nor runs model code
    (a generator's ``finally``) at an arbitrary later moment."""
    import gc

    from sim.model import simulate_replication

    compiled = compile_scenario(load_scenario(BASELINE))
    simulate_replication(compiled, 0, 1)
    gc.collect()
    gc.disable()
    try:
        for i in range(40):
            simulate_replication(compiled, i, 1)
        left = gc.collect()
    finally:
        gc.enable()
    assert left < 40  # well under one object per replication (about 90 before ``close``)
