"""The Monte Carlo runner: determinism across backends and chunkings, resume, faults, stopping.

These tests use the small stand-in model of ``tests/fake_model.py`` (fast, and able to fail, be
interrupted or kill its worker on demand); ``test_run_command.py`` runs the real baseline.
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
import pytest

from sim.errors import CrewsimError, RuntimeFault
from sim.montecarlo import backends, results, runner

MODEL = fake_model.MODEL
TESTS = Path(__file__).parent
ROOT = TESTS.parents[1]


@pytest.fixture
def scenario(tmp_path):
    return fake_model.write_scenario(tmp_path / "fake.yaml")


def _run(scenario, out, **kw):
    kw.setdefault("n", 600)
    kw.setdefault("chunk_size", 100)
    kw.setdefault("backend", "serial")
    return runner.run(str(scenario), out=out, model=MODEL, **kw)


def _same(a: Path, b: Path) -> None:
    pd.testing.assert_frame_equal(results.load(a), results.load(b))
    pd.testing.assert_frame_equal(results.load_events(a), results.load_events(b))


def test_serial_processes_and_dask_give_identical_results(scenario, tmp_path, dask_scheduler):
    serial = _run(scenario, tmp_path / "serial")
    procs = _run(scenario, tmp_path / "procs", backend="processes", workers=2)
    dask = _run(scenario, tmp_path / "dask", backend="dask", scheduler=dask_scheduler)
    _same(serial, procs)
    _same(serial, dask)
    # same chunking -> the same bytes, whatever the backend
    assert (serial / "outcomes.parquet").read_bytes() == (dask / "outcomes.parquet").read_bytes()
    assert results.load_manifest(dask)["workers"] == 2


def test_workers_fork_from_a_single_threaded_server_that_loaded_the_model(scenario, tmp_path):
    """``backends.WORKER_PRELOAD``: the forkserver imports the model once for all workers (not a
    second of imports in each), and has no thread besides its own, so forking it is safe."""
    psutil = pytest.importorskip("psutil")
    _run(scenario, tmp_path / "procs", n=200, backend="processes", workers=1)
    servers = [p for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]
    assert len(servers) == 1
    assert servers[0].num_threads() == 1
    assert any("scipy" in m.path for m in servers[0].memory_maps())  # imported by sim.model


def test_dask_recomputes_the_chunks_of_a_worker_that_dies(tmp_path, dask_scheduler):
    sc = fake_model.write_scenario(
        tmp_path / "die.yaml", die_once_at=250, die_marker=str(tmp_path / "died")
    )
    out = _run(sc, tmp_path / "dask", backend="dask", scheduler=dask_scheduler)
    assert (tmp_path / "died").exists()
    reference = _run(sc, tmp_path / "serial")  # the marker exists now: nobody dies
    _same(out, reference)


def test_chunking_and_workers_do_not_change_results(scenario, tmp_path):
    a = _run(scenario, tmp_path / "a", chunk_size=7)
    b = _run(scenario, tmp_path / "b", chunk_size=600)
    c = _run(scenario, tmp_path / "c", chunk_size=None, backend="processes", workers=1)
    _same(a, b)
    _same(a, c)


def test_replication_alone_equals_its_row_in_a_full_run(scenario, tmp_path):
    full = results.load(_run(scenario, tmp_path / "full"))
    compiled = fake_model.compile_scenario(fake_model.load_scenario(scenario))
    for i in (0, 137, 599):
        rows, _ = runner.run_replications(compiled, [i], 7, simulate=MODEL.simulate_replication)
        alone = results.rows_to_table(rows, compiled.epoch).to_pandas()
        pd.testing.assert_frame_equal(alone, full.iloc[[i]].reset_index(drop=True))


def test_outcomes_and_events_content(scenario, tmp_path):
    out = _run(scenario, tmp_path / "r", trace_sample=3)
    df = results.load(out)
    assert df["replication"].tolist() == list(range(600))
    assert str(df["landing_actual_utc"].dtype) == "datetime64[ns, UTC]"
    assert df["landing_actual_utc"].isna().any()  # launch failures: NaT
    ev = results.load_events(out)
    assert sorted(ev["replication"].unique()) == [0, 1, 2]
    assert list(ev.columns) == list(results.EVENT_COLUMNS)
    assert sorted(p.name for p in out.iterdir()) == [
        "events.parquet",
        "manifest.json",
        "outcomes.parquet",
        "scenario.yaml",
    ]


def test_manifest_describes_the_run(scenario, tmp_path):
    out = _run(scenario, tmp_path / "r", n=250, seed=11, chunk_size=50)
    m = results.load_manifest(out)
    assert m["status"] == "complete"
    assert (m["seed"], m["replications"], m["backend"], m["workers"], m["chunk_size"]) == (
        11,
        250,
        "serial",
        1,
        50,
    )
    assert m["scenario"] == "fake" and m["primary_return"] == "MS-18"
    assert m["epoch"].startswith("2021-09-01T00:00:00")
    for key in ("crewsim", "python", "numpy", "simpy", "pandas", "pyarrow", "command"):
        assert m[key]
    assert m["wall_time_s"] > 0 and m["replications_per_s"] > 0
    assert m["input_hash"] == results.input_hash((out / "scenario.yaml").read_text())
    assert "fail_at" in (out / "scenario.yaml").read_text()  # the resolved scenario


def test_default_folder_is_results_scenario_run_id(scenario, tmp_path):
    out = runner.run(str(scenario), n=10, backend="serial", results_root=tmp_path, model=MODEL)
    assert out.parent == tmp_path / "fake"
    assert out.name.endswith(results.input_hash("")[:0]) and "Z-" in out.name


def test_failing_replication_stops_with_how_to_reproduce(tmp_path):
    sc = fake_model.write_scenario(tmp_path / "bad.yaml", fail_at=250)
    out = tmp_path / "r"
    with pytest.raises(RuntimeFault) as err:
        _run(sc, out)
    msg = str(err.value)
    assert "replication 250 (seed 7)" in msg and str(sc) in msg and "ValueError: boom" in msg
    assert f"crewsim trace {sc} --replication 250 --seed 7" in msg
    partial = results.partial_path(out)
    assert results.finished_chunks(partial) == {0, 1}  # finished chunks are kept
    assert not out.exists() and not results.is_complete(partial)


def test_interrupt_keeps_chunks_and_a_changed_scenario_is_not_resumed(tmp_path):
    sc = fake_model.write_scenario(tmp_path / "int.yaml", interrupt_at=350)
    out = tmp_path / "r"
    with pytest.raises(runner.RunInterrupted, match="--resume"):
        _run(sc, out)
    partial = results.partial_path(out)
    assert results.finished_chunks(partial) == {0, 1, 2}
    # the run is not resumed with a scenario that changed under it
    for path in (partial / "scenario.yaml", sc):
        path.write_text(path.read_text() + "mean_delay_h: 9\n")
    with pytest.raises(CrewsimError, match="different scenario"):
        runner.resume(partial, model=MODEL)


def test_resume_runs_only_missing_chunks(scenario, tmp_path):
    full = _run(scenario, tmp_path / "full")
    out = tmp_path / "r"
    with pytest.raises(RuntimeFault):  # stop the run after three chunks, by a failing disk
        _run_with_disk_failure(scenario, out, after=3)
    partial = results.partial_path(out)
    assert results.finished_chunks(partial) == {0, 1, 2}
    resumed = runner.resume(out, model=MODEL)  # the final name works too
    assert resumed == out and results.is_complete(out) and not partial.exists()
    _same(resumed, full)
    m = results.load_manifest(out)
    assert m["resumed_replications"] == 300 and m["replications_computed"] == 300
    with pytest.raises(CrewsimError, match="already complete"):
        runner.resume(out, model=MODEL)


def _run_with_disk_failure(scenario, out, after):
    real = results.write_part_atomic
    calls = {"n": 0}

    def failing(path, table):
        calls["n"] += path.name.startswith("chunk-")
        if calls["n"] > after:
            raise OSError(28, "No space left on device")
        real(path, table)

    mp = pytest.MonkeyPatch()
    mp.setattr(results, "write_part_atomic", failing)
    try:
        _run(scenario, out)
    finally:
        mp.undo()


def test_full_disk_is_a_runtime_fault_and_leaves_nothing_complete(scenario, tmp_path):
    out = tmp_path / "r"
    with pytest.raises(RuntimeFault, match="No space left.*--resume"):
        _run_with_disk_failure(scenario, out, after=1)
    assert not out.exists() and not results.is_complete(results.partial_path(out))


KILL_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
import fake_model
from sim.montecarlo import runner

if __name__ == "__main__":
    runner.run({scenario!r}, n=200, chunk_size=10, backend="processes", workers=2, out={out!r},
               model=fake_model.MODEL)
"""


def test_killed_run_resumes_to_the_same_rows(tmp_path):
    sc = fake_model.write_scenario(tmp_path / "slow.yaml", slow_s=0.01)
    out = tmp_path / "killed"
    script = tmp_path / "go.py"
    script.write_text(KILL_SCRIPT.format(tests=str(TESTS), scenario=str(sc), out=str(out)))
    proc = subprocess.Popen(
        [sys.executable, str(script)], cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE
    )
    partial = results.partial_path(out)
    deadline = time.monotonic() + 30
    while len(results.finished_chunks(partial)) < 4 and proc.poll() is None:
        assert time.monotonic() < deadline, "the run wrote no chunks"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes
    proc.wait()
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.returncode == -signal.SIGKILL, stderr
    done = results.finished_chunks(partial)
    assert 4 <= len(done) < 20 and not results.is_complete(partial)
    resumed = runner.resume(partial, model=MODEL)
    assert results.load_manifest(resumed)["resumed_replications"] == 10 * len(done)
    df = results.load(resumed)
    assert df["replication"].tolist() == list(range(200))  # none lost, none duplicated
    fast = fake_model.write_scenario(tmp_path / "fast.yaml")  # same draws, no sleeping
    _same(resumed, _run(fast, tmp_path / "ref", n=200, chunk_size=10))


def test_precision_stops_early_identical_to_fixed_n(scenario, tmp_path):
    out = _run(scenario, tmp_path / "p", n=5000, precision="landing_delay_h:P80:0.6")
    m = results.load_manifest(out)
    n = m["replications"]
    assert n < 5000 and n % 100 == 0
    assert m["stopping"]["reason"] == "half-width below target"
    assert m["stopping"]["achieved_half_width"] < 0.6
    fixed = _run(scenario, tmp_path / "f", n=n)
    _same(out, fixed)
    procs = _run(
        scenario,
        tmp_path / "pp",
        n=5000,
        precision="landing_delay_h:P80:0.6",
        backend="processes",
        workers=2,
    )
    assert results.load_manifest(procs)["replications"] == n  # the same stop on any backend


def test_precision_records_when_the_target_is_not_met(scenario, tmp_path):
    out = _run(scenario, tmp_path / "p", n=300, precision="landing_delay_h:P80:0.001")
    m = results.load_manifest(out)
    assert m["replications"] == 300 and m["stopping"]["reason"].startswith("reached")


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"workers": 0, "backend": "processes"}, "--workers must be at least 1"),
        ({"n": -5}, "at least 1"),
        ({"chunk_size": 0}, "--chunk-size"),
        ({"backend": "gpu"}, "unknown backend"),
        ({"backend": "serial", "scheduler": "tcp://127.0.0.1:9"}, "needs --backend dask"),
        ({"precision": "landing_delay_h:80:1"}, "COLUMN:Pxx:HALF_WIDTH"),
        ({"precision": "nope:P80:1"}, "no outcome column 'nope'"),
    ],
)
def test_bad_input_is_a_clear_error_and_leaves_no_folder(scenario, tmp_path, kw, match):
    with pytest.raises(CrewsimError, match=match):
        _run(scenario, tmp_path / "r", **kw)
    assert not (tmp_path / "r").exists() and not (tmp_path / "r.partial").exists()


def test_existing_results_folder_is_refused(scenario, tmp_path):
    (tmp_path / "r").mkdir()
    with pytest.raises(CrewsimError, match="already exists"):
        _run(scenario, tmp_path / "r")
    (tmp_path / "s.partial").mkdir()
    with pytest.raises(CrewsimError, match="--resume"):
        _run(scenario, tmp_path / "s")


def test_unwritable_results_folder_is_bad_input(scenario, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(CrewsimError, match="cannot create the results folder"):
        _run(scenario, tmp_path / "file" / "r")


def test_unreachable_scheduler(scenario, tmp_path, monkeypatch):
    monkeypatch.setattr(backends, "SCHEDULER_TIMEOUT_S", 1)
    with pytest.raises(CrewsimError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        _run(scenario, tmp_path / "r", backend="dask", scheduler="tcp://127.0.0.1:9")
    assert not (tmp_path / "r.partial").exists()


def test_auto_chunk_size_bounds():
    assert runner.auto_chunk_size(10, 2) == 10
    assert runner.auto_chunk_size(10_000, 2) == 1250
    assert runner.auto_chunk_size(400_000, 64) == 1563
    assert runner.auto_chunk_size(10_000_000, 2) == runner.MAX_CHUNK
    specs = runner.plan_chunks(1001, 100)
    assert (specs[-1].start, specs[-1].stop, len(specs)) == (1000, 1001, 11)


def test_order_statistic_half_width():
    import numpy as np

    p = runner.Precision.parse("x:P80:1")
    assert p.p == pytest.approx(0.8)
    assert p.half_width_of(np.arange(5.0)) == float("inf")  # too few values for a CI
    x = np.random.default_rng(1).normal(size=20_000)
    # 95 % CI of the normal P80 at n=20,000: about 1.96 * sqrt(p(1-p)/n) / phi(z_0.8) = 0.0201
    assert p.half_width_of(x) == pytest.approx(0.0201, rel=0.15)
