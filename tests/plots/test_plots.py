"""Every plot function renders a Figure from a small synthetic run and saves a non-empty PNG."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from factories import LAUNCH_PLANNED, make_events, make_outcomes
from matplotlib.figure import Figure

from sim import analysis, plots

SCENARIO = "vyzov-2021"


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return make_outcomes(400, seed=4)


@pytest.fixture(scope="module")
def on_time(df: pd.DataFrame) -> int:
    """A replication launched on the planned day (so its trace has filming days)."""
    return int(df.loc[df["MS-19.launch_slip_d"] == 0, "replication"].iloc[0])


@pytest.fixture(scope="module")
def events(df: pd.DataFrame, on_time: int) -> pd.DataFrame:
    return make_events(df, (2, on_time))


def _check(fig: Figure, path: Path, *words: str) -> None:
    assert isinstance(fig, Figure)
    fig.savefig(path, dpi=60)
    assert path.stat().st_size > 2000
    text = " ".join(ax.get_title() for ax in fig.axes)
    for word in words:
        assert word in text


def test_s_curve(df: pd.DataFrame, tmp_path: Path) -> None:
    _check(plots.s_curve(df, scenario=SCENARIO, n=len(df)), tmp_path / "s.png", SCENARIO, "400")


def test_s_curve_with_missing_landings(df: pd.DataFrame, tmp_path: Path) -> None:
    d = df.copy()
    d.loc[:9, "landing_actual_utc"] = pd.NaT
    fig = plots.s_curve(d, scenario=SCENARIO)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert any("did not land" in label for label in labels)
    _check(fig, tmp_path / "s2.png")


def test_delay_histogram(df: pd.DataFrame, tmp_path: Path) -> None:
    _check(plots.delay_histogram(df, scenario=SCENARIO, n=len(df)), tmp_path / "h.png", SCENARIO)


def test_tornado(df: pd.DataFrame, tmp_path: Path) -> None:
    fig = plots.tornado(analysis.tornado(df), scenario=SCENARIO, n=len(df))
    _check(fig, tmp_path / "t.png", "drives")


def test_attribution_bar(df: pd.DataFrame, tmp_path: Path) -> None:
    fig = plots.attribution_bar(analysis.attribution(df), scenario=SCENARIO, n=len(df))
    _check(fig, tmp_path / "a.png", "landing delay")


def test_gantt_from_row_and_events(
    df: pd.DataFrame, events: pd.DataFrame, on_time: int, tmp_path: Path
) -> None:
    fig = plots.gantt(events, df.iloc[on_time], scenario=SCENARIO)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "MS-19  launch → dock" in labels and "filming (work)" in labels
    _check(fig, tmp_path / "g.png", f"replication {on_time}")
    _check(plots.gantt(events, replication=2), tmp_path / "g2.png", "replication 2")
    _check(plots.gantt(outcome_row=df.iloc[1]), tmp_path / "g1.png", "replication 1")


def test_crew_aboard(events: pd.DataFrame, tmp_path: Path) -> None:
    fig = plots.crew_aboard(events, replication=2, scenario=SCENARIO)
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "station limit (11)" in labels and "return seats available" in labels
    _check(fig, tmp_path / "c.png", "replication 2")
    with pytest.raises(ValueError, match="aboard"):
        plots.crew_aboard(events[events["process"] != "crew"])


def test_convergence_plot(df: pd.DataFrame, tmp_path: Path) -> None:
    conv = analysis.convergence(df, "landing_delay_h")
    _check(plots.convergence_plot(conv, scenario=SCENARIO), tmp_path / "v.png", SCENARIO, "400")
    conv_t = analysis.convergence(df, "landing_actual_utc", event_column=None)
    _check(plots.convergence_plot(conv_t, column="landing_actual_utc"), tmp_path / "vt.png")


def test_ecdf_overlay(df: pd.DataFrame, tmp_path: Path) -> None:
    b = make_outcomes(400, seed=4, shift_h=6)
    cmp = analysis.compare(df, b)
    fig = plots.ecdf_overlay(df, b, labels=("baseline", "late"), comparison=cmp)
    _check(fig, tmp_path / "e.png", "late vs baseline")
    fig = plots.ecdf_overlay(df, b, column="landing_actual_utc")
    _check(fig, tmp_path / "et.png")


def test_sweep_tradeoff(tmp_path: Path) -> None:
    runs = {h: make_outcomes(200, 5, shift_h=h) for h in (0, 6, 12)}
    fig = plots.sweep_tradeoff(
        analysis.sweep_summary(runs), xlabel="extra hours", scenario=SCENARIO
    )
    _check(fig, tmp_path / "w.png", SCENARIO)


def test_launch_probability(df: pd.DataFrame, tmp_path: Path) -> None:
    curve = analysis.launch_probability_curve(df, "MS-19")
    fig = plots.launch_probability(curve, "MS-19", planned=LAUNCH_PLANNED, scenario=SCENARIO)
    _check(fig, tmp_path / "l.png", "MS-19", SCENARIO)


def test_explicit_title_wins(df: pd.DataFrame) -> None:
    fig = plots.delay_histogram(df, title="My title")
    assert fig.axes[0].get_title() == "My title"
