"""Random streams of one replication.

Replication ``i`` of a run with seed ``s`` draws from streams derived from ``(s, i, name)`` only, so it
gives the same outcome alone, in any chunk, on any backend and with any number of workers. Each part of
the model (launch, docking, station, landing, ...) has its own named stream: changing one part of a
scenario does not reshuffle the draws of the others, which keeps common random numbers when two
scenarios are compared.
"""

from __future__ import annotations

import zlib

import numpy as np


def stable_id(name: str) -> int:
    """A process-independent 32-bit id of a stream name (Python's ``hash`` is salted per process)."""
    return zlib.crc32(name.encode("utf-8"))


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator named ``name`` of replication ``replication`` in a run seeded with ``seed``.

    Equivalent to ``SeedSequence(seed).spawn(...)`` indexed by the replication number, with one more
    level keyed by the stream name.
    """
    seq = np.random.SeedSequence(seed, spawn_key=(replication, stable_id(name)))
    return np.random.Generator(np.random.PCG64(seq))


class Streams:
    """Lazily created named streams of one replication (a stream costs ~20 us to create)."""

    __slots__ = ("seed", "replication", "_cache")

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._cache: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        rng = self._cache.get(name)
        if rng is None:
            rng = self._cache[name] = stream(self.seed, self.replication, name)
        return rng
