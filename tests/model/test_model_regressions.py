"""Regression tests of issue 12, part 5: each reproduces, on a hand-built timeline, a bug first seen
in a replication of a shipped scenario (cited in each test), and failed before its fix."""

from __future__ import annotations

from pathlib import Path

from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DEGENERATE = ROOT / "tests" / "scenarios" / "degenerate.yaml"
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"


def one(overrides: list[str], path: Path = DEGENERATE, rep: int = 0, seed: int = 1):
    compiled = compile_scenario(load_scenario(path, overrides))
    return simulate_replication(compiled, rep, seed, trace=True)


def test_until_done_does_not_wait_for_visitors_who_never_came():
    # vyzov_2021_until_done.yaml -r 57: MS-19's launch failed and MS-18 was held 120 h for nobody.
    row, events = one(
        [
            "vehicles.NEW.launch.failure_p=1",
            "returns.OLD.policy=until-done",
            "returns.OLD.max_extension=5 d",
        ]
    )
    assert row["OLD.undock_actual_utc"] == 338.0
    assert row["delay.work_extension_h"] == 0.0
    assert not any(e[4] == "extension ends" for e in events)
