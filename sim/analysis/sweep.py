"""Parameter sweeps: one Monte Carlo run per point of a grid over one or two scenario fields.

A sweep answers planning questions such as "how many filming hours can be planned for a 90 %
chance of landing on the planned day, and how much of the plan is shot at each?". Every point is an
ordinary results folder (``point-<k>/``) run with the same seed, so replication ``i`` sees the same
launch slips, weather and contingencies at every point (common random numbers) and differences
between points come from the swept field, not from sampling noise.

Public API:
    parse_axis("work.tasks.0.hours=60 h,80 h") -> Axis           one ``--set`` option
    expand_grid([axis, ...]) -> list[Point]                      cartesian product, in order
    run_sweep(scenario_path, ["path=v1,v2", ...], n=...) -> SweepResult
    summarize(runs, metric) -> DataFrame                         headline statistics per point
    answer(table, axes, target, metric) -> str                   the sentence printed at the end
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import CrewsimError, Interrupted
from sim.tables import text_table

#: Outcome columns the per-point table reads (plus the metric).
SUMMARY_COLUMNS = (
    "replication",
    "landed_on_planned_day",
    "work_complete",
    "work_done_frac",
    "work_done_h",
    "landing_delay_h",
    "visit_days",
)
MAX_SWEPT_FIELDS = 2
_CLOSERS = {"[": "]", "{": "}", "(": ")"}
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z%]*)\s*$")


# --------------------------------------------------------------------------- the grid
@dataclass(frozen=True)
class Axis:
    """One swept scenario field: its dotted path and the values (YAML text) it takes."""

    path: str
    values: tuple[str, ...]

    def numbers(self) -> tuple[list[float], str] | None:
        """The values as numbers and their common unit (``"60 h"`` -> 60, ``"h"``), or None when
        a value is not a number or the units differ."""
        nums, units = [], set()
        for v in self.values:
            m = _NUMBER_UNIT.match(v)
            if not m:
                return None
            nums.append(float(m.group(1)))
            units.add(m.group(2))
        return (nums, units.pop()) if len(units) == 1 else None


@dataclass(frozen=True)
class Point:
    """One grid point: its number (1-based, as in ``point-<k>``) and one value per axis."""

    index: int
    assignments: tuple[tuple[str, str], ...]

    @property
    def overrides(self) -> list[str]:
        """The ``path=value`` overrides that make this point's scenario."""
        return [f"{path}={value}" for path, value in self.assignments]

    @property
    def label(self) -> str:
        """``"point 2 (work.tasks.0.hours=80 h)"``, for messages."""
        return f"point {self.index} ({', '.join(self.overrides)})"

    @property
    def folder(self) -> str:
        return f"point-{self.index}"


def split_values(text: str) -> list[str]:
    """Split ``"60 h,80 h"`` on the commas that are not inside ``[..]``, ``{..}``, ``(..)`` or
    quotes, so ``"[1, 2],[3, 4]"`` gives two values. Each value is stripped of spaces."""
    parts: list[str] = []
    depth: list[str] = []
    quote: str | None = None
    current: list[str] = []
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in _CLOSERS:
            depth.append(_CLOSERS[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
        elif ch in "]})":
            raise CrewsimError(f"unbalanced {ch!r} in the values {text!r}")
        elif ch == "," and not depth:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if quote or depth:
        missing = quote or depth[-1]
        raise CrewsimError(f"unclosed value in {text!r}: expected {missing!r}")
    parts.append("".join(current).strip())
    return parts


def parse_axis(option: str) -> Axis:
    """Parse one ``--set PATH=V1,V2,...`` option into an :class:`Axis`."""
    if "=" not in option:
        raise CrewsimError(
            f"--set {option!r}: expected PATH=V1,V2,..., e.g. work.tasks.0.hours='60 h,80 h,100 h'"
        )
    path, text = option.split("=", 1)
    path = path.strip()
    if not path or not all(path.split(".")):
        raise CrewsimError(f"--set {option!r}: empty field path or empty key in {path!r}")
    if not text.strip():
        raise CrewsimError(f"--set {option!r}: no values to sweep for {path}")
    values = split_values(text)
    for k, v in enumerate(values, start=1):
        if not v:
            raise CrewsimError(f"--set {option!r}: value {k} of {path} is empty (stray comma?)")
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise CrewsimError(f"--set {option!r}: {path} lists {', '.join(dupes)} more than once")
    return Axis(path, tuple(values))


def parse_axes(options: Sequence[str]) -> list[Axis]:
    """Parse the ``--set`` options; a field may appear once, and at most two fields may take more
    than one value (a one-value ``--set`` is a fixed override applied at every point)."""
    if not options:
        raise CrewsimError("nothing to sweep: give --set PATH=V1,V2,... (once or twice)")
    axes = [parse_axis(o) for o in options]
    paths = [a.path for a in axes]
    twice = sorted({p for p in paths if paths.count(p) > 1})
    if twice:
        raise CrewsimError(
            f"--set names {', '.join(twice)} more than once; list all its values once"
        )
    swept = [a for a in axes if len(a.values) > 1]
    if len(swept) > MAX_SWEPT_FIELDS:
        raise CrewsimError(
            f"a sweep varies at most {MAX_SWEPT_FIELDS} fields; got {len(swept)} "
            f"({', '.join(a.path for a in swept)})"
        )
    return axes


def expand_grid(axes: Sequence[Axis]) -> list[Point]:
    """The cartesian product of the axes, the first axis varying slowest; points numbered from 1."""
    combos = itertools.product(*[[(a.path, v) for v in a.values] for a in axes])
    return [Point(k, tuple(combo)) for k, combo in enumerate(combos, start=1)]


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


# --------------------------------------------------------------------------- statistics
def _quantiles(df: pd.DataFrame, column: str, qs: Sequence[float]) -> list[float]:
    from sim import analysis

    if column not in df.columns:
        return [math.nan] * len(qs)
    try:
        return [float(v) for v in analysis.percentiles(df, column, qs=qs)["value"]]
    except analysis.AnalysisInputError:
        return [math.nan] * len(qs)


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
@dataclass
class SweepResult:
    """A finished sweep: its folder, the per-point table, the answer and the manifest."""

    out: Path
    axes: list[Axis]
    points: list[Point]
    table: pd.DataFrame
    answer: str
    target: float
    metric: str
    manifest: dict[str, Any] = field(default_factory=dict)

    def figures(self) -> list[tuple[str | None, Any]]:
        """The trade-off plots (``sim.plots.sweep_tradeoff``) of this sweep as ``(label, Figure)``:
        one figure for a one-field sweep (label None), else one per value of the second field, with
        the first field on the x axis."""
        from sim import plots

        swept = [a for a in self.axes if len(a.values) > 1] or self.axes[:1]
        first = swept[0]
        nums = first.numbers()
        xlabel = first.path + (f" ({nums[1]})" if nums and nums[1] else "")
        what = metric_text(self.metric)
        scenario = self.manifest.get("scenario")
        per_point = f"{int(self.table['n'].min()):,} replications per point"
        groups: list[tuple[str | None, pd.DataFrame]] = [(None, self.table)]
        if len(swept) > 1:
            groups = [
                (f"{swept[1].path}={k}", g)
                for k, g in self.table.groupby(swept[1].path, sort=False)
            ]
        out = []
        for label, rows in groups:
            values = list(rows[first.path])
            if nums:
                values = [nums[0][first.values.index(v)] for v in values]
            table = rows.assign(value=values)
            title = None
            if label or self.metric != "landed_on_planned_day":
                head = (
                    "On-time landing vs work done"
                    if self.metric == "landed_on_planned_day"
                    else (f"{what} vs work done (left axis)")
                )
                title = f"{head}{', ' + label if label else ''}\n{scenario}, {per_point}"
            fig = plots.sweep_tradeoff(
                table, xlabel=xlabel, target=self.target, scenario=scenario, title=title
            )
            out.append((label, fig))
        return out

    def save_figure(self, path: str | os.PathLike[str], dpi: int = 110) -> Path:
        """Write the trade-off plot(s) to one PNG (panels stacked top to bottom)."""
        import numpy as np
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.image import imsave

        images = []
        for _, fig in self.figures():
            fig.set_dpi(dpi)
            canvas = FigureCanvasAgg(fig)
            canvas.draw()
            images.append(np.asarray(canvas.buffer_rgba()))
        width = max(img.shape[1] for img in images)
        padded = [
            np.pad(img, ((0, 0), (0, width - img.shape[1]), (0, 0)), constant_values=255)
            for img in images
        ]
        imsave(path, np.vstack(padded))
        return Path(path)


def default_folder(scenario_name: str, results_root: str | os.PathLike[str] = "results") -> Path:
    """``results/<scenario>-sweep/<UTC timestamp>`` (a suffix is added if it already exists)."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    base = Path(results_root) / f"{scenario_name}-sweep" / stamp
    out, k = base, 1
    while out.exists():
        k += 1
        out = base.with_name(f"{stamp}-{k}")
    return out


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
    model: Any = None,
) -> SweepResult:
    """Run one results folder per grid point and write ``sweep.csv``, ``sweep.png`` and
    ``sweep.json`` to the sweep folder ``out`` (default ``results/<scenario>-sweep/<timestamp>``).

    ``sets`` are ``"path=v1,v2,..."`` strings. Every point runs ``n`` replications (default: the
    scenario's) with the same ``seed`` (default: the scenario's): common random numbers. Every
    point's scenario is validated before any run starts; bad input raises CrewsimError.
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
        "command": command
        or f"sim.analysis.sweep.run_sweep({str(scenario)!r}, {list(sets)!r}, n={n})",
        "fields": {a.path: list(a.values) for a in axes},
        "replications": n,
        "seed": seed,
        "backend": backend,
        "workers": workers,
        "target": target,
        "metric": metric,
        "points": [{"point": p.index, "overrides": p.overrides, "run": p.folder} for p in points],
        "started_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "status": "running",
    }
    results.write_json_atomic(folder / "sweep.json", manifest)
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    runs: list[tuple[Point, pd.DataFrame]] = []
    for point, entry in zip(points, manifest["points"], strict=True):
        t = time.perf_counter()
        try:
            run_dir = runner.run(
                str(scenario),
                n=n,
                seed=seed,
                backend=backend,
                workers=workers,
                out=folder / point.folder,
                overrides=point.overrides,
                command=f"{manifest['command']}  # {point.label}",
                model=model,
            )
        except runner.RunInterrupted as exc:
            manifest["status"] = "interrupted"
            results.write_json_atomic(folder / "sweep.json", manifest)
            raise Interrupted(
                f"sweep interrupted at {point.label}; the finished points are in {folder}. "
                f"Finish that point with: crewsim run --resume {folder / point.folder}.partial, "
                "or start the sweep again with another --out."
            ) from exc
        df = results.load(run_dir)
        keep = [c for c in (*SUMMARY_COLUMNS, metric) if c in df.columns]
        runs.append((point, df[list(dict.fromkeys(keep))]))
        entry["input_hash"] = results.load_manifest(run_dir).get("input_hash")
        say(f"{point.label}: {n:,} replications in {time.perf_counter() - t:.1f} s")

    table = summarize(runs, metric)
    sentence = answer(table, axes, target, metric)
    table.assign(run=[p.folder for p in points]).to_csv(folder / "sweep.csv", index=False)
    result = SweepResult(folder, axes, points, table, sentence, target, metric, manifest)
    result.save_figure(folder / "sweep.png")
    manifest.update(
        {
            "answer": sentence,
            "wall_time_s": round(time.perf_counter() - t0, 3),
            "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "status": "complete",
        }
    )
    results.write_json_atomic(folder / "sweep.json", manifest)
    return result
