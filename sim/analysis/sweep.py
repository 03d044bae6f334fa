"""Parameter sweeps: one Monte Carlo run per point of a grid over one or two scenario fields.

A sweep answers planning questions such as "how many filming hours can be planned for a 90 %
chance of landing on the planned day, and how much of the plan is shot at each?". Every point is an
ordinary results folder (``point-<k>/``) run with the same seed, so replication ``i`` sees the same
launch slips, weather and contingencies at every point (common random numbers) and differences
between points come from the swept field, not from sampling noise. An interrupted sweep is finished
by :func:`resume_sweep`: complete points are read back, an unfinished point is resumed and the
points not started are run, so the table is that of an uninterrupted sweep.

Public API (the grid in :mod:`.sweep_grid`, the table in :mod:`.sweep_table`):
    parse_axis("work.tasks.0.hours=60 h,80 h") -> Axis           one ``--set`` option
    expand_grid([axis, ...]) -> list[Point]                      cartesian product, in order
    run_sweep(scenario_path, ["path=v1,v2", ...], n=...) -> SweepResult
    resume_sweep(folder) -> SweepResult                          finish an interrupted sweep
    summarize(runs, metric) -> DataFrame                         one tidy row per point
    answer(table, axes, target, metric) -> str                   the sentence printed at the end
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.sweep_grid import (
    MAX_SWEPT_FIELDS,
    Axis,
    Point,
    expand_grid,
    parse_axes,
    parse_axis,
    split_values,
)
from sim.analysis.sweep_table import (
    SUMMARY_COLUMNS,
    answer,
    format_table,
    metric_text,
    point_statistics,
    summarize,
)
from sim.errors import CrewsimError, Interrupted

MANIFEST = "sweep.json"
TABLE = "sweep.csv"
FIGURE = "sweep.png"


# --------------------------------------------------------------------------- validation
def validate_points(
    scenario_path: str | os.PathLike[str], points: Sequence[Point], model: Any = None
) -> list[Any]:
    """Load every point's scenario before anything runs; one CrewsimError lists every bad point."""
    from sim.montecarlo.runner import default_model

    model = model or default_model()
    loaded, problems = [], []
    for point in points:
        try:
            loaded.append(model.load_scenario(str(scenario_path), overrides=point.overrides))
        except CrewsimError as exc:
            problems.append(f"{point.label}: {exc}")
    if problems:
        shown = problems[:10] + (
            [f"... and {len(problems) - 10} more"] if len(problems) > 10 else []
        )
        raise CrewsimError(
            f"{len(problems)} of {len(points)} sweep point(s) are not valid scenarios:\n"
            + "\n".join(shown)
        )
    return loaded


def check_metric(scenario: Any, metric: str, seed: int, model: Any = None) -> None:
    """Fail before running if ``metric`` is not a true/false outcome column (one replication is
    simulated in memory to learn the columns)."""
    from sim.montecarlo.runner import default_model

    model = model or default_model()
    row, _ = model.simulate_replication(model.compile_scenario(scenario), 0, seed, False)
    flags = sorted(k for k, v in row.items() if isinstance(v, bool) and not k.startswith("in."))
    if metric not in row:
        raise CrewsimError(
            f"--metric {metric!r} is not an outcome column; choose one of: " + ", ".join(flags)
        )
    if metric not in flags:
        raise CrewsimError(
            f"--metric {metric!r} is not a true/false outcome; choose one of: " + ", ".join(flags)
        )


def _input_hash(scenario: Any) -> str:
    from sim.montecarlo import results
    from sim.montecarlo.planning import resolved_yaml

    return results.input_hash(resolved_yaml(scenario))


# --------------------------------------------------------------------------- the result
@dataclass
class SweepResult:
    """A finished sweep: its folder, the per-point table, the answer and the manifest.

    ``table`` is tidy: one row per point, the swept fields as columns (the values' text), then
    ``value`` and the statistics of :func:`point_statistics`.
    """

    out: Path
    axes: list[Axis]
    points: list[Point]
    table: pd.DataFrame
    answer: str
    target: float
    metric: str
    manifest: dict[str, Any] = field(default_factory=dict)


#: Called with the finished result before the manifest says ``complete`` (e.g. to draw sweep.png).
Finisher = Callable[[SweepResult], None]


def default_folder(scenario_name: str, results_root: str | os.PathLike[str] = "results") -> Path:
    """``results/<scenario>-sweep/<UTC timestamp>`` (a suffix is added if it already exists)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = Path(results_root) / f"{scenario_name}-sweep" / stamp
    out, k = base, 1
    while out.exists():
        k += 1
        out = base.with_name(f"{stamp}-{k}")
    return out


# --------------------------------------------------------------------------- running
def run_sweep(
    scenario: str | os.PathLike[str],
    sets: Sequence[str],
    n: int | None = None,
    seed: int | None = None,
    out: str | os.PathLike[str] | None = None,
    *,
    backend: str | None = "processes",
    workers: int | None = None,
    target: float = 0.9,
    metric: str = "landed_on_planned_day",
    results_root: str | os.PathLike[str] = "results",
    command: str | None = None,
    progress: Callable[[str], None] | None = None,
    finish: Finisher | None = None,
    model: Any = None,
) -> SweepResult:
    """Run one results folder per grid point and write ``sweep.csv`` and ``sweep.json`` to the
    sweep folder ``out`` (default ``results/<scenario>-sweep/<timestamp>``); ``finish`` is called
    with the result before the manifest is marked complete (the command draws ``sweep.png`` there).

    ``sets`` are ``"path=v1,v2,..."`` strings. Every point runs ``n`` replications (default: the
    scenario's) with the same ``seed`` (default: the scenario's): common random numbers. Every
    point's scenario is validated before any run starts; bad input raises CrewsimError. Ctrl-C
    raises Interrupted; :func:`resume_sweep` then finishes the sweep.
    """
    from sim import __version__
    from sim.montecarlo import results, runner

    if not 0.0 < target < 1.0:
        raise CrewsimError(f"--target must be a probability between 0 and 1, got {target}")
    if n is not None and n < 1:
        raise CrewsimError(f"the number of replications must be at least 1 (got -n {n})")
    if not Path(scenario).is_file():
        raise CrewsimError(f"no scenario file {scenario}")
    model = model or runner.default_model()
    axes = parse_axes(sets)
    points = expand_grid(axes)
    scenarios = validate_points(scenario, points, model)
    mc = scenarios[0].monte_carlo
    n = int(n if n is not None else mc.replications)
    seed = int(seed if seed is not None else mc.seed)
    if seed < 0:
        raise CrewsimError(f"--seed must be 0 or more (got {seed})")
    if workers is not None and workers < 1:
        raise CrewsimError(f"--workers must be at least 1 (got {workers})")
    check_metric(scenarios[0], metric, seed, model)
    name = scenarios[0].name
    folder = Path(out) if out else default_folder(name, results_root)
    results.new_output_folder(folder, "sweep folder")

    manifest: dict[str, Any] = {
        "crewsim": __version__,
        "scenario": name,
        "scenario_path": str(scenario),
        "scenario_file": str(Path(scenario).resolve()),
        "command": command
        or f"sim.analysis.sweep.run_sweep({str(scenario)!r}, {list(sets)!r}, n={n})",
        "sets": list(sets),
        "fields": {a.path: list(a.values) for a in axes},
        "replications": n,
        "seed": seed,
        "backend": backend,
        "workers": workers,
        "target": target,
        "metric": metric,
        "points": [
            {
                "point": p.index,
                "overrides": p.overrides,
                "run": p.folder,
                "input_hash": _input_hash(s),
            }
            for p, s in zip(points, scenarios, strict=True)
        ],
        "started_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "status": "running",
    }
    results.write_json_atomic(folder / MANIFEST, manifest)
    return _run_points(folder, manifest, axes, points, backend, workers, progress, finish, model)


def resume_sweep(
    folder: str | os.PathLike[str],
    *,
    backend: str | None = None,
    workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    finish: Finisher | None = None,
    model: Any = None,
) -> SweepResult:
    """Finish an interrupted sweep in ``folder``: complete points are read back, an unfinished
    point (``point-<k>.partial``) is resumed, points not started are run with the sweep's seed and
    replications. The scenario file must still resolve to the scenario every point started with.
    Backend and workers default to the original sweep's."""
    from sim.montecarlo import runner

    folder = Path(folder)
    manifest = _read_manifest(folder)
    if manifest.get("status") == "complete":
        raise CrewsimError(f"the sweep in {folder} is already complete; nothing to resume")
    model = model or runner.default_model()
    axes = parse_axes(manifest["sets"])
    points = expand_grid(axes)
    recorded = {e["point"]: e for e in manifest["points"]}
    if [p.index for p in points] != sorted(recorded):
        raise CrewsimError(f"{folder / MANIFEST} does not list the points its fields make")
    scenario = manifest["scenario_file"]
    scenarios = validate_points(scenario, points, model)
    changed = [
        p.label
        for p, s in zip(points, scenarios, strict=True)
        if _input_hash(s) != recorded[p.index].get("input_hash")
    ]
    if changed:
        raise CrewsimError(
            f"cannot resume the sweep in {folder}: {scenario} no longer gives the scenario of "
            f"{', '.join(changed)} (the file changed since the sweep started); "
            "start a new sweep instead"
        )
    if backend is None:
        backend, workers = manifest.get("backend"), workers or manifest.get("workers")
    manifest["status"] = "running"
    manifest["resumed_utc"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return _run_points(folder, manifest, axes, points, backend, workers, progress, finish, model)


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CrewsimError(f"{folder} is not a sweep folder (no {MANIFEST})") from None
    except (OSError, ValueError) as exc:
        raise CrewsimError(f"{path} cannot be read: {exc}") from None
    needed = ("sets", "scenario_file", "points", "replications", "seed", "target", "metric")
    missing = [k for k in needed if not isinstance(manifest, dict) or k not in manifest]
    if missing:
        raise CrewsimError(
            f"{path} lacks {', '.join(missing)}: it was not written by this version of "
            "crewsim sweep and cannot be resumed"
        )
    return manifest


def _run_point(
    folder: Path, point: Point, manifest: dict[str, Any], backend: Any, workers: Any, model: Any
) -> tuple[Path, str]:
    """Run, resume or reuse one point's results folder; returns it and what was done."""
    from sim.montecarlo import results, runner

    run_dir = folder / point.folder
    if results.is_complete(run_dir):
        return run_dir, "done before"
    if results.partial_path(run_dir).is_dir():
        return runner.resume(run_dir, backend=backend, workers=workers, model=model), "resumed"
    run_dir = runner.run(
        manifest["scenario_file"],
        n=manifest["replications"],
        seed=manifest["seed"],
        backend=backend,
        workers=workers,
        out=run_dir,
        overrides=point.overrides,
        command=f"{manifest['command']}  # {point.label}",
        model=model,
    )
    return run_dir, "run"


def _run_points(
    folder: Path,
    manifest: dict[str, Any],
    axes: list[Axis],
    points: list[Point],
    backend: Any,
    workers: Any,
    progress: Callable[[str], None] | None,
    finish: Finisher | None,
    model: Any,
) -> SweepResult:
    from sim.montecarlo import results, runner

    say = progress or (lambda _msg: None)
    metric, target, n = manifest["metric"], manifest["target"], manifest["replications"]
    t0 = time.perf_counter()
    runs: list[tuple[Point, pd.DataFrame]] = []
    for point in points:
        t = time.perf_counter()
        try:
            run_dir, how = _run_point(folder, point, manifest, backend, workers, model)
        except runner.RunInterrupted as exc:
            manifest["status"] = "interrupted"
            results.write_json_atomic(folder / MANIFEST, manifest)
            raise Interrupted(
                f"sweep interrupted at {point.label}; the finished points are in {folder}. "
                f"Finish the sweep with: crewsim sweep --resume {folder}"
            ) from exc
        df = results.load(run_dir)
        keep = [c for c in (*SUMMARY_COLUMNS, metric) if c in df.columns]
        runs.append((point, df[list(dict.fromkeys(keep))]))
        if how == "done before":
            say(f"{point.label}: complete before, {len(df):,} replications read back")
        else:
            say(f"{point.label}: {n:,} replications {how} in {time.perf_counter() - t:.1f} s")

    table = summarize(runs, metric)
    sentence = answer(table, axes, target, metric)
    results.write_text_atomic(
        folder / TABLE, table.assign(run=[p.folder for p in points]).to_csv(index=False)
    )
    result = SweepResult(folder, axes, points, table, sentence, target, metric, manifest)
    if finish:
        finish(result)
    manifest.update(
        {
            "answer": sentence,
            "wall_time_s": round(time.perf_counter() - t0, 3),
            "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "status": "complete",
        }
    )
    results.write_json_atomic(folder / MANIFEST, manifest)
    return result


__all__ = [
    "FIGURE",
    "MANIFEST",
    "MAX_SWEPT_FIELDS",
    "SUMMARY_COLUMNS",
    "TABLE",
    "Axis",
    "Point",
    "SweepResult",
    "answer",
    "check_metric",
    "default_folder",
    "expand_grid",
    "format_table",
    "metric_text",
    "parse_axes",
    "parse_axis",
    "point_statistics",
    "resume_sweep",
    "run_sweep",
    "split_values",
    "summarize",
    "validate_points",
]
