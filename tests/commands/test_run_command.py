"""``crewsim run`` end to end on the real baseline scenario (small n, small chunks)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from sim.montecarlo import results, runner

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"
FAST = ["--quiet", "--no-report", "--chunk-size", "50"]


def crewsim(*args: str) -> int:
    return main(["run", *map(str, args)])


def _same(a: Path, b: Path) -> None:
    pd.testing.assert_frame_equal(results.load(a), results.load(b))
    pd.testing.assert_frame_equal(results.load_events(a), results.load_events(b))


def test_baseline_is_identical_on_every_backend(tmp_path, dask_scheduler):
    n = ["-n", "200", *FAST]
    assert crewsim(BASELINE, *n, "--backend", "serial", "--out", tmp_path / "s") == 0
    assert crewsim(BASELINE, *n, "--workers", "2", "--out", tmp_path / "p") == 0
    assert crewsim(BASELINE, *n, "--scheduler", dask_scheduler, "--out", tmp_path / "d") == 0
    _same(tmp_path / "s", tmp_path / "p")
    _same(tmp_path / "s", tmp_path / "d")
    df = results.load(tmp_path / "s")
    assert df["replication"].tolist() == list(range(200))
    utc = [c for c in df.columns if c.endswith("_utc")]
    assert utc and all(str(df[c].dtype) == "datetime64[ns, UTC]" for c in utc)
    assert not results.load_events(tmp_path / "s").empty
    m = results.load_manifest(tmp_path / "d")
    assert (m["backend"], m["workers"], m["scheduler"]) == ("dask", 2, dask_scheduler)


def test_replication_alone_equals_its_row(tmp_path):
    from sim.model import compile_scenario
    from sim.scenario import load_scenario

    assert crewsim(BASELINE, "-n", "120", "--seed", "5", "--backend", "serial", *FAST,
                   "--out", tmp_path / "r") == 0  # fmt: skip
    full = results.load(tmp_path / "r")
    compiled = compile_scenario(load_scenario(BASELINE))
    for i in (0, 77, 119):
        rows, _ = runner.run_replications(compiled, range(i, i + 1), seed=5)
        alone = results.rows_to_table(rows, compiled.epoch).to_pandas()
        pd.testing.assert_frame_equal(alone, full.iloc[[i]].reset_index(drop=True))


def test_prints_the_folder_and_the_headline(tmp_path, capsys):
    out = tmp_path / "r"
    assert crewsim(BASELINE, "-n", "100", "--backend", "serial", "--no-report", "--out", out) == 0
    text = capsys.readouterr().out
    assert f"results: {out}" in text
    assert "chance (95 % CI" in text and "on the planned day, Sun 17 Oct 2021" in text
    assert "The work plan is completed in" in text and "P90 " in text
    m = results.load_manifest(out)
    assert m["command"] == f"crewsim run {BASELINE} -n 100 --backend serial --out {out} --no-report"
    assert (m["replications"], m["seed"], m["status"]) == (100, 20211005, "complete")
    assert m["scenario"] == "vyzov-2021" and m["primary_return"] == "MS-18"


def test_killed_run_resumes_to_the_same_rows(tmp_path):
    out = tmp_path / "killed"
    partial = results.partial_path(out)
    cmd = [sys.executable, "-m", "sim", "run", str(BASELINE), "-n", "1200", "--workers", "2",
           "--out", str(out), *FAST]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(results.finished_chunks(partial)) < 4 and proc.poll() is None:
        assert time.monotonic() < deadline, "the run wrote no chunks"
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode() if proc.stderr else ""
    assert 4 <= len(results.finished_chunks(partial)) < 24 and not results.is_complete(partial)
    assert crewsim("--resume", partial, "--quiet", "--no-report") == 0
    assert results.is_complete(out) and not partial.exists()
    ref = tmp_path / "ref"
    assert crewsim(BASELINE, "-n", "1200", "--backend", "serial", *FAST, "--out", ref) == 0
    assert results.load(out)["replication"].tolist() == list(range(1200))
    _same(out, ref)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], "--workers must be at least 1"),
        (["-n", "-5"], "at least 1"),
        (["--trace-sample", "-1"], "--trace-sample"),
        (["--backend", "serial", "--scheduler", "tcp://127.0.0.1:9"], "needs --backend dask"),
    ],
)
def test_bad_input_exits_2(tmp_path, capsys, args, message):
    assert crewsim(BASELINE, *args, "--out", tmp_path / "r") == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_existing_folder_missing_scenario_and_bad_resume_exit_2(tmp_path, capsys):
    (tmp_path / "r").mkdir()
    assert crewsim(BASELINE, "--out", tmp_path / "r") == 2
    assert "already exists" in capsys.readouterr().err
    assert crewsim(tmp_path / "nope.yaml") == 2
    assert "no scenario file" in capsys.readouterr().err
    assert crewsim() == 2
    assert crewsim("--resume", tmp_path / "r", "-n", "5") == 2
    assert "drop -n" in capsys.readouterr().err
    assert crewsim("--resume", tmp_path / "x") == 2
    assert "no unfinished run" in capsys.readouterr().err


def test_run_module_imports_nothing_heavy():
    code = (
        "import sys, sim.commands.run; "
        "print(sorted(m for m in ('pandas', 'pyarrow', 'numpy', 'dask', 'tqdm') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_report_is_written_unless_no_report(tmp_path, monkeypatch):
    report = pytest.importorskip("sim.report")
    calls = []
    monkeypatch.setattr(report, "write_report", lambda run_dir, **kw: calls.append(Path(run_dir)))
    out = tmp_path / "r"
    assert crewsim(BASELINE, "-n", "20", "--backend", "serial", "--quiet", "--out", out) == 0
    assert calls == [out]  # called on the complete folder
    assert crewsim(BASELINE, "-n", "20", "--backend", "serial", *FAST, "--out", tmp_path / "s") == 0
    assert calls == [out]


def test_ctrl_c_stops_cleanly_and_prints_the_resume_command(tmp_path):
    out = tmp_path / "int"
    partial = results.partial_path(out)
    cmd = [sys.executable, "-m", "sim", "run", str(BASELINE), "-n", "20000", "--workers", "2",
           "--out", str(out), *FAST]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while len(results.finished_chunks(partial)) < 2 and proc.poll() is None:
        assert time.monotonic() < deadline, "the run wrote no chunks"
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, err
    assert f"crewsim run --resume {partial}" in err and "Traceback" not in err
    assert results.finished_chunks(partial) and not results.is_complete(partial)


def test_a_plan_over_the_crew_limit_is_warned_and_its_violations_reported(tmp_path, capsys):
    from sim.cli import main

    out = tmp_path / "over"
    # No slip and no launch failure: every visit is flown (a visit not flown never puts 10 people
    # aboard).
    status = main(
        ["run", str(BASELINE), "-n", "40", "--set", "station.max_crew=8", "--out", str(out),
         "--set", "vehicles.MS-19.launch.slip=0 d", "--set", "vehicles.MS-19.launch.failure_p=0",
         "--backend", "serial", "--no-report", "--sampling", "mc"]
    )  # fmt: skip
    text = capsys.readouterr()
    assert status == 0
    assert "above the limit of 8" in text.err
    assert "A hard constraint is violated in 100 % of replications." in text.out
