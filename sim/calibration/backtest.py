"""Backtest: forecast past Soyuz flights from their plans and score the forecasts (``crewsim
backtest``).

For every flight of a table with a plan a month before launch (planned launch date and planned
rendezvous scheme), the priors are calibrated on *other* flights (leave-one-out over the table, or
the ``--train`` tables without the flight itself), a minimal one-vehicle scenario is built from the
plan (:func:`sim.calibration.replay.build_scenario_data`), ``n`` replications are run with
:func:`sim.model.simulate_replication`, and the forecast is scored against what happened
(:mod:`sim.calibration.scoring`):

* ``slip_d`` (launch slip in whole days vs the plan a month ahead) and ``launch_to_dock_h`` (launch
  to docking, hours): randomised PIT, inside the central 50 / 80 / 90 % intervals, CRPS;
* ``fallback`` (a scheme other than the one planned was flown), ``manual_docking`` and
  ``landed_on_planned_day``: Brier score of the share of replications.

Each score is set against two references (:mod:`sim.calibration.backtest_results`): the plan
(slip 0, the planned scheme's median duration; "all goes to plan" for the events) and climatology
(what the training flights did).

The decisions for rows the model cannot replay, and for blank cells, are in :data:`RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from sim.calibration import scoring
from sim.calibration.backtest_results import (
    LEVELS,
    METRICS,
    QUANTILES,
    Backtest,
    FlightBacktest,
    MetricResult,
    MetricSummary,
)
from sim.calibration.flights import FlightRecord
from sim.calibration.replay import (
    build_scenario_data,
    climatology,
    forecasts,
    iso,
    observations,
    plan_mode,
    plan_problem,
    simulate_flight,
    training_priors,
)
from sim.calibration.slips import SlipSelection
from sim.seeding import stable_id

#: The decisions of the backtest, in the words of the documentation (also written to the JSON).
RULES: tuple[str, ...] = (
    "A flight is forecast from its plan a month ahead (planned_launch_date_T1mo and a planned "
    "scheme in rendezvous_planned: slip and everything after it), else from its launch-day plan "
    "(the TMA-M table: the scheme planned on launch day, launched as it did, so no slip score). "
    "Flights with neither are listed as not backtested (they still train the other flights).",
    "Training: leave-one-out over every --flights table together (calibrate on all other "
    "flights), or the --train tables minus any row of the same flight; the slip prior from the "
    "flights the slip selection keeps (--exclude-first, --since). Priors the tables cannot give (window drift, scrub "
    "turnaround, manual-docking time, retry delay, landing zone) are the expert values of "
    "scenarios/priors/soyuz_ms.yaml (EXPERT_PRIORS). Probabilities, durations and the slip carry "
    "their parameter uncertainty as in crewsim calibrate.",
    "Scenario: epoch 30 days before the planned launch day; one station port; the planned launch "
    "at the actual launch's time of day (one window a day, known ahead; 12:00 UTC if unknown); a "
    "return of the vehicle itself when a planned landing date is known, planned at the plan's time "
    "of day, else the actual landing's (landing times follow the orbit and are known ahead), else "
    "without the daylight rule; crewed flights carry one person up and home.",
    "Each forecast is conditional on the stage before it, as the flights that enter its score "
    "reached that stage: slip over the replications that launched, launch-to-docking hours and "
    "manual docking over those that docked, fallback over those that flew a rendezvous, landing "
    "on the planned day over those that docked.",
    "Launch failure (launch abort): enters the slip score only (no rendezvous, docking or "
    "planned landing).",
    "Uncrewed flight: enters slip, launch-to-docking hours (the model's back-off-and-retry "
    "docking), fallback and landing; not manual docking (an uncrewed vehicle cannot dock "
    "manually). Its docking-failure probability is the uncrewed training rate when any uncrewed "
    "training flight docked, else the crewed one.",
    "Returned empty (a vehicle that came home without its crew): enters all scores but landing "
    "on the planned day (not a crew return: the crew landing plan does not apply).",
    "Crewed unknown: forecast as crewed; not entered in manual docking.",
    "A blank or unreadable actual (slip, launch-to-docking hours, scheme flown, landing) keeps "
    "the flight out of that metric's score, with a note.",
    "Advanced launches (launched earlier than planned) count as slip 0, as in the calibration.",
    "Two references for every score: the plan (a point at the plan; for events, all goes to "
    "plan) and climatology (what the training flights did, ignoring the plan: their values as "
    "an ensemble, their frequency of the event). Skill = 1 - mean score / mean reference score "
    "over the flights entered; undefined when the reference's mean is 0.",
    "PIT is randomised (P(X < y) + V P(X = y), V uniform from the seed, flight and metric), so "
    "it is uniform for a calibrated forecast even with point masses (a slip of 0 days).",
)


def score_metric(
    flight: str,
    metric: str,
    sample: np.ndarray | None,
    observed: float | None,
    naive: float,
    note: str,
    seed: int,
    reference: Sequence[float] = (),
) -> MetricResult:
    """Score one forecast (``sample``: replications' values) against ``observed``, and the two
    references: the plan (``naive``) and climatology (``reference``: the training flights' values)."""
    kind = METRICS[metric][2]
    res = MetricResult(flight=flight, metric=metric, entered=False, note=note, naive=naive)
    if sample is not None and sample.size:
        res.replications = int(sample.size)
        res.mean = float(np.mean(sample))
        if kind == "event":
            res.probability = res.mean
        else:
            q = np.quantile(sample, QUANTILES, method="inverted_cdf")
            res.q05, res.q10, res.q25, res.median, res.q75, res.q90, res.q95 = (float(x) for x in q)
    elif not note:
        res.note = "no replication reached this stage"
    if observed is None or res.note:
        return res
    res.entered = True
    res.observed = float(observed)
    ref = np.asarray(reference, float)
    res.clim_n = int(ref.size)
    if kind == "event":
        res.score = scoring.brier(res.probability, bool(observed))
        res.naive_score = scoring.brier(naive, bool(observed))
        if ref.size:
            res.clim = float(ref.mean())
            res.clim_score = scoring.brier(res.clim, bool(observed))
    else:
        ss = np.random.SeedSequence(seed, spawn_key=(stable_id(flight), stable_id(metric)))
        u = float(np.random.default_rng(ss).random())
        res.pit = scoring.pit(sample, observed, u)
        res.in_50, res.in_80, res.in_90 = (scoring.inside(sample, observed, lv) for lv in LEVELS)
        res.score = scoring.crps_ensemble(sample, observed)
        res.naive_score = scoring.crps_point(naive, observed)
        if ref.size:
            res.clim = float(np.median(ref))
            res.clim_score = scoring.crps_ensemble(ref, observed)
    if res.naive_score == 0:
        res.note = "naive score 0: skill undefined"
    return res


def backtest_flight(
    rec: FlightRecord,
    train: Sequence[FlightRecord],
    *,
    n: int,
    seed: int,
    selection: SlipSelection | None = None,
) -> FlightBacktest:
    """Forecast one flight from its plan with priors from ``train`` and score it."""
    out = FlightBacktest(
        flight=rec.flight, status="not backtested", cannot_handle=rec.model_cannot_handle or ""
    )
    problem = plan_problem(rec)
    if problem:
        out.reason = problem
        return out
    out.mode = plan_mode(rec) or ""
    defaults, uncrewed_p = training_priors(train, seed, selection)
    durations = defaults["rendezvous"].get("durations", {})
    scheme = rec.scheme_planned_t1mo if out.mode == "month" else rec.scheme_planned
    for needed in dict.fromkeys((scheme, defaults["rendezvous"]["fallback"])):
        if needed not in durations:
            out.reason = f"no training flight flew the {needed} scheme cleanly: no duration prior"
            return out
    data, notes = build_scenario_data(
        rec, defaults, n=n, seed=seed, uncrewed_auto_failure_p=uncrewed_p
    )
    rows, plan_h = simulate_flight(data, n, seed)
    samples = forecasts(rows, rec.flight, "returns" in data)
    out.status = "backtested"
    out.reason = "; ".join(notes)
    out.training_flights = len(train)
    out.plan = {
        "launch_planned_utc": data["vehicles"][rec.flight]["launch"]["planned"],
        "scheme_planned": scheme,
        "crewed": data["vehicles"][rec.flight]["crewed"],
        "landing_planned_utc": iso(rec.planned_landing_utc) if rec.planned_landing_utc else None,
        "launch_to_dock_planned_h": plan_h,
        "priors": defaults,
    }
    naive = {
        "slip_d": 0.0,
        "launch_to_dock_h": plan_h,
        "fallback": 0.0,
        "manual_docking": 0.0,
        "landed_on_planned_day": 1.0,
    }
    obs = observations(rec)
    clim = climatology(train)
    for metric in METRICS:
        observed, why = obs[metric]
        sample = samples.get(metric)
        if sample is None and not why:
            why = "no return in the scenario"
        out.metrics.append(
            score_metric(
                rec.flight, metric, sample, observed, naive[metric], why, seed, clim.get(metric, ())
            )
        )
    return out


def _mean(values: Sequence[float]) -> float | None:
    return float(np.mean(values)) if len(values) else None


def summarise(flights: Sequence[FlightBacktest]) -> dict[str, MetricSummary]:
    """Per metric: flights entered, mean scores, skill against plan and climatology, interval
    coverage (Wilson), PIT values and interval widths."""
    out = {}
    for metric, (_, _, kind) in METRICS.items():
        entered = [m for f in flights for m in f.metrics if m.metric == metric and m.entered]
        scores = [m.score for m in entered]
        naive = [m.naive_score for m in entered]
        sk = scoring.skill(scores, naive)
        note = ""
        if not entered:
            note = "no flight entered: skill undefined"
        elif sk is None:
            note = "naive score 0 for every flight (the plan was exactly right): skill undefined"
        with_clim = [m for m in entered if m.clim_score is not None]
        summary = MetricSummary(
            metric=metric,
            n=len(entered),
            mean_score=_mean(scores),
            mean_naive=_mean(naive),
            skill=sk,
            skill_note=note,
            n_clim=len(with_clim),
            mean_score_clim_flights=_mean([m.score for m in with_clim]),
            mean_clim=_mean([m.clim_score for m in with_clim]),
            skill_clim=scoring.skill(
                [m.score for m in with_clim], [m.clim_score for m in with_clim]
            ),
        )
        if kind == "ensemble":
            summary.coverage = {
                f"{lv * 100:.0f}": scoring.coverage(
                    [getattr(m, f"in_{lv * 100:.0f}") for m in entered], lv
                )
                for lv in LEVELS
            }
            summary.pit = [m.pit for m in entered]
            summary.widths = {f"{lv * 100:.0f}": [m.width(lv) for m in entered] for lv in LEVELS}
        out[metric] = summary
    return out


def run_backtest(
    flights: Sequence[FlightRecord],
    train: Sequence[FlightRecord] | None = None,
    *,
    n: int = 1000,
    seed: int = 0,
    selection: SlipSelection | None = None,
    progress: Callable[[str], None] | None = None,
) -> Backtest:
    """Backtest every flight of ``flights``; priors from ``train`` (``None``: leave-one-out over
    ``flights``), always without the flight itself."""
    if n < 1:
        raise ValueError("the number of replications must be at least 1")
    pool = list(flights) if train is None else list(train)
    results = []
    for rec in flights:
        if progress:
            progress(rec.flight)
        others = [r for r in pool if r.flight != rec.flight]
        results.append(backtest_flight(rec, others, n=n, seed=seed, selection=selection))
    training = "leave-one-out over the flights" if train is None else "--train tables"
    if selection is not None and selection.describe() != "all flights":
        training += f"; slip prior: {selection.describe()}"
    return Backtest(results, summarise(results), n=n, seed=seed, training=training)
