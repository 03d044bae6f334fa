"""Names of outcome columns, inputs and random streams, made once per scenario instead of
formatted in every replication.

A replication writes a few hundred cells such as ``"MS-18.landing_delay_h"`` or
``"crew.Peresild.home_utc"`` and asks for streams such as ``"landing.MS-18"``; building each name
with an f-string (and hashing the new string) costs more than the write itself. ``compiled.names``
hands them out instead::

    vn = c.names.of["MS-18"]             # vn.landing_delay_h == "MS-18.landing_delay_h"
    c.names.inputs["MS-18"].slip_d       # "in.MS-18.slip_d"
    c.names.crew["Peresild"].home_utc    # "crew.Peresild.home_utc"
    c.names.landing["MS-18"].prefix      # "landing.MS-18" (the stream); .weather, .descent

Each name is made the first time it is asked for and kept.
"""

from __future__ import annotations

from typing import Any


class Names:
    """The names under one prefix: attribute ``x`` is ``"<prefix>.x"`` (made once)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __getattr__(self, suffix: str) -> str:  # only for names not made yet
        if suffix.startswith("__"):  # copy and pickle probes: not names
            raise AttributeError(suffix)
        name = f"{self.prefix}.{suffix}"
        self.__dict__[suffix] = name
        return name

    def __repr__(self) -> str:
        return f"Names({self.prefix!r})"


class _ByName(dict):
    """``Names`` by vehicle or person name (or a tuple of parts), with the prefix
    ``pattern.format(name)`` (``pattern.format(*parts)``)."""

    def __init__(self, pattern: str) -> None:
        super().__init__()
        self._pattern = pattern

    def __missing__(self, name: Any) -> Names:
        parts = name if isinstance(name, tuple) else (name,)
        names = self[name] = Names(self._pattern.format(*parts))
        return names

    def __reduce__(self) -> tuple[Any, tuple[str]]:  # pickled empty: workers make their own
        return (_ByName, (self._pattern,))


class ScenarioNames:
    """The names of a scenario: per flight (``of``), a flight's sampled inputs (``inputs``), its
    launch, docking and landing streams and inputs (``launch``, ``docking``, ``landing``), per person (``crew``), per relocation and contingency (and their
    inputs), per vehicle-failure stream (``health``), each probability's stream (``param``), and a
    flight's docking-delay causes."""

    def __init__(self) -> None:
        self.of = _ByName("{}")
        self.inputs = _ByName("in.{}")
        self.crew = _ByName("crew.{}")
        self.launch = _ByName("launch.{}")
        self.landing = _ByName("landing.{}")
        self.docking = _ByName("docking.{}")
        self.relocation = _ByName("relocation.{}")  # by relocation index
        self.relocation_inputs = _ByName("in.relocation.{}")
        self.contingency = _ByName("contingency.{}")
        self.contingency_inputs = _ByName("in.contingency.{}")
        self.health = _ByName("health.{}.{}")  # by (failure index, vehicle)
        self.param = _ByName("param.{}")  # a probability's own stream, by its name
        self._dock_delay: dict[str, tuple[tuple[str, str], ...]] = {}

    def dock_delay(self, vehicle: str, causes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """``(cause, "<vehicle>.dock_delay.<cause>_h")`` for each cause, in order."""
        got = self._dock_delay.get(vehicle)
        if got is None:
            got = self._dock_delay[vehicle] = tuple(
                (cause, f"{vehicle}.dock_delay.{cause}_h") for cause in causes
            )
        return got

    def __reduce__(self) -> tuple[Any, tuple[()]]:  # pickled empty: workers make their own
        return (ScenarioNames, ())
