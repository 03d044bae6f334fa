"""``crewsim.sweep``: a grid over one or two scenario fields, run in memory, as a tidy DataFrame.

The same grid, statistics and answer as ``crewsim sweep`` (:mod:`sim.analysis.sweep`), every point
with the same seed (common random numbers), but no folders: one row per point, the swept fields as
columns, then ``value`` and the statistics. ``table.attrs`` holds the answer sentence and the
settings, which :func:`plot_sweep` reads to draw the trade-off.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.sweep import answer, check_metric, expand_grid, parse_axes, summarize
from sim.api.run import simulate
from sim.api.scenario import Scenario, _value_text, load
from sim.errors import CrewsimError


def sweep(
    scenario: Scenario | str | os.PathLike[str],
    fields: Mapping[str, Sequence[Any]],
    n: int | None = None,
    seed: int | None = None,
    *,
    target: float = 0.9,
    metric: str = "landed_on_planned_day",
    backend: str = "auto",
    workers: int | None = None,
) -> pd.DataFrame:
    """Run ``scenario`` at every combination of ``fields`` (``{"work.tasks.0.hours": ["60 h",
    "80 h"]}``; at most two fields with several values) and return one row per point.

    Every point's scenario is validated (like ``--set``) before anything runs. ``table.attrs
    ["answer"]`` says the largest value of the first field whose P(``metric``) meets ``target``.
    """
    base = scenario if isinstance(scenario, Scenario) else load(scenario)
    if not 0.0 < target < 1.0:
        raise CrewsimError(f"target must be a probability between 0 and 1, got {target}")
    if isinstance(fields, str) or not isinstance(fields, Mapping):
        raise CrewsimError(
            "fields must map a dotted path to its values, e.g. {'work.tasks.0.hours': ['60 h', '80 h']}"
        )
    options = []
    for path, values in fields.items():
        if isinstance(values, str) or not isinstance(values, Sequence):
            values = [values]
        options.append(f"{path}=" + ",".join(_value_text(v) for v in values))
    axes = parse_axes(options)
    points = expand_grid(axes)
    scenarios, problems = [], []
    for point in points:
        try:
            scenarios.append(base.with_changes(point.overrides))
        except CrewsimError as exc:
            problems.append(f"{point.label}: {exc}")
    if problems:
        raise CrewsimError(
            f"{len(problems)} of {len(points)} sweep point(s) are not valid scenarios:\n"
            + "\n".join(problems[:10])
        )
    mc = base.model.monte_carlo
    n = int(n if n is not None else mc.replications)
    seed = int(seed if seed is not None else mc.seed)
    check_metric(scenarios[0].model, metric, seed)
    runs = [
        (p, simulate(s, n, seed, backend=backend, workers=workers, trace_sample=0).outcomes)
        for p, s in zip(points, scenarios, strict=True)
    ]
    table = summarize(runs, metric)
    table.attrs = {
        "answer": answer(table, axes, target, metric),
        "fields": {a.path: list(a.values) for a in axes},
        "target": target,
        "metric": metric,
        "scenario": base.name,
        "replications": n,
        "seed": seed,
    }
    return table


def plot_sweep(table: pd.DataFrame) -> Figure | list[Figure]:
    """The trade-off of a sweep table from :func:`sweep` (or ``sweep.csv`` with the same attrs):
    one Figure for a one-field sweep, else one per value of the second field."""
    from sim.analysis.sweep import Axis
    from sim.plots import sweep_figures

    attrs = table.attrs
    if "fields" not in attrs:
        raise CrewsimError(
            "plot_sweep needs the table crewsim.sweep returns (its attrs name the fields)"
        )
    axes = [Axis(path, tuple(values)) for path, values in attrs["fields"].items()]
    figures = [
        fig
        for _, fig in sweep_figures(
            table, axes, attrs["metric"], attrs["target"], attrs["scenario"]
        )
    ]
    return figures[0] if len(figures) == 1 else figures
