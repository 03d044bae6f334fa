"""Property: any single mutation of the baseline either validates or fails with a ScenarioError
that names the field.

The mutations work on the merged data of scenarios/vyzov_2021.yaml: drop a key (or list item),
change a value's type, scale a number negative, rename a key, or replace a reference to a vehicle,
port or person. ``validate_scenario`` must return a :class:`Scenario` or raise
:class:`ScenarioError` whose message names the source and the mutated path's first key (or, when a
key was dropped or renamed, or a reference replaced, the name involved: removing vehicle MS-18 is
reported where MS-18 is used). Never any other exception.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import ScenarioError
from sim.scenario import Scenario, load_scenario_data, validate_scenario

ROOT = Path(__file__).resolve().parents[2]
BASE_DATA = load_scenario_data(ROOT / "scenarios" / "vyzov_2021.yaml")
SOURCE = "mutant.yaml"

Path_ = tuple[Any, ...]


def _paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every path to a value (keys and list indices), depth first."""
    out: list[Path_] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.append((*prefix, i))
            out.extend(_paths(value, (*prefix, i)))
    return out


def _get(data: Any, path: Path_) -> Any:
    for key in path:
        data = data[key]
    return data


ALL_PATHS = _paths(BASE_DATA)
NUMERIC_PATHS = [
    p
    for p in ALL_PATHS
    if isinstance(_get(BASE_DATA, p), int | float) and not isinstance(_get(BASE_DATA, p), bool)
]
KEY_PATHS = [p for p in ALL_PATHS if isinstance(p[-1], str)]
VEHICLES = list(BASE_DATA["vehicles"])
PORTS = list(BASE_DATA["station"]["ports"])
PEOPLE = list(BASE_DATA["crew"])
NAMES = set(VEHICLES) | set(PORTS) | set(PEOPLE)
REF_PATHS = [
    p for p in ALL_PATHS if isinstance(_get(BASE_DATA, p), str) and _get(BASE_DATA, p) in NAMES
]
OTHER_TYPES = [None, 7, -2.5, "some text", [1, "a"], {"k": 1}, True, "3 h"]


@st.composite
def mutations(draw: st.DrawFn) -> tuple[str, Path_, dict[str, Any], set[str]]:
    """(kind, path, mutated data, names the message may use instead of the first key)."""
    kind = draw(st.sampled_from(["drop", "type", "negative", "rename", "reference"]))
    data = copy.deepcopy(BASE_DATA)
    if kind == "drop":
        path = draw(st.sampled_from(ALL_PATHS))
        parent = _get(data, path[:-1])
        del parent[path[-1]]
        old = _get(BASE_DATA, path)
        names = {str(path[-1])} | ({old} & NAMES if isinstance(old, str) else set())
    elif kind == "type":
        path = draw(st.sampled_from(ALL_PATHS))
        old = _get(BASE_DATA, path)
        new = draw(st.sampled_from([v for v in OTHER_TYPES if type(v) is not type(old)]))
        _get(data, path[:-1])[path[-1]] = new
        names = {str(path[-1])} | ({old} & NAMES if isinstance(old, str) else set())
    elif kind == "negative":
        path = draw(st.sampled_from(NUMERIC_PATHS))
        factor = draw(st.sampled_from([1, 2, 1000]))
        old = _get(BASE_DATA, path)
        new = -(abs(old) + 1) * factor
        _get(data, path[:-1])[path[-1]] = new if isinstance(old, float) else int(new)
        names = set()
    elif kind == "rename":
        path = draw(st.sampled_from(KEY_PATHS))
        suffix = draw(st.sampled_from(["x", "_", "-2", "s"]))
        parent = _get(data, path[:-1])
        items = list(parent.items())
        parent.clear()
        for key, value in items:
            parent[key + suffix if key == path[-1] else key] = value
        names = {str(path[-1])}
    else:
        path = draw(st.sampled_from(REF_PATHS))
        old = _get(BASE_DATA, path)
        new = draw(st.sampled_from([*sorted(NAMES - {old}), "Zarya", "MS-81", "Nobody"]))
        _get(data, path[:-1])[path[-1]] = new
        names = {old, new}
    return kind, path, data, names


def test_baseline_is_valid() -> None:
    assert isinstance(validate_scenario(copy.deepcopy(BASE_DATA), source=SOURCE), Scenario)
    assert len(REF_PATHS) > 20 and len(NUMERIC_PATHS) > 20


@settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(mutations())
def test_mutation_validates_or_names_the_field(mutation) -> None:
    kind, path, data, names = mutation
    try:
        result = validate_scenario(data, source=SOURCE)
    except ScenarioError as exc:
        message = str(exc)
        assert message.startswith(SOURCE + ": "), message
        named = {str(path[0]), *names}
        assert any(name in message for name in named), (kind, path, message)
    else:
        assert isinstance(result, Scenario)


# --------------------------------------------------------------------------- hostile values
# Non-finite and huge numbers, deep nesting and special files (issue 14): `validate` refuses what
# `run` could not use, with a ScenarioError naming the field, and accepts only what a replication
# turns into storable rows.
NON_FINITE = [float("nan"), float("inf"), float("-inf"), ".nan", ".inf"]
HUGE = [1e300, -1e300, 10**30, 2**63, 1e15, "1e300 h", "1e20 d", "99999-01-01T00:00:00Z"]


def _set(data: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    _get(out, path[:-1])[path[-1]] = value
    return out


@settings(max_examples=120, derandomize=True, deadline=None, database=None)
@given(st.sampled_from(NUMERIC_PATHS), st.sampled_from(NON_FINITE[:3]))
def test_non_finite_numbers_are_refused_naming_the_field(path, value) -> None:
    try:
        validate_scenario(_set(BASE_DATA, path, value), source=SOURCE)
    except ScenarioError as exc:
        assert str(exc).startswith(SOURCE + ": ")
        assert str(path[0]) in str(exc), (path, str(exc))
    else:
        raise AssertionError(f"{value} at {path} was accepted")


@settings(
    max_examples=80,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(st.sampled_from(NUMERIC_PATHS + REF_PATHS), st.sampled_from(HUGE))
def test_huge_values_are_refused_or_give_storable_rows(path, value) -> None:
    from sim.model import compile_scenario, simulate_replication
    from sim.montecarlo.results import rows_to_table

    try:
        scenario = validate_scenario(_set(BASE_DATA, path, value), source=SOURCE)
    except ScenarioError as exc:
        assert str(exc).startswith(SOURCE + ": ") and str(path[0]) in str(exc), str(exc)
        return
    compiled = compile_scenario(scenario)
    compiled.max_events = 20_000
    row, _ = simulate_replication(compiled, 0, 1)
    table = rows_to_table([row], scenario.epoch)  # times fit int64 nanoseconds, or it raises
    for name in table.column_names:
        if name.endswith("_utc") and table[name][0].is_valid:
            assert 1677 < table[name][0].as_py().year < 2262, (path, value, name)


@settings(max_examples=30, derandomize=True, deadline=None, database=None)
@given(st.sampled_from(ALL_PATHS), st.integers(60, 600), st.sampled_from(["list", "map"]))
def test_deep_nesting_is_refused_not_a_crash(tmp_path_factory, path, depth, kind) -> None:
    import yaml

    from sim.scenario import load_scenario

    nested: Any = 1
    for _ in range(depth):
        nested = [nested] if kind == "list" else {"k": nested}
    text = yaml.safe_dump(_set(BASE_DATA, path, "PLACEHOLDER"), sort_keys=False)
    flow = (
        ("[" * depth + "1" + "]" * depth)
        if kind == "list"
        else ("{k: " * depth + "1" + "}" * depth)
    )
    file = tmp_path_factory.mktemp("deep") / "deep.yaml"
    file.write_text(text.replace("PLACEHOLDER", flow, 1))
    try:
        load_scenario(file)
    except ScenarioError as exc:
        assert "nested too deeply" in str(exc) and str(file) in str(exc)
    else:
        raise AssertionError("a deeply nested value was accepted")


SPECIAL = ["/dev/zero", "/dev/urandom", "/dev/null", "FIFO", "FOLDER", "BIG"]


@settings(max_examples=12, derandomize=True, deadline=None, database=None)
@given(st.sampled_from(SPECIAL), st.booleans())
def test_special_files_are_refused_at_once(tmp_path_factory, special, through_extends) -> None:
    import os
    import time

    from sim.scenario import load_scenario

    tmp = tmp_path_factory.mktemp("special")
    target = Path(special)
    if special == "FIFO":
        target = tmp / "fifo"
        os.mkfifo(target)
    elif special == "FOLDER":
        target = tmp
    elif special == "BIG":
        target = tmp / "big.yaml"
        target.write_text("# padding\n" * 600_000)  # 6 MB of comments
    path = target
    if through_extends:
        path = tmp / "variant.yaml"
        path.write_text(f"extends: {target}\nname: variant\n")
    t0 = time.monotonic()
    try:
        load_scenario(path)
    except ScenarioError as exc:
        assert str(target) in str(exc) or str(path) in str(exc)
    else:
        raise AssertionError(f"{special} was read as a scenario")
    assert time.monotonic() - t0 < 5
