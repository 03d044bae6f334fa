"""Stage 5, figures: matplotlib ``Figure``s drawn from outcome tables and analysis results.

Takes DataFrames (outcome rows, event traces, sweep points); gives figures and writes nothing itself.
"""

from sim.plots.figures import (
    attribution_bar,
    convergence_plot,
    crew_aboard,
    delay_histogram,
    ecdf_overlay,
    gantt,
    launch_probability,
    s_curve,
    sweep_tradeoff,
    tornado,
)
from sim.plots.orbit import plot_landing_opportunities
from sim.plots.sweep_panels import sweep_figures, sweep_png

__all__ = [
    "attribution_bar",
    "convergence_plot",
    "crew_aboard",
    "delay_histogram",
    "ecdf_overlay",
    "gantt",
    "launch_probability",
    "plot_landing_opportunities",
    "s_curve",
    "sweep_figures",
    "sweep_png",
    "sweep_tradeoff",
    "tornado",
]
