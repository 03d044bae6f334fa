"""Figures of one replication: the planned vs actual Gantt chart and the people aboard over time."""

from __future__ import annotations

import re
from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.plots.axes import date_axis, naive_utc
from sim.plots.style import BLUE, GREY, ORANGE, RED, new_figure, styled

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
    ev = ev.assign(time=naive_utc(ev["time_utc"])) if len(ev) else ev.assign(time=pd.NaT)
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


@styled
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

    def overlaps(span: tuple) -> bool:
        s, e = span
        return (s is None or s <= hi) and (e is None or e >= lo) and (s, e) != (None, None)

    # No empty lanes: a phase wholly outside the window (a return months later) is left out.
    lanes = [lane for lane in lanes if any(overlaps(sp) for sp in (*lane[1], *lane[2]))]
    fig = new_figure(10.0, max(3.0, 0.55 * len(lanes) + 2.0))
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
                if style.get("hatch") is None and e is not None and e > hi:
                    # The bar runs on past the window: say until when, inside the axes.
                    ax.annotate(
                        f"until {e:%d %b} →",
                        (to_num(hi), y + offset),
                        xytext=(-4, 0),
                        textcoords="offset points",
                        ha="right",
                        va="center",
                        fontsize=9,
                        color="white",
                        zorder=5,
                    )
                if style.get("hatch") is None and s is not None and s < lo:
                    ax.annotate(
                        f"← since {s:%d %b}",
                        (to_num(lo), y + offset),
                        xytext=(4, 0),
                        textcoords="offset points",
                        ha="left",
                        va="center",
                        fontsize=9,
                        color="white",
                        zorder=5,
                    )
                s = s if s is not None else lo
                e = e if e is not None else hi
                # At least ~1.5 h wide so that a 3-hour phase stays visible on a 40-day axis.
                bars.append((to_num(s), max(to_num(e) - to_num(s), 0.06)))
            if bars:
                ax.broken_barh(bars, (y + offset - height / 2, height), **style)
    ax.set_yticks(range(len(lanes)), [lane[0] for lane in lanes][::-1])
    ax.set_xlim(to_num(lo), to_num(hi))
    ax.set_xlabel("Time (UTC)")
    date_axis(ax)
    ax.grid(axis="x", alpha=0.3)
    fig.legend(
        handles=[
            Patch(facecolor="#d9d9d9", edgecolor=GREY, hatch="///", label="planned"),
            Patch(color=BLUE, label="actual"),
            Patch(color=ORANGE, label="work done"),
        ],
        loc="outside lower center",
        fontsize=9,
        ncol=3,
    )
    rep = f"replication {replication}" if replication is not None else "one replication"
    ax.set_title(title or f"Timeline of {rep}" + (f" — {scenario}" if scenario else ""))
    return fig


@styled
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
    fig = new_figure(9.0, 4.2)
    ax = fig.add_subplot()
    ax.step(
        np.r_[times, end],
        np.r_[count, count[-1]],
        where="post",
        color=BLUE,
        lw=3,
        label="people aboard",
    )
    if np.isfinite(seats).any():
        # Dashed and on top, so that it shows even where it equals the people aboard.
        ax.step(
            np.r_[times, end],
            np.r_[seats, seats[-1]],
            where="post",
            color=ORANGE,
            lw=2.2,
            ls=(0, (4, 3)),
            label="return seats docked",
        )
        short = np.isfinite(seats) & (seats < count)
        note = (
            "seats = people at every moment"
            if np.allclose(seats[np.isfinite(seats)], count[np.isfinite(seats)])
            else f"fewer seats than people in {int(short.sum())} interval(s)"
        )
        ax.text(0.99, 0.97, note, transform=ax.transAxes, ha="right", va="top")
    if limit is not None:
        ax.axhline(limit, color=RED, lw=1.2, ls=":", label=f"station limit ({limit})")
    for t, c, fl in zip(times, count, ev["flight"], strict=True):
        if fl:
            ax.annotate(str(fl), (t, c), xytext=(3, 4), textcoords="offset points", fontsize=8)
    top = np.nanmax(np.r_[count, seats, limit or 0])
    ax.set_ylim(0, top + 2)
    ax.set_xlabel("Time (UTC)")
    date_axis(ax)
    ax.set_ylabel("People")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=9)
    ax.set_title(
        title or f"Crew aboard, replication {replication}" + (f" — {scenario}" if scenario else "")
    )
    return fig
