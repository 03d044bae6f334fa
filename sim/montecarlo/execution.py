"""Executing a planned run: the chunks not yet on disk go to a backend, each finished chunk is
written at once as a Parquet part (the durable record a resume starts from) and appended to
``outcomes.parquet`` as soon as the chunks before it are in (:mod:`.outcome_stream`); when all are
done the manifest is written last and the ``.partial`` folder is renamed to its final name.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.errors import Interrupted, RuntimeFault
from sim.montecarlo import results
from sim.montecarlo.backends import (
    ChunkResult,
    ChunkSpec,
    Simulate,
    available_cores,
    run_dask,
    run_processes,
    run_serial,
)
from sim.montecarlo.lock import LOCK_NAME
from sim.montecarlo.outcome_stream import OutcomeStream
from sim.montecarlo.planning import RunState, plan_chunks, versions
from sim.montecarlo.stopping import Precision, _Stopper


class RunInterrupted(Interrupted):
    """The run was stopped with Ctrl-C; finished chunks are on disk in ``run_dir``."""

    exit_status = 130

    def __init__(self, run_dir: Path) -> None:
        super().__init__(
            f"interrupted; finished chunks are kept in {run_dir}. "
            f"Resume with: crewsim run --resume {run_dir}"
        )
        self.run_dir = run_dir


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
    debug = os.environ.get("CREWSIM_DEBUG")
    tb = f"\n{f.traceback.rstrip()}" if f.traceback and debug else ""
    return (
        f"{head}\nFinished chunks are kept in {partial}; after a fix, continue with: "
        f"crewsim run --resume {partial}{tb}"
    )


def execute(
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
    from tqdm import tqdm

    specs = plan_chunks(state.replications, state.chunk_size)
    identity = state.identity()
    done, discarded = _usable_parts(partial, specs, identity, quiet)
    blocks = compiled.block_size if getattr(compiled, "sampling", "mc") != "mc" else 0
    stopper = _Stopper(stop_rule, len(specs), blocks) if stop_rule else None
    if stopper:
        for k in sorted(done):
            stopper.add(k, results.read_part(results.part_path(partial, k), [stop_rule.column]))

    def wanted(spec: ChunkSpec) -> bool:
        return spec.index not in done and (stopper is None or stopper.stop_chunk is None)

    outcomes = OutcomeStream(partial, specs)

    def write_outcomes(fresh: tuple[int, Any] | None = None) -> None:
        try:
            outcomes.advance(done, stopper.stop_chunk if stopper else None, fresh)
        except OSError as exc:
            raise RuntimeFault(
                f"cannot write {results.OUTCOMES} in {partial}: {exc}. Free space or fix "
                f"permissions, then continue with: crewsim run --resume {partial}"
            ) from exc

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
        write_outcomes()  # the chunks already on disk (a resumed run)
        for result in chunks:
            if result.failure is not None:
                raise RuntimeFault(_failure_message(state, partial, result))
            k = result.spec.index
            if stopper:
                stopper.add(k, result.table)
            try:
                spec = result.spec
                if result.events is not None:
                    results.write_part_atomic(
                        results.part_path(partial, k, "events"),
                        results.tag_part(result.events, identity, spec.start, spec.stop),
                    )
                results.write_part_atomic(
                    results.part_path(partial, k),
                    results.tag_part(result.table, identity, spec.start, spec.stop),
                )
            except OSError as exc:
                raise RuntimeFault(
                    f"cannot write chunk {k} to {partial}: {exc}. Free space or fix permissions, "
                    f"then continue with: crewsim run --resume {partial}"
                ) from exc
            done.add(k)
            write_outcomes((k, result.table))
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
        outcomes.discard()
        raise RunInterrupted(partial) from None
    except BaseException:
        outcomes.discard()
        raise
    finally:
        chunks.close()
        bar.close()
    wall = time.perf_counter() - t0

    last = stopper.stop_chunk if stopper else len(specs) - 1
    if last is None or not all(i in done for i in range(last + 1)):
        outcomes.discard()
        raise RuntimeFault(f"run in {partial} ended with chunks missing; resume it to finish")
    used = list(range(last + 1))
    n_used = specs[last].stop
    try:
        rows = outcomes.finish(used)
        results.merge_parts(partial, used, "events", partial / results.EVENTS)
    except OSError as exc:
        raise RuntimeFault(
            f"cannot write the merged results in {partial}: {exc}. Free space, then continue "
            f"with: crewsim run --resume {partial}"
        ) from exc
    if rows != n_used:
        raise RuntimeFault(f"merged {rows} rows but expected {n_used} replications in {partial}")
    manifest = {
        **versions(),
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
        "parts_recomputed": discarded,
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
    results.remove_temporary_files(partial)
    (partial / LOCK_NAME).unlink(missing_ok=True)  # the lock stays held through our open file
    try:
        results.write_json_atomic(partial / results.MANIFEST, manifest)
        os.replace(partial, final)
    except OSError as exc:
        (partial / results.MANIFEST).unlink(missing_ok=True)
        raise RuntimeFault(f"cannot finish the results folder {final}: {exc}") from exc
    shutil.rmtree(final / results.PARTS, ignore_errors=True)
    (final / results.RUN_STATE).unlink(missing_ok=True)
    return final


def _usable_parts(
    partial: Path, specs: list[ChunkSpec], identity: dict[str, Any], quiet: bool
) -> tuple[set[int], list[str]]:
    """The chunks whose parts on disk are this run's, complete and of the right range; any other
    part (truncated, empty, copied from another chunk or another run) is deleted, to be
    recomputed. Returns the usable chunk numbers and what was discarded, and why."""
    by_index = {s.index: s for s in specs}
    done: set[int] = set()
    discarded: list[str] = []
    for k in sorted(results.finished_chunks(partial)):
        spec = by_index.get(k)
        paths = [results.part_path(partial, k), results.part_path(partial, k, "events")]
        problem = "is beyond the run's replications" if spec is None else None
        for path in paths:
            if problem is None and path.exists():
                problem = results.part_problem(path, identity, spec.start, spec.stop)
                if problem:
                    problem = f"{path.name} {problem}"
        if problem is None:
            done.add(k)
            continue
        discarded.append(problem)
        for path in paths:
            path.unlink(missing_ok=True)
        if not quiet:
            print(f"crewsim: recomputing chunk {k}: {problem}", file=sys.stderr)
    return done, discarded


def _lazy(todo: list[ChunkSpec], wanted: Any) -> Iterator[ChunkSpec]:
    """Chunks in replication order, stopping as soon as the stopping rule is met."""
    for spec in todo:
        if not wanted(spec):
            return
        yield spec
