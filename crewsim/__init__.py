"""crewsim: schedule-risk simulation of crewed spaceflight rotations.

The import name of the Python API (the package itself is ``sim``)::

    import crewsim
    run = crewsim.simulate(crewsim.load("scenarios/vyzov_2021.yaml"), n=2000, seed=1)
    run.plot.s_curve()

``python -m crewsim`` is the ``crewsim`` command line.
"""

from sim import __version__
from sim.api import *  # noqa: F403 - the public API, as listed in sim.api.__all__
from sim.api import __all__ as _api

__all__ = ["__version__", *_api]
