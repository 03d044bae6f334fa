"""Time units of durations: the unit names a scenario may use and the text form ``"90 min"``.

A duration in a scenario always carries its unit (a bare number is ambiguous); the canonical units
are ``s``, ``min``, ``h`` and ``d``, and :data:`HOURS_PER_UNIT` converts each to hours, the unit the
model works in.
"""

from __future__ import annotations

import re
from typing import Literal

Unit = Literal["s", "min", "h", "d"]

#: Hours per unit.
HOURS_PER_UNIT: dict[str, float] = {"s": 1 / 3600, "min": 1 / 60, "h": 1.0, "d": 24.0}

UNIT_ALIASES = {
    "s": "s",
    "sec": "s",
    "second": "s",
    "seconds": "s",
    "min": "min",
    "mins": "min",
    "minute": "min",
    "minutes": "min",
    "m": "min",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "hour": "h",
    "hours": "h",
    "d": "d",
    "day": "d",
    "days": "d",
}

_DURATION_RE = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*([a-zA-Z]+)\s*$")


def parse_duration_text(text: str) -> tuple[float, str]:
    """Parse ``"90 min"``, ``"3.2 h"``, ``"2 d"`` (or ``"1 h 30 min"``) into ``(value, unit)``.

    Compound forms are summed and returned in the smallest unit named. Raises ``ValueError`` with a
    message that says what was expected.
    """
    parts = re.findall(r"([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*([a-zA-Z]+)", text)
    rebuilt = " ".join(f"{v} {u}" for v, u in parts)
    if not parts or re.sub(r"\s+", "", rebuilt) != re.sub(r"\s+", "", text):
        raise ValueError(
            f"expected a duration with a unit such as '90 min', '3.2 h' or '2 d', got {text!r}"
        )
    total_h = 0.0
    smallest = "d"
    for value, unit in parts:
        canonical = UNIT_ALIASES.get(unit.lower())
        if canonical is None:
            raise ValueError(f"unknown time unit {unit!r} in {text!r}; use one of s, min, h, d")
        total_h += float(value) * HOURS_PER_UNIT[canonical]
        if HOURS_PER_UNIT[canonical] < HOURS_PER_UNIT[smallest]:
            smallest = canonical
    return total_h / HOURS_PER_UNIT[smallest], smallest
