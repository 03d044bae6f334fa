"""A results folder is written by one process at a time and never through a link (issue 14,
items 10 and 11)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import fake_model
import pytest

from sim.cli import main
from sim.errors import CrewsimError, RuntimeFault
from sim.montecarlo import results, runner
from sim.montecarlo.lock import LOCK_NAME, RunLock

MODEL = fake_model.MODEL
ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "tests" / "broken" / "base.yaml"


def _stopped_run(tmp_path: Path) -> Path:
    """A ``.partial`` run folder with two of five chunks done (the disk 'filled up')."""
    scenario = fake_model.write_scenario(tmp_path / "fake.yaml")
    real = results.write_part_atomic
    count = {"n": 0}

    def failing(path, table):
        count["n"] += path.name.startswith("chunk-")
        if count["n"] > 2:
            raise OSError(28, "No space left on device")
        real(path, table)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(results, "write_part_atomic", failing)
        with pytest.raises(RuntimeFault):
            runner.run(
                str(scenario), n=500, chunk_size=100, backend="serial", out=tmp_path / "r",
                model=MODEL,
            )  # fmt: skip
    return results.partial_path(tmp_path / "r")


HOLD = """
import sys, time
from pathlib import Path
from sim.montecarlo.lock import RunLock
RunLock(Path(sys.argv[1])).acquire()
print("locked", flush=True)
time.sleep(120)
"""


def test_a_second_writer_is_refused_and_a_dead_owners_lock_is_taken_over(tmp_path):
    partial = _stopped_run(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(partial)], cwd=ROOT, stdout=subprocess.PIPE
    )
    try:
        assert holder.stdout.readline().strip() == b"locked"
        with pytest.raises(CrewsimError) as err:
            runner.resume(partial, model=MODEL)
        assert "another crewsim process is writing this run" in str(err.value)
        assert f"pid {holder.pid}" in str(err.value)
        assert results.finished_chunks(partial) == {0, 1}  # nothing redone, nothing removed
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # the owner died without unlocking: its lock is stale and the resume goes ahead
    assert (partial / LOCK_NAME).exists()
    done = runner.resume(partial, model=MODEL)
    assert results.is_complete(done) and not (done / LOCK_NAME).exists()


def test_two_locks_on_one_folder_exclude_each_other(tmp_path):
    folder = tmp_path / "run.partial"
    folder.mkdir()
    with RunLock(folder), pytest.raises(CrewsimError, match="another crewsim process"):
        RunLock(folder).acquire()
    with RunLock(folder):  # released: free again
        pass


def test_stale_temporary_files_do_not_survive_in_a_completed_folder(tmp_path):
    partial = _stopped_run(tmp_path)
    (partial / ".outcomes.parquet.99999.tmp").write_bytes(b"half")
    (partial / "parts" / ".chunk-000002.parquet.99999.tmp").write_bytes(b"half")
    done = runner.resume(partial, model=MODEL)
    assert [p for p in done.rglob("*") if p.name.endswith(".tmp")] == []


def _real_run(tmp_path: Path) -> Path:
    """A small complete run of the real model (the report needs its columns)."""
    return runner.run(str(BASE), n=40, backend="serial", out=tmp_path / "r")


def test_the_report_replaces_a_planted_link_instead_of_writing_through_it(tmp_path):
    run = _real_run(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    assert main(["report", str(run)]) == 0  # the figures the report draws
    plots = run / "plots"
    drawn = sorted(plots.glob("*.png"))
    assert drawn
    for path in drawn:  # each replaced by a link to a file outside the folder
        path.unlink()
        path.symlink_to(victim)
    (run / "summary.md").unlink(missing_ok=True)
    (run / "summary.md").symlink_to(victim)
    assert main(["report", str(run)]) == 0
    assert victim.read_text() == "precious"
    assert (
        not (run / "summary.md").is_symlink() and "broken-base" in (run / "summary.md").read_text()
    )
    assert not any(p.is_symlink() for p in plots.iterdir())
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in drawn)


def test_a_plots_folder_that_is_a_link_is_refused(tmp_path, capsys):
    run = _real_run(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    if (run / "plots").exists():
        import shutil

        shutil.rmtree(run / "plots")
    (run / "plots").symlink_to(outside)
    assert main(["report", str(run)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert list(outside.iterdir()) == []


def test_a_lock_file_records_its_owner(tmp_path):
    folder = tmp_path / "x.partial"
    folder.mkdir()
    with RunLock(folder) as lock:
        text = lock.path.read_text()
    assert text.startswith("pid ") and " on " in text
    assert not (folder / LOCK_NAME).exists()
