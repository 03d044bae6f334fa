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


_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15  # odd constant spreading stream ids over the 64-bit key space


def replication_key(seed: int, replication: int) -> tuple[int, int]:
    """The 128-bit key of replication ``replication``: ``SeedSequence(seed).spawn(n)[replication]``'s
    entropy, drawn once per replication."""
    state = np.random.SeedSequence(seed, spawn_key=(replication,)).generate_state(2, np.uint64)
    return int(state[0]), int(state[1])


def stream_from_key(key: tuple[int, int], name: str) -> np.random.Generator:
    """A Philox generator keyed by the replication key and the stream name.

    Philox is counter-based: distinct keys give independent streams, and keying it directly costs
    about half as much as hashing a new ``SeedSequence`` per stream.
    """
    k0 = key[0] ^ ((stable_id(name) * _GOLDEN) & _MASK64)
    return np.random.Generator(np.random.Philox(key=np.array([k0, key[1]], dtype=np.uint64)))


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator named ``name`` of replication ``replication`` in a run seeded with ``seed``."""
    return stream_from_key(replication_key(seed, replication), name)


class Streams:
    """Lazily created named streams of one replication."""

    __slots__ = ("seed", "replication", "_key", "_cache")

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._key: tuple[int, int] | None = None
        self._cache: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        rng = self._cache.get(name)
        if rng is None:
            if self._key is None:
                self._key = replication_key(self.seed, self.replication)
            rng = self._cache[name] = stream_from_key(self._key, name)
        return rng
