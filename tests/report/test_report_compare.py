"""``sim.report.summary.write_report`` and the ``crewsim report`` / ``crewsim compare`` commands on
synthetic run folders."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
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
    assert (out_dir / "ecdf_landing_delay_h.png").stat().st_size > 2000
    assert (out_dir / "compare_landing_delay_h.csv").exists()


def test_compare_time_metric_unpaired(runs: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    args = [
        "compare",
        str(runs[0]),
        str(runs[1]),
        "--metric",
        "landing_actual_utc",
        "--unpaired",
        "--out",
        str(tmp_path),
    ]
    assert main(args) == 0
    assert "unpaired" in capsys.readouterr().out
    assert (tmp_path / "ecdf_landing_actual_utc.png").exists()


def test_compare_bad_input(runs: tuple[Path, Path], tmp_path: Path, capsys) -> None:
    a, b = (str(r) for r in runs)
    assert main(["compare", a, b, "--metric", "no_such_column", "--out", str(tmp_path)]) == 2
    assert "no_such_column" in capsys.readouterr().err
    assert main(["compare", a, str(tmp_path), "--out", str(tmp_path)]) == 2
    other = make_run_dir(tmp_path, "run-c", n=300)
    assert main(["compare", a, str(other), "--paired", "--out", str(tmp_path)]) == 2
    assert "same replication numbers" in capsys.readouterr().err
