"""Backtest: forecast past Soyuz flights from their plans and score the forecasts (``crewsim
backtest``).

For every flight of a table with a plan a month before launch (planned launch date and planned
rendezvous scheme), the priors are calibrated on *other* flights (leave-one-out over the table, or
the ``--train`` tables without the flight itself), a minimal one-vehicle scenario is built from the
plan (:func:`build_scenario_data`), ``n`` replications are run with
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

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np

from sim.calibration import scoring
from sim.calibration.calibrate import calibrate
from sim.calibration.flights import SCHEMES, FlightRecord
from sim.scenario.distributions import coerce_distribution
from sim.seeding import stable_id
from sim.tables import text_table

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

#: Priors no flight table gives (carried as expert values; see scenarios/priors/soyuz_ms.yaml).
EXPERT_PRIORS: dict[str, Any] = {
    "launch": {"window_drift": "-24 min", "scrub_turnaround": "2 d"},
    "rendezvous": {"fallback": "34-orbit"},
    "docking": {
        "manual_extra": {"dist": "triangular", "low": 5, "mode": 10, "high": 20, "unit": "min"},
        "retry_delay": {"dist": "uniform", "low": 2, "high": 5, "unit": "d"},
        "max_attempts": 3,
    },
    "landing": {
        "zone": {"name": "SE of Dzhezkazgan", "lat": 47.4, "lon": 69.6},
        "daylight": True,
        "daylight_margin_deg": 0,
    },
}

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


# --- priors and scenario -------------------------------------------------------------------------


def _set(tree: dict, path: Sequence[str], value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree[path[-1]] = value


def training_priors(train: Sequence[FlightRecord], seed: int = 0) -> tuple[dict, float | None]:
    """The scenario ``defaults`` calibrated on ``train`` (plus :data:`EXPERT_PRIORS`), and the
    uncrewed automatic-docking failure probability (``None`` when no uncrewed flight docked)."""
    cal = calibrate(train, n_boot=0, seed=seed)
    defaults = copy.deepcopy(EXPERT_PRIORS)
    for est in cal.estimates:
        if est.path is not None and est.yaml_value is not None:
            _set(defaults, est.path, copy.deepcopy(est.yaml_value))
    durations = defaults["rendezvous"].setdefault("durations", {})
    for scheme in SCHEMES:
        if scheme in durations:
            continue
        est = cal.get(f"launch to docking, {scheme} (h)")
        hours = [
            r.launch_to_dock_h
            for r in train
            if r.flight in est.flights and r.scheme_flown == scheme and r.launch_to_dock_h
        ]
        if hours:
            durations[scheme] = f"{float(np.median(hours)):g} h"
    uncrewed = cal.get("automatic docking failed, uncrewed")
    return defaults, (uncrewed.yaml_value if uncrewed.n else None)


def plan_problem(rec: FlightRecord) -> str | None:
    """Why a flight cannot be forecast from a plan a month ahead (``None`` if it can)."""
    missing = []
    if rec.planned_launch_t1mo is None:
        missing.append("planned_launch_date_T1mo")
    if rec.scheme_planned_t1mo is None:
        missing.append("rendezvous_planned")
    if missing:
        return "no plan a month ahead (blank or unreadable: " + ", ".join(missing) + ")"
    return None


def _clock(stamp: datetime | None, has_time: bool = True) -> time | None:
    if stamp is None or not has_time:
        return None
    return time(stamp.hour, stamp.minute, stamp.second)


def _iso(stamp: datetime) -> str:
    return stamp.astimezone(UTC).isoformat().replace("+00:00", "Z")


def build_scenario_data(
    rec: FlightRecord,
    defaults: dict,
    *,
    n: int,
    seed: int,
    uncrewed_auto_failure_p: float | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The scenario (raw dict for :func:`sim.scenario.schema.validate_scenario`) of one flight's plan,
    and notes on what was assumed. See :data:`RULES` for the choices."""
    if plan_problem(rec):
        raise ValueError(f"{rec.flight}: {plan_problem(rec)}")
    notes: list[str] = []
    v = rec.flight
    clock = _clock(rec.actual_launch_utc)
    if clock is None:
        clock = time(12, 0)
        notes.append("launch time of day unknown: 12:00 UTC")
    planned = datetime.combine(rec.planned_launch_t1mo, clock, UTC)
    epoch = datetime.combine(rec.planned_launch_t1mo - timedelta(days=EPOCH_LEAD_DAYS), time(), UTC)
    crewed = True if rec.crewed is None else rec.crewed
    if rec.crewed is None:
        notes.append("crewed unknown: forecast as crewed")
    defaults = copy.deepcopy(defaults)
    if not crewed and uncrewed_auto_failure_p is not None:
        defaults.setdefault("docking", {})["auto_failure_p"] = uncrewed_auto_failure_p
    vehicle: dict[str, Any] = {
        "seats": 3,
        "crewed": crewed,
        "launch": {"planned": _iso(planned)},
        "rendezvous": {"scheme": rec.scheme_planned_t1mo},
        "docking": {"port": "port-1"},
    }
    data: dict[str, Any] = {
        "name": f"backtest-{v}".replace(" ", "_"),
        "description": f"{v} forecast from its plan a month before launch",
        "epoch": _iso(epoch),
        "monte_carlo": {"replications": n, "seed": seed},
        "station": {"ports": ["port-1"], "max_crew": 10},
        "defaults": defaults,
        "vehicles": {v: vehicle},
    }
    landing = rec.planned_landing_utc
    if landing is None:
        notes.append("no planned landing date: no return in the scenario")
        return data, notes
    landing_clock = _clock(landing, rec.planned_landing_has_time) or _clock(
        rec.landing_utc, rec.landing_has_time
    )
    ret: dict[str, Any] = {}
    if landing_clock is None:
        landing_clock = time(12, 0)
        ret["daylight"] = False
        notes.append("landing time of day unknown: 12:00 UTC without the daylight rule")
    elif not rec.planned_landing_has_time:
        notes.append("planned landing at the actual landing's time of day")
    landing = datetime.combine(landing.date(), landing_clock, UTC)
    descent = coerce_distribution(defaults["landing"].get("descent", "202 min"), duration=True)
    undock = landing - timedelta(hours=descent.mean() * descent.to_hours)
    if undock <= planned + timedelta(days=3):
        notes.append("planned landing not after the launch: no return in the scenario")
        return data, notes
    ret["planned_undock"] = _iso(undock)
    data["returns"] = {v: ret}
    if crewed:
        data["crew"] = {"crew-1": {"up": v, "returns": v}}
    return data, notes


# --- forecasting and scoring ---------------------------------------------------------------------


def simulate_flight(data: dict[str, Any], n: int, seed: int) -> tuple[list[dict], float]:
    """Run ``n`` replications of a backtest scenario; returns the rows and the planned
    launch-to-docking hours (the planned scheme's median duration)."""
    from sim.model import compile_scenario, simulate_replication
    from sim.scenario import validate_scenario

    scenario = validate_scenario(data, source=f"backtest scenario {data['name']}")
    compiled = compile_scenario(scenario)
    rows = [simulate_replication(compiled, i, seed)[0] for i in range(n)]
    plan = next(iter(compiled.launches.values())).nominal_rdv_h
    return rows, plan


def forecasts(rows: list[dict], vehicle: str, has_return: bool) -> dict[str, np.ndarray]:
    """Per metric, the replications' values (each conditional on its stage, see :data:`RULES`)."""
    v = vehicle

    def col(name: str) -> np.ndarray:
        return np.array([r[f"{v}.{name}"] for r in rows], dtype=float)

    launch = col("launch_actual_utc")
    dock = col("dock_actual_utc")
    launched = np.isfinite(launch)
    docked = np.isfinite(dock)
    flown = np.array([bool(r[f"{v}.scheme_flown"]) for r in rows])
    out = {
        "slip_d": col("launch_slip_d")[launched],
        "launch_to_dock_h": (dock - launch)[docked],
        "fallback": col("fallback")[flown],
        "manual_docking": col("manual_docking")[docked],
    }
    if has_return:
        out["landed_on_planned_day"] = col("landed_on_planned_day")[docked]
    return out


def observations(rec: FlightRecord) -> dict[str, tuple[float | None, str]]:
    """Per metric, what happened (``None`` = not scored) and why it is not scored."""
    failed = bool(rec.launch_failure)
    blank = "blank actual ({})"
    obs: dict[str, tuple[float | None, str]] = {}
    obs["slip_d"] = (
        (rec.slip_days, "") if rec.slip_days is not None else (None, blank.format("slip"))
    )
    if failed:
        why = "launch failure: no rendezvous or docking"
        obs["launch_to_dock_h"] = obs["fallback"] = obs["manual_docking"] = (None, why)
        obs["landed_on_planned_day"] = (None, "launch failure: no planned landing")
        return obs
    obs["launch_to_dock_h"] = (
        (rec.launch_to_dock_h, "")
        if rec.launch_to_dock_h is not None
        else (None, blank.format("launch_to_dock_h"))
    )
    if rec.scheme_flown in SCHEMES:
        obs["fallback"] = (float(rec.scheme_flown != rec.scheme_planned_t1mo), "")
    else:
        obs["fallback"] = (None, blank.format("rendezvous_flown"))
    if rec.crewed is False:
        obs["manual_docking"] = (None, "uncrewed: cannot dock manually")
    elif rec.crewed is None:
        obs["manual_docking"] = (None, "crewed unknown")
    elif rec.manual_docking is None:
        obs["manual_docking"] = (None, blank.format("docking"))
    else:
        obs["manual_docking"] = (float(rec.manual_docking), "")
    if rec.returned_empty:
        obs["landed_on_planned_day"] = (None, "returned empty: not a crew return")
    elif rec.planned_landing_utc is None:
        obs["landed_on_planned_day"] = (None, "no planned landing date")
    elif rec.landing_utc is None:
        obs["landed_on_planned_day"] = (None, blank.format("landing_utc"))
    else:
        same = rec.landing_utc.date() == rec.planned_landing_utc.date()
        obs["landed_on_planned_day"] = (float(same), "")
    return obs


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
        "landing_planned_utc": _iso(rec.planned_landing_utc) if rec.planned_landing_utc else None,
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


# --- output --------------------------------------------------------------------------------------

TABLE_COLUMNS = (
    "flight",
    "metric",
    "unit",
    "entered",
    "note",
    "observed",
    "naive",
    "replications",
    "mean",
    "probability",
    "q10",
    "q25",
    "median",
    "q75",
    "q90",
    "pit",
    "in_50",
    "in_80",
    "score",
    "naive_score",
    "skill",
)


def table_rows(bt: Backtest) -> list[dict[str, Any]]:
    """One row per flight and metric (also one row per flight not backtested)."""
    rows = []
    for f in bt.flights:
        if f.status != "backtested":
            rows.append({"flight": f.flight, "metric": "", "entered": False, "note": f.reason})
            continue
        for m in f.metrics:
            row = {k: v for k, v in asdict(m).items() if k in TABLE_COLUMNS}
            row["unit"] = METRICS[m.metric][1]
            row["skill"] = m.skill
            rows.append(row)
    return [{c: r.get(c) for c in TABLE_COLUMNS} for r in rows]


def _num(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:.0f}"


def format_table(bt: Backtest) -> str:
    """Plain-text report: per flight and metric, then the summary over flights."""
    head = ("flight", "metric", "observed", "forecast", "PIT", "in 50%", "in 80%", "score", "naive")
    lines_rows = []
    for f in bt.flights:
        if f.status != "backtested":
            continue
        for m in f.metrics:
            if METRICS[m.metric][2] == "event":
                forecast = f"p={_num(m.probability, 2)}"
            elif m.median is not None:
                forecast = f"{_num(m.median)} [{_num(m.q10)}, {_num(m.q90)}]"
            else:
                forecast = "-"
            flag = {True: "yes", False: "no", None: "-"}
            lines_rows.append(
                (
                    m.flight,
                    m.metric,
                    _num(m.observed) if m.entered else f"({m.note})",
                    forecast,
                    _num(m.pit, 2),
                    flag[m.in_50],
                    flag[m.in_80],
                    _num(m.score),
                    _num(m.naive_score),
                )
            )
    lines = text_table(head, lines_rows).splitlines()
    lines += [
        "",
        "forecast: median [10 %, 90 %] of the replications, or p = share of them;",
        "score: CRPS (unit of the metric) or Brier; naive: the plan as a point forecast.",
        "",
    ]
    lines.append(
        f"summary over flights (n={bt.n} replications per flight, seed {bt.seed}, "
        f"training: {bt.training}):"
    )
    for metric, s in bt.summary.items():
        label = "CRPS" if METRICS[metric][2] == "ensemble" else "Brier"
        unit = f" {METRICS[metric][1]}" if METRICS[metric][1] else ""
        sk = _num(s.skill, 2) if s.skill is not None else f"undefined ({s.skill_note})"
        lines.append(
            f"  {metric}: {s.n} flights; mean {label} {_num(s.mean_score)}{unit}, naive "
            f"{_num(s.mean_naive)}{unit}; skill {sk}"
        )
        for c in s.coverage.values():
            lines.append(f"    coverage {c}")
    skipped = [f for f in bt.flights if f.status != "backtested"]
    if skipped:
        lines += ["", "not backtested:"]
        lines += [f"  {f.flight}: {f.reason}" for f in skipped]
    lines += ["", "per flight, scores entered (and why not):"]
    for f in bt.flights:
        if f.status != "backtested":
            continue
        out = [f"{m.metric} ({m.note})" for m in f.metrics if not m.entered]
        extra = f"; model cannot handle: {f.cannot_handle}" if f.cannot_handle else ""
        lines.append(
            f"  {f.flight}: {', '.join(f.entered) or 'none'}"
            + (f"; not: {', '.join(out)}" if out else "")
            + extra
        )
    return "\n".join(lines)


def pit_histogram(bt: Backtest, bins: int = 5):
    """Histograms of the PIT values of the slip and launch-to-docking forecasts (a Figure)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4.4), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    edges = np.linspace(0, 1, bins + 1)
    for ax, metric in zip(axes, ("slip_d", "launch_to_dock_h"), strict=True):
        values = bt.summary[metric].pit
        ax.hist(values, bins=edges, color="#1f77b4", edgecolor="white")
        if values:
            ax.axhline(len(values) / bins, color="#7f7f7f", ls="--", label="flat: calibrated")
        name, unit, _ = METRICS[metric]
        ax.set_title(f"{name} ({unit}), {len(values)} flights", fontsize=10)
        ax.set_xlabel("PIT: share of the forecast below the actual value")
        ax.set_xlim(0, 1)
    axes[0].set_ylabel("flights")
    if any(ax.get_legend_handles_labels()[0] for ax in axes):
        fig.legend(
            *next(a for a in axes if a.get_lines()).get_legend_handles_labels(),
            loc="outside lower center",
            fontsize=8,
        )
    fig.suptitle(
        "Where each flight's actual value fell in its forecast "
        f"({bt.n} replications per flight)\n"
        "flat = calibrated; piled at the ends = too narrow; piled in the middle = too wide",
        fontsize=10,
    )
    return fig


def reliability_diagram(bt: Backtest, bins: int = 5):
    """Observed frequency against forecast probability for the three events (a Figure)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.5, 6.2), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1], color="#7f7f7f", ls="--", label="perfectly reliable")
    edges = np.linspace(0, 1, bins + 1)
    colours = {
        "fallback": "#1f77b4",
        "manual_docking": "#ff7f0e",
        "landed_on_planned_day": "#2ca02c",
    }
    markers = {"fallback": "o", "manual_docking": "s", "landed_on_planned_day": "^"}
    for metric, colour in colours.items():
        ms = [m for m in bt.results() if m.metric == metric and m.entered]
        if not ms:
            continue
        p = np.array([m.probability for m in ms])
        o = np.array([m.observed for m in ms])
        idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
        xs, ys, ns = [], [], []
        for b in range(bins):
            sel = idx == b
            if sel.any():
                xs.append(p[sel].mean())
                ys.append(o[sel].mean())
                ns.append(int(sel.sum()))
        ax.plot(
            xs,
            ys,
            marker=markers[metric],
            color=colour,
            lw=1,
            label=f"{METRICS[metric][0]} ({len(ms)} flights)",
        )
        for x, y, k in zip(xs, ys, ns, strict=True):
            ax.annotate(
                f"{k}", (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8, color=colour
            )
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("forecast probability (share of replications)")
    ax.set_ylabel("observed frequency (share of flights where it happened)")
    ax.set_title(
        f"Reliability of event forecasts ({bt.n} replications per flight)\n"
        f"flights grouped into {bins} probability bins; numbers = flights in a bin",
        fontsize=10,
    )
    fig.legend(loc="outside lower center", ncol=2, fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def as_json(bt: Backtest, inputs: dict[str, Any]) -> dict[str, Any]:
    """Everything of a backtest as JSON-ready data."""
    from sim import __version__

    return {
        "crewsim": __version__,
        "inputs": inputs,
        "replications": bt.n,
        "seed": bt.seed,
        "training": bt.training,
        "rules": list(RULES),
        "metrics": {
            k: {"description": d, "unit": u, "kind": kind} for k, (d, u, kind) in METRICS.items()
        },
        "summary": {k: s.as_dict() for k, s in bt.summary.items()},
        "flights": [
            {
                "flight": f.flight,
                "status": f.status,
                "reason": f.reason,
                "model_cannot_handle": f.cannot_handle,
                "scores_entered": f.entered,
                "training_flights": f.training_flights,
                "plan": f.plan,
                "metrics": [{**asdict(m), "skill": m.skill} for m in f.metrics],
            }
            for f in bt.flights
        ],
    }
