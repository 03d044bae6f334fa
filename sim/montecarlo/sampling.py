"""Sampling plans of a run and confidence intervals that stay honest under them.

``mc`` draws every input independently (the classic Monte Carlo). ``stratified`` and ``lhs`` lay
replications out in blocks of ``block_size`` consecutive replication numbers; inside a block the
inputs drawn once per replication (``sim.model.inputs``) form a Latin hypercube (``stratified``: the
launch and relocation slips only; ``lhs``: all of them), so each block covers every input's range
evenly. The layout depends only on the seed and the replication number: rows are identical on every
backend, worker count, chunk size and after ``--resume``, and replication ``i`` alone reproduces
row ``i``. Every replication's inputs are still uniformly distributed on their own, so every
estimate stays unbiased.

Replications inside a block are not independent, so the textbook intervals (Wilson, order
statistics) would be wrong: too wide when stratification helps. Blocks, however, are independent
replicates of the same design, so the intervals here take their standard error from the spread of
the block means (a t interval over the blocks), as in replicated Latin hypercube sampling.
A percentile's interval is the order-statistic interval with that block-based standard error of
the fraction of rows below the estimate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.errors import CrewsimError

SAMPLING_MODES = ("mc", "stratified", "lhs")
#: Fewest whole blocks for a between-block interval; with fewer, the i.i.d. interval is used.
MIN_BLOCKS = 4


def check_sampling(mode: str | None) -> str | None:
    """``mode`` if it is a sampling plan (or None), else a CrewsimError naming the choices."""
    if mode is not None and mode not in SAMPLING_MODES:
        raise CrewsimError(
            f"--sampling {mode!r}: unknown sampling; choose one of {', '.join(SAMPLING_MODES)}"
        )
    return mode


def block_size_of(meta: dict[str, Any] | None) -> int:
    """The block size of a run whose manifest (or ``DataFrame.attrs``) is ``meta``; 0 for plain
    Monte Carlo (independent rows)."""
    if not meta or meta.get("sampling", "mc") == "mc":
        return 0
    return int(meta.get("block_size") or 0)


def block_means(
    values: np.ndarray, replications: np.ndarray, block_size: int
) -> tuple[np.ndarray, np.ndarray]:
    """Means and row counts of ``values`` per block (blocks without rows left out)."""
    block = np.asarray(replications, dtype=np.int64) // block_size
    _, index, counts = np.unique(block, return_inverse=True, return_counts=True)
    sums = np.bincount(index, weights=np.asarray(values, dtype=float))
    return sums / counts, counts


def mean_se(values: np.ndarray, replications: np.ndarray, block_size: int) -> float:
    """Standard error of the mean of ``values`` from the spread of its block means; NaN with
    fewer than ``MIN_BLOCKS`` blocks.

    With ``c_j`` rows and mean ``m_j`` in block ``j`` (N rows, k blocks), the per-row variance of
    the design is ``S2 = sum c_j (m_j - m)^2 / (k - 1)`` and the mean's variance ``S2 / N``
    (``sd(block means) / sqrt(k)`` when the blocks are whole).
    """
    means, counts = block_means(values, replications, block_size)
    k = means.size
    if k < MIN_BLOCKS:
        return math.nan
    n = counts.sum()
    grand = float(np.dot(counts, means) / n)
    s2 = float(np.sum(counts * (means - grand) ** 2) / (k - 1))
    return math.sqrt(s2 / n)


def _t_quantile(p: float, dof: int) -> float:
    """Student's t quantile. ``scipy.stats`` is imported here, not with the module: a worker
    process imports this package to run replications and never needs it (half a second each)."""
    from scipy import stats

    return float(stats.t.ppf(p, dof))


def proportion_ci(
    flags: np.ndarray, replications: np.ndarray, block_size: int, ci: float = 0.95
) -> tuple[float, float, float] | None:
    """Estimate and t interval of a probability from block means; None with too few blocks."""
    flags = np.asarray(flags, dtype=float)
    se = mean_se(flags, replications, block_size)
    if not math.isfinite(se):
        return None
    k = np.unique(np.asarray(replications) // block_size).size
    t = _t_quantile(0.5 + ci / 2, k - 1)
    p = float(flags.mean())
    return p, max(0.0, p - t * se), min(1.0, p + t * se)


def quantile_ci(
    values: np.ndarray,
    replications: np.ndarray,
    block_size: int,
    qs: Sequence[float],
    ci: float = 0.95,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Intervals of the ``qs`` quantiles of ``values`` (finite or +inf): the quantiles at
    ``q -/+ t * se`` where ``se`` is the block-based standard error of the fraction of rows at or
    below the estimate. None with too few blocks."""
    x = np.asarray(values, dtype=float)
    reps = np.asarray(replications)
    k = np.unique(reps // block_size).size
    if k < MIN_BLOCKS:
        return None
    t = _t_quantile(0.5 + ci / 2, k - 1)
    lo, hi = [], []
    for q in qs:
        estimate = np.quantile(x, q, method="inverted_cdf")
        se = mean_se((x <= estimate).astype(float), reps, block_size)
        lo.append(np.quantile(x, min(max(q - t * se, 0.0), 1.0), method="inverted_cdf"))
        hi.append(np.quantile(x, min(max(q + t * se, 0.0), 1.0), method="inverted_cdf"))
    return np.asarray(lo), np.asarray(hi)


def blocked_proportion_ci(df: Any, flags: np.ndarray, ci: float) -> tuple[float, float] | None:
    """The between-block interval of a probability over the rows of ``df`` (one flag per row,
    NaN = left out) when ``df.attrs`` says the run was stratified; else None."""
    size = block_size_of(getattr(df, "attrs", None))
    if not size or "replication" not in df or len(df) != len(flags):
        return None
    keep = ~np.isnan(flags)
    found = proportion_ci(flags[keep], df["replication"].to_numpy()[keep], size, ci)
    return None if found is None else (found[1], found[2])


def blocked_quantile_ci(
    df: Any, values: np.ndarray, qs: Sequence[float], ci: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Between-block quantile intervals of ``values`` (one per row of ``df``; NaN left out) when
    ``df.attrs`` says the run was stratified; else None."""
    size = block_size_of(getattr(df, "attrs", None))
    if not size or "replication" not in df or len(df) != len(values):
        return None
    keep = np.isfinite(values)
    return quantile_ci(values[keep], df["replication"].to_numpy()[keep], size, qs, ci)
