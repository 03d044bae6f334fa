"""crewsim: schedule-risk simulation of crewed spaceflight rotations.

The package is a pipeline of stages (see ARCHITECTURE.md): :mod:`sim.scenario` (a YAML file to a
validated scenario), :mod:`sim.model` (one SimPy replication), :mod:`sim.montecarlo` (many
replications, the results folder), :mod:`sim.analysis` (statistics on outcome tables),
:mod:`sim.plots` (figures), :mod:`sim.report` (summary.md), with :mod:`sim.orbit` and
:mod:`sim.calibration` feeding the scenario, and :mod:`sim.commands` / :mod:`sim.cli` on top.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Names documented before the stage sub-packages existed; they keep working for one release.
_MOVED = {
    "results": "sim.montecarlo.results",
    "runner": "sim.montecarlo.runner",
    "sweep": "sim.analysis.sweep",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        return importlib.import_module(_MOVED[name])
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
