"""Loading a scenario: YAML (safe, dates kept as text), ``extends:`` chains merged deeply, the
``defaults:`` section applied, ``--set`` overrides, then validation against :mod:`.schema` and the
cross-field checks of :mod:`.checks`, with messages from :mod:`.messages`.
"""

from __future__ import annotations

import copy
import difflib
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.checks import check_scenario
from sim.scenario.messages import format_validation
from sim.scenario.schema import Scenario


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text, so pydantic parses them with clear errors."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc})") from None
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{path}: not valid YAML{where}: {problem}") from None
    if data is None:
        raise ScenarioError(f"{path}: the file is empty; expected a scenario mapping")
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{path}: expected a mapping of scenario fields at the top level, "
            f"got a {type(data).__name__}"
        )
    return data


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else in ``override`` replaces the base value.

    A distribution mapping (one with ``dist`` or ``value``) replaces the base value whole: merging
    ``{dist: uniform, low, high}`` into ``{dist: empirical, values, weights}`` would mix the
    parameters of two distributions.
    """
    out = copy.deepcopy(base)
    for key, value in override.items():
        is_distribution = isinstance(value, dict) and ("dist" in value or "value" in value)
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not is_distribution:
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _resolve_extends(path: Path, chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        raise ScenarioError(f"{chain[-1]}: extends: circular chain {cycle}")
    data = _read_yaml(path)
    parents = data.pop("extends", None)
    if parents is None:
        return data
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise ScenarioError(f"{path}: extends: expected a file name or a list of file names")
    merged: dict[str, Any] = {}
    for parent in parents:
        parent_path = (path.parent / parent).resolve()
        if not parent_path.exists():
            raise ScenarioError(
                f"{path}: extends: no such file {parent!r} (looked for {parent_path})"
            )
        merged = deep_merge(merged, _resolve_extends(parent_path, (*chain, path)))
    return deep_merge(merged, data)


#: Sections keyed by names the scenario defines: `--set` may change them, not invent new ones.
_NAMED_SECTIONS = ("vehicles", "crew", "returns")


def apply_override(data: dict[str, Any], assignment: str) -> dict[str, Any]:
    """Apply one ``dotted.path=value`` (value parsed as YAML; list items by index)."""
    if "=" not in assignment:
        raise ScenarioError(f"--set {assignment!r}: expected PATH=VALUE, e.g. monte_carlo.seed=7")
    path_text, value_text = assignment.split("=", 1)
    keys = [k for k in path_text.strip().split(".")]
    if not all(keys):
        raise ScenarioError(f"--set {assignment!r}: empty key in path {path_text!r}")
    try:
        value = yaml.load(value_text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError:
        value = value_text
    out = copy.deepcopy(data)
    node: Any = out
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            if not key.isdigit() or int(key) >= len(node):
                raise ScenarioError(
                    f"--set {assignment!r}: {where}: expected a list index below {len(node)}"
                )
            if last:
                node[int(key)] = value
            else:
                node = node[int(key)]
        elif isinstance(node, dict):
            if depth == 1 and keys[0] in _NAMED_SECTIONS and key not in node and node:
                close = difflib.get_close_matches(key, [str(k) for k in node], n=1)
                hint = (
                    f"; did you mean {close[0]!r}?"
                    if close
                    else f"; known: {', '.join(map(str, node))}"
                )
                raise ScenarioError(f"--set {assignment!r}: {keys[0]} has no {key!r}{hint}")
            if last:
                node[key] = value
            else:
                node = node.setdefault(key, {})
        else:
            raise ScenarioError(
                f"--set {assignment!r}: {where}: the parent is not a mapping or list"
            )
    return out


_DEFAULT_TARGETS = {"launch": "launch", "rendezvous": "rendezvous", "docking": "docking"}


def _apply_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """Fill every launching vehicle's launch/rendezvous/docking and every return from `defaults`."""
    defaults = data.get("defaults")
    if not isinstance(defaults, dict):
        return data
    out = copy.deepcopy(data)
    vehicles = out.get("vehicles")
    if isinstance(vehicles, dict):
        for spec in vehicles.values():
            if not isinstance(spec, dict) or "launch" not in spec:
                continue
            for section in _DEFAULT_TARGETS:
                base = _given(defaults.get(section))
                own = spec.get(section)
                # A section of the wrong type is left alone, for validation to report.
                if isinstance(base, dict) and (own is None or isinstance(own, dict)):
                    spec[section] = deep_merge(base, own or {})
    returns = out.get("returns")
    landing = _given(defaults.get("landing"))
    if isinstance(returns, dict) and isinstance(landing, dict):
        for name, spec in returns.items():
            if isinstance(spec, dict):
                returns[name] = deep_merge(landing, spec)
    return out


def _given(section: Any) -> Any:
    """A defaults section without its null entries (null in `defaults` means no default)."""
    if not isinstance(section, dict):
        return section
    return {key: value for key, value in section.items() if value is not None}


def load_scenario_data(path: str | Path, overrides: typing.Sequence[str] = ()) -> dict[str, Any]:
    """The merged raw data of a scenario file: ``extends`` resolved, overrides applied."""
    data = _resolve_extends(Path(path))
    for assignment in overrides:
        try:
            data = apply_override(data, assignment)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: {exc}") from None
    return data


def load_scenario(path: str | Path, overrides: typing.Sequence[str] = ()) -> Scenario:
    """Load, merge, validate and check a scenario file. Raises :class:`ScenarioError`."""
    path = Path(path)
    data = load_scenario_data(path, overrides)
    try:
        return validate_scenario(data, source=str(path))
    except ScenarioError as exc:
        if not overrides:
            raise
        given = "; ".join(f"--set {o}" for o in overrides)
        raise ScenarioError(f"{exc}\n(the scenario as changed by {given})") from None


def validate_scenario(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate raw scenario data (already merged) and run the cross-field checks."""
    filled = _apply_defaults(data)
    try:
        scenario = Scenario.model_validate(filled)
    except ValidationError as exc:
        raise ScenarioError(format_validation(exc, source, filled)) from None
    problems = check_scenario(scenario)
    if problems:
        raise ScenarioError("\n".join(f"{source}: {where}: {msg}" for where, msg in problems))
    return scenario
