"""The per-point table of a sweep, the sentence that answers its question, and its text form.

:func:`summarize` turns the outcome rows of every point into one tidy row per point (the swept
fields as columns, then the headline statistics); :func:`answer` reads that table for the largest
value of the first swept field that meets the target probability.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from sim.analysis.estimates import AnalysisInputError, percentiles, probability
from sim.analysis.sweep_grid import Axis, Point
from sim.errors import CrewsimError
from sim.tables import text_table

#: Outcome columns the per-point table reads (plus the metric).
SUMMARY_COLUMNS = (
    "replication",
    "landed_on_planned_day",
    "work_complete",
    "work_done_frac",
    "work_done_h",
    "landing_delay_h",
    "visit_days",
)


def _quantiles(df: pd.DataFrame, column: str, qs: Sequence[float]) -> list[float]:
    if column not in df.columns:
        return [math.nan] * len(qs)
    try:
        return [float(v) for v in percentiles(df, column, qs=qs)["value"]]
    except AnalysisInputError:
        return [math.nan] * len(qs)


def point_statistics(df: pd.DataFrame, metric: str = "landed_on_planned_day") -> dict[str, Any]:
    """Headline statistics of one point's outcomes (the primary flight's unprefixed columns):
    P(metric) with its 95 % Wilson interval, P(work complete), work done (fraction of the plan)
    P10/P50/P90, hours of work done P50, landing delay P50/P80/P90 (h), visit days P50 (d)."""
    p = probability(df, metric)
    work = probability(df, "work_complete") if "work_complete" in df.columns else None
    w10, w50, w90 = _quantiles(df, "work_done_frac", (0.1, 0.5, 0.9))
    d50, d80, d90 = _quantiles(df, "landing_delay_h", (0.5, 0.8, 0.9))
    return {
        "p_on_time": p.p,
        "p_low": p.low,
        "p_high": p.high,
        "p_work_complete": work.p if work else math.nan,
        "work_p10": w10,
        "work_p50": w50,
        "work_p90": w90,
        "work_h_p50": _quantiles(df, "work_done_h", (0.5,))[0],
        "delay_p50_h": d50,
        "delay_p80_h": d80,
        "delay_p90_h": d90,
        "visit_days_p50": _quantiles(df, "visit_days", (0.5,))[0],
        "n": len(df),
    }


def summarize(
    runs: Mapping[Point, pd.DataFrame] | Sequence[tuple[Point, pd.DataFrame]],
    metric: str = "landed_on_planned_day",
) -> pd.DataFrame:
    """One row per point: ``point``, one column per field (the value's text), ``value`` (the swept
    value: a number when the single swept field is numeric, else a text label, as
    ``sim.plots.sweep_tradeoff`` expects) and the statistics of :func:`point_statistics`."""
    items = list(runs.items()) if isinstance(runs, Mapping) else list(runs)
    if not items:
        raise CrewsimError("no sweep points to summarize")
    paths = [p for p, _ in items[0][0].assignments]
    swept = [p for p in paths if len({dict(pt.assignments)[p] for pt, _ in items}) > 1] or paths[:1]
    numeric = None
    if len(swept) == 1:
        numeric = Axis(swept[0], tuple(dict(pt.assignments)[swept[0]] for pt, _ in items)).numbers()
    rows = []
    for k, (point, df) in enumerate(items):
        values = dict(point.assignments)
        value: Any = numeric[0][k] if numeric else " | ".join(values[p] for p in swept)
        rows.append(
            {"point": point.index, **values, "value": value, **point_statistics(df, metric)}
        )
    return pd.DataFrame(rows)


def metric_text(metric: str) -> str:
    """Readable name of the probability a sweep targets."""
    if metric == "landed_on_planned_day":
        return "P(landing on the planned day)"
    if metric == "work_complete":
        return "P(work plan complete)"
    return f"P({metric})"


def _pct(x: float) -> str:
    return "-" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def _best(rows: pd.DataFrame, field: str, target: float) -> pd.Series | None:
    """The row with the largest value of ``field`` whose probability meets the target."""
    ok = rows[rows["p_on_time"] >= target]
    if ok.empty:
        return None
    nums = Axis(field, tuple(ok[field])).numbers()
    return ok.iloc[max(range(len(ok)), key=lambda i: nums[0][i])] if nums else ok.iloc[-1]


def answer(
    table: pd.DataFrame,
    axes: Sequence[Axis],
    target: float = 0.9,
    metric: str = "landed_on_planned_day",
) -> str:
    """The sentence that answers the sweep's question: the largest value of the first swept field
    whose P(metric) meets ``target`` (for each value of the second swept field, if any), with its
    95 % interval and how much of the plan is done there; or that no value meets it."""
    swept = [a for a in axes if len(a.values) > 1] or list(axes[:1])
    first, rest = swept[0], swept[1:]
    what = metric_text(metric)
    groups = [(None, table)] if not rest else list(table.groupby(rest[0].path, sort=False))
    sentences = []
    for key, rows in groups:
        where = f"With {rest[0].path}={key}: " if rest else ""
        best = _best(rows, first.path, target)
        if best is None:
            top = rows.loc[rows["p_on_time"].idxmax()]
            sentences.append(
                f"{where}no swept value of {first.path} gives {what} >= {target:.0%}; the highest "
                f"is {top['p_on_time']:.1%} (95% CI {top['p_low']:.1%}-{top['p_high']:.1%}) at "
                f"{top[first.path]}."
            )
            continue
        caveat = (
            ""
            if best["p_low"] >= target
            else " (its 95% interval reaches below the target: more replications would settle it)"
        )
        sentences.append(
            f"{where}the largest {first.path} with {what} >= {target:.0%} is {best[first.path]}: "
            f"{what} = {best['p_on_time']:.1%} (95% CI {best['p_low']:.1%}-{best['p_high']:.1%})"
            f"{caveat}; there the work done is {_pct(best['work_p50'])} of the plan at P50 and "
            f"{_pct(best['work_p10'])} at P10, and the whole plan is done in "
            f"{_pct(best['p_work_complete'])} of replications."
        )
    text = " ".join(sentences)
    return text[0].upper() + text[1:]


def format_table(table: pd.DataFrame, axes: Sequence[Axis], metric: str) -> str:
    """The per-point table as fixed-width text for the terminal."""
    fields = [a.path for a in axes if len(a.values) > 1] or [axes[0].path]

    def num(x: float, fmt: str) -> str:
        return "-" if x is None or math.isnan(x) else format(x, fmt)

    head = [
        "pt",
        *fields,
        metric_text(metric) + " [95% CI]",
        "P(work complete)",
        "work P10/P50/P90",
    ]
    head += ["delay P50/P80/P90 h", "visit d P50"]
    lines = []
    for r in table.to_dict("records"):
        lines.append(
            [
                str(r["point"]),
                *[str(r[f]) for f in fields],
                f"{r['p_on_time']:.1%} [{r['p_low']:.1%}, {r['p_high']:.1%}]",
                _pct(r["p_work_complete"]),
                "/".join(_pct(r[c]) for c in ("work_p10", "work_p50", "work_p90")),
                "/".join(num(r[c], ".1f") for c in ("delay_p50_h", "delay_p80_h", "delay_p90_h")),
                num(r["visit_days_p50"], ".2f"),
            ]
        )
    return text_table(head, lines, rule=False)
