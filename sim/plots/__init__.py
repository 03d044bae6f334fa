"""Stage 5, figures: matplotlib ``Figure``s drawn from outcome tables and analysis results.

Takes DataFrames (outcome rows, event traces, sweep points); gives figures and writes nothing itself.
Every figure is built without pyplot (no global registry, headless, displays inline in notebooks)
in one style (:mod:`sim.plots.style`). Modules by what the figures show: :mod:`~sim.plots.risk`
(when the crew lands), :mod:`~sim.plots.drivers` (what drives the delay),
:mod:`~sim.plots.comparison` (two runs), :mod:`~sim.plots.timeline` (one replication),
:mod:`~sim.plots.diagnostics` (convergence, sweeps) and :mod:`~sim.plots.orbit` (opportunities).
"""

from sim.plots.comparison import ecdf_overlay
from sim.plots.diagnostics import convergence_plot, sweep_tradeoff
from sim.plots.drivers import attribution_bar, tornado
from sim.plots.orbit import plot_landing_opportunities
from sim.plots.risk import delay_histogram, landing_risk, launch_probability, risk_gantt, s_curve
from sim.plots.sweep_panels import sweep_figures, sweep_png
from sim.plots.timeline import crew_aboard, gantt

__all__ = [
    "attribution_bar",
    "convergence_plot",
    "crew_aboard",
    "delay_histogram",
    "ecdf_overlay",
    "gantt",
    "landing_risk",
    "launch_probability",
    "risk_gantt",
    "plot_landing_opportunities",
    "s_curve",
    "sweep_figures",
    "sweep_png",
    "sweep_tradeoff",
    "tornado",
]
