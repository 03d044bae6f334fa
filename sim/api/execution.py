"""Replications run in memory for the Python API: the runner's chunks and backends, no folder.

The rows are those ``crewsim run`` writes for the same scenario and seed (the same chunk function,
the same Arrow conversion, parts concatenated in replication order as the runner merges them).

Worker processes (``processes`` and ``dask`` backends) normally import the ``__main__`` module of
the parent again, which re-runs a plain script that has no ``if __name__ == "__main__":`` guard
(and cannot work at all for code read from stdin): the workers died and the user was told "a worker
process died". The workers here need nothing from ``__main__`` (the model is imported by name), so
:func:`_workers_skip_main` hides the main module's file and spec from ``multiprocessing`` while the
workers start: a script with or without a guard, a notebook and stdin all work the same way.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sim.errors import CrewsimError, RuntimeFault
from sim.montecarlo.backends import (
    BACKENDS,
    ChunkResult,
    available_cores,
    run_dask,
    run_processes,
    run_serial,
)
from sim.montecarlo.planning import DEFAULT_TRACE_SAMPLE, auto_chunk_size, plan_chunks

#: Below this many replications ``backend="auto"`` runs in this process (no worker start-up).
SERIAL_BELOW = 2_000


@dataclass
class MemoryRun:
    """The Arrow tables of a run done in memory, and how it was done."""

    outcomes: Any  # pyarrow.Table, one row per replication in order
    events: Any  # pyarrow.Table of the traced replications
    backend: str
    workers: int
    chunk_size: int
    wall_time_s: float


@contextmanager
def _workers_skip_main() -> Iterator[None]:
    """While worker processes start, ``multiprocessing`` does not see the main module's file or
    spec, so workers do not import (and re-run) the caller's script; restored afterwards."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    main.__dict__.pop("__file__", None)
    if "__spec__" in saved:
        main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


def choose_backend(backend: str, n: int) -> str:
    """``auto`` is ``serial`` for small runs and ``processes`` otherwise; others are checked."""
    if backend == "auto":
        return "serial" if n < SERIAL_BELOW or available_cores() == 1 else "processes"
    if backend not in BACKENDS:
        raise CrewsimError(
            f"unknown backend {backend!r}; choose one of auto, {', '.join(BACKENDS)}"
        )
    return backend


def _concat(tables: list[Any]) -> Any:
    """Parts in order, schemas unified as the runner's merge does (an all-null column in one chunk
    takes its type from the others)."""
    import pyarrow as pa

    names = tables[0].schema.names
    schema = pa.unify_schemas(
        [pa.schema([t.schema.field(n) for n in names]) for t in tables],
        promote_options="permissive",
    )
    return pa.concat_tables([t.select(names).cast(schema) for t in tables])


def simulate_in_memory(
    scenario: Any,
    n: int,
    seed: int,
    *,
    backend: str = "auto",
    workers: int | None = None,
    trace_sample: int = DEFAULT_TRACE_SAMPLE,
    progress: Callable[[int], None] | None = None,
    model: Any = None,
) -> MemoryRun:
    """Run replications ``0..n-1`` of a validated scenario (pydantic model) with ``seed``.

    ``progress`` receives the number of replications finished so far. Raises CrewsimError for bad
    settings, RuntimeFault when a replication fails (naming it and how to reproduce it), and lets
    KeyboardInterrupt through after stopping the workers (nothing is written anywhere).
    """
    from sim.montecarlo.results import events_to_table
    from sim.montecarlo.runner import default_model

    if n < 1:
        raise CrewsimError(f"the number of replications must be at least 1 (got n={n})")
    if seed < 0:
        raise CrewsimError(f"the seed must be 0 or more (got seed={seed})")
    if workers is not None and workers < 1:
        raise CrewsimError(f"workers must be at least 1 (got workers={workers})")
    if trace_sample < 0:
        raise CrewsimError(f"trace_sample must be 0 or more (got {trace_sample})")
    model = model or default_model()
    backend = choose_backend(backend, n)
    n_workers = 1 if backend == "serial" else workers or available_cores()
    chunk_size = auto_chunk_size(n, n_workers)
    specs = plan_chunks(n, chunk_size)
    compiled = model.compile_scenario(scenario)
    simulate = model.simulate_replication
    t0 = time.perf_counter()
    if backend == "serial":
        chunks = run_serial(compiled, simulate, specs, seed, trace_sample)
    elif backend == "processes":
        chunks = run_processes(compiled, simulate, specs, seed, trace_sample, n_workers)
    else:
        chunks = run_dask(
            compiled,
            simulate,
            specs,
            seed,
            trace_sample,
            n_workers,
            None,
            key_prefix=f"crewsim-api-{seed}-{chunk_size}-{time.monotonic_ns()}",
        )
    found: dict[int, ChunkResult] = {}
    done = 0
    with _workers_skip_main():
        try:
            for result in chunks:
                if result.failure is not None:
                    raise RuntimeFault(_failure_message(scenario, seed, result))
                found[result.spec.index] = result
                done += result.spec.size
                if progress:
                    progress(done)
        finally:
            chunks.close()
    ordered = [found[s.index] for s in specs]
    events = [r.events for r in ordered if r.events is not None]
    return MemoryRun(
        outcomes=_concat([r.table for r in ordered]),
        events=_concat(events) if events else events_to_table([], compiled.epoch),
        backend=backend,
        workers=n_workers,
        chunk_size=chunk_size,
        wall_time_s=round(time.perf_counter() - t0, 3),
    )


def _failure_message(scenario: Any, seed: int, result: ChunkResult) -> str:
    f = result.failure
    assert f is not None
    if f.replication is None:
        return f"replications {result.spec.start}-{result.spec.stop - 1} failed: {f.error}"
    return (
        f"replication {f.replication} (seed {seed}) of scenario {scenario.name!r} raised "
        f"{f.error}; reproduce it with crewsim.simulate(scenario, n={f.replication + 1}, "
        f"seed={seed}, backend='serial')\n{f.traceback.rstrip()}"
    )
