"""Deriving the model's priors from flight histories (``crewsim calibrate``).

:func:`calibrate` turns :class:`sim.calibration.flights.FlightRecord` s into :class:`Estimate` s: one per
parameter, with its value, the flights used (``n``), the flights left out because a needed cell was
unknown, and an interval. :func:`sim.calibration.priors_file.priors_yaml` writes the estimates as the ``defaults:`` of a scenario
(the form of ``scenarios/priors/soyuz_ms.yaml``), with the provenance of every value in comments.

Conventions (stated in the generated file too):

* event probabilities (pad abort, launch failure, missed burn, automatic-docking failure, landing
  weather) are Jeffreys posterior means ``(k + 1/2) / (n + 1)``, so an event not seen in ``n``
  flights keeps a small probability; the raw ``k/n`` and a 95 % Wilson interval are reported;
* launch-to-docking durations per scheme are triangular with ``low``/``high`` the sample minimum and
  maximum and ``mode`` the median; flights with a manual docking or aborted approach are left out
  (the model adds the manual-docking delay separately); the interval is for the median;
* the last-month launch slip is the empirical distribution of ``slip_days_vs_T1mo`` (advanced
  launches count as 0); a zero-inflated Weibull fit is reported alongside (or written instead with
  ``slip_model="zero_inflated_weibull"``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sim.calibration.fitting import (
    ZIWeibullFit,
    fit_zero_inflated_weibull,
    jeffreys_rate,
    median_interval,
    wilson_interval,
)
from sim.calibration.flights import FlightRecord
from sim.calibration.free_text import FAST_SCHEMES, SCHEMES
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


@dataclass(frozen=True)
class Estimate:
    """One calibrated parameter.

    ``path`` is where it goes under ``defaults:`` (``None``: reported only); ``n`` the flights used;
    ``left_out`` the flights of the population whose needed cell was unknown.
    """

    name: str
    value: str
    n: int
    left_out: int
    interval: str
    flights: tuple[str, ...]
    path: tuple[str, ...] | None = None
    yaml_value: Any = None
    note: str = ""


@dataclass
class Calibration:
    """All estimates of one calibration run, plus the slip fit (``None`` if it could not be made)."""

    estimates: list[Estimate] = field(default_factory=list)
    slip_fit: ZIWeibullFit | None = None

    def get(self, name: str) -> Estimate:
        return next(e for e in self.estimates if e.name == name)


def _fmt(x: float, digits: int = 3) -> str:
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:.0f}"


def _rate(
    name: str,
    population: list[FlightRecord],
    outcome: Callable[[FlightRecord], bool | None],
    path: tuple[str, ...] | None,
    note: str = "",
) -> Estimate:
    known = [r for r in population if outcome(r) is not None]
    k = sum(bool(outcome(r)) for r in known)
    n = len(known)
    lo, hi = wilson_interval(k, n)
    return Estimate(
        name=name,
        value=f"{jeffreys_rate(k, n):.4f} ({k}/{n})" if n else "n/a",
        n=n,
        left_out=len(population) - n,
        interval=f"{lo:.3f}-{hi:.3f} (Wilson 95%, k/n)" if n else "",
        flights=tuple(r.flight for r in known),
        path=path if n else None,
        yaml_value=round(jeffreys_rate(k, n), 4) if n else None,
        note="; ".join(
            filter(
                None, [note, k and f"events: {', '.join(r.flight for r in known if outcome(r))}"]
            )
        ),
    )


def _slip_estimates(
    records: list[FlightRecord], slip_model: str, n_boot: int, seed: int
) -> tuple[list[Estimate], ZIWeibullFit | None]:
    known = [r for r in records if r.slip_days is not None]
    flights = tuple(r.flight for r in known)
    left_out = len(records) - len(known)
    if not known:
        return [Estimate("launch slip, last month (d)", "n/a", 0, left_out, "", ())], None
    slips = [r.slip_days for r in known]
    counts = sorted(Counter(slips).items())
    on_time = counts[0][1] if counts[0][0] == 0 else 0
    lo, hi = wilson_interval(on_time, len(slips))
    advanced = [f"{r.flight} (-{r.advanced_days:g} d)" for r in known if r.advanced_days]
    empirical = {
        "dist": "empirical",
        "values": [float(v) if v % 1 else int(v) for v, _ in counts],
        "weights": [c for _, c in counts],
        "unit": "d",
    }
    pairs = ", ".join(f"{v:g}:{c}" for v, c in counts)
    note = "advanced launches counted as 0 slip: " + (", ".join(advanced) if advanced else "none")
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
            value=f"empirical {{{pairs}}}; on time {on_time}/{len(slips)}",
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
                    f"shape {_fmt(fit.shape_ci[0])}-{_fmt(fit.shape_ci[1])}, "
                    f"scale {_fmt(fit.scale_ci[0])}-{_fmt(fit.scale_ci[1])} "
                    f"(bootstrap 95%, {fit.n_boot} resamples, seed {seed})"
                ),
                flights=flights,
                path=("launch", "slip") if chosen else None,
                yaml_value=fit.as_yaml(),
                note=f"MLE; {fit.n - fit.n_zero} positive slips",
            )
        )
    else:
        out[0] = Estimate(**{**out[0].__dict__, "note": f"{note}; {fit_note}"})
    earlier = [r for r in records if r.table == "tma" and r.slip_prior_plan_days is not None]
    if earlier:
        values = sorted(r.slip_prior_plan_days for r in earlier)
        out.append(
            Estimate(
                name="launch slip vs earlier plan, TMA-M (d)",
                value=", ".join(f"{v:g}" for v in values),
                n=len(values),
                left_out=sum(r.table == "tma" for r in records) - len(values),
                interval="",
                flights=tuple(r.flight for r in earlier),
                note="recorded only for slipped flights (biased); plan horizon unknown; not a prior",
            )
        )
    return out, fit


def _duration_estimate(records: list[FlightRecord], scheme: str) -> Estimate:
    flown = [r for r in records if r.scheme_flown == scheme]
    docking_trouble = [r for r in flown if r.auto_docking_failed]
    clean = [r for r in flown if not r.auto_docking_failed and r.launch_to_dock_h is not None]
    hours = [r.launch_to_dock_h for r in clean]
    name = f"launch to docking, {scheme} (h)"
    note = "manual docking / aborted approach left out: " + (
        ", ".join(r.flight for r in docking_trouble) or "none"
    )
    if not hours:
        return Estimate(name, "n/a", 0, len(flown), "", (), note=note)
    low, med, high = min(hours), statistics.median(hours), max(hours)
    lo, hi = median_interval(hours)
    fit = None
    if high > low:
        fit = {"dist": "triangular", "low": low, "mode": round(med, 3), "high": high, "unit": "h"}
    return Estimate(
        name=name,
        value=f"min {low:g} / median {med:.3g} / max {high:g}",
        n=len(hours),
        left_out=len(flown) - len(hours),
        interval=f"median {lo:g}-{hi:g} (order statistics, >=95%)",
        flights=tuple(r.flight for r in clean),
        path=("rendezvous", "durations", scheme) if fit else None,
        yaml_value=fit,
        note=note + ("" if fit else "; fewer than two distinct values: no fit"),
    )


def _landing_estimates(records: list[FlightRecord]) -> list[Estimate]:
    landed = [r for r in records if r.landing_utc is not None and not r.launch_failure]
    with_plan = [r for r in landed if r.landing_delay_d is not None]
    out = []
    if with_plan:
        delays = [r.landing_delay_d for r in with_plan]
        on_day = sum(abs(d) < 0.5 for d in delays)
        lo, hi = wilson_interval(on_day, len(delays))
        out.append(
            Estimate(
                name="landing delay vs plan (d)",
                value=f"on planned day {on_day}/{len(delays)}; range "
                f"{min(delays):+.2f}..{max(delays):+.2f}",
                n=len(delays),
                left_out=len(landed) - len(delays),
                interval=f"on planned day {lo:.2f}-{hi:.2f} (Wilson 95%)",
                flights=tuple(r.flight for r in with_plan),
                note="plan = last plan named in planned_landing",
            )
        )
    descents = [r for r in landed if r.descent_h is not None and r.crewed]
    if descents:
        hours = [r.descent_h for r in descents]
        med = statistics.median(hours)
        lo, hi = median_interval(hours)
        minutes = round(med * 60)
        out.append(
            Estimate(
                name="undocking to landing (h)",
                value=f"min {min(hours):.2f} / median {med:.2f} / max {max(hours):.2f}",
                n=len(hours),
                left_out=sum(bool(r.crewed) for r in landed) - len(hours),
                interval=f"median {lo:.2f}-{hi:.2f} (order statistics, >=95%)",
                flights=tuple(r.flight for r in descents),
                path=("landing", "descent"),
                yaml_value=f"{minutes // 60} h {minutes % 60} min",
                note="written as the median (a fixed duration)",
            )
        )
    out.append(
        _rate(
            "landing postponed for weather",
            landed,
            lambda r: None if r.weather_postponements is None else r.weather_postponements > 0,
            ("landing", "weather_p"),
            "per landing",
        )
    )
    return out


def calibrate(
    records: Iterable[FlightRecord],
    *,
    slip_model: str = "empirical",
    n_boot: int = 1000,
    seed: int = 0,
) -> Calibration:
    """Derive every prior the flight tables support (see the module docstring for the methods)."""
    if slip_model not in ("empirical", "zero_inflated_weibull"):
        raise ValueError(
            f"slip_model must be empirical or zero_inflated_weibull, got {slip_model!r}"
        )
    records = list(records)
    cal = Calibration()
    slip, cal.slip_fit = _slip_estimates(records, slip_model, n_boot, seed)
    cal.estimates += slip
    launched = [r for r in records if r.actual_launch_utc is not None]
    cal.estimates.append(
        _rate("pad abort / scrub", launched, lambda r: _gt0(r.pad_aborts), ("launch", "scrub_p"))
    )
    cal.estimates.append(
        _rate("launch failure", launched, lambda r: r.launch_failure, ("launch", "failure_p"))
    )
    cal.estimates += [_duration_estimate(records, s) for s in SCHEMES]
    slipped_fast = [
        r
        for r in records
        if r.scheme_planned_t1mo in FAST_SCHEMES and r.slip_days is not None and r.slip_days > 0
    ]
    cal.estimates.append(
        _rate(
            "fallback to 34-orbit given a slip",
            slipped_fast,
            lambda r: r.scheme_flown == "34-orbit" if r.scheme_flown in SCHEMES else None,
            None,
            "fast scheme planned a month ahead, launch slipped; the model applies this as a rule",
        )
    )
    flew_fast_plan = [
        r
        for r in records
        if r.scheme_planned in FAST_SCHEMES
        and r.scheme_flown in SCHEMES
        and not (r.slip_days or 0) > 0
    ]
    cal.estimates.append(
        _rate(
            "in-flight reversion to 34-orbit (missed burn)",
            flew_fast_plan,
            lambda r: r.scheme_flown == "34-orbit",
            ("rendezvous", "missed_burn_p"),
            "fast scheme planned on launch day",
        )
    )
    docked = [r for r in records if r.docked]
    cal.estimates.append(
        _rate(
            "automatic docking failed, crewed",
            [r for r in docked if r.crewed],
            lambda r: r.auto_docking_failed,
            ("docking", "auto_failure_p"),
            "manual docking or aborted approach",
        )
    )
    cal.estimates.append(
        _rate(
            "automatic docking failed, uncrewed",
            [r for r in docked if r.crewed is False],
            lambda r: r.auto_docking_failed,
            None,
            "uncrewed vehicles back off and retry",
        )
    )
    cal.estimates += _landing_estimates(records)
    return cal


def _gt0(x: int | None) -> bool | None:
    return None if x is None else x > 0
