"""Every plot function renders a Figure from a small synthetic run and saves a non-empty PNG."""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
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
    assert "station limit (11)" in labels and "return seats docked" in labels
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
    _check(fig, tmp_path / "e.png", "B = late vs A = baseline")
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


# --------------------------------------------------------------------------------------------
# Title, axis labels and the data drawn, read back from the Figure's artists.
# --------------------------------------------------------------------------------------------


def test_landing_risk_draws_the_daily_shares_and_the_percentile_table(df: pd.DataFrame) -> None:
    fig = plots.landing_risk(df, flight="MS-18", scenario=SCENARIO)
    hist, cum = fig.axes[0], fig.axes[1]
    assert "When does MS-18 land?" in hist.get_title() and SCENARIO in hist.get_title()
    assert hist.get_xlabel().startswith("Landing date (UTC)")
    assert "landing that day" in hist.get_ylabel() and "Cumulative" in cum.get_ylabel()
    # The bars are the share of replications landing on each UTC day: they add up to 100 %.
    heights = [p.get_height() for p in hist.patches]
    assert sum(heights) == pytest.approx(100.0)
    day = df["landing_actual_utc"].dt.normalize()
    assert max(heights) == pytest.approx(100 * day.value_counts().max() / len(df))
    # The S-curve ends at the share of replications that landed.
    step = cum.get_lines()[0]
    assert step.get_ydata()[-1] == pytest.approx(100.0)
    # The table holds P10/P50/P80/P90 with the dates of the order statistics.
    cells = {(r, c): t.get_text().get_text() for (r, c), t in hist.tables[0].get_celld().items()}
    assert [cells[(i, 0)] for i in range(1, 5)] == ["P10", "P50", "P80", "P90"]
    x = df["landing_actual_utc"].sort_values().reset_index(drop=True)
    p80 = x.iloc[int(np.ceil(0.8 * len(df))) - 1]
    assert cells[(3, 1)] == p80.strftime("%d %b %H:%M")


def test_risk_gantt_bars_span_p10_to_p90(df: pd.DataFrame) -> None:
    table = analysis.milestones(df)
    fig = plots.risk_gantt(table, scenario=SCENARIO, n=len(df))
    ax = fig.axes[0]
    assert "Milestones" in ax.get_title() and ax.get_xlabel() == "Date (UTC) 2021"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == list(table["milestone"].iloc[::-1])
    launch = table.set_index("milestone").loc["MS-19 launch"]
    bar = ax.patches[labels.index("MS-19 launch")]
    start = mdates.num2date(bar.get_x()).replace(tzinfo=None)
    assert pd.Timestamp(start) == pd.Timestamp(launch["p10"]).tz_localize(None).round("us")
    plan = ax.get_lines()[-1]
    assert len(plan.get_xdata()) == len(table)


def test_tornado_by_impact_in_days(df: pd.DataFrame) -> None:
    impact = analysis.impact(df)
    fig = plots.tornado(analysis.tornado(df), impact=impact, scenario=SCENARIO, n=len(df))
    left, right = fig.axes[0], fig.axes[1]
    assert "drives" in fig.get_suptitle() and SCENARIO in fig.get_suptitle()
    assert left.get_xlabel() == "P80 of the landing delay (days)"
    assert right.get_xlabel().startswith("Spearman rank correlation")
    labels = [t.get_text() for t in left.get_yticklabels()]
    assert labels[-1] == "MS-19 slip d"  # the largest swing on top
    high_bars = left.patches[len(impact) : 2 * len(impact)]
    top = impact.iloc[0]
    assert high_bars[-1].get_width() == pytest.approx((top.out_high - top.base) / 24)


def test_attribution_labels_clear_the_marks(df: pd.DataFrame) -> None:
    table = analysis.attribution(df)
    fig = plots.attribution_bar(table, scenario=SCENARIO)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("Hours added") and "landing delay" in ax.get_title()
    assert ax.get_xlim()[1] > table["p90_h"].max()  # no mark clipped
    for text in ax.texts:
        assert text.get_position()[0] >= 0
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == pytest.approx(sorted(table["mean_h"]))


def test_convergence_band_is_not_clipped(df: pd.DataFrame) -> None:
    conv = analysis.convergence(df, "landing_delay_h")
    fig = plots.convergence_plot(conv, scenario=SCENARIO)
    ax = fig.axes[0]
    assert "enough replications" in ax.get_title() and fig.axes[-1].get_xlabel() == (
        "Replications used"
    )
    low, high = ax.get_ylim()
    assert low <= conv[["P50_low", "P80_low"]].min().min()
    assert high >= conv[["P50_high", "P80_high"]].max().max()
    assert list(ax.get_lines()[1].get_ydata()) == pytest.approx(list(conv["P80"]))


def test_crew_aboard_draws_seats_over_people(events: pd.DataFrame) -> None:
    fig = plots.crew_aboard(events, replication=2)
    ax = fig.axes[0]
    people, seats = ax.get_lines()[0], ax.get_lines()[1]
    assert people.get_label() == "people aboard" and seats.get_label() == "return seats docked"
    assert seats.get_linestyle() != "-" and seats.get_zorder() >= people.get_zorder()
    assert list(people.get_ydata())[:3] == [7, 10, 7]
    assert any("seats = people" in t.get_text() for t in ax.texts)
    assert ax.get_ylabel() == "People" and ax.get_xlabel().startswith("Time (UTC)")


def test_sweep_tradeoff_has_one_axis_per_quantity() -> None:
    runs = {h: make_outcomes(200, 5, shift_h=h) for h in (0, 6, 12)}
    table = analysis.sweep_summary(runs)
    fig = plots.sweep_tradeoff(table, xlabel="extra hours", scenario=SCENARIO)
    top, bottom = fig.axes
    assert top.get_ylabel() == "P(on planned day) (%)"
    assert bottom.get_ylabel() == "Work done (% of plan)" and bottom.get_xlabel() == "extra hours"
    assert list(top.get_lines()[0].get_ydata()) == pytest.approx(list(100 * table["p_on_time"]))
    assert list(bottom.get_lines()[1].get_ydata()) == pytest.approx(list(100 * table["work_p10"]))
    assert top.get_position().y0 > bottom.get_position().y0  # stacked, not twinned


def test_ecdf_legend_names_a_and_b(df: pd.DataFrame) -> None:
    b = make_outcomes(400, seed=4, shift_h=6)
    fig = plots.ecdf_overlay(df, b, labels=("fixed", "until-done"))
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["A: fixed (n=400)", "B: until-done (n=400)"]
    assert ax.get_title() == "Landing delay (h): B = until-done vs A = fixed"


def test_windows_plot_draws_launch_windows_and_opportunities() -> None:
    day = 86400.0
    start = pd.Timestamp("2021-10-05", tz="UTC").timestamp()
    opps = np.zeros(3, dtype=[("touchdown_unix", float), ("daylight", bool)])
    opps["touchdown_unix"] = start + np.array([0.3, 1.3, 2.9]) * day
    opps["daylight"] = [True, True, False]
    windows = start + np.array([0.37, 1.35]) * day
    fig = plots.plot_landing_opportunities(
        opps, start, start + 3 * day, zone_name="zone", launch_windows=windows
    )
    ax = fig.axes[0]
    assert "Launch windows and landing opportunities" in ax.get_title()
    assert "2 of 3" in ax.get_title()
    assert ax.get_ylabel() == "Time of day (UTC, h)" and ax.get_xlabel() == "Date (UTC)"
    launch = next(c for c in ax.collections if c.get_label() == "launch window")
    assert list(launch.get_offsets()[:, 1]) == pytest.approx([0.37 * 24, 0.35 * 24])


def test_gantt_has_no_empty_lanes(df: pd.DataFrame, events: pd.DataFrame, on_time: int) -> None:
    row = df.iloc[on_time]
    window = (LAUNCH_PLANNED - pd.Timedelta(days=1), LAUNCH_PLANNED + pd.Timedelta(days=3))
    fig = plots.gantt(events, row, window=window)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "MS-18  undock → landing" not in labels  # wholly after the window
    assert "MS-19  launch → dock" in labels
    lanes_with_bars = {round(b.get_paths()[0].vertices[:, 1].mean()) for b in ax.collections}
    assert lanes_with_bars == set(range(len(labels)))
    assert ax.get_xlabel().startswith("Time (UTC)")


def test_s_curve_steps_through_every_landing(df: pd.DataFrame) -> None:
    fig = plots.s_curve(df, scenario=SCENARIO)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Cumulative probability"
    assert ax.get_xlabel().startswith("Landing time (UTC)")
    step = ax.get_lines()[0]
    assert list(step.get_ydata()) == pytest.approx(list(np.arange(1, len(df) + 1) / len(df)))


def test_delay_histogram_shares_add_up(df: pd.DataFrame) -> None:
    fig = plots.delay_histogram(df, scenario=SCENARIO)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Share of replications (%)"
    assert ax.get_xlabel() in ("Landing delay (hours)", "Landing delay (days)")
    assert sum(p.get_height() for p in ax.patches) == pytest.approx(100.0)
    zero = 100 * float((df["landing_delay_h"].abs() < 1e-9).mean())
    assert any(
        label == f"no delay: {zero / 100:.0%}" for label in ax.get_legend_handles_labels()[1]
    )


def test_launch_probability_draws_the_curve(df: pd.DataFrame) -> None:
    curve = analysis.launch_probability_curve(df, "MS-19")
    fig = plots.launch_probability(curve, "MS-19", planned=LAUNCH_PLANNED)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Days after the planned launch date"
    assert ax.get_ylabel() == "Probability launched" and "MS-19" in ax.get_title()
    assert list(ax.get_lines()[0].get_ydata()) == pytest.approx(list(curve["p"]))
