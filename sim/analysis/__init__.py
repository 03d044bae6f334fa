"""Schedule-risk statistics on outcome tables: percentiles with confidence intervals, probabilities of
meeting a date, sensitivity (rank correlation), delay attribution and the comparison of two runs.

Every function is pure: a pandas DataFrame of outcome rows (one row per replication, columns as in
the outcome-column contract) goes in; a DataFrame or a small dataclass comes out. This module is the
public face of :mod:`sim.analysis.estimates`, :mod:`sim.analysis.sensitivity` and :mod:`sim.analysis.comparison`, plus the
headline figures of a run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.comparison import (
    Comparison,
    _unit_of,
    compare,
    scenario_differences,
    side_by_side,
)
from sim.analysis.estimates import (
    DEFAULT_QS,
    DELAY_PREFIX,
    INPUT_PREFIX,
    AnalysisInputError,
    PrecisionPlan,
    Proportion,
    _bool_values,
    _column,
    _numeric,
    convergence,
    p_on_time,
    p_within,
    percentiles,
    probability,
    q_label,
    replications_for_precision,
    wilson,
)
from sim.analysis.milestones import milestones
from sim.analysis.sensitivity import (
    attribution,
    cause_name,
    check_attribution,
    criticality,
    delay_columns,
    impact,
    input_columns,
    tornado,
)


def flights_with(df: pd.DataFrame, suffix: str) -> list[str]:
    """Vehicle names V with a column ``V.<suffix>`` (e.g. ``landing_delay_h``)."""
    tail = "." + suffix
    return [
        str(c)[: -len(tail)]
        for c in df.columns
        if str(c).endswith(tail) and not str(c).startswith((INPUT_PREFIX, DELAY_PREFIX))
    ]


def primary_flight(manifest: Mapping[str, Any] | None) -> str | None:
    """The headline flight named in a run manifest, if any."""
    if not manifest:
        return None
    for key in ("primary_flight", "primary_return", "primary"):
        if manifest.get(key):
            return str(manifest[key])
    return None


def headline(
    df: pd.DataFrame, manifest: Mapping[str, Any] | None = None, ci: float = 0.95
) -> pd.DataFrame:
    """The numbers a reader wants first, as rows ``flight, metric, value, ci_low, ci_high, unit``.

    For the headline flight (unprefixed columns; named from the manifest when given) and each
    returning flight ``V`` (``V.landing_delay_h``): landing delay P50/P70/P80 (hours, order-
    statistic CIs) and P(landing on the planned day) (Wilson); then P(work plan complete) and the
    median work-done fraction.
    """
    rows: list[tuple] = []
    main = primary_flight(manifest) or "headline"

    def add_delay(flight: str, delay: str, flag: str) -> None:
        if delay in df.columns and np.isfinite(_numeric(df[delay]).values).any():
            pct = percentiles(df, delay, qs=(0.5, 0.7, 0.8), ci=ci)
            for r in pct.itertuples(index=False):
                rows.append((flight, f"landing delay {r.label}", r.value, r.ci_low, r.ci_high, "h"))
        if flag in df.columns:
            p = probability(df, flag, ci=ci)
            rows.append((flight, "P(landing on planned day)", p.p, p.low, p.high, "probability"))

    add_delay(main, "landing_delay_h", "landed_on_planned_day")
    for v in flights_with(df, "landing_delay_h"):
        if v != main or "landing_delay_h" not in df.columns:
            add_delay(v, f"{v}.landing_delay_h", f"{v}.landed_on_planned_day")
    if "work_complete" in df.columns:
        p = probability(df, "work_complete", ci=ci)
        rows.append((main, "P(work plan complete)", p.p, p.low, p.high, "probability"))
    if "work_done_frac" in df.columns and np.isfinite(_numeric(df["work_done_frac"]).values).any():
        r = percentiles(df, "work_done_frac", qs=(0.5,), ci=ci).iloc[0]
        rows.append((main, "work done P50", r.value, r.ci_low, r.ci_high, "fraction"))
    if "violations" in df.columns:
        p = probability(df, df["violations"].fillna(0) > 0, ci=ci)
        rows.append((main, "P(any constraint violated)", p.p, p.low, p.high, "probability"))
    return pd.DataFrame(rows, columns=["flight", "metric", "value", "ci_low", "ci_high", "unit"])


def launch_probability_curve(
    df: pd.DataFrame,
    vehicle: str,
    max_days: int | None = None,
    ci: float = 0.95,
    exclude_failures: bool = True,
) -> pd.DataFrame:
    """P(vehicle launched by day k after its planned date), k = 0, 1, ..., from ``V.launch_slip_d``.

    Launch failures (``V.launch_failed``) are left out of the denominator by default: the curve
    answers "when does it fly", not "does it succeed". Columns: ``day, p, ci_low, ci_high, n``.
    """
    slip = _numeric(_column(df, f"{vehicle}.launch_slip_d")).values
    keep = np.isfinite(slip)
    failed_col = f"{vehicle}.launch_failed"
    if exclude_failures and failed_col in df.columns:
        keep &= ~(_bool_values(df[failed_col], "false") > 0)
    slip = np.sort(slip[keep])
    if slip.size == 0:
        raise AnalysisInputError(f"No launches of {vehicle} to build a launch curve from.")
    last = int(math.ceil(slip.max() - 1e-9)) if max_days is None else int(max_days)
    days = np.arange(0, max(last, 0) + 1)
    k = np.searchsorted(slip, days + 1e-9, side="right")
    lo, hi = wilson(k, slip.size, ci)
    return pd.DataFrame(
        {"day": days, "p": k / slip.size, "ci_low": lo, "ci_high": hi, "n": slip.size}
    )


def sweep_summary(
    runs: Mapping[Any, pd.DataFrame],
    on_time_column: str = "landed_on_planned_day",
    work_column: str = "work_done_frac",
    ci: float = 0.95,
) -> pd.DataFrame:
    """One row per swept value: P(on planned day) with Wilson CI and work-done P50 / P10.

    Columns: ``value, p_on_time, p_low, p_high, work_p50, work_p10, n`` (input order kept).
    """
    rows = []
    for value, frame in runs.items():
        p = probability(frame, on_time_column, ci=ci)
        w = _numeric(_column(frame, work_column)).values
        w = w[np.isfinite(w)]
        p50, p10 = np.quantile(w, [0.5, 0.1]) if w.size else (np.nan, np.nan)
        rows.append((value, p.p, p.low, p.high, float(p50), float(p10), len(frame)))
    return pd.DataFrame(
        rows, columns=["value", "p_on_time", "p_low", "p_high", "work_p50", "work_p10", "n"]
    )


__all__ = [
    "DEFAULT_QS",
    "AnalysisInputError",
    "Comparison",
    "DELAY_PREFIX",
    "INPUT_PREFIX",
    "PrecisionPlan",
    "Proportion",
    "_unit_of",
    "attribution",
    "cause_name",
    "check_attribution",
    "compare",
    "convergence",
    "criticality",
    "delay_columns",
    "flights_with",
    "headline",
    "impact",
    "input_columns",
    "launch_probability_curve",
    "milestones",
    "p_on_time",
    "p_within",
    "percentiles",
    "primary_flight",
    "probability",
    "q_label",
    "replications_for_precision",
    "scenario_differences",
    "side_by_side",
    "sweep_summary",
    "tornado",
    "wilson",
]
