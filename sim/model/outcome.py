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

#: ``(cause, its column)`` of each headline delay cause, in order.
DELAY_COLUMNS = tuple((cause, f"delay.{cause}_h") for cause in DELAY_CAUSES)

#: Causes of an arriving flight's docking delay; their columns add up to ``V.dock_delay_h``.
DOCK_CAUSES = ("launch_slip", "relocation", "scrub", "rendezvous", "docking")

#: The outcome labels, exclusive, named for what happened to the visitors (the people who fly up
#: and come home on the primary return; see ``CompiledScenario.visitors``), with one line each.
#: A replication takes the first label, in this order, whose condition holds.
OUTCOME_LABELS: dict[str, str] = {
    "constraint-violated": (
        "A hard constraint broke (design life, seats, crew limit, minimum crew): the plan as "
        "flown was not allowed, whatever happened to the people."
    ),
    "visit-not-flown": (
        "The visitors never reached the station: launch failure, launch stood down, docking "
        "abandoned, or the longest visit the bounds allowed was shorter than `min_visit`."
    ),
    "stranded": (
        "A visitor did not come home on their planned vehicle: still aboard at the horizon, or "
        "home on another vehicle (their seat-liner swap was abandoned)."
    ),
    "short-visit": (
        "The visitors came home on their planned vehicle (on the planned day or late), but the "
        "visit was cut shorter than planned and the work plan is incomplete."
    ),
    "work-incomplete": (
        "The visitors came home on their planned vehicle (on the planned day or late) after a "
        "visit of the planned length, but the work plan is incomplete (contingencies, "
        "efficiency, a late arrival in the working day)."
    ),
    "late-return": (
        "The visitors came home on their planned vehicle with the work plan complete, but after "
        "the planned landing day (UTC)."
    ),
    "as-planned": (
        "The visitors came home on their planned vehicle on the planned landing day (UTC) with "
        "the work plan complete, and no constraint broke."
    ),
}
OUTCOMES = tuple(OUTCOME_LABELS)

#: What a person's ``crew.<name>.end_state`` can be at the end of a replication.
END_STATES = {
    "home": "landed, on the vehicle in crew.<name>.home_on",
    "aboard": "still aboard the station at the horizon",
    "not-flown": "never reached the station (their launch or docking failed, or they stood down)",
}

#: Where launch windows and landing opportunities come from (column ``opportunities``).
OPPORTUNITY_SOURCES = {
    "orbit": "orbit",
    "daily": "daily (no orbit section: one launch window and one landing opportunity a day)",
}

#: A visit more than this much shorter than planned (hours) counts as cut (as keep-visit's
#: tolerance, :data:`sim.model.policy.KEEP_VISIT_TOLERANCE_H`).
VISIT_CUT_TOLERANCE_H = 12.0


def row_template(c: CompiledScenario) -> dict[str, Any]:
    """The row with every column present and empty."""
    row: dict[str, Any] = {
        "replication": 0,
        "outcome": "as-planned",
        "outcome_reason": "",
        "opportunities": OPPORTUNITY_SOURCES["orbit" if c.orbit_based else "daily"],
        "landing_planned_utc": NAN,
        "landing_actual_utc": NAN,
        "landing_delay_h": NAN,
        "landed_on_planned_day": False,
        "work_planned_h": c.work_planned_h,
        "work_done_h": 0.0,
        "work_done_frac": 0.0 if c.work_planned_h > 0 else 1.0,
        "work_plan_done": c.work_planned_h == 0,
        "work_complete": c.work_planned_h == 0,
        "contingency_h": 0.0,
        "contingency_count": 0,
        "visit_days": NAN,
        "visit_planned_days": c.visit_planned_h / 24.0,
        "visit_cut": False,
        "visit_cancelled": False,
        "peak_crew": 0,
        "min_crew": 0,
        "min_crew_violated": False,
        "violations": 0,
        "violation_list": "",
    }
    for cause in DELAY_CAUSES:
        row[f"delay.{cause}_h"] = 0.0
    for p in c.people:
        row.update(
            {
                f"crew.{p}.end_state": "",
                f"crew.{p}.home_on": "",
                f"crew.{p}.home_utc": NAN,
                f"crew.{p}.days_aboard": NAN,
                f"crew.{p}.work_h": 0.0,
            }
        )
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
        row[f"{v}.rendezvous_h"] = NAN
        row[f"in.{v}.missed_burn"] = NAN
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
                f"{v}.weather_waived": False,
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


def finish_row(env: Any) -> None:
    """After the run: each person's end state, ``work_complete`` and the outcome label."""
    c = env.c
    row = env.row
    station = env.station
    crew_names = c.names.crew
    for name, person in c.people.items():
        if name in station.aboard:
            state = "aboard"
        elif name in station.left_at:
            state = "home"
        else:
            state = "not-flown"
        pn = crew_names[name]
        row[pn.end_state] = state
        if state == "not-flown":
            continue
        came = station.arrived_at.get(name, 0.0)
        if person.aboard_vehicle is not None:  # aboard since their vehicle docked
            came = min(came, c.docked_since_h.get(person.aboard_vehicle, came))
        left = station.left_at.get(name, c.horizon_h)
        row[pn.days_aboard] = (left - came) / 24.0
    workers = {p for t in c.tasks for p in t.people}
    row["work_complete"] = bool(row["work_plan_done"]) and all(
        _home_as_planned(c, row, p) for p in workers
    )
    if c.visitors and row["visit_days"] == row["visit_days"]:
        row["visit_cut"] = row["visit_days"] * 24.0 < c.visit_planned_h - VISIT_CUT_TOLERANCE_H
    row["outcome"], row["outcome_reason"] = classify(c, row)


def _home_as_planned(c: Any, row: dict[str, Any], person: str) -> bool:
    return row[c.names.crew[person].home_on] == c.people[person].returns


def classify(c: Any, row: dict[str, Any]) -> tuple[str, str]:
    """The replication's label (a key of :data:`OUTCOME_LABELS`) and the reason behind it."""
    reason = _reason(c, row)
    if row["violations"]:
        return "constraint-violated", reason or "violation"
    visitors = c.visitors
    crew_names = c.names.crew
    if row["visit_cancelled"] or any(row[crew_names[p].end_state] == "not-flown" for p in visitors):
        return "visit-not-flown", reason
    if not all(_home_as_planned(c, row, p) for p in visitors):
        return "stranded", reason or _stranded_reason(c, row)
    if not row["work_complete"]:
        return ("short-visit" if row["visit_cut"] else "work-incomplete"), "work_incomplete"
    if c.primary is not None and not row["landed_on_planned_day"]:
        return "late-return", "late_landing"
    return "as-planned", ""


def _stranded_reason(c: Any, row: dict[str, Any]) -> str:
    """Why visitors came home on another vehicle than planned, when no process said why: their
    return vehicle was declared unfit (or lost), else another vehicle took them."""
    for p in c.visitors:
        health = row.get(f"{c.people[p].returns}.health", "fit")
        if health not in ("fit", "", None):
            return "vehicle_unfit"
    return "other_vehicle"


def _reason(c: Any, row: dict[str, Any]) -> str:
    """The first event that explains an outcome other than as planned (``""`` if none).

    A failure of the visitors' own flight (launch failure, stand-down, docking abandoned) comes
    first, unless they had already stood down; then what a process recorded (``swap_abandoned``,
    ``return_blocked``, ``visit_below_min``, ``return_left``); then a failure of any other flight.
    """
    flights = [c.people[p].up_vehicle for p in c.visitors if c.people[p].up_vehicle in c.launches]
    others = [v for v in c.launches if v not in flights]
    if not row["visit_cancelled"]:
        reason = _flight_failure(c, row, flights)
        if reason:
            return reason
    return row["outcome_reason"] or _flight_failure(c, row, others)


def _flight_failure(c: Any, row: dict[str, Any], vehicles: list[str]) -> str:
    for v in vehicles:
        vn = c.names.of[v]
        if row[vn.launch_failed]:
            return "launch_failure"
        if row[vn.stood_down]:
            return "launch_stood_down"
        dock = row[vn.dock_actual_utc]
        if row[vn.docking_attempts] and dock != dock:
            return "docking_abort"
    return ""
