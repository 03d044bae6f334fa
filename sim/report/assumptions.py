"""The assumptions table of a run: every uncertain input of the scenario, its distribution, and
whether it was calibrated from flight history (with the number of flights) or is a prior.

The resolved scenario (``scenario.yaml`` in the run folder) gives the inputs; the calibrated ones
are recognised from the prior files the scenario extends: ``crewsim calibrate`` writes each value
with a comment naming its sample size (``n=16``), and a scenario input that still equals that
fleet-wide default is calibrated with that n. Anything else is a prior (an expert guess).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

#: Sections of the scenario that hold inputs (``defaults`` is where calibrated values come from).
INPUT_SECTIONS = ("vehicles", "relocations", "work", "contingencies", "returns", "station")
#: Where a per-flight input takes its fleet-wide default from: (section, part) -> defaults key.
DEFAULT_OF = {
    ("vehicles", "launch"): "launch",
    ("vehicles", "rendezvous"): "rendezvous",
    ("vehicles", "docking"): "docking",
}

_KEY = re.compile(r"^(\s*)([\w.+-]+):")
_N = re.compile(r"\bn=(\d+)")


def calibrated_counts(text: str) -> dict[str, int]:
    """``{dotted.path: n}`` for every key of a YAML text preceded by a comment naming ``n=K``."""
    out: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    pending: int | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            m = _N.search(stripped)
            if m and len(line) - len(line.lstrip()) > 0:
                pending = int(m.group(1))
            continue
        m = _KEY.match(line)
        if not m:
            continue
        indent = len(m.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, m.group(2)))
        if pending is not None:
            out[".".join(k for _, k in stack)] = pending
            pending = None
    return out


def scenario_chain(path: Path, seen: set[Path] | None = None) -> list[Path]:
    """The scenario file and every file it extends, depth first (missing files skipped)."""
    seen = seen if seen is not None else set()
    path = path.resolve()
    if path in seen or not path.is_file():
        return []
    seen.add(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return [path]
    bases = data.get("extends") if isinstance(data, Mapping) else None
    bases = [bases] if isinstance(bases, str) else list(bases or [])
    out = [path]
    for base in bases:
        out += scenario_chain(path.parent / str(base), seen)
    return out


def _is_uncertain(value: Any) -> bool:
    if isinstance(value, Mapping):
        if "dist" in value:
            return str(value["dist"]) != "fixed"
        return "rate" in value and "per" in value
    return False


def describe(key: str, value: Any) -> str:
    """A distribution in one short line: "triangular(3.06, 3.215, 3.37) h", "p = 0.0366"."""
    if not isinstance(value, Mapping):
        return f"p = {value:g}" if key.endswith("_p") else str(value)
    if "rate" in value and "dist" not in value:
        return f"Poisson, {value['rate']:g} per {value.get('per', '?')}"
    dist = str(value["dist"])
    unit = f" {value['unit']}" if value.get("unit") else ""
    record = _describe_record(dist, value, unit)
    if record is not None:
        return record
    if dist == "empirical":
        vals = "/".join(f"{v:g}" for v in value.get("values", []))
        weights = "/".join(f"{w:g}" for w in value.get("weights", []))
        return f"empirical {vals}{unit}, weights {weights}"
    params = [
        f"{v:g}" if isinstance(v, int | float) else str(v)
        for k, v in value.items()
        if k not in ("dist", "unit", "lamb")
    ]
    return f"{dist}({', '.join(params)}){unit}"


#: The reference priors a count is combined with (``sim.scenario.posterior.REFERENCE_PRIORS``).
_REFERENCE = {"jeffreys": (0.5, 0.5), "uniform": (1.0, 1.0)}


def _on_time(value: Mapping[str, Any]) -> str:
    prior = str(value.get("prior", "jeffreys"))
    return f"on time in {value['zeros']:g} of {value['n']:g} flights (share Beta-drawn, {prior})"


def _describe_record(dist: str, value: Mapping[str, Any], unit: str) -> str | None:
    """The distributions written from a record (counts, observed values) in words, so the table
    says what they rest on rather than listing their parameters; None for any other."""
    if dist == "beta" and {"k", "n"} <= set(value):
        k, n = float(value["k"]), float(value["n"])
        prior = str(value.get("prior", "jeffreys"))
        a0, b0 = _REFERENCE.get(prior, (0.5, 0.5))
        mean = (k + a0) / (n + a0 + b0)
        return f"Beta posterior of {k:g} in {n:g} flights ({prior}), mean {mean:.3g}"
    if dist == "predictive" and {"family", "n", "mean"} <= set(value):
        centre = float(value["mean"])
        median = math.exp(centre) if value["family"] == "lognormal" else centre
        bounds = ""
        if value.get("low") is not None and value.get("high") is not None:
            bounds = f", within {float(value['low']):.3g}-{float(value['high']):.3g}{unit}"
        return (
            f"{value['family']} predictive from {value['n']:g} flights, median "
            f"{median:.3g}{unit}{bounds}"
        )
    if dist == "zero_inflated_empirical" and {"zeros", "n"} <= set(value):
        sizes = "/".join(f"{v:g}" for v in value.get("positive") or [])
        if not sizes:
            return f"{_on_time(value)}; else {value.get('min_slip', 1):g}{unit}"
        return f"{_on_time(value)}; else one of the slips {sizes}{unit}"
    if dist == "zero_inflated_weibull" and {"zeros", "n"} <= set(value):
        sizes = "/".join(f"{v:g}" for v in value.get("positive") or [])
        low, high = value.get("low"), value.get("high")
        span = f", {low:g}-{high:g}{unit}" if low is not None and high is not None else ""
        return (
            f"{_on_time(value)}; else a Weibull size given the slips {sizes}{unit} "
            f"(shape drawn from its posterior{span})"
        )
    return None


def uncertain_inputs(scenario: Mapping[str, Any]) -> Iterator[tuple[str, str, Any, str | None]]:
    """``(path, key, value, defaults_path)`` of every uncertain input: a non-fixed distribution,
    a probability above 0 (``*_p``) or a Poisson rate; ``defaults_path`` is where its fleet-wide
    default would sit (``defaults.launch.slip``), when it has one."""

    def walk(node: Any, path: list[str]) -> Iterator[tuple[str, str, Any, str | None]]:
        if isinstance(node, Mapping):
            items = list(node.items())
        elif isinstance(node, list):
            items = [
                (str(item.get("name", i)) if isinstance(item, Mapping) else str(i), item)
                for i, item in enumerate(node)
            ]
        else:
            return
        for key, value in items:
            here = [*path, str(key)]
            probability = str(key).endswith("_p") and isinstance(value, int | float) and value > 0
            if _is_uncertain(value) or probability:
                yield ".".join(here), str(key), value, _defaults_path(here)
            elif isinstance(value, Mapping | list):
                yield from walk(value, here)

    for section in INPUT_SECTIONS:
        if section in scenario:
            yield from walk(scenario[section], [section])


def _defaults_path(path: list[str]) -> str | None:
    if len(path) >= 4 and (path[0], path[2]) in DEFAULT_OF:
        return ".".join(["defaults", DEFAULT_OF[(path[0], path[2])], *path[3:]])
    if len(path) >= 3 and path[0] == "returns":
        return ".".join(["defaults", "landing", *path[2:]])
    return None


def _lookup(data: Mapping[str, Any], dotted: str) -> Any:
    node: Any = data
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def assumptions(
    scenario: Mapping[str, Any], scenario_path: str | Path | None = None
) -> list[tuple[str, str, str]]:
    """Rows ``(input, distribution, source)`` for the assumptions table."""
    counts: dict[str, int] = {}
    if scenario_path:
        for path in reversed(scenario_chain(Path(scenario_path))):
            try:
                counts |= calibrated_counts(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError):
                continue
    rows = []
    for path, key, value, default in uncertain_inputs(scenario):
        n = counts.get(path)
        same_as_default = default is not None and _lookup(scenario, default) == value
        if n is None and same_as_default and default in counts:
            n = counts[default]
        source = f"calibrated, n = {n} flights" if n is not None else "prior (expert guess)"
        rows.append((path, describe(key, value), source))
    if not scenario_path or not counts:
        rows = [(p, d, s if "calibrated" in s else "prior or not recorded") for p, d, s in rows]
    return rows
