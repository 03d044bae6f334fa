"""Normal-based families, optionally truncated to ``[low, high]``: normal and log-normal.

Sampling is by the inverse CDF of the truncated standard normal, so each value costs exactly one
uniform draw whatever the bounds (the draws of a replication do not depend on rejection).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import ConfigDict, Field, model_validator

from sim.scenario.families import _Dist


def _norm_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _norm_pdf(z: float) -> float:
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


class _Bounded(_Dist):
    low: float | None = Field(default=None, description="Optional lower bound (truncation).")
    high: float | None = Field(default=None, description="Optional upper bound (truncation).")

    def _check_bounds(self) -> None:
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"bounds need low < high, got low={self.low}, high={self.high}")

    def _check_mass(self) -> None:
        # Bounds far out in a tail leave no probability (in floating point): nothing to sample and
        # a mean of 0/0.
        pl, ph = self._mass()
        if not ph - pl > 0:
            raise ValueError(
                f"bounds low={self.low}, high={self.high} leave no probability mass; "
                "they must overlap the bulk of the distribution"
            )

    def _std_bounds(self) -> tuple[float, float]:
        raise NotImplementedError

    def _mass(self) -> tuple[float, float]:
        zl, zh = self._std_bounds()
        return _norm_cdf(zl), _norm_cdf(zh)

    def _from_std(self, z):
        raise NotImplementedError

    def sample(self, rng, size=None):
        # Inverse-CDF sampling of the truncated standard normal keeps one uniform draw per value.
        from scipy.special import ndtri

        pl, ph = self._mass()
        u = rng.uniform(pl, ph, size)
        return self._from_std(ndtri(u))

    def quantile(self, q: float) -> float:
        from scipy.special import ndtri

        pl, ph = self._mass()
        return float(self._from_std(ndtri(pl + q * (ph - pl))))


class Normal(_Bounded):
    """Normal, optionally truncated to ``[low, high]``."""

    dist: Literal["normal"] = "normal"
    mean_: float = Field(alias="mean")
    sd: float = Field(gt=0)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _check(self) -> Normal:
        self._check_bounds()
        self._check_mass()
        return self

    def _std_bounds(self) -> tuple[float, float]:
        zl = -math.inf if self.low is None else (self.low - self.mean_) / self.sd
        zh = math.inf if self.high is None else (self.high - self.mean_) / self.sd
        return zl, zh

    def _from_std(self, z):
        return self.mean_ + self.sd * z

    def mean(self) -> float:
        zl, zh = self._std_bounds()
        pl, ph = _norm_cdf(zl), _norm_cdf(zh)
        dl = 0.0 if math.isinf(zl) else _norm_pdf(zl)
        dh = 0.0 if math.isinf(zh) else _norm_pdf(zh)
        return self.mean_ + self.sd * (dl - dh) / (ph - pl)


class Lognormal(_Bounded):
    """Log-normal given its median and the standard deviation ``sigma`` of the log."""

    dist: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0)
    sigma: float = Field(gt=0)

    @model_validator(mode="after")
    def _check(self) -> Lognormal:
        self._check_bounds()
        if self.high is not None and self.high <= 0:
            raise ValueError(f"lognormal needs high > 0, got high={self.high}")
        self._check_mass()
        return self

    def _std_bounds(self) -> tuple[float, float]:
        mu = math.log(self.median)
        zl = (
            -math.inf
            if self.low is None or self.low <= 0
            else (math.log(self.low) - mu) / self.sigma
        )
        zh = math.inf if self.high is None else (math.log(self.high) - mu) / self.sigma
        return zl, zh

    def _from_std(self, z):
        return self.median * np.exp(self.sigma * z)

    def mean(self) -> float:
        zl, zh = self._std_bounds()
        pl, ph = _norm_cdf(zl), _norm_cdf(zh)
        s = self.sigma
        num = _norm_cdf(zh - s) - _norm_cdf(zl - s)
        return self.median * math.exp(s * s / 2) * num / (ph - pl)
