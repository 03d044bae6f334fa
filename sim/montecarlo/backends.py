"""Where chunks of replications run: in this process, in local worker processes, or on Dask.

A chunk is a contiguous range of replication numbers. ``compute_chunk`` runs one chunk and turns its
rows into an Arrow table, in the worker, so only a compact table travels back. Every backend yields
``ChunkResult``s as chunks finish (in any order), keeping at most a bounded number of chunks in
flight, so memory stays flat however many replications a run has. Each worker receives the compiled
scenario once (a pool initializer, or a Dask future broadcast to every worker), never per chunk.

A replication that raises does not raise in the worker: the chunk comes back with a
``ReplicationFailure`` (replication number, error, traceback), so Dask does not retry a
deterministic failure and the runner can say how to reproduce it. Only infrastructure faults (a
worker that dies) are retried by Dask (``retries=2``); tasks are pure functions of their arguments,
so a recomputed chunk is identical.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, wait
from dataclasses import dataclass
from typing import Any

from sim.errors import CrewsimError, RuntimeFault

BACKENDS = ("serial", "processes", "dask")
SCHEDULER_TIMEOUT_S = 10

# simulate(compiled, replication, seed, trace) -> (row dict, list of event tuples)
Simulate = Callable[[Any, int, int, bool], tuple[dict[str, Any], list[tuple[Any, ...]]]]


@dataclass(frozen=True)
class ChunkSpec:
    """Chunk number ``index`` covers replications ``start`` (inclusive) to ``stop`` (exclusive)."""

    index: int
    start: int
    stop: int

    @property
    def size(self) -> int:
        return self.stop - self.start


@dataclass(frozen=True)
class ReplicationFailure:
    """Why a chunk could not be completed; ``replication`` is None for a chunk-level fault."""

    replication: int | None
    error: str
    traceback: str


@dataclass
class ChunkResult:
    """The outcome table of one chunk, its sampled events (or None) and how long it took (s)."""

    spec: ChunkSpec
    table: Any = None  # pyarrow.Table
    events: Any = None  # pyarrow.Table | None
    failure: ReplicationFailure | None = None
    elapsed_s: float = 0.0


def compute_chunk(
    compiled: Any, simulate: Simulate, spec: ChunkSpec, seed: int, trace_sample: int
) -> ChunkResult:
    """Run the replications of ``spec``; replication ``i`` is traced when ``i < trace_sample``."""
    from sim.montecarlo.results import events_to_table, rows_to_table

    t0 = time.perf_counter()
    rows: list[dict[str, Any]] = []
    events: list[tuple[Any, ...]] = []
    for i in range(spec.start, spec.stop):
        try:
            row, ev = simulate(compiled, i, seed, i < trace_sample)
        except Exception as exc:
            return ChunkResult(
                spec,
                failure=ReplicationFailure(
                    i, f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=-8)
                ),
            )
        rows.append(row)
        if ev:
            events.extend(ev)
    epoch = getattr(compiled, "epoch")  # noqa: B009 - a documented attribute of compiled scenarios
    try:
        table = rows_to_table(rows, epoch)
        ev_table = events_to_table(events, epoch) if events else None
    except RuntimeFault as exc:
        return ChunkResult(spec, failure=ReplicationFailure(None, str(exc), ""))
    return ChunkResult(spec, table, ev_table, None, time.perf_counter() - t0)


def available_cores() -> int:
    """Cores this process may run on (respects CPU affinity, e.g. in containers and batch jobs)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


# --------------------------------------------------------------------------- serial
def run_serial(
    compiled: Any, simulate: Simulate, specs: Iterable[ChunkSpec], seed: int, trace_sample: int
) -> Iterator[ChunkResult]:
    """Chunks one after the other in this process (debugging, profiling, tiny runs)."""
    for spec in specs:
        yield compute_chunk(compiled, simulate, spec, seed, trace_sample)


# --------------------------------------------------------------------------- processes
_WORKER: dict[str, Any] = {}


#: Seconds between a worker's checks that the run's main process is still alive.
PARENT_POLL_S = 0.5

#: Modules every worker process needs, imported once in the forkserver that forks the workers
#: (``__main__`` is multiprocessing's own default). Each worker then starts with them loaded
#: instead of importing them itself: about a second of CPU per worker (SciPy, the model), a few
#: per cent of a 40,000-replication run on two workers. ``scipy.special`` is imported by the
#: model's draws when a worker rebuilds them, not with the model. Not pyarrow: importing it
#: starts a thread (jemalloc's), and a process with threads must not fork; each worker imports it.
WORKER_PRELOAD = ("__main__", "sim.model", "scipy.special", "sim.montecarlo.backends")


def worker_start_method(*extra_preload: str) -> str:
    """How local worker processes start: ``forkserver`` where the platform has it, else ``spawn``.

    The forkserver imports ``WORKER_PRELOAD`` (and ``extra_preload``) once, and every worker
    forked from it starts with them loaded. There is one forkserver per process: the processes
    backend and a local Dask cluster share it, with the preload of whichever starts it first.
    """
    import multiprocessing as mp

    if "forkserver" not in mp.get_all_start_methods():
        return "spawn"
    # Takes effect when the forkserver starts; a later call replaces the list until then.
    mp.set_forkserver_preload([*WORKER_PRELOAD, *extra_preload])
    return "forkserver"


def _init_worker(compiled: Any, simulate: Simulate, parent_pid: int | None = None) -> None:
    """Pool initializer: keep the compiled scenario for every chunk this worker runs.

    Ctrl-C is left to the parent, which stops the pool and keeps finished chunks. A watchdog
    thread ends the worker within ``PARENT_POLL_S`` seconds of the death of the run's main
    process (``parent_pid``; the worker's own parent is the forkserver), so a killed run leaves
    no process behind.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER["compiled"] = compiled
    _WORKER["simulate"] = simulate
    if parent_pid is not None:
        import threading

        threading.Thread(
            target=_exit_with_parent, args=(parent_pid,), name="crewsim-watchdog", daemon=True
        ).start()


def _exit_with_parent(parent_pid: int) -> None:
    """End this process as soon as ``parent_pid`` is gone (or has become a zombie)."""
    while True:
        time.sleep(PARENT_POLL_S)
        if not _alive(parent_pid):
            os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user took the number: ours is gone
        return False
    try:  # a killed parent whose own parent has not reaped it yet is a zombie: gone too
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _pool_chunk(spec: ChunkSpec, seed: int, trace_sample: int) -> ChunkResult:
    return compute_chunk(_WORKER["compiled"], _WORKER["simulate"], spec, seed, trace_sample)


def _bounded(
    submit: Callable[[ChunkSpec], Future], specs: Iterable[ChunkSpec], in_flight: int
) -> Iterator[Future]:
    """Submit chunks in order, at most ``in_flight`` at a time; yield futures as they finish."""
    it = iter(specs)
    pending: set[Future] = set()
    try:
        for spec in it:
            pending.add(submit(spec))
            if len(pending) >= in_flight:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                yield fut
                nxt = next(it, None)
                if nxt is not None:
                    pending.add(submit(nxt))
    finally:
        for fut in pending:
            fut.cancel()


def run_processes(
    compiled: Any,
    simulate: Simulate,
    specs: Iterable[ChunkSpec],
    seed: int,
    trace_sample: int,
    workers: int,
) -> Iterator[ChunkResult]:
    """Chunks on ``workers`` local processes (concurrent.futures), results as they finish."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=mp.get_context(worker_start_method()),
        initializer=_init_worker,
        initargs=(compiled, simulate, os.getpid()),
    )
    clean = False
    try:
        futures = _bounded(
            lambda s: pool.submit(_pool_chunk, s, seed, trace_sample), specs, 2 * workers
        )
        for fut in futures:
            try:
                yield fut.result()
            except BrokenProcessPool as exc:
                raise RuntimeFault(
                    f"a worker process died unexpectedly (out of memory or killed?): {exc}"
                ) from exc
        clean = True
    finally:
        if clean:
            pool.shutdown(wait=True)
        else:  # interrupted, failed or abandoned: stop now, do not wait for running chunks
            procs = list((getattr(pool, "_processes", None) or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.join(timeout=5)


# --------------------------------------------------------------------------- dask
def _connect(dd: Any, scheduler: str) -> Any:
    """A client of the scheduler at ``scheduler``, or CrewsimError within about
    ``SCHEDULER_TIMEOUT_S`` seconds, whatever listens there.

    ``Client(timeout=...)`` bounds the connection, not the handshake: a server that accepts TCP
    but never answers (or answers garbage) would hold it for ever, so the whole start-up runs in
    a helper thread that the caller stops waiting for.
    """
    import threading

    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            client = dd.Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT_S}s")
            client.nthreads()  # a real scheduler answers this at once
            box["client"] = client
        except BaseException as exc:  # noqa: BLE001 - reported below, whatever it is
            box["error"] = exc

    thread = threading.Thread(target=connect, name="crewsim-dask-connect", daemon=True)
    thread.start()
    thread.join(SCHEDULER_TIMEOUT_S + 2)
    if "client" in box:
        return box["client"]
    exc = box.get("error")
    why = f"{type(exc).__name__}: {exc}" if exc is not None else "no answer"
    raise CrewsimError(
        f"cannot reach the Dask scheduler at {scheduler} within {SCHEDULER_TIMEOUT_S} s ({why}); "
        "check the address (tcp://HOST:PORT) and that a Dask scheduler is running there, or drop "
        "--scheduler to start a local cluster"
    )


def local_cluster(dd: Any, workers: int) -> Any:
    """A Dask LocalCluster of ``workers`` single-threaded processes on 127.0.0.1.

    The nannies start their workers from the forkserver, which imports Dask and the model once for
    all of them: about 1.4 s less CPU per run on two workers than Dask's default start, spawn
    (measured with the benchmark's process-tree CPU). Dask sets a preload of its own the first
    time it makes a forkserver context; the model's is set after it.
    """
    import dask
    from distributed.utils import get_mp_context

    method = worker_start_method()
    with dask.config.set({"distributed.worker.multiprocessing-method": method}):
        if method == "forkserver":
            get_mp_context()
            worker_start_method("distributed")
        return dd.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # any free port: no clash with a running cluster
        )


def run_dask(
    compiled: Any,
    simulate: Simulate,
    specs: Iterable[ChunkSpec],
    seed: int,
    trace_sample: int,
    workers: int | None,
    scheduler: str | None,
    key_prefix: str,
    on_connect: Callable[[int], None] | None = None,
) -> Iterator[ChunkResult]:
    """Chunks on a Dask cluster: the one at ``scheduler`` (``tcp://host:port``), or a LocalCluster of
    ``workers`` single-threaded processes on 127.0.0.1 started for this run and closed after it.

    ``on_connect`` receives the cluster's number of worker threads once connected.
    """
    import dask.distributed as dd

    cluster = None
    if scheduler:
        client = _connect(dd, scheduler)
    else:
        cluster = local_cluster(dd, workers or available_cores())
        client = dd.Client(cluster)
    futures: list[Any] = []
    try:
        nthreads = sum(client.nthreads().values()) or (workers or 1)  # connected: answers quickly
        if on_connect:
            on_connect(nthreads)
        compiled_f = client.scatter(compiled, broadcast=True, hash=False)
        it = iter(specs)
        ac = dd.as_completed()

        spec_of: dict[Any, ChunkSpec] = {}
        resubmitted: dict[int, int] = {}

        def submit(spec: ChunkSpec) -> None:
            again = resubmitted.get(spec.index, 0)
            fut = client.submit(
                compute_chunk,
                compiled_f,
                simulate,
                spec,
                seed,
                trace_sample,
                key=f"{key_prefix}-{spec.index:06d}" + (f"-again{again}" if again else ""),
                pure=True,
                retries=2,
            )
            spec_of[fut.key] = spec
            futures.append(fut)
            ac.add(fut)

        for spec in it:
            submit(spec)
            if ac.count() >= 2 * nthreads:
                break
        for fut in ac:
            spec = spec_of.pop(fut.key)
            futures.remove(fut)
            try:
                result = fut.result()
            except CancelledError as exc:  # the scheduler lost the task (a worker or the
                # client's heartbeat died under load): chunks are pure, so run it again
                fut.release()
                resubmitted[spec.index] = resubmitted.get(spec.index, 0) + 1
                if resubmitted[spec.index] > 2:
                    raise RuntimeFault(
                        f"the Dask cluster lost chunk {spec.index} three times ({exc}); "
                        "check the cluster, then resume the run"
                    ) from exc
                submit(spec)
                continue
            fut.release()
            yield result
            nxt = next(it, None)
            if nxt is not None:
                submit(nxt)
    finally:
        if futures:
            client.cancel(futures)
        client.close()
        if cluster is not None:
            cluster.close()
