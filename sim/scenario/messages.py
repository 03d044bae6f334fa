"""Turn pydantic validation errors of a scenario into messages a person can act on.

Each message names the file, the field path (as written in the YAML, not pydantic's internal
labels) and what was expected; an unknown key gets a "did you mean" suggestion.
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel, ValidationError

from sim.scenario.distributions import DIST_NAMES


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that the path ``loc`` (without its last item) points into."""
    from sim.scenario.schema import Scenario

    current: Any = Scenario
    for item in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(item))
            if field is None:
                field = next((f for f in current.model_fields.values() if f.alias == item), None)
            if field is None:
                return None
            current = field.annotation
        elif typing.get_origin(current) in (dict, list):
            current = typing.get_args(current)[-1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: Any) -> Any:
    """Strip Optional/Annotated layers to reach a model, dict or list type."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(tp) if a is not type(None)]
            structured = [
                a
                for a in members
                if typing.get_origin(a) in (dict, list)
                or (isinstance(a, type) and issubclass(a, BaseModel))
            ]
            if len(structured) != 1:
                return tp
            tp = structured[0]
        else:
            return tp


def _field_names(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """The field path of an error: ``loc`` without pydantic's union-member labels (``int``,
    ``list[str]``, a distribution tag...), found by following ``loc`` through the input data."""
    path: list[Any] = []
    node = data
    for item in loc:
        in_dict = isinstance(node, dict) and item in node
        in_list = isinstance(node, list) and isinstance(item, int) and 0 <= item < len(node)
        if in_dict or in_list:
            node = node[item]
        elif isinstance(item, str) and (item in DIST_NAMES or item in _UNION_LABELS or "[" in item):
            continue
        else:
            node = None
        path.append(item)
    return tuple(path)


#: Labels pydantic puts in an error location for the member of a union that failed.
_UNION_LABELS = {"str", "int", "float", "bool", "none"}


def _defaults_hint(loc: tuple[Any, ...]) -> str:
    """For a missing field that `defaults:` could supply, say so."""
    from sim.scenario.schema import (
        DockingDefaults,
        LandingDefaults,
        LaunchDefaults,
        RendezvousDefaults,
    )

    sections: dict[str, type[BaseModel]] = {
        "launch": LaunchDefaults,
        "rendezvous": RendezvousDefaults,
        "docking": DockingDefaults,
    }
    section = sections.get(loc[2]) if len(loc) == 4 and loc[0] == "vehicles" else None
    if section is not None and loc[3] in section.model_fields:
        return f" (give it here or in defaults.{loc[2]}.{loc[3]})"
    if len(loc) == 3 and loc[0] == "returns" and loc[2] in LandingDefaults.model_fields:
        return f" (give it here or in defaults.landing.{loc[2]})"
    return ""


def format_validation(exc: ValidationError, source: str, data: Any = None) -> str:
    lines = []
    for err in exc.errors():
        loc = _data_path(data, tuple(err["loc"]))
        where = ".".join(str(p) for p in loc) or "(top level)"
        kind = err["type"]
        if kind == "extra_forbidden":
            model = _model_at(loc[:-1])
            hint = ""
            if model is not None:
                names = _field_names(model)
                close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
                hint = (
                    f"; did you mean {close[0]!r}?"
                    if close
                    else f"; expected one of: {', '.join(names)}"
                )
            lines.append(f"{source}: {where}: unknown key{hint}")
        elif kind == "missing":
            lines.append(f"{source}: {where}: required field is missing{_defaults_hint(loc)}")
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            got = type(err.get("input")).__name__
            lines.append(f"{source}: {where}: expected a mapping of fields, got {got}")
        elif kind == "union_tag_invalid":
            lines.append(
                f"{source}: {where}: unknown distribution {err['input'].get('dist')!r}; "
                f"expected one of {', '.join(DIST_NAMES)}"
            )
        else:
            msg = err["msg"].removeprefix("Value error, ")
            got = err.get("input")
            shown = (
                ""
                if isinstance(got, dict | list) or got is None or f"{got!r}" in msg
                else f" (got {got!r})"
            )
            lines.append(f"{source}: {where}: {msg}{shown}")
    return "\n".join(dict.fromkeys(lines))
