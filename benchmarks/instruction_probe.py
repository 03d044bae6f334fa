"""Run under ``valgrind --tool=callgrind --dump-before=sched_get_priority_max`` by the benchmark's
``instructions`` section:

    python instruction_probe.py REPLICATIONS TIMEOUTS

Imports, loads and compiles the baseline and warms up, then marks the start of N baseline
replications, then of T bare SimPy timeouts, then their end. Each mark is a call of
``os.sched_get_priority_max`` (a C function nothing else here calls), before which callgrind writes
the counts so far to a new file: the second file holds the replications alone, the third the
timeouts alone. Instruction counts are repeatable whatever else the machine does, and the set-up
(imports, compiling ``.pyc`` files) is measured apart, so the ratio is a noise-free cost of a
replication in bare-timeout equivalents. The model runs with plain Monte Carlo sampling (``mc``)
whatever the scenario's default, so the figure is the model's speed, not the sampling plan's.
"""

import gc
import os
import sys
from pathlib import Path

import simpy

from sim.model import compile_scenario, simulate_replication
from sim.model.inputs import set_sampling
from sim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "vyzov_2021.yaml"


def mark() -> None:
    """A mark between the measured parts (callgrind dumps its counts before this call)."""
    os.sched_get_priority_max(os.SCHED_OTHER)


def ticks(env: simpy.Environment, n: int):
    for _ in range(n):
        yield env.timeout(1)  # the yardstick: one bare ``env.timeout`` step


def main(replications: int, timeouts: int) -> None:
    compiled = compile_scenario(load_scenario(BASELINE))
    set_sampling(compiled, "mc")
    for i in range(20):  # warm-up: caches, the generator pool
        simulate_replication(compiled, replications + i, 1)
    warm = simpy.Environment()
    warm.process(ticks(warm, 1_000))
    warm.run()
    gc.collect()  # the same collector state before the measured part, whatever the set-up left
    mark()
    for i in range(replications):
        simulate_replication(compiled, i, 1)
    mark()
    env = simpy.Environment()
    env.process(ticks(env, timeouts))
    env.run()
    mark()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
