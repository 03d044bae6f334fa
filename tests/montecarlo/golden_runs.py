"""Golden results of every shipped scenario: the identity check of speed changes.

Each shipped scenario (``scenarios/*.yaml``) is run with plain Monte Carlo sampling for
``REPLICATIONS`` replications (seed ``SEED``, serial backend, chunks of ``CHUNK_SIZE``, the first
``TRACE_SAMPLE`` replications traced), and its ``outcomes.parquet`` and ``events.parquet`` are kept
in ``tests/montecarlo/golden/<scenario file stem>/``. ``test_golden_results.py`` reruns the same
and asks for byte-identical files: a change meant only to make the model faster must not move a
single number, time stamp or trace line.

When the model's behaviour changes on purpose, regenerate the goldens deliberately (and say so in
the commit message):

    .venv/bin/python tests/montecarlo/golden_runs.py            # all shipped scenarios
    .venv/bin/python tests/montecarlo/golden_runs.py vyzov_2021  # only the named ones
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
REPLICATIONS = 300
SEED = 20211005
CHUNK_SIZE = 100
TRACE_SAMPLE = 12
FILES = ("outcomes.parquet", "events.parquet")


def shipped_scenarios() -> list[Path]:
    """The scenario files shipped with crewsim (not the priors they extend)."""
    return sorted((ROOT / "scenarios").glob("*.yaml"))


def run_golden(scenario: Path, out: Path) -> Path:
    """Run ``scenario`` with the golden settings into the folder ``out`` (must not exist)."""
    from sim.montecarlo.runner import run

    return run(
        str(scenario),
        n=REPLICATIONS,
        seed=SEED,
        backend="serial",
        out=out,
        chunk_size=CHUNK_SIZE,
        trace_sample=TRACE_SAMPLE,
        sampling="mc",
        quiet=True,
    )


def regenerate(names: list[str] | None = None) -> list[Path]:
    """Rewrite the golden files of the named scenario stems (default: all shipped scenarios)."""
    written = []
    for scenario in shipped_scenarios():
        if names and scenario.stem not in names:
            continue
        with tempfile.TemporaryDirectory(prefix="crewsim-golden-") as tmp:
            run_dir = run_golden(scenario, Path(tmp) / "run")
            dest = GOLDEN / scenario.stem
            dest.mkdir(parents=True, exist_ok=True)
            for name in FILES:
                shutil.copyfile(run_dir / name, dest / name)
                written.append(dest / name)
    return written


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for path in regenerate(sys.argv[1:] or None):
        print(f"written: {path.relative_to(ROOT)} ({path.stat().st_size:,} bytes)")
