"""Flight tables: reading Soyuz flight histories into typed records.

Two table formats are read, told apart by their columns:

* ``ms``: the Soyuz MS table (``soyuz_ms_flights_2016_2021.csv``), with the plan a month before
  launch, planned and flown rendezvous schemes, docking and landing times and anomaly notes;
* ``tma``: the Soyuz TMA-M table (``soyuz_tma_m_flights_2010_2016.csv``), with launch-to-docking
  hours, the scheme flown, slips against an earlier plan and notes.

A blank cell means "unknown": the record's field is ``None`` and the flight is left out of every
estimate that needs it. The one exception is a notes column (``anomalies_notes``, ``notes``): a blank
there means "no anomaly reported", since those columns list events, not measurements.

A cell that cannot be read is reported as an :class:`Issue` naming the file, the flight and the column,
and the field is left unknown; nothing is guessed. Issues of severity ``error`` (malformed cells:
unparseable date, negative or non-numeric hours) become fatal with ``strict=True``; issues of
severity ``note`` (free text that no rule reads, such as a planned landing given only as a mission
length) are reported and never fatal.

Free text is read by the explicit rules of :mod:`sim.calibration.free_text` (one function per rule);
each is tested on the rows of the real tables. Each record carries what a backtest needs per flight:
the planned launch date a month ahead, planned and flown scheme, crewed or not, slip, launch-to-dock
hours, manual docking, planned and actual landing, and why the model cannot replay it (if so).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from sim.calibration.free_text import (
    count_pad_aborts,
    count_weather_postponements,
    is_aborted_approach,
    is_auto_docking_failure,
    is_launch_abort_scheme,
    is_launch_failure,
    is_manual_docking,
    parse_crewed,
    parse_planned_landing,
    parse_planned_schemes,
    parse_returned_empty,
    parse_tma_schemes,
    parse_utc,
    schemes_in,
    short_name,
)
from sim.errors import CrewsimError

Format = Literal["ms", "tma"]

#: Columns each format must have (others are ignored).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "ms": (
        "flight",
        "crewed",
        "crew_down",
        "planned_launch_date_T1mo",
        "actual_launch_utc",
        "slip_days_vs_T1mo",
        "slip_days_vs_prior_plan",
        "rendezvous_planned",
        "rendezvous_flown",
        "planned_dock_utc",
        "actual_dock_utc",
        "launch_to_dock_h",
        "docking_port",
        "undock_utc",
        "landing_utc",
        "planned_landing",
        "anomalies_notes",
    ),
    "tma": (
        "flight",
        "launch_utc",
        "launch_to_dock_h",
        "rendezvous",
        "launch_slip_days",
        "notes",
    ),
}


@dataclass(frozen=True)
class Issue:
    """A cell that could not be used: which file, flight and column, and why."""

    file: str
    flight: str
    column: str
    value: str
    message: str
    severity: Literal["error", "note"] = "error"

    def __str__(self) -> str:
        return f"{self.file}: {self.flight}: column {self.column!r}: {self.message} (cell {self.value!r})"


@dataclass(frozen=True)
class FlightRecord:
    """One flight, as far as the table knows it (``None`` = unknown). Times are UTC datetimes."""

    flight: str  # short name, e.g. "MS-19", "TMA-12M"
    source: str  # file name
    table: Format
    crewed: bool | None = None
    returned_empty: bool | None = None
    planned_launch_t1mo: date | None = None
    actual_launch_utc: datetime | None = None
    slip_days: float | None = None  # vs the plan a month ahead, >= 0 (advanced launches -> 0)
    advanced_days: float | None = None  # how many days earlier than the plan, when advanced
    slip_prior_plan_days: float | None = None  # vs an earlier plan of unknown horizon
    scheme_planned_t1mo: str | None = None
    scheme_planned: str | None = None  # the plan on launch day
    scheme_flown: str | None = None  # "none" when the launch failed
    launch_to_dock_h: float | None = None
    docked: bool | None = None
    manual_docking: bool | None = None
    aborted_approach: bool | None = None
    auto_docking_failed: bool | None = None
    launch_failure: bool | None = None
    pad_aborts: int | None = None
    planned_landing_utc: datetime | None = None
    planned_landing_has_time: bool = False
    undock_utc: datetime | None = None
    landing_utc: datetime | None = None
    landing_has_time: bool = False
    weather_postponements: int | None = None
    exclusions: tuple[str, ...] = field(default_factory=tuple)

    @property
    def model_cannot_handle(self) -> str | None:
        """Why the crewed-rotation model cannot replay this flight, or ``None`` if it can."""
        return "; ".join(self.exclusions) or None

    @property
    def landing_delay_d(self) -> float | None:
        """Actual minus planned landing, days (whole days when the plan has no time of day)."""
        if self.planned_landing_utc is None or self.landing_utc is None:
            return None
        if self.planned_landing_has_time and self.landing_has_time:
            return (self.landing_utc - self.planned_landing_utc).total_seconds() / 86400
        return float((self.landing_utc.date() - self.planned_landing_utc.date()).days)

    @property
    def descent_h(self) -> float | None:
        """Undocking to landing, hours (only when both have a time of day)."""
        if self.undock_utc is None or self.landing_utc is None or not self.landing_has_time:
            return None
        return (self.landing_utc - self.undock_utc).total_seconds() / 3600


# --- reading tables ------------------------------------------------------------------------------


def detect_format(columns: list[str], path: str) -> Format:
    """Tell the table format from its header; ``CrewsimError`` naming missing columns otherwise."""
    present = set(columns)
    missing = {
        name: [c for c in cols if c not in present] for name, cols in REQUIRED_COLUMNS.items()
    }
    for name, gone in missing.items():
        if not gone:
            return name  # type: ignore[return-value]
    closest = min(missing, key=lambda n: len(missing[n]))
    raise CrewsimError(
        f"{path}: not a flight table: missing column(s) {', '.join(missing[closest])} "
        f"(closest format: {closest}; see sim.calibration.flights.REQUIRED_COLUMNS)"
    )


class _Row:
    """One CSV row with helpers that record issues instead of raising."""

    def __init__(self, cells: dict[str, str], path: str, issues: list[Issue]):
        self.cells = cells
        self.path = path
        self.issues = issues
        self.flight = short_name(cells.get("flight", "") or "?")

    def text(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()

    def report(self, column: str, message: str, severity: Literal["error", "note"] = "error"):
        self.issues.append(
            Issue(self.path, self.flight, column, self.text(column), message, severity)
        )

    def number(self, column: str, *, non_negative: bool = False) -> float | None:
        cell = self.text(column)
        if not cell:
            return None
        try:
            value = float(cell)
        except ValueError:
            self.report(column, "not a number")
            return None
        if not math.isfinite(value) or (non_negative and value < 0):
            self.report(column, "must be a finite number >= 0")
            return None
        return value

    def time(self, column: str) -> tuple[datetime | None, bool]:
        cell = self.text(column)
        if not cell:
            return None, False
        try:
            return parse_utc(cell)
        except ValueError as exc:
            self.report(column, f"unparseable date: {exc}")
            return None, False

    def day(self, column: str) -> date | None:
        stamp, _ = self.time(column)
        return stamp.date() if stamp else None

    def guarded(self, column: str, parse, default=None):
        try:
            return parse(self.text(column))
        except ValueError as exc:
            self.report(column, str(exc))
            return default


def _slip_fields(row: _Row, planned: date | None, launch: datetime | None) -> dict:
    raw = row.number("slip_days_vs_T1mo")
    if raw is None and planned is not None and launch is not None:
        raw = float((launch.date() - planned).days)
    elif raw is not None and planned is not None and launch is not None:
        derived = (launch.date() - planned).days
        if abs(derived - raw) > 1:
            row.report(
                "slip_days_vs_T1mo",
                f"disagrees with planned_launch_date_T1mo -> actual_launch_utc ({derived} d)",
                "note",
            )
    if raw is None:
        return {}
    if raw < 0:
        return {"slip_days": 0.0, "advanced_days": -raw}
    return {"slip_days": raw}


def _ms_record(row: _Row) -> FlightRecord:
    name = row.cells["flight"]
    crewed = row.guarded("crewed", parse_crewed) if row.text("crewed") else None
    crew_down = row.text("crew_down")
    returned_empty = parse_returned_empty(crew_down) if crew_down else None
    planned = row.day("planned_launch_date_T1mo")
    launch, _ = row.time("actual_launch_utc")
    notes = row.text("anomalies_notes")
    port = row.text("docking_port")
    plan_t1mo, plan_day = row.guarded("rendezvous_planned", parse_planned_schemes, (None, None))
    flown_text = row.text("rendezvous_flown")
    aborted = is_launch_abort_scheme(flown_text) or is_launch_failure(notes, name)
    if is_launch_abort_scheme(flown_text):
        flown = "none"
    else:
        found = row.guarded("rendezvous_flown", schemes_in, [])
        flown = found[-1] if found else None
        if flown_text and not found:
            row.report("rendezvous_flown", "no scheme found")
    hours = row.number("launch_to_dock_h", non_negative=True)
    dock, _ = row.time("actual_dock_utc")
    row.time("planned_dock_utc")
    docked = True if (dock is not None or hours is not None) else (False if aborted else None)
    undock, _ = row.time("undock_utc")
    landing, landing_has_time = row.time("landing_utc")
    planned_landing, planned_has_time = None, False
    if row.text("planned_landing"):
        try:
            planned_landing, planned_has_time = parse_planned_landing(
                row.text("planned_landing"), landing.year if landing else None
            )
        except ValueError as exc:
            row.report("planned_landing", str(exc), "note")
    launched = launch is not None
    exclusions = []
    if crewed is False:
        exclusions.append("uncrewed")
    if aborted:
        exclusions.append("launch failure")
    if returned_empty:
        exclusions.append("returned empty")
    return FlightRecord(
        flight=row.flight,
        source=row.path,
        table="ms",
        crewed=crewed,
        returned_empty=returned_empty,
        planned_launch_t1mo=planned,
        actual_launch_utc=launch,
        slip_prior_plan_days=row.number("slip_days_vs_prior_plan"),
        scheme_planned_t1mo=plan_t1mo,
        scheme_planned=plan_day,
        scheme_flown=flown,
        launch_to_dock_h=hours,
        docked=docked,
        manual_docking=is_manual_docking(notes, name) if docked else None,
        aborted_approach=(is_aborted_approach(notes, name) or is_aborted_approach(port, name))
        if docked
        else None,
        auto_docking_failed=is_auto_docking_failure(notes, port, name) if docked else None,
        launch_failure=aborted if launched else None,
        pad_aborts=count_pad_aborts(notes, name) if launched else None,
        planned_landing_utc=planned_landing,
        planned_landing_has_time=planned_has_time,
        undock_utc=undock,
        landing_utc=landing,
        landing_has_time=landing_has_time,
        weather_postponements=count_weather_postponements(notes, name)
        if landing and not aborted
        else None,
        exclusions=tuple(exclusions),
        **_slip_fields(row, planned, launch),
    )


def _tma_record(row: _Row) -> FlightRecord:
    name = row.cells["flight"]
    notes = row.text("notes")
    launch, _ = row.time("launch_utc")
    landing_column = "landing_utc_vehicle" if "landing_utc_vehicle" in row.cells else None
    landing, landing_has_time = row.time(landing_column) if landing_column else (None, False)
    planned, flown = row.guarded("rendezvous", parse_tma_schemes, (None, None))
    if row.text("rendezvous") and flown is None:
        row.report("rendezvous", "no scheme found")
    hours = row.number("launch_to_dock_h", non_negative=True)
    aborted = is_launch_failure(notes, name)
    docked = True if hours is not None else None
    launched = launch is not None
    return FlightRecord(
        flight=row.flight,
        source=row.path,
        table="tma",
        crewed=True,  # the TMA-M series flew crews only
        actual_launch_utc=launch,
        slip_prior_plan_days=row.number("launch_slip_days"),
        scheme_planned=planned,
        scheme_flown=flown,
        launch_to_dock_h=hours,
        docked=docked,
        manual_docking=is_manual_docking(notes, name) if docked else None,
        aborted_approach=is_aborted_approach(notes, name) if docked else None,
        auto_docking_failed=is_auto_docking_failure(notes, "", name) if docked else None,
        launch_failure=aborted if launched else None,
        pad_aborts=count_pad_aborts(notes, name) if launched else None,
        landing_utc=landing,
        landing_has_time=landing_has_time,
        weather_postponements=count_weather_postponements(notes, name) if landing else None,
        exclusions=("launch failure",) if aborted else (),
    )


def read_flights(
    path: str | Path, *, strict: bool = False
) -> tuple[list[FlightRecord], list[Issue]]:
    """Read one flight table (format detected from its columns).

    Returns the records and the issues found. ``CrewsimError`` if the file is missing or lacks a
    required column, and with ``strict=True`` if any cell is malformed (all such cells are listed).
    """
    path = Path(path)
    if path.is_dir():
        raise CrewsimError(f"{path}: is a folder; expected a flight table (CSV file)")
    if not path.is_file():
        raise CrewsimError(f"{path}: no such flight table")
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            fieldnames = list(reader.fieldnames or [])
            if not fieldnames:
                raise CrewsimError(f"{path}: the file is empty; expected a CSV flight table")
            fmt = detect_format(fieldnames, str(path))
            rows = list(reader)
    except UnicodeDecodeError as exc:
        raise CrewsimError(f"{path}: not a text CSV file (UTF-8 expected): {exc.reason}") from None
    except csv.Error as exc:
        raise CrewsimError(f"{path}: not a readable CSV file: {exc}") from None
    issues: list[Issue] = []
    records = []
    for cells in rows:
        if not any((v or "").strip() for v in cells.values()):
            continue
        row = _Row(cells, str(path), issues)
        if not row.text("flight"):
            row.flight = f"row {len(records) + 2}"
            row.report("flight", "blank flight name; row skipped")
            continue
        records.append(_ms_record(row) if fmt == "ms" else _tma_record(row))
    errors = [i for i in issues if i.severity == "error"]
    if strict and errors:
        raise CrewsimError("malformed cells (--strict):\n" + "\n".join(f"  {e}" for e in errors))
    return records, issues
