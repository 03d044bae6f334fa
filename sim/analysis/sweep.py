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
from sim.tables import text_table

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
    from sim.montecarlo import results, runner

    return results.input_hash(runner._resolved_yaml(scenario))


<<<<<<< HEAD
# --------------------------------------------------------------------------- the result
=======
def point_statistics(df: pd.DataFrame, metric: str = "landed_on_planned_day") -> dict[str, Any]:
    """Headline statistics of one point's outcomes (the primary flight's unprefixed columns):
    P(metric) with its 95 % Wilson interval, P(work complete), work done (fraction of the plan)
    P10/P50/P90, hours of work done P50, landing delay P50/P80/P90 (h), visit days P50 (d)."""
    from sim import analysis

    p = analysis.probability(df, metric)
    work = analysis.probability(df, "work_complete") if "work_complete" in df.columns else None
    w10, w50, w90 = _quantiles(df, "work_done_frac", (0.1, 0.5, 0.9))
    d50, d80, d90 = _quantiles(df, "landing_delay_h", (0.5, 0.8, 0.9))
    return {
        "p_on_time": p.p,
        "p_low": p.low,
        "p_high": p.high,
        "p_work_complete": work.p if work else math.nan,
        "work_p10": w10,
        "work_p50": w50,
        "work_p90": w90,
        "work_h_p50": _quantiles(df, "work_done_h", (0.5,))[0],
        "delay_p50_h": d50,
        "delay_p80_h": d80,
        "delay_p90_h": d90,
        "visit_days_p50": _quantiles(df, "visit_days", (0.5,))[0],
        "n": len(df),
    }


def summarize(
    runs: Mapping[Point, pd.DataFrame] | Sequence[tuple[Point, pd.DataFrame]],
    metric: str = "landed_on_planned_day",
) -> pd.DataFrame:
    """One row per point: ``point``, one column per field (the value's text), ``value`` (the swept
    value: a number when the single swept field is numeric, else a text label, as
    ``sim.plots.sweep_tradeoff`` expects) and the statistics of :func:`point_statistics`."""
    items = list(runs.items()) if isinstance(runs, Mapping) else list(runs)
    if not items:
        raise CrewsimError("no sweep points to summarize")
    paths = [p for p, _ in items[0][0].assignments]
    swept = [p for p in paths if len({dict(pt.assignments)[p] for pt, _ in items}) > 1] or paths[:1]
    numeric = None
    if len(swept) == 1:
        numeric = Axis(swept[0], tuple(dict(pt.assignments)[swept[0]] for pt, _ in items)).numbers()
    rows = []
    for k, (point, df) in enumerate(items):
        values = dict(point.assignments)
        value: Any = numeric[0][k] if numeric else " | ".join(values[p] for p in swept)
        rows.append(
            {"point": point.index, **values, "value": value, **point_statistics(df, metric)}
        )
    return pd.DataFrame(rows)


def metric_text(metric: str) -> str:
    """Readable name of the probability a sweep targets."""
    if metric == "landed_on_planned_day":
        return "P(landing on the planned day)"
    if metric == "work_complete":
        return "P(work plan complete)"
    return f"P({metric})"


def _pct(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def _best(rows: pd.DataFrame, field: str, target: float) -> pd.Series | None:
    """The row with the largest value of ``field`` whose probability meets the target."""
    ok = rows[rows["p_on_time"] >= target]
    if ok.empty:
        return None
    nums = Axis(field, tuple(ok[field])).numbers()
    return ok.iloc[max(range(len(ok)), key=lambda i: nums[0][i])] if nums else ok.iloc[-1]


def answer(
    table: pd.DataFrame,
    axes: Sequence[Axis],
    target: float = 0.9,
    metric: str = "landed_on_planned_day",
) -> str:
    """The sentence that answers the sweep's question: the largest value of the first swept field
    whose P(metric) meets ``target`` (for each value of the second swept field, if any), with its
    95 % interval and how much of the plan is done there; or that no value meets it."""
    swept = [a for a in axes if len(a.values) > 1] or list(axes[:1])
    first, rest = swept[0], swept[1:]
    what = metric_text(metric)
    groups = [(None, table)] if not rest else list(table.groupby(rest[0].path, sort=False))
    sentences = []
    for key, rows in groups:
        where = f"With {rest[0].path}={key}: " if rest else ""
        best = _best(rows, first.path, target)
        if best is None:
            top = rows.loc[rows["p_on_time"].idxmax()]
            sentences.append(
                f"{where}no swept value of {first.path} gives {what} >= {target:.0%}; the highest "
                f"is {top['p_on_time']:.1%} (95% CI {top['p_low']:.1%}-{top['p_high']:.1%}) at "
                f"{top[first.path]}."
            )
            continue
        caveat = (
            ""
            if best["p_low"] >= target
            else " (its 95% interval reaches below the target: more replications would settle it)"
        )
        sentences.append(
            f"{where}the largest {first.path} with {what} >= {target:.0%} is {best[first.path]}: "
            f"{what} = {best['p_on_time']:.1%} (95% CI {best['p_low']:.1%}-{best['p_high']:.1%})"
            f"{caveat}; there the work done is {_pct(best['work_p50'])} of the plan at P50 and "
            f"{_pct(best['work_p10'])} at P10, and the whole plan is done in "
            f"{_pct(best['p_work_complete'])} of replications."
        )
    text = " ".join(sentences)
    return text[0].upper() + text[1:]


def format_table(table: pd.DataFrame, axes: Sequence[Axis], metric: str) -> str:
    """The per-point table as fixed-width text for the terminal."""
    fields = [a.path for a in axes if len(a.values) > 1] or [axes[0].path]

    def num(x: float, fmt: str) -> str:
        return "-" if x is None or math.isnan(x) else format(x, fmt)

    head = [
        "pt",
        *fields,
        metric_text(metric) + " [95% CI]",
        "P(work complete)",
        "work P10/P50/P90",
    ]
    head += ["delay P50/P80/P90 h", "visit d P50"]
    lines = []
    for r in table.to_dict("records"):
        lines.append(
            [
                str(r["point"]),
                *[str(r[f]) for f in fields],
                f"{r['p_on_time']:.1%} [{r['p_low']:.1%}, {r['p_high']:.1%}]",
                _pct(r["p_work_complete"]),
                "/".join(_pct(r[c]) for c in ("work_p10", "work_p50", "work_p90")),
                "/".join(num(r[c], ".1f") for c in ("delay_p50_h", "delay_p80_h", "delay_p90_h")),
                num(r["visit_days_p50"], ".2f"),
            ]
        )
    return text_table(head, lines, rule=False)


# --------------------------------------------------------------------------- running
>>>>>>> main
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
