"""Planned work: the daily windows, the `fixed` policy with more work than time, and `until-done`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DEGENERATE = ROOT / "tests" / "scenarios" / "degenerate.yaml"
UNTIL_DONE = ROOT / "scenarios" / "vyzov_2021_until_done.yaml"

#: Work windows (06:00-14:00 UTC) of the degenerate scenario between the earliest work start
#: (231 h = 10 Jan 15:00) and OLD's undock (338 h = 15 Jan 02:00): 11, 12, 13, 14 Jan.
WINDOWS = [(246.0, 254.0), (270.0, 278.0), (294.0, 302.0), (318.0, 326.0)]


def overlap(spans: list[tuple[float, float]], windows: list[tuple[float, float]]) -> float:
    """Length of (union of spans) inside the windows, in hours."""
    merged: list[list[float]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return sum(max(0.0, min(b, wb) - max(a, wa)) for a, b in merged for wa, wb in windows)


def test_fixed_policy_more_work_than_hours_does_exactly_the_window_hours():
    # 100 h planned, 4 windows of 8 h before the fixed undock: 32 h done, no contingencies.
    compiled = compile_scenario(load_scenario(DEGENERATE, ["work.tasks.0.hours=100 h"]))
    row, _ = simulate_replication(compiled, 0, 1)
    assert row["work_done_h"] == pytest.approx(32.0, abs=1e-9)
    assert row["work_done_frac"] == pytest.approx(0.32) and not row["work_complete"]
    assert row["OLD.undock_actual_utc"] == 338.0


def test_epoch_not_at_midnight_keeps_the_utc_work_day():
    # The same plan with the epoch at 2030-01-01 05:30 UTC: work still runs 06:00-14:00 UTC.
    compiled = compile_scenario(
        load_scenario(DEGENERATE, ["work.tasks.0.hours=100 h", "epoch=2030-01-01T05:30:00Z"])
    )
    row, events = simulate_replication(compiled, 0, 1, trace=True)
    assert row["work_done_h"] == pytest.approx(32.0, abs=1e-9)
    first = next(e[1] for e in events if e[3] == "work" and e[4] == "start")
    assert first == pytest.approx(246.0 - 5.5)


def test_fixed_policy_work_is_window_hours_minus_contingency_overlap():
    # Contingencies (all crew, priority 1) preempt the work; the work done is the window hours
    # minus the time the visitors were taken by contingencies (or liner swaps) inside the windows.
    overrides = [
        "work.tasks.0.hours=100 h",
        "contingencies=[{name: drill, rate: {rate: 1.5, per: d}, "
        "impact: {dist: uniform, low: 0.5, high: 4, unit: h}, crew: all, priority: 1}]",
    ]
    compiled = compile_scenario(load_scenario(DEGENERATE, overrides))
    interrupted = 0
    for i in range(150):
        row, events = simulate_replication(compiled, i, 2, trace=True)
        busy = []
        opened: dict[str, float] = {}
        for _, t, _, process, event, detail in events:
            if process == "contingency" and event in ("hold", "release"):
                people = detail.split("people=", 1)[1].split(";")
                if "Vis1" in people or "Vis2" in people:
                    if event == "hold":
                        opened[detail] = t
                    else:
                        busy.append((opened.pop(detail), t))
            elif process == "seats" and detail in ("Vis1", "Vis2"):
                if event == "swap":
                    opened[detail] = t
                else:
                    busy.append((opened.pop(detail), t))
        interrupted += sum(1 for e in events if e[3] == "work" and e[4] == "interrupt")
        expected = 32.0 - overlap(busy, WINDOWS)
        assert row["work_done_h"] == pytest.approx(expected, abs=1e-6), i
    assert interrupted > 50  # the contingencies did cut into the work


def test_until_done_stays_within_extension_life_and_latest_undock():
    # Much more filming than the visit allows: MS-18 stays as long as it may. On-time launches and
    # no weather, so that the policy decides the undock. Each case makes another bound bind: the
    # 5-d extension, latest_undock (20 Oct), the design life (193 d from 9 Apr 11:05 = 19 Oct).
    base = [
        "work.tasks.0.hours=200 h",
        "vehicles.MS-19.launch.slip=0 d",
        "vehicles.MS-19.launch.scrub_p=0",
        "vehicles.MS-19.launch.failure_p=0",
        "returns.MS-18.weather_p=0",
    ]
    cases = {
        "extension": [],
        "latest": ["returns.MS-18.latest_undock=2021-10-20T00:00:00Z"],
        "life": ["vehicles.MS-18.design_life=193 d"],
    }
    for name, extra in cases.items():
        s = load_scenario(UNTIL_DONE, base + extra)
        compiled = compile_scenario(s)
        plan = compiled.returns["MS-18"]
        life_end = compiled.docked_since_h["MS-18"] + plan.design_life_h
        limit = min(plan.planned_undock_h + plan.max_extension_h, plan.latest_undock_h, life_end)
        undocks = []
        for i in range(150):
            row, _ = simulate_replication(compiled, i, 4)
            undock = row["MS-18.undock_actual_utc"]
            assert undock <= limit + 1e-9, (name, i)
            assert row["MS-18.extension_d"] <= 5 + 1e-9
            assert row["MS-18.life_margin_d"] >= -1e-9
            assert row["violations"] == 0
            assert row["delay.work_extension_h"] >= 0
            undocks.append(undock)
        # The bound binds: the crew stays to the last usable landing opportunity inside it (the
        # daylight rule, checked over the range of descents, decides which opportunities exist).
        last_usable = max(u for u in plan.usable_h if u <= limit + 1e-9)
        assert np.max(undocks) == pytest.approx(last_usable), name


def test_until_done_leaves_when_the_work_is_done():
    # Little work: the return leaves on its planned day (the work was done long before).
    s = load_scenario(UNTIL_DONE, ["work.tasks.0.hours=10 h", "returns.MS-18.weather_p=0"])
    compiled = compile_scenario(s)
    for i in range(20):
        row, _ = simulate_replication(compiled, i, 4)
        if row["MS-19.launch_slip_d"] == 0:
            assert row["work_complete"] and row["delay.work_extension_h"] == 0.0
