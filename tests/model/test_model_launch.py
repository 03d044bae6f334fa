"""Launch: slips, the fallback rendezvous scheme after any slip, launch failure."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DEGENERATE = ROOT / "tests" / "scenarios" / "degenerate.yaml"
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"


def rows(path: Path, overrides: list[str], n: int, seed: int = 7) -> list[dict]:
    compiled = compile_scenario(load_scenario(path, overrides))
    return [simulate_replication(compiled, i, seed)[0] for i in range(n)]


def test_slip_by_hand_forces_fallback_and_shifts_docking():
    # A 2-day slip: launch at 226 + 48 = 274 h; any slip forces the slow scheme (50 h): docking at
    # 324 h, 95 h late = 48 h launch slip + 47 h of the longer rendezvous the slip forced.
    (row,) = rows(DEGENERATE, ["vehicles.NEW.launch.slip=2 d"], 1)
    assert row["NEW.launch_actual_utc"] == 274.0 and row["NEW.launch_slip_d"] == 2.0
    assert row["NEW.scheme_flown"] == "slow" and row["NEW.fallback"]
    assert row["NEW.dock_actual_utc"] == 324.0 and row["NEW.dock_delay_h"] == 95.0
    # The longer rendezvous is the slip's: it forced the slow scheme.
    assert row["NEW.dock_delay.launch_slip_h"] == 95.0
    assert row["NEW.dock_delay.rendezvous_h"] == 0.0
    # Work could start at 326 (14:00, the end of a window); the next window (15 Jan 06:00 = 342)
    # is after OLD's fixed undock at 338: no work is done, the landing is on time.
    assert row["work_done_h"] == 0.0 and not row["work_complete"]
    assert row["OLD.undock_actual_utc"] == 338.0 and row["outcome"] == "short-visit"


def test_window_drift_moves_the_slipped_launch():
    # Window drift -24 min a day: day +2 window is 226 + 2 * (24 - 0.4) = 273.2 h.
    (row,) = rows(
        DEGENERATE, ["vehicles.NEW.launch.slip=2 d", "vehicles.NEW.launch.window_drift=-24 min"], 1
    )
    assert math.isclose(row["NEW.launch_actual_utc"], 273.2)


def test_fallback_fraction_equals_probability_of_a_slip():
    # Slip 0, 1 or 2 days with weights 1:1:2 -> P(slip > 0) = 0.75; nothing else forces the fallback.
    n = 2000
    slip = "{dist: empirical, values: [0, 1, 2], weights: [1, 1, 2], unit: d}"
    out = rows(DEGENERATE, [f"vehicles.NEW.launch.slip={slip}"], n)
    fallback = np.array([r["NEW.fallback"] for r in out], float)
    slipped = np.array([r["NEW.launch_slip_d"] > 0 for r in out], float)
    assert np.array_equal(fallback, slipped)
    p = 0.75
    se = math.sqrt(p * (1 - p) / n)
    assert abs(fallback.mean() - p) < 4 * se


def test_fallback_fraction_with_continuous_slip_counts_whole_days():
    # Zero-inflated Weibull slip (p_zero 0.5, shape 1, scale 2 d) rounded to whole days: the slip
    # is 0 d when the draw is below 0.5 d -> P(slip > 0) = 0.5 * exp(-(0.5 / 2)).
    n = 2000
    slip = "{dist: zero_inflated_weibull, p_zero: 0.5, shape: 1, scale: 2, unit: d}"
    out = rows(DEGENERATE, [f"vehicles.NEW.launch.slip={slip}"], n)
    fallback = np.array([r["NEW.fallback"] for r in out], float)
    p = 0.5 * math.exp(-0.25)
    se = math.sqrt(p * (1 - p) / n)
    assert abs(fallback.mean() - p) < 4 * se


def test_launch_failure_nobody_arrives_station_crew_go_home_on_own_seats():
    (row,) = rows(DEGENERATE, ["vehicles.NEW.launch.failure_p=1"], 1)
    assert row["outcome_reason"] == "launch_failure" and row["NEW.launch_failed"]
    assert math.isnan(row["NEW.dock_actual_utc"])
    assert row["peak_crew"] == 2
    # Eng's liner never moved to NEW: Cmdr and Eng return on OLD, as planned.
    assert row["OLD.crew_returned"] == 2 and row["OLD.undock_actual_utc"] == 338.0
    assert row["violations"] == 0 and row["work_done_h"] == 0.0


def test_launch_failure_in_the_baseline():
    out = rows(BASELINE, ["vehicles.MS-19.launch.failure_p=1", "returns.MS-18.min_visit=0 d"], 50)
    for row in out:
        # After a long slip MS-18 has left before MS-19's launch: the visitors stand down first.
        assert row["outcome"] == "visit-not-flown"
        assert row["outcome_reason"] in ("launch_failure", "return_left")
        assert math.isnan(row["MS-19.dock_actual_utc"])
        assert row["peak_crew"] == 7 and row["violations"] == 0
        # Novitsky, Dubrov and Vande Hei return on MS-18; Crew-2 on their Dragon.
        assert row["MS-18.crew_returned"] == 3 and row["Crew-2.crew_returned"] == 4
        assert math.isnan(row["MS-19.undock_actual_utc"])
