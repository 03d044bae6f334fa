"""Durations per group (a rendezvous scheme, the descent) fitted with a family chosen by AIC, and
carried with their parameter uncertainty as posterior predictives (``{dist: predictive}``).

The candidates, all fitted by maximum likelihood to the values of every group at once:

* ``normal, per group``: each group its own mean and spread (2 parameters per group);
* ``normal, pooled spread``: each group its own mean, one spread (hours) for all (groups + 1);
* ``lognormal, per group`` and ``lognormal, pooled spread``: the same on the logs (a spread
  proportional to the duration).

The rule: **the candidate with the lowest AIC = 2 k - 2 log L wins** (ties go to the earlier one in
the list above). A per-group candidate needs two distinct values in every group. Pooling is what
lets a scheme flown twice borrow the spread of the others: the spread of a launch-to-docking time
comes from the final approach, which takes about as many minutes whatever the phasing.

A group with fewer than :data:`MIN_OWN_SPREAD` (3) values takes the pooled spread of the chosen
family even when the per-group candidate wins: two values cannot tell a spread (their predictive
would be a Student-t with one degree of freedom, a Cauchy).

The chosen fit is written per group as the posterior predictive under the reference prior
p(means, sigma) ~ 1/sigma: a Student-t with ``n - 1`` (per group) or ``N - groups`` (pooled)
degrees of freedom and scale ``s * sqrt(1 + 1/n)``, truncated to ``[median / 2, 2 * median]`` (a
stated physical bound: no scheme takes less than half or more than twice its typical time).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

CANDIDATES: tuple[tuple[str, bool], ...] = (
    ("normal", False),
    ("normal", True),
    ("lognormal", False),
    ("lognormal", True),
)
#: A group with fewer values than this takes the pooled spread of the chosen family even when the
#: per-group candidate wins (its own spread would be a Student-t with one degree of freedom).
MIN_OWN_SPREAD = 3
#: Truncation of every fitted duration, as factors of its group's median.
BOUND_FACTORS = (0.5, 2.0)


@dataclass(frozen=True)
class DurationFit:
    """The chosen family, the AIC of every candidate, and a predictive per group (YAML form)."""

    family: str
    pooled: bool
    aic: dict[str, float]
    predictive: dict[str, dict] = field(default_factory=dict)
    n: dict[str, int] = field(default_factory=dict)
    borrowed: list[str] = field(default_factory=list)  # groups given the pooled spread

    @property
    def label(self) -> str:
        return f"{self.family}, {'pooled spread' if self.pooled else 'per group'}"


def _label(family: str, pooled: bool) -> str:
    return f"{family}, {'pooled spread' if pooled else 'per group'}"


def _loglik(groups: list[np.ndarray], family: str, pooled: bool) -> tuple[float, int] | None:
    """Maximised log-likelihood and parameter count, or None when the candidate cannot be fitted."""
    data = [np.log(g) if family == "lognormal" else g for g in groups]
    jacobian = -sum(float(np.sum(np.log(g))) for g in groups) if family == "lognormal" else 0.0
    n_total = sum(len(d) for d in data)
    if pooled:
        ss = sum(float(np.sum((d - d.mean()) ** 2)) for d in data)
        if ss <= 0:
            return None
        var = ss / n_total
        ll = -0.5 * n_total * (math.log(2 * math.pi * var) + 1)
        return ll + jacobian, len(data) + 1
    ll = 0.0
    for d in data:
        var = float(np.mean((d - d.mean()) ** 2))
        if len(d) < 2 or var <= 0:
            return None
        ll += -0.5 * len(d) * (math.log(2 * math.pi * var) + 1)
    return ll + jacobian, 2 * len(data)


def fit_durations(values: Mapping[str, Sequence[float]], unit: str = "h") -> DurationFit:
    """Fit every candidate to the groups' values (each group at least one positive value, and
    at least two values in all), choose by AIC, and give each group's predictive."""
    names = [k for k, v in values.items() if len(v)]
    groups = [np.asarray(values[k], float) for k in names]
    if not groups or any(np.any(g <= 0) or not np.all(np.isfinite(g)) for g in groups):
        raise ValueError("durations must be positive finite numbers")
    aic: dict[str, float] = {}
    best: tuple[float, str, bool] | None = None
    for family, pooled in CANDIDATES:
        got = _loglik(groups, family, pooled)
        if got is None:
            continue
        ll, k = got
        score = 2 * k - 2 * ll
        aic[_label(family, pooled)] = score
        if best is None or score < best[0] - 1e-9:
            best = (score, family, pooled)
    if best is None:
        raise ValueError("no family can be fitted: every group needs two distinct values")
    _, family, pooled = best
    data = [np.log(g) if family == "lognormal" else g for g in groups]
    n_total = sum(len(d) for d in data)
    pooled_sd = (
        math.sqrt(sum(float(np.sum((d - d.mean()) ** 2)) for d in data) / (n_total - len(data)))
        if n_total > len(data)
        else 0.0
    )
    fit = DurationFit(family=family, pooled=pooled, aic=aic)
    for name, g, d in zip(names, groups, data, strict=True):
        borrow = pooled or len(d) < MIN_OWN_SPREAD
        if borrow:
            sd, df = pooled_sd, n_total - len(data)
        else:
            sd, df = float(np.std(d, ddof=1)), len(d) - 1
        median = float(np.median(g))
        low, high = (round(median * f, 4) for f in BOUND_FACTORS)
        fit.predictive[name] = {
            "dist": "predictive",
            "family": family,
            "n": len(g),
            "df": df,
            "mean": round(float(d.mean()), 6),
            "sd": round(sd, 6),
            "low": low,
            "high": high,
            "unit": unit,
        }
        fit.n[name] = len(g)
        if borrow and not pooled:
            fit.borrowed.append(name)
    return fit
