"""One look for every figure: sized for a 16:9 slide, fonts readable from the back of a room, and a
palette whose colours differ in lightness so that a greyscale print still tells the series apart
(dark blue, mid red, mid green, light orange, grey; dashed and dotted lines carry the rest).

Figures are built without pyplot, so the style is applied by the :func:`styled` decorator, which
wraps the construction of each figure in ``matplotlib.rc_context`` and leaves global state alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import matplotlib as mpl
from matplotlib.figure import Figure

#: Colours by role, from darkest to lightest in greyscale.
BLUE = "#08306b"  # the main series (luminance ~20 %)
RED = "#c0392b"  # warnings, limits, "more delay" (~45 %)
GREEN = "#238b45"  # the plan, "on time" (~50 %)
GREY = "#8c8c8c"  # context, planned bars (~55 %)
ORANGE = "#f28e2b"  # percentiles, the second series (~65 %)
LIGHT = "#d9d9d9"  # planned bars, bands (~85 %)

#: A 16:9 slide at 10 inches wide; figures use this size unless they need more height.
SLIDE = (10.0, 5.625)
#: Resolution of saved PNGs (1500 x 844 pixels for a slide-sized figure).
DPI = 150

STYLE = {
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 9.5,
    "legend.framealpha": 0.9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "grid.alpha": 0.35,
    "grid.linewidth": 0.6,
    "lines.linewidth": 2.0,
    "savefig.dpi": DPI,
    "hatch.linewidth": 0.6,
}

P = ParamSpec("P")
R = TypeVar("R")


def styled(func: Callable[P, R]) -> Callable[P, R]:
    """Build the figure inside the project style (a ``matplotlib.rc_context``)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def new_figure(width: float = SLIDE[0], height: float = SLIDE[1]) -> Figure:
    """A bare Figure (no pyplot registry) with constrained layout, so nothing is clipped."""
    return Figure(figsize=(width, height), layout="constrained", dpi=100)


def titled(base: str, scenario: str | None, n: int | None, title: str | None) -> str:
    """``title`` when given, else ``base`` with a second line naming the scenario and the
    number of replications."""
    if title:
        return title
    parts = [p for p in (scenario, f"{n:,} replications" if n else None) if p]
    return f"{base}\n{', '.join(parts)}" if parts else base
