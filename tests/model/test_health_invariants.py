"""Invariants of vehicle health in every replication of the scenarios where a vehicle fails.

Nobody leaves in an unfit vehicle; no vehicle ever holds more seat liners than it has seats; each
person's hours without a lifeboat are the sum of the spans the trace shows (``no-lifeboat`` to
``lifeboat``, or to their undock or the horizon), and the run total is their sum.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = [
    "vyzov_2021_ms18_unfit.yaml",
    "precedents/soyuz_ms22_2022.yaml",
    "precedents/starliner_cft_2024.yaml",
]
N = 60


@pytest.fixture(scope="module", params=SCENARIOS)
def runs(request):
    compiled = compile_scenario(load_scenario(ROOT / "scenarios" / request.param))
    return compiled, [simulate_replication(compiled, i, 7, trace=True) for i in range(N)]


def test_every_replication_has_its_failure_and_no_violation(runs):
    _, results = runs
    for row, _ in results:
        assert row["health.failures"] == 1
        assert row["violations"] == 0, row["violation_list"]


def test_nobody_leaves_in_an_unfit_vehicle(runs):
    _, results = runs
    for row, events in results:
        for e in events:
            if e[3] == "return" and e[4] == "undock":
                failed = row[f"{e[2]}.failed_utc"]
                if failed == failed and failed <= e[1]:
                    assert e[5] == "crew=0", (row["replication"], e)


def test_no_vehicle_holds_more_liners_than_seats(runs):
    compiled, results = runs
    for row, events in results:
        liner = {p.name: p.aboard_vehicle for p in compiled.people.values() if p.aboard_vehicle}
        for k, e in enumerate(events):
            if e[3] == "docking" and e[4] == "docked":
                for p in compiled.people.values():
                    if p.up_vehicle == e[2] and row[f"crew.{p.name}.end_state"] != "not-flown":
                        liner[p.name] = e[2]
            elif e[3] == "seats" and e[4] in ("liner installed", "liner moved"):
                liner[e[5]] = e[2]
            elif e[3] == "return" and e[4] == "undock":
                liner = {p: v for p, v in liner.items() if v != e[2]}
            if k + 1 < len(events) and events[k + 1][1] == e[1]:
                continue  # a swap job moves several liners at one instant: check after it
            for v, seats in compiled.seats.items():
                held = sum(1 for holder in liner.values() if holder == v)
                assert held <= seats, (row["replication"], e, v, held)


def test_hours_without_a_lifeboat_add_up(runs):
    compiled, results = runs
    for row, events in results:
        spans: dict[str, float] = {}
        since: dict[str, float] = {}
        for e in events:
            if e[3] == "seats" and e[4] == "no-lifeboat":
                since[e[2]] = e[1]
            elif e[3] == "seats" and e[4] == "lifeboat":
                spans[e[2]] = spans.get(e[2], 0.0) + e[1] - since.pop(e[2])
        for person, start in since.items():
            home_on = row[f"crew.{person}.home_on"]
            end = row[f"{home_on}.undock_actual_utc"] if home_on else compiled.horizon_h
            spans[person] = spans.get(person, 0.0) + end - start
        for person in compiled.people:
            assert row[f"crew.{person}.no_lifeboat_h"] == pytest.approx(spans.get(person, 0.0))
        assert row["health.no_lifeboat_h"] == pytest.approx(sum(spans.values()))
