"""``crewsim.sweep``: a tidy DataFrame (one row per point, the swept fields as columns), the same
statistics as ``crewsim sweep`` for the same settings, and its trade-off figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure

import crewsim
from sim.analysis.sweep import run_sweep

ROOT = Path(__file__).resolve().parents[2]
UNTIL_DONE = ROOT / "scenarios" / "vyzov_2021_until_done.yaml"
HOURS = "work.tasks.0.hours"


def test_sweep_table_is_tidy_and_matches_the_command(tmp_path):
    table = crewsim.sweep(UNTIL_DONE, {HOURS: ["60 h", "140 h"]}, n=150, seed=2, backend="serial")
    assert list(table[HOURS]) == ["60 h", "140 h"] and list(table["point"]) == [1, 2]
    assert list(table["value"]) == [60.0, 140.0]
    assert (table["n"] == 150).all()
    cli = run_sweep(
        UNTIL_DONE, [f"{HOURS}=60 h,140 h"], n=150, seed=2, out=tmp_path / "s", backend="serial"
    )
    pd.testing.assert_frame_equal(table, cli.table)
    assert table.attrs["answer"] == cli.answer
    assert table.attrs["fields"] == {HOURS: ["60 h", "140 h"]}
    assert isinstance(crewsim.plot_sweep(table), Figure)


def test_two_fields_and_python_values():
    table = crewsim.sweep(
        UNTIL_DONE,
        {HOURS: ["60 h", "100 h"], "returns.MS-18.max_extension": ["1 d", "5 d"]},
        n=60,
        seed=1,
        backend="serial",
    )
    assert len(table) == 4
    assert list(table["returns.MS-18.max_extension"]) == ["1 d", "5 d", "1 d", "5 d"]
    figures = crewsim.plot_sweep(table)
    assert isinstance(figures, list) and len(figures) == 2


def test_bad_points_are_refused_before_running():
    with pytest.raises(crewsim.CrewsimError, match=r"point 2 \(work.tasks.0.hours=80\)"):
        crewsim.sweep(UNTIL_DONE, {HOURS: ["60 h", 80]}, n=10)
    with pytest.raises(crewsim.CrewsimError, match="not a true/false outcome"):
        crewsim.sweep(UNTIL_DONE, {HOURS: ["60 h"]}, n=10, metric="landing_delay_h")
