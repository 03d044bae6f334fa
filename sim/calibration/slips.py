"""The last-month launch slip from the record: which flights count, and the prior written.

**Which flights** (:class:`SlipSelection`, ``crewsim calibrate --exclude-first N --since YEAR``):
the slip of a vehicle's debut flights has causes a mature vehicle does not have (Soyuz MS-01's
software fault, MS-02's cable short: 13 and 26 days), so ``exclude_first = N`` leaves out the
flights numbered 1..N of each series (``MS-01``, ``MS-02``, ``TMA-01M``, ...; the number after the
dash, per series prefix and suffix); ``since = YEAR`` keeps flights planned (or launched) in or
after that year. The rule applies to the slip only: the event probabilities and durations use
every flight. Flights left out are listed in the estimate's note and the priors file.

**The prior written**: by default the record as a ``zero_inflated_empirical`` (on time in ``k`` of
``n`` flights, with the on-time share drawn per replication from its Beta posterior, else one of the
observed slips); with ``slip_model="zero_inflated_weibull"`` the maximum-likelihood zero-inflated
Weibull (a plug-in fit: its parameters are not drawn).
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
    pairs = ", ".join(f"{v:g}:{c}" for v, c in counts)
    note = "; ".join(
        [
            "advanced launches counted as 0 slip: " + (", ".join(advanced) or "none"),
            f"selection: {selection.describe()}; left out by it: {', '.join(dropped) or 'none'}",
            "on-time share drawn per replication from its Beta posterior",
        ]
    )
    fit = None
    try:
        fit = fit_zero_inflated_weibull(slips, n_boot=n_boot, seed=seed)
    except ValueError as exc:
        fit_note = f"zero-inflated Weibull not fitted: {exc}"
    else:
        fit_note = ""
    chosen = slip_model == "zero_inflated_weibull" and fit is not None
    out = [
        Estimate(
            name="launch slip, last month (d)",
            value=f"{{{pairs}}}; on time {on_time}/{len(slips)}",
            n=len(slips),
            left_out=left_out,
            interval=f"on time {lo:.2f}-{hi:.2f} (Wilson 95%)",
            flights=flights,
            path=None if chosen else ("launch", "slip"),
            yaml_value=empirical,
            note=note,
        )
    ]
    if fit is not None:
        out.append(
            Estimate(
                name="launch slip, last month: zero-inflated Weibull",
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
                path=("launch", "slip") if chosen else None,
                yaml_value=fit.as_yaml(),
                note=f"MLE; {fit.n - fit.n_zero} positive slips; plug-in (no parameter uncertainty)",
            )
        )
    else:
        out[0] = Estimate(**{**out[0].__dict__, "note": f"{note}; {fit_note}"})
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
