"""The rules that read the free text of the flight tables (schemes, anomalies, planned landings).

Each rule of :data:`FREE_TEXT_RULES` is one function below, tested on the rows of the real tables.
A rule that cannot read a cell raises ``ValueError`` with a message saying what it expected; the
table reader (:mod:`sim.calibration.flights`) turns that into an issue naming the file, flight and
column.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

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


SCHEMES = ("2-orbit", "4-orbit", "34-orbit")
FAST_SCHEMES = ("2-orbit", "4-orbit")


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
