"""What drives the delay: rank correlation of sampled inputs (tornado), criticality of each cause,
and the attribution of the delay to its causes (the model's ``delay.<cause>_h`` columns).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.estimates import (
    DELAY_PREFIX,
    INPUT_PREFIX,
    AnalysisInputError,
    _column,
    _numeric,
    _z,
    wilson,
)


def input_columns(df: pd.DataFrame) -> list[str]:
    """The sampled-input columns (``in.*``) that vary across replications."""
    cols = []
    for c in df.columns:
        if str(c).startswith(INPUT_PREFIX):
            values = _numeric(df[c]).values
            values = values[np.isfinite(values)]
            if values.size > 2 and np.ptp(values) > 0:
                cols.append(c)
    return cols


def tornado(
    df: pd.DataFrame,
    output: str = "landing_delay_h",
    inputs: Iterable[str] | None = None,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Spearman rank correlation of each sampled input with ``output``, largest |rho| first.

    The interval uses Fisher's z with the Spearman variance 1.06 / (n - 3). Inputs default to
    every ``in.*`` column that varies. Columns: ``input, rho, ci_low, ci_high, p_value, n``.
    """
    y = _numeric(_column(df, output)).values
    names = input_columns(df) if inputs is None else list(inputs)
    z = _z(ci)
    rows = []
    for name in names:
        x = _numeric(_column(df, name)).values
        ok = np.isfinite(x) & np.isfinite(y)
        n = int(ok.sum())
        if n < 5 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
            rows.append((name, np.nan, np.nan, np.nan, np.nan, n))
            continue
        rx, ry = stats.rankdata(x[ok]), stats.rankdata(y[ok])
        rho = float(np.corrcoef(rx, ry)[0, 1])
        zr = math.atanh(float(np.clip(rho, -0.999999, 0.999999)))
        se = math.sqrt(1.06 / (n - 3))
        t = rho * math.sqrt((n - 2) / max(1e-12, 1 - rho**2))
        p_value = float(2 * stats.t.sf(abs(t), n - 2))
        rows.append((name, rho, math.tanh(zr - z * se), math.tanh(zr + z * se), p_value, n))
    out = pd.DataFrame(rows, columns=["input", "rho", "ci_low", "ci_high", "p_value", "n"])
    order = out["rho"].abs().fillna(-1).sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)


def delay_columns(df: pd.DataFrame) -> list[str]:
    """The delay-attribution columns ``delay.<cause>_h`` in table order."""
    return [c for c in df.columns if str(c).startswith(DELAY_PREFIX) and str(c).endswith("_h")]


def cause_name(column: str) -> str:
    """``delay.launch_slip_h`` -> ``launch_slip``."""
    return column[len(DELAY_PREFIX) : -len("_h")]


def criticality(
    df: pd.DataFrame, causes: Iterable[str] | None = None, ci: float = 0.95, tol_h: float = 1e-9
) -> pd.DataFrame:
    """Share of replications in which each cause added a positive delay, with a Wilson interval.

    Columns: ``cause, criticality, ci_low, ci_high, n_positive, n``, most critical first.
    """
    cols = delay_columns(df) if causes is None else [f"{DELAY_PREFIX}{c}_h" for c in causes]
    rows = []
    for col in cols:
        v = _numeric(_column(df, col)).values
        v = v[np.isfinite(v)]
        k = int(np.count_nonzero(v > tol_h))
        lo, hi = wilson(k, max(v.size, 1), ci)
        rows.append((cause_name(col), k / v.size if v.size else np.nan, lo, hi, k, v.size))
    out = pd.DataFrame(
        rows, columns=["cause", "criticality", "ci_low", "ci_high", "n_positive", "n"]
    )
    return out.sort_values("criticality", ascending=False, kind="stable").reset_index(drop=True)


def check_attribution(
    df: pd.DataFrame, total: str = "landing_delay_h", atol_h: float = 1e-6
) -> None:
    """Raise ``ValueError`` naming the rows where the ``delay.*`` columns do not add up to ``total``.

    Rows where ``total`` is missing (no landing) are not checked; a missing cause counts as 0 h.
    """
    cols = delay_columns(df)
    if not cols:
        raise AnalysisInputError("The outcome table has no delay.<cause>_h columns.")
    tot = _numeric(_column(df, total)).values
    parts = np.column_stack([_numeric(df[c]).values for c in cols])
    gap = np.nansum(parts, axis=1) - tot
    bad = np.flatnonzero(np.isfinite(tot) & (np.abs(gap) > atol_h))
    if bad.size:
        ids = df["replication"].to_numpy()[bad] if "replication" in df.columns else bad
        shown = ", ".join(f"{i} ({g:+.6g} h)" for i, g in zip(ids[:10], gap[bad][:10], strict=True))
        more = f" and {bad.size - 10} more" if bad.size > 10 else ""
        raise AnalysisInputError(
            f"Delay attribution does not add up to {total!r} in {bad.size} row(s): "
            f"replication {shown}{more}. Each row's delay.<cause>_h columns must sum to the total."
        )


def attribution(
    df: pd.DataFrame, total: str = "landing_delay_h", atol_h: float = 1e-6
) -> pd.DataFrame:
    """What each cause contributes to the landing delay (hours), over rows where a landing happened.

    Columns: ``cause, mean_h, share, p50_h, p90_h, criticality``; ``share`` is the cause's mean
    over the mean total delay, so shares add up to 1 when the mean total is nonzero (all zero
    otherwise). Raises ``ValueError`` (naming the rows) if the causes do not add up to the total.
    """
    check_attribution(df, total, atol_h)
    tot = _numeric(df[total]).values
    ok = np.isfinite(tot)
    mean_total = float(tot[ok].mean()) if ok.any() else 0.0
    rows = []
    for col in delay_columns(df):
        v = np.nan_to_num(_numeric(df[col]).values[ok])
        mean = float(v.mean()) if v.size else 0.0
        share = mean / mean_total if abs(mean_total) > 1e-12 else 0.0
        p50, p90 = np.quantile(v, [0.5, 0.9]) if v.size else (0.0, 0.0)
        crit = float(np.mean(v > 1e-9)) if v.size else 0.0
        rows.append((cause_name(col), mean, share, float(p50), float(p90), crit))
    out = pd.DataFrame(rows, columns=["cause", "mean_h", "share", "p50_h", "p90_h", "criticality"])
    return out.sort_values("mean_h", ascending=False, kind="stable").reset_index(drop=True)


def impact(
    df: pd.DataFrame,
    output: str = "landing_delay_h",
    q: float = 0.8,
    inputs: Iterable[str] | None = None,
    min_rows: int = 20,
) -> pd.DataFrame:
    """How far the ``q``-percentile of ``output`` swings when each sampled input is low or high.

    For each input, the replications with the input at or below its P10 and those at or above its
    P90 (for an input whose P10 equals its P90, such as a rare 0/1 event: its lowest and highest
    values) give two conditional percentiles of the output; the swing is their difference. Inputs
    with fewer than ``min_rows`` replications in either group are left out. Columns:
    ``input, low_value, high_value, out_low, out_high, base, swing, n_low, n_high``, in the
    output's unit, largest absolute swing first.
    """
    y = _numeric(_column(df, output)).values
    names = input_columns(df) if inputs is None else list(inputs)
    base = float(np.quantile(y[np.isfinite(y)], q)) if np.isfinite(y).any() else np.nan
    rows = []
    for name in names:
        x = _numeric(_column(df, name)).values
        ok = np.isfinite(x) & np.isfinite(y)
        if ok.sum() < 2 * min_rows:
            continue
        xs, ys = x[ok], y[ok]
        lo, hi = np.quantile(xs, [0.1, 0.9], method="inverted_cdf")
        if lo == hi:
            lo, hi = xs.min(), xs.max()
        low, high = ys[xs <= lo], ys[xs >= hi]
        if lo == hi or low.size < min_rows or high.size < min_rows:
            continue
        out_low, out_high = float(np.quantile(low, q)), float(np.quantile(high, q))
        rows.append(
            (name, lo, hi, out_low, out_high, base, out_high - out_low, low.size, high.size)
        )
    cols = ["input", "low_value", "high_value", "out_low", "out_high", "base", "swing"]
    out = pd.DataFrame(rows, columns=[*cols, "n_low", "n_high"])
    order = out["swing"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)
