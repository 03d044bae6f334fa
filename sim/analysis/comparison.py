"""Comparing two runs: percentiles side by side with the difference and its bootstrap interval
(paired by replication under common random numbers), Kolmogorov-Smirnov, P(A later than B).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.estimates import (
    DEFAULT_QS,
    AnalysisInputError,
    _bootstrap_quantiles,
    _numeric,
    _z,
    q_label,
)
from sim.tables import text_table


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

    def _repr_html_(self) -> str:
        from sim.analysis.html import comparison_html

        return comparison_html(self)

    def to_text(self, label_a: str = "A", label_b: str = "B") -> str:
        """A plain-text table for the terminal."""
        unit = "h" if self.is_time else _unit_of(self.metric)
        rows = [
            (
                row.statistic,
                _fmt(row.A),
                _fmt(row.B),
                _fmt(row.diff),
                f"[{_fmt(row.diff_low)}, {_fmt(row.diff_high)}]",
            )
            for row in self.table.itertuples(index=False)
        ]
        lines = [
            f"{self.metric}: {label_b} vs {label_a} (B - A), "
            f"{'paired by replication' if self.paired else 'unpaired'}, "
            f"n_A={self.n_a:,}, n_B={self.n_b:,}",
            text_table(("statistic", label_a, label_b, "B-A", f"{self.ci:.0%} CI of B-A"), rows),
        ]
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


# --------------------------------------------------------------------------------------------
# Two runs side by side: the headline metrics, and how the scenarios differ
# --------------------------------------------------------------------------------------------

_DAY = 24.0


def _paired_share_ci(fa: np.ndarray, fb: np.ndarray, ci: float) -> tuple[float, float]:
    """Normal interval of mean(fb - fa) for paired 0/1 flags."""
    d = fb.astype(float) - fa.astype(float)
    if d.size < 2:
        return float("nan"), float("nan")
    half = _z(ci) * float(d.std(ddof=1)) / math.sqrt(d.size)
    return float(d.mean() - half), float(d.mean() + half)


def _aligned(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    ia = a.set_index("replication").sort_index()
    return ia, b.set_index("replication").reindex(ia.index)


def side_by_side(
    a: pd.DataFrame,
    b: pd.DataFrame,
    paired: bool,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """The headline metrics of two runs side by side, B - A, and (paired runs only) its interval.

    Rows: P(landing on the planned day), the P50/P80/P90 landing (dates; differences in days),
    visit length P50 (days), mean work done (share of the plan), and the share of each outcome
    label. Columns ``metric, A, B, diff, diff_low, diff_high, unit``; the interval columns are NaN
    for unpaired runs (independent draws: a difference of two noisy estimates, not resolved).
    """
    rows: list[tuple] = []
    if paired:
        pa, pb = _aligned(a, b)
    if "landed_on_planned_day" in a.columns and "landed_on_planned_day" in b.columns:
        fa = a["landed_on_planned_day"].fillna(False).to_numpy(dtype=bool)
        fb = b["landed_on_planned_day"].fillna(False).to_numpy(dtype=bool)
        lo, hi = (
            _paired_share_ci(
                pa["landed_on_planned_day"].fillna(False).to_numpy(dtype=bool),
                pb["landed_on_planned_day"].fillna(False).to_numpy(dtype=bool),
                ci,
            )
            if paired
            else (np.nan, np.nan)
        )
        rows.append(
            (
                "P(landing on planned day)",
                fa.mean(),
                fb.mean(),
                fb.mean() - fa.mean(),
                lo,
                hi,
                "share",
            )
        )
    specs = (
        ("landing_actual_utc", (0.5, 0.8, 0.9), "landing {q}", "date", _DAY),
        ("visit_days", (0.5,), "visit length {q}", "days", 1.0),
    )
    for column, qs, name, unit, per in specs:
        if column not in a.columns or column not in b.columns:
            continue
        if not (a[column].notna().any() and b[column].notna().any()):
            continue
        c = compare(a, b, column, qs=qs, paired=paired, n_boot=n_boot, ci=ci, seed=seed)
        for r in c.table.itertuples(index=False):
            if r.statistic == "mean":
                continue
            lo, hi = (r.diff_low / per, r.diff_high / per) if paired else (np.nan, np.nan)
            rows.append((name.format(q=r.statistic), r.A, r.B, r.diff / per, lo, hi, unit))
    if "work_done_frac" in a.columns and "work_done_frac" in b.columns:
        c = compare(
            a, b, "work_done_frac", qs=(0.5,), paired=paired, n_boot=n_boot, ci=ci, seed=seed
        )
        r = c.table.iloc[0].to_dict()
        lo, hi = (r["diff_low"], r["diff_high"]) if paired else (np.nan, np.nan)
        rows.append(("work done, mean", r["A"], r["B"], r["diff"], lo, hi, "share"))
    if "outcome" in a.columns and "outcome" in b.columns:
        labels = list(dict.fromkeys([*a["outcome"].unique(), *b["outcome"].unique()]))
        for label in labels:
            fa, fb = (a["outcome"] == label).to_numpy(), (b["outcome"] == label).to_numpy()
            lo, hi = (
                _paired_share_ci(
                    (pa["outcome"] == label).to_numpy(), (pb["outcome"] == label).to_numpy(), ci
                )
                if paired
                else (np.nan, np.nan)
            )
            rows.append(
                (f"outcome {label}", fa.mean(), fb.mean(), fb.mean() - fa.mean(), lo, hi, "share")
            )
    return pd.DataFrame(rows, columns=["metric", "A", "B", "diff", "diff_low", "diff_high", "unit"])


#: Fields that name or size a run rather than change the rotation.
RUN_FIELDS = ("name", "description", "monte_carlo")


def _short(value: Any, width: int = 60) -> Any:
    """A value as shown in a warning: scalars as they are, containers as text cut to ``width``."""
    if isinstance(value, dict | list):
        text = repr(value)
        return text if len(text) <= width else text[: width - 3] + "..."
    return value


def scenario_differences(a: Any, b: Any, meant: Sequence[str] = ()) -> list[tuple[str, Any, Any]]:
    """Fields in which two resolved scenarios differ, ``(path, value in A, value in B)``, at the
    shallowest path where they part (a section present in one only is one line), leaving out run
    settings (``name``, ``description``, ``monte_carlo``) and the ``meant`` paths (and everything
    under them). Lists of equal length are compared item by item (``work.tasks.0.hours``)."""
    skip = tuple(RUN_FIELDS) + tuple(meant)
    out: list[tuple[str, Any, Any]] = []

    def walk(x: Any, y: Any, path: str) -> None:
        if path and any(path == s or path.startswith(s + ".") for s in skip):
            return
        if isinstance(x, dict) and isinstance(y, dict):
            for key in sorted(set(x) | set(y), key=str):
                walk(
                    x.get(key, _ABSENT), y.get(key, _ABSENT), f"{path}.{key}" if path else str(key)
                )
        elif isinstance(x, list) and isinstance(y, list) and len(x) == len(y):
            for i, (u, v) in enumerate(zip(x, y, strict=True)):
                walk(u, v, f"{path}.{i}")
        elif x != y:
            out.append((path, _short(x), _short(y)))

    walk(a, b, "")
    return out


_ABSENT = "(absent)"
