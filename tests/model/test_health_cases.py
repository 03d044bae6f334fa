"""Vehicle health, lifeboats, replacements and emergency returns on timelines solvable by hand.

The scenario (tests/scenarios/lifeboats.yaml) fixes every input; its header gives the numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "lifeboats.yaml"
FAILURE_H = 96.0
REPLACEMENT = "vehicle_health.replacements={A: {vehicle: R, lead_time: 10 d, return_after: 24 h}}"


def run(*overrides: str):
    compiled = compile_scenario(load_scenario(SCENARIO, list(overrides)))
    row, events = simulate_replication(compiled, 0, 1, trace=True)
    return compiled, row, events


def test_no_free_seat_leaves_the_crew_without_a_lifeboat_until_the_horizon():
    compiled, row, _ = run()
    assert row["A.health"] == "unfit-for-crew"
    assert row["A.failed_utc"] == FAILURE_H
    assert row["A.failure_cause"] == "test leak"
    assert row["health.return_vehicle_failed"]
    # A stays docked as their last resort until a day before its design life ends (docked
    # h -744 + 210 d = h 4296; h 4272 is a 00:00 opportunity), then undocks empty; A1 and A2 stay
    # aboard with no fit seat to the end.
    assert row["A.undock_actual_utc"] == 4272.0
    assert row["A.crew_returned"] == 0
    for p in ("A1", "A2"):
        assert row[f"crew.{p}.no_lifeboat_h"] == pytest.approx(compiled.horizon_h - FAILURE_H)
        assert row[f"crew.{p}.home_on"] == ""
    assert row["crew.B1.no_lifeboat_h"] == 0.0
    assert row["crew.B1.home_utc"] == 1416.0 + 3.0
    assert row["health.no_lifeboat_h"] == pytest.approx(2 * (compiled.horizon_h - FAILURE_H))


def test_free_seats_elsewhere_take_the_liners_in_one_swap_time():
    _, row, events = run("vehicles.B.seats=3")
    # Both liners move at once (each person's own hour): no lifeboat for exactly 1 h.
    for p in ("A1", "A2"):
        assert row[f"crew.{p}.no_lifeboat_h"] == pytest.approx(1.0)
        assert row[f"crew.{p}.home_on"] == "B"
        assert row[f"crew.{p}.home_utc"] == 1419.0
        assert row[f"crew.{p}.days_aboard"] == pytest.approx(
            (1416.0 + 744.0) / 24.0
        )  # since A docked
    assert row["B.crew_returned"] == 3
    assert row["A.crew_returned"] == 0
    moved = [e for e in events if e[3] == "seats" and e[4] == "liner moved"]
    assert [(e[1], e[2], e[5]) for e in moved] == [(97.0, "B", "A1"), (97.0, "B", "A2")]


def test_a_fixed_lead_time_gives_the_stranded_hours_exactly():
    _, row, _ = run(REPLACEMENT)
    # Failure h 96 + 10 d = h 336 -> first 06:00 window h 342; docked h 345; hatch h 347;
    # liners moved h 348: 252 h without a lifeboat. R leaves no earlier than h 369 -> the next
    # daily opportunity (00:00) h 384, lands h 387.
    assert row["R.launch_actual_utc"] == 342.0
    assert row["R.dock_actual_utc"] == 345.0
    for p in ("A1", "A2"):
        assert row[f"crew.{p}.no_lifeboat_h"] == pytest.approx(252.0)
        assert row[f"crew.{p}.home_on"] == "R"
        assert row[f"crew.{p}.home_utc"] == 387.0
    assert row["A.health"] == "replaced"
    assert row["in.R.lead_time_d"] == 10.0


def test_a_replacement_is_not_launched_without_a_failure():
    _, row, events = run(REPLACEMENT, "vehicle_health.failures=[]")
    assert row["R.launch_actual_utc"] != row["R.launch_actual_utc"]  # NaN: never flew
    assert row["health.failures"] == 0
    assert not [e for e in events if e[2] == "R"]


def test_an_emergency_sends_the_group_home_at_the_next_opportunity():
    _, row, events = run(
        "vehicle_health.failures=[]",
        "vehicle_health.emergencies=[{name: medical, people: [B1], at: 2030-01-10T05:00:00Z}]",
    )
    # h 221 -> B's next daily opportunity (00:00) is h 240; B1 lands at h 243, weeks early.
    assert row["health.emergency_returns"] == 1
    assert row["B.undock_actual_utc"] == 240.0
    assert row["crew.B1.home_utc"] == 243.0
    assert row["A.undock_actual_utc"] == 744.0  # the others keep their plan
    assert any(e[3] == "emergency" and e[4] == "recalled" for e in events)


def test_a_lost_vehicle_takes_the_liners_at_once():
    _, row, _ = run("vehicle_health.failures.0.severity=lost", "vehicles.B.seats=3")
    assert row["A.health"] == "lost"
    for p in ("A1", "A2"):
        assert row[f"crew.{p}.no_lifeboat_h"] == pytest.approx(1.0)
        assert row[f"crew.{p}.home_on"] == "B"


def test_a_replacement_lost_on_launch_is_flown_again_after_a_new_lead_time():
    compiled = compile_scenario(
        load_scenario(SCENARIO, [REPLACEMENT, "vehicles.R.launch.failure_p=0.5"])
    )
    rows = [simulate_replication(compiled, i, 1)[0] for i in range(40)]
    second = [r for r in rows if r["R.replacement_flights"] == 2]
    assert second, "some replications need a second flight"
    for row in second:
        # First flight h 342 lost; the next 10 d later: h 582 (06:00), docked h 585, liners h 588.
        assert row["R.launch_actual_utc"] == 582.0
        assert row["R.dock_actual_utc"] == 585.0
        assert row["crew.A1.no_lifeboat_h"] == pytest.approx(588.0 - FAILURE_H)
        assert row["crew.A1.home_on"] == "R"
    assert {r["R.replacement_flights"] for r in rows} <= {1, 2, 3}


def test_a_crewed_replacement_leaves_seats_empty_for_the_stranded():
    _, row, _ = run(
        "crew={A1: {aboard: A, returns: A}, A2: {aboard: A, returns: A}, "
        "B1: {aboard: B, returns: B}, X: {up: R, returns: R}}",
        "vehicles.R.crewed=true",
        "vehicles.R.launch.planned=2030-01-10T06:00:00Z",
        "returns.R.planned_undock=2030-01-20T00:00:00Z",
        "vehicle_health.replacements={A: {vehicle: R, stays_home: [X]}}",
    )
    # X gives up the seat up (the failure, h 96, is before R's launch, h 222); R docks h 225 with
    # three free seats; the hatch opens h 227 and the liners are in at h 228: 132 h without one.
    assert row["crew.X.end_state"] == "not-flown"
    for p in ("A1", "A2"):
        assert row[f"crew.{p}.no_lifeboat_h"] == pytest.approx(228.0 - FAILURE_H)
        assert row[f"crew.{p}.home_on"] == "R"
        assert row[f"crew.{p}.home_utc"] == 456.0 + 3.0
