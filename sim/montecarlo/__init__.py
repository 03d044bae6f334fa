"""Stage 3, Monte Carlo: many replications of the model, and the results folder they fill.

Takes a scenario file and a seed; gives a results folder (``outcomes.parquet``, ``events.parquet``,
``scenario.yaml``, ``manifest.json``) written in chunks that survive an interruption. Replication *i*
gets the same random streams (:mod:`sim.seeding`) on every backend (:mod:`.backends`: serial,
processes, Dask), so the rows are identical however the run is split. :mod:`.runner` runs and
resumes; :mod:`.planning` cuts a run into chunks and records its state; :mod:`.execution` runs the
missing chunks and finishes the folder; :mod:`.stopping` stops a run early once a precision target
is met; :mod:`.results` reads and writes the folder (:mod:`.tables`: outcome rows and events as
Arrow tables; :mod:`.outcome_stream`: ``outcomes.parquet`` written as chunks finish; :mod:`.atomic`:
safe writes; :mod:`.lock`: one writer per folder); :mod:`.sampling` names the sampling plans (mc, stratified, Latin hypercube
in blocks) and gives the between-block intervals that stay honest under them.
"""

from sim.montecarlo.results import load, load_events, load_manifest
from sim.montecarlo.runner import RunInterrupted, RunState, default_model, resume, run

__all__ = [
    "RunInterrupted",
    "RunState",
    "default_model",
    "load",
    "load_events",
    "load_manifest",
    "resume",
    "run",
]
