"""matplotlib figures of outcome tables, event traces and the outputs of ``sim.analysis``.

Each function takes data and returns a ``matplotlib.figure.Figure`` built without pyplot: no global
figure registry and no backend switch (a bare Figure draws with Agg), so figures can be saved in a
loop without leaking memory, work headless, and still display inline in notebooks. Titles name the scenario and the number of replications when given (``scenario``,
``n``) or take an explicit ``title``. Time points are drawn as UTC dates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim import analysis

BLUE, ORANGE, GREY, RED, GREEN = "#1f77b4", "#ff7f0e", "#7f7f7f", "#d62728", "#2ca02c"


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _title(base: str, scenario: str | None, n: int | None, title: str | None) -> str:
    if title:
        return title
    parts = [p for p in (scenario, f"{n:,} replications" if n else None) if p]
    return f"{base}\n{', '.join(parts)}" if parts else base


def _figure(width: float = 8.0, height: float = 4.8) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _naive_utc(values: Any) -> np.ndarray:
    """Timestamps (tz-aware or naive UTC) as naive UTC datetime64 for matplotlib."""
    idx = pd.DatetimeIndex(pd.Series(values).reset_index(drop=True))
    if idx.tz is not None:
        idx = idx.tz_convert("UTC").tz_localize(None)
    return idx.to_numpy()


def _stamp(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    return ts.strftime("%d %b %H:%M")


def _date_axis(ax: Any, axis: str = "x", limits: tuple[float, float] | None = None) -> None:
    """Date ticks as "17 Oct" (with the hour when the axis spans under three days) and the year
    written once in the axis corner; call after plotting so the limits are known."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = limits or (ax.get_xlim() if axis == "x" else ax.get_ylim())
    fmt = "%d %b\n%H:%M" if hi - lo < 3 else "%d %b"
    target.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=8))
    target.set_major_formatter(mdates.DateFormatter(fmt))
    years = sorted({mdates.num2date(v).year for v in (lo, hi)})
    label = target.get_label_text()
    year = "-".join(str(y) for y in years)
    if year not in label:
        target.set_label_text(f"{label} {year}".strip() if label else year)


def _label(column: str) -> str:
    """Readable axis label with the unit taken from the column name."""
    names = {
        "landing_delay_h": "Landing delay",
        "landing_actual_utc": "Landing time (UTC)",
        "work_done_frac": "Work done (fraction of plan)",
        "contingency_h": "Contingency crew time",
        "visit_days": "Visitors' days aboard (d)",
    }
    label = names.get(column, column.replace("_", " "))
    for suffix, unit in (("_h", "h"), ("_d", "d")):
        if column.endswith(suffix) and "(" not in label:
            label = f"{label.removesuffix(suffix.replace('_', ' '))} ({unit})"
    return label


def _short_input(name: str) -> str:
    return name.removeprefix(analysis.INPUT_PREFIX)


def _values(df: pd.DataFrame, column: str) -> tuple[np.ndarray, bool]:
    """Finite values of a column (naive UTC datetime64 for time points) and whether it is time."""
    series = df[column].dropna()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return np.sort(_naive_utc(series)), True
    values = pd.to_numeric(series).to_numpy(dtype=float)
    return np.sort(values[np.isfinite(values)]), False


# --------------------------------------------------------------------------------------------
# Distributions of outcomes
# --------------------------------------------------------------------------------------------


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
    x, _ = _values(df, column)
    fig = _figure()
    ax = fig.add_subplot()
    y = np.arange(1, x.size + 1) / max(total, 1)
    ax.step(x, y, where="post", color=BLUE, lw=2, label="P(landed by this time)")
    if planned_column in df.columns and df[planned_column].notna().any():
        planned = pd.Timestamp(_naive_utc(df[planned_column].dropna()).min())
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
        ax.axvline(planned, color=GREEN, ls="--", lw=1.5, label=f"planned {_stamp(planned)} UTC")
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
            f"{analysis.q_label(q)}: {_stamp(xq)}{extra}",
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
    ax.set_xlabel(_label(column))
    _date_axis(ax)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(_title("When does the crew land?", scenario, n or total, title))
    return fig


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
    values, _ = _values(df, column)
    total = len(df)
    unit = "h"
    if column.endswith("_h") and values.size and np.quantile(values, 0.99) > 72:
        values, unit = values / 24.0, "d"
    zero = values[np.abs(values) < 1e-9]
    positive = values[np.abs(values) >= 1e-9]
    fig = _figure()
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
    name = _label(column).split(" (")[0]
    ax.set_xlabel(f"{name} ({'days' if unit == 'd' else 'hours'})")
    ax.set_ylabel("Share of replications (%)")
    ax.grid(axis="y", alpha=0.3)
    ax.legend(fontsize=9)
    ax.set_title(_title(f"Distribution of {name.lower()}", scenario, n or total, title))
    return fig


def ecdf_overlay(
    a: pd.DataFrame,
    b: pd.DataFrame,
    column: str = "landing_delay_h",
    labels: tuple[str, str] = ("A", "B"),
    comparison: analysis.Comparison | None = None,
    title: str | None = None,
) -> Figure:
    """Empirical CDFs of one column in two runs, with medians marked and the KS result if given."""
    fig = _figure()
    ax = fig.add_subplot()
    is_time = False
    for frame, label, color in ((a, labels[0], BLUE), (b, labels[1], ORANGE)):
        x, is_time = _values(frame, column)
        y = np.arange(1, x.size + 1) / max(len(frame), 1)
        ax.step(x, y, where="post", color=color, lw=2, label=f"{label} (n={len(frame):,})")
        if x.size:
            med = x[min(int(np.ceil(0.5 * len(frame))) - 1, x.size - 1)]
            ax.plot([med], [0.5], "o", color=color)
    ax.axhline(0.5, color=GREY, lw=0.8, ls=":")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(_label(column))
    if is_time:
        _date_axis(ax)
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
    ax.set_title(title or f"{_label(column)}: {labels[1]} vs {labels[0]}")
    return fig


# --------------------------------------------------------------------------------------------
# Sensitivity and attribution
# --------------------------------------------------------------------------------------------


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
    fig = _figure(8.0, max(2.5, 0.45 * len(t) + 1.6))
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
    ax.set_yticks(yy, [_short_input(s) for s in t["input"]])
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlim(-1, 1)
    ax.set_xlabel(f"Spearman rank correlation with {_label(output).lower()}")
    ax.legend(
        handles=[
            Patch(color=RED, label="higher input → more delay"),
            Patch(color=BLUE, label="higher input → less delay"),
        ],
        loc="lower right",
        fontsize=8,
    )
    ax.grid(axis="x", alpha=0.3)
    ax.set_title(_title("What drives the delay (sampled inputs)", scenario, n, title))
    return fig


def attribution_bar(
    table: pd.DataFrame,
    scenario: str | None = None,
    n: int | None = None,
    title: str | None = None,
) -> Figure:
    """Mean hours each cause adds to the landing delay (from ``analysis.attribution``), labelled
    with its share of the mean delay and how often it fires; P90 of the cause's hours as a mark."""
    t = table.iloc[::-1]
    fig = _figure(8.0, max(2.5, 0.45 * len(t) + 1.6))
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
    ax.set_title(_title("Where the landing delay comes from", scenario, n, title))
    return fig


# --------------------------------------------------------------------------------------------
# Convergence, sweeps and launch probability
# --------------------------------------------------------------------------------------------


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
    fig = _figure(8.0, 6.0 if has_p else 4.0)
    axes = fig.subplots(2 if has_p else 1, 1, sharex=True, squeeze=False)[:, 0]
    ax = axes[0]
    is_time = pd.api.types.is_datetime64_any_dtype(table[labels[0]].dtype) if labels else False
    for label, color in zip(labels, [BLUE, ORANGE, GREEN, RED, GREY], strict=False):
        conv = _naive_utc if is_time else np.asarray
        ax.plot(table["n"], conv(table[label]), color=color, label=label)
        ax.fill_between(
            table["n"],
            conv(table[f"{label}_low"]),
            conv(table[f"{label}_high"]),
            color=color,
            alpha=0.2,
        )
    ax.set_ylabel(_label(column))
    if is_time:
        _date_axis(ax, "y")
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
        _title("Are there enough replications?", scenario, n or int(table["n"].max()), title)
    )
    return fig


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
    fig = _figure()
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
        _title(
            "On-time landing vs work done",
            scenario,
            n or (int(per_run.replace(",", "")) if per_run else None),
            title,
        )
        + (" per point" if per_run and not title else "")
    )
    return fig


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
    fig = _figure()
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
        _date_axis(top, limits=(lo + base, hi + base))
    nn = n or (int(table["n"].iloc[0]) if "n" in table.columns else None)
    ax.set_title(
        _title(f"When does {vehicle} launch? (launch failures excluded)", scenario, nn, title)
    )
    return fig


# --------------------------------------------------------------------------------------------
# One replication: Gantt chart and crew aboard
# --------------------------------------------------------------------------------------------

_PHASES = (
    ("launch → dock", "launch", "dock"),
    ("docked", "dock", "undock"),
    ("undock → landing", "undock", "landing"),
)


def _ts(row: pd.Series | None, column: str) -> pd.Timestamp | None:
    if row is None or column not in row.index or pd.isna(row[column]):
        return None
    ts = pd.Timestamp(row[column])
    return ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo else ts


def _event_times(events: pd.DataFrame | None, replication: int | None) -> pd.DataFrame:
    if events is None or len(events) == 0:
        return pd.DataFrame(columns=["replication", "time", "flight", "process", "event", "detail"])
    ev = events
    if replication is not None and "replication" in ev.columns:
        ev = ev[ev["replication"] == replication]
    ev = ev.assign(time=_naive_utc(ev["time_utc"])) if len(ev) else ev.assign(time=pd.NaT)
    return ev.sort_values("time", kind="stable")


def _work_intervals(ev: pd.DataFrame) -> dict[str, list[tuple[pd.Timestamp, pd.Timestamp]]]:
    """Pair ``work`` start/end (or resume/interrupt) events per task into intervals."""
    out: dict[str, list] = {}
    open_: dict[str, pd.Timestamp] = {}
    for r in ev[ev["process"] == "work"].itertuples(index=False):
        task = _detail(r.detail).get("task", "work")
        if r.event in ("start", "resume"):
            open_[task] = pd.Timestamp(r.time)
        elif r.event in ("end", "stop", "interrupt") and task in open_:
            out.setdefault(task, []).append((open_.pop(task), pd.Timestamp(r.time)))
    return out


def _detail(text: Any) -> dict[str, str]:
    """``"count=10 seats=10"`` -> {"count": "10", "seats": "10"}."""
    return dict(re.findall(r"([\w.-]+)=([^\s,;]+)", str(text or "")))


def gantt(
    events: pd.DataFrame | None = None,
    outcome_row: pd.Series | None = None,
    replication: int | None = None,
    window: tuple[Any, Any] | None = None,
    scenario: str | None = None,
    title: str | None = None,
) -> Figure:
    """Planned vs actual phases of one replication, one lane per flight and phase.

    Phases come from the outcome row's columns ``V.launch_*_utc``, ``V.dock_*_utc``,
    ``V.undock_*_utc`` and ``V.landing_*_utc`` (planned and actual): launch → dock, docked
    (on station), undock → landing. Work lanes (e.g. filming) come from events with process
    ``work`` and event ``start``/``end`` (or ``resume``/``interrupt``), detail ``task=<name>``.
    Planned bars are drawn light grey above the actual bars; the time window defaults to the
    span of the replication's phases (months-long stays are clipped to a few days around them).
    """
    if replication is None and outcome_row is not None and "replication" in outcome_row.index:
        replication = int(outcome_row["replication"])
    if replication is None and events is not None and len(events):
        replication = int(events["replication"].iloc[0])
    ev = _event_times(events, replication)
    if outcome_row is None and len(ev) == 0:
        raise ValueError("gantt needs an events table and/or an outcome row.")
    lanes: list[tuple[str, list, list]] = []  # (label, planned spans, actual spans)
    flights = []
    if outcome_row is not None:
        for col in outcome_row.index:
            m = re.match(r"(.+)\.(launch|dock|undock|landing)_(planned|actual)_utc$", str(col))
            if m and m.group(1) not in flights:
                flights.append(m.group(1))
    points = []
    for v in flights:
        for label, start, end in _PHASES:
            spans = {}
            for kind in ("planned", "actual"):
                s, e = (
                    _ts(outcome_row, f"{v}.{start}_{kind}_utc"),
                    _ts(outcome_row, f"{v}.{end}_{kind}_utc"),
                )
                spans[kind] = (s, e)
                points += [t for t in (s, e) if t is not None]
            if any(t is not None for pair in spans.values() for t in pair):
                lanes.append((f"{v}  {label}", [spans["planned"]], [spans["actual"]]))
    for task, spans in _work_intervals(ev).items():
        lanes.append((f"{task} (work)", [], spans))
        points += [t for span in spans for t in span]
    points += [pd.Timestamp(t) for t in ev["time"].dropna()] if len(ev) else []
    if not points:
        raise ValueError("Nothing to draw: no phase times in the row and no events.")
    if window is None:
        # Keep the picture on the visit: from shortly before the first launch (or the first time
        # point when nothing launches), at most 30 days.
        launches = (
            [
                _ts(outcome_row, f"{v}.launch_{kind}_utc")
                for v in flights
                for kind in ("planned", "actual")
            ]
            if outcome_row is not None
            else []
        )
        launches = [t for t in launches if t is not None]
        lo = (
            (min(launches) - pd.Timedelta(days=2))
            if launches
            else min(points) - pd.Timedelta(hours=12)
        )
        hi = min(max(points), lo + pd.Timedelta(days=30)) + pd.Timedelta(hours=12)
    else:
        lo, hi = (_ts(pd.Series({"t": w}), "t") for w in window)
    fig = _figure(10.0, max(3.0, 0.55 * len(lanes) + 1.8))
    ax = fig.add_subplot()
    to_num = mdates.date2num
    for i, (label, planned, actual) in enumerate(lanes):
        y = len(lanes) - 1 - i
        for spans, offset, height, style in (
            (planned, 0.18, 0.3, {"facecolor": "#d9d9d9", "edgecolor": GREY, "hatch": "///"}),
            (actual, -0.2, 0.36, {"facecolor": ORANGE if "work" in label else BLUE}),
        ):
            bars = []
            for s, e in spans:
                if s is None and e is None:
                    continue
                s = s if s is not None else lo
                e = e if e is not None else hi
                # At least ~1.5 h wide so that a 3-hour phase stays visible on a 40-day axis.
                bars.append((to_num(s), max(to_num(e) - to_num(s), 0.06)))
            if bars:
                ax.broken_barh(bars, (y + offset - height / 2, height), **style)
    ax.set_yticks(range(len(lanes)), [lane[0] for lane in lanes][::-1])
    ax.set_xlim(to_num(lo), to_num(hi))
    ax.set_xlabel("Time (UTC)")
    _date_axis(ax)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(
        handles=[
            Patch(facecolor="#d9d9d9", edgecolor=GREY, hatch="///", label="planned"),
            Patch(color=BLUE, label="actual"),
            Patch(color=ORANGE, label="work done"),
        ],
        loc="upper right",
        fontsize=8,
        ncol=3,
    )
    rep = f"replication {replication}" if replication is not None else "one replication"
    ax.set_title(title or f"Timeline of {rep}" + (f" — {scenario}" if scenario else ""))
    return fig


def crew_aboard(
    events: pd.DataFrame,
    replication: int | None = None,
    limit: int | None = None,
    scenario: str | None = None,
    title: str | None = None,
) -> Figure:
    """People aboard the station over time vs the station limit and the return seats available.

    Expected rows (one per change, per replication): process ``"crew"``, event ``"aboard"``,
    ``time_utc`` the moment of the change, ``flight`` the vehicle that caused it (or ""), and
    ``detail`` as ``"count=<people aboard> seats=<return seats available> limit=<station max>"``
    (``seats`` and ``limit`` optional; ``limit`` may instead be passed as an argument). The count
    holds until the next row. The first replication in the table is drawn unless one is named.
    """
    ev = events[(events["process"] == "crew") & (events["event"] == "aboard")]
    if replication is None and len(ev):
        replication = int(ev["replication"].iloc[0])
    ev = _event_times(ev, replication)
    if len(ev) == 0:
        raise ValueError("No crew 'aboard' events to draw (process 'crew', event 'aboard').")
    details = [_detail(d) for d in ev["detail"]]
    times = ev["time"].to_numpy()
    count = np.array([float(d.get("count", np.nan)) for d in details])
    seats = np.array([float(d.get("seats", np.nan)) for d in details])
    if limit is None:
        limits = [float(d["limit"]) for d in details if "limit" in d]
        limit = int(max(limits)) if limits else None
    end = times[-1] + np.timedelta64(1, "D")
    fig = _figure(9.0, 4.2)
    ax = fig.add_subplot()
    if np.isfinite(seats).any():
        # A wide pale band under the people line, so that "seats == people" stays visible.
        ax.step(
            np.r_[times, end],
            np.r_[seats, seats[-1]],
            where="post",
            color=GREEN,
            lw=7,
            alpha=0.35,
            label="return seats available",
        )
    ax.step(
        np.r_[times, end],
        np.r_[count, count[-1]],
        where="post",
        color=BLUE,
        lw=2.2,
        label="people aboard",
    )
    if limit is not None:
        ax.axhline(limit, color=RED, lw=1.2, ls=":", label=f"station limit ({limit})")
    for t, c, fl in zip(times, count, ev["flight"], strict=True):
        if fl:
            ax.annotate(str(fl), (t, c), xytext=(3, 4), textcoords="offset points", fontsize=8)
    top = np.nanmax(np.r_[count, seats, limit or 0])
    ax.set_ylim(0, top + 2)
    ax.set_xlabel("Time (UTC)")
    _date_axis(ax)
    ax.set_ylabel("People")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    ax.set_title(
        title or f"Crew aboard, replication {replication}" + (f" — {scenario}" if scenario else "")
    )
    return fig
