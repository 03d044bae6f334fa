"""Estimates from outcome tables: percentiles with confidence intervals (order statistics or
bootstrap), probabilities with Wilson intervals, the replications a precision needs, convergence.

Pure functions: a DataFrame of outcome rows in, a DataFrame or a small dataclass out. Time-point
columns (``*_utc``) are handled as float hours internally and returned as timestamps.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_timedelta64_dtype
from scipy import stats

from sim.errors import CrewsimError
from sim.montecarlo.sampling import blocked_proportion_ci, blocked_quantile_ci

DEFAULT_QS: tuple[float, ...] = (0.1, 0.5, 0.8, 0.9)
DELAY_PREFIX = "delay."
INPUT_PREFIX = "in."
_HOUR = pd.Timedelta(hours=1)


class AnalysisInputError(CrewsimError, ValueError):
    """The table cannot answer the question asked (missing column, no rows, inconsistent data).

    A ``ValueError`` for library callers and a ``CrewsimError`` (exit status 2) on the command line.
    """


# --------------------------------------------------------------------------------------------
# Column access: every column becomes float values plus a way back to the column's own type.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Numeric:
    """A column as float values (NaN where missing); ``back`` maps floats to the column's type."""

    values: np.ndarray
    back: Callable[[Any], Any]
    is_time: bool


def _column(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df.columns:
        close = [c for c in df.columns if column.split(".")[-1] in str(c)][:5]
        hint = f" Similar columns: {', '.join(close)}." if close else ""
        raise AnalysisInputError(f"Column {column!r} is not in the outcome table.{hint}")
    return df[column]


def _numeric(series: pd.Series) -> _Numeric:
    """Float view of a column: time points as hours since 1970-01-01 UTC, durations as hours."""
    if is_datetime64_any_dtype(series.dtype):
        tz = getattr(series.dt, "tz", None)
        ref = pd.Timestamp("1970-01-01", tz=tz)
        hours = ((series - ref) / _HOUR).to_numpy(dtype=float, na_value=np.nan)

        def back(x: Any) -> Any:
            arr = np.asarray(x, dtype=float)
            out = ref + pd.to_timedelta(arr.ravel() * 3600.0, unit="s").round("us")
            return out[0] if arr.ndim == 0 else out

        return _Numeric(hours, back, True)
    if is_timedelta64_dtype(series.dtype):
        hours = (series / _HOUR).to_numpy(dtype=float, na_value=np.nan)
        return _Numeric(hours, lambda x: x, False)
    try:
        values = pd.to_numeric(series, errors="raise").to_numpy(dtype=float, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise AnalysisInputError(f"Column {series.name!r} is not numeric or a time point.") from exc
    return _Numeric(values, lambda x: x, False)


def _finite_sorted(df: pd.DataFrame, column: str) -> tuple[np.ndarray, _Numeric]:
    num = _numeric(_column(df, column))
    x = num.values[np.isfinite(num.values)]
    if x.size == 0:
        raise AnalysisInputError(f"Column {column!r} has no values (all missing).")
    return np.sort(x), num


def _bool_values(series: pd.Series, na: Literal["drop", "false"]) -> np.ndarray:
    """Boolean column to a float array of 0/1 (NaN for missing, unless ``na == "false"``)."""
    missing = series.isna().to_numpy()
    try:
        vals = series.where(~missing, False).astype(bool).to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise AnalysisInputError(f"Column {series.name!r} is not true/false.") from exc
    if na == "drop":
        vals[missing] = np.nan
    return vals


def q_label(q: float) -> str:
    """Label of a quantile level: 0.8 -> "P80", 0.975 -> "P97.5"."""
    pct = round(100 * q, 6)
    return f"P{pct:g}"


def _z(ci: float) -> float:
    if not 0 < ci < 1:
        raise AnalysisInputError(f"Confidence level must be between 0 and 1, got {ci}.")
    return float(stats.norm.ppf(0.5 + ci / 2))


# --------------------------------------------------------------------------------------------
# Percentiles
# --------------------------------------------------------------------------------------------


def _order_ci(x: np.ndarray, qs: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Distribution-free interval [x_(j), x_(k)] for the q-quantile of a continuous law.

    The number of observations below the true quantile is Binomial(n, q), so the interval between
    the order statistics picked from its alpha/2 and 1-alpha/2 points covers the quantile with
    probability >= ci (exact, no resampling).
    """
    n = x.size
    alpha = 1 - ci
    j = stats.binom.ppf(alpha / 2, n, qs)  # 1-based index of the lower order statistic
    k = stats.binom.ppf(1 - alpha / 2, n, qs) + 1  # 1-based index of the upper one
    lo = np.clip(np.nan_to_num(j) - 1, 0, n - 1).astype(int)
    hi = np.clip(np.nan_to_num(k, nan=n) - 1, 0, n - 1).astype(int)
    return x[lo], x[hi]


def _bootstrap_quantiles(
    x: np.ndarray, qs: np.ndarray, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Bootstrap distribution of the sample quantiles, shape (len(qs), n_boot), without resampling.

    The j-th smallest of n draws from the empirical law is x_sorted[floor(n U_(j))], with U_(j)
    the j-th order statistic of n uniforms ~ Beta(j, n - j + 1); the next one follows as
    U_(j+1) = U_(j) + (1 - U_(j)) Beta(1, n - j). This is the exact bootstrap of the linear
    interpolated quantile at O(n_boot) cost instead of O(n_boot n log n).
    """
    n = x.size
    out = np.empty((qs.size, n_boot))
    for i, q in enumerate(qs):
        h = (n - 1) * q
        j = int(math.floor(h))  # 0-based index of the lower order statistic
        g = h - j
        u1 = rng.beta(j + 1, n - j, size=n_boot)
        a = x[np.minimum((n * u1).astype(int), n - 1)]
        if g > 0 and j + 1 < n:
            u2 = u1 + (1 - u1) * rng.beta(1, n - j - 1, size=n_boot)
            b = x[np.minimum((n * u2).astype(int), n - 1)]
            out[i] = (1 - g) * a + g * b
        else:
            out[i] = a
    return out


def percentiles(
    df: pd.DataFrame,
    column: str,
    qs: Sequence[float] = DEFAULT_QS,
    ci: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
    method: Literal["order", "bootstrap"] = "order",
    estimator: Literal["linear", "inverted_cdf"] = "linear",
) -> pd.DataFrame:
    """Quantiles of ``column`` with confidence intervals; missing values (did not happen) dropped.

    ``estimator="linear"`` interpolates between order statistics; ``"inverted_cdf"`` takes the
    order statistic itself (the smallest value with at least a share q at or below it), which is
    the right reading of a discrete quantity such as a landing that happens on one of a few days.

    ``method="order"`` (default) gives the exact distribution-free order-statistic interval;
    ``"bootstrap"`` the percentile bootstrap with ``n_boot`` resamples (seeded by ``seed``).
    Returns columns ``q, label, value, ci_low, ci_high, n``; time-point columns give timestamps.
    """
    x, num = _finite_sorted(df, column)
    q = np.asarray(qs, dtype=float)
    if np.any((q < 0) | (q > 1)):
        raise AnalysisInputError(f"Quantile levels must be in [0, 1], got {list(qs)}.")
    value = np.quantile(x, q, method=estimator)
    if method == "order":
        lo, hi = _order_ci(x, q, ci)
    elif method == "bootstrap":
        boot = _bootstrap_quantiles(x, q, n_boot, np.random.default_rng(seed))
        alpha = 1 - ci
        lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2], axis=1)
    else:
        raise AnalysisInputError(f"Unknown method {method!r}: use 'order' or 'bootstrap'.")
    blocked = blocked_quantile_ci(df, _numeric(_column(df, column)).values, q, ci)
    if blocked is not None:  # a stratified run: intervals from its independent blocks
        lo, hi = blocked
    lo, hi = np.minimum(lo, value), np.maximum(hi, value)
    return pd.DataFrame(
        {
            "q": q,
            "label": [q_label(v) for v in q],
            "value": num.back(value),
            "ci_low": num.back(lo),
            "ci_high": num.back(hi),
            "n": x.size,
        }
    )


# --------------------------------------------------------------------------------------------
# Probabilities
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Proportion:
    """An estimated probability with its Wilson interval; unpacks as ``p, low, high``."""

    p: float
    low: float
    high: float
    successes: int
    n: int

    def __iter__(self):
        return iter((self.p, self.low, self.high))

    def _repr_html_(self) -> str:
        from sim.analysis.html import proportion_html

        return proportion_html(self)


def wilson(k: Any, n: Any, ci: float = 0.95) -> tuple[Any, Any]:
    """Wilson score interval for ``k`` successes in ``n`` trials, from
    ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``; elementwise on arrays, NaN
    where ``n`` is 0, and exactly 0 (1) at the end when no (every) trial succeeds."""
    k_all, n_all = np.broadcast_arrays(np.asarray(k), np.asarray(n))
    low = np.full(k_all.shape, np.nan)
    high = np.full(k_all.shape, np.nan)
    for idx in np.ndindex(k_all.shape):
        kk, nn = int(k_all[idx]), int(n_all[idx])
        if nn > 0:
            interval = stats.binomtest(kk, nn).proportion_ci(confidence_level=ci, method="wilson")
            low[idx] = 0.0 if kk <= 0 else interval.low
            high[idx] = 1.0 if kk >= nn else interval.high
    return (low, high) if low.ndim else (float(low), float(high))


def probability(
    df: pd.DataFrame,
    condition_or_column: str | pd.Series | np.ndarray | Callable[[pd.DataFrame], Any],
    ci: float = 0.95,
    na: Literal["drop", "false"] = "drop",
) -> Proportion:
    """Probability that a condition holds, with a Wilson interval.

    The condition is a boolean column name, a boolean Series/array aligned with ``df``, or a
    function ``df -> booleans``. Missing values are dropped (``na="drop"``) or count as the
    condition not holding (``na="false"``).
    """
    if isinstance(condition_or_column, str):
        series = _column(df, condition_or_column)
    elif callable(condition_or_column):
        series = pd.Series(condition_or_column(df))
    else:
        series = pd.Series(np.asarray(condition_or_column))
    vals = _bool_values(series, na)
    vals = vals[~np.isnan(vals)]
    n = int(vals.size)
    if n == 0:
        raise AnalysisInputError("No rows to estimate a probability from.")
    k = int(vals.sum())
    low, high = wilson(k, n, ci)
    low, high = blocked_proportion_ci(df, _bool_values(series, na), ci) or (low, high)
    return Proportion(k / n, float(low), float(high), k, n)


def p_on_time(
    df: pd.DataFrame, column: str = "landed_on_planned_day", ci: float = 0.95
) -> Proportion:
    """P(landing on the planned day) (or any boolean flag), Wilson interval; missing rows dropped."""
    return probability(df, column, ci=ci)


def p_within(
    df: pd.DataFrame,
    column: str,
    threshold: Any,
    ci: float = 0.95,
    na: Literal["drop", "false"] = "false",
) -> Proportion:
    """P(column <= threshold): a delay within ``threshold`` (column units) or a time point by a date.

    A missing value (the event did not happen) counts as *not* within by default (``na="false"``).
    """
    num = _numeric(_column(df, column))
    if num.is_time:
        ts = pd.Timestamp(threshold)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
        limit = (ts - pd.Timestamp("1970-01-01", tz="UTC")) / _HOUR
    else:
        limit = float(threshold)
    values = num.values
    cond = np.where(np.isnan(values), np.nan, (values <= limit + 1e-9).astype(float))
    return probability(df, pd.Series(cond), ci=ci, na=na)


# --------------------------------------------------------------------------------------------
# Precision and convergence
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrecisionPlan:
    """How many replications give a quantile CI of a wanted half-width (column units)."""

    column: str
    q: float
    quantile: float
    density: float
    n_current: int
    half_width_current: float
    half_width_target: float
    n_required: int


def replications_for_precision(
    df: pd.DataFrame,
    column: str,
    q: float = 0.8,
    half_width: float | pd.Timedelta = 1.0,
    ci: float = 0.95,
    method: Literal["kde", "histogram"] = "kde",
    seed: int = 0,
) -> PrecisionPlan:
    """Replications needed for a ``ci`` interval of half-width ``half_width`` on the q-quantile.

    Uses the asymptotic variance of a sample quantile, q(1-q) / (n f(x_q)^2), with the density
    f at the quantile from a Gaussian KDE (on up to 5,000 values) or, with ``"histogram"``, from
    the share of values within +-half_width of it. Half-widths are in the column's unit (hours for
    time points; a Timedelta is accepted).
    """
    x, _ = _finite_sorted(df, column)
    hw = half_width / _HOUR if isinstance(half_width, pd.Timedelta) else float(half_width)
    if hw <= 0:
        raise AnalysisInputError("half_width must be positive.")
    xq = float(np.quantile(x, q))
    if method == "kde" and np.ptp(x) > 0:
        rng = np.random.default_rng(seed)
        sample = x if x.size <= 5000 else rng.choice(x, 5000, replace=False)
        try:
            density = float(stats.gaussian_kde(sample)(xq)[0])
        except np.linalg.LinAlgError:
            method = "histogram"
    if method == "histogram" or np.ptp(x) == 0:
        inside = np.count_nonzero(np.abs(x - xq) <= hw)
        density = inside / (x.size * 2 * hw)
    elif method != "kde":
        raise AnalysisInputError(f"Unknown method {method!r}: use 'kde' or 'histogram'.")
    z = _z(ci)
    var1 = q * (1 - q) / max(density, 1e-300) ** 2  # n * variance of the sample quantile
    current = z * math.sqrt(var1 / x.size)
    required = max(1, math.ceil(var1 * (z / hw) ** 2))
    return PrecisionPlan(column, q, xq, density, x.size, current, hw, required)


def convergence(
    df: pd.DataFrame,
    column: str,
    qs: Sequence[float] = (0.5, 0.8),
    event_column: str | None = "landed_on_planned_day",
    points: int = 50,
    ci: float = 0.95,
) -> pd.DataFrame:
    """Running estimates against the number of replications (in replication order).

    Columns: ``n``, per quantile ``P50``, ``P50_low``, ``P50_high`` (order-statistic CI), and if
    ``event_column`` is present ``p``, ``p_low``, ``p_high`` (Wilson) for that flag.
    """
    if "replication" in df.columns:
        df = df.sort_values("replication", kind="stable")
    num = _numeric(_column(df, column))
    total = len(df)
    if total == 0:
        raise AnalysisInputError("No rows.")
    ns = np.unique(np.geomspace(min(10, total), total, points).astype(int))
    q = np.asarray(qs, dtype=float)
    rows: dict[str, list] = {"n": list(ns)}
    cols = {q_label(v): [] for v in q} | {
        f"{q_label(v)}_{s}": [] for v in q for s in ("low", "high")
    }
    for n in ns:
        x = num.values[:n]
        x = np.sort(x[np.isfinite(x)])
        if x.size == 0:
            vals = lo = hi = np.full(q.size, np.nan)
        else:
            vals = np.quantile(x, q)
            lo, hi = _order_ci(x, q, ci)
        for i, v in enumerate(q):
            cols[q_label(v)].append(vals[i])
            cols[f"{q_label(v)}_low"].append(min(lo[i], vals[i]))
            cols[f"{q_label(v)}_high"].append(max(hi[i], vals[i]))
    out = pd.DataFrame(rows)
    for name, values in cols.items():
        out[name] = num.back(np.asarray(values, dtype=float))
    if event_column is not None and event_column in df.columns:
        flags = _bool_values(df[event_column], "drop")
        k = np.nancumsum(flags)[ns - 1]
        m = np.cumsum(~np.isnan(flags))[ns - 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            out["p"] = k / m
        out["p_low"], out["p_high"] = wilson(k, m, ci)
    return out


# --------------------------------------------------------------------------------------------
# Sensitivity and attribution
# --------------------------------------------------------------------------------------------
