"""Landing: daylight at the zone, opportunities that drift into the night, launch-slip shifts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model import compile_scenario, simulate_replication
from sim.orbit.sun import sun_elevation_deg
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DEGENERATE = ROOT / "tests" / "scenarios" / "degenerate.yaml"

#: OLD lands at the Dzhezkazgan zone; its daily opportunity drifts 2 h a day later, so that after a
#: few days the landing (undock 02:00 UTC + 3 h = 05:00 UTC = 09:40 local solar time on day 0) falls
#: after sunset. The return keeps the visit after NEW's launch slip (0-12 days) and some days are
#: weathered out.
NIGHT = [
    "returns.OLD.daylight=true",
    "returns.OLD.opportunity_drift=2 h",
    "returns.OLD.policy=keep-visit",
    "returns.OLD.weather_p=0.2",
    "vehicles.NEW.launch.slip={dist: uniform, low: 0, high: 12, unit: d}",
]


def test_no_landing_in_the_dark_over_1000_replications():
    s = load_scenario(DEGENERATE, NIGHT)
    compiled = compile_scenario(s)
    zone = s.returns["OLD"].zone
    landings, daylight_waits = [], 0
    for i in range(1000):
        row, _ = simulate_replication(compiled, i, 13)
        landings.append(row["OLD.landing_actual_utc"])
        daylight_waits += row["delay.landing_window_h"] > 0
        total = sum(v for k, v in row.items() if k.startswith("delay."))
        assert total == pytest.approx(row["landing_delay_h"], abs=1e-6)
    unix = compiled.epoch_unix + np.asarray(landings) * 3600
    assert np.all(np.isfinite(unix))
    assert np.all(sun_elevation_deg(unix, zone.lat, zone.lon) > 0)
    assert daylight_waits > 100  # the night did push landings


def test_keep_visit_moves_the_return_to_keep_the_planned_visit():
    # Slip 3 d: NEW launches at 226 + 72 = 298, flies the slow scheme (50 h) and docks at 348,
    # 119 h late. The planned visit (229 -> 338, 109 h) ends at 457; with a drift of 2 h a day the
    # daily opportunities are 338 + 26 k h, and the first at or after 457 is k = 5: 468 h.
    row, events = simulate_replication(
        compile_scenario(
            load_scenario(
                DEGENERATE,
                [
                    "returns.OLD.opportunity_drift=2 h",
                    "returns.OLD.policy=keep-visit",
                    "vehicles.NEW.launch.slip=3 d",
                ],
            )
        ),
        0,
        1,
        trace=True,
    )
    assert row["NEW.dock_actual_utc"] == 348.0
    assert row["OLD.undock_actual_utc"] == pytest.approx(468.0)
    assert row["visit_days"] == pytest.approx((468 - 348) / 24) and not row["visit_cut"]
    # The whole move (130 h) is the late arrival's; the swaps are inside the visit.
    # The move to the kept visit's end (less the half-day tolerance: 445 - 338 = 107 h) is the late
    # arrival's (the swaps are inside the visit; the slip forced the slow scheme); from there to
    # the next opportunity (23 h), the landing window's.
    assert row["delay.launch_slip_h"] == pytest.approx(107.0)
    assert row["delay.liner_swap_h"] == 0.0 and row["delay.landing_window_h"] == 23.0
    assert row["outcome"] == "late-return"
    assert any(e[4] == "visit kept" for e in events)


def test_keep_visit_is_cut_by_the_design_life_and_not_flown_below_min_visit():
    # OLD's life ends at h 400 (docked at -744 h, 1144 h of life); the daily opportunity is at
    # 02:00 (338 + 24 k). Slip 3 d: NEW launches at 298 and docks at 348 (slow scheme, 50 h); the
    # kept visit would end at 457, past the life: the visit is cut to the last opportunity before
    # h 400, which is 386 (k = 2): a visit of 38 h.
    base = [
        "vehicles.OLD.design_life=1144 h",
        "returns.OLD.policy=keep-visit",
        "vehicles.NEW.launch.slip=3 d",
    ]
    row, events = simulate_replication(
        compile_scenario(load_scenario(DEGENERATE, base)), 0, 1, True
    )
    assert row["OLD.undock_actual_utc"] == 386.0 and row["OLD.life_margin_d"] == 14 / 24
    assert row["visit_cut"] and row["visit_days"] == pytest.approx(38 / 24)
    assert row["violations"] == 0 and any(e[4] == "visit cut" for e in events)
    # min_visit 2 d: the predicted visit (38 h) is too short: the visitors stand down at launch,
    # NEW flies with its pilot, Eng moves to NEW, and OLD leaves on its planned day with Cmdr.
    row, events = simulate_replication(
        compile_scenario(load_scenario(DEGENERATE, [*base, "returns.OLD.min_visit=2 d"])),
        0,
        1,
        True,
    )
    assert row["outcome"] == "visit-not-flown" and row["outcome_reason"] == "visit_below_min"
    assert row["visit_cancelled"] and row["crew.Vis1.end_state"] == "not-flown"
    assert row["crew.Pilot.home_on"] == "NEW" and row["crew.Cmdr.home_on"] == "OLD"
    assert row["violations"] == 0
    assert any(e[4] == "visit not flown" for e in events)


def test_keep_visit_stops_before_the_next_arrival_that_needs_the_room(tmp_path):
    # A third vehicle, LATER, is planned to dock at h 408 (launch 396 + 12 h) with two people: with OLD's three still
    # aboard, 2 + 3 + 2 = 7 people would exceed the crew limit of 6, so OLD must be gone first.
    later = tmp_path / "later.yaml"
    later.write_text(
        f"extends: {DEGENERATE}\n"
        "station: {ports: [P1, P2, P3]}\n"
        "vehicles:\n"
        "  LATER:\n"
        "    seats: 3\n"
        "    launch: {planned: 2030-01-17T12:00:00Z}\n"
        "    rendezvous: {scheme: fast, fallback: slow, durations: {fast: 12 h, slow: 50 h}}\n"
        "    docking: {port: P3}\n"
        "crew:\n"
        "  X1: {up: LATER, returns: LATER}\n"
        "  X2: {up: LATER, returns: LATER}\n"
        "returns:\n"
        "  LATER: {planned_undock: 2030-03-01T00:00:00Z, descent: 3 h, daylight: false}\n"
    )
    overrides = ["returns.OLD.policy=keep-visit", "vehicles.NEW.launch.slip=3 d"]
    compiled = compile_scenario(load_scenario(later, overrides))
    assert compiled.returns["OLD"].next_arrival_h == 408.0
    row, _ = simulate_replication(compiled, 0, 1)
    # The kept visit would end at 457 (> 408): cut to the last opportunity before 408, 386.
    assert row["OLD.undock_actual_utc"] == 386.0 and row["visit_cut"]


def test_weather_postpones_by_whole_days():
    # Weather every day (p = 1) blocks every opportunity until the last one inside OLD's design life
    # (docked at -744 h, 210 d: life ends at 4296 h; opportunities at 338 + 24 k): the landing goes
    # ahead then, waived, rather than outlive the vehicle's life.
    row, _ = simulate_replication(
        compile_scenario(load_scenario(DEGENERATE, ["returns.OLD.weather_p=1"])), 0, 1
    )
    assert row["OLD.undock_actual_utc"] == 338.0 + 24 * 164 and row["OLD.weather_waived"]
    assert 0 <= row["OLD.life_margin_d"] < 1 and row["violations"] == 0
    # p = 0.5: the landing is a whole number of days late, attributed to weather.
    compiled = compile_scenario(load_scenario(DEGENERATE, ["returns.OLD.weather_p=0.5"]))
    for i in range(50):
        row, _ = simulate_replication(compiled, i, 1)
        assert row["delay.weather_h"] == pytest.approx(24.0 * row["OLD.weather_days"])
        assert row["landing_delay_h"] == pytest.approx(24.0 * row["OLD.weather_days"])
