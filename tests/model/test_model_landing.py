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
#: after sunset. The return follows NEW's launch slip (0-12 days) and some days are weathered out.
NIGHT = [
    "returns.OLD.daylight=true",
    "returns.OLD.opportunity_drift=2 h",
    "returns.OLD.follows_launch_of=NEW",
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


def test_launch_slip_moves_the_return_to_the_same_drifting_opportunity():
    # Slip 3 d, opportunity drift 2 h/day, no daylight rule: the return takes the opportunity of
    # day +3 after the planned one, 338 + 3 * 26 = 416 h (not a day later than that).
    row, _ = simulate_replication(
        compile_scenario(
            load_scenario(
                DEGENERATE,
                [
                    "returns.OLD.opportunity_drift=2 h",
                    "returns.OLD.follows_launch_of=NEW",
                    "vehicles.NEW.launch.slip=3 d",
                ],
            )
        ),
        0,
        1,
    )
    assert row["OLD.undock_actual_utc"] == pytest.approx(416.0)
    assert row["delay.launch_slip_h"] == pytest.approx(78.0)
    assert row["delay.landing_window_h"] == 0.0


def test_weather_postpones_by_whole_days():
    # Weather every day (p = 1) blocks every opportunity: the return cannot happen in the horizon.
    row, _ = simulate_replication(
        compile_scenario(load_scenario(DEGENERATE, ["returns.OLD.weather_p=1"])), 0, 1
    )
    assert row["outcome_reason"] == "return_blocked"
    # p = 0.5: the landing is a whole number of days late, attributed to weather.
    compiled = compile_scenario(load_scenario(DEGENERATE, ["returns.OLD.weather_p=0.5"]))
    for i in range(50):
        row, _ = simulate_replication(compiled, i, 1)
        assert row["delay.weather_h"] == pytest.approx(24.0 * row["OLD.weather_days"])
        assert row["landing_delay_h"] == pytest.approx(24.0 * row["OLD.weather_days"])
