"""The outcome row of one replication: its columns and their empty values.

Every replication of a scenario yields the same columns (the runner relies on it), so the row starts
as a copy of a template with ``NaN`` / ``False`` / ``0`` / ``""`` and the processes fill it in.
Columns ending in ``_utc`` hold hours since the epoch; the runner converts them to timestamps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.model.compiled import CompiledScenario

NAN = float("nan")

#: Causes of the headline landing delay; their columns add up to ``landing_delay_h``.
DELAY_CAUSES = (
    "launch_slip",
    "relocation",
    "scrub",
    "rendezvous",
    "docking",
    "arrival",
    "liner_swap",
    "work_extension",
    "landing_window",
    "weather",
    "descent",
    "health",
)

#: Causes of an arriving flight's docking delay; their columns add up to ``V.dock_delay_h``.
DOCK_CAUSES = ("launch_slip", "relocation", "scrub", "rendezvous", "docking")

OUTCOMES = (
    "nominal",
    "delayed",
    "launch_failure",
    "launch_stood_down",
    "docking_abort",
    "swap_abandoned",
    "return_blocked",
)


def row_template(c: CompiledScenario) -> dict[str, Any]:
    """The row with every column present and empty."""
    row: dict[str, Any] = {
        "replication": 0,
        "outcome": "nominal",
        "landing_planned_utc": NAN,
        "landing_actual_utc": NAN,
        "landing_delay_h": NAN,
        "landed_on_planned_day": False,
        "work_planned_h": c.work_planned_h,
        "work_done_h": 0.0,
        "work_done_frac": 0.0 if c.work_planned_h > 0 else 1.0,
        "work_complete": c.work_planned_h == 0,
        "contingency_h": 0.0,
        "contingency_count": 0,
        "visit_days": NAN,
        "peak_crew": 0,
        "violations": 0,
        "violation_list": "",
    }
    for cause in DELAY_CAUSES:
        row[f"delay.{cause}_h"] = 0.0
    for v in c.launches:
        row.update(
            {
                f"{v}.launch_planned_utc": c.launches[v].planned_h,
                f"{v}.launch_actual_utc": NAN,
                f"{v}.launch_slip_d": NAN,
                f"{v}.pad_aborts": 0,
                f"{v}.launch_failed": False,
                f"{v}.stood_down": False,
                f"{v}.scheme_plan": c.launches[v].rendezvous.scheme,
                f"{v}.scheme_flown": "",
                f"{v}.fallback": False,
                f"{v}.dock_planned_utc": c.launches[v].dock_planned_h,
                f"{v}.dock_actual_utc": NAN,
                f"{v}.dock_delay_h": NAN,
                f"{v}.manual_docking": False,
                f"{v}.docking_attempts": 0,
                f"{v}.dock_port": "",
            }
        )
        for cause in DOCK_CAUSES:
            row[f"{v}.dock_delay.{cause}_h"] = 0.0
        row[f"in.{v}.slip_d"] = NAN
        row[f"in.{v}.scrubs"] = 0.0
        row[f"in.{v}.rendezvous_h"] = NAN
        row[f"in.{v}.auto_docking_failed"] = 0.0
    for v, r in c.returns.items():
        row.update(
            {
                f"{v}.undock_planned_utc": r.planned_undock_h,
                f"{v}.undock_actual_utc": NAN,
                f"{v}.landing_planned_utc": r.landing_planned_h,
                f"{v}.landing_actual_utc": NAN,
                f"{v}.landing_delay_h": NAN,
                f"{v}.landed_on_planned_day": False,
                f"{v}.extension_d": 0.0,
                f"{v}.life_margin_d": NAN,
                f"{v}.crew_returned": 0,
                f"{v}.weather_days": 0,
            }
        )
        row[f"in.{v}.weather_days"] = 0.0
        row[f"in.{v}.descent_h"] = NAN
    for r in c.relocations:
        row[f"in.relocation.{r.index}.slip_d"] = NAN
    for k in c.contingencies:
        row[f"in.contingency.{k.name}.count"] = 0.0
    for t in c.tasks:
        row[f"in.work.{t.name}.efficiency"] = NAN
    if c.primary is not None:
        row["landing_planned_utc"] = c.returns[c.primary].landing_planned_h
    return row
