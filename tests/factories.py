"""Factories of synthetic outcome rows, event traces and run folders shared by the analysis, plot and report tests.

The rows follow the outcome-column contract (README, "Results") for a Vyzov-like rotation:
Soyuz MS-19 arrives (launch slips, 34-orbit fallback, manual docking), MS-18 returns with the film
crew (the headline flight). The numbers are plausible, not calibrated: they only need to exercise
the statistics. Imported by the test modules (not a pytest conftest).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

EPOCH = pd.Timestamp("2021-09-01T00:00:00Z")
LAUNCH_PLANNED = pd.Timestamp("2021-10-05T08:55:02Z")
DOCK_PLANNED = pd.Timestamp("2021-10-05T12:12:00Z")
UNDOCK_PLANNED = pd.Timestamp("2021-10-17T01:14:00Z")
LANDING_PLANNED = pd.Timestamp("2021-10-17T04:36:00Z")
CAUSES = (
    "launch_slip",
    "scrub",
    "rendezvous",
    "docking",
    "work_extension",
    "liner_swap",
    "landing_window",
    "weather",
    "life_limit",
)


def _h(ts: pd.Timestamp) -> float:
    return (ts - EPOCH) / pd.Timedelta(hours=1)


def make_outcomes(n: int = 2000, seed: int = 1, shift_h: float = 0.0) -> pd.DataFrame:
    """``n`` synthetic outcome rows; ``shift_h`` adds a known weather delay to every landing."""
    rng = np.random.default_rng(seed)
    rep = np.arange(n)
    slip_d = rng.choice([0, 1, 2, 4, 13, 26], size=n, p=np.array([10, 1, 1, 1, 1, 1]) / 15)
    pad_aborts = (rng.random(n) < 0.03).astype(int)
    failed = rng.random(n) < 0.02
    launch_slip_d = slip_d + pad_aborts
    auto_failed = (rng.random(n) < 0.08).astype(float)
    fast = launch_slip_d == 0
    rendezvous_h = np.where(
        fast, rng.triangular(3.06, 3.18, 3.46, n), rng.triangular(48.6, 49.8, 50.5, n)
    )
    dock_delay_h = (
        launch_slip_d * 24 + (rendezvous_h - 3.28) + auto_failed * rng.uniform(0.1, 0.3, n)
    )
    dock_delay_h = np.where(failed, np.nan, dock_delay_h)
    efficiency = rng.triangular(0.8, 1.0, 1.2, n)
    misfires = rng.poisson(0.5 * 12, n).astype(float)
    # Work plan (crew-hours): visit days shrink with the slip; misfires eat ~1 h each.
    visit_days = np.where(failed, 0.0, np.maximum(11.5 - launch_slip_d - (~fast) * 1.9, 0.0))
    work_done = np.minimum(100.0, np.maximum(0.0, visit_days * 10 * efficiency - misfires))
    policy_extension = np.where((work_done < 100) & ~failed & (rng.random(n) < 0.5), 1, 0)

    delays = {c: np.zeros(n) for c in CAUSES}
    delays["launch_slip"] = np.where(
        failed, 0.0, np.where(launch_slip_d > 10, 24.0 * (launch_slip_d - 10), 0.0)
    )
    delays["scrub"] = np.where(failed, 0.0, pad_aborts * 24.0 * (launch_slip_d > 10))
    delays["work_extension"] = policy_extension * 24.0
    delays["liner_swap"] = np.where(rng.random(n) < 0.05, rng.uniform(0.5, 3.0, n), 0.0)
    delays["weather"] = np.where(rng.random(n) < 0.03, 24.0, 0.0)
    some = sum(delays.values()) > 0
    delays["landing_window"] = np.where(some, rng.uniform(0, 6, n), 0.0)
    delays["weather"] += shift_h  # a known shift of every landing, same random draws otherwise
    landing_delay = sum(delays.values())
    work_done = np.minimum(100.0, work_done + policy_extension * 10 * efficiency)

    landing_planned = np.full(n, _h(LANDING_PLANNED))
    landing_actual = landing_planned + landing_delay
    planned_day = np.floor(landing_planned / 24)
    on_day = np.floor(landing_actual / 24) == planned_day
    launch_actual = np.where(
        failed,
        _h(LAUNCH_PLANNED) + launch_slip_d * 24,
        _h(LAUNCH_PLANNED) + launch_slip_d * 24 - 0.0004 * launch_slip_d,
    )
    dock_actual = np.where(failed, np.nan, _h(DOCK_PLANNED) + dock_delay_h)
    outcome = np.where(failed, "launch_failure", np.where(landing_delay > 0, "delayed", "nominal"))
    contingency_count = misfires.astype(int)
    rows = {
        "replication": rep,
        "outcome": outcome,
        "landing_planned_utc": landing_planned,
        "landing_actual_utc": landing_actual,
        "landing_delay_h": landing_delay,
        "landed_on_planned_day": on_day,
        "work_planned_h": np.full(n, 100.0),
        "work_done_h": work_done,
        "work_done_frac": work_done / 100.0,
        "work_complete": work_done >= 100.0 - 1e-9,
        "contingency_h": misfires * 1.2,
        "contingency_count": contingency_count,
        "visit_days": visit_days,
        "peak_crew": np.where(failed, 7, 10),
        "violations": np.zeros(n, dtype=int),
        "violation_list": np.full(n, ""),
    }
    for c in CAUSES:
        rows[f"delay.{c}_h"] = delays[c]
    rows |= {
        "MS-19.launch_planned_utc": np.full(n, _h(LAUNCH_PLANNED)),
        "MS-19.launch_actual_utc": launch_actual,
        "MS-19.launch_slip_d": launch_slip_d.astype(float),
        "MS-19.pad_aborts": pad_aborts,
        "MS-19.launch_failed": failed,
        "MS-19.scheme_plan": np.full(n, "2-orbit"),
        "MS-19.scheme_flown": np.where(fast, "2-orbit", "34-orbit"),
        "MS-19.fallback": ~fast,
        "MS-19.dock_planned_utc": np.full(n, _h(DOCK_PLANNED)),
        "MS-19.dock_actual_utc": dock_actual,
        "MS-19.dock_delay_h": dock_delay_h,
        "MS-19.manual_docking": auto_failed > 0,
        "MS-19.docking_attempts": np.where(failed, 0, 1),
        "MS-19.dock_port": np.full(n, "Rassvet"),
        "MS-18.undock_planned_utc": np.full(n, _h(UNDOCK_PLANNED)),
        "MS-18.undock_actual_utc": _h(UNDOCK_PLANNED) + landing_delay,
        "MS-18.landing_planned_utc": landing_planned,
        "MS-18.landing_actual_utc": landing_actual,
        "MS-18.landing_delay_h": landing_delay,
        "MS-18.landed_on_planned_day": on_day,
        "MS-18.extension_d": policy_extension.astype(float),
        "MS-18.life_margin_d": 210 - (landing_actual - _h(pd.Timestamp("2021-04-09T11:05Z"))) / 24,
        "MS-18.crew_returned": np.full(n, 3),
        "MS-18.weather_days": (delays["weather"] >= 24).astype(int),
        "in.MS-19.slip_d": slip_d.astype(float),
        "in.MS-19.rendezvous_h": np.where(failed, np.nan, rendezvous_h),
        "in.MS-19.auto_docking_failed": auto_failed,
        "in.contingency.thruster-misfire.count": misfires,
        "in.work.filming.efficiency": efficiency,
        "in.weather.constant": np.full(n, 0.02),
    }
    df = pd.DataFrame(rows)
    for col in [c for c in df.columns if c.endswith("_utc")]:
        df[col] = EPOCH + pd.to_timedelta(df[col] * 3600.0, unit="s")
    return df


def make_events(outcomes: pd.DataFrame, replications: tuple[int, ...] = (0, 1)) -> pd.DataFrame:
    """Event traces of some replications, built from their outcome rows (the documented rows)."""
    rows = []
    for rep in replications:
        r = outcomes.loc[outcomes["replication"] == rep].iloc[0]
        launch, dock = r["MS-19.launch_actual_utc"], r["MS-19.dock_actual_utc"]
        undock, land = r["MS-18.undock_actual_utc"], r["MS-18.landing_actual_utc"]
        rows += [
            (rep, launch, "MS-19", "launch", "launch", "scheme=" + r["MS-19.scheme_flown"]),
            (rep, dock, "MS-19", "docking", "docked", "port=Rassvet"),
            (rep, undock, "MS-18", "return", "undock", ""),
            (rep, land, "MS-18", "return", "landed", ""),
        ]
        # Crew aboard: 7 before MS-19 docks, 10 while it is docked, 7 after MS-18 leaves.
        start = LAUNCH_PLANNED - pd.Timedelta(days=3)
        rows += [
            (rep, start, "", "crew", "aboard", "count=7 seats=7 limit=11"),
            (rep, dock, "MS-19", "crew", "aboard", "count=10 seats=10 limit=11"),
            (rep, undock, "MS-18", "crew", "aboard", "count=7 seats=7 limit=11"),
        ]
        # Filming: one block a day from 06:00 to 16:00 UTC between hatch opening and undocking.
        if pd.notna(dock):
            day = (dock + pd.Timedelta(hours=3)).normalize() + pd.Timedelta(days=1)
            while day + pd.Timedelta(hours=16) < undock:
                rows += [
                    (rep, day + pd.Timedelta(hours=6), "MS-19", "work", "start", "task=filming"),
                    (rep, day + pd.Timedelta(hours=16), "MS-19", "work", "end", "task=filming"),
                ]
                day += pd.Timedelta(days=1)
    return pd.DataFrame(
        rows, columns=["replication", "time_utc", "flight", "process", "event", "detail"]
    )


def make_run_dir(
    root: Path, name: str = "run-a", n: int = 500, seed: int = 1, shift_h: float = 0.0
) -> Path:
    """A results folder as the runner writes it: outcomes.parquet, events.parquet, manifest.json."""
    run = root / name
    run.mkdir(parents=True)
    df = make_outcomes(n, seed, shift_h)
    df.to_parquet(run / "outcomes.parquet", index=False)
    make_events(df).to_parquet(run / "events.parquet", index=False)
    manifest = {
        "scenario": "vyzov-2021",
        "primary_return": "MS-18",
        "seed": seed,
        "replications": n,
        "epoch": "2021-09-01T00:00:00Z",
        "status": "complete",
        "backend": "serial",
        "workers": 1,
    }
    (run / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return run


def make_flight_records(durations_h, *, scheme: str = "34-orbit", prefix: str = "XS"):
    """Synthetic clean flights (no docking trouble) that flew ``scheme`` with the given
    launch-to-docking hours, as :class:`sim.calibration.flights.FlightRecord` s."""
    from sim.calibration.flights import FlightRecord

    return [
        FlightRecord(
            flight=f"{prefix}-{i + 1:02d}",
            source="synthetic",
            table="ms",
            crewed=True,
            scheme_flown=scheme,
            launch_to_dock_h=float(h),
            docked=True,
            auto_docking_failed=False,
        )
        for i, h in enumerate(durations_h)
    ]
