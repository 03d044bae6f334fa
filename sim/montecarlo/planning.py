"""Planning a run: how replications are cut into chunks, which settings are valid, and the run
state (``run.json``) that records, at the start of a run, everything needed to resume it.

Chunks are contiguous replication ranges (``plan_chunks``); their size adapts to the number of
workers (``auto_chunk_size``) within bounds that keep memory flat and an interruption cheap.
"""

from __future__ import annotations

import math
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import CrewsimError
from sim.montecarlo import results
from sim.montecarlo.backends import BACKENDS, ChunkSpec

MIN_CHUNK = 100
MAX_CHUNK = 2_000  # ~1-2 s of work: Ctrl-C keeps all but the last seconds
CHUNKS_PER_WORKER = 4
DEFAULT_TRACE_SAMPLE = 20


def auto_chunk_size(n: int, workers: int) -> int:
    """Replications per chunk: about ``CHUNKS_PER_WORKER`` chunks per worker for load balance and
    a live progress bar, at least ``MIN_CHUNK`` (per-chunk overhead) and at most ``MAX_CHUNK``
    (memory: one chunk's rows are held at once)."""
    size = math.ceil(n / max(1, workers * CHUNKS_PER_WORKER))
    return max(1, min(n, MAX_CHUNK, max(MIN_CHUNK, size)))


def plan_chunks(n: int, chunk_size: int) -> list[ChunkSpec]:
    """Contiguous chunks covering replications 0..n-1 in order."""
    return [
        ChunkSpec(k, start, min(n, start + chunk_size))
        for k, start in enumerate(range(0, n, chunk_size))
    ]


# --------------------------------------------------------------------------- run state
@dataclass
class RunState:
    """What ``run.json`` records at the start of a run: enough to resume it."""

    run_id: str
    scenario_name: str
    scenario_path: str | None
    overrides: list[str]
    seed: int
    replications: int
    chunk_size: int
    trace_sample: int
    input_hash: str
    epoch: str
    primary_return: str | None
    command: str
    started_utc: str
    backend: str
    workers: int | None
    scheduler: str | None = None
    precision: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def identity(self) -> dict[str, Any]:
        """What every part file of this run carries: parts of another run (seed, scenario or
        crewsim version) are never merged into it."""
        import sim

        return {
            "run_id": self.run_id,
            "seed": self.seed,
            "input_hash": self.input_hash,
            "chunk_size": self.chunk_size,
            "crewsim": sim.__version__,
        }

    def save(self, run_dir: Path) -> None:
        results.write_json_atomic(run_dir / results.RUN_STATE, asdict(self))

    @classmethod
    def read(cls, run_dir: Path) -> RunState:
        import json

        from pydantic import TypeAdapter, ValidationError

        try:
            data = json.loads((run_dir / results.RUN_STATE).read_text(encoding="utf-8"))
            state = TypeAdapter(cls).validate_python(data)
            check_settings(state.replications, state.workers, state.chunk_size, state.trace_sample)
            if state.seed < 0:
                raise ValueError(f"seed {state.seed} is negative")
            return state
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"])
            raise CrewsimError(
                f"{run_dir} cannot be resumed: its {results.RUN_STATE} has a bad {where!r} "
                f"({err['msg']}); start a new run instead"
            ) from None
        except (OSError, ValueError, TypeError, CrewsimError) as exc:
            raise CrewsimError(
                f"{run_dir} cannot be resumed: its {results.RUN_STATE} is missing or unreadable "
                f"({exc}); start a new run instead"
            ) from exc


def resolved_yaml(scenario: Any) -> str:
    """The fully resolved scenario as YAML (``resolved_dict()`` when the scenario offers it)."""
    import yaml

    resolved = getattr(scenario, "resolved_dict", None)
    data = resolved() if callable(resolved) else scenario.model_dump(mode="json")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def versions() -> dict[str, str]:
    """Versions of crewsim, Python and the libraries that shape the numbers (for the manifest)."""
    from importlib.metadata import PackageNotFoundError, version

    import sim

    out = {"crewsim": sim.__version__, "python": sys.version.split()[0]}
    for pkg in ("numpy", "simpy", "pandas", "pyarrow"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def check_settings(n: int, workers: int | None, chunk_size: int | None, trace_sample: int) -> None:
    """Reject run settings out of range (CrewsimError naming the option)."""
    if n < 1:
        raise CrewsimError(f"the number of replications must be at least 1 (got -n {n})")
    if workers is not None and workers < 1:
        raise CrewsimError(f"--workers must be at least 1 (got {workers})")
    if chunk_size is not None and chunk_size < 1:
        raise CrewsimError(f"--chunk-size must be at least 1 (got {chunk_size})")
    if trace_sample < 0:
        raise CrewsimError(f"--trace-sample must be 0 or more (got {trace_sample})")


def backend_choice(backend: str | None, scheduler: str | None) -> str:
    """The backend to use: ``dask`` when only a scheduler is given, else ``processes``."""
    if backend is None:
        return "dask" if scheduler else "processes"
    if backend not in BACKENDS:
        raise CrewsimError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if scheduler and backend != "dask":
        raise CrewsimError(f"--scheduler needs --backend dask (got --backend {backend})")
    return backend
