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
