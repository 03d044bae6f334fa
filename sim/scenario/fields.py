"""Field types of the scenario format, shared by every section of :mod:`.schema`.

Durations carry explicit units and are kept as distributions (see :mod:`.distributions`); a fixed
duration (``Hours``) is stored in hours; an instant must be ISO-8601 text with a time zone. Every
section derives from ``_Model``: unknown keys are errors.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from sim.scenario.distributions import DIST_NAMES, Distribution, coerce_distribution

#: Instants a scenario may name. Results store times as int64 nanoseconds since 1970 (years
#: 1677-2262); these limits leave room for the durations that are added to them.
EARLIEST_INSTANT = datetime(1700, 1, 1, tzinfo=UTC)
LATEST_INSTANT = datetime(2200, 1, 1, tzinfo=UTC)
#: The longest duration a scenario may give (ten years, in hours): an instant plus a handful of such
#: durations still fits the results' time range.
MAX_DURATION_H = 10 * 366 * 24.0

_DURATION_SCHEMA = {
    "anyOf": [
        {"type": "string", "description": "A duration with a unit: '90 min', '3.2 h', '2 d'."},
        {
            "type": "object",
            "description": "{value, unit} or a distribution {dist: "
            + "|".join(DIST_NAMES)
            + ", ..., unit: min|h|d}",
            "properties": {"dist": {"enum": DIST_NAMES}, "unit": {"enum": ["s", "min", "h", "d"]}},
        },
    ]
}


def _as_duration(value: Any) -> Any:
    try:
        return coerce_distribution(value, duration=True)
    except ValidationError as exc:
        raise ValueError(_first_error_text(exc)) from None


def _as_quantity(value: Any) -> Any:
    try:
        return coerce_distribution(value, duration=False)
    except ValidationError as exc:
        raise ValueError(_first_error_text(exc)) from None


def _as_fixed_hours(value: Any) -> float:
    dist = _as_duration(value)
    if not dist.is_fixed:
        raise ValueError("expected a fixed duration such as '8 h', not a distribution")
    hours = dist.value * dist.to_hours
    if math.isfinite(hours) and abs(hours) > MAX_DURATION_H:
        raise ValueError(
            f"expected a duration of at most {MAX_DURATION_H:.0f} h (ten years), got {hours:g} h"
        )
    return hours


def _as_instant(value: Any) -> Any:
    # pydantic would read a bare number as Unix seconds (``epoch: 5`` -> 1970-01-01T00:00:05Z).
    if isinstance(value, bool | int | float):
        raise ValueError(
            "expected an ISO-8601 instant with a time zone such as 2021-10-05T08:55:02Z, "
            f"got {value!r}"
        )
    return value


def _instant_in_range(value: datetime) -> datetime:
    if not EARLIEST_INSTANT <= value <= LATEST_INSTANT:
        raise ValueError(
            f"expected an instant between {EARLIEST_INSTANT:%Y-%m-%d} and "
            f"{LATEST_INSTANT:%Y-%m-%d} (results store times as 64-bit nanoseconds)"
        )
    return value


def _first_error_text(exc: ValidationError) -> str:
    """All problems of one distribution mapping, on one line (parameter: what was expected)."""
    parts = []
    for err in exc.errors():
        if err["type"] == "union_tag_invalid":
            return (
                f"unknown distribution {err['input'].get('dist')!r}; "
                f"expected one of {', '.join(DIST_NAMES)}"
            )
        where = ".".join(str(p) for p in err["loc"] if p not in DIST_NAMES)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown parameter"
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(dict.fromkeys(parts))


#: An uncertain duration (a distribution with a time unit).
Duration = Annotated[Distribution, BeforeValidator(_as_duration), WithJsonSchema(_DURATION_SCHEMA)]
#: An uncertain, unit-less quantity (a number means fixed).
Quantity = Annotated[
    Distribution,
    BeforeValidator(_as_quantity),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "object"}]}),
]
#: A fixed duration, stored in hours.
Hours = Annotated[
    float,
    BeforeValidator(_as_fixed_hours),
    # Written back with its unit, so that a resolved scenario (results/.../scenario.yaml) loads again.
    PlainSerializer(lambda hours: f"{hours!r} h", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "description": "A duration with a unit, e.g. '8 h'."}),
]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
#: An instant: ISO-8601 text with a time-zone offset (a bare number is refused, not read as Unix time).
Instant = Annotated[AwareDatetime, BeforeValidator(_as_instant), AfterValidator(_instant_in_range)]


#: A vehicle's name: it becomes part of column names (``MS-19.launch_slip_d``), ``--set`` paths
#: and file names, so letters, digits, ``-`` and ``_`` only.
VehicleName = Annotated[
    str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$", max_length=64)
]
#: A person's name: spaces and apostrophes are fine, but no ``.`` (paths), ``/`` or control
#: characters.
PersonName = Annotated[str, StringConstraints(pattern=r"^[^./\\\x00-\x1f]+$", max_length=64)]


def non_finite_numbers(value: Any, where: str = "") -> Iterator[tuple[str, float]]:
    """``(path, number)`` of every NaN or infinity in ``value``: numbers, lists, mappings and the
    fields of pydantic models that are not scenario sections (distributions, rates); sections are
    checked by their own validator."""
    if isinstance(value, float):
        if not math.isfinite(value):
            yield where, value
    elif isinstance(value, _Model):
        return
    elif isinstance(value, BaseModel):
        for name, field in type(value).model_fields.items():
            key = field.alias or name
            yield from non_finite_numbers(getattr(value, name), f"{where}.{key}" if where else key)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from non_finite_numbers(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from non_finite_numbers(item, f"{where}.{i}" if where else str(i))


class _Model(BaseModel):
    """Base of every scenario section: unknown keys are errors, and so is any number that is NaN or
    infinite, in the section's own fields (pydantic's ``allow_inf_nan``) or inside the
    distributions and rates it holds (the validator below), so ``validate`` catches what ``run``
    would choke on."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)

    @model_validator(mode="after")
    def _finite_numbers(self) -> Any:
        for name, field in type(self).model_fields.items():
            for where, number in non_finite_numbers(getattr(self, name), field.alias or name):
                raise ValueError(f"{where}: expected a finite number, got {number}")
        return self
