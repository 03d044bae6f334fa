"""Stage 6, the report: a results folder in, ``summary.md`` and ``plots/*.png`` beside it out.

Reads the folder back (:mod:`sim.montecarlo.results`), computes the headline statistics
(:mod:`sim.analysis`) and draws the figures (:mod:`sim.plots`). The ``run`` and ``report`` commands
decide when to write it; the runner knows nothing of it.
"""

from sim.report.summary import load_run, run_verdict, write_report

__all__ = ["load_run", "run_verdict", "write_report"]
