"""Monte Carlo runner: many replications of one scenario, streamed to a results folder.

Replication ``i`` of a run seeded with ``s`` draws only from ``sim.seeding`` streams keyed by
``(s, i, name)``, so it gives the same outcome row alone, in any chunk, on any backend and with any
number of workers. Replications run in chunks (contiguous ranges); each finished chunk is written at
once as a Parquet part file, so memory stays flat, and an interrupted run resumes by running only
the chunks that are missing (``resume``). At the end the parts are merged, in replication order,
into ``outcomes.parquet``; the manifest is written last and the ``.partial`` folder renamed.

Public API:
    run_replications(compiled, replications, seed, trace=False) -> (rows, events)   in memory
    run(scenario, n=..., seed=..., backend=..., workers=..., out=...) -> Path       results folder
    resume(run_dir, ...) -> Path                                                    finish a run
"""

from __future__ import annotations

import datetime as dt
import importlib
import math
import os
import shutil
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sim.errors import CrewsimError, Interrupted, RuntimeFault
from sim.montecarlo import results
from sim.montecarlo.backends import (
    BACKENDS,
    ChunkResult,
    ChunkSpec,
    Simulate,
    available_cores,
    run_dask,
    run_processes,
    run_serial,
)
from sim.montecarlo.sampling import check_sampling
from sim.montecarlo.stopping import Precision, _Stopper

MIN_CHUNK = 100
MAX_CHUNK = 2_000  # ~1-2 s of work: Ctrl-C keeps all but the last seconds
CHUNKS_PER_WORKER = 4
DEFAULT_TRACE_SAMPLE = 20


class RunInterrupted(Interrupted):
    """The run was stopped with Ctrl-C; finished chunks are on disk in ``run_dir``."""

    exit_status = 130

    def __init__(self, run_dir: Path) -> None:
        super().__init__(
            f"interrupted; finished chunks are kept in {run_dir}. "
            f"Resume with: crewsim run --resume {run_dir}"
        )
        self.run_dir = run_dir


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


# --------------------------------------------------------------------------- chunking
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

    def save(self, run_dir: Path) -> None:
        results.write_json_atomic(run_dir / results.RUN_STATE, asdict(self))

    @classmethod
    def read(cls, run_dir: Path) -> RunState:
        import json

        try:
            data = json.loads((run_dir / results.RUN_STATE).read_text(encoding="utf-8"))
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise CrewsimError(
                f"{run_dir} cannot be resumed: its {results.RUN_STATE} is missing or unreadable "
                f"({exc}); start a new run instead"
            ) from exc


def _resolved_yaml(scenario: Any) -> str:
    """The fully resolved scenario as YAML (``resolved_dict()`` when the scenario offers it)."""
    import yaml

    resolved = getattr(scenario, "resolved_dict", None)
    data = resolved() if callable(resolved) else scenario.model_dump(mode="json")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    import sim

    out = {"crewsim": sim.__version__, "python": sys.version.split()[0]}
    for pkg in ("numpy", "simpy", "pandas", "pyarrow"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def _check_settings(n: int, workers: int | None, chunk_size: int | None, trace_sample: int) -> None:
    if n < 1:
        raise CrewsimError(f"the number of replications must be at least 1 (got -n {n})")
    if workers is not None and workers < 1:
        raise CrewsimError(f"--workers must be at least 1 (got {workers})")
    if chunk_size is not None and chunk_size < 1:
        raise CrewsimError(f"--chunk-size must be at least 1 (got {chunk_size})")
    if trace_sample < 0:
        raise CrewsimError(f"--trace-sample must be 0 or more (got {trace_sample})")


def _backend_choice(backend: str | None, scheduler: str | None) -> str:
    if backend is None:
        return "dask" if scheduler else "processes"
    if backend not in BACKENDS:
        raise CrewsimError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    if scheduler and backend != "dask":
        raise CrewsimError(f"--scheduler needs --backend dask (got --backend {backend})")
    return backend


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
    ``monte_carlo.sampling`` (see :mod:`sim.montecarlo.sampling`). Raises CrewsimError (bad input), RuntimeFault (a replication or
    the disk failed) or RunInterrupted (Ctrl-C); in each case finished chunks stay resumable.
    """
    _check_settings(n if n is not None else 1, workers, chunk_size, trace_sample)
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
    backend = _backend_choice(backend, scheduler)
    _check_settings(n, workers, chunk_size, trace_sample)
    stop_rule = Precision.parse(precision) if precision else None
    if backend == "serial":
        workers = 1
    n_workers = workers or available_cores()
    chunk_size = chunk_size or auto_chunk_size(n, n_workers)

    resolved = _resolved_yaml(scenario)
    compiled = model.compile_scenario(scenario)
    epoch = getattr(compiled, "epoch")  # noqa: B009
    run_id = results.make_run_id(resolved, seed, n)
    run_dir = Path(out) if out else Path(results_root) / scenario.name / run_id
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
    try:
        results.write_text_atomic(partial / results.SCENARIO, resolved)
        state.save(partial)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise RuntimeFault(f"cannot write to the results folder {partial}: {exc}") from exc
    try:
        return _execute(
            state, partial, compiled, model, backend, workers, scheduler, stop_rule, quiet
        )
    except CrewsimError:
        if not results.finished_chunks(partial):  # bad input found before any work: leave no trace
            shutil.rmtree(partial, ignore_errors=True)
        raise


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
    state = RunState.read(partial)
    scenario = _reload_scenario(state, partial, model)
    compiled = model.compile_scenario(scenario)
    if backend is None and scheduler is None:
        backend, workers, scheduler = state.backend, workers or state.workers, state.scheduler
    backend = _backend_choice(backend, scheduler)
    _check_settings(state.replications, workers, state.chunk_size, state.trace_sample)
    if backend == "serial":
        workers = 1
    stop_rule = Precision.parse(state.precision) if state.precision else None
    return _execute(state, partial, compiled, model, backend, workers, scheduler, stop_rule, quiet)


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
        if results.input_hash(_resolved_yaml(scenario)) == state.input_hash:
            return scenario
        problems.append(f"{path}: resolves to a different scenario than the run started with")
    raise CrewsimError(f"cannot resume {partial}: " + "; ".join(problems))


# --------------------------------------------------------------------------- execution
def _chunk_results(
    state: RunState,
    compiled: Any,
    simulate: Simulate,
    todo: list[ChunkSpec],
    backend: str,
    workers: int | None,
    scheduler: str | None,
    info: dict[str, Any],
) -> Iterator[ChunkResult]:
    if backend == "serial":
        info["workers"] = 1
        return run_serial(compiled, simulate, todo, state.seed, state.trace_sample)
    if backend == "processes":
        info["workers"] = workers or available_cores()
        return run_processes(
            compiled, simulate, todo, state.seed, state.trace_sample, info["workers"]
        )
    info["workers"] = workers or (None if scheduler else available_cores())
    return run_dask(
        compiled,
        simulate,
        todo,
        state.seed,
        state.trace_sample,
        workers,
        scheduler,
        key_prefix=f"crewsim-{state.input_hash[:12]}-{state.seed}-{state.chunk_size}",
        on_connect=lambda threads: info.__setitem__("workers", threads),
    )


def _failure_message(state: RunState, partial: Path, result: ChunkResult) -> str:
    import shlex

    f = result.failure
    assert f is not None
    where = state.scenario_path or state.scenario_name
    if f.replication is None:
        head = f"chunk {result.spec.index} (replications {result.spec.start}-{result.spec.stop - 1}) failed: {f.error}"
    else:
        sets = "".join(f" --set {shlex.quote(o)}" for o in state.overrides)
        head = (
            f"replication {f.replication} (seed {state.seed}) of {where} raised {f.error}\n"
            f"Reproduce it with: crewsim trace {shlex.quote(str(where))} "
            f"--replication {f.replication} --seed {state.seed}{sets}"
        )
    tb = f"\n{f.traceback.rstrip()}" if f.traceback else ""
    return (
        f"{head}\nFinished chunks are kept in {partial}; after a fix, continue with: "
        f"crewsim run --resume {partial}{tb}"
    )


def _execute(
    state: RunState,
    partial: Path,
    compiled: Any,
    model: Any,
    backend: str,
    workers: int | None,
    scheduler: str | None,
    stop_rule: Precision | None,
    quiet: bool,
) -> Path:
    import pyarrow.parquet as pq
    from tqdm import tqdm

    specs = plan_chunks(state.replications, state.chunk_size)
    done = results.finished_chunks(partial) & {s.index for s in specs}
    blocks = compiled.block_size if getattr(compiled, "sampling", "mc") != "mc" else 0
    stopper = _Stopper(stop_rule, len(specs), blocks) if stop_rule else None
    if stopper:
        for k in sorted(done):
            stopper.add(k, pq.read_table(results.part_path(partial, k), columns=[stop_rule.column]))

    def wanted(spec: ChunkSpec) -> bool:
        return spec.index not in done and (stopper is None or stopper.stop_chunk is None)

    todo = [s for s in specs if s.index not in done]
    resumed_reps = sum(s.size for s in specs if s.index in done)
    info: dict[str, Any] = {}
    t0 = time.perf_counter()
    computed = 0
    bar = tqdm(
        total=state.replications,
        initial=resumed_reps,
        unit="rep",
        desc=state.scenario_name,
        file=sys.stderr,
        disable=quiet or not sys.stderr.isatty(),
        smoothing=0.1,
    )
    chunks = _chunk_results(
        state,
        compiled,
        model.simulate_replication,
        [s for s in todo if wanted(s)] if stopper is None else _lazy(todo, wanted),
        backend,
        workers,
        scheduler,
        info,
    )
    try:
        for result in chunks:
            if result.failure is not None:
                raise RuntimeFault(_failure_message(state, partial, result))
            k = result.spec.index
            if stopper:
                stopper.add(k, result.table)
            try:
                if result.events is not None:
                    results.write_table_atomic(
                        results.part_path(partial, k, "events"), result.events
                    )
                results.write_table_atomic(results.part_path(partial, k), result.table)
            except OSError as exc:
                raise RuntimeFault(
                    f"cannot write chunk {k} to {partial}: {exc}. Free space or fix permissions, "
                    f"then continue with: crewsim run --resume {partial}"
                ) from exc
            done.add(k)
            computed += result.spec.size
            bar.update(result.spec.size)
            if (
                stopper
                and stopper.stop_chunk is not None
                and all(i in done for i in range(stopper.stop_chunk + 1))
            ):
                break
            del result
    except KeyboardInterrupt:
        chunks.close()
        bar.close()
        raise RunInterrupted(partial) from None
    finally:
        chunks.close()
        bar.close()
    wall = time.perf_counter() - t0

    last = stopper.stop_chunk if stopper else len(specs) - 1
    if last is None or not all(i in done for i in range(last + 1)):
        raise RuntimeFault(f"run in {partial} ended with chunks missing; resume it to finish")
    used = list(range(last + 1))
    n_used = specs[last].stop
    try:
        rows = results.merge_parts(partial, used, "chunk", partial / results.OUTCOMES)
        results.merge_parts(partial, used, "events", partial / results.EVENTS)
    except OSError as exc:
        raise RuntimeFault(
            f"cannot write the merged results in {partial}: {exc}. Free space, then continue "
            f"with: crewsim run --resume {partial}"
        ) from exc
    if rows != n_used:
        raise RuntimeFault(f"merged {rows} rows but expected {n_used} replications in {partial}")
    manifest = {
        **_versions(),
        "run_id": state.run_id,
        "scenario": state.scenario_name,
        "scenario_path": state.scenario_path,
        "overrides": state.overrides,
        "primary_return": state.primary_return,
        "epoch": state.epoch,
        "seed": state.seed,
        "replications": n_used,
        "replications_requested": state.replications,
        "backend": backend,
        "workers": info.get("workers"),
        "scheduler": scheduler,
        "chunk_size": state.chunk_size,
        "trace_sample": min(state.trace_sample, n_used),
        "wall_time_s": round(wall, 3),
        "replications_computed": computed,
        "replications_per_s": round(computed / wall, 1) if wall > 0 and computed else None,
        "resumed_replications": resumed_reps,
        "input_hash": state.input_hash,
        "command": state.command,
        "started_utc": state.started_utc,
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "stopping": stopper.record(n_used) if stopper else None,
        "sampling": getattr(compiled, "sampling", "mc"),
        "block_size": getattr(compiled, "block_size", 0),
        "status": "complete",
    }
    final = results.final_path(partial)
    try:
        results.write_json_atomic(partial / results.MANIFEST, manifest)
        os.replace(partial, final)
    except OSError as exc:
        (partial / results.MANIFEST).unlink(missing_ok=True)
        raise RuntimeFault(f"cannot finish the results folder {final}: {exc}") from exc
    shutil.rmtree(final / results.PARTS, ignore_errors=True)
    (final / results.RUN_STATE).unlink(missing_ok=True)
    return final


def _lazy(todo: list[ChunkSpec], wanted: Any) -> Iterator[ChunkSpec]:
    """Chunks in replication order, stopping as soon as the stopping rule is met."""
    for spec in todo:
        if not wanted(spec):
            return
        yield spec
