"""The grid of a parameter sweep: the ``--set PATH=V1,V2,...`` options, parsed and expanded.

An :class:`Axis` is one swept scenario field and the values (YAML text) it takes; a :class:`Point`
is one combination of values, numbered from 1 as its folder ``point-<k>`` is. Values are split on
commas except inside ``[..]``, ``{..}``, ``(..)`` or quotes, so a value may itself be a list or a
distribution mapping.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sim.errors import CrewsimError

MAX_SWEPT_FIELDS = 2
_CLOSERS = {"[": "]", "{": "}", "(": ")"}
_NUMBER_UNIT = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z%]*)\s*$")


@dataclass(frozen=True)
class Axis:
    """One swept scenario field: its dotted path and the values (YAML text) it takes."""

    path: str
    values: tuple[str, ...]

    def numbers(self) -> tuple[list[float], str] | None:
        """The values as numbers and their common unit (``"60 h"`` -> 60, ``"h"``), or None when
        a value is not a number or the units differ."""
        nums, units = [], set()
        for v in self.values:
            m = _NUMBER_UNIT.match(v)
            if not m:
                return None
            nums.append(float(m.group(1)))
            units.add(m.group(2))
        return (nums, units.pop()) if len(units) == 1 else None


@dataclass(frozen=True)
class Point:
    """One grid point: its number (1-based, as in ``point-<k>``) and one value per axis."""

    index: int
    assignments: tuple[tuple[str, str], ...]

    @property
    def overrides(self) -> list[str]:
        """The ``path=value`` overrides that make this point's scenario."""
        return [f"{path}={value}" for path, value in self.assignments]

    @property
    def label(self) -> str:
        """``"point 2 (work.tasks.0.hours=80 h)"``, for messages."""
        return f"point {self.index} ({', '.join(self.overrides)})"

    @property
    def folder(self) -> str:
        return f"point-{self.index}"


def split_values(text: str) -> list[str]:
    """Split ``"60 h,80 h"`` on the commas that are not inside ``[..]``, ``{..}``, ``(..)`` or
    quotes, so ``"[1, 2],[3, 4]"`` gives two values. Each value is stripped of spaces."""
    parts: list[str] = []
    depth: list[str] = []
    quote: str | None = None
    current: list[str] = []
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in _CLOSERS:
            depth.append(_CLOSERS[ch])
        elif depth and ch == depth[-1]:
            depth.pop()
        elif ch in "]})":
            raise CrewsimError(f"unbalanced {ch!r} in the values {text!r}")
        elif ch == "," and not depth:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    if quote or depth:
        missing = quote or depth[-1]
        raise CrewsimError(f"unclosed value in {text!r}: expected {missing!r}")
    parts.append("".join(current).strip())
    return parts


def parse_axis(option: str) -> Axis:
    """Parse one ``--set PATH=V1,V2,...`` option into an :class:`Axis`."""
    if "=" not in option:
        raise CrewsimError(
            f"--set {option!r}: expected PATH=V1,V2,..., e.g. work.tasks.0.hours='60 h,80 h,100 h'"
        )
    path, text = option.split("=", 1)
    path = path.strip()
    if not path or not all(path.split(".")):
        raise CrewsimError(f"--set {option!r}: empty field path or empty key in {path!r}")
    if not text.strip():
        raise CrewsimError(f"--set {option!r}: no values to sweep for {path}")
    values = split_values(text)
    for k, v in enumerate(values, start=1):
        if not v:
            raise CrewsimError(f"--set {option!r}: value {k} of {path} is empty (stray comma?)")
    dupes = sorted({v for v in values if values.count(v) > 1})
    if dupes:
        raise CrewsimError(f"--set {option!r}: {path} lists {', '.join(dupes)} more than once")
    return Axis(path, tuple(values))


def parse_axes(options: Sequence[str]) -> list[Axis]:
    """Parse the ``--set`` options; a field may appear once, and at most two fields may take more
    than one value (a one-value ``--set`` is a fixed override applied at every point)."""
    if not options:
        raise CrewsimError("nothing to sweep: give --set PATH=V1,V2,... (once or twice)")
    axes = [parse_axis(o) for o in options]
    paths = [a.path for a in axes]
    twice = sorted({p for p in paths if paths.count(p) > 1})
    if twice:
        raise CrewsimError(
            f"--set names {', '.join(twice)} more than once; list all its values once"
        )
    swept = [a for a in axes if len(a.values) > 1]
    if len(swept) > MAX_SWEPT_FIELDS:
        raise CrewsimError(
            f"a sweep varies at most {MAX_SWEPT_FIELDS} fields; got {len(swept)} "
            f"({', '.join(a.path for a in swept)})"
        )
    return axes


def expand_grid(axes: Sequence[Axis]) -> list[Point]:
    """The cartesian product of the axes, the first axis varying slowest; points numbered from 1."""
    combos = itertools.product(*[[(a.path, v) for v in a.values] for a in axes])
    return [Point(k, tuple(combo)) for k, combo in enumerate(combos, start=1)]
