"""Invariants that hold in every replication of every shipped scenario (issue 12, part 6), and of
random ``--set`` variants of the baseline (Hypothesis, derandomized).

Each replication is read from its outcome row and its event trace, as a flight planner would:
where every person is at every instant, when people work and move seat liners, when and where
vehicles land, how long vehicles stay docked, how many people each carries, how the delay splits
into causes, and whether the outcome label says what happened.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model import compile_scenario, simulate_replication
from sim.model.outcome import DELAY_CAUSES, DOCK_CAUSES, OUTCOME_LABELS
from sim.model.policy import KEEP_VISIT_TOLERANCE_H
from sim.orbit.sun import sun_elevation_deg
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
REPLICATIONS = 200
EPS = 1e-6


def _runs(path: Path, overrides: list[str], n: int, seed: int | None = None):
    scenario = load_scenario(path, overrides)
    compiled = compile_scenario(scenario)
    seed = scenario.monte_carlo.seed if seed is None else seed
    n = min(n, scenario.monte_carlo.replications)
    return (
        scenario,
        compiled,
        [simulate_replication(compiled, i, seed, trace=True) for i in range(n)],
    )


def _stays(compiled, row) -> dict[str, tuple[float, float]]:
    """Each person's time on station [arrived, left) from the outcome row (empty if never)."""
    stays = {}
    for name, person in compiled.people.items():
        state = row[f"crew.{name}.end_state"]
        if state == "not-flown":
            continue
        arrived = 0.0 if person.aboard_vehicle else row[f"{person.up_vehicle}.dock_actual_utc"]
        if state == "home":
            left = row[f"{row[f'crew.{name}.home_on']}.undock_actual_utc"]
        else:
            left = math.inf
        stays[name] = (arrived, left)
    return stays


def _docked(compiled, row, vehicle: str) -> tuple[float, float]:
    """When ``vehicle`` was at the station (``-inf`` start for vehicles docked at the epoch)."""
    start = -math.inf if vehicle in compiled.docked_at else row[f"{vehicle}.dock_actual_utc"]
    end = row.get(f"{vehicle}.undock_actual_utc", math.nan)
    return start, (math.inf if end != end else end)


def _label(compiled, row) -> str:
    """The outcome label, derived independently from its one-line definition."""
    if row["violations"] > 0:
        return "constraint-violated"
    visitors = compiled.visitors
    if row["visit_cancelled"] or any(row[f"crew.{p}.end_state"] == "not-flown" for p in visitors):
        return "visit-not-flown"
    if any(row[f"crew.{p}.home_on"] != compiled.people[p].returns for p in visitors):
        return "stranded"
    if not row["work_complete"]:
        return "short-visit" if row["visit_cut"] else "work-incomplete"
    if compiled.primary is not None and not row["landed_on_planned_day"]:
        return "late-return"
    return "as-planned"


def check_replication(scenario, compiled, row, events) -> None:
    """Every invariant of one replication; the assertion message names the replication."""
    rep = row["replication"]
    stays = _stays(compiled, row)

    # Every person is in exactly one place: the count traced after each change of who is aboard
    # equals the people whose stay covers that instant (and nobody's stay is reversed).
    for name, (arrived, left) in stays.items():
        assert arrived <= left + EPS, (rep, name, arrived, left)
        if row[f"crew.{name}.end_state"] == "home":
            assert row[f"crew.{name}.home_utc"] >= left - EPS, (rep, name)
    # (Several changes at one instant: the last count traced at that instant is the state after it.)
    after: dict[float, int] = {}
    for _, t, _flight, process, event, detail in events:
        if process == "crew" and event == "aboard":
            after[t] = int(detail.split()[0].split("=")[1])
    for t, count in after.items():
        here = sum(a <= t + EPS and t < b - EPS for a, b in stays.values())
        assert count == here, (rep, t, count, here)

    # Nobody works, moves a liner or is held by a contingency outside their time on station; a
    # liner only moves into a vehicle that is docked.
    open_work = None
    for _, t, flight, process, event, detail in events:
        people: list[str] = []
        if process == "work" and event in ("start", "resume"):
            open_work = t
        elif process == "work" and event in ("end", "stop", "interrupt"):
            task = detail.split()[0].split("=")[1]
            people = next(list(k.people) for k in compiled.tasks if k.name == task)
            for p in people:
                a, b = stays[p]
                assert a - EPS <= open_work and t <= b + EPS, (rep, p, "works off station")
        elif process == "seats" and event in ("swap", "liner installed"):
            a, b = stays[detail]
            assert a - EPS <= t <= b + EPS, (rep, detail, "swaps off station")
            lo, hi = _docked(compiled, row, flight)
            assert lo - EPS <= t <= hi + EPS, (rep, detail, flight, "liner into a departed vehicle")
        elif process == "contingency" and event in ("hold", "release"):
            for p in detail.split("people=", 1)[1].split(";"):
                a, b = stays[p]
                assert a - EPS <= t <= b + EPS, (rep, p, "held off station")
    # Work done only by people who were aboard.
    for name, (a, b) in stays.items():
        if row[f"crew.{name}.work_h"] > 0:
            assert b > a, (rep, name)
    for name in compiled.people:
        if name not in stays:
            assert row[f"crew.{name}.work_h"] == 0.0, (rep, name)

    for v, plan in compiled.returns.items():
        undock = row[f"{v}.undock_actual_utc"]
        if undock != undock:
            continue
        landing = row[f"{v}.landing_actual_utc"]
        spec = plan.spec
        # No landing outside daylight when the rule is on (the waiver is only about weather).
        if spec.daylight:
            unix = compiled.epoch_unix + landing * 3600
            sun = float(sun_elevation_deg(np.array([unix]), spec.zone.lat, spec.zone.lon)[0])
            assert sun > spec.daylight_margin_deg - 0.5, (rep, v, "landing in the dark", sun)
        # No vehicle past its design life without a violation flag.
        if row[f"{v}.life_margin_d"] < -EPS:
            assert row["violations"] > 0 and "design life" in row["violation_list"], (rep, v)
        # Seats >= people on every vehicle (or a violation says so).
        if row[f"{v}.crew_returned"] > compiled.seats[v]:
            assert "seats" in row["violation_list"], (rep, v)
    for v in compiled.launches:
        going_up = sum(
            p.up_vehicle == v and row[f"crew.{p.name}.end_state"] != "not-flown"
            for p in compiled.people.values()
        )
        assert going_up <= compiled.seats[v], (rep, v)

    # The delay attribution adds up.
    if row["landing_delay_h"] == row["landing_delay_h"]:
        total = sum(row[f"delay.{c}_h"] for c in DELAY_CAUSES)
        assert total == pytest.approx(row["landing_delay_h"], abs=EPS), rep
    for v in compiled.launches:
        if row[f"{v}.dock_delay_h"] == row[f"{v}.dock_delay_h"]:
            total = sum(row[f"{v}.dock_delay.{c}_h"] for c in DOCK_CAUSES)
            assert total == pytest.approx(row[f"{v}.dock_delay_h"], abs=EPS), (rep, v)

    # Each outcome label matches its definition.
    assert row["outcome"] in OUTCOME_LABELS, rep
    assert row["outcome"] == _label(compiled, row), (rep, row["outcome"], _label(compiled, row))
    if row["outcome"] == "as-planned":
        assert row["work_complete"] and row["violations"] == 0, rep
    if row["visit_cut"]:
        planned = compiled.visit_planned_h
        assert row["visit_days"] * 24 < planned - KEEP_VISIT_TOLERANCE_H + EPS, rep


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_replication_of_every_scenario_keeps_the_invariants(path):
    scenario, compiled, runs = _runs(path, [], REPLICATIONS)
    for row, events in runs:
        check_replication(scenario, compiled, row, events)


BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"
VARIANTS = st.fixed_dictionaries(
    {
        "vehicles.MS-19.launch.slip": st.sampled_from(["0 d", "1 d", "4 d", "9 d", "20 d"]),
        "returns.MS-18.policy": st.sampled_from(["fixed", "until-done", "keep-visit"]),
        "returns.MS-18.min_visit": st.sampled_from(["0 d", "3 d", "8 d"]),
        "returns.MS-18.max_extension": st.sampled_from(["0 d", "5 d"]),
        "returns.MS-18.weather_p": st.sampled_from([0.0, 0.3]),
        "vehicles.MS-19.docking.auto_failure_p": st.sampled_from([0.0, 0.5]),
        "vehicles.MS-19.launch.failure_p": st.sampled_from([0.0, 0.2]),
        "work.tasks.0.hours": st.sampled_from(["40 h", "100 h", "160 h"]),
    }
)


@settings(
    max_examples=6,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(VARIANTS)
def test_random_variants_of_the_baseline_keep_the_invariants(variant):
    overrides = [f"{k}={v}" for k, v in variant.items()]
    scenario, compiled, runs = _runs(BASELINE, overrides, 25, seed=7)
    for row, events in runs:
        check_replication(scenario, compiled, row, events)
