"""Deriving the model's priors from flight histories (``crewsim calibrate``).

:func:`calibrate` turns :class:`sim.calibration.flights.FlightRecord` s into :class:`Estimate` s: one per
parameter, with its value, the flights used (``n``), the flights left out because a needed cell was
unknown, and an interval. :func:`sim.calibration.priors_file.priors_yaml` writes the estimates as the ``defaults:`` of a scenario
(the form of ``scenarios/priors/soyuz_ms.yaml``), with the provenance of every value in comments.

Conventions (stated in the generated file too):

* event probabilities (pad abort, launch failure, missed burn, automatic-docking failure, landing
  weather) are written as Beta posteriors ``{dist: beta, k, n, prior: jeffreys}``
  (:mod:`sim.calibration.estimate`): the model draws each once per replication, so the forecast
  carries what ``n`` flights cannot tell; the raw ``k/n`` and a 95 % Wilson interval are reported;
* launch-to-docking durations per scheme, and the descent, are posterior predictives of the family
  chosen by AIC (:mod:`sim.calibration.duration_fit`); flights with a manual docking or aborted
  approach are left out (the model adds the manual-docking delay separately);
* the last-month launch slip is the record of ``slip_days_vs_T1mo`` from the flights the
  :class:`SlipSelection` keeps (:mod:`sim.calibration.slips`), written as a
  ``zero_inflated_empirical`` or a ``zero_inflated_weibull`` with parameter uncertainty, by the
  rule ``slip_model="auto"`` states (few positive slips: the Weibull).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable

from sim.calibration.duration_fit import DurationFit, fit_durations
from sim.calibration.estimate import Calibration, Estimate, rate_estimate
from sim.calibration.fitting import median_interval, wilson_interval
from sim.calibration.flights import FlightRecord
from sim.calibration.free_text import FAST_SCHEMES, SCHEMES
from sim.calibration.slips import (
    SLIP_MODELS,
    US_SEGMENT_SLIP_PRIORS,
    SlipSelection,
    slip_estimates,
    us_segment_slip_prior,
)

__all__ = [
    "US_SEGMENT_SLIP_PRIORS",
    "Calibration",
    "Estimate",
    "SlipSelection",
    "calibrate",
    "us_segment_slip_prior",
]


def _duration_estimates(records: list[FlightRecord]) -> list[Estimate]:
    """Launch to docking per scheme, the flights without docking trouble, one family by AIC."""
    clean: dict[str, list[FlightRecord]] = {}
    notes: dict[str, str] = {}
    left: dict[str, int] = {}
    for scheme in SCHEMES:
        flown = [r for r in records if r.scheme_flown == scheme]
        trouble = [r.flight for r in flown if r.auto_docking_failed]
        clean[scheme] = [
            r for r in flown if not r.auto_docking_failed and r.launch_to_dock_h is not None
        ]
        left[scheme] = len(flown) - len(clean[scheme])
        notes[scheme] = "manual docking / aborted approach left out: " + (
            ", ".join(trouble) or "none"
        )
    hours = {s: [r.launch_to_dock_h for r in clean[s]] for s in SCHEMES}
    fit: DurationFit | None = None
    try:
        fit = fit_durations(hours)
    except ValueError as exc:
        fit_note = f"no family fitted: {exc}"
    out = []
    for scheme in SCHEMES:
        name = f"launch to docking, {scheme} (h)"
        values = hours[scheme]
        if not values:
            out.append(Estimate(name, "n/a", 0, left[scheme], "", (), note=notes[scheme]))
            continue
        lo, hi = median_interval(values)
        written = fit.predictive.get(scheme) if fit else None
        out.append(
            Estimate(
                name=name,
                value=f"min {min(values):g} / median {statistics.median(values):.3g} / "
                f"max {max(values):g}",
                n=len(values),
                left_out=left[scheme],
                interval=f"median {lo:g}-{hi:g} (order statistics, >=95%)",
                flights=tuple(r.flight for r in clean[scheme]),
                path=("rendezvous", "durations", scheme) if written else None,
                yaml_value=written,
                note=notes[scheme]
                + (f"; {fit.label} predictive (df {written['df']:g})" if written else "")
                + (
                    "; pooled spread (fewer than 3 values)"
                    if fit and scheme in fit.borrowed
                    else ""
                ),
            )
        )
    aic = ", ".join(f"{k} {v:.1f}" for k, v in fit.aic.items()) if fit else fit_note
    out.append(
        Estimate(
            name="launch to docking: family (lowest AIC)",
            value=fit.label if fit else "n/a",
            n=sum(len(v) for v in hours.values()),
            left_out=0,
            interval="AIC: " + aic,
            flights=(),
            note="see sim.calibration.duration_fit for the candidates and the rule",
        )
    )
    return out


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
    if len({r.descent_h for r in descents}) >= 2:
        hours = [r.descent_h for r in descents]
        med = statistics.median(hours)
        lo, hi = median_interval(hours)
        fit = fit_durations({"descent": hours})
        out.append(
            Estimate(
                name="undocking to landing (h)",
                value=f"min {min(hours):.2f} / median {med:.2f} / max {max(hours):.2f}",
                n=len(hours),
                left_out=sum(bool(r.crewed) for r in landed) - len(hours),
                interval=f"median {lo:.2f}-{hi:.2f} (order statistics, >=95%)",
                flights=tuple(r.flight for r in descents),
                path=("landing", "descent"),
                yaml_value=fit.predictive["descent"],
                note=f"{fit.label} predictive (lowest AIC: "
                + ", ".join(f"{k} {v:.1f}" for k, v in fit.aic.items())
                + ")",
            )
        )
    out.append(
        rate_estimate(
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
    slip_model: str = "auto",
    n_boot: int = 1000,
    seed: int = 0,
    selection: SlipSelection | None = None,
) -> Calibration:
    """Derive every prior the flight tables support (see the module docstring for the methods)."""
    if slip_model not in SLIP_MODELS:
        raise ValueError(f"slip_model must be one of {', '.join(SLIP_MODELS)}, got {slip_model!r}")
    records = list(records)
    cal = Calibration()
    slip, cal.slip_fit = slip_estimates(records, slip_model, n_boot, seed, selection)
    cal.slip_model = slip_model
    cal.estimates += slip
    launched = [r for r in records if r.actual_launch_utc is not None]
    cal.estimates.append(
        rate_estimate(
            "pad abort / scrub", launched, lambda r: _gt0(r.pad_aborts), ("launch", "scrub_p")
        )
    )
    cal.estimates.append(
        rate_estimate(
            "launch failure", launched, lambda r: r.launch_failure, ("launch", "failure_p")
        )
    )
    cal.estimates += _duration_estimates(records)
    slipped_fast = [
        r
        for r in records
        if r.scheme_planned_t1mo in FAST_SCHEMES and r.slip_days is not None and r.slip_days > 0
    ]
    cal.estimates.append(
        rate_estimate(
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
        rate_estimate(
            "in-flight reversion to 34-orbit (missed burn)",
            flew_fast_plan,
            lambda r: r.scheme_flown == "34-orbit",
            ("rendezvous", "missed_burn_p"),
            "fast scheme planned on launch day",
        )
    )
    docked = [r for r in records if r.docked]
    cal.estimates.append(
        rate_estimate(
            "automatic docking failed, crewed",
            [r for r in docked if r.crewed],
            lambda r: r.auto_docking_failed,
            ("docking", "auto_failure_p"),
            "manual docking or aborted approach",
        )
    )
    cal.estimates.append(
        rate_estimate(
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
