"""Field types of the scenario format, shared by every section of :mod:`.schema`.

Durations carry explicit units and are kept as distributions (see :mod:`.distributions`); a fixed
duration (``Hours``) is stored in hours; an instant must be ISO-8601 text with a time zone. Every
section derives from ``_Model``: unknown keys are errors.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
)

from sim.scenario.distributions import DIST_NAMES, Distribution, coerce_distribution

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
    return dist.value * dist.to_hours


def _as_instant(value: Any) -> Any:
    # pydantic would read a bare number as Unix seconds (``epoch: 5`` -> 1970-01-01T00:00:05Z).
    if isinstance(value, bool | int | float):
        raise ValueError(
            "expected an ISO-8601 instant with a time zone such as 2021-10-05T08:55:02Z, "
            f"got {value!r}"
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
Instant = Annotated[AwareDatetime, BeforeValidator(_as_instant)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
