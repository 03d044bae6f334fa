"""Figures of forecast verification: PIT histograms, reliability diagrams, sharpness.

Each function takes plain numbers (lists of PIT values, probabilities and outcomes, interval widths)
so the figures do not depend on how a backtest is stored; :mod:`sim.calibration.backtest_report`
gathers them. A figure shows its sampling noise: the PIT histogram a band of where a bin's count of
a calibrated forecast falls 95 % of the time (binomial), the reliability diagram a 95 % Wilson
interval on each bin's observed frequency, so a few flights are not over-read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from scipy import stats

BLUE, ORANGE, GREEN, GREY = "#1f77b4", "#ff7f0e", "#2ca02c", "#7f7f7f"
COLOURS = (BLUE, ORANGE, GREEN, "#d62728", "#9467bd")
MARKERS = ("o", "s", "^", "D", "v")


def binomial_band(n: int, bins: int, conf: float = 0.95) -> tuple[float, float]:
    """Where a bin's count of ``n`` uniform PIT values falls with probability ``conf``:
    the central interval of Binomial(``n``, 1/``bins``)."""
    lo, hi = stats.binom.ppf([(1 - conf) / 2, (1 + conf) / 2], n, 1.0 / bins)
    return float(lo), float(hi)


def wilson(k: int, n: int, conf: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of ``k`` successes in ``n`` (scipy's ``binomtest``)."""
    if n == 0:
        return 0.0, 1.0
    ci = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=conf, method="wilson")
    return float(ci.low), float(ci.high)


def pit_histogram(
    pits: Mapping[str, Sequence[float]],
    titles: Mapping[str, str] | None = None,
    *,
    bins: int = 5,
    subtitle: str = "",
) -> Figure:
    """One PIT histogram per metric with the 95 % binomial band of a calibrated forecast.

    ``pits``: metric -> randomised PIT values (one per flight). Flat within the band = calibrated;
    piled at the ends = too narrow; piled in the middle = too wide.
    """
    names = list(pits)
    fig = Figure(figsize=(4.5 * max(len(names), 1), 4.4), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, max(len(names), 1), sharey=True))
    edges = np.linspace(0, 1, bins + 1)
    for ax, metric in zip(axes, names, strict=False):
        values = list(pits[metric])
        ax.hist(values, bins=edges, color=BLUE, edgecolor="white")
        if values:
            lo, hi = binomial_band(len(values), bins)
            ax.axhspan(lo, hi, color=GREY, alpha=0.2, label="95 % band of a calibrated forecast")
            ax.axhline(len(values) / bins, color=GREY, ls="--", label="expected count")
        title = (titles or {}).get(metric, metric)
        ax.set_title(f"{title}, {len(values)} flights", fontsize=10)
        ax.set_xlabel("randomised PIT")
        ax.set_xlim(0, 1)
    axes[0].set_ylabel("flights")
    handles = next((a.get_legend_handles_labels() for a in axes if a.get_lines()), None)
    if handles and handles[0]:
        fig.legend(*handles, loc="outside lower center", fontsize=8, ncol=2)
    fig.suptitle(
        "Where each flight's actual value fell in its forecast"
        + (f" ({subtitle})" if subtitle else "")
        + "\nflat = calibrated; piled at the ends = too narrow; in the middle = too wide",
        fontsize=10,
    )
    return fig


def reliability_diagram(
    events: Mapping[str, tuple[Sequence[float], Sequence[float]]],
    labels: Mapping[str, str] | None = None,
    *,
    bins: int = 5,
    subtitle: str = "",
) -> Figure:
    """Observed frequency against forecast probability, with 95 % Wilson error bars per bin.

    ``events``: metric -> (forecast probabilities, outcomes 0/1), one pair per flight.
    """
    fig = Figure(figsize=(6.5, 6.4), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color=GREY, ls="--", label="perfectly reliable")
    edges = np.linspace(0, 1, bins + 1)
    for i, (metric, (probs, outcomes)) in enumerate(events.items()):
        p, o = np.asarray(probs, float), np.asarray(outcomes, float)
        if not p.size:
            continue
        colour, marker = COLOURS[i % len(COLOURS)], MARKERS[i % len(MARKERS)]
        idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
        xs, ys, lows, highs, ns = [], [], [], [], []
        for b in range(bins):
            sel = idx == b
            if not sel.any():
                continue
            k, n = int(o[sel].sum()), int(sel.sum())
            lo, hi = wilson(k, n)
            xs.append(float(p[sel].mean()))
            ys.append(k / n)
            lows.append(k / n - lo)
            highs.append(hi - k / n)
            ns.append(n)
        label = (labels or {}).get(metric, metric)
        ax.errorbar(
            xs,
            ys,
            yerr=[lows, highs],
            marker=marker,
            color=colour,
            lw=1,
            capsize=3,
            label=f"{label} ({p.size} flights)",
        )
        for x, y, k in zip(xs, ys, ns, strict=True):
            ax.annotate(
                f"{k}", (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8, color=colour
            )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("forecast probability (share of replications)")
    ax.set_ylabel("observed frequency (share of flights where it happened)")
    ax.set_title(
        "Reliability of event forecasts" + (f" ({subtitle})" if subtitle else "") + "\n"
        f"{bins} probability bins; bars: 95 % Wilson interval; numbers: flights in a bin",
        fontsize=10,
    )
    fig.legend(loc="outside lower center", ncol=2, fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def sharpness(
    widths: Mapping[str, Mapping[str, Sequence[float]]],
    units: Mapping[str, str] | None = None,
    *,
    subtitle: str = "",
) -> Figure:
    """Widths of the central forecast intervals per metric and level (box plots, one per level).

    ``widths``: metric -> level label (e.g. ``"50"``) -> widths over flights. Narrower is sharper;
    sharpness is worth having only if the coverage holds.
    """
    names = list(widths)
    fig = Figure(figsize=(4.5 * max(len(names), 1), 4.2), layout="constrained")
    axes = np.atleast_1d(fig.subplots(1, max(len(names), 1)))
    for ax, metric in zip(axes, names, strict=False):
        levels = list(widths[metric])
        data = [np.asarray(widths[metric][lv], float) for lv in levels]
        if any(d.size for d in data):
            ax.boxplot(
                [d if d.size else [np.nan] for d in data],
                tick_labels=[f"{lv} %" for lv in levels],
                showmeans=True,
            )
        unit = (units or {}).get(metric, "")
        ax.set_title(metric, fontsize=10)
        ax.set_ylabel(f"interval width ({unit})" if unit else "interval width")
        ax.set_xlabel("central interval")
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(
        "Sharpness: widths of the forecast intervals over flights"
        + (f" ({subtitle})" if subtitle else ""),
        fontsize=10,
    )
    return fig
