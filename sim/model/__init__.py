"""The SimPy model of a crew rotation (one replication at a time).

``compile_scenario`` turns a validated scenario into plain numbers once; ``simulate_replication``
runs one replication and returns its outcome row and (optionally) its event trace.
"""

from sim.model.compiled import CompiledScenario, compile_scenario
from sim.model.rotation import simulate_replication

__all__ = ["CompiledScenario", "compile_scenario", "simulate_replication"]
