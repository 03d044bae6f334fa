"""Monte Carlo runner: many replications of one scenario, streamed to a results folder.

Replication ``i`` of a run seeded with ``s`` draws only from ``sim.seeding`` streams keyed by
``(s, i, name)``, so it gives the same outcome row alone, in any chunk, on any backend and with any
number of workers. Replications run in chunks (contiguous ranges, :mod:`.planning`);
:mod:`.execution` writes each finished chunk at once as a Parquet part file, so memory stays flat,
and an interrupted run resumes by running only the chunks that are missing (``resume``, here).
``outcomes.parquet`` is written in replication order as the chunks finish (:mod:`.outcome_stream`);
the manifest is written last and the ``.partial`` folder renamed.

Public API:
    run_replications(compiled, replications, seed, trace=False) -> (rows, events)   in memory
    run(scenario, n=..., seed=..., backend=..., workers=..., out=...) -> Path       results folder
    resume(run_dir, ...) -> Path                                                    finish a run
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sim.errors import CrewsimError, RuntimeFault
from sim.montecarlo import results
from sim.montecarlo.backends import Simulate, available_cores
from sim.montecarlo.execution import RunInterrupted, execute
from sim.montecarlo.lock import RunLock
from sim.montecarlo.planning import (
    CHUNKS_PER_WORKER,
    DEFAULT_TRACE_SAMPLE,
    MAX_CHUNK,
    MIN_CHUNK,
    RunState,
    auto_chunk_size,
    backend_choice,
    check_settings,
    plan_chunks,
    resolved_yaml,
)
from sim.montecarlo.sampling import check_sampling
from sim.montecarlo.stopping import Precision

__all__ = [
    "CHUNKS_PER_WORKER",
    "DEFAULT_TRACE_SAMPLE",
    "MAX_CHUNK",
    "MIN_CHUNK",
    "Precision",
    "RunInterrupted",
    "RunState",
    "auto_chunk_size",
    "default_model",
    "plan_chunks",
    "resume",
    "run",
    "run_replications",
]


# --------------------------------------------------------------------------- the model hooks
def default_model() -> Any:
    """The real model: ``sim.scenario.load_scenario``, ``sim.model.compile_scenario`` and
    ``sim.model.simulate_replication`` (imported only when a run starts)."""
    scenario = importlib.import_module("sim.scenario")
    model = importlib.import_module("sim.model")
    return SimpleNamespace(
        load_scenario=scenario.load_scenario,
        compile_scenario=model.compile_scenario,
        simulate_replication=model.simulate_replication,
    )


def run_replications(
    compiled: Any,
    replications: Sequence[int] | range,
    seed: int,
    trace: bool = False,
    simulate: Simulate | None = None,
) -> tuple[list[dict[str, Any]], list[tuple[Any, ...]]]:
    """Run the given replications in this process and return their raw rows and events.

    For notebooks and tests; rows keep time points as hours since epoch. Nothing is written.
    """
    if simulate is None:
        simulate = default_model().simulate_replication
    rows: list[dict[str, Any]] = []
    events: list[tuple[Any, ...]] = []
    for i in replications:
        row, ev = simulate(compiled, int(i), seed, trace)
        rows.append(row)
        events.extend(ev)
    return rows, events


# --------------------------------------------------------------------------- public API
def run(
    scenario: Any,
    n: int | None = None,
    seed: int | None = None,
    backend: str | None = "processes",
    workers: int | None = None,
    out: str | os.PathLike[str] | None = None,
    *,
    overrides: Sequence[str] = (),
    scheduler: str | None = None,
    chunk_size: int | None = None,
    trace_sample: int = DEFAULT_TRACE_SAMPLE,
    precision: str | None = None,
    sampling: str | None = None,
    results_root: str | os.PathLike[str] = "results",
    quiet: bool = True,
    command: str | None = None,
    model: Any = None,
) -> Path:
    """Run a scenario (a YAML path, or a loaded scenario object) and return its results folder.

    ``n`` and ``seed`` default to the scenario's ``monte_carlo`` settings. ``out`` is the run
    folder itself (it must not exist); by default ``results_root/<scenario-name>/<run-id>``.
    ``model`` supplies ``load_scenario``, ``compile_scenario`` and ``simulate_replication``
    (default: the real model). ``sampling`` (mc, stratified, lhs) overrides the scenario's
    ``monte_carlo.sampling`` (see :mod:`sim.montecarlo.sampling`). Raises CrewsimError (bad
    input), RuntimeFault (a replication or the disk failed) or RunInterrupted (Ctrl-C); in each case finished chunks stay resumable.
    """
    check_settings(n if n is not None else 1, workers, chunk_size, trace_sample)
    model = model or default_model()
    scenario_path: str | None = None
    if (
        check_sampling(sampling) is not None
    ):  # a setting of the scenario, so resume and trace see it
        if isinstance(scenario, str | os.PathLike):
            overrides = [*overrides, f"monte_carlo.sampling={sampling}"]
        else:
            mc_settings = scenario.monte_carlo.model_copy(update={"sampling": sampling})
            scenario = scenario.model_copy(update={"monte_carlo": mc_settings})
    if isinstance(scenario, str | os.PathLike):
        scenario_path = str(scenario)
        scenario = model.load_scenario(scenario_path, overrides=list(overrides))
    elif overrides:
        raise CrewsimError("overrides apply only when the scenario is given as a path")
    mc = getattr(scenario, "monte_carlo", None)
    n = int(n if n is not None else getattr(mc, "replications", 10_000))
    seed = int(seed if seed is not None else getattr(mc, "seed", 0))
    if seed < 0:
        raise CrewsimError(f"--seed must be 0 or more (got {seed})")
    backend = backend_choice(backend, scheduler)
    check_settings(n, workers, chunk_size, trace_sample)
    stop_rule = Precision.parse(precision) if precision else None
    if backend == "serial":
        workers = 1
    n_workers = workers or available_cores()
    chunk_size = chunk_size or auto_chunk_size(n, n_workers)

    resolved = resolved_yaml(scenario)
    compiled = _compile(model, scenario, scenario_path or scenario.name)
    epoch = getattr(compiled, "epoch")  # noqa: B009
    run_id = results.make_run_id(resolved, seed, n)
    run_dir = results.final_path(Path(out)) if out else Path(results_root) / scenario.name / run_id
    if out and Path(out).name.endswith(results.PARTIAL_SUFFIX):
        raise CrewsimError(f"--out {out}: a run folder name cannot end in {results.PARTIAL_SUFFIX}")
    partial = results.partial_path(run_dir)
    if run_dir.exists():
        raise CrewsimError(f"results folder {run_dir} already exists; choose another --out")
    if partial.exists():
        raise CrewsimError(
            f"an unfinished run is in {partial}; finish it with: crewsim run --resume {partial} "
            "(or delete it, or choose another --out)"
        )
    state = RunState(
        run_id=run_dir.name,
        scenario_name=scenario.name,
        scenario_path=scenario_path,
        overrides=list(overrides),
        seed=seed,
        replications=n,
        chunk_size=chunk_size,
        trace_sample=trace_sample,
        input_hash=results.input_hash(resolved),
        epoch=epoch.isoformat(),
        primary_return=getattr(scenario, "primary", None)
        or getattr(scenario, "primary_return", None),
        command=command
        or f"sim.montecarlo.runner.run({scenario_path or scenario.name!r}, n={n}, seed={seed})",
        started_utc=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        backend=backend,
        workers=workers,
        scheduler=scheduler,
        precision=precision,
    )
    try:
        (partial / results.PARTS).mkdir(parents=True)
    except OSError as exc:
        raise CrewsimError(
            f"cannot create the results folder {partial}: {exc.strerror or exc}"
        ) from exc
    lock = RunLock(partial).acquire()
    try:
        try:
            results.write_text_atomic(partial / results.SCENARIO, resolved)
            state.save(partial)
        except OSError as exc:
            shutil.rmtree(partial, ignore_errors=True)
            raise RuntimeFault(f"cannot write to the results folder {partial}: {exc}") from exc
        try:
            return execute(
                state, partial, compiled, model, backend, workers, scheduler, stop_rule, quiet
            )
        except CrewsimError:
            if not results.finished_chunks(partial):  # bad input before any work: leave no trace
                shutil.rmtree(partial, ignore_errors=True)
            raise
    finally:
        lock.release(remove=partial.is_dir())


def resume(
    run_dir: str | os.PathLike[str],
    *,
    backend: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    quiet: bool = True,
    model: Any = None,
) -> Path:
    """Finish an interrupted or killed run (``run_dir`` may name the ``.partial`` folder or the
    final one); only the chunks not yet on disk are run. Backend and workers default to those of
    the original run. Returns the completed results folder."""
    model = model or default_model()
    given = Path(run_dir)
    final = results.final_path(given)
    partial = results.partial_path(final)
    if not partial.is_dir():
        if results.is_complete(final):
            raise CrewsimError(f"{final} is already complete; nothing to resume")
        raise CrewsimError(f"no unfinished run at {given} (expected a folder {partial.name})")
    with RunLock(partial):
        return _resume_locked(partial, backend, workers, scheduler, quiet, model)


def _resume_locked(
    partial: Path,
    backend: str | None,
    workers: int | None,
    scheduler: str | None,
    quiet: bool,
    model: Any,
) -> Path:
    """``resume`` once this process holds the run folder's lock."""
    results.remove_temporary_files(partial)  # left by a killed writer; nobody else writes now
    state = RunState.read(partial)
    scenario = _reload_scenario(state, partial, model)
    if not (partial / results.SCENARIO).is_file():  # resumed from the original file: restore it
        try:
            results.write_text_atomic(partial / results.SCENARIO, resolved_yaml(scenario))
        except OSError as exc:
            raise RuntimeFault(f"cannot write to the results folder {partial}: {exc}") from exc
    compiled = _compile(model, scenario, str(partial / results.SCENARIO))
    if backend is None and scheduler is None:
        backend, workers, scheduler = state.backend, workers or state.workers, state.scheduler
    backend = backend_choice(backend, scheduler)
    check_settings(state.replications, workers, state.chunk_size, state.trace_sample)
    if backend == "serial":
        workers = 1
    stop_rule = Precision.parse(state.precision) if state.precision else None
    return execute(state, partial, compiled, model, backend, workers, scheduler, stop_rule, quiet)


def _compile(model: Any, scenario: Any, where: str) -> Any:
    """The compiled scenario; a scenario that validates but cannot be compiled (an orbit that
    cannot be propagated, a value out of a library's range) is bad input, not a traceback."""
    try:
        return model.compile_scenario(scenario)
    except (ValueError, ArithmeticError, ImportError) as exc:
        raise CrewsimError(f"{where}: the scenario cannot be prepared for a run: {exc}") from None


def _reload_scenario(state: RunState, partial: Path, model: Any) -> Any:
    """The run's scenario, from its resolved copy (checked against the recorded input hash), or
    else from the original file and overrides if they still resolve to the same scenario."""
    attempts = [(str(partial / results.SCENARIO), [])]
    if state.scenario_path:
        attempts.append((state.scenario_path, state.overrides))
    problems = []
    for path, overrides in attempts:
        try:
            scenario = model.load_scenario(path, overrides=overrides)
        except (CrewsimError, OSError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        if results.input_hash(resolved_yaml(scenario)) == state.input_hash:
            return scenario
        problems.append(f"{path}: resolves to a different scenario than the run started with")
    raise CrewsimError(f"cannot resume {partial}: " + "; ".join(problems))
