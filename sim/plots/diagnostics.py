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
    fig = new_figure(8.0, 6.0 if has_p else 4.0)
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
        # Zoom on the later estimates: the first few replications give very wide intervals.
        late = table[table["n"] >= table["n"].max() / 10]
        cols = [c for label in labels for c in (label, f"{label}_low", f"{label}_high")]
        if len(late) and cols:
            lo, hi = float(late[cols].min().min()), float(late[cols].max().max())
            pad = max(hi - lo, abs(hi) * 0.05, 1e-6) * 0.5
            ax.set_ylim(lo - pad, hi + pad)
    ax.legend(fontsize=9, title="running estimate, 95% CI")
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
    """Trade-off across a sweep (``analysis.sweep_summary``): P(on the planned day) with its CI band
    on the left axis, work done P50 and P10 on the right axis, and the target probability line."""
    t = table.copy()
    numeric = pd.api.types.is_numeric_dtype(t["value"])
    x = t["value"].to_numpy() if numeric else np.arange(len(t))
    fig = new_figure()
    ax = fig.add_subplot()
    ax.plot(x, t["p_on_time"], "o-", color=BLUE, label="P(landing on planned day)")
    ax.fill_between(x, t["p_low"], t["p_high"], color=BLUE, alpha=0.2, label="95% CI")
    ax.axhline(target, color=RED, ls="--", lw=1.2, label=f"target {target:.0%}")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("P(landing on planned day)", color=BLUE)
    ax2 = ax.twinx()
    ax2.plot(x, t["work_p50"], "s-", color=ORANGE, label="work done P50")
    ax2.plot(x, t["work_p10"], "s--", color=ORANGE, alpha=0.7, label="work done P10 (bad case)")
    ax2.set_ylim(0, 1.05)
    ax2.set_ylabel("Work done (fraction of plan)", color=ORANGE)
    if not numeric:
        ax.set_xticks(x, [str(v) for v in t["value"]])
    ax.set_xlabel(xlabel)
    ax.grid(alpha=0.3)
    handles = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8)
    per_run = f"{int(t['n'].min()):,}" if "n" in t.columns else None
    ax.set_title(
        titled(
            "On-time landing vs work done",
            scenario,
            n or (int(per_run.replace(",", "")) if per_run else None),
            title,
        )
        + (" per point" if per_run and not title else "")
    )
    return fig
