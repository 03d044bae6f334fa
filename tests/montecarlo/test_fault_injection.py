"""Fault injection: a run whose main process is killed (SIGKILL, no chance to clean up) at several
points leaves no process behind, resumes to the rows of an uninterrupted run, and leaves no
temporary file (issue 14, items 3, 8 and 11, and the fault suite).

Only the main process is killed, as an out-of-memory killer or a closed batch slot would: its worker
processes (started through a forkserver) must notice and exit by themselves within seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import fake_model
import pandas as pd
import psutil
import pytest

from sim.montecarlo import results, runner

TESTS = Path(__file__).parent
ROOT = TESTS.parents[1]
BASE = TESTS.parent / "broken" / "base.yaml"
N, CHUNK = 300, 10

SCRIPT = """
import sys
sys.path[:0] = [{root!r}, {tests!r}]
import fake_model
from sim.montecarlo import runner

if __name__ == "__main__":
    runner.run({scenario!r}, n={n}, chunk_size={chunk}, backend="processes", workers=2,
               out={out!r}, trace_sample=25, model=fake_model.MODEL)
"""


def _session_processes(sid: int) -> list[str]:
    """Processes (pid and command) of the session ``sid`` still running (zombies excluded)."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline", "status"]):
        try:
            if os.getsid(proc.pid) != sid or proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
        except (OSError, psutil.Error):
            continue
        found.append(f"{proc.pid}: {' '.join(proc.info['cmdline'] or [])[:120]}")
    return found


def _kill_main_when(proc: subprocess.Popen, ready, what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        assert proc.poll() is None, f"the run ended before {what}: {proc.stderr.read().decode()}"
        assert time.monotonic() < deadline, f"never reached {what}"
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)  # the main process only
    proc.wait()


def _assert_nothing_left(sid: int) -> None:
    deadline = time.monotonic() + 10
    while _session_processes(sid):
        if time.monotonic() > deadline:
            left = _session_processes(sid)
            for line in left:  # do not leak them into the rest of the suite
                os.kill(int(line.split(":")[0]), signal.SIGKILL)
            pytest.fail("processes left 10 s after the run was killed:\n" + "\n".join(left))
        time.sleep(0.1)


def _no_temporary_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory):
    """The rows and events of the run, computed without interruption (serial)."""
    tmp = tmp_path_factory.mktemp("reference")
    scenario = fake_model.write_scenario(tmp / "fast.yaml")
    out = runner.run(
        str(scenario), n=N, chunk_size=CHUNK, backend="serial", out=tmp / "ref",
        trace_sample=25, model=fake_model.MODEL,
    )  # fmt: skip
    return results.load(out), results.load_events(out)


KILL_POINTS = {
    # the folder exists, the run state is written, the worker processes are starting
    "at start-up": lambda partial: (partial / "run.json").is_file(),
    # the first chunk part was written
    "after the first chunk": lambda partial: len(results.finished_chunks(partial)) >= 1,
    # a third of the way
    "mid-run": lambda partial: len(results.finished_chunks(partial)) >= N // CHUNK // 3,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_of_the_main_process(point, tmp_path, uninterrupted):
    scenario = fake_model.write_scenario(tmp_path / "slow.yaml", slow_s=0.01)
    out = tmp_path / "run"
    script = tmp_path / "go.py"
    script.write_text(
        SCRIPT.format(
            root=str(ROOT), tests=str(TESTS), scenario=str(scenario), out=str(out), n=N, chunk=CHUNK
        )
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE
    )
    partial = results.partial_path(out)
    _kill_main_when(proc, lambda: KILL_POINTS[point](partial), point)
    _assert_nothing_left(proc.pid)
    assert not results.is_complete(partial)

    if not (partial / "run.json").is_file():  # killed before the run state was written
        return
    resumed = runner.resume(partial, backend="serial", model=fake_model.MODEL)
    rows, events = uninterrupted
    pd.testing.assert_frame_equal(results.load(resumed), rows)
    pd.testing.assert_frame_equal(results.load_events(resumed), events)
    assert _no_temporary_files(resumed) == []


def test_sigkill_of_crewsim_run_on_the_real_model(tmp_path):
    """The real command and model: killed after its first chunk, nothing is left running, and the
    resumed rows are those of an uninterrupted run."""
    out = tmp_path / "run"
    args = ["run", str(BASE), "-n", "400", "--chunk-size", "10", "--workers", "2"]
    args += ["--quiet", "--no-report", "--trace-sample", "5"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *args, "--out", str(out)],
        cwd=ROOT,
        start_new_session=True,
        stderr=subprocess.PIPE,
    )
    partial = results.partial_path(out)
    _kill_main_when(proc, lambda: len(results.finished_chunks(partial)) >= 2, "two chunks")
    _assert_nothing_left(proc.pid)
    resumed = runner.resume(partial, backend="serial")
    reference = runner.run(
        str(BASE), n=400, chunk_size=200, backend="serial", out=tmp_path / "ref", trace_sample=5
    )
    pd.testing.assert_frame_equal(results.load(resumed), results.load(reference))
    pd.testing.assert_frame_equal(results.load_events(resumed), results.load_events(reference))
    assert _no_temporary_files(resumed) == []
