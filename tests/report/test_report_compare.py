"""``sim.report.summary.write_report`` and the ``crewsim report`` / ``crewsim compare`` commands on
synthetic run folders."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from factories import make_run_dir

from sim.cli import main
from sim.errors import CrewsimError
from sim.report import write_report


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("results")
    return make_run_dir(root, "run-a", n=600), make_run_dir(root, "run-b", n=600, shift_h=5)


def test_write_report(runs: tuple[Path, Path]) -> None:
    path = write_report(runs[0])
    text = path.read_text()
    assert text.startswith("# vyzov-2021: will the rotation go as planned?\n\n- ")
    assert "chance (95 % CI" in text.split("\n\n")[1]  # the verdict comes first
    for heading in (
        "When the crew of MS-18 land",
        "What the delays cost the visit",
        "How the replications end",
        "What drives the delay",
        "Assumptions",
        "Every returning flight",
        "Percentiles",
        "Precision",
    ):
        assert f"## {heading}" in text
    assert "P(landing on planned day)" in text and "`in.MS-19.slip_d`" in text
    for name in (
        "landing",
        "risk_gantt",
        "tornado",
        "attribution",
        "convergence",
        "launch_MS-19",
        "gantt",
        "crew_aboard",
    ):
        png = runs[0] / "plots" / f"{name}.png"
        assert png.stat().st_size > 2000
        assert f"](plots/{name}.png)" in text and "![" in text  # inline, not a link


def test_report_statistics_are_fast(tmp_path: Path) -> None:
    run = make_run_dir(tmp_path, "big", n=10_000)
    start = time.perf_counter()
    write_report(run, draw=False)
    assert time.perf_counter() - start < 3.0


def test_report_command(runs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(runs[1]), "--no-plots"]) == 0
    out = capsys.readouterr().out
    assert "chance (95 % CI" in out and "summary.md" in out


def test_report_of_a_folder_that_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(CrewsimError):
        write_report(tmp_path)
    assert main(["report", str(tmp_path)]) == 2


def test_compare_command(runs: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    out_dir = tmp_path / "cmp"
    assert main(["compare", str(runs[0]), str(runs[1]), "--out", str(out_dir)]) == 0
    out = capsys.readouterr().out
    assert "paired by replication" in out and "KS statistic" in out
    assert "P50" in out and "5" in out
    assert (out_dir / "ecdf.png").stat().st_size > 2000
    assert (out_dir / "compare.csv").exists()


def test_compare_time_metric_unpaired(runs: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    args = [
        "compare",
        str(runs[0]),
        str(runs[1]),
        "--metric",
        "landing_actual_utc",
        "--unpaired",
        "--out",
        str(tmp_path / "cmp"),
    ]
    assert main(args) == 0
    assert "unpaired" in capsys.readouterr().out
    assert (tmp_path / "cmp" / "ecdf.png").exists()


def test_compare_bad_input(runs: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    a, b = (str(r) for r in runs)
    assert (
        main(["compare", a, b, "--metric", "no_such_column", "--out", str(tmp_path / "cmp")]) == 2
    )
    assert "no_such_column" in capsys.readouterr().err
    assert main(["compare", a, str(tmp_path), "--out", str(tmp_path / "cmp")]) == 2
    other = make_run_dir(tmp_path, "run-c", n=300)
    assert main(["compare", a, str(other), "--paired", "--out", str(tmp_path / "cmp")]) == 2
    assert "same seed and replication numbers" in capsys.readouterr().err


def test_compare_prints_headlines_side_by_side_with_paired_intervals(
    runs: tuple[Path, Path], tmp_path: Path, capsys
) -> None:
    assert main(["compare", str(runs[0]), str(runs[1]), "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert "paired: both runs use seed 1" in out
    for metric in ("P(landing on planned day)", "landing P50", "landing P90", "work done, mean"):
        assert metric in out
    table = pd.read_csv(tmp_path / "cmp" / "headline.csv")
    # Run B is run A with every landing 5 h later (same draws): the P90 landing moves by 5 h.
    p90 = table.set_index("metric").loc["landing P90"]
    assert p90["diff"] == pytest.approx(5 / 24, abs=1e-6)
    assert p90["diff_low"] <= p90["diff"] <= p90["diff_high"]


def test_compare_runs_with_other_seeds_are_not_paired(tmp_path: Path, capsys) -> None:
    a = make_run_dir(tmp_path, "a", n=300, seed=1)
    b = make_run_dir(tmp_path, "b", n=300, seed=2)
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "not paired: the seeds differ (A: 1, B: 2)" in out
    table = pd.read_csv(tmp_path / "o" / "headline.csv")
    assert table["diff_low"].isna().all() and table["diff"].notna().all()
    assert main(["compare", str(a), str(b), "--paired", "--out", str(tmp_path / "o2")]) == 2
    assert "seeds differ" in capsys.readouterr().err


def test_compare_warns_about_fields_not_meant(tmp_path: Path, capsys) -> None:
    a = make_run_dir(tmp_path, "a", n=200)
    b = make_run_dir(tmp_path, "b", n=200)
    base = {
        "name": "x",
        "returns": {"Old": {"policy": "fixed", "max_extension": "0 h"}},
        "station": {"ports": ["P1", "P2"]},
    }
    other = {
        "name": "y",
        "returns": {"Old": {"policy": "until-done", "max_extension": "5 d"}},
        "station": {"ports": ["P1", "P3"]},
    }
    (a / "scenario.yaml").write_text(yaml.safe_dump(base))
    (b / "scenario.yaml").write_text(yaml.safe_dump(other))
    assert (
        main(["compare", str(a), str(b), "--meant", "returns.Old", "--out", str(tmp_path / "cmp")])
        == 0
    )
    err = capsys.readouterr().err
    assert "differ in 1 field(s) besides returns.Old" in err
    assert "station.ports.1: A 'P2', B 'P3'" in err and "policy" not in err
    args = ["compare", str(a), str(b), "--meant", "returns.Old", "--meant", "station.ports"]
    assert main([*args, "--out", str(tmp_path / "cmp2")]) == 0
    assert "differ" not in capsys.readouterr().err


def test_scenario_differences_flatten_lists_and_skip_run_fields() -> None:
    from sim.analysis import scenario_differences

    a = {"name": "a", "monte_carlo": {"seed": 1}, "work": {"tasks": [{"hours": "60 h"}]}}
    b = {"name": "b", "monte_carlo": {"seed": 2}, "work": {"tasks": [{"hours": "80 h"}]}}
    assert scenario_differences(a, b) == [("work.tasks.0.hours", "60 h", "80 h")]


def test_figures_drawn_beforehand_are_the_reports(tmp_path: Path, monkeypatch) -> None:
    """``crewsim run`` draws the figures while the prior-sensitivity reruns go on, then writes the
    report around them: the report links the same files and draws nothing again."""
    from sim.report import summary

    run = make_run_dir(tmp_path, "run", n=300)
    figures = summary.draw_figures(run)
    assert figures and all((run / "plots" / name).is_file() for _, name in figures.values())

    def no_drawing(*_args, **_kwargs):
        raise AssertionError("the report drew its figures again")

    monkeypatch.setattr(summary, "_plots", no_drawing)
    text = write_report(run, figures=figures).read_text()
    for caption, name in figures.values():
        assert f"![{caption}](plots/{name})" in text


def test_run_draws_while_the_sensitivity_reruns_and_falls_back_if_drawing_fails(
    tmp_path: Path, monkeypatch
) -> None:
    """The figures drawn beside the reruns are returned; if drawing them fails, None (the report
    then draws them itself, and says why if it fails again), and the reruns still happen."""
    from sim.commands import run as run_command
    from sim.report import summary

    run = make_run_dir(tmp_path, "run", n=300)
    reruns = []
    monkeypatch.setattr(
        run_command, "write_sensitivity_or_warn", lambda d, quiet=False: reruns.append(d)
    )
    figures = run_command.sensitivity_while_drawing(run, quiet=True)
    assert figures == summary.draw_figures(run) and reruns == [run]

    def broken(_run_dir):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(summary, "draw_figures", broken)
    assert run_command.sensitivity_while_drawing(run, quiet=True) is None
    assert reruns == [run, run]
