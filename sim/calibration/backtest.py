"""Backtest: forecast past Soyuz flights from their plans and score the forecasts (``crewsim
backtest``).

For every flight of a table with a plan a month before launch (planned launch date and planned
rendezvous scheme), the priors are calibrated on *other* flights (leave-one-out over the table, or
the ``--train`` tables without the flight itself), a minimal one-vehicle scenario is built from the
plan (:func:`sim.calibration.replay.build_scenario_data`), ``n`` replications are run with
:func:`sim.model.simulate_replication`, and the forecast is scored against what happened
(:mod:`sim.calibration.scoring`):

* ``slip_d`` (launch slip in whole days vs the plan a month ahead) and ``launch_to_dock_h`` (launch
  to docking, hours): PIT, inside the central 50 % / 80 % intervals, CRPS; the naive forecast is
  the plan as a point (slip 0; the planned scheme's median duration from the training flights);
* ``fallback`` (a scheme other than the one planned a month ahead was flown), ``manual_docking``
  and ``landed_on_planned_day``: Brier score of the share of replications; the naive forecast is
  "all goes to plan" (p = 0, 0 and 1).

The decisions for rows the model cannot replay, and for blank cells, are in :data:`RULES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from sim.calibration import scoring
from sim.calibration.flights import FlightRecord
from sim.calibration.replay import (
    build_scenario_data,
    forecasts,
    iso,
    observations,
    plan_problem,
    simulate_flight,
    training_priors,
)
from sim.seeding import stable_id

#: The decisions of the backtest, in the words of the documentation (also written to the JSON).
RULES: tuple[str, ...] = (
    "A flight is forecast only with a plan a month ahead: planned_launch_date_T1mo and a planned "
    "scheme in rendezvous_planned. The others are listed as not backtested (they still train the "
    "priors of the other flights).",
    "Training: leave-one-out over --flights (calibrate on all other rows), or the --train tables "
    "minus any row of the same flight. Priors the tables cannot give (window drift, scrub "
    "turnaround, manual-docking time, retry delay, landing zone) are the expert values of "
    "scenarios/priors/soyuz_ms.yaml (EXPERT_PRIORS). A scheme flown by one clean training flight "
    "only gets that flight's duration as a fixed value.",
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
    "Skill = 1 - mean score / mean naive score over the flights entered; undefined when the naive "
    "mean is 0 (the plan was exactly right for every flight).",
)

#: Metric name -> (description, unit, kind: "ensemble" or "event").
METRICS: dict[str, tuple[str, str, str]] = {
    "slip_d": ("launch slip vs plan a month ahead", "d", "ensemble"),
    "launch_to_dock_h": ("launch to docking", "h", "ensemble"),
    "fallback": ("fallback scheme flown", "", "event"),
    "manual_docking": ("manual docking", "", "event"),
    "landed_on_planned_day": ("landed on the planned day", "", "event"),
}
LEVELS = (0.5, 0.8)
EPOCH_LEAD_DAYS = 30


@dataclass
class MetricResult:
    """One flight's forecast of one metric and its score (``entered=False``: not scored, see
    ``note``)."""

    flight: str
    metric: str
    entered: bool
    note: str = ""
    observed: float | None = None
    naive: float | None = None  # the plan as a point (ensemble) or the naive probability
    replications: int = 0  # replications the forecast is made of
    mean: float | None = None
    probability: float | None = None
    q10: float | None = None
    q25: float | None = None
    median: float | None = None
    q75: float | None = None
    q90: float | None = None
    pit: float | None = None
    in_50: bool | None = None
    in_80: bool | None = None
    score: float | None = None  # CRPS (unit of the metric) or Brier
    naive_score: float | None = None

    @property
    def skill(self) -> float | None:
        if self.score is None or not self.naive_score:
            return None
        return 1.0 - self.score / self.naive_score


@dataclass
class FlightBacktest:
    """One flight: whether it was forecast, why not, and its metrics."""

    flight: str
    status: str  # "backtested" | "not backtested"
    reason: str = ""
    cannot_handle: str = (
        ""  # sim.calibration.flights' reason the rotation model cannot replay the flight
    )
    plan: dict[str, Any] = field(default_factory=dict)
    training_flights: int = 0
    metrics: list[MetricResult] = field(default_factory=list)

    @property
    def entered(self) -> list[str]:
        return [m.metric for m in self.metrics if m.entered]


@dataclass
class MetricSummary:
    """A metric over all flights entered."""

    metric: str
    n: int
    mean_score: float | None
    mean_naive: float | None
    skill: float | None
    skill_note: str = ""
    coverage: dict[str, scoring.Coverage] = field(default_factory=dict)
    pit: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "coverage"}
        out["coverage"] = {k: c.as_dict() for k, c in self.coverage.items()}
        return out


@dataclass
class Backtest:
    """A whole backtest: per flight, per metric summaries, and how it was made."""

    flights: list[FlightBacktest]
    summary: dict[str, MetricSummary]
    n: int
    seed: int
    training: str

    def results(self) -> list[MetricResult]:
        return [m for f in self.flights for m in f.metrics]


def score_metric(
    flight: str,
    metric: str,
    sample: np.ndarray | None,
    observed: float | None,
    naive: float,
    note: str,
    seed: int,
) -> MetricResult:
    """Score one forecast (``sample``: replications' values) against ``observed``."""
    kind = METRICS[metric][2]
    res = MetricResult(flight=flight, metric=metric, entered=False, note=note, naive=naive)
    if sample is not None and sample.size:
        res.replications = int(sample.size)
        res.mean = float(np.mean(sample))
        if kind == "event":
            res.probability = res.mean
        else:
            q = np.quantile(sample, [0.1, 0.25, 0.5, 0.75, 0.9], method="inverted_cdf")
            res.q10, res.q25, res.median, res.q75, res.q90 = (float(x) for x in q)
    elif not note:
        res.note = "no replication reached this stage"
    if observed is None or res.note:
        return res
    res.entered = True
    res.observed = float(observed)
    if kind == "event":
        res.score = scoring.brier(res.probability, bool(observed))
        res.naive_score = scoring.brier(naive, bool(observed))
    else:
        ss = np.random.SeedSequence(seed, spawn_key=(stable_id(flight), stable_id(metric)))
        u = float(np.random.default_rng(ss).random())
        res.pit = scoring.pit(sample, observed, u)
        res.in_50 = scoring.inside(sample, observed, 0.5)
        res.in_80 = scoring.inside(sample, observed, 0.8)
        res.score = scoring.crps_ensemble(sample, observed)
        res.naive_score = scoring.crps_point(naive, observed)
    if res.naive_score == 0:
        res.note = "naive score 0: skill undefined"
    return res


def backtest_flight(
    rec: FlightRecord, train: Sequence[FlightRecord], *, n: int, seed: int
) -> FlightBacktest:
    """Forecast one flight from its plan with priors from ``train`` and score it."""
    out = FlightBacktest(
        flight=rec.flight, status="not backtested", cannot_handle=rec.model_cannot_handle or ""
    )
    problem = plan_problem(rec)
    if problem:
        out.reason = problem
        return out
    defaults, uncrewed_p = training_priors(train, seed)
    durations = defaults["rendezvous"].get("durations", {})
    for scheme in dict.fromkeys((rec.scheme_planned_t1mo, defaults["rendezvous"]["fallback"])):
        if scheme not in durations:
            out.reason = f"no training flight flew the {scheme} scheme cleanly: no duration prior"
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
        "scheme_planned": rec.scheme_planned_t1mo,
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
    for metric in METRICS:
        observed, why = obs[metric]
        sample = samples.get(metric)
        if sample is None and not why:
            why = "no return in the scenario"
        out.metrics.append(
            score_metric(rec.flight, metric, sample, observed, naive[metric], why, seed)
        )
    return out


def summarise(flights: Sequence[FlightBacktest]) -> dict[str, MetricSummary]:
    """Per metric: flights entered, mean scores, skill, interval coverage, PIT values."""
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
        summary = MetricSummary(
            metric=metric,
            n=len(entered),
            mean_score=float(np.mean(scores)) if scores else None,
            mean_naive=float(np.mean(naive)) if naive else None,
            skill=sk,
            skill_note=note,
        )
        if kind == "ensemble":
            summary.coverage = {
                "50": scoring.coverage([m.in_50 for m in entered], 0.5),
                "80": scoring.coverage([m.in_80 for m in entered], 0.8),
            }
            summary.pit = [m.pit for m in entered]
        out[metric] = summary
    return out


def run_backtest(
    flights: Sequence[FlightRecord],
    train: Sequence[FlightRecord] | None = None,
    *,
    n: int = 1000,
    seed: int = 0,
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
        results.append(backtest_flight(rec, others, n=n, seed=seed))
    training = "leave-one-out over the flights" if train is None else "--train tables"
    return Backtest(results, summarise(results), n=n, seed=seed, training=training)
