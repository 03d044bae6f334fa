"""The last-month launch slip from the record: which flights count, and the prior written.

**Which flights** (:class:`SlipSelection`, ``crewsim calibrate --exclude-first N --since YEAR``):
the slip of a vehicle's debut flights has causes a mature vehicle does not have (Soyuz MS-01's
software fault, MS-02's cable short: 13 and 26 days), so ``exclude_first = N`` leaves out the
flights numbered 1..N of each series (``MS-01``, ``MS-02``, ``TMA-01M``, ...; the number after the
dash, per series prefix and suffix); ``since = YEAR`` keeps flights planned (or launched) in or
after that year. The rule applies to the slip only: the event probabilities and durations use
every flight. Flights left out are listed in the estimate's note and the priors file.

**The prior written** (``slip_model``, ``crewsim calibrate --slip-model``): both carry the
uncertainty of their parameters (the on-time share is drawn per replication from its Beta posterior
in both).

* ``empirical``: the record as a ``zero_inflated_empirical``: on time in ``k`` of ``n`` flights,
  else one of the observed slips. The sizes of the slips are the observed ones, so it says no more
  about them than the record does.
* ``zero_inflated_weibull``: the record as a ``zero_inflated_weibull`` with parameter uncertainty
  (:mod:`sim.scenario.slip_weibull`): the Weibull shape drawn per replication from its posterior
  (weakly informative log-normal prior, median 1, log-sd 0.5; scale prior 1/scale, integrated
  out), slips of at least :data:`SLIP_LOW_D` and at most :data:`SLIP_HIGH_D` days.
* ``auto`` (the default) is the rule: the empirical record when the kept flights show at least
  :data:`MIN_SLIPS_FOR_EMPIRICAL` positive slips, else the zero-inflated Weibull. With fewer slips
  the record's sizes are a handful of points (the baseline's mature-vehicle record has one slip,
  of one day: as an empirical distribution every slip would be exactly one day); the Weibull
  family spreads them as far as so few values leave them uncertain. A record without any positive
  slip is written as the empirical with ``min_slip: 1`` (no size can be estimated from it: a flight
  that does not leave on time, with the Beta-drawn share, slips by the smallest slip, a day).

The maximum-likelihood zero-inflated Weibull (a plug-in fit, with bootstrap intervals) is reported
alongside when it can be fitted (two distinct positive slips or more); it is not written.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from sim.calibration.estimate import REFERENCE_PRIOR, Estimate, fmt
from sim.calibration.fitting import ZIWeibullFit, fit_zero_inflated_weibull, wilson_interval
from sim.calibration.flights import FlightRecord
from sim.scenario.distributions import ZeroInflatedWeibull

#: US-segment ISS launch slips by how far ahead the plan was made (Gardner & Grogan, ISS flight
#: planning reports 2012-2017, 20 flights): P(on time) plus a Weibull for positive slips, days.
#: Published 95 % interval of the on-time share for <= 90 d: 4.8-24 %.
US_SEGMENT_SLIP_PRIORS: dict[str, ZeroInflatedWeibull] = {
    "<=90d": ZeroInflatedWeibull(p_zero=0.143, shape=1.02, scale=26.5, unit="d"),
    "90-180d": ZeroInflatedWeibull(p_zero=0.077, shape=0.81, scale=92.6, unit="d"),
    "180-360d": ZeroInflatedWeibull(p_zero=0.0, shape=1.04, scale=172.9, unit="d"),
}


def us_segment_slip_prior(horizon_days: float) -> ZeroInflatedWeibull:
    """The US-segment slip prior for a plan made ``horizon_days`` before launch (0-360 d)."""
    if not 0 <= horizon_days <= 360:
        raise ValueError(f"planning horizon must be 0-360 days, got {horizon_days}")
    if horizon_days <= 90:
        return US_SEGMENT_SLIP_PRIORS["<=90d"]
    if horizon_days <= 180:
        return US_SEGMENT_SLIP_PRIORS["90-180d"]
    return US_SEGMENT_SLIP_PRIORS["180-360d"]


_NUMBERED = re.compile(r"^(.*?-)(\d+)(\D*)$")


@dataclass(frozen=True)
class SlipSelection:
    """Which flights the slip prior is estimated from (see the module docstring)."""

    exclude_first: int = 0
    since: int | None = None

    def __post_init__(self) -> None:
        if self.exclude_first < 0:
            raise ValueError(f"exclude_first must be >= 0, got {self.exclude_first}")

    def keeps(self, rec: FlightRecord) -> bool:
        match = _NUMBERED.match(rec.flight)
        if match and int(match.group(2)) <= self.exclude_first:
            return False
        if self.since is not None:
            when = rec.planned_launch_t1mo or (
                rec.actual_launch_utc.date() if rec.actual_launch_utc else None
            )
            if when is None or when.year < self.since:
                return False
        return True

    def apply(self, records: list[FlightRecord]) -> tuple[list[FlightRecord], list[str]]:
        """The flights kept and the names of those left out."""
        kept = [r for r in records if self.keeps(r)]
        return kept, [r.flight for r in records if not self.keeps(r)]

    def describe(self) -> str:
        parts = []
        if self.exclude_first:
            parts.append(f"first {self.exclude_first} flight(s) of each series left out")
        if self.since is not None:
            parts.append(f"flights from {self.since} on")
        return ", ".join(parts) or "all flights"


#: Positive slips the kept flights must show for the empirical record to be written by ``auto``.
MIN_SLIPS_FOR_EMPIRICAL = 5
#: The smallest positive slip (days): launches slip by whole days.
SLIP_LOW_D = 1
#: The largest slip (days) the zero-inflated Weibull draws: its predictive tail from a few slips is
#: heavy, and the longest Soyuz slips against an earlier plan in both tables are 57 days
#: (TMA-17M, after the Progress M-27M loss) and 46 (TMA-04M); four months is beyond a grounding.
SLIP_HIGH_D = 120
#: The slip models ``calibrate`` can write (``auto`` chooses between the other two).
SLIP_MODELS = ("auto", "empirical", "zero_inflated_weibull")


def choose_slip_model(slip_model: str, positive_slips: int) -> str:
    """The slip model written: ``slip_model``, or for ``auto`` the rule of the module docstring
    (``positive_slips`` = flights of the kept record with a slip of a day or more)."""
    if slip_model not in SLIP_MODELS:
        raise ValueError(f"slip_model must be one of {', '.join(SLIP_MODELS)}, got {slip_model!r}")
    if slip_model == "auto":
        return (
            "empirical"
            if positive_slips >= MIN_SLIPS_FOR_EMPIRICAL or not positive_slips
            else ("zero_inflated_weibull")
        )
    if slip_model == "zero_inflated_weibull" and not positive_slips:
        return "empirical"
    return slip_model


def slip_estimates(
    records: list[FlightRecord],
    slip_model: str,
    n_boot: int,
    seed: int,
    selection: SlipSelection | None = None,
) -> tuple[list[Estimate], ZIWeibullFit | None]:
    """The last-month slip estimates (the written prior and the alternative fit), from the flights
    the selection keeps."""
    selection = selection or SlipSelection()
    kept, dropped = selection.apply(records)
    known = [r for r in kept if r.slip_days is not None]
    flights = tuple(r.flight for r in known)
    left_out = len(kept) - len(known)
    if not known:
        return [Estimate("launch slip, last month (d)", "n/a", 0, left_out, "", ())], None
    slips = [r.slip_days for r in known]
    counts = sorted(Counter(slips).items())
    on_time = counts[0][1] if counts[0][0] == 0 else 0
    lo, hi = wilson_interval(on_time, len(slips))
    advanced = [f"{r.flight} (-{r.advanced_days:g} d)" for r in known if r.advanced_days]
    positive = [(v, c) for v, c in counts if v > 0]
    empirical = {
        "dist": "zero_inflated_empirical",
        "zeros": on_time,
        "n": len(slips),
        "positive": [float(v) if v % 1 else int(v) for v, _ in positive],
        "weights": [c for _, c in positive],
        "prior": REFERENCE_PRIOR,
        "unit": "d",
    }
    if not positive:
        del empirical["positive"], empirical["weights"]
        del empirical["unit"]
        empirical.update(min_slip=SLIP_LOW_D, unit="d")
    pairs = ", ".join(f"{v:g}:{c}" for v, c in counts)
    n_positive = sum(c for _, c in positive)
    written = choose_slip_model(slip_model, n_positive)
    weibull = {
        "dist": "zero_inflated_weibull",
        "zeros": on_time,
        "n": len(slips),
        "positive": empirical.get("positive", []),
        "weights": empirical.get("weights", []),
        "prior": REFERENCE_PRIOR,
        "shape_median": 1,
        "shape_sigma": 0.5,
        "low": SLIP_LOW_D,
        "high": SLIP_HIGH_D,
        "unit": "d",
    }
    why = (
        f"slip model {written} ({slip_model}"
        + (
            f": {n_positive} positive slip(s), the empirical needs {MIN_SLIPS_FOR_EMPIRICAL}"
            if slip_model == "auto"
            else ""
        )
        + ")"
    )
    if written == "zero_inflated_weibull":
        model_note = (
            "Weibull sizes with parameter uncertainty: shape drawn per replication from its "
            "posterior (log-normal prior, median 1, log-sd 0.5), scale integrated out (prior "
            f"1/scale), slips {SLIP_LOW_D}-{SLIP_HIGH_D} d"
        )
    else:
        model_note = "sizes: the observed slips"
    note = "; ".join(
        [
            "advanced launches counted as 0 slip: " + (", ".join(advanced) or "none"),
            f"selection: {selection.describe()}; left out by it: {', '.join(dropped) or 'none'}",
            why,
            "on-time share drawn per replication from its Beta posterior",
            model_note,
        ]
    )
    fit = None
    try:
        fit = fit_zero_inflated_weibull(slips, n_boot=n_boot, seed=seed)
    except ValueError as exc:
        note += f"; maximum-likelihood Weibull not fitted: {exc}"
    out = [
        Estimate(
            name="launch slip, last month (d)",
            value=f"{{{pairs}}}; on time {on_time}/{len(slips)}",
            n=len(slips),
            left_out=left_out,
            interval=f"on time {lo:.2f}-{hi:.2f} (Wilson 95%)",
            flights=flights,
            path=("launch", "slip"),
            yaml_value=weibull if written == "zero_inflated_weibull" else empirical,
            note=note,
        )
    ]
    if fit is not None:
        out.append(
            Estimate(
                name="launch slip, last month: zero-inflated Weibull MLE",
                value=f"p0={fit.p_zero:.3f} shape={fit.shape:.3g} scale={fit.scale:.3g} d",
                n=fit.n,
                left_out=left_out,
                interval=(
                    f"p0 {fit.p_zero_ci[0]:.2f}-{fit.p_zero_ci[1]:.2f}, "
                    f"shape {fmt(fit.shape_ci[0])}-{fmt(fit.shape_ci[1])}, "
                    f"scale {fmt(fit.scale_ci[0])}-{fmt(fit.scale_ci[1])} "
                    f"(bootstrap 95%, {fit.n_boot} resamples, seed {seed})"
                ),
                flights=flights,
                note=f"{fit.n - fit.n_zero} positive slips; plug-in, reported only (not written)",
            )
        )
    earlier = [r for r in kept if r.table == "tma" and r.slip_prior_plan_days is not None]
    if earlier:
        values = sorted(r.slip_prior_plan_days for r in earlier)
        out.append(
            Estimate(
                name="launch slip vs earlier plan, TMA-M (d)",
                value=", ".join(f"{v:g}" for v in values),
                n=len(values),
                left_out=sum(r.table == "tma" for r in kept) - len(values),
                interval="",
                flights=tuple(r.flight for r in earlier),
                note="recorded only for slipped flights (biased); plan horizon unknown; not a prior",
            )
        )
    return out, fit
