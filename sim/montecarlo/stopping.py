"""Adaptive stopping: run chunks until a percentile is known precisely enough.

``--precision COLUMN:P80:HALF_WIDTH`` stops at the first chunk boundary (in replication order, so the
same on every backend) where the 95 % order-statistic confidence interval of that percentile is
narrower than asked. The rows kept are exactly the first rows of a fixed-N run with the same seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.errors import CrewsimError

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Precision:
    """Stop when the 95 % order-statistic CI of percentile ``p`` of ``column`` has a half-width
    below ``half_width`` (in the column's unit), checked at chunk boundaries in replication order."""

    column: str
    p: float
    half_width: float

    @classmethod
    def parse(cls, text: str) -> Precision:
        """``COLUMN:P80:HALF_WIDTH``, e.g. ``MS-18.landing_delay_h:P80:2``."""
        try:
            column, pct, hw = text.rsplit(":", 2)
            if not pct.upper().startswith("P"):
                raise ValueError
            p = float(pct[1:]) / 100.0
            half_width = float(hw)
        except ValueError:
            raise CrewsimError(
                f"--precision {text!r}: expected COLUMN:Pxx:HALF_WIDTH, e.g. "
                "MS-18.landing_delay_h:P80:2"
            ) from None
        if not (0.0 < p < 1.0) or not half_width > 0 or not column:
            raise CrewsimError(
                f"--precision {text!r}: the percentile must be in (0, 100) and the half-width > 0"
            )
        return cls(column, p, half_width)

    def half_width_of(self, values: Any, replications: Any = None, block_size: int = 0) -> float:
        """The CI half-width of the percentile from ``values`` (NaN counts as +inf: never
        happened is the worst case); inf when there are too few values for a CI.

        With stratified blocks (``block_size`` > 0, ``replications`` the rows' numbers) the
        interval is the between-block one of :func:`sim.montecarlo.sampling.quantile_ci`.
        """
        import numpy as np

        x = np.where(np.isnan(values), np.inf, values)
        if block_size:
            from sim.montecarlo.sampling import quantile_ci

            found = quantile_ci(x, replications, block_size, [self.p], 0.95)
            if found is None:
                return math.inf
            width = (found[1][0] - found[0][0]) / 2.0
            return float(width) if np.isfinite(width) else math.inf
        n = len(x)
        se = math.sqrt(n * self.p * (1.0 - self.p))
        lo = math.floor(n * self.p - Z95 * se)  # 1-based ranks
        hi = math.ceil(n * self.p + Z95 * se)
        if lo < 1 or hi > n:
            return math.inf
        part = np.partition(x, [lo - 1, hi - 1])
        width = (part[hi - 1] - part[lo - 1]) / 2.0
        return float(width) if np.isfinite(width) else math.inf


class _Stopper:
    """Follows the contiguous prefix of finished chunks and finds the first chunk boundary at
    which the precision target is met; the same boundary on any backend, in any finish order."""

    def __init__(self, precision: Precision, n_chunks: int, block_size: int = 0) -> None:
        self.precision = precision
        self.block_size = block_size
        self.replications: dict[int, Any] = {}
        self.prefix_replications: list[Any] = []
        self.n_chunks = n_chunks
        self.values: dict[int, Any] = {}
        self.prefix: list[Any] = []
        self.next_chunk = 0
        self.stop_chunk: int | None = None
        self.achieved = math.inf

    def add(self, chunk: int, table: Any) -> None:
        import numpy as np

        col = self.precision.column
        if col not in table.column_names:
            raise CrewsimError(f"--precision: no outcome column {col!r}")
        values = table.column(col).to_numpy(zero_copy_only=False)
        if values.dtype.kind not in "biuf":
            raise CrewsimError(f"--precision: column {col!r} is not numeric")
        self.values[chunk] = np.asarray(values, dtype=float)
        if self.block_size:
            self.replications[chunk] = table.column("replication").to_numpy()
        while self.stop_chunk is None and self.next_chunk in self.values:
            self.prefix.append(self.values.pop(self.next_chunk))
            reps = None
            if self.block_size:
                self.prefix_replications.append(self.replications.pop(self.next_chunk))
                reps = np.concatenate(self.prefix_replications)
            self.achieved = self.precision.half_width_of(
                np.concatenate(self.prefix), reps, self.block_size
            )
            if self.achieved < self.precision.half_width or self.next_chunk == self.n_chunks - 1:
                self.stop_chunk = self.next_chunk
            self.next_chunk += 1

    def record(self, replications: int) -> dict[str, Any]:
        met = self.achieved < self.precision.half_width
        return {
            "rule": "precision",
            "column": self.precision.column,
            "percentile": self.precision.p * 100,
            "target_half_width": self.precision.half_width,
            "achieved_half_width": self.achieved if math.isfinite(self.achieved) else None,
            "replications": replications,
            "reason": "half-width below target"
            if met
            else "reached the maximum number of replications (-n) before the target",
        }
