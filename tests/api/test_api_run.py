"""``crewsim.simulate`` / ``Run``: the rows of ``crewsim run`` for the same scenario and seed, in
memory; ``save`` and ``crewsim.open`` give the same object back; statistics and figures of a run."""

from __future__ import annotations

import contextlib
import copy
import io

import pandas as pd
import pytest
from matplotlib.figure import Figure

import crewsim
from sim import analysis
from sim.cli import main
from sim.montecarlo import results

N, SEED = 240, 5  # as in the small_run fixture (conftest.py)


def test_in_memory_rows_are_the_rows_of_crewsim_run(small_run, baseline_path, tmp_path):
    out = tmp_path / "cli"
    args = ["run", str(baseline_path), "-n", str(N), "--seed", str(SEED), "--backend", "serial"]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*args, "--out", str(out), "--no-report", "--quiet"]) == 0
    pd.testing.assert_frame_equal(small_run.outcomes, results.load(out))
    pd.testing.assert_frame_equal(small_run.events, results.load_events(out))
    assert small_run.manifest["input_hash"] == results.load_manifest(out)["input_hash"]
    assert small_run.path is None and not list(tmp_path.glob("*.partial"))


def test_rows_do_not_depend_on_the_backend(small_run, baseline_path):
    other = crewsim.simulate(baseline_path, n=N, seed=SEED, backend="processes", workers=2)
    assert other.manifest["backend"] == "processes"
    pd.testing.assert_frame_equal(small_run.outcomes, other.outcomes)


def test_save_then_open_gives_the_same_run(small_run, tmp_path):
    kept = copy.copy(small_run)  # saving sets .path: keep the shared fixture in memory
    folder = kept.save(tmp_path / "kept")
    assert folder == tmp_path / "kept" and results.is_complete(folder)
    assert kept.path == folder and small_run.path is None
    assert kept.manifest["status"] == "complete" and not list(tmp_path.glob("*.partial"))
    opened = crewsim.open(folder)
    pd.testing.assert_frame_equal(opened.outcomes, small_run.outcomes)
    pd.testing.assert_frame_equal(opened.events, small_run.events)
    assert opened.scenario.model == small_run.scenario.model
    assert (opened.seed, opened.n, opened.name) == (SEED, N, "vyzov-2021")
    pd.testing.assert_frame_equal(opened.percentiles(), small_run.percentiles())
    with pytest.raises(crewsim.CrewsimError, match="already exists"):
        kept.save(folder)
    with pytest.raises(crewsim.CrewsimError, match="not a complete results folder"):
        crewsim.open(tmp_path)
    # the saved folder is an ordinary run folder: the report command reads it
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["report", str(folder)]) == 0
    assert (folder / "summary.md").is_file()


def test_statistics_are_those_of_sim_analysis(small_run):
    df = small_run.outcomes
    assert len(df) == N and df["replication"].tolist() == list(range(N))
    pd.testing.assert_frame_equal(
        small_run.percentiles("landing_delay_h"), analysis.percentiles(df, "landing_delay_h")
    )
    p = small_run.p_on_time()
    assert p.successes == int(df["landed_on_planned_day"].sum()) and p.n == N
    assert p.low <= p.p <= p.high
    summary = small_run.summary()
    assert list(summary.columns) == ["flight", "metric", "value", "ci_low", "ci_high", "unit"]
    on_day = summary[(summary["flight"] == "MS-18") & summary["metric"].str.startswith("P(landing")]
    assert on_day["value"].iloc[0] == pytest.approx(p.p)
    late = small_run.p_within("landing_delay_h", 24)
    assert late.p == pytest.approx((df["landing_delay_h"] <= 24 + 1e-9).mean())


def test_figures_are_drawn_from_the_run(small_run):
    for fig in (
        small_run.plot.s_curve(),
        small_run.plot.histogram(),
        small_run.plot.tornado(),
        small_run.plot.attribution(),
        small_run.plot.gantt(3),
        small_run.plot.crew_aboard(),
        small_run.plot.launch("MS-19"),
    ):
        assert isinstance(fig, Figure)
        assert "vyzov-2021" in fig.axes[0].get_title() or "vyzov-2021" in str(fig.texts)
    with pytest.raises(analysis.AnalysisInputError, match="no event trace"):
        small_run.plot.gantt(200)


def test_rich_display_of_run_proportion_and_comparison(small_run):
    html = small_run._repr_html_()
    p = small_run.p_on_time()
    assert f"{p.p:.1%}" in html and f"{N:,} replications" in html and "in memory" in html
    assert f"{p.p:.1%}" in p._repr_html_() and f"{p.successes:,} of {N:,}" in p._repr_html_()
    comparison = crewsim.compare(small_run, small_run)
    assert comparison.paired
    assert "B - A" in comparison._repr_html_() and "landing_delay_h" in comparison._repr_html_()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"n": 0}, "at least 1"),
        ({"seed": -1}, "0 or more"),
        ({"backend": "gpu"}, "unknown backend"),
    ],
)
def test_bad_settings_are_refused_before_running(baseline_path, kwargs, message):
    with pytest.raises(crewsim.CrewsimError, match=message):
        crewsim.simulate(baseline_path, **{"n": 10, **kwargs})
