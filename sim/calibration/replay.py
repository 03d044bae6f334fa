"""A past flight as a model scenario: its plan a month ahead in, forecast samples and what happened
out (used by :mod:`sim.calibration.backtest`).

:func:`training_priors` calibrates the priors on the training flights; :func:`build_scenario_data`
builds a minimal one-vehicle scenario from the plan (the choices are the backtest's
:data:`sim.calibration.backtest.RULES`); :func:`simulate_flight` runs it with the model;
:func:`forecasts` takes each metric's values from the replications and :func:`observations` reads
what the flight did.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np

from sim.calibration.calibrate import calibrate
from sim.calibration.flights import FlightRecord
from sim.calibration.free_text import SCHEMES
from sim.scenario.distributions import coerce_distribution

EPOCH_LEAD_DAYS = 30


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


def iso(stamp: datetime) -> str:
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
        "launch": {"planned": iso(planned)},
        "rendezvous": {"scheme": rec.scheme_planned_t1mo},
        "docking": {"port": "port-1"},
    }
    data: dict[str, Any] = {
        "name": f"backtest-{v}".replace(" ", "_"),
        "description": f"{v} forecast from its plan a month before launch",
        "epoch": iso(epoch),
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
    ret["planned_undock"] = iso(undock)
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
