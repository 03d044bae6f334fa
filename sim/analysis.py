"""Schedule-risk statistics on outcome tables: percentiles with confidence intervals, probabilities of
meeting a date, sensitivity (rank correlation), delay attribution and the comparison of two runs.

Every function is pure: a pandas DataFrame of outcome rows (one row per replication, columns as in
the outcome-column contract) goes in; a DataFrame or a small dataclass comes out. Time-point
columns (``*_utc``, tz-aware datetimes) are handled as float hours internally and returned as
timestamps; durations keep the unit of their column (``_h`` hours, ``_d`` days).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api.types import is_datetime64_any_dtype, is_timedelta64_dtype
from scipy import stats

from sim.errors import CrewsimError

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
) -> pd.DataFrame:
    """Quantiles of ``column`` with confidence intervals; missing values (did not happen) dropped.

    ``method="order"`` (default) gives the exact distribution-free order-statistic interval;
    ``"bootstrap"`` the percentile bootstrap with ``n_boot`` resamples (seeded by ``seed``).
    Returns columns ``q, label, value, ci_low, ci_high, n``; time-point columns give timestamps.
    """
    x, num = _finite_sorted(df, column)
    q = np.asarray(qs, dtype=float)
    if np.any((q < 0) | (q > 1)):
        raise AnalysisInputError(f"Quantile levels must be in [0, 1], got {list(qs)}.")
    value = np.quantile(x, q)
    if method == "order":
        lo, hi = _order_ci(x, q, ci)
    elif method == "bootstrap":
        boot = _bootstrap_quantiles(x, q, n_boot, np.random.default_rng(seed))
        alpha = 1 - ci
        lo, hi = np.quantile(boot, [alpha / 2, 1 - alpha / 2], axis=1)
    else:
        raise AnalysisInputError(f"Unknown method {method!r}: use 'order' or 'bootstrap'.")
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


def wilson(k: Any, n: Any, ci: float = 0.95) -> tuple[Any, Any]:
    """Wilson score interval for k successes in n trials (works on arrays)."""
    z = _z(ci)
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = k / n
        denom = 1 + z**2 / n
        centre = (p + z**2 / (2 * n)) / denom
        half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    low = np.where(k <= 0, 0.0, np.clip(centre - half, 0, 1))  # exact ends, no rounding residue
    high = np.where(k >= n, 1.0, np.clip(centre + half, 0, 1))
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


# --------------------------------------------------------------------------------------------
# Comparison of two runs
# --------------------------------------------------------------------------------------------


@dataclass
class Comparison:
    """Run B against run A on one metric; differences are B - A in the metric's unit
    (hours for time points).

    ``table`` has one row per statistic (``mean`` and the quantiles) with columns
    ``statistic, A, B, diff, diff_low, diff_high``.
    """

    metric: str
    paired: bool
    n_a: int
    n_b: int
    table: pd.DataFrame
    ks_statistic: float
    ks_pvalue: float
    p_a_later: float
    p_tie: float
    ci: float
    is_time: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def p_a_later_mw(self) -> float:
        """Mann-Whitney probability: P(A > B) + P(A = B) / 2."""
        return self.p_a_later + self.p_tie / 2

    def to_text(self, label_a: str = "A", label_b: str = "B") -> str:
        """A plain-text table for the terminal."""
        unit = "h" if self.is_time else _unit_of(self.metric)
        lines = [
            f"{self.metric}: {label_b} vs {label_a} (B - A), "
            f"{'paired by replication' if self.paired else 'unpaired'}, "
            f"n_A={self.n_a:,}, n_B={self.n_b:,}",
            f"{'statistic':<10} {'A':>22} {'B':>22} {'B-A':>10} {f'{self.ci:.0%} CI of B-A':>22}",
        ]
        for row in self.table.itertuples(index=False):
            lines.append(
                f"{row.statistic:<10} {_fmt(row.A):>22} {_fmt(row.B):>22} {_fmt(row.diff):>10} "
                f"{'[' + _fmt(row.diff_low) + ', ' + _fmt(row.diff_high) + ']':>22}"
            )
        lines.append(f"differences in {unit}" if unit else "")
        lines.append(
            f"KS statistic {self.ks_statistic:.4f}, p-value {self.ks_pvalue:.4g}; "
            f"P(A later than B) {self.p_a_later:.4f}, P(tie) {self.p_tie:.4f}"
        )
        lines.extend(self.notes)
        return "\n".join(line for line in lines if line)


def _unit_of(column: str) -> str:
    for suffix, unit in (("_h", "h"), ("_d", "d"), ("_frac", "fraction"), ("_utc", "h")):
        if column.endswith(suffix):
            return unit
    return ""


def _fmt(value: Any) -> str:
    if isinstance(value, pd.Timestamp):
        return "NaT" if pd.isna(value) else value.strftime("%Y-%m-%d %H:%M")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.4g}" if isinstance(value, float | np.floating) else str(value)


def _paired_values(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    ia = a.set_index("replication")[metric]
    ib = b.set_index("replication")[metric].reindex(ia.index)
    va, vb = _numeric(ia).values, _numeric(ib).values
    ok = np.isfinite(va) & np.isfinite(vb)
    return va[ok], vb[ok]


def compare(
    a: pd.DataFrame,
    b: pd.DataFrame,
    metric: str = "landing_delay_h",
    qs: Sequence[float] = DEFAULT_QS,
    paired: bool | None = None,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> Comparison:
    """Compare run B with run A on ``metric``: percentiles side by side, B - A with bootstrap CIs,
    two-sample KS test, P(A later than B), means.

    Paired (common random numbers) when both tables hold the same ``replication`` set and
    ``paired`` is not False; ``paired=True`` on different sets raises. Paired quantile and mean
    differences resample replications jointly; unpaired ones resample each run independently
    (quantiles) or use the normal approximation (means). Missing values are dropped.
    """
    for name, frame in (("A", a), ("B", b)):
        if metric not in frame.columns:
            raise AnalysisInputError(f"Column {metric!r} is not in run {name}'s outcome table.")
    same = (
        "replication" in a.columns
        and "replication" in b.columns
        and len(a) == len(b)
        and set(a["replication"]) == set(b["replication"])
    )
    if paired and not same:
        raise AnalysisInputError(
            "A paired comparison needs both runs to have the same replication numbers; "
            "these runs differ (use --unpaired)."
        )
    paired = same if paired is None else bool(paired)
    num_a, num_b = _numeric(a[metric]), _numeric(b[metric])
    is_time = num_a.is_time or num_b.is_time
    if paired:
        va, vb = _paired_values(a, b, metric)
    else:
        va = num_a.values[np.isfinite(num_a.values)]
        vb = num_b.values[np.isfinite(num_b.values)]
    if va.size == 0 or vb.size == 0:
        raise AnalysisInputError(f"Column {metric!r} has no values in one of the runs.")
    q = np.asarray(qs, dtype=float)
    rng = np.random.default_rng(seed)
    alpha = 1 - ci
    qa, qb = np.quantile(va, q), np.quantile(vb, q)
    if paired:
        diffs, mean_diffs = _paired_bootstrap(va, vb, q, n_boot, rng)
        mean_lo, mean_hi = np.quantile(mean_diffs, [alpha / 2, 1 - alpha / 2])
    else:
        boot_a = _bootstrap_quantiles(np.sort(va), q, n_boot, rng)
        boot_b = _bootstrap_quantiles(np.sort(vb), q, n_boot, rng)
        diffs = boot_b - boot_a
        se = (
            math.sqrt(va.var(ddof=1) / va.size + vb.var(ddof=1) / vb.size)
            if min(va.size, vb.size) > 1
            else float("nan")
        )
        md = vb.mean() - va.mean()
        mean_lo, mean_hi = md - _z(ci) * se, md + _z(ci) * se
    d_lo, d_hi = np.quantile(diffs, [alpha / 2, 1 - alpha / 2], axis=1)
    back = num_a.back if num_a.is_time else num_b.back
    table = pd.DataFrame(
        {
            "statistic": ["mean", *[q_label(v) for v in q]],
            "A": list(np.atleast_1d(back(np.r_[va.mean(), qa]))),
            "B": list(np.atleast_1d(back(np.r_[vb.mean(), qb]))),
            "diff": np.r_[vb.mean() - va.mean(), qb - qa],
            "diff_low": np.r_[mean_lo, d_lo],
            "diff_high": np.r_[mean_hi, d_hi],
        }
    )
    ks = stats.ks_2samp(va, vb)
    if paired:
        p_later, p_tie = float(np.mean(va > vb)), float(np.mean(va == vb))
    else:
        sb = np.sort(vb)
        below = np.searchsorted(sb, va, side="left")
        upto = np.searchsorted(sb, va, side="right")
        p_later = float(below.sum() / (va.size * vb.size))
        p_tie = float((upto - below).sum() / (va.size * vb.size))
    return Comparison(
        metric=metric,
        paired=paired,
        n_a=int(va.size),
        n_b=int(vb.size),
        table=table,
        ks_statistic=float(ks.statistic),
        ks_pvalue=float(ks.pvalue),
        p_a_later=p_later,
        p_tie=p_tie,
        ci=ci,
        is_time=is_time,
    )


def _paired_bootstrap(
    va: np.ndarray, vb: np.ndarray, q: np.ndarray, n_boot: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap of quantile(B) - quantile(A) and mean(B - A), resampling replications jointly.

    Resamples are drawn in chunks of at most ~4 million values to bound memory.
    """
    n = va.size
    chunk = max(1, min(n_boot, 4_000_000 // max(n, 1)))
    diffs, means = [], []
    done = 0
    while done < n_boot:
        m = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(m, n))
        ra, rb = va[idx], vb[idx]
        diffs.append(np.quantile(rb, q, axis=1) - np.quantile(ra, q, axis=1))
        means.append((rb - ra).mean(axis=1))
        done += m
    return np.concatenate(diffs, axis=1), np.concatenate(means)


# --------------------------------------------------------------------------------------------
# Headline numbers and launch probability
# --------------------------------------------------------------------------------------------


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
