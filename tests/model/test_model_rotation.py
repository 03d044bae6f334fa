"""The whole rotation: a degenerate scenario's hand-computed timeline, the 2021 replay, and the
``crewsim trace`` command."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DEGENERATE = ROOT / "tests" / "scenarios" / "degenerate.yaml"
REPLAY = ROOT / "scenarios" / "vyzov_2021_replay.yaml"


def simulate(path: Path, overrides: list[str] = (), replication: int = 0, seed: int = 1):
    scenario = load_scenario(path, list(overrides))
    compiled = compile_scenario(scenario)
    row, events = simulate_replication(compiled, replication, seed, trace=True)
    return scenario, row, events


def hours(scenario, when: str) -> float:
    """Hours since the scenario's epoch of an ISO instant (UTC)."""
    t = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return (t - scenario.epoch).total_seconds() / 3600.0


def test_degenerate_timeline_by_hand():
    # Epoch 2030-01-01 00:00 UTC. NEW launches 2030-01-10 10:00 -> h = 9 * 24 + 10 = 226;
    # fast scheme 3 h -> docks at 229 (its planned docking: launch + median = 229).
    # Aboard: Cmdr, Eng (2) + Pilot, Vis1, Vis2 (3) = 5; seats OLD 3 + NEW 3 = 6.
    # Liner swaps (Eng -> NEW, Vis1/Vis2 -> OLD) start after hatch opening, 229 + 2 = 231, 1 h each.
    # Work (Vis1+Vis2, 20 h) could start at 231 = 15:00, after the 06:00-14:00 window: next windows
    # 11 Jan 06-14 (246-254, 8 h), 12 Jan (270-278, 8 h), 13 Jan 06:00 + 4 h -> complete at 298.
    # OLD undocks as planned 2030-01-15 02:00 = 14 * 24 + 2 = 338 with Cmdr, Vis1, Vis2 (3 seats),
    # lands 3 h later at 341; NEW undocks 2030-03-01 00:00 = 59 * 24 = 1416, lands 1419 with 2.
    s, row, events = simulate(DEGENERATE)
    assert row["NEW.launch_actual_utc"] == 226.0
    assert row["NEW.dock_actual_utc"] == 229.0
    assert row["NEW.dock_delay_h"] == 0.0
    assert row["NEW.scheme_flown"] == "fast" and not row["NEW.fallback"]
    assert row["peak_crew"] == 5
    swaps = [(e[1], e[5]) for e in events if e[4] == "liner installed"]
    assert sorted(swaps) == [(232.0, "Eng"), (232.0, "Vis1"), (232.0, "Vis2")]
    work = [(e[1], e[4]) for e in events if e[3] == "work"]
    assert work == [
        (246.0, "start"),
        (254.0, "stop"),
        (270.0, "resume"),
        (278.0, "stop"),
        (294.0, "resume"),
        (298.0, "end"),
    ]
    assert row["work_done_h"] == pytest.approx(20.0, abs=1e-9) and row["work_complete"]
    assert row["OLD.undock_actual_utc"] == 338.0 and row["OLD.landing_actual_utc"] == 341.0
    assert row["landing_actual_utc"] == 341.0 and row["landing_delay_h"] == 0.0
    assert row["OLD.crew_returned"] == 3 and row["NEW.crew_returned"] == 2
    assert row["NEW.undock_actual_utc"] == 1416.0 and row["NEW.landing_actual_utc"] == 1419.0
    assert row["visit_days"] == pytest.approx((338 - 229) / 24)
    assert row["outcome"] == "as-planned" and row["violations"] == 0
    # Design life of OLD: docked 2029-12-01 (h -744) + 210 d, margin at undock.
    assert row["OLD.life_margin_d"] == pytest.approx((-744 + 210 * 24 - 338) / 24)


def test_replay_reproduces_2021():
    s, row, events = simulate(REPLAY, seed=load_scenario(REPLAY).monte_carlo.seed)
    assert s.monte_carlo.replications == 1
    minute = 1 / 60
    # DATA: launch 2021-10-05 08:55:02 (exact), docking 12:22:31 (+-3 min), manual.
    assert row["MS-19.launch_actual_utc"] == pytest.approx(
        hours(s, "2021-10-05T08:55:02"), abs=1e-6
    )
    assert row["MS-19.dock_actual_utc"] == pytest.approx(
        hours(s, "2021-10-05T12:22:31"), abs=3 * minute
    )
    assert row["MS-19.manual_docking"] and row["MS-19.scheme_flown"] == "2-orbit"
    # DATA: relocation 12:21 -> 13:04.
    reloc = {e[4]: e[1] for e in events if e[3] == "relocation"}
    assert reloc["undock"] == pytest.approx(hours(s, "2021-09-28T12:21:00"), abs=1e-6)
    assert reloc["docked"] == pytest.approx(hours(s, "2021-09-28T13:04:00"), abs=1e-6)
    # DATA: MS-18 undock 2021-10-17 01:14, landing 04:35 (+-10 min).
    assert row["MS-18.undock_actual_utc"] == pytest.approx(
        hours(s, "2021-10-17T01:14:00"), abs=10 * minute
    )
    assert row["MS-18.landing_actual_utc"] == pytest.approx(
        hours(s, "2021-10-17T04:35:00"), abs=10 * minute
    )
    assert row["MS-19.landing_actual_utc"] == pytest.approx(
        hours(s, "2022-03-30T11:28:04"), abs=10 * minute
    )
    assert row["peak_crew"] == 10
    assert row["MS-18.crew_returned"] == 3 and row["MS-19.crew_returned"] == 3
    assert row["Crew-2.crew_returned"] == 4
    assert row["violations"] == 0 and row["outcome"] == "as-planned"
    assert row["landing_delay_h"] == pytest.approx(0.0, abs=1e-9)
    assert row["work_complete"]


def test_trace_command_writes_table_png_and_csv(tmp_path, capsys):
    out = tmp_path / "replay"
    status = main(["trace", str(REPLAY), "--replication", "0", "--out", str(out)])
    assert status == 0
    printed = capsys.readouterr().out
    assert "2021-10-05 12:22:31  MS-19" in printed
    assert "2021-10-17 04:35:00  MS-18" in printed
    assert "outcome: as-planned" in printed
    assert (out / "trace.png").stat().st_size > 10_000
    table = pd.read_csv(out / "events.csv")
    assert list(table.columns) == [
        "replication",
        "time_utc",
        "flight",
        "process",
        "event",
        "detail",
    ]
    assert (table["process"] == "work").sum() > 0


def test_trace_command_default_folder_and_set(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["trace", str(DEGENERATE), "-r", "2", "--seed", "5"]
    status = main([*argv, "--set", "vehicles.NEW.launch.slip=2 d"])
    assert status == 0
    assert (tmp_path / "results" / "degenerate" / "trace-2-seed5" / "trace.png").exists()
    assert "day +2" in capsys.readouterr().out
    assert main(argv) == 0  # run again: a new folder, nothing overwritten
    assert (tmp_path / "results" / "degenerate" / "trace-2-seed5-2" / "events.csv").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["trace", "missing.yaml", "-r", "0"],
        ["trace", str(DEGENERATE), "-r", "-1"],
        ["trace", str(DEGENERATE), "-r", "0", "--set", "station.max_crew=zero"],
        ["trace", str(DEGENERATE), "-r", "0", "--out", "a-file.txt"],
        ["trace", str(DEGENERATE), "-r", "0", "--out", "full"],
    ],
)
def test_trace_command_bad_input_exits_2(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a-file.txt").write_text("x", encoding="utf-8")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "kept.txt").write_text("x", encoding="utf-8")
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err
    assert (tmp_path / "a-file.txt").read_text(encoding="utf-8") == "x"
    assert sorted(p.name for p in (tmp_path / "full").iterdir()) == ["kept.txt"]
    assert not (tmp_path / "results").exists()


def test_replay_landing_is_finite():
    _, row, _ = simulate(REPLAY)
    assert math.isfinite(row["landing_actual_utc"])


def test_each_weather_postponement_is_traced_on_the_day_it_concerns():
    """A return weathered out on two landing days shows two postponements, each at the landing
    opportunity it lost (a day apart), before the undock: not both at the instant of deciding."""
    compiled = compile_scenario(load_scenario(ROOT / "scenarios" / "vyzov_2021.yaml"))
    row, events = simulate_replication(compiled, 47, 1000, trace=True)
    weather = [e[1] for e in events if e[2] == "MS-19" and e[4] == "weather"]
    undock = next(e[1] for e in events if e[2] == "MS-19" and e[4] == "undock")
    assert row["MS-19.weather_days"] == len(weather) == 2
    assert 20.0 < weather[1] - weather[0] < 28.0  # the next day's opportunity
    assert weather[1] < undock
