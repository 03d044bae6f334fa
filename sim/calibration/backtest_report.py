"""A backtest as text and data: the per-flight table, the printed report and the JSON document.

The figures (PIT histogram, reliability diagram) are drawn by :mod:`sim.plots.calibration` from the
plain numbers :func:`figure_data` gathers.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from sim.calibration.backtest import METRICS, RULES, Backtest
from sim.tables import text_table

TABLE_COLUMNS = (
    "flight",
    "metric",
    "unit",
    "entered",
    "note",
    "observed",
    "naive",
    "replications",
    "mean",
    "probability",
    "q10",
    "q25",
    "median",
    "q75",
    "q90",
    "pit",
    "in_50",
    "in_80",
    "score",
    "naive_score",
    "skill",
)


def table_rows(bt: Backtest) -> list[dict[str, Any]]:
    """One row per flight and metric (also one row per flight not backtested)."""
    rows = []
    for f in bt.flights:
        if f.status != "backtested":
            rows.append({"flight": f.flight, "metric": "", "entered": False, "note": f.reason})
            continue
        for m in f.metrics:
            row = {k: v for k, v in asdict(m).items() if k in TABLE_COLUMNS}
            row["unit"] = METRICS[m.metric][1]
            row["skill"] = m.skill
            rows.append(row)
    return [{c: r.get(c) for c in TABLE_COLUMNS} for r in rows]


def _num(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:.0f}"


def format_table(bt: Backtest) -> str:
    """Plain-text report: per flight and metric, then the summary over flights."""
    head = ("flight", "metric", "observed", "forecast", "PIT", "in 50%", "in 80%", "score", "naive")
    lines_rows = []
    for f in bt.flights:
        if f.status != "backtested":
            continue
        for m in f.metrics:
            if METRICS[m.metric][2] == "event":
                forecast = f"p={_num(m.probability, 2)}"
            elif m.median is not None:
                forecast = f"{_num(m.median)} [{_num(m.q10)}, {_num(m.q90)}]"
            else:
                forecast = "-"
            flag = {True: "yes", False: "no", None: "-"}
            lines_rows.append(
                (
                    m.flight,
                    m.metric,
                    _num(m.observed) if m.entered else f"({m.note})",
                    forecast,
                    _num(m.pit, 2),
                    flag[m.in_50],
                    flag[m.in_80],
                    _num(m.score),
                    _num(m.naive_score),
                )
            )
    lines = text_table(head, lines_rows).splitlines()
    lines += [
        "",
        "forecast: median [10 %, 90 %] of the replications, or p = share of them;",
        "score: CRPS (unit of the metric) or Brier; naive: the plan as a point forecast.",
        "",
    ]
    lines.append(
        f"summary over flights (n={bt.n} replications per flight, seed {bt.seed}, "
        f"training: {bt.training}):"
    )
    for metric, s in bt.summary.items():
        label = "CRPS" if METRICS[metric][2] == "ensemble" else "Brier"
        unit = f" {METRICS[metric][1]}" if METRICS[metric][1] else ""
        sk = _num(s.skill, 2) if s.skill is not None else f"undefined ({s.skill_note})"
        lines.append(
            f"  {metric}: {s.n} flights; mean {label} {_num(s.mean_score)}{unit}, naive "
            f"{_num(s.mean_naive)}{unit}; skill {sk}"
        )
        for c in s.coverage.values():
            lines.append(f"    coverage {c}")
    skipped = [f for f in bt.flights if f.status != "backtested"]
    if skipped:
        lines += ["", "not backtested:"]
        lines += [f"  {f.flight}: {f.reason}" for f in skipped]
    lines += ["", "per flight, scores entered (and why not):"]
    for f in bt.flights:
        if f.status != "backtested":
            continue
        out = [f"{m.metric} ({m.note})" for m in f.metrics if not m.entered]
        extra = f"; model cannot handle: {f.cannot_handle}" if f.cannot_handle else ""
        lines.append(
            f"  {f.flight}: {', '.join(f.entered) or 'none'}"
            + (f"; not: {', '.join(out)}" if out else "")
            + extra
        )
    return "\n".join(lines)


def as_json(bt: Backtest, inputs: dict[str, Any]) -> dict[str, Any]:
    """Everything of a backtest as JSON-ready data."""
    from sim import __version__

    return {
        "crewsim": __version__,
        "inputs": inputs,
        "replications": bt.n,
        "seed": bt.seed,
        "training": bt.training,
        "rules": list(RULES),
        "metrics": {
            k: {"description": d, "unit": u, "kind": kind} for k, (d, u, kind) in METRICS.items()
        },
        "summary": {k: s.as_dict() for k, s in bt.summary.items()},
        "flights": [
            {
                "flight": f.flight,
                "status": f.status,
                "reason": f.reason,
                "model_cannot_handle": f.cannot_handle,
                "scores_entered": f.entered,
                "training_flights": f.training_flights,
                "plan": f.plan,
                "metrics": [{**asdict(m), "skill": m.skill} for m in f.metrics],
            }
            for f in bt.flights
        ],
    }


def figures(bt: Backtest) -> dict[str, Any]:
    """The backtest's figures by file name (``pit_histogram.png``, ``reliability_diagram.png``)."""
    from sim.plots import calibration as plots

    ensembles = [m for m, (_, _, kind) in METRICS.items() if kind == "ensemble"]
    events = [m for m, (_, _, kind) in METRICS.items() if kind == "event"]
    titles = {m: f"{METRICS[m][0]} ({METRICS[m][1]})" for m in ensembles}
    entered = [m for m in bt.results() if m.entered]
    reliability = {
        metric: (
            [m.probability for m in entered if m.metric == metric],
            [m.observed for m in entered if m.metric == metric],
        )
        for metric in events
    }
    subtitle = f"{bt.n} replications per flight"
    return {
        "pit_histogram.png": plots.pit_histogram(
            {m: bt.summary[m].pit for m in ensembles}, titles, subtitle=subtitle
        ),
        "reliability_diagram.png": plots.reliability_diagram(
            reliability, {m: METRICS[m][0] for m in events}, subtitle=subtitle
        ),
    }
