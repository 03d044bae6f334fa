"""The two precedent replays reproduce the public record (data/vehicle_failures_timeline.csv).

Each replay fixes every uncertain input at what happened, so its one replication must put every
event the sources time to the minute within a minute of the record. A check of the wiring (failure,
lifeboats, replacement, empty undock, return), not a forecast.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
TIMELINE = ROOT / "data" / "vehicle_failures_timeline.csv"

#: Outcome column of each recorded event, per replay.
EVENTS = {
    "soyuz-ms22": (
        "precedents/soyuz_ms22_2022_replay.yaml",
        {
            "MS-23 launch (uncrewed)": "MS-23.launch_actual_utc",
            "MS-23 docked at Poisk": "MS-23.dock_actual_utc",
            "Crew-5 undock": "Crew-5.undock_actual_utc",
            "MS-22 undock (uncrewed)": "MS-22.undock_actual_utc",
            "MS-22 landing (uncrewed; 7:46 am EDT)": "MS-22.landing_actual_utc",
            "MS-23 undock with Prokopyev Petelin Rubio": "MS-23.undock_actual_utc",
            "MS-23 landing": "MS-23.landing_actual_utc",
            "MS-22 external coolant leak seen (7:45 pm EST 14 Dec)": "MS-22.failed_utc",
        },
    ),
    "starliner-cft": (
        "precedents/starliner_cft_2024_replay.yaml",
        {
            "NASA decides Wilmore and Williams return on Crew-9 (news conference 1 pm EDT)": (
                "Starliner.failed_utc"
            ),
            "Starliner undock (uncrewed)": "Starliner.undock_actual_utc",
            "Starliner landing at White Sands": "Starliner.landing_actual_utc",
            "Crew-9 launch (Hague and Gorbunov; two seats empty; 1:17 pm EDT)": (
                "Crew-9.launch_actual_utc"
            ),
            "Crew-9 docked at Harmony (5:30 pm EDT)": "Crew-9.dock_actual_utc",
            "Crew-9 undock with Hague Gorbunov Wilmore Williams": "Crew-9.undock_actual_utc",
            "Crew-9 splashdown off Tallahassee": "Crew-9.landing_actual_utc",
        },
    ),
}


def _record(precedent: str) -> dict[str, datetime]:
    with TIMELINE.open() as f:
        rows = [r for r in csv.DictReader(f) if r["precedent"] == precedent]
    return {
        r["event"]: datetime.fromisoformat(r["actual_utc"].replace("Z", "+00:00"))
        for r in rows
        if r["precision"] in ("minute", "second")
    }


def _replay(path: str):
    scenario = load_scenario(ROOT / "scenarios" / path)
    compiled = compile_scenario(scenario)
    row, _ = simulate_replication(compiled, 0, scenario.monte_carlo.seed, trace=True)
    return scenario, compiled, row


@pytest.mark.parametrize("precedent", sorted(EVENTS))
def test_replay_reproduces_the_record_to_the_minute(precedent):
    path, columns = EVENTS[precedent]
    scenario, _, row = _replay(path)
    record = _record(precedent)
    assert set(columns) <= set(record), "every checked event is in the data file"
    assert row["violations"] == 0, row["violation_list"]
    for event, column in columns.items():
        simulated = scenario.at(row[column])
        assert abs((simulated - record[event]).total_seconds()) <= 60, (event, simulated)


def test_ms22_replay_answers_who_comes_home_when_and_without_a_lifeboat_how_long():
    scenario, compiled, row = _replay(EVENTS["soyuz-ms22"][0])
    leak, docked = row["MS-22.failed_utc"], row["MS-23.dock_actual_utc"]
    hatch_and_move = compiled.work_start_after_docking_h + compiled.liner_swap_h
    for person in ("Prokopyev", "Petelin", "Rubio"):
        assert row[f"crew.{person}.home_on"] == "MS-23"
        assert row[f"crew.{person}.home_utc"] == row["MS-23.landing_actual_utc"]
    # Prokopyev and Petelin: from the leak until their liners are in MS-23 (about 73 days).
    for person in ("Prokopyev", "Petelin"):
        assert row[f"crew.{person}.no_lifeboat_h"] == pytest.approx(docked + hatch_and_move - leak)
    # Rubio: until his liner is in the Crew-5 Dragon (27 d + the move), and again while it moves
    # from the Dragon to MS-23.
    rubio = 27 * 24 + compiled.liner_swap_h + compiled.liner_swap_h
    assert row["crew.Rubio.no_lifeboat_h"] == pytest.approx(rubio)
    assert row["MS-22.crew_returned"] == 0
    assert row["Crew-5.crew_returned"] == 4


def test_starliner_replay_brings_the_crew_home_on_crew9_with_its_two_empty_seats():
    _, compiled, row = _replay(EVENTS["starliner-cft"][0])
    assert row["Starliner.crew_returned"] == 0
    assert row["Crew-9.crew_returned"] == 4
    for person in ("Wilmore", "Williams"):
        assert row[f"crew.{person}.home_on"] == "Crew-9"
        assert row[f"crew.{person}.home_utc"] == row["Crew-9.landing_actual_utc"]
    # Without a lifeboat: the decision until the liners are in Crew-8 (13 d + a move), then the
    # move from Crew-8 into Crew-9 once its hatch is open.
    assert row["crew.Wilmore.no_lifeboat_h"] == pytest.approx(
        13 * 24 + compiled.liner_swap_h + compiled.liner_swap_h
    )
