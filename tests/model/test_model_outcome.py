"""Outcome labels and per-person columns, checked on hand-built timelines of the degenerate
scenario (tests/scenarios/degenerate.yaml: NEW docks at h 229 with the visitors, OLD takes them home
at h 338 + 3 h descent)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.model import compile_scenario, simulate_replication
from sim.model.outcome import END_STATES, OUTCOME_LABELS
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DEGENERATE = ROOT / "tests" / "scenarios" / "degenerate.yaml"
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"


def one(overrides: list[str] = (), path: Path = DEGENERATE) -> dict:
    compiled = compile_scenario(load_scenario(path, list(overrides)))
    return simulate_replication(compiled, 0, 1)[0]


def test_every_label_has_a_one_line_meaning():
    assert list(OUTCOME_LABELS) == [
        "constraint-violated",
        "visit-not-flown",
        "stranded",
        "short-visit",
        "work-incomplete",
        "late-return",
        "as-planned",
    ]
    for label, meaning in OUTCOME_LABELS.items():
        assert meaning.endswith(".") and "\n" not in meaning, label


def test_as_planned_records_every_person():
    row = one()
    assert row["outcome"] == "as-planned" and row["outcome_reason"] == ""
    # Visitors: docked at 229, undock 338, landing 341, 20 h of the scene each.
    for p in ("Vis1", "Vis2"):
        assert row[f"crew.{p}.end_state"] == "home" and row[f"crew.{p}.home_on"] == "OLD"
        assert row[f"crew.{p}.home_utc"] == 341.0
        assert row[f"crew.{p}.days_aboard"] == pytest.approx((338 - 229) / 24)
        assert row[f"crew.{p}.work_h"] == pytest.approx(20.0)
    # Cmdr was aboard since OLD docked (2029-12-01, h -744) and leaves at 338.
    assert row["crew.Cmdr.days_aboard"] == pytest.approx((338 + 744) / 24)
    assert row["crew.Eng.home_on"] == "NEW" and row["crew.Pilot.home_on"] == "NEW"
    assert row["work_plan_done"] and row["work_complete"]
    assert not row["visit_cut"] and row["visit_planned_days"] == pytest.approx(109 / 24)
    assert set(row[f"crew.{p}.end_state"] for p in ("Cmdr", "Eng", "Pilot")) <= set(END_STATES)


def test_a_cut_visit_with_incomplete_work_is_a_short_visit_never_nominal():
    # 2-day slip: NEW docks at 324; no work window before OLD's fixed undock at 338.
    row = one(["vehicles.NEW.launch.slip=2 d"])
    assert row["landed_on_planned_day"] and not row["work_plan_done"]
    assert row["visit_cut"] and row["outcome"] == "short-visit"


def test_a_full_visit_with_too_much_work_is_work_incomplete():
    row = one(["work.tasks.0.hours=60 h"])
    assert not row["visit_cut"] and not row["work_complete"]
    assert row["outcome"] == "work-incomplete"


def test_work_done_but_landing_a_day_late_is_a_late_return():

    # 40 h of work: 32 h in the windows of 11-14 Jan, done 15 Jan 14:00 (h 350); until-done waits
    # for it and leaves at the next daily opportunity, 16 Jan 02:00 (h 362), landing at h 365.
    row = one(
        [
            "work.tasks.0.hours=40 h",
            "returns.OLD.policy=until-done",
            "returns.OLD.max_extension=2 d",
        ]
    )
    assert row["OLD.undock_actual_utc"] == 362.0 and row["landing_actual_utc"] == 365.0
    assert row["work_complete"] and not row["landed_on_planned_day"]
    assert row["outcome"] == "late-return" and row["outcome_reason"] == "late_landing"


def test_a_launch_failure_is_a_visit_not_flown_and_the_visitors_stay_home():
    row = one(["vehicles.NEW.launch.failure_p=1"])
    assert row["outcome"] == "visit-not-flown" and row["outcome_reason"] == "launch_failure"
    assert row["crew.Vis1.end_state"] == "not-flown" and row["crew.Vis1.home_on"] == ""
    assert math.isnan(row["crew.Vis1.days_aboard"])
    # Eng's liner never moved: Eng goes home on OLD, not as planned, but Eng is not a visitor.
    assert row["crew.Eng.home_on"] == "OLD"
    assert not row["work_complete"]


def test_visitors_left_aboard_are_stranded_and_their_work_is_not_complete():
    # OLD's life ends at h 240 (41 d from 2029-12-01): it cannot wait for the swaps and leaves
    # at its planned undock (h 230) with Cmdr and Eng; the visitors stay and go home on NEW.
    row = one(
        [
            "vehicles.OLD.design_life=41 d",
            "returns.OLD.planned_undock=2030-01-10T14:00:00Z",
            "work.tasks.0.hours=1 h",
        ]
    )
    assert row["OLD.undock_actual_utc"] == 230.0 and row["crew.Eng.home_on"] == "OLD"
    assert row["crew.Vis1.home_on"] == "NEW"
    assert row["outcome"] == "stranded"
    assert not row["work_complete"]  # done, but the people who did it did not come home as planned


def test_crew_below_the_minimum_is_a_violation():
    row = one(["station.min_crew=2"])  # OLD leaves Eng and Pilot aboard, NEW leaves nobody
    assert row["min_crew_violated"] and row["min_crew"] == 0
    assert row["outcome"] == "constraint-violated" and "below minimum 2" in row["violation_list"]
    row = one(["station.min_crew=2", "station.min_crew_until=2030-02-01T00:00:00Z"])
    assert not row["min_crew_violated"] and row["min_crew"] == 2
    assert row["outcome"] == "as-planned"


def test_crew2_life_margin_counts_from_its_april_docking():
    # Regression: Crew-2's docked_since was its July relocation, giving ~100 d of margin.
    # Docked 2021-04-24 09:08, planned undock 2021-11-08 19:05: 198.4 d of 210 -> 11.6 d left.
    row = one(["returns.Crew-2.weather_p=0"], path=BASELINE)
    assert row["Crew-2.life_margin_d"] == pytest.approx(210 - 198.414583, abs=0.01)
