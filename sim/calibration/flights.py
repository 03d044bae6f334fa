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

Free text is read by the explicit rules in :data:`FREE_TEXT_RULES` (one function per rule below);
each is tested on the rows of the real tables. Each record carries what a backtest needs per flight:
the planned launch date a month ahead, planned and flown scheme, crewed or not, slip, launch-to-dock
hours, manual docking, planned and actual landing, and why the model cannot replay it (if so).
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from sim.errors import CrewsimError

#: The rules that read free text, in the words used by the documentation.
FREE_TEXT_RULES: tuple[str, ...] = (
    "crewed: the cell starts with Y/yes (crewed) or N/no (uncrewed); anything after it, e.g. "
    "'N (robot Skybot F-850)', is ignored.",
    "returned empty: crew_down is 'none' (or 'empty'/'uncrewed').",
    "scheme: every 'N-orbit' (N = 2, 4 or 34) in the cell is a scheme; other N are reported. "
    "'none - launch abort' means no rendezvous was flown.",
    "planned scheme: in 'A (until ...), then B' the first scheme (A) is the plan a month ahead and "
    "the last (B) the plan on launch day; in the TMA column 'A planned -> B flown' A is the "
    "launch-day plan and B the scheme flown; a single scheme is both plan and flown.",
    "clause guard: notes are split into clauses at ';'; a clause that names another vehicle "
    "(MS-nn, TMA-nnM, Progress M-nnM, ...) describes that vehicle and is ignored by the event rules "
    "below (e.g. 'landing moved after MS-10 abort', 'Progress M-27M launch failure').",
    "launch failure: rendezvous_flown contains 'launch abort', or an own clause of the notes "
    "contains 'launch abort', 'launch failure', 'abort at ~N km' or 'ballistic landing/descent'.",
    "pad abort: an own clause contains 'pad abort', 'aborted on the pad', 'T-N s abort' or "
    "'scrub'; each such clause counts one.",
    "manual docking: an own clause contains 'manual docking' or 'docked manually' (the relocations "
    "column is not read: relocations are flown manually by design).",
    "aborted approach: an own clause of the notes, or the docking_port cell, contains 'aborted "
    "(first) approach', 'approach aborted' or 'docking attempt aborted'.",
    "automatic docking failed: manual docking, aborted approach, or an own clause with 'Kurs' "
    "and 'fail'/'fault'/'abort'.",
    "planned landing: the cell is split at '->' and the last part (the plan in force at landing) "
    "is read: an ISO date 'YYYY-MM-DD' (optionally ' HH:MM'), else the first 'D Mon [YYYY]' "
    "(a missing year is the year of the actual landing) with the time from 'landing HH:MM UTC' "
    "if given. A part with only a month or a mission length ('Aug 2018', '204 d') is not a date: "
    "reported and skipped.",
    "weather landing postponement: an own clause contains 'landing +N day(s) for weather' (N "
    "postponements); 'weather delay announced then reversed' counts none.",
    "advanced launch: a negative slip_days_vs_T1mo (launch moved earlier) counts as 0 slip and "
    "is listed in the estimate's note.",
    "slip a month ahead: slip_days_vs_T1mo; when blank, the whole days from "
    "planned_launch_date_T1mo to the UTC date of actual_launch_utc if both are known.",
)

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

SCHEMES = ("2-orbit", "4-orbit", "34-orbit")
FAST_SCHEMES = ("2-orbit", "4-orbit")


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


# --- small parsers -------------------------------------------------------------------------------

_VEHICLE_RE = re.compile(r"\b(?:Progress\s+)?(?:TMA|MS|M)-\d{1,2}M?\b")
_ISO_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?Z?$")


def short_name(flight: str) -> str:
    """``'Soyuz MS-19'`` -> ``'MS-19'``; ``'Soyuz TMA-21 (TMA)'`` -> ``'TMA-21'``."""
    match = _VEHICLE_RE.search(flight)
    return match.group(0) if match else flight.strip()


def parse_utc(text: str) -> tuple[datetime, bool]:
    """Parse ``YYYY-MM-DD[THH:MM[:SS[.fff]]][Z]`` as UTC; returns ``(datetime, has_time)``."""
    match = _ISO_RE.match(text.strip())
    if not match:
        raise ValueError("expected a UTC time such as 2021-10-05T08:55:02Z or a date 2021-10-05")
    day, clock = match.groups()
    stamp = datetime.fromisoformat(f"{day}T{clock or '00:00'}").replace(tzinfo=UTC)
    return stamp, clock is not None


def parse_crewed(text: str) -> bool:
    """Rule *crewed*: ``'Y'`` -> True, ``'N (robot Skybot F-850)'`` -> False."""
    word = re.match(r"\s*([A-Za-z]+)", text)
    token = word.group(1).lower() if word else ""
    if token in ("y", "yes"):
        return True
    if token in ("n", "no"):
        return False
    raise ValueError("expected Y or N")


def parse_returned_empty(crew_down: str) -> bool:
    """Rule *returned empty*: ``'none'`` -> True; a list of names -> False."""
    return crew_down.strip().lower() in ("none", "empty", "uncrewed")


def schemes_in(text: str) -> list[str]:
    """Rule *scheme*: the schemes named in a cell, in order (``'34-orbit (2-day ...)'`` ->
    ``['34-orbit']``). Raises ``ValueError`` for an orbit count the model does not know."""
    found = []
    for count in re.findall(r"\b(\d+)\s*-?\s*orbits?\b", text, flags=re.IGNORECASE):
        scheme = f"{int(count)}-orbit"
        if scheme not in SCHEMES:
            raise ValueError(f"unknown rendezvous scheme {scheme!r}; known: {', '.join(SCHEMES)}")
        found.append(scheme)
    return found


def is_launch_abort_scheme(text: str) -> bool:
    """``'none - launch abort'`` in a scheme column: no rendezvous flown, the launch failed."""
    return bool(re.search(r"launch\s+abort", text, flags=re.IGNORECASE))


def parse_planned_schemes(text: str) -> tuple[str | None, str | None]:
    """Rule *planned scheme* (MS column): ``(plan a month ahead, plan on launch day)``."""
    found = schemes_in(text)
    if not found:
        return None, None
    return found[0], found[-1]


def parse_tma_schemes(text: str) -> tuple[str | None, str | None]:
    """Rule *planned scheme* (TMA column): ``(launch-day plan, flown)``."""
    match = re.search(r"(.+?)\bplanned\b\s*->\s*(.+?)\bflown\b", text)
    if match:
        planned, flown = schemes_in(match.group(1)), schemes_in(match.group(2))
        return (planned[-1] if planned else None), (flown[-1] if flown else None)
    found = schemes_in(text)
    if not found:
        return None, None
    return found[-1], found[-1]


def own_clauses(notes: str, flight: str) -> list[str]:
    """Rule *clause guard*: the clauses of ``notes`` (split at ';') that name no other vehicle."""
    own = short_name(flight)
    kept = []
    for clause in notes.split(";"):
        others = [v for v in _VEHICLE_RE.findall(clause) if short_name(v) != own]
        if clause.strip() and not others:
            kept.append(clause.strip())
    return kept


def _any_clause(notes: str, flight: str, pattern: str) -> bool:
    return any(re.search(pattern, c, flags=re.IGNORECASE) for c in own_clauses(notes, flight))


_LAUNCH_FAILURE = (
    r"launch\s+(?:abort|failure)|abort\s+at\s+~?\d+\s*km|ballistic\s+(?:landing|descent)"
)
_PAD_ABORT = r"pad\s+abort|abort(?:ed)?\s+on\s+the\s+pad|\bT-\s*\d+\s*s(?:ec)?\b.*\babort|\bscrub"
_MANUAL = r"manual(?:ly)?\s+dock|dock(?:ed|ing)\s+manually"
_APPROACH_ABORT = (
    r"abort(?:ed)?\s+(?:the\s+)?(?:first\s+)?approach|approach\s+abort|docking\s+attempt\s+abort"
)
_KURS = r"\bKurs\b.*\b(?:fail|fault|abort)"


def is_launch_failure(notes: str, flight: str) -> bool:
    """Rule *launch failure* on the notes of ``flight``."""
    return _any_clause(notes, flight, _LAUNCH_FAILURE)


def count_pad_aborts(notes: str, flight: str) -> int:
    """Rule *pad abort*: number of own clauses that report a pad abort or scrub."""
    return sum(bool(re.search(_PAD_ABORT, c, re.IGNORECASE)) for c in own_clauses(notes, flight))


def is_manual_docking(notes: str, flight: str) -> bool:
    """Rule *manual docking*."""
    return _any_clause(notes, flight, _MANUAL)


def is_aborted_approach(text: str, flight: str) -> bool:
    """Rule *aborted approach* (notes or docking_port)."""
    return _any_clause(text, flight, _APPROACH_ABORT)


def is_auto_docking_failure(notes: str, port: str, flight: str) -> bool:
    """Rule *automatic docking failed*."""
    return (
        is_manual_docking(notes, flight)
        or is_aborted_approach(notes, flight)
        or is_aborted_approach(port, flight)
        or _any_clause(notes, flight, _KURS)
    )


def count_weather_postponements(notes: str, flight: str) -> int:
    """Rule *weather landing postponement*: days the landing moved for weather."""
    total = 0
    for clause in own_clauses(notes, flight):
        if re.search(r"weather\s+delay\s+announced\s+then\s+reversed", clause, re.IGNORECASE):
            continue
        for days in re.findall(
            r"landing\s*\+\s*(\d+)\s*days?\s+for\s+weather", clause, flags=re.IGNORECASE
        ):
            total += int(days)
    return total


_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}


def parse_planned_landing(text: str, landing_year: int | None) -> tuple[datetime, bool]:
    """Rule *planned landing*: ``(planned landing UTC, has_time)``; ``ValueError`` if no date."""
    part = text.split("->")[-1]
    iso = re.search(r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}):(\d{2}))?", part)
    if iso:
        day = date.fromisoformat(iso.group(1))
        if iso.group(2):
            stamp = datetime(day.year, day.month, day.day, int(iso.group(2)), int(iso.group(3)))
            return stamp.replace(tzinfo=UTC), True
        return datetime(day.year, day.month, day.day, tzinfo=UTC), False
    dm = re.search(
        r"\b(\d{1,2})\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s+(\d{4}))?",
        part,
        flags=re.IGNORECASE,
    )
    if not dm:
        raise ValueError("no planned landing date (only a month or a mission length)")
    year = int(dm.group(3)) if dm.group(3) else landing_year
    if year is None:
        raise ValueError("planned landing has no year and the actual landing is unknown")
    stamp = datetime(year, _MONTHS[dm.group(2).lower()[:3]], int(dm.group(1)), tzinfo=UTC)
    clock = re.search(r"landing\s+(\d{2}):(\d{2})\s*UTC", part, flags=re.IGNORECASE)
    if clock:
        return stamp + timedelta(hours=int(clock.group(1)), minutes=int(clock.group(2))), True
    return stamp, False


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
        with path.open(newline="", encoding="utf-8") as handle:
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
