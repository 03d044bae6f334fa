"""Loading a scenario: YAML (safe, dates kept as text), ``extends:`` chains merged deeply, the
``defaults:`` section applied, ``--set`` overrides, then validation against :mod:`.schema` and the
cross-field checks of :mod:`.checks`, with messages from :mod:`.messages`.
"""

from __future__ import annotations

import copy
import difflib
import stat
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import ScenarioError
from sim.scenario.checks import check_scenario
from sim.scenario.messages import format_validation
from sim.scenario.schema import Scenario

#: Largest scenario file read (bytes): a scenario is a page of text; anything bigger is a mistake
#: (a data file, a device) and would only exhaust memory.
MAX_SCENARIO_BYTES = 4 * 1024 * 1024
#: Deepest nesting of mappings and lists accepted (a scenario needs about 6 levels).
MAX_NESTING = 40


class _Loader(yaml.SafeLoader):
    """Safe YAML loader that keeps dates as text, so pydantic parses them with clear errors, and
    refuses a key given twice in one mapping (YAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"key {key!r} is given twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_text_file(path: Path, what: str = "scenario file", limit: int = MAX_SCENARIO_BYTES) -> str:
    """The UTF-8 text of ``path``, which must be a regular file of at most ``limit`` bytes.

    A device (``/dev/zero``), a FIFO or a folder is refused before it is opened, so reading can
    neither block for ever nor fill memory. Raises :class:`ScenarioError`.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "it is a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
        raise ScenarioError(f"{path}: cannot read the file: {kind}; expected a {what}")
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > limit:
        raise ScenarioError(
            f"{path}: larger than {limit // (1024 * 1024)} MB; a {what} is a page of text"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{path}: cannot read the file: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None


def _nesting_depth(data: Any) -> int:
    """How deeply mappings and lists nest in ``data`` (iteratively: no recursion limit)."""
    deepest = 0
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_NESTING:
                return depth
            stack.extend(
                (child, depth + 1) for child in (node.values() if isinstance(node, dict) else node)
            )
    return deepest


def parse_yaml(text: str, source: str) -> Any:
    """YAML text -> data (safe loader, dates kept as text, duplicate keys refused, nesting bounded).
    Raises :class:`ScenarioError` naming ``source``."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{source}: not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise ScenarioError(
            f"{source}: nested too deeply (more than {MAX_NESTING} levels)"
        ) from None
    if _nesting_depth(data) > MAX_NESTING:
        raise ScenarioError(f"{source}: nested too deeply (more than {MAX_NESTING} levels)")
    return data


def _read_yaml(path: Path) -> dict[str, Any]:
    data = parse_yaml(read_text_file(path), str(path))
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


def _resolve_extends(
    path: Path, chain: tuple[Path, ...] = (), also: typing.Sequence[Path] = ()
) -> dict[str, Any]:
    """The data of ``path`` merged over its ``extends:`` bases, and then over the files in ``also``
    (extra bases of the top file only: an alternative prior merged after the scenario's own bases
    and before its own settings, so the scenario's explicit values still win)."""
    path = path.resolve()
    if path in chain:
        cycle = " -> ".join(str(p) for p in (*chain, path))
        raise ScenarioError(f"{chain[-1]}: extends: circular chain {cycle}")
    data = _read_yaml(path)
    parents = data.pop("extends", None)
    if parents is None and not also:
        return data
    if parents is None:
        parents = []
    if isinstance(parents, str):
        parents = [parents]
    if not isinstance(parents, list) or not all(isinstance(p, str) for p in parents):
        raise ScenarioError(f"{path}: extends: expected a file name or a list of file names")
    if not all(p.strip() for p in parents):
        raise ScenarioError(f"{path}: extends: an empty file name; name the base scenario file")
    merged: dict[str, Any] = {}
    for parent in parents:
        parent_path = (path.parent / parent).resolve()
        if not parent_path.exists():
            raise ScenarioError(
                f"{path}: extends: no such file {parent!r} (looked for {parent_path})"
            )
        merged = deep_merge(merged, _resolve_extends(parent_path, (*chain, path)))
    for extra in also:
        merged = deep_merge(merged, _resolve_extends(Path(extra), (*chain, path)))
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
    if keys[0] == "extends":
        raise ScenarioError(
            f"--set {assignment!r}: `extends` cannot be changed with --set (the bases are merged "
            "before overrides apply); write a variant file with `extends:` instead"
        )
    try:
        value = parse_yaml(value_text, f"--set {assignment!r}")
    except ScenarioError as exc:
        if "nested too deeply" in str(exc) or "given twice" in str(exc):
            raise
        value = value_text
    out = copy.deepcopy(data)
    node: Any = out
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            if not (key.isascii() and key.isdigit()) or int(key) >= len(node):
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


def load_scenario_data(
    path: str | Path, overrides: typing.Sequence[str] = (), also: typing.Sequence[Path] = ()
) -> dict[str, Any]:
    """The merged raw data of a scenario file: ``extends`` resolved (then the extra bases
    ``also``), overrides applied."""
    data = _resolve_extends(Path(path), also=also)
    for assignment in overrides:
        try:
            data = apply_override(data, assignment)
        except ScenarioError as exc:
            raise ScenarioError(f"{path}: {exc}") from None
    return data


def load_scenario(
    path: str | Path, overrides: typing.Sequence[str] = (), also: typing.Sequence[Path] = ()
) -> Scenario:
    """Load, merge, validate and check a scenario file (with the extra bases ``also`` merged after
    its own, see :func:`_resolve_extends`). Raises :class:`ScenarioError`."""
    path = Path(path)
    data = load_scenario_data(path, overrides, also)
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


def sensitivity_bases(path: str | Path, scenario: Scenario) -> dict[str, Path]:
    """The alternative prior files of ``sensitivity.priors`` by label, resolved against the
    scenario file's folder; :class:`ScenarioError` naming the field when one is missing."""
    if scenario.sensitivity is None:
        return {}
    folder = Path(path).resolve().parent
    out: dict[str, Path] = {}
    for label, name in scenario.sensitivity.priors.items():
        base = (folder / name).resolve()
        if not base.is_file():
            raise ScenarioError(
                f"{path}: sensitivity.priors.{label}: no such file {name!r} (looked for {base}); "
                "expected a prior file such as priors/soyuz_ms_all_flights.yaml"
            )
        out[label] = base
    return out
