"""Figures comparing two runs: the ECDFs of one outcome column overlaid."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim import analysis
from sim.plots.axes import axis_label, date_axis, sorted_values
from sim.plots.style import BLUE, GREY, ORANGE, new_figure, styled


@styled
def ecdf_overlay(
    a: pd.DataFrame,
    b: pd.DataFrame,
    column: str = "landing_delay_h",
    labels: tuple[str, str] = ("A", "B"),
    comparison: analysis.Comparison | None = None,
    title: str | None = None,
) -> Figure:
    """Empirical CDFs of one column in two runs, with medians marked and the KS result if given."""
    fig = new_figure()
    ax = fig.add_subplot()
    is_time = False
    runs = ((a, labels[0], BLUE, "A", "-"), (b, labels[1], ORANGE, "B", "--"))
    for frame, label, color, name, style in runs:
        x, is_time = sorted_values(frame, column)
        y = np.arange(1, x.size + 1) / max(len(frame), 1)
        tag = label if label == name else f"{name}: {label}"
        ax.step(
            x, y, where="post", color=color, lw=2.2, ls=style, label=f"{tag} (n={len(frame):,})"
        )
        if x.size:
            med = x[min(int(np.ceil(0.5 * len(frame))) - 1, x.size - 1)]
            ax.plot([med], [0.5], "o", color=color)
    ax.axhline(0.5, color=GREY, lw=0.8, ls=":")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(axis_label(column))
    if is_time:
        date_axis(ax)
    ax.set_ylabel("Cumulative probability")
    ax.grid(alpha=0.3)
    if comparison is not None:
        diff = comparison.table.set_index("statistic")
        med = diff.loc["P50"] if "P50" in diff.index else None
        text = f"KS = {comparison.ks_statistic:.3f}, p = {comparison.ks_pvalue:.3g}"
        if med is not None:
            unit = "h" if comparison.is_time else analysis._unit_of(column)
            text += (
                f"\nP50 B-A = {med['diff']:+.3g} {unit} "
                f"[{med['diff_low']:+.3g}, {med['diff_high']:+.3g}]"
            )
        text += f"\n{'paired' if comparison.paired else 'unpaired'} comparison"
        ax.text(
            0.98,
            0.05,
            text,
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=9,
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": GREY},
        )
    ax.legend(loc="center right", fontsize=9)
    ax.set_title(title or f"{axis_label(column)}: B = {labels[1]} vs A = {labels[0]}")
    return fig
