"""The measurements of the benchmark suite, one function per section.

Each function returns plain numbers (seconds, replications/s, bytes) and the details worth keeping
in the JSON; ``run_benchmarks.py`` turns them into table rows against the targets. Subprocesses run
in the project root with the interpreter of this process, so ``make bench`` measures the venv.
"""

from __future__ import annotations

import math
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = "scenarios/vyzov_2021.yaml"
POLL_S = 0.2


def crewsim_command() -> list[str]:
    """The ``crewsim`` console script next to this interpreter, else ``python -m sim``."""
    script = Path(sys.executable).parent / "crewsim"
    return [str(script)] if script.exists() else [sys.executable, "-m", "sim"]


# --------------------------------------------------------------------------- 1. yardstick
def simpy_timeouts_per_s(timeouts: int = 500_000) -> float:
    """Bare SimPy speed: one process yielding ``timeouts`` times ``env.timeout(1)`` (timeouts/s)."""
    import simpy

    def ticker(env: simpy.Environment):
        timeout = env.timeout
        for _ in range(timeouts):
            yield timeout(1)

    env = simpy.Environment()
    env.process(ticker(env))
    t0 = time.perf_counter()
    env.run()
    return timeouts / (time.perf_counter() - t0)


def yardstick(timeouts: int, repeats: int) -> dict[str, Any]:
    """The median of ``repeats`` yardstick runs (timeouts/s), with every run kept, after one
    untimed tenth-size run (imports, caches, CPU frequency)."""
    simpy_timeouts_per_s(max(1, timeouts // 10))
    runs = [simpy_timeouts_per_s(timeouts) for _ in range(repeats)]
    return {"timeouts": timeouts, "runs_per_s": runs, "timeouts_per_s": statistics.median(runs)}


# --------------------------------------------------------------------------- 2. one process
def serial_model(
    n: int, warmup: int = 10, seed: int = 1, sampling: str | None = None
) -> dict[str, Any]:
    """Replications/s of the baseline in this process: compile once, loop ``simulate_replication``
    (no runner, no Arrow, no disk). ``warmup`` replications run first and are not timed.
    ``sampling`` overrides the scenario's sampling plan (``mc``: the model's own speed)."""
    from sim.model import compile_scenario, simulate_replication
    from sim.model.inputs import set_sampling
    from sim.scenario import load_scenario

    t0 = time.perf_counter()
    compiled = compile_scenario(load_scenario(str(ROOT / BASELINE)))
    compile_s = time.perf_counter() - t0
    if sampling is not None:
        set_sampling(compiled, sampling, compiled.block_size or 50)
    for i in range(warmup):
        simulate_replication(compiled, n + i, seed)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(n):
        simulate_replication(compiled, i, seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return {
        "replications": n,
        "sampling": compiled.sampling,
        "wall_s": wall,
        "replications_per_s": n / wall,
        "cpu_s_per_replication": cpu / n,
        "load_compile_s": compile_s,
    }


# --------------------------------------------------------------------------- 3. backends
def runner_rate(backend: str, workers: int, n: int, trace_sample: int, seed: int = 1) -> dict:
    """Replications/s of ``sim.montecarlo.runner.run`` on ``backend`` (report off, into a temporary folder).

    ``replications_per_s`` is the runner's own figure (manifest: replications over the time from
    the first chunk submitted to the last written, pool or cluster start-up included);
    ``call_wall_s`` is the whole call (scenario load, compile, merge of the parts)."""
    from sim.montecarlo import results
    from sim.montecarlo.runner import run

    with tempfile.TemporaryDirectory(prefix=f"crewsim-bench-{backend}-") as tmp:
        t0 = time.perf_counter()
        out = run(
            str(ROOT / BASELINE),
            n=n,
            seed=seed,
            backend=backend,
            workers=workers,
            out=Path(tmp) / "run",
            trace_sample=trace_sample,
            quiet=True,
        )
        call_wall = time.perf_counter() - t0
        manifest = results.load_manifest(out)
    return {
        "backend": backend,
        "workers": manifest.get("workers"),
        "replications": manifest["replications"],
        "chunk_size": manifest.get("chunk_size"),
        "wall_s": manifest["wall_time_s"],
        "replications_per_s": manifest["replications"] / manifest["wall_time_s"],
        "call_wall_s": call_wall,
    }


# --------------------------------------------------------------------------- process trees
class TreeMemory:
    """Polls a process and all its descendants every ``POLL_S`` s; keeps the peak of the summed
    resident set (RSS, bytes; shared pages counted once per process, so an upper bound) and of the
    summed proportional set (PSS, shared pages split between processes) where the OS reports it."""

    def __init__(self, pid: int, interval_s: float = POLL_S) -> None:
        import psutil

        self._psutil = psutil
        self.root = psutil.Process(pid)
        self.interval_s = interval_s
        self.peak_rss = 0
        self.peak_pss: int | None = None
        self.peak_processes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval_s)

    def sample(self) -> None:
        """One poll of the tree (processes that vanish mid-poll are skipped)."""
        psutil = self._psutil
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        rss = 0
        pss: int | None = 0
        for proc in procs:
            try:
                rss += proc.memory_info().rss
                if pss is not None:
                    full = proc.memory_full_info()
                    pss = pss + full.pss if hasattr(full, "pss") else None
            except psutil.AccessDenied:
                pss = None
            except psutil.Error:
                continue
        self.samples += 1
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_processes = max(self.peak_processes, len(procs))
        if pss is not None:
            self.peak_pss = max(self.peak_pss or 0, pss)


def timed_command(args: list[str], track_memory: bool = False) -> dict[str, Any]:
    """Run a command in the project root; its wall time (s), exit status, output tails and, with
    ``track_memory``, the peak memory of its whole process tree (bytes)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if track_memory:
        with TreeMemory(proc.pid) as mem:
            out, err = proc.communicate()
    else:
        mem = None
        out, err = proc.communicate()
    wall = time.perf_counter() - t0
    result: dict[str, Any] = {
        "command": args,
        "returncode": proc.returncode,
        "wall_s": wall,
        "stdout_tail": out[-2000:],
        "stderr_tail": err[-2000:],
    }
    if mem is not None:
        result.update(
            peak_rss_bytes=mem.peak_rss,
            peak_pss_bytes=mem.peak_pss,
            peak_processes=mem.peak_processes,
            memory_samples=mem.samples,
        )
    return result


def _check_ok(result: dict[str, Any]) -> None:
    if result["returncode"] != 0:
        raise RuntimeError(
            f"{' '.join(result['command'])} exited with {result['returncode']}:\n"
            f"{result['stderr_tail']}"
        )


# --------------------------------------------------------------------------- 4. end to end
def end_to_end(n: int) -> dict[str, Any]:
    """``crewsim run BASELINE -n N --out TMP``: wall time from the command to a complete results
    folder (outcomes, events, manifest with status complete, summary.md, plots)."""
    from sim.montecarlo import results

    with tempfile.TemporaryDirectory(prefix="crewsim-bench-e2e-") as tmp:
        out = Path(tmp) / "run"
        res = timed_command([*crewsim_command(), "run", BASELINE, "-n", str(n), "--out", str(out)])
        _check_ok(res)
        manifest = results.load_manifest(out)
        plots = sorted(p.name for p in (out / "plots").glob("*.png"))
        files = {
            name: (out / name).is_file()
            for name in ("outcomes.parquet", "events.parquet", "manifest.json", "summary.md")
        }
        res.update(
            replications=manifest["replications"],
            runner_wall_s=manifest["wall_time_s"],
            plots=plots,
            files=files,
            complete=manifest.get("status") == "complete" and all(files.values()) and bool(plots),
        )
    return res


# --------------------------------------------------------------------------- 5. scale
def scale(n: int) -> dict[str, Any]:
    """``crewsim run BASELINE -n N --trace-sample 0 --no-report``: wall time and the peak memory
    of the whole process tree (parent, forkserver and workers)."""
    from sim.montecarlo import results

    with tempfile.TemporaryDirectory(prefix="crewsim-bench-scale-") as tmp:
        out = Path(tmp) / "run"
        args = [*crewsim_command(), "run", BASELINE, "-n", str(n), "--out", str(out)]
        args += ["--trace-sample", "0", "--no-report", "--quiet"]
        res = timed_command(args, track_memory=True)
        _check_ok(res)
        manifest = results.load_manifest(out)
        res.update(
            replications=manifest["replications"],
            runner_wall_s=manifest["wall_time_s"],
            workers=manifest.get("workers"),
            replications_per_s=manifest["replications"] / res["wall_s"],
            outcomes_bytes=(out / "outcomes.parquet").stat().st_size,
        )
    return res


# --------------------------------------------------------------------------- 6. start-up
def startup(args: list[str], repeats: int) -> dict[str, Any]:
    """Median wall time (s) of ``repeats`` runs of ``crewsim ARGS`` (each a fresh interpreter)."""
    runs = []
    for _ in range(repeats):
        res = timed_command([*crewsim_command(), *args])
        _check_ok(res)
        runs.append(res["wall_s"])
    return {"command": ["crewsim", *args], "runs_s": runs, "median_s": statistics.median(runs)}


def instruction_cost(replications: int = 1_000, timeouts: int = 100_000) -> dict[str, Any]:
    """Cost of a replication in bare-timeout equivalents by instruction count (callgrind).

    One run of ``instruction_probe.py`` under ``valgrind --tool=callgrind``, which writes its
    counts at three marks: the part between the first two marks is ``replications`` baseline
    replications, the part between the last two ``timeouts`` bare SimPy timeouts, both measured
    apart from the set-up (imports, compiling, warm-up). Unlike wall time, the ratio does not move
    with the machine's load.
    """
    import re
    import shutil
    import tempfile

    valgrind = shutil.which("valgrind")
    if valgrind is None:
        return {"available": False}
    probe = Path(__file__).resolve().parent / "instruction_probe.py"
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [valgrind, "--tool=callgrind", "--dump-before=sched_get_priority_max",
             f"--callgrind-out-file={tmp}/cg", sys.executable, str(probe),
             str(replications), str(timeouts)],
            capture_output=True, text=True, cwd=ROOT, check=True,
        )  # fmt: skip
        parts = {}
        for path in Path(tmp).glob("cg.*"):
            found = re.search(r"^(?:summary|totals):\s*(\d+)", path.read_text(), re.M)
            if found and path.suffix[1:].isdigit():
                parts[int(path.suffix[1:])] = int(found.group(1))
    if sorted(parts)[:3] != [1, 2, 3]:
        raise RuntimeError(f"callgrind wrote no marked parts: {out.stderr[-400:]}")
    per_rep = parts[2] / replications
    per_timeout = parts[3] / timeouts
    return {
        "available": True,
        "instructions": {"set_up": parts[1], "replications": parts[2], "timeouts": parts[3]},
        "instructions_per_replication": per_rep,
        "instructions_per_timeout": per_timeout,
        "replication_cost_timeout_eq": per_rep / per_timeout,
    }


# --------------------------------------------------------------------------- CPU of a process tree
class TreeCPU(TreeMemory):
    """Polls a process tree like :class:`TreeMemory` and also sums the CPU seconds (user +
    system) its processes spent while watched: per process, the last reading minus the first.
    A process that ends between two polls loses at most one interval (``POLL_S``) of CPU."""

    def __init__(self, pid: int, interval_s: float = 0.05) -> None:
        super().__init__(pid, interval_s)
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._baseline = False

    def sample(self) -> None:
        psutil = self._psutil
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        for proc in procs:
            try:
                t = proc.cpu_times()
            except psutil.Error:
                continue
            used = t.user + t.system
            counted_from = used if self._baseline or proc.pid == self.root.pid else 0.0
            self.first.setdefault(proc.pid, counted_from)
            self.last[proc.pid] = used
        self.samples += 1

    def __enter__(self) -> TreeCPU:
        # The CPU spent so far by the processes alive now (this one, and a forkserver or another
        # child left by an earlier measurement) is not this measurement's; a process started
        # during the measurement counts from its start.
        self._baseline = True
        self.sample()
        self._baseline = False
        return super().__enter__()

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        self.sample()

    @property
    def cpu_s(self) -> float:
        return sum(self.last[p] - self.first[p] for p in self.last)


def stop_forkserver() -> None:
    """Stop this process's forkserver, if one runs (the processes backend and a local Dask
    cluster share it), so the next parallel run starts its own and its imports count as that
    run's CPU, as they do when a user runs one backend alone."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # CPython's own test hook
    if stop is not None:
        stop()


def runner_cpu(backend: str, workers: int, n: int, trace_sample: int, seed: int = 1) -> dict:
    """``runner_rate`` with the CPU seconds of this process and all its children (workers,
    forkserver, Dask nannies) while the run lasted: CPU per replication does not move when a
    neighbour on the machine takes cores, so it gives parallel efficiency honestly."""
    import os

    if backend != "serial":
        stop_forkserver()  # each backend starts, and is charged for, a forkserver of its own
    # A serial run has no children to lose CPU of between polls: poll rarely, so the poller's
    # own CPU (in this process) does not count as the runner's.
    with TreeCPU(os.getpid(), interval_s=1.0 if backend == "serial" else 0.05) as cpu:
        res = runner_rate(backend, workers, n, trace_sample, seed)
    res["cpu_s"] = cpu.cpu_s
    res["cpu_s_per_replication"] = cpu.cpu_s / res["replications"]
    return res


# --------------------------------------------------------------------------- variance reduction
def _estimates(args: tuple[str, int, int]) -> dict[str, Any]:
    """One run of ``n`` baseline replications with ``sampling`` and ``seed``.

    The headline figures as the report states them (``sim.report.verdict``): the share in which
    the visitors land on their vehicle on the planned day, and the P80 of their own landing delay
    over the replications in which they fly (h). Then the headline vehicle's own columns: its
    P(landing on the planned day) with its interval half-width, the P80 of its landing delay over
    all replications (never landed = +inf, h) and its mean landing delay where it landed (h)."""
    import numpy as np
    import yaml

    from sim.model import compile_scenario, simulate_replication
    from sim.model.inputs import set_sampling
    from sim.montecarlo import sampling as smp
    from sim.montecarlo.planning import resolved_yaml
    from sim.montecarlo.tables import rows_to_table
    from sim.report.verdict import verdict
    from sim.scenario import load_scenario

    mode, seed, n = args
    scenario = load_scenario(str(ROOT / BASELINE))
    compiled = compile_scenario(scenario)
    set_sampling(compiled, mode)
    rows = [simulate_replication(compiled, i, seed)[0] for i in range(n)]
    df = rows_to_table(rows, compiled.epoch).to_pandas()
    said = verdict(
        df, {"primary_return": compiled.primary}, yaml.safe_load(resolved_yaml(scenario))
    )
    p80 = said.quantile("P80")
    reps = np.arange(n)
    on = np.array([r["landed_on_planned_day"] for r in rows], dtype=float)
    delay = np.array([r["landing_delay_h"] for r in rows], dtype=float)
    delay_inf = np.where(np.isnan(delay), np.inf, delay)
    if mode == "mc":
        p_half = 1.96 * float(np.sqrt(on.mean() * (1 - on.mean()) / n))
    else:
        found = smp.proportion_ci(on, reps, compiled.block_size)
        p_half = (found[2] - found[1]) / 2 if found else float("nan")  # too few blocks
    landed = np.isfinite(delay)
    return {
        "mode": mode,
        "seed": seed,
        "headline_on_time": said.on_day.p,
        "headline_p80_h": p80.delay_d * 24.0,
        "p_on_time": float(on.mean()),
        "p_half": p_half,
        "p80_h": float(np.quantile(delay_inf, 0.8, method="inverted_cdf")),
        "mean_delay_h": float(delay[landed].mean()),
    }


def variance_ratio(seeds: int, n: int, workers: int, modes: tuple[str, ...]) -> dict[str, Any]:
    """Across ``seeds`` seeds, each of ``n`` replications: the variance of each estimate per
    sampling plan and its ratio to plain Monte Carlo's (``mc`` variance / plan's variance)."""
    from concurrent.futures import ProcessPoolExecutor

    jobs = [(m, 1_000 + s, n) for m in modes for s in range(seeds)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        found = list(pool.map(_estimates, jobs))
    out: dict[str, Any] = {"seeds": seeds, "replications": n, "plans": {}}
    for mode in modes:
        mine = [f for f in found if f["mode"] == mode]

        def values(key: str, mine: list[dict[str, Any]] = mine) -> list[float]:
            return [f[key] for f in mine]

        plan: dict[str, Any] = {}
        for label, key in (
            ("headline_on_time", "headline_on_time"),
            ("headline_p80", "headline_p80_h"),
            ("p_on_time", "p_on_time"),
            ("p80_delay", "p80_h"),
            ("mean_delay", "mean_delay_h"),
        ):
            plan[f"{label}_mean"] = statistics.fmean(values(key))
            plan[f"{label}_var"] = statistics.variance(values(key))
        plan["headline_p80_values_h"] = sorted(set(values("headline_p80_h")))
        plan["p80_delay_values_h"] = sorted(set(values("p80_h")))
        plan["p_on_time_mean_half_width"] = statistics.fmean(values("p_half"))
        out["plans"][mode] = plan
    base = out["plans"]["mc"]
    keys = ("headline_on_time_var", "headline_p80_var", "p_on_time_var", "p80_delay_var")
    for stats_ in out["plans"].values():
        for key in (*keys, "mean_delay_var"):
            mine_var = stats_[key]
            ratio = (
                base[key] / mine_var
                if mine_var > 0
                else (math.inf if base[key] > 0 else None)  # None: both zero (an atom)
            )
            stats_[key.replace("_var", "_ratio")] = ratio
    return out
