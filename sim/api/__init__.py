"""Stage 9, the Python API: crewsim as it is used from a notebook or a script.

    import crewsim
    scenario = crewsim.load("scenarios/vyzov_2021.yaml")          # validated; .with_changes({...})
    run = crewsim.simulate(scenario, n=2000, seed=1)              # a Run, in memory
    run.outcomes, run.percentiles(), run.p_on_time(), run.summary(), run.plot.s_curve()
    run.save("results/mine"); crewsim.open("results/mine")        # the same Run from a folder
    crewsim.sweep(scenario, {"work.tasks.0.hours": ["60 h", "80 h"]}, n=500)   # tidy DataFrame

Takes scenario files and folders; gives :class:`Run` and :class:`Scenario` objects, DataFrames and
Figures that display themselves in Jupyter. Built on the stages below it, never the other way.
"""

from sim.analysis import Comparison, Proportion
from sim.api.display import enable_notebook_display
from sim.api.run import Run, compare, open_run, simulate
from sim.api.scenario import Scenario, load
from sim.api.sweeps import plot_sweep, sweep
from sim.errors import CrewsimError, RuntimeFault, ScenarioError

open = open_run  # noqa: A001 - crewsim.open(dir) reads a results folder, as the API promises

enable_notebook_display()

__all__ = [
    "Comparison",
    "CrewsimError",
    "Proportion",
    "Run",
    "RuntimeFault",
    "Scenario",
    "ScenarioError",
    "compare",
    "enable_notebook_display",
    "load",
    "open",
    "open_run",
    "plot_sweep",
    "simulate",
    "sweep",
]
