"""Hard limits and edge cases of the rotation: design life and latest_undock bound every wait, a
relocation holds the launch it frees a port for, late relocations and stand-downs are handled."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"


def rows(path: Path, n: int, overrides: list[str] = (), seed: int = 20211005) -> list[dict]:
    compiled = compile_scenario(load_scenario(path, list(overrides)))
    return [simulate_replication(compiled, i, seed)[0] for i in range(n)]


def test_a_return_never_waits_past_the_design_life_for_late_visitors():
    # US-segment slips: MS-19 often launches months late. MS-18 may not wait for it past its life.
    out = rows(ROOT / "scenarios" / "vyzov_2021_us_prior.yaml", 300)
    # Weather cannot push a landing past the life either: the last landing day inside it is kept.
    assert all(r["violations"] == 0 for r in out)
    landed = [r for r in out if not math.isnan(r["MS-18.undock_actual_utc"])]
    assert len(landed) == 300
    assert min(r["MS-18.life_margin_d"] for r in landed) >= 0.0
    abandoned = [r for r in out if r["outcome_reason"] in ("swap_abandoned", "return_left")]
    assert abandoned, "some replications must give up the swap"
    for r in abandoned:
        if r["MS-18.health"] != "fit":  # declared unfit (vehicle_health): it leaves empty
            continue
        # MS-18 took its own crew home (Novitsky, Dubrov, Vande Hei). The visitors stay on the
        # ground when MS-18 has left before MS-19 launches (MS-19 flies with Shkaplerov alone),
        # or stay aboard and come home on MS-19 when it was already in flight.
        assert r["MS-18.crew_returned"] == 3
        assert r["MS-19.crew_returned"] in (0, 1, 3)


def test_until_done_stays_before_latest_undock_unless_weathered_out():
    out = rows(ROOT / "scenarios" / "vyzov_2021_until_done.yaml", 400)
    latest = load_scenario(ROOT / "scenarios" / "vyzov_2021_until_done.yaml")
    limit = latest.hours(latest.returns["MS-18"].latest_undock)
    for r in out:
        allowed = limit + 24.0 * r["MS-18.weather_days"]
        assert r["MS-18.undock_actual_utc"] <= allowed + 1e-6


def test_a_relocation_holds_the_launch_whose_port_it_frees_even_without_before():
    overrides = [
        "relocations.0.before=null",
        "relocations.0.planned=2021-10-04T12:21:00Z",
        "relocations.0.slip={dist: empirical, values: [0, 3, 10], weights: [1, 1, 1], unit: d}",
    ]
    out = rows(BASELINE, 150, overrides)
    docked = [r for r in out if not math.isnan(r["MS-19.dock_actual_utc"])]
    # No loitering in orbit for the port: the launch waits on the ground instead.
    assert max(r["MS-19.dock_delay.docking_h"] for r in docked) < 1.0
    assert max(r["MS-19.dock_delay.relocation_h"] for r in docked) > 24.0


def test_a_relocation_planned_after_the_vehicle_left_is_skipped():
    overrides = [
        "vehicles.MS-19.docking.port=Prichal",
        "relocations.0.before=null",
        "relocations.0.planned=2021-10-16T12:00:00Z",
        "relocations.0.slip={dist: empirical, values: [0, 3], weights: [1, 1], unit: d}",
    ]
    compiled = compile_scenario(load_scenario(BASELINE, overrides))
    skipped = 0
    for i in range(40):
        row, events = simulate_replication(compiled, i, 1, trace=True)
        skipped += any(e[3] == "relocation" and e[4] == "skipped" for e in events)
        assert row["violations"] == 0
    assert skipped > 0


def test_keep_visit_charges_a_scrubbed_launch_to_scrub():
    overrides = [
        "vehicles.MS-19.launch.slip=0 d",
        "vehicles.MS-19.launch.scrub_p=0.5",
        "vehicles.MS-19.launch.scrub_repeat_p=0.0",
        "vehicles.MS-19.launch.failure_p=0",
        "returns.MS-18.min_visit=0 d",
        "returns.MS-18.weather_p=0",
    ]
    out = rows(BASELINE, 60, overrides, seed=1)
    scrubbed = [r for r in out if r["MS-19.pad_aborts"] > 0]
    assert scrubbed
    for r in scrubbed:
        assert r["delay.scrub_h"] > 0 and r["delay.launch_slip_h"] == pytest.approx(0.0, abs=1e-9)
        causes = sum(v for k, v in r.items() if k.startswith("delay."))
        assert causes == pytest.approx(r["landing_delay_h"], abs=1e-6)


def test_a_launch_stood_down_after_its_attempts_is_its_own_outcome():
    overrides = ["vehicles.MS-19.launch.scrub_p=1", "vehicles.MS-19.launch.max_attempts=2"]
    out = rows(BASELINE, 5, overrides)
    assert {(r["outcome"], r["outcome_reason"]) for r in out} == {
        ("visit-not-flown", "launch_stood_down")
    }
    assert all(r["MS-19.stood_down"] and not r["MS-19.launch_failed"] for r in out)
    # (unless MS-18 was declared unfit: vehicle_health's risk, then it leaves empty)
    assert all(
        (r["MS-18.crew_returned"] == 3 or r["MS-18.health"] != "fit") and r["violations"] == 0
        for r in out
    )
