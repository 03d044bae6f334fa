"""Run under ``valgrind --tool=callgrind`` by the benchmark's ``instructions`` section.

    python instruction_probe.py none 0          # imports, load, compile, warm-up only
    python instruction_probe.py reps N          # ... then N baseline replications
    python instruction_probe.py timeouts N      # ... then N bare SimPy timeouts

Instruction counts are repeatable whatever else the machine does, so the difference between the runs
gives a noise-free cost of a replication in bare-timeout equivalents. The model runs with plain Monte
Carlo sampling (``mc``) whatever the scenario's default, so the figure is the model's speed, not the
sampling plan's.
"""

import sys
from pathlib import Path

import simpy

from sim.model import compile_scenario, simulate_replication
from sim.model.inputs import set_sampling
from sim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "vyzov_2021.yaml"


def main(mode: str, n: int) -> None:
    compiled = compile_scenario(load_scenario(BASELINE))
    set_sampling(compiled, "mc")
    for i in range(20):  # warm-up: caches, the generator pool
        simulate_replication(compiled, i, 1)
    if mode == "reps":
        for i in range(n):
            simulate_replication(compiled, i, 1)
    elif mode == "timeouts":

        def ticks(env):
            for _ in range(n):
                yield env.timeout(1)

        env = simpy.Environment()
        env.process(ticks(env))
        env.run()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
