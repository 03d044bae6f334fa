"""The API from a plain script without a ``__main__`` guard, from stdin, and as ``python -m
crewsim``: parallel runs work (workers do not re-run the caller's code) and leave no folders."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = f"""\
import crewsim
run = crewsim.simulate({str(ROOT / "scenarios" / "vyzov_2021.yaml")!r}, n=200, seed=4,
                       backend="processes", workers=2)
print("rows", len(run.outcomes), run.manifest["backend"], run.p_on_time().successes)
"""


def _python(args: list[str], cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def expected_successes() -> int:
    import crewsim

    run = crewsim.simulate(ROOT / "scenarios" / "vyzov_2021.yaml", n=200, seed=4, backend="serial")
    return run.p_on_time().successes


@pytest.mark.parametrize("how", ["script without a guard", "stdin"])
def test_parallel_runs_work_from_a_plain_script_and_from_stdin(tmp_path, how, expected_successes):
    script = tmp_path / "plain.py"
    script.write_text(SCRIPT, encoding="utf-8")
    done = _python(["-"], tmp_path, SCRIPT) if how == "stdin" else _python([str(script)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["rows", "200", "processes", str(expected_successes)]
    assert "worker process died" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain.py"]  # no folders, no .partial


def test_python_m_crewsim_is_the_command_line(tmp_path):
    done = _python(["-m", "crewsim"], tmp_path)
    assert done.returncode == 2 and "usage: crewsim" in done.stderr
    done = _python(["-m", "crewsim", "--version"], tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("crewsim ")
