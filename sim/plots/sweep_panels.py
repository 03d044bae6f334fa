"""The figures of a parameter sweep, drawn from its per-point table (``sim.analysis.sweep``).

One trade-off panel (``sweep_tradeoff``) for a one-field sweep, else one per value of the second
swept field with the first field on the x axis; :func:`sweep_png` stacks the panels into one image
for ``sweep.png``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.sweep_grid import Axis
from sim.analysis.sweep_table import metric_text
from sim.plots.diagnostics import sweep_tradeoff


def sweep_figures(
    table: pd.DataFrame,
    axes: Sequence[Axis],
    metric: str = "landed_on_planned_day",
    target: float = 0.9,
    scenario: str | None = None,
) -> list[tuple[str | None, Figure]]:
    """The trade-off plots of a sweep as ``(label, Figure)``: one figure for a one-field sweep
    (label None), else one per value of the second swept field (label ``"path=value"``)."""
    swept = [a for a in axes if len(a.values) > 1] or list(axes[:1])
    first = swept[0]
    nums = first.numbers()
    xlabel = first.path + (f" ({nums[1]})" if nums and nums[1] else "")
    what = metric_text(metric)
    per_point = f"{int(table['n'].min()):,} replications per point"
    groups: list[tuple[str | None, pd.DataFrame]] = [(None, table)]
    if len(swept) > 1:
        groups = [(f"{swept[1].path}={k}", g) for k, g in table.groupby(swept[1].path, sort=False)]
    out = []
    for label, rows in groups:
        values = list(rows[first.path])
        if nums:
            values = [nums[0][first.values.index(v)] for v in values]
        title = None
        if label or metric != "landed_on_planned_day":
            head = (
                "On-time landing vs work done"
                if metric == "landed_on_planned_day"
                else f"{what} vs work done (left axis)"
            )
            title = f"{head}{', ' + label if label else ''}\n{scenario}, {per_point}"
        fig = sweep_tradeoff(
            rows.assign(value=values), xlabel=xlabel, target=target, scenario=scenario, title=title
        )
        out.append((label, fig))
    return out


def sweep_png(
    figures: Sequence[tuple[str | None, Figure]], path: str | os.PathLike[str], dpi: int = 110
) -> Path:
    """Render the panels and write them to one PNG, stacked top to bottom."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.image import imsave

    images = []
    for _, fig in figures:
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
