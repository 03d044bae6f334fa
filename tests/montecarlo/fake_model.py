"""A tiny stand-in for the SimPy model, for fast runner tests.

It has the model API (``load_scenario``, ``compile_scenario``, ``simulate_replication``) and draws
from ``sim.seeding`` streams, so replication i depends only on (seed, i). ``fail_at`` makes one
replication raise (``interrupt_at``: raise KeyboardInterrupt; ``die_once_at``: kill the worker
process once, using the file ``die_marker``); ``slow_s`` makes each replication sleep (to kill a run mid-way).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import AwareDatetime, BaseModel

from sim.seeding import stream

EPOCH = "2021-09-01T00:00:00Z"


class MonteCarlo(BaseModel):
    replications: int = 100
    seed: int = 7


class FakeScenario(BaseModel):
    name: str = "fake"
    epoch: AwareDatetime = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)
    primary_return: str | None = "MS-18"
    monte_carlo: MonteCarlo = MonteCarlo()
    mean_delay_h: float = 5.0
    fail_at: int = -1
    interrupt_at: int = -1
    die_once_at: int = -1
    die_marker: str = ""
    slow_s: float = 0.0


@dataclass(frozen=True)
class Compiled:
    epoch: dt.datetime
    mean_delay_h: float
    fail_at: int
    interrupt_at: int
    die_once_at: int
    die_marker: str
    slow_s: float


def load_scenario(path: str | Path, overrides: Any = ()) -> FakeScenario:
    data = yaml.safe_load(Path(path).read_text()) or {}
    for item in overrides:
        key, value = item.split("=", 1)
        node = data
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = yaml.safe_load(value)
    return FakeScenario.model_validate(data)


def write_scenario(path: Path, **fields: Any) -> Path:
    """A fake scenario file with ``fields``."""
    path.write_text(yaml.safe_dump(FakeScenario(**fields).model_dump(mode="json")))
    return path


def compile_scenario(scenario: FakeScenario) -> Compiled:
    return Compiled(
        scenario.epoch,
        scenario.mean_delay_h,
        scenario.fail_at,
        scenario.interrupt_at,
        scenario.die_once_at,
        scenario.die_marker,
        scenario.slow_s,
    )


def simulate_replication(
    compiled: Compiled, replication: int, seed: int, trace: bool = False
) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    if replication == compiled.fail_at:
        raise ValueError("boom")
    if replication == compiled.interrupt_at:
        raise KeyboardInterrupt
    if replication == compiled.die_once_at and not Path(compiled.die_marker).exists():
        Path(compiled.die_marker).touch()
        os._exit(3)  # a worker process dying mid-chunk
    if compiled.slow_s:
        time.sleep(compiled.slow_s)
    rng = stream(seed, replication, "x")
    delay = float(rng.exponential(compiled.mean_delay_h))
    planned = 1000.0
    failed = bool(rng.random() < 0.05)
    row = {
        "replication": replication,
        "outcome": "launch_failure" if failed else ("nominal" if delay < 1 else "delayed"),
        "landing_planned_utc": planned,
        "landing_actual_utc": float("nan") if failed else planned + delay,
        "landing_delay_h": float("nan") if failed else delay,
        "landed_on_planned_day": (not failed) and delay < 3.0,
        "work_complete": bool(rng.random() < 0.7),
        "MS-18.landing_delay_h": float("nan") if failed else delay,
        "contingency_count": int(rng.poisson(2.0)),
        "violation_list": "",
    }
    events = []
    if trace:
        events = [
            (replication, 0.5, "MS-19", "launch", "launched", ""),
            (replication, planned + delay, "MS-18", "landing", "landed", None),
        ]
    return row, events


class _Model:
    load_scenario = staticmethod(load_scenario)
    compile_scenario = staticmethod(compile_scenario)
    simulate_replication = staticmethod(simulate_replication)


MODEL = _Model()
