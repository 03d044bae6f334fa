"""A replication always ends (issue 14, item 7): every model loop advances time or stops, and a
replication has a budget of events (``monte_carlo.max_events``) past which the run stops with an
error naming the replication, the seed and the likely field."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import RuntimeFault
from sim.model import compile_scenario
from sim.model.compiled import HORIZON_DAYS
from sim.model.env import EventBudgetExceeded
from sim.montecarlo import runner
from sim.scenario import load_scenario

BASE = Path(__file__).resolve().parents[1] / "broken" / "base.yaml"
BUSY = ["contingencies.0.rate={rate: 100, per: d}", "monte_carlo.max_events=1000"]


def test_a_replication_over_its_event_budget_names_replication_seed_and_field() -> None:
    compiled = compile_scenario(load_scenario(BASE, BUSY))
    with pytest.raises(EventBudgetExceeded) as err:
        runner.run_replications(compiled, [3], seed=11)
    message = str(err.value)
    assert "replication 3 (seed 11)" in message
    assert "more than 1000 events" in message
    assert "contingencies (rate, impact)" in message and "monte_carlo.max_events" in message


def test_the_run_command_stops_with_exit_1_and_a_message(tmp_path, capsys) -> None:
    args = ["run", str(BASE), "-n", "4", "--backend", "serial", "--quiet", "--no-report"]
    args += ["--out", str(tmp_path / "r")] + [a for s in BUSY for a in ("--set", s)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "replication 0 (seed 1)" in err and "contingencies" in err
    assert "Traceback" not in err


def test_the_runner_reports_the_budget_as_a_runtime_fault(tmp_path) -> None:
    with pytest.raises(RuntimeFault, match=r"replication 0 \(seed 1\).*max_events"):
        runner.run(str(BASE), n=2, backend="serial", out=tmp_path / "r", overrides=BUSY)


def test_a_campaign_that_always_scrubs_stands_down_at_the_horizon() -> None:
    scenario = load_scenario(
        BASE, ["vehicles.MS-19.launch.scrub_p=1", "vehicles.MS-19.launch.max_attempts=1000"]
    )
    t0 = time.perf_counter()
    rows, _ = runner.run_replications(compile_scenario(scenario), [0, 1], seed=1)
    assert time.perf_counter() - t0 < 5
    for row in rows:
        assert row["MS-19.stood_down"]
        # one scrub a day at most: scrubs stop at the last window of the horizon
        assert 0 < row["MS-19.pad_aborts"] <= HORIZON_DAYS + 1


def test_the_default_budget_is_far_above_a_real_replication() -> None:
    scenario = load_scenario(BASE)
    assert scenario.monte_carlo.max_events == 1_000_000
    compiled = compile_scenario(scenario)
    compiled.max_events = 1_000  # a real replication needs a few hundred events
    rows, _ = runner.run_replications(compiled, range(20), seed=1)
    assert len(rows) == 20
