"""The inputs a replication draws once (launch slips, rendezvous and docking outcomes, work
efficiency, the first landing day's weather, ...) and which of them a sampling plan stratifies.

With ``mc`` every input comes from its named stream. With ``stratified`` the launch and relocation
slips, and with ``lhs`` every input below, take their uniform from a Latin hypercube over blocks of
``block_size`` replications (``sim.seeding.latin_hypercube_point``) and their value by inverse CDF.
Contingencies (Poisson arrivals, several per replication) always stay plain Monte Carlo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.compiled import CompiledScenario

SAMPLING_MODES = ("mc", "stratified", "lhs")
#: Replications per Latin-hypercube block: enough strata for a 1-in-8 slip class to be hit
#: exactly in proportion, and blocks enough (n / block_size) for honest between-block intervals.
DEFAULT_BLOCK_SIZE = 50


def once_per_replication_inputs(c: CompiledScenario) -> tuple[str, ...]:
    """Names of every input drawn once per replication, in a fixed order (the hypercube's axes)."""
    names: list[str] = []
    for v in c.launches:
        names += [
            f"launch.{v}.slip",
            f"launch.{v}.scrub",
            f"launch.{v}.failure",
            f"docking.{v}.missed_burn",
            f"docking.{v}.rendezvous",
            f"docking.{v}.auto",
        ]
    for r in c.relocations:
        names += [f"relocation.{r.index}.slip", f"relocation.{r.index}.duration"]
    for v in c.returns:
        names += [f"landing.{v}.weather", f"landing.{v}.descent"]
    names += [f"work.{t.name}.efficiency" for t in c.tasks]
    return tuple(names)


def stratified_inputs(c: CompiledScenario, mode: str) -> tuple[str, ...]:
    """The inputs ``mode`` stratifies (none for ``mc``)."""
    if mode not in SAMPLING_MODES:
        raise ValueError(f"unknown sampling {mode!r}; choose one of {', '.join(SAMPLING_MODES)}")
    every = once_per_replication_inputs(c)
    if mode == "mc":
        return ()
    if mode == "stratified":
        return tuple(n for n in every if n.endswith(".slip"))
    return every


def set_sampling(c: CompiledScenario, mode: str, block_size: int = DEFAULT_BLOCK_SIZE) -> None:
    """Make ``c`` sample with ``mode`` in blocks of ``block_size`` replications."""
    if block_size < 2 and mode != "mc":
        raise ValueError(f"a stratified block needs at least 2 replications, got {block_size}")
    c.sampling = mode
    c.block_size = block_size
    c.strata_names = stratified_inputs(c, mode)
