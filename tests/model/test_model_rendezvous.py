"""Rendezvous and docking: manual docking after a Kurs failure, uncrewed retries and abort, ports."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DEGENERATE = ROOT / "tests" / "scenarios" / "degenerate.yaml"


def one(overrides: list[str], trace: bool = False):
    compiled = compile_scenario(load_scenario(DEGENERATE, overrides))
    return simulate_replication(compiled, 0, 3, trace=trace)


def test_manual_docking_adds_its_minutes():
    # Kurs fails (p = 1), the crew docks manually 10 min later: 229 h + 1/6 h.
    row, _ = one(["vehicles.NEW.docking.auto_failure_p=1"])
    assert row["NEW.manual_docking"] and row["NEW.docking_attempts"] == 1
    assert row["NEW.dock_actual_utc"] == pytest.approx(229 + 10 / 60, abs=1e-9)
    assert row["NEW.dock_delay.docking_h"] == pytest.approx(10 / 60, abs=1e-9)
    assert row["NEW.dock_delay.rendezvous_h"] == pytest.approx(0.0, abs=1e-9)


def test_missed_burn_reverts_to_the_fallback_scheme():
    row, _ = one(["vehicles.NEW.rendezvous.missed_burn_p=1"])
    assert row["NEW.scheme_flown"] == "slow" and row["NEW.launch_slip_d"] == 0.0
    assert row["NEW.dock_actual_utc"] == 226.0 + 50.0
    assert row["NEW.dock_delay.rendezvous_h"] == 47.0


def test_uncrewed_vehicle_retries_then_aborts():
    # Uncrewed approaches fail every time: back off 3 d twice, give up after the 3rd attempt.
    row, events = one(
        ["vehicles.NEW.crewed=false", "vehicles.NEW.docking.auto_failure_p=1"], trace=True
    )
    assert row["outcome_reason"] == "docking_abort"
    assert row["NEW.docking_attempts"] == 3 and math.isnan(row["NEW.dock_actual_utc"])
    aborted = [e[1] for e in events if e[3] == "docking" and e[4] == "abandoned"]
    assert aborted == [229.0 + 2 * 72.0]
    # Nobody arrived: Cmdr and Eng go home on OLD, no seat problem. OLD waited for the liner
    # swaps until the docking was given up (373 h), then took the next daily opportunity (02:00).
    assert row["OLD.crew_returned"] == 2 and row["violations"] == 0 and row["peak_crew"] == 2
    assert row["OLD.undock_actual_utc"] == 386.0
    assert row["delay.arrival_h"] == 373.0 - 338.0 and row["delay.liner_swap_h"] == 0.0
    assert row["delay.landing_window_h"] == 13.0


def test_uncrewed_retry_succeeds_when_the_next_approach_works():
    # Failure probability 0.5: over replications, docked ones dock at 229 + 72 k (k = attempts - 1).
    compiled = compile_scenario(
        load_scenario(
            DEGENERATE, ["vehicles.NEW.crewed=false", "vehicles.NEW.docking.auto_failure_p=0.5"]
        )
    )
    seen = set()
    for i in range(60):
        row, _ = simulate_replication(compiled, i, 11)
        if math.isnan(row["NEW.dock_actual_utc"]):
            assert row["NEW.docking_attempts"] == 3 and row["outcome_reason"] == "docking_abort"
            continue
        k = row["NEW.docking_attempts"] - 1
        seen.add(k)
        assert row["NEW.dock_actual_utc"] == pytest.approx(229.0 + 72.0 * k)
        assert row["NEW.dock_delay.docking_h"] == pytest.approx(72.0 * k)
    assert seen == {0, 1, 2}
