"""Benchmark suite of crewsim: how fast the baseline runs, in one process, in parallel, end to end,
at a million replications, and how fast the command starts.

    python benchmarks/run_benchmarks.py            # the full suite (``make bench``; minutes)
    python benchmarks/run_benchmarks.py --quick    # tiny sizes (the smoke test)
    python benchmarks/run_benchmarks.py --only serial --only startup

Every speed is also given against a yardstick measured in the same run, the bare speed of SimPy on
this machine (one process yielding ``env.timeout(1)``, in timeouts/s): a rate becomes the cost of a
replication in bare-timeout equivalents (yardstick / rate), a wall time becomes millions of
bare-timeout equivalents (time x yardstick / 1e6), so figures compare across noisy machines.

Prints a table (measure, value, unit, normalised, target, status) and writes every figure, the
machine and the command line to ``results/bench/<date>.json`` (``<date>-quick.json`` with
``--quick``). Exits 0 when targets are missed (it is a measurement; MISSED is printed), 1 when a
section could not be measured.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys
import traceback
from dataclasses import asdict, dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

import bench_measures as bm  # noqa: E402

SECTIONS = ("serial", "parallel", "e2e", "scale", "startup", "instructions", "variance")
#: Sections left out of ``--quick`` unless named with ``--only`` (they take minutes).
SLOW_SECTIONS = ("instructions", "variance")
#: Targets (issue 16): replication cost in bare-timeout equivalents, by instruction count and by
#: wall clock in one process; what the runner adds; the million-replication run; variance ratios.
INSTRUCTION_COST_TARGET = 180
WALL_COST_TARGET = 350
RUNNER_OVERHEAD_PCT_TARGET = 10
MILLION_WALL_S_TARGET = 240
VARIANCE_RATIO_TARGET = 3
GB = 1e9


@dataclass(frozen=True)
class Sizes:
    """How much work each section does (the full suite, or ``--quick``)."""

    yardstick_timeouts: int
    yardstick_repeats: int
    serial_replications: int
    parallel_replications: int
    trace_sample: int
    e2e_replications: int
    scale_replications: tuple[int, ...]
    startup_repeats: int
    variance_seeds: int = 30
    variance_replications: int = 2_000


FULL = Sizes(500_000, 3, 2_000, 40_000, 5, 10_000, (100_000, 1_000_000), 5)
QUICK = Sizes(100_000, 1, 50, 200, 2, 100, (200, 1_000), 2, 4, 200)


@dataclass
class Row:
    """One line of the table: a measure, its value and unit, its normalised value and its target
    (``op`` is "<=", "<" or ">=", ``limit`` in the measure's unit; None when there is none)."""

    name: str
    section: str
    value: float | None
    unit: str
    normalised: float | None = None
    normalised_unit: str = ""
    op: str | None = None
    limit: float | None = None
    status: str = "-"

    def judge(self) -> Row:
        """Set ``status`` to ok / MISSED against the target (``-`` without one)."""
        if self.op is None or self.limit is None or self.value is None:
            return self
        met = {
            "<=": self.value <= self.limit,
            "<": self.value < self.limit,
            ">=": self.value >= self.limit,
        }[self.op]
        self.status = "ok" if met else "MISSED"
        return self

    @property
    def target(self) -> str:
        return "" if self.op is None else f"{self.op} {self.limit:g}"


# --------------------------------------------------------------------------- helpers
def cost(rate: float, yard: float) -> float:
    """The cost of one item in bare-timeout equivalents (yardstick rate / rate)."""
    return yard / rate


def mteq(seconds: float, yard: float) -> float:
    """A wall time in millions of bare-timeout equivalents."""
    return seconds * yard / 1e6


def machine() -> dict[str, Any]:
    """Cores, interpreter, library versions and load of the machine the figures come from."""
    from sim.montecarlo.backends import available_cores

    info: dict[str, Any] = {
        "cores_logical": os.cpu_count(),
        "cores_available": available_cores(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "load_average_1_5_15": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    for pkg in ("crewsim", "numpy", "simpy", "pandas", "pyarrow", "dask", "distributed", "psutil"):
        try:
            info[pkg] = version(pkg)
        except PackageNotFoundError:
            info[pkg] = None
    try:
        import psutil

        info["memory_total_bytes"] = psutil.virtual_memory().total
        info["cores_physical"] = psutil.cpu_count(logical=False)
    except ImportError:
        pass
    return info


# --------------------------------------------------------------------------- sections
def run_serial(sizes: Sizes, yard: float, details: dict[str, Any]) -> list[Row]:
    """The model alone in this process: its cost with plain Monte Carlo sampling (the target;
    as the instruction count), and its speed with the scenario's own sampling plan (what the
    runner's overhead is measured against)."""
    mc = details["serial_mc"] = bm.serial_model(sizes.serial_replications, sampling="mc")
    res = details["serial"] = bm.serial_model(sizes.serial_replications)
    rate = res["replications_per_s"]
    return [
        Row("serial.replications_per_s", "serial", mc["replications_per_s"], "rep/s",
            cost(mc["replications_per_s"], yard), "timeout-eq"),
        Row("serial.replication_cost", "serial", cost(mc["replications_per_s"], yard),
            "timeout-eq", op="<=", limit=WALL_COST_TARGET),
        Row("serial.scenario_sampling.replications_per_s", "serial", rate, "rep/s",
            cost(rate, yard), "timeout-eq"),
        Row("serial.load_compile_s", "serial", res["load_compile_s"], "s"),
    ]  # fmt: skip


def run_parallel(sizes: Sizes, yard: float, details: dict[str, Any], workers: int) -> list[Row]:
    """Runner rates, what the runner adds to the in-process model, and parallel efficiency as CPU
    seconds per replication of the whole process tree, serial over parallel (a busy neighbour
    slows the wall clock, not the CPU seconds)."""
    n, k = sizes.parallel_replications, sizes.trace_sample
    base = details["runner_serial"] = bm.runner_cpu("serial", 1, n, k)
    rows = [
        Row(
            "runner.serial.replications_per_s",
            "parallel",
            base["replications_per_s"],
            "rep/s",
            cost(base["replications_per_s"], yard),
            "timeout-eq",
        ),
        Row("runner.serial.cpu_ms_per_replication", "parallel",
            1e3 * base["cpu_s_per_replication"], "ms"),
    ]  # fmt: skip
    model = details.get("serial")
    if model:  # same run: the model alone in one process vs the serial runner (Arrow, Parquet)
        # CPU seconds per replication, as the efficiencies: a neighbour taking the core during
        # one of the two measurements does not move it. The runner's include the whole call
        # (scenario load and compile, both Parquet files, the manifest).
        overhead = 100.0 * (base["cpu_s_per_replication"] / model["cpu_s_per_replication"] - 1)
        base["overhead_pct_vs_model"] = overhead
        base["wall_overhead_pct_vs_model"] = 100.0 * (
            model["replications_per_s"] / base["replications_per_s"] - 1.0
        )
        rows.append(Row("runner.serial.overhead", "parallel", overhead, "%", op="<=",
                        limit=RUNNER_OVERHEAD_PCT_TARGET))  # fmt: skip
        rows.append(Row("runner.serial.wall_overhead", "parallel",
                        base["wall_overhead_pct_vs_model"], "%"))  # fmt: skip
    for backend, target in (("processes", 85.0), ("dask", 75.0)):
        res = details[f"runner_{backend}"] = bm.runner_cpu(backend, workers, n, k)
        rate = res["replications_per_s"]
        eff = 100.0 * base["cpu_s_per_replication"] / res["cpu_s_per_replication"]
        res["efficiency_pct"] = eff
        res["wall_efficiency_pct"] = 100.0 * rate / (base["replications_per_s"] * workers)
        rows += [
            Row(f"runner.{backend}.replications_per_s", "parallel", rate, "rep/s",
                cost(rate, yard), "timeout-eq"),
            Row(f"runner.{backend}.cpu_ms_per_replication", "parallel",
                1e3 * res["cpu_s_per_replication"], "ms"),
            Row(f"runner.{backend}.efficiency", "parallel", eff, "%", op=">=", limit=target),
            Row(f"runner.{backend}.wall_efficiency", "parallel", res["wall_efficiency_pct"], "%"),
        ]  # fmt: skip
    return rows


def run_e2e(sizes: Sizes, yard: float, details: dict[str, Any]) -> list[Row]:
    res = details["e2e"] = bm.end_to_end(sizes.e2e_replications)
    wall = res["wall_s"] if res["complete"] else None
    return [
        Row("e2e.wall_s", "e2e", wall, "s", mteq(res["wall_s"], yard), "Mtimeout-eq", "<", 15.0),
        Row("e2e.plots", "e2e", len(res["plots"]), "files"),
    ]


def run_scale(sizes: Sizes, yard: float, details: dict[str, Any]) -> list[Row]:
    rows: list[Row] = []
    peaks = []
    for n in sizes.scale_replications:
        res = details[f"scale_{n}"] = bm.scale(n)
        peaks.append(res["peak_rss_bytes"])
        rate = res["replications_per_s"]
        rows += [
            Row(f"scale.{n}.wall_s", "scale", res["wall_s"], "s",
                mteq(res["wall_s"], yard), "Mtimeout-eq",
                *(("<", MILLION_WALL_S_TARGET) if n == 1_000_000 else (None, None))),
            Row(f"scale.{n}.replications_per_s", "scale", rate, "rep/s",
                cost(rate, yard), "timeout-eq"),
            Row(f"scale.{n}.peak_rss_tree", "scale", res["peak_rss_bytes"] / GB, "GB",
                op="<", limit=1.5),
            Row(f"scale.{n}.peak_pss_tree", "scale",
                None if res["peak_pss_bytes"] is None else res["peak_pss_bytes"] / GB, "GB"),
        ]  # fmt: skip
    if len(peaks) >= 2 and min(peaks) > 0:
        rows.append(
            Row("scale.peak_rss_ratio_largest_smallest", "scale", peaks[-1] / peaks[0], "x")
        )
    return rows


def run_instructions(sizes: Sizes, yard: float, details: dict[str, Any]) -> list[Row]:
    res = details["instructions"] = bm.instruction_cost()
    if not res["available"]:
        return [
            Row(
                "instructions.replication_cost",
                "instructions",
                None,
                "timeout-eq",
                status="skipped",
            )
        ]
    return [
        Row("instructions.per_replication", "instructions", res["instructions_per_replication"], "instr"),
        Row("instructions.per_timeout", "instructions", res["instructions_per_timeout"], "instr"),
        Row("instructions.replication_cost", "instructions", res["replication_cost_timeout_eq"],
            "timeout-eq", op="<=", limit=INSTRUCTION_COST_TARGET),
    ]  # fmt: skip


def run_variance(sizes: Sizes, yard: float, details: dict[str, Any], workers: int) -> list[Row]:
    """Variance across seeds, per sampling plan, as a ratio to plain Monte Carlo's: of the
    report's headline figures (the visitors' share on the planned day and the P80 of their own
    landing delay; these carry the target), then of the headline vehicle's own columns (its share
    on the planned day, its P80 over all replications, its mean landing delay)."""
    res = details["variance"] = bm.variance_ratio(
        sizes.variance_seeds, sizes.variance_replications, workers, ("mc", "stratified", "lhs")
    )
    targeted = ("headline_on_time_ratio", "headline_p80_ratio")
    rows = []
    for mode, st in res["plans"].items():
        rows += [
            Row(f"variance.{mode}.headline_on_time_var", "variance", st["headline_on_time_var"],
                "p^2"),
            Row(f"variance.{mode}.headline_p80_var", "variance", st["headline_p80_var"], "h^2"),
            Row(f"variance.{mode}.p_on_time_var", "variance", st["p_on_time_var"], "p^2"),
            Row(f"variance.{mode}.p80_delay_var", "variance", st["p80_delay_var"], "h^2"),
        ]  # fmt: skip
        if mode == "mc":
            continue
        for key in (*targeted, "p_on_time_ratio", "p80_delay_ratio", "mean_delay_ratio"):
            ratio = st[key]
            status = "both 0" if ratio is None else "-"
            row = Row(f"variance.{mode}.{key}", "variance", ratio, "x", status=status)
            if key in targeted and ratio is not None:
                row.op, row.limit = ">=", VARIANCE_RATIO_TARGET
            rows.append(row.judge())
    return rows


def run_startup(sizes: Sizes, yard: float, details: dict[str, Any]) -> list[Row]:
    helped = details["startup_help"] = bm.startup(["--help"], sizes.startup_repeats)
    valid = details["startup_validate"] = bm.startup(
        ["validate", bm.BASELINE], sizes.startup_repeats
    )
    return [
        Row("startup.help_s", "startup", helped["median_s"], "s"),
        Row("startup.validate_s", "startup", valid["median_s"], "s", op="<", limit=0.5),
    ]


# --------------------------------------------------------------------------- output
def format_table(rows: list[Row]) -> str:
    """The table of measures as aligned text."""

    def num(x: float | None) -> str:
        if x is None:
            return "n/a"
        return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"

    head = ("measure", "value", "unit", "normalised", "target", "status")
    lines = [
        (
            r.name,
            num(r.value),
            r.unit,
            f"{num(r.normalised)} {r.normalised_unit}" if r.normalised is not None else "",
            r.target,
            r.status,
        )
        for r in rows
    ]
    widths = [max(len(str(x[i])) for x in [head, *lines]) for i in range(len(head))]
    fmt = "  ".join(f"{{:{'>' if i in (1,) else '<'}{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*line) for line in lines]
    return "\n".join(out)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny sizes (seconds; for the tests)")
    p.add_argument(
        "--only",
        action="append",
        choices=SECTIONS,
        metavar="NAME",
        help=f"run only this section (repeatable; one of {', '.join(SECTIONS)}); "
        "the yardstick always runs",
    )
    p.add_argument("--workers", type=int, default=2, help="workers of the parallel backends")
    p.add_argument(
        "--out", default=None, metavar="DIR", help="folder of the JSON (default results/bench)"
    )
    p.add_argument(
        "--scale-sizes",
        type=lambda s: tuple(int(x) for x in s.split(",")),
        metavar="N1,N2",
        help="replications of the scale runs (default 100000,1000000)",
    )
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections, print the table, write the JSON; 0 unless a section failed."""
    args = parse_args(argv)
    sizes = QUICK if args.quick else FULL
    if args.scale_sizes:
        sizes = Sizes(**{**asdict(sizes), "scale_replications": args.scale_sizes})
    sections = [
        s
        for s in SECTIONS
        if (s in args.only if args.only else not (args.quick and s in SLOW_SECTIONS))
    ]
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg() if hasattr(os, "getloadavg") else None

    details: dict[str, Any] = {}
    errors: dict[str, str] = {}
    yard = bm.yardstick(sizes.yardstick_timeouts, sizes.yardstick_repeats)
    rows = [Row("yardstick.simpy_timeouts_per_s", "yardstick", yard["timeouts_per_s"], "1/s")]
    y = yard["timeouts_per_s"]
    runners = {
        "serial": lambda: run_serial(sizes, y, details),
        "parallel": lambda: run_parallel(sizes, y, details, args.workers),
        "e2e": lambda: run_e2e(sizes, y, details),
        "scale": lambda: run_scale(sizes, y, details),
        "startup": lambda: run_startup(sizes, y, details),
        "instructions": lambda: run_instructions(sizes, y, details),
        "variance": lambda: run_variance(sizes, y, details, args.workers),
    }
    for name in sections:
        print(f"[bench] {name} ...", file=sys.stderr, flush=True)
        try:
            rows += [r.judge() for r in runners[name]()]
        except Exception as exc:  # record and carry on: the other sections still measure
            errors[name] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=-4)}"
            rows.append(Row(f"{name}.error", name, None, "", status="ERROR"))
    after = bm.yardstick(sizes.yardstick_timeouts, 1)
    yard["after_timeouts_per_s"] = after["timeouts_per_s"]

    missed = [r.name for r in rows if r.status == "MISSED"]
    report = {
        "date": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": shlex.join([sys.executable, *sys.argv]),
        "argv": sys.argv if argv is None else ["run_benchmarks.py", *argv],
        "quick": args.quick,
        "sections": sections,
        "sizes": asdict(sizes),
        "workers": args.workers,
        "machine": {**machine(), "load_average_before": load_before},
        "yardstick": yard,
        "measures": [{**asdict(r), "target": r.target} for r in rows],
        "missed": missed,
        "errors": errors,
        "details": details,
    }
    out_dir = Path(args.out) if args.out else bm.ROOT / "results" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{started.date().isoformat()}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")

    print(format_table(rows))
    print(
        f"yardstick {y:,.0f} timeouts/s (after: {after['timeouts_per_s']:,.0f}); "
        f"{report['machine']['cores_available']} cores; load {report['machine']['load_average_1_5_15']}"
    )
    if missed:
        print(f"MISSED: {len(missed)} target(s): {', '.join(missed)}")
    else:
        print("all targets met")
    for name, err in errors.items():
        print(f"ERROR in {name}: {err}", file=sys.stderr)
    print(f"written: {path}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
