"""Figures of what drives the delay: the tornado of sampled inputs and the attribution of the delay
to its causes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.plots.axes import axis_label, short_input
from sim.plots.style import BLUE, ORANGE, RED, new_figure, styled, titled


@styled
def tornado(
    table: pd.DataFrame,
    output: str = "landing_delay_h",
    top: int = 12,
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """Horizontal bars of Spearman rho (with CI whiskers) from ``analysis.tornado``, largest on top."""
    t = table.dropna(subset=["rho"]).head(top).iloc[::-1]
    fig = new_figure(8.0, max(2.5, 0.45 * len(t) + 1.6))
    ax = fig.add_subplot()
    colors = [RED if r > 0 else BLUE for r in t["rho"]]
    yy = np.arange(len(t))
    # rho can fall just outside its Fisher-z interval at the extremes: whiskers never negative.
    err = np.clip(np.vstack([t["rho"] - t["ci_low"], t["ci_high"] - t["rho"]]), 0.0, None)
    ax.barh(yy, t["rho"], color=colors, xerr=err, ecolor="black", capsize=3)
    for y, r, lo, hi in zip(yy, t["rho"], t["ci_low"], t["ci_high"], strict=True):
        ax.text(
            hi + 0.03 if r >= 0 else lo - 0.03,
            y,
            f"{r:+.2f}",
            va="center",
            ha="left" if r >= 0 else "right",
            fontsize=9,
        )
    ax.set_yticks(yy, [short_input(s) for s in t["input"]])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel(f"Spearman rank correlation with {axis_label(output).lower()}")
    ax.legend(
        handles=[
            Patch(color=RED, label="higher input → more delay"),
            Patch(color=BLUE, label="higher input → less delay"),
        ],
        loc="lower right",
        fontsize=8,
    )
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(titled("What drives the delay (sampled inputs)", scenario, n, title))
    return fig


@styled
def attribution_bar(
    table: pd.DataFrame,
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """Mean hours each cause adds to the landing delay (from ``analysis.attribution``), labelled
    with its share of the mean delay and how often it fires; P90 of the cause's hours as a mark."""
    t = table.iloc[::-1]
    fig = new_figure(8.0, max(2.5, 0.45 * len(t) + 1.6))
    ax = fig.add_subplot()
    yy = np.arange(len(t))
    ax.barh(yy, t["mean_h"], color=BLUE, label="mean hours added")
    ax.plot(t["p90_h"], yy, "|", color=ORANGE, ms=14, mew=2, label="P90 of its hours")
    right = max(float(t["mean_h"].max()), 1e-9)
    for y, row in zip(yy, t.itertuples(index=False), strict=True):
        share = f"{row.share:.0%}" if abs(row.share) >= 0.005 else "<1%"
        text = (
            f"{share} of mean delay, fires in {row.criticality:.1%} of runs"
            if row.criticality > 0
            else "never fired"
        )
        ax.text(max(row.mean_h, 0) + 0.02 * right, y, text, va="center", fontsize=8.5)
    ax.set_yticks(yy, [c.replace("_", " ") for c in t["cause"]])
    ax.set_xlim(0, right * 1.9)
    ax.set_xlabel("Hours added to the landing (mean over replications)")
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(titled("Where the landing delay comes from", scenario, n, title))
    return fig
