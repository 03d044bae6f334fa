"""A scenario for the Python API: loaded from a file, changed like ``--set``, validated on every change.

``crewsim.load(path)`` gives a :class:`Scenario`. It reads like the validated pydantic model it wraps
(``scenario.work.tasks[0].hours``), and every change goes through the same path as the command
line's ``--set``: the raw data of the file (``extends:`` resolved) gets the override, then the whole
scenario is validated and cross-checked again. So ``scenario.with_changes({"work.tasks.0.hours":
"80 h"})`` returns a new scenario, and an assignment (``scenario["work.tasks.0.hours"] = "80 h"`` or
``scenario.work.tasks[0].hours = "80 h"``) changes this one, or raises ``ScenarioError`` naming the
file, the field and what was expected, leaving it as it was.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sim.errors import ScenarioError
from sim.scenario import Scenario as ScenarioModel
from sim.scenario import apply_override, load_scenario_data, validate_scenario

Changes = Mapping[str, Any] | Iterable[str]


def _value_text(value: Any) -> str:
    """A Python value as the YAML text ``--set`` would take: text as typed, else flow YAML."""
    if isinstance(value, str):
        return value
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return json.dumps(value, default=str)  # JSON is YAML; dates become ISO text


def _assignments(changes: Changes) -> list[str]:
    """``{"a.b": 1}`` or ``["a.b=1"]`` as ``--set`` assignments."""
    if isinstance(changes, str):
        raise ScenarioError(
            f"changes must be a mapping {{path: value}} or a list of 'path=value' (got {changes!r})"
        )
    if isinstance(changes, Mapping):
        return [f"{path}={_value_text(value)}" for path, value in changes.items()]
    return [str(c) for c in changes]


def _attribute(model: Any, key: str) -> str:
    """The attribute name of YAML key ``key`` (``from_`` for ``from``)."""
    if isinstance(model, BaseModel):
        for name, field in type(model).model_fields.items():
            if field.alias == key:
                return name
    return key


def _key(model: BaseModel, name: str) -> str:
    """The YAML key of attribute ``name`` (its alias, e.g. ``from`` for ``from_``)."""
    field = type(model).model_fields.get(name)
    return (field.alias or name) if field else name


class Scenario:
    """A validated scenario with its source file and the changes applied to it.

    Attributes read through to the pydantic model (:attr:`model`); ``with_changes`` and assignments
    are validated like ``--set``. ``changes`` lists the applied changes as ``path=value``.
    """

    __slots__ = ("_model", "_data", "_source", "_changes")

    def __init__(
        self,
        model: ScenarioModel,
        data: dict[str, Any],
        source: str | os.PathLike[str],
        changes: Iterable[str] = (),
    ) -> None:
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_data", data)
        object.__setattr__(self, "_source", Path(source))
        object.__setattr__(self, "_changes", tuple(changes))

    # ------------------------------------------------------------------ constructing
    @classmethod
    def from_file(cls, path: str | os.PathLike[str], changes: Changes = ()) -> Scenario:
        """Load ``path`` (``extends:`` resolved), apply ``changes`` and validate."""
        path = Path(path)
        if not path.is_file():
            raise ScenarioError(f"{path}: no such scenario file")
        data = load_scenario_data(path)
        return cls(validate_scenario(data, source=str(path)), data, path).with_changes(changes)

    def with_changes(self, changes: Changes) -> Scenario:
        """A new scenario with ``changes`` applied, validated like ``--set`` (this one is kept).

        ``changes`` maps dotted paths to values (``{"work.tasks.0.hours": "80 h",
        "returns.MS-18.policy": "until-done"}``; text is read as YAML, as on the command line) or
        lists ``"path=value"`` strings.
        """
        assignments = _assignments(changes)
        if not assignments:
            return self
        data = self._data
        for assignment in assignments:
            try:
                data = apply_override(data, assignment)
            except ScenarioError as exc:
                raise ScenarioError(f"{self._source}: {exc}") from None
        try:
            model = validate_scenario(data, source=str(self._source))
        except ScenarioError as exc:
            raise ScenarioError(
                f"{exc}\n(the scenario as changed by {'; '.join(assignments)})"
            ) from None
        return Scenario(model, data, self._source, (*self._changes, *assignments))

    # ------------------------------------------------------------------ reading
    @property
    def model(self) -> ScenarioModel:
        """The validated pydantic scenario (what the model compiles); treat it as read-only."""
        return self._model

    @property
    def source(self) -> Path:
        """The scenario file this was loaded from."""
        return self._source

    @property
    def changes(self) -> tuple[str, ...]:
        """The changes applied since loading, as ``path=value`` (``--set``) text."""
        return self._changes

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return _wrap(self, (_key(self._model, name),), getattr(self._model, name))

    def __getitem__(self, path: str) -> Any:
        """The value at a dotted path, e.g. ``scenario["work.tasks.0.hours"]`` (hours)."""
        node: Any = self
        for key in str(path).split("."):
            try:
                if isinstance(node, _Node) and node._is_list:
                    node = node[int(key)]
                elif isinstance(node, _Node) and node._is_dict:
                    node = node[key]
                else:
                    model = node._model if isinstance(node, Scenario) else node._value
                    node = getattr(node, _attribute(model, key))
            except (KeyError, IndexError, ValueError, AttributeError):
                raise KeyError(f"{self._source}: the scenario has no field {path!r}") from None
        return node

    def __dir__(self) -> list[str]:
        return sorted(
            {*type(self._model).model_fields, "model", "source", "changes", "with_changes"}
        )

    # ------------------------------------------------------------------ changing in place
    def __setattr__(self, name: str, value: Any) -> None:
        self._assign(_key(self._model, name), value)

    def __setitem__(self, path: str, value: Any) -> None:
        self._assign(str(path), value)

    def _assign(self, path: str, value: Any) -> None:
        changed = self.with_changes({path: value})  # raises, leaving self as it was
        object.__setattr__(self, "_model", changed._model)
        object.__setattr__(self, "_data", changed._data)
        object.__setattr__(self, "_changes", changed._changes)

    # ------------------------------------------------------------------ output
    def to_yaml(self) -> str:
        """The fully resolved scenario as YAML (what a run folder's ``scenario.yaml`` holds)."""
        import yaml

        return yaml.safe_dump(self._model.resolved_dict(), sort_keys=False, allow_unicode=True)

    def __repr__(self) -> str:
        m = self._model
        changed = f", {len(self._changes)} change(s)" if self._changes else ""
        return (
            f"<crewsim.Scenario {m.name!r} from {self._source}{changed}: {len(m.vehicles)} "
            f"vehicles, {len(m.crew)} people, {len(m.work.tasks)} tasks, returns "
            f"{', '.join(m.returns) or 'none'}>"
        )

    def _repr_html_(self) -> str:
        from sim.api.display import scenario_html

        return scenario_html(self)

    def __copy__(self) -> Scenario:
        return Scenario(self._model, self._data, self._source, self._changes)

    def __deepcopy__(self, memo: dict[int, Any]) -> Scenario:
        return Scenario(
            self._model.model_copy(deep=True),
            copy.deepcopy(self._data),
            self._source,
            self._changes,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._model == other._model

    __hash__ = None  # type: ignore[assignment]


def _wrap(root: Scenario, path: tuple[str, ...], value: Any) -> Any:
    """Sections (models, mappings, lists) as views whose assignments go through ``root``."""
    if isinstance(value, BaseModel | dict | list):
        return _Node(root, path, value)
    return value


class _Node:
    """A read-through view of one section of a scenario; assigning to it changes the scenario."""

    __slots__ = ("_root", "_path", "_value")

    def __init__(self, root: Scenario, path: tuple[str, ...], value: Any) -> None:
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_path", path)
        object.__setattr__(self, "_value", value)

    @property
    def _is_list(self) -> bool:
        return isinstance(self._value, list)

    @property
    def _is_dict(self) -> bool:
        return isinstance(self._value, dict)

    def _child(self, key: Any) -> str:
        return ".".join((*self._path, str(key)))

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._value, name)
        if isinstance(self._value, BaseModel) and name in type(self._value).model_fields:
            return _wrap(self._root, (*self._path, _key(self._value, name)), value)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        key = _key(self._value, name) if isinstance(self._value, BaseModel) else name
        self._root._assign(self._child(key), value)

    def __getitem__(self, key: Any) -> Any:
        return _wrap(self._root, (*self._path, str(key)), self._value[key])

    def __setitem__(self, key: Any, value: Any) -> None:
        self._root._assign(self._child(key), value)

    def __len__(self) -> int:
        return len(self._value)

    def __iter__(self) -> Iterator[Any]:
        if self._is_list:
            return (self[i] for i in range(len(self._value)))
        return iter(self._value)

    def __contains__(self, key: Any) -> bool:
        return key in self._value

    def keys(self) -> Any:
        return self._value.keys()

    def items(self) -> Iterator[tuple[Any, Any]]:
        return ((k, self[k]) for k in self._value)

    def values(self) -> Iterator[Any]:
        return (self[k] for k in self._value)

    def __eq__(self, other: object) -> bool:
        return self._value == (other._value if isinstance(other, _Node) else other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(self._value)

    def __dir__(self) -> list[str]:
        return dir(self._value)


def load(path: str | os.PathLike[str], changes: Changes = ()) -> Scenario:
    """Load a scenario file (``extends:`` resolved), apply ``changes`` like ``--set``, validate.

    Raises ``ScenarioError`` (a ``CrewsimError``) naming the file, the field and what was expected.
    """
    return Scenario.from_file(path, changes)
