"""Several flight tables read as one record: each flight counted once.

A flight (by its short name, e.g. ``MS-19``) listed twice, in the same table or in two tables (the
same file given twice), is counted once: the first row is kept, and a note names the flight and
where the other copies were. Two rows of one flight that disagree in any cell the records read are
an error: which one is right cannot be guessed.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sim.calibration.flights import FlightRecord, Issue, read_flights
from sim.errors import CrewsimError


@dataclass
class FlightTables:
    """The de-duplicated records, the issues of every table, and a description of each input."""

    records: list[FlightRecord] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def _content(rec: FlightRecord) -> tuple:
    return tuple(v for k, v in dataclasses.asdict(rec).items() if k != "source")


def deduplicate(records: Sequence[FlightRecord]) -> tuple[list[FlightRecord], list[str]]:
    """Each flight once (first row kept); notes on the copies dropped. ``CrewsimError`` when two
    rows of one flight disagree."""
    first: dict[str, FlightRecord] = {}
    notes: list[str] = []
    for rec in records:
        seen = first.get(rec.flight)
        if seen is None:
            first[rec.flight] = rec
            continue
        if _content(seen) != _content(rec):
            raise CrewsimError(
                f"{rec.source}: column 'flight': {rec.flight} is listed twice with different "
                f"values (also in {seen.source}); keep one row per flight"
            )
        notes.append(f"{rec.flight}: listed again in {rec.source}; counted once")
    return list(first.values()), notes


def read_tables(paths: Sequence[str], *, strict: bool = False) -> FlightTables:
    """Read every table, de-duplicate by flight, and describe each input (format, rows, sha256)."""
    out = FlightTables()
    every: list[FlightRecord] = []
    for path in paths:
        recs, issues = read_flights(path, strict=strict)
        every += recs
        out.issues += issues
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
        fmt = recs[0].table if recs else "empty"
        out.inputs.append(f"{path} ({fmt} format, {len(recs)} flights, sha256 {digest})")
    out.records, out.duplicates = deduplicate(every)
    return out
