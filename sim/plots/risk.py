"""Figures of the headline risk: when the crew lands (S-curve, delay histogram) and when a vehicle
launches.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim import analysis
from sim.plots.axes import axis_label, date_axis, naive_utc, sorted_values, stamp
from sim.plots.style import BLUE, GREEN, GREY, LIGHT, ORANGE, RED, new_figure, styled, titled


@styled
def s_curve(
    df: pd.DataFrame,
    column: str = "landing_actual_utc",
    planned_column: str = "landing_planned_utc",
    qs: Sequence[float] = (0.5, 0.8),
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """Cumulative probability of the landing time (x: UTC dates) with the planned time, the planned
    calendar day and the P50/P80 landing times marked. Replications without a landing keep the
    curve below 1 (noted in the legend)."""
    total = len(df)
    x, _ = sorted_values(df, column)
    fig = new_figure()
    ax = fig.add_subplot()
    y = np.arange(1, x.size + 1) / max(total, 1)
    ax.step(x, y, where="post", color=BLUE, lw=2, label="P(landed by this time)")
    if planned_column in df.columns and df[planned_column].notna().any():
        planned = pd.Timestamp(naive_utc(df[planned_column].dropna()).min())
        day = planned.normalize()
        p_day = float(
            np.mean((x >= day.to_datetime64()) & (x < (day + pd.Timedelta(days=1)).to_datetime64()))
        )
        ax.axvspan(
            day,
            day + pd.Timedelta(days=1),
            color=GREEN,
            alpha=0.12,
            label=f"planned day: {p_day * total / max(total, 1):.0%} land on it",
        )
        ax.axvline(planned, color=GREEN, ls="--", lw=1.5, label=f"planned {stamp(planned)} UTC")
    else:
        planned = None
    for q in qs:
        if x.size == 0:
            break
        k = min(int(np.ceil(q * total)) - 1, x.size - 1)
        if k < 0 or q * total > x.size:
            continue
        xq = pd.Timestamp(x[k])
        extra = ""
        if planned is not None:
            extra = f" ({(xq - planned) / pd.Timedelta(hours=1):+.0f} h)"
        ax.plot([xq, xq], [0, q], color=ORANGE, ls=":", lw=1.2)
        ax.plot([x[0], xq], [q, q], color=ORANGE, ls=":", lw=1.2)
        ax.plot([xq], [q], "o", color=ORANGE)
        ax.annotate(
            f"{analysis.q_label(q)}: {stamp(xq)}{extra}",
            (xq, q),
            xytext=(14, -4),
            textcoords="offset points",
            fontsize=9,
            color="#8b4513",
            va="center",
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1},
        )
    missing = total - x.size
    if missing:
        ax.axhline(
            x.size / total,
            color=RED,
            lw=0.8,
            ls="--",
            label=f"{missing / total:.1%} did not land in the horizon",
        )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("Cumulative probability")
    ax.set_xlabel(axis_label(column))
    date_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(titled("When does the crew land?", scenario, n or total, title))
    return fig


@styled
def delay_histogram(
    df: pd.DataFrame,
    column: str = "landing_delay_h",
    bins: int = 40,
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """Histogram of a delay (share of replications per bin). Exactly-zero delays get their own bar;
    hours switch to days when the 99th percentile exceeds three days."""
    values, _ = sorted_values(df, column)
    total = len(df)
    unit = "h"
    if column.endswith("_h") and values.size and np.quantile(values, 0.99) > 72:
        values, unit = values / 24.0, "d"
    zero = values[np.abs(values) < 1e-9]
    positive = values[np.abs(values) >= 1e-9]
    fig = new_figure()
    ax = fig.add_subplot()
    if positive.size:
        edges = np.histogram_bin_edges(positive, bins=bins)
        counts, edges = np.histogram(positive, bins=edges)
        ax.bar(
            edges[:-1],
            100 * counts / total,
            width=np.diff(edges),
            align="edge",
            color=BLUE,
            edgecolor="white",
            label="delayed",
        )
        width = np.diff(edges).mean()
    else:
        width = 1.0
    if zero.size:
        ax.bar(
            [0],
            [100 * zero.size / total],
            width=width * 0.8,
            color=GREEN,
            label=f"no delay: {zero.size / total:.0%}",
        )
    if values.size:
        for q, ls in ((0.5, "-"), (0.8, "--"), (0.9, ":")):
            v = np.quantile(values, q)
            ax.axvline(
                v, color=ORANGE, ls=ls, lw=1.3, label=f"{analysis.q_label(q)} = {v:.3g} {unit}"
            )
    name = axis_label(column).split(" (")[0]
    ax.set_xlabel(f"{name} ({'days' if unit == 'd' else 'hours'})")
    ax.set_ylabel("Share of replications (%)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title(titled(f"Distribution of {name.lower()}", scenario, n or total, title))
    return fig


@styled
def launch_probability(
    table: pd.DataFrame,
    vehicle: str,
    planned: Any = None,
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """P(launched by day k after the planned date) from ``analysis.launch_probability_curve``, with
    its Wilson band; calendar dates on the top axis when ``planned`` is given."""
    fig = new_figure()
    ax = fig.add_subplot()
    ax.step(table["day"], table["p"], where="post", color=BLUE, lw=2, label="P(launched by day k)")
    ax.fill_between(
        table["day"],
        table["ci_low"],
        table["ci_high"],
        step="post",
        color=BLUE,
        alpha=0.2,
        label="95% CI",
    )
    p0 = float(table["p"].iloc[0])
    ax.annotate(
        f"on the planned day: {p0:.0%}",
        (0, p0),
        xytext=(6, -16),
        textcoords="offset points",
        fontsize=9,
    )
    ax.set_ylim(0, 1.02)
    ax.set_xlim(-0.5, max(float(table["day"].max()), 1) + 0.5)
    ax.set_xlabel("Days after the planned launch date")
    ax.set_ylabel("Probability launched")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    if planned is not None:
        start = pd.Timestamp(planned)
        start = start.tz_convert("UTC").tz_localize(None) if start.tzinfo else start
        base = mdates.date2num(start.normalize())
        top = ax.secondary_xaxis("top", functions=(lambda d: d + base, lambda d: d - base))
        top.set_xlabel("Calendar date (UTC)")
        lo, hi = ax.get_xlim()
        date_axis(top, limits=(lo + base, hi + base))
    nn = n or (int(table["n"].iloc[0]) if "n" in table.columns else None)
    ax.set_title(
        titled(f"When does {vehicle} launch? (launch failures excluded)", scenario, nn, title)
    )
    return fig


@styled
def landing_risk(
    df: pd.DataFrame,
    flight: str | None = None,
    column: str = "landing_actual_utc",
    planned_column: str = "landing_planned_utc",
    qs: Sequence[float] = (0.1, 0.5, 0.8, 0.9),
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """The headline landing in the Primavera style: a histogram of landings per day (left axis,
    share of replications) under the cumulative S-curve (right axis), the planned date, the
    P10/P50/P80/P90 dates marked and tabulated on the chart."""
    total = len(df)
    x, _ = sorted_values(df, column)
    if x.size == 0:
        raise ValueError(f"No values in {column!r} to draw.")
    fig = new_figure()
    ax = fig.add_subplot()
    days = pd.DatetimeIndex(x).normalize()
    first, last = days.min(), days.max() + pd.Timedelta(days=1)
    edges = pd.date_range(first, last, freq="D")
    counts, _ = np.histogram(x, bins=edges.to_numpy())
    ax.bar(
        edges[:-1],
        100 * counts / total,
        width=1.0,
        align="edge",
        color=LIGHT,
        edgecolor=GREY,
        linewidth=0.5,
        label="landings per day (left axis)",
    )
    ax.set_ylabel("Share of replications landing that day (%)")
    cum = ax.twinx()
    cum.spines["right"].set_visible(True)
    y = np.arange(1, x.size + 1) / total
    cum.step(x, 100 * y, where="post", color=BLUE, lw=2.2, label="cumulative (right axis)")
    cum.set_ylim(0, 102)
    cum.set_ylabel("Cumulative probability of landing (%)")
    planned = None
    if planned_column in df.columns and df[planned_column].notna().any():
        planned = pd.Timestamp(naive_utc(df[planned_column].dropna()).min())
        cum.axvline(planned, color=GREEN, ls="--", lw=1.6, label=f"planned {stamp(planned)}")
    rows = []
    for q, marker in zip(qs, ("v", "o", "s", "D"), strict=False):
        k = int(np.ceil(q * total)) - 1
        if k < 0 or k >= x.size:
            rows.append((analysis.q_label(q), "not landed", ""))
            continue
        xq = pd.Timestamp(x[k])
        cum.plot([xq], [100 * q], marker, color=ORANGE, mec=BLUE, ms=7, zorder=5)
        cum.annotate(
            analysis.q_label(q), (xq, 100 * q), xytext=(6, -12), textcoords="offset points"
        )
        late = (xq - planned) / pd.Timedelta(days=1) if planned is not None else float("nan")
        rows.append((analysis.q_label(q), stamp(xq), f"{late:+.1f} d" if late == late else ""))
    table = ax.table(
        cellText=[list(r) for r in rows],
        colLabels=["", "landing (UTC)", "vs plan"],
        loc="center right",
        colWidths=[0.07, 0.16, 0.1],
        cellLoc="left",
        zorder=6,
    )
    table.auto_set_font_size(False)
    table.set_fontsize(9.5)
    missing = total - x.size
    handles = ax.get_legend_handles_labels()[0] + cum.get_legend_handles_labels()[0]
    labels = ax.get_legend_handles_labels()[1] + cum.get_legend_handles_labels()[1]
    if missing:
        labels[-1] += f"; {missing / total:.1%} not landed"
    fig.legend(handles, labels, loc="outside lower center", ncol=3)
    ax.set_xlim(first - pd.Timedelta(days=1), last + pd.Timedelta(days=1))
    ax.set_xlabel("Landing date (UTC)")
    date_axis(ax)
    ax.grid(axis="y")
    who = f"When does {flight} land?" if flight else "When does the crew land?"
    ax.set_title(titled(who, scenario, n or total, title))
    return fig


@styled
def risk_gantt(
    table: pd.DataFrame,
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """A risk Gantt from ``analysis.milestones``: one row per milestone, the P10-P90 range of when
    it happened as a bar, its P50 as a tick, the plan as a diamond, and the share late written."""
    t = table.iloc[::-1].reset_index(drop=True)
    fig = new_figure(10.0, max(3.2, 0.55 * len(t) + 1.8))
    ax = fig.add_subplot()
    to_num = mdates.date2num
    yy = np.arange(len(t))
    for y, r in zip(yy, t.itertuples(index=False), strict=True):
        if pd.isna(r.p10):
            continue
        lo, mid, hi = (to_num(pd.Timestamp(naive_utc([v])[0])) for v in (r.p10, r.p50, r.p90))
        ax.barh(y, max(hi - lo, 0.04), left=lo, height=0.5, color=ORANGE, edgecolor=BLUE, lw=0.6)
        ax.plot([mid, mid], [y - 0.3, y + 0.3], color=BLUE, lw=2.5)
        late = f"late in {r.p_late:.0%}" if r.p_late == r.p_late else ""
        if r.happened < 0.999:
            late += f", happens in {r.happened:.0%}"
        ax.annotate(late, (hi, y), xytext=(8, 0), textcoords="offset points", va="center")
    planned = [to_num(pd.Timestamp(naive_utc([v])[0])) for v in t["planned"]]
    ax.plot(planned, yy, "D", color=GREEN, mec="black", ms=7, label="plan", zorder=5)
    ax.set_yticks(yy, list(t["milestone"]))
    ax.set_xlabel("Date (UTC)")
    lo = min(planned + [to_num(pd.Timestamp(naive_utc([v])[0])) for v in t["p10"].dropna()])
    hi = max(planned + [to_num(pd.Timestamp(naive_utc([v])[0])) for v in t["p90"].dropna()])
    ax.set_xlim(lo - 1, hi + 0.25 * (hi - lo) + 2)
    date_axis(ax)
    ax.grid(axis="x")
    ax.legend(
        handles=[
            Patch(facecolor=ORANGE, edgecolor=BLUE, label="P10-P90 of the replications"),
            plt_line(BLUE, "P50"),
            plt_line(GREEN, "plan", marker="D"),
        ],
        loc="lower left",
    )
    ax.set_title(titled("Milestones: plan vs P10-P50-P90", scenario, n, title))
    return fig


def plt_line(color: str, label: str, marker: str | None = None) -> Any:
    """A legend handle: a short line (or a marker) in ``color``."""
    from matplotlib.lines import Line2D

    if marker:
        return Line2D([], [], color=color, marker=marker, ls="", mec="black", label=label)
    return Line2D([], [], color=color, lw=2.5, label=label)
