"""The scenario-format reference in Markdown, generated from the pydantic models.

The README's reference section is this text, so it can never miss a field; a test checks that it is
up to date (`crewsim schema --markdown`).
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from sim.scenario import health
from sim.scenario import schema as sc
from sim.scenario.distributions import Fixed

#: Sections in reading order: (title, model, YAML path).
SECTIONS: list[tuple[str, type[BaseModel], str]] = [
    ("Scenario (top level)", sc.Scenario, ""),
    ("monte_carlo", sc.MonteCarlo, "monte_carlo"),
    ("station", sc.Station, "station"),
    ("vehicles.NAME", sc.VehicleSpec, "vehicles.NAME"),
    ("vehicles.NAME.launch", sc.LaunchSpec, "vehicles.NAME.launch"),
    ("vehicles.NAME.launch.slip_by_horizon[]", sc.HorizonSlip, "slip_by_horizon[]"),
    ("vehicles.NAME.rendezvous", sc.RendezvousSpec, "vehicles.NAME.rendezvous"),
    ("vehicles.NAME.docking", sc.DockingSpec, "vehicles.NAME.docking"),
    ("relocations[]", sc.Relocation, "relocations[]"),
    ("crew.PERSON", sc.CrewMember, "crew.PERSON"),
    ("work", sc.Work, "work"),
    ("work.tasks[]", sc.Task, "work.tasks[]"),
    ("contingencies[]", sc.Contingency, "contingencies[]"),
    ("returns.VEHICLE", sc.ReturnSpec, "returns.VEHICLE"),
    ("returns.VEHICLE.zone", sc.LandingZone, "zone"),
    ("orbit", sc.OrbitSpec, "orbit"),
    ("defaults", sc.Defaults, "defaults"),
    ("vehicle_health", health.VehicleHealth, "vehicle_health"),
    ("vehicle_health.failures[]", health.VehicleFailure, "vehicle_health.failures[]"),
    ("vehicle_health.replacements.VEHICLE", health.Replacement, "vehicle_health.replacements"),
    ("vehicle_health.emergencies[]", health.Emergency, "vehicle_health.emergencies[]"),
]

_ALIASES = {
    "Duration": "duration (with unit; distribution allowed)",
    "Quantity": "number or distribution",
    "Hours": "fixed duration (with unit)",
}


def _type_name(field: Any) -> str:
    for m in field.metadata:
        func = getattr(getattr(m, "func", None), "__name__", "")
        kind = {"_as_duration": "Duration", "_as_quantity": "Quantity", "_as_fixed_hours": "Hours"}
        if func in kind:
            return _ALIASES[kind[func]]
    text = _describe(field.annotation)
    lo = next((m.ge for m in field.metadata if getattr(m, "ge", None) is not None), None)
    hi = next((m.le for m in field.metadata if getattr(m, "le", None) is not None), None)
    if lo == 0 and hi == 1 and text == "number":
        return "probability in [0, 1]"
    if lo is not None or hi is not None:
        text += f" in [{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
    return text


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        base = args[0]
        for m in args[1:]:
            name = type(m).__name__
            if name == "BeforeValidator":
                func = getattr(m.func, "__name__", "")
                if func == "_as_duration":
                    return _ALIASES["Duration"]
                if func == "_as_quantity":
                    return _ALIASES["Quantity"]
                if func == "_as_fixed_hours":
                    return _ALIASES["Hours"]
        lo = next((m.ge for m in args[1:] if getattr(m, "ge", None) is not None), None)
        hi = next((m.le for m in args[1:] if getattr(m, "le", None) is not None), None)
        if base is float and lo == 0 and hi == 1:
            return "probability in [0, 1]"
        return _describe(base)
    if origin in (typing.Union, __import__("types").UnionType):
        parts = [_describe(a) for a in args if a is not type(None)]
        return " or ".join(parts) + (" (optional)" if type(None) in args else "")
    if origin is list:
        return f"list of {_describe(args[0])}"
    if origin is dict:
        return f"mapping of {_describe(args[1])}"
    if origin is typing.Literal:
        return " \\| ".join(repr(a) for a in args)
    if "AwareDatetime" in str(tp):
        return "instant (ISO-8601 with offset, e.g. 2021-10-05T08:55:02Z)"
    if typing.get_origin(tp) is None and "Annotated" in str(tp):
        return _describe(typing.get_args(tp)[0]) if typing.get_args(tp) else str(tp)
    if isinstance(tp, type):
        if issubclass(tp, BaseModel):
            return f"mapping ({tp.__name__})"
        return {"str": "text", "int": "integer", "float": "number", "bool": "true/false"}.get(
            tp.__name__, tp.__name__
        )
    if "AwareDatetime" in str(tp):
        return "ISO-8601 instant with offset (e.g. 2021-10-05T08:55:02Z)"
    return str(tp)


def _default(field: Any) -> str:
    if field.is_required():
        return "**required**"
    value = field.default
    if value is PydanticUndefined:
        value = field.default_factory() if field.default_factory else None
    if value is None:
        return "-"
    if isinstance(value, Fixed):
        return f"`{value.value:g} {value.unit}`" if value.unit else f"`{value.value:g}`"
    if isinstance(value, BaseModel):
        return "see section"
    if isinstance(value, list) and not value:
        return "`[]`"
    if (
        isinstance(value, float)
        and field.metadata
        and any(type(m).__name__ == "BeforeValidator" for m in field.metadata)
    ):
        return f"`{value / 24:g} d`" if value >= 48 and value % 24 == 0 else f"`{value:g} h`"
    return f"`{value}`"


def markdown_reference() -> str:
    """Markdown tables of every scenario field: name, type/unit, default, meaning."""
    out = []
    for title, model, _path in SECTIONS:
        out.append(f"#### `{title}`\n")
        doc = (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else ""
        if doc:
            out.append(doc + "\n")
        out.append("| field | type / unit | default | meaning |")
        out.append("|---|---|---|---|")
        for name, field in model.model_fields.items():
            key = field.alias or name
            desc = (field.description or "").replace("|", "\\|")
            out.append(f"| `{key}` | {_type_name(field)} | {_default(field)} | {desc} |")
        out.append("")
    return "\n".join(out)
