"""Figures of what drives the delay: the tornado of sampled inputs (by impact on the headline
percentile, with the rank correlation beside it) and the attribution of the delay to its causes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.plots.axes import axis_label, short_input
from sim.plots.style import BLUE, GREY, LIGHT, ORANGE, RED, new_figure, styled, titled


def _input_label(name: str) -> str:
    """``in.contingency.thruster-misfire.count`` -> ``thruster-misfire count``."""
    short = short_input(name)
    for prefix in ("contingency.", "work."):
        short = short.removeprefix(prefix)
    return short.replace(".", " ").replace("_", " ")


def _rank_panel(ax, t: pd.DataFrame, output: str, labels: bool) -> None:
    colors = [RED if r > 0 else BLUE for r in t["rho"]]
    yy = np.arange(len(t))
    # rho can fall just outside its Fisher-z interval at the extremes: whiskers never negative.
    err = np.clip(np.vstack([t["rho"] - t["ci_low"], t["ci_high"] - t["rho"]]), 0.0, None)
    ax.barh(yy, t["rho"], color=colors, xerr=err, ecolor="black", capsize=3, height=0.6)
    for y, r, lo, hi in zip(yy, t["rho"], t["ci_low"], t["ci_high"], strict=True):
        ax.text(
            hi + 0.03 if r >= 0 else lo - 0.03,
            y,
            f"{r:+.2f}",
            va="center",
            ha="left" if r >= 0 else "right",
        )
    if labels:
        ax.set_yticks(yy, [_input_label(s) for s in t["input"]])
    else:
        ax.tick_params(labelleft=False)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-1.15, 1.15)
    ax.set_xlabel(f"Spearman rank correlation with {axis_label(output).lower()}")
    ax.legend(
        handles=[
            Patch(color=RED, label="higher input → more delay"),
            Patch(color=BLUE, label="higher input → less delay"),
        ],
        loc="lower right",
        fontsize=8.5,
    )
    ax.grid(axis="x")


def _impact_panel(ax, t: pd.DataFrame, q_label: str) -> None:
    """Bars from the overall percentile to the conditional ones, in days."""
    yy = np.arange(len(t))
    base = float(t["base"].iloc[0]) / 24 if len(t) else 0.0
    low, high = t["out_low"].to_numpy() / 24, t["out_high"].to_numpy() / 24
    ax.barh(yy, low - base, left=base, color=LIGHT, edgecolor=BLUE, hatch="//", height=0.6)
    ax.barh(yy, high - base, left=base, color=ORANGE, edgecolor=BLUE, height=0.6)
    ax.axvline(base, color="black", lw=1)
    span = max(np.nanmax(np.abs(np.r_[low, high] - base)), 0.5) if len(t) else 1.0
    for y, r, lo_d, hi_d in zip(yy, t.itertuples(index=False), low, high, strict=True):
        ax.text(
            max(lo_d, hi_d) + 0.03 * span,
            y,
            f"swing {abs(r.swing) / 24:.1f} d",
            va="center",
        )
    ax.set_yticks(yy, [_input_label(s) for s in t["input"]])
    ax.set_xlim(min(base, np.nanmin(np.r_[low, high], initial=base)) - 0.1 * span, None)
    right = max(base, np.nanmax(np.r_[low, high], initial=base)) + 0.3 * span
    ax.set_xlim(right=right)
    ax.set_xlabel(f"{q_label} of the landing delay (days)")
    ax.legend(
        handles=[
            Patch(facecolor=LIGHT, edgecolor=BLUE, hatch="//", label="input at its P10 (low)"),
            Patch(facecolor=ORANGE, edgecolor=BLUE, label="input at its P90 (high)"),
            Patch(facecolor="white", edgecolor="black", label=f"all replications: {base:.1f} d"),
        ],
        loc="lower right",
        fontsize=8.5,
    )
    ax.grid(axis="x")


@styled
def tornado(
    table: pd.DataFrame,
    output: str = "landing_delay_h",
    top: int = 10,
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
    impact: pd.DataFrame | None = None,
    q_label: str = "P80",
) -> Figure:
    """What drives the delay. With ``impact`` (``analysis.impact``): left, the swing of the
    headline percentile in days when each input is low (P10) or high (P90), largest on top;
    right, the Spearman rank correlation (``analysis.tornado``, CI whiskers) of the same inputs.
    Without it: the rank correlation alone."""
    rank = table.dropna(subset=["rho"])
    if impact is not None and len(impact):
        imp = impact.head(top).iloc[::-1].reset_index(drop=True)
        rank = rank.set_index("input").reindex(imp["input"]).reset_index()
        fig = new_figure(12.0, max(3.5, 0.5 * len(imp) + 2.2))
        ax_imp, ax_rank = fig.subplots(1, 2, sharey=True, width_ratios=[3, 2])
        _impact_panel(ax_imp, imp, q_label)
        _rank_panel(
            ax_rank, rank.fillna({"rho": 0.0, "ci_low": 0.0, "ci_high": 0.0}), output, False
        )
        ax_imp.set_title("Swing of the headline percentile", fontsize=11, fontweight="normal")
        ax_rank.set_title("Rank correlation", fontsize=11, fontweight="normal")
        fig.suptitle(
            titled("What drives the landing delay (sampled inputs)", scenario, n, title),
            fontweight="bold",
            fontsize=13,
        )
        return fig
    t = rank.head(top).iloc[::-1]
    fig = new_figure(10.0, max(3.0, 0.5 * len(t) + 1.8))
    ax = fig.add_subplot()
    _rank_panel(ax, t, output, True)
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
    with its share of the mean delay and how often it fires; P90 of the cause's hours as a mark.
    Labels sit right of both the bar and the mark, and the axis leaves room for them."""
    t = table.iloc[::-1]
    fig = new_figure(10.0, max(3.0, 0.5 * len(t) + 1.8))
    ax = fig.add_subplot()
    yy = np.arange(len(t))
    ax.barh(yy, t["mean_h"], color=BLUE, height=0.6, label="mean hours added")
    ax.plot(t["p90_h"], yy, "|", color=ORANGE, ms=16, mew=3, label="P90 of its hours")
    reach = np.maximum(t["mean_h"].to_numpy(), t["p90_h"].to_numpy())
    right = max(float(np.nanmax(reach, initial=0.0)), 1e-9)
    for y, row, end in zip(yy, t.itertuples(index=False), reach, strict=True):
        share = f"{row.share:.0%}" if abs(row.share) >= 0.005 else "<1%"
        text = (
            f"{share} of mean delay, fires in {row.criticality:.1%}"
            if row.criticality > 0
            else "never fired"
        )
        ax.text(max(end, 0) + 0.02 * right, y, text, va="center", fontsize=9, color="black")
    ax.set_yticks(yy, [c.replace("_", " ") for c in t["cause"]])
    ax.set_xlim(0, right * 1.75)
    ax.set_ylim(-0.7, len(t) - 0.3)
    ax.set_xlabel("Hours added to the landing (mean over replications)")
    ax.legend(loc="lower right", fontsize=9, edgecolor=GREY)
    ax.grid(axis="x")
    ax.set_title(titled("Where the landing delay comes from", scenario, n, title))
    return fig
