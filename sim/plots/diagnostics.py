"""Figures about the runs themselves: convergence of the estimates with the number of replications
and the trade-off across a sweep.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.plots.axes import axis_label, date_axis, naive_utc
from sim.plots.style import BLUE, GREEN, GREY, ORANGE, RED, new_figure, styled, titled


@styled
def convergence_plot(
    table: pd.DataFrame,
    column: str = "landing_delay_h",
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """Running quantiles (with CI bands) and, if present, the running on-time probability against
    the number of replications (log scale), from ``analysis.convergence``."""
    labels = [c for c in table.columns if re.fullmatch(r"P[\d.]+", c)]
    has_p = "p" in table.columns
    fig = new_figure(10.0, 6.5 if has_p else 4.5)
    axes = fig.subplots(2 if has_p else 1, 1, sharex=True, squeeze=False)[:, 0]
    ax = axes[0]
    is_time = pd.api.types.is_datetime64_any_dtype(table[labels[0]].dtype) if labels else False
    for label, color in zip(labels, [BLUE, ORANGE, GREEN, RED, GREY], strict=False):
        conv = naive_utc if is_time else np.asarray
        ax.plot(table["n"], conv(table[label]), color=color, label=label)
        ax.fill_between(
            table["n"],
            conv(table[f"{label}_low"]),
            conv(table[f"{label}_high"]),
            color=color,
            alpha=0.2,
        )
    ax.set_ylabel(axis_label(column))
    if is_time:
        date_axis(ax, "y")
    else:
        # The whole band in view (nothing clipped), from 0 when the column cannot be negative.
        cols = [c for label in labels for c in (label, f"{label}_low", f"{label}_high")]
        if len(table) and cols:
            lo, hi = float(table[cols].min().min()), float(table[cols].max().max())
            pad = max(hi - lo, 1e-6) * 0.06
            ax.set_ylim(0 if lo >= 0 else lo - pad, hi + pad)
    ax.legend(
        fontsize=9, title="running estimate, 95% CI", loc="upper left", bbox_to_anchor=(1.01, 1)
    )
    ax.grid(alpha=0.3)
    if has_p:
        axes[1].plot(table["n"], table["p"], color=GREEN, label="P(landing on planned day)")
        axes[1].fill_between(table["n"], table["p_low"], table["p_high"], color=GREEN, alpha=0.2)
        axes[1].set_ylabel("Probability")
        axes[1].legend(fontsize=9)
        axes[1].grid(alpha=0.3)
    axes[-1].set_xscale("log")
    axes[-1].set_xlabel("Replications used")
    axes[0].set_title(
        titled("Are there enough replications?", scenario, n or int(table["n"].max()), title)
    )
    return fig


@styled
def sweep_tradeoff(
    table: pd.DataFrame,
    xlabel: str = "swept value",
    target: float = 0.9,
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """Trade-off across a sweep (``analysis.sweep_summary``), two panels on one x axis: top,
    P(landing on the planned day) in % with its 95 % band and the target; bottom, work done
    P50 and P10 in % of the plan. Each panel has one y axis of its own (no twin axes), zoomed
    on its data so that a small change is not a flat line at the top of a 0-100 axis."""
    t = table.copy()
    numeric = pd.api.types.is_numeric_dtype(t["value"])
    x = t["value"].to_numpy() if numeric else np.arange(len(t))
    fig = new_figure(10.0, 6.5)
    ax, ax2 = fig.subplots(2, 1, sharex=True)
    ax.plot(x, 100 * t["p_on_time"], "o-", color=BLUE, label="P(landing on planned day)")
    ax.fill_between(x, 100 * t["p_low"], 100 * t["p_high"], color=BLUE, alpha=0.2, label="95% CI")
    ax.axhline(100 * target, color=RED, ls="--", lw=1.2, label=f"target {target:.0%}")
    values = np.r_[t["p_low"], t["p_high"], target] * 100
    pad = max(np.ptp(values) * 0.1, 2.0)
    ax.set_ylim(max(values.min() - pad, 0), min(values.max() + pad, 100.5))
    ax.set_ylabel("P(on planned day) (%)")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(alpha=0.3)
    ax2.plot(x, 100 * t["work_p50"], "s-", color=ORANGE, label="work done P50")
    ax2.plot(x, 100 * t["work_p10"], "^--", color=GREEN, label="work done P10 (bad case)")
    values = np.r_[t["work_p50"], t["work_p10"]] * 100
    pad = max(np.ptp(values) * 0.1, 2.0)
    ax2.set_ylim(max(values.min() - pad, 0), min(values.max() + pad, 102))
    ax2.set_ylabel("Work done (% of plan)")
    ax2.legend(loc="upper left", bbox_to_anchor=(1.01, 1))
    ax2.grid(alpha=0.3)
    if not numeric:
        ax2.set_xticks(x, [str(v) for v in t["value"]])
    ax2.set_xlabel(xlabel)
    per_run = int(t["n"].min()) if "n" in t.columns else None
    ax.set_title(
        titled("On-time landing vs work done", scenario, n or per_run, title)
        + (" per point" if per_run and not title else "")
    )
    return fig
