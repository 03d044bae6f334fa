"""Distributions that carry the uncertainty of the data behind them (issue: priors from few flights).

* :class:`Beta`, ``{dist: beta, k: 1, n: 40}``: a probability known from ``k`` events in ``n``
  flights. With the stated reference prior (``jeffreys``: Beta(1/2, 1/2), the default; or
  ``uniform``: Beta(1, 1)) its posterior is Beta(k + a0, n - k + b0). A scenario probability written
  this way is drawn once per replication from the posterior (its own random stream), so every use of
  it in that replication (each launch attempt, each landing day) shares the draw, and the spread of
  the forecast includes what ``n`` flights cannot tell. ``{dist: beta, a, b}`` gives the
  parameters directly.
* :class:`Predictive`, ``{dist: predictive, family: lognormal, n: 16, mean: 3.906, sd: 0.0095,
  unit: h}``: a normal (or log-normal) family fitted to ``n`` values with sample mean ``mean`` and
  standard deviation ``sd`` (of the logs for ``lognormal``), carried as its posterior predictive
  under the reference prior p(mu, sigma) ~ 1/sigma. A draw is a draw of (mu, sigma) from their
  posterior followed by a value, which in closed form is a Student-t with ``df`` (default
  ``n - 1``; more when the spread is pooled over groups) degrees of freedom, location ``mean`` and scale ``sd * sqrt(1 + 1/n)``. Drawn once per replication, it
  carries the parameter uncertainty into the forecast: a value a few minutes outside the past ones
  is not impossible. Optional ``low``/``high`` truncate it (sampled by the inverse CDF: one uniform
  per draw, so the draws of a replication do not depend on rejections); a log-normal needs ``high``
  (its predictive has no mean otherwise).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BeforeValidator, Field, ValidationError, WithJsonSchema, model_validator

from sim.scenario.families import _Dist

#: Reference priors of a probability, as Beta(a0, b0) pseudo-counts.
REFERENCE_PRIORS: dict[str, tuple[float, float]] = {"jeffreys": (0.5, 0.5), "uniform": (1.0, 1.0)}


class Beta(_Dist):
    """A probability with its posterior: from counts ``k`` of ``n`` (and a reference prior) or
    from ``a``, ``b`` directly."""

    dist: Literal["beta"] = "beta"
    k: int | None = Field(default=None, ge=0, description="Events seen.")
    n: int | None = Field(default=None, ge=0, description="Trials (flights) they were seen in.")
    prior: Literal["jeffreys", "uniform"] = Field(
        default="jeffreys", description="Reference prior added to the counts."
    )
    a: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    b: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _check(self) -> Beta:
        counts = self.k is not None or self.n is not None
        direct = self.a is not None or self.b is not None
        if counts == direct:
            raise ValueError("beta needs either k and n (counts) or a and b (parameters)")
        if counts:
            if self.k is None or self.n is None:
                raise ValueError("beta from counts needs both k and n")
            if self.k > self.n:
                raise ValueError(f"beta needs k <= n, got k={self.k}, n={self.n}")
        elif self.a is None or self.b is None:
            raise ValueError("beta needs both a and b")
        return self

    @property
    def alpha_beta(self) -> tuple[float, float]:
        """The posterior's parameters (a, b)."""
        if self.k is not None and self.n is not None:
            a0, b0 = REFERENCE_PRIORS[self.prior]
            return self.k + a0, self.n - self.k + b0
        return float(self.a), float(self.b)  # type: ignore[arg-type]

    @property
    def counts(self) -> str:
        """``"k/n"``, or ``""`` when given by its parameters."""
        return f"{self.k}/{self.n}" if self.n is not None else ""

    def sample(self, rng, size=None):
        a, b = self.alpha_beta
        draw = rng.beta(a, b, size)
        return float(draw) if size is None else draw

    def mean(self) -> float:
        a, b = self.alpha_beta
        return a / (a + b)

    def quantile(self, q: float) -> float:
        from scipy import special  # imported when first needed: it costs a third of a second

        a, b = self.alpha_beta
        return float(special.betaincinv(a, b, q))


class Predictive(_Dist):
    """Posterior predictive of a normal or log-normal family fitted to ``n`` values (Student-t)."""

    dist: Literal["predictive"] = "predictive"
    family: Literal["normal", "lognormal"] = Field(description="Family fitted to the values.")
    n: int = Field(ge=1, description="Values of this group it was fitted to.")
    df: float | None = Field(
        default=None, gt=0, allow_inf_nan=False, description="Degrees of freedom; default n - 1."
    )
    mean_: float = Field(alias="mean", allow_inf_nan=False, description="Sample mean (of logs).")
    sd: float = Field(gt=0, allow_inf_nan=False, description="Sample standard deviation (of logs).")
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)

    model_config = _Dist.model_config | {"populate_by_name": True}

    @model_validator(mode="after")
    def _check(self) -> Predictive:
        if self.df is None and self.n < 2:
            raise ValueError("a predictive fitted to one value needs `df` (a pooled spread)")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"bounds need low < high, got low={self.low}, high={self.high}")
        if self.family == "lognormal" and self.high is None:
            raise ValueError("a log-normal predictive needs `high` (it has no mean otherwise)")
        if self.family == "lognormal" and self.high is not None and self.high <= 0:
            raise ValueError(f"a log-normal predictive needs high > 0, got {self.high}")
        pl, ph = self._mass()
        if not ph - pl > 0:
            raise ValueError(
                f"bounds low={self.low}, high={self.high} leave no probability mass; "
                "they must overlap the bulk of the distribution"
            )
        return self

    @property
    def dof(self) -> float:
        """Degrees of freedom of the predictive Student-t."""
        return float(self.n - 1) if self.df is None else float(self.df)

    @property
    def scale(self) -> float:
        """Scale of the predictive Student-t: ``sd * sqrt(1 + 1/n)``."""
        return self.sd * math.sqrt(1.0 + 1.0 / self.n)

    def _to_t(self, x: float | None, default: float) -> float:
        if x is None:
            return default
        if self.family == "lognormal":
            if x <= 0:
                return -math.inf
            x = math.log(x)
        return (x - self.mean_) / self.scale

    def _mass(self) -> tuple[float, float]:
        got = self.__dict__.get("_mass_cache")
        if got is None:  # the CDF at the bounds, once per distribution (it is frozen)
            from scipy import special

            zl, zh = self._to_t(self.low, -math.inf), self._to_t(self.high, math.inf)
            got = (float(special.stdtr(self.dof, zl)), float(special.stdtr(self.dof, zh)))
            self.__dict__["_mass_cache"] = got
        return got

    def _from_u(self, u):
        from scipy import special

        y = self.mean_ + self.scale * special.stdtrit(self.dof, u)
        return np.exp(y) if self.family == "lognormal" else y

    def sample(self, rng, size=None):
        pl, ph = self._mass()
        u = rng.uniform(pl, ph, size)
        if size is None:  # scalar path: math functions, no array overhead
            from scipy import special

            y = self.mean_ + self.scale * float(special.stdtrit(self.dof, u))
            return math.exp(y) if self.family == "lognormal" else y
        return self._from_u(u)

    def quantile(self, q: float) -> float:
        pl, ph = self._mass()
        q = min(max(q, 0.0), 1.0)
        u = pl + q * (ph - pl)
        if u <= 0.0:
            return -math.inf if self.family == "normal" else 0.0
        if u >= 1.0:
            return math.inf
        return float(self._from_u(u))

    def mean(self) -> float:
        """Mean, by the midpoint rule over 4,000 quantiles (exact for the untruncated normal)."""
        if self.family == "normal" and self.low is None and self.high is None and self.dof > 1:
            return self.mean_
        pl, ph = self._mass()
        u = pl + (np.arange(4000) + 0.5) / 4000 * (ph - pl)
        return float(np.mean(self._from_u(u)))


class ZeroInflatedEmpirical(_Dist):
    """A launch slip from the record: on time in ``zeros`` of ``n`` flights, else one of the
    observed positive slips.

    The on-time probability is drawn once per replication from its posterior Beta(zeros + a0,
    n - zeros + b0) (reference prior ``prior``), then the slip is 0 with that probability, else
    a draw from ``positive`` (with ``weights``, counts). So the on-time share carries what ``n``
    flights cannot tell; the sizes of the slips are the observed ones (an empirical distribution
    cannot say more without a family, see ``zero_inflated_weibull``). A record without a positive
    slip cannot say how large a slip is: ``min_slip`` (the smallest one, e.g. 1 day) is then drawn
    when the flight does not leave on time, so the Beta-drawn on-time share still counts (without
    it such a record never slips).
    """

    dist: Literal["zero_inflated_empirical"] = "zero_inflated_empirical"
    zeros: int = Field(ge=0, description="Flights on time (slip 0).")
    n: int = Field(ge=1, description="Flights in the record.")
    positive: list[float] = Field(default_factory=list, description="Observed positive slips.")
    weights: list[float] | None = Field(default=None, description="Counts of `positive`.")
    prior: Literal["jeffreys", "uniform"] = "jeffreys"
    min_slip: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="The slip drawn when the record shows none (its smallest possible size).",
    )

    @model_validator(mode="after")
    def _check(self) -> ZeroInflatedEmpirical:
        if self.min_slip is not None and self.positive:
            raise ValueError("min_slip is only for a record without positive slips")
        if self.zeros > self.n:
            raise ValueError(f"zeros must be at most n, got zeros={self.zeros}, n={self.n}")
        if any(not math.isfinite(v) or v <= 0 for v in self.positive):
            raise ValueError("positive slips must be finite numbers > 0")
        if self.zeros < self.n and not self.positive:
            raise ValueError("flights that slipped need their `positive` slips")
        if self.weights is not None:
            if len(self.weights) != len(self.positive):
                raise ValueError("one weight per positive slip")
            if any(not math.isfinite(w) or w < 0 for w in self.weights) or not sum(self.weights):
                raise ValueError("weights must be finite, non-negative, with a positive sum")
        return self

    @property
    def on_time(self) -> Beta:
        """The posterior of the on-time probability."""
        return Beta(k=self.zeros, n=self.n, prior=self.prior)

    def _cum(self) -> tuple[np.ndarray, np.ndarray]:
        values = np.asarray(self.positive or [self.min_slip or 0.0], float)
        w = np.ones(len(values)) if self.weights is None else np.asarray(self.weights, float)
        order = np.argsort(values, kind="stable")
        return values[order], np.cumsum(w[order]) / w.sum()

    def sample(self, rng, size=None):
        p0 = self.on_time.sample(rng, size)
        u = rng.random(size)
        values, cum = self._cum()
        idx = np.minimum(np.searchsorted(cum, rng.random(size), side="right"), len(values) - 1)
        out = np.where(u < p0, 0.0, values[idx])
        return float(out) if size is None else out

    def mean(self) -> float:
        values, cum = self._cum()
        probs = np.diff(np.concatenate([[0.0], cum]))
        return (1 - self.on_time.mean()) * float(np.dot(values, probs))

    def quantile(self, q: float) -> float:
        p0 = self.on_time.mean()
        if q <= p0:
            return 0.0
        values, cum = self._cum()
        qq = (q - p0) / (1 - p0)
        return float(values[min(np.searchsorted(cum, qq - 1e-12), len(values) - 1)])


def _as_probability(value: Any) -> Any:
    """A probability: a number in [0, 1] or a ``beta`` mapping (drawn once per replication)."""
    if not isinstance(value, dict):
        return value
    if value.get("dist") != "beta":
        raise ValueError(
            "a probability is a number in [0, 1] or {dist: beta, k, n} (counts) / {dist: beta, a, b}"
        )
    try:
        return Beta.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        msg = first["msg"].removeprefix("Value error, ")
        raise ValueError(f"{where + ': ' if where else ''}{msg}") from None


#: A probability field of a scenario: a number in [0, 1], or a Beta posterior drawn per replication.
Probability = Annotated[
    Annotated[float, Field(ge=0.0, le=1.0)] | Beta,
    BeforeValidator(_as_probability),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {
                    "type": "object",
                    "description": "{dist: beta, k, n[, prior]} or {dist: beta, a, b}",
                },
            ]
        }
    ),
]


def probability_mean(value: float | Beta) -> float:
    """The expected value of a probability field (its posterior mean when it is a Beta)."""
    return float(value) if isinstance(value, int | float) else value.mean()
