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
    entropy (``generate_state(2, uint64)``).

    Keys are computed for a whole batch of ``KEY_BATCH`` consecutive replications at once
    (:func:`replication_keys`, the same values vectorised) and kept, so a chunk pays for its keys
    once; replication ``i`` alone gets the very same key.
    """
    base = replication - replication % KEY_BATCH
    batch = _KEYS.get((seed, base))
    if batch is None:
        if len(_KEYS) >= 4:
            _KEYS.pop(next(iter(_KEYS)))
        k0, k1 = replication_keys(seed, np.arange(base, base + KEY_BATCH, dtype=np.uint64))
        batch = _KEYS[(seed, base)] = (k0.tolist(), k1.tolist())
    j = replication - base
    return batch[0][j], batch[1][j]


#: Replications whose keys are derived together; the last few batches are kept per process.
KEY_BATCH = 1024
_KEYS: dict[tuple[int, int], tuple[list[int], list[int]]] = {}
_M32 = 0xFFFFFFFF
# numpy.random.SeedSequence's hashing constants (its published algorithm, by M. E. O'Neill).
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715


def replication_keys(seed: int, replications: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``SeedSequence(seed, spawn_key=(i,)).generate_state(2, uint64)`` for every ``i`` in
    ``replications`` (each below 2**32), vectorised: the two uint64 words of each key.

    The seed's part of the entropy pool is the same for every replication and is mixed once in
    Python integers; only the last mixing step, with the spawn key, runs on arrays (uint64 holding
    32-bit words). Tested equal to ``SeedSequence`` itself.
    """
    reps = np.asarray(replications, dtype=np.uint64)
    if reps.size and int(reps.max()) > _M32:
        raise ValueError("replication numbers must be below 2**32")
    mask = np.uint64(_M32)
    hash_const = [_INIT_A]

    def hashmix(value):
        const = hash_const[0]
        hash_const[0] = (const * _MULT_A) & _M32
        if isinstance(value, int):
            value = ((value ^ const) * hash_const[0]) & _M32
            return value ^ (value >> 16)
        value = ((value ^ np.uint64(const)) * np.uint64(hash_const[0])) & mask
        return value ^ (value >> np.uint64(16))

    def mix(x, y):
        if isinstance(x, int) and isinstance(y, int):
            result = (_MIX_L * x - _MIX_R * y) & _M32
            return result ^ (result >> 16)
        x, y = np.asarray(x, np.uint64), np.asarray(y, np.uint64)
        # (L*x - R*y) mod 2**32 without negative intermediates
        result = (
            np.uint64(_MIX_L) * x + (np.uint64(1 << 32) - ((np.uint64(_MIX_R) * y) & mask))
        ) & mask
        return result ^ (result >> np.uint64(16))

    run = []
    rest = seed
    while True:
        run.append(rest & _M32)
        rest >>= 32
        if not rest:
            break
    run += [0] * (4 - len(run))  # a spawn key pads the run entropy to the pool size
    pool = [hashmix(run[i]) for i in range(4)]
    for src in range(4):
        for dst in range(4):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for word in [*run[4:], reps]:
        for dst in range(4):
            pool[dst] = mix(pool[dst], hashmix(word))
    state = []
    const = _INIT_B
    for word in pool:
        value = np.asarray(word, np.uint64) ^ np.uint64(const)
        const = (const * _MULT_B) & _M32
        value = (value * np.uint64(const)) & mask
        state.append(value ^ (value >> np.uint64(16)))
    return state[0] | (state[1] << np.uint64(32)), state[2] | (state[3] << np.uint64(32))


def stream_from_key(key: tuple[int, int], name: str) -> np.random.Generator:
    """A Philox generator keyed by the replication key and the stream name.

    Philox is counter-based: distinct keys give independent streams, and keying it directly costs
    about half as much as hashing a new ``SeedSequence`` per stream.
    """
    k0 = key[0] ^ _name_offset(name)
    return np.random.Generator(np.random.Philox(key=np.array([k0, key[1]], dtype=np.uint64)))


#: ``stable_id(name) * _GOLDEN`` (64 bits) by stream name, computed once per name and process.
_NAME_OFFSETS: dict[str, int] = {}


def _name_offset(name: str) -> int:
    """The part of a stream's Philox key that comes from its name (cached per name)."""
    offset = _NAME_OFFSETS.get(name)
    if offset is None:
        offset = _NAME_OFFSETS[name] = (stable_id(name) * _GOLDEN) & _MASK64
    return offset


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator named ``name`` of replication ``replication`` in a run seeded with ``seed``."""
    return stream_from_key(replication_key(seed, replication), name)


#: Per-process free lists of generators, by stream name. Re-keying a Philox generator costs a
#: fifth of building one; the draws are the same as a fresh generator's (tested).
_FREE: dict[str, list[np.random.Generator]] = {}
_ZERO4 = (0, 0, 0, 0)


class Streams:
    """Lazily created named streams of one replication.

    Call :meth:`release` when the replication is over, so its generators can be re-keyed for the
    next one instead of being built again.
    """

    __slots__ = ("seed", "replication", "_key", "_cache")

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = seed
        self.replication = replication
        self._key: tuple[int, int] | None = None
        self._cache: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        rng = self._cache.get(name)
        if rng is not None:
            return rng
        key = self._key
        if key is None:
            key = self._key = replication_key(self.seed, self.replication)
        free = _FREE.get(name)
        if free:  # a generator of this name, used before (its name's offset is known)
            rng = free.pop()
            # The state of a fresh generator of this stream: counter and buffer zero, the buffer
            # used up. Python ints, not arrays: the Philox state setter reads them item by item.
            rng.bit_generator.state = {
                "bit_generator": "Philox",
                "state": {"counter": _ZERO4, "key": (key[0] ^ _NAME_OFFSETS[name], key[1])},
                "buffer": _ZERO4,
                "buffer_pos": 4,
                "has_uint32": 0,
                "uinteger": 0,
            }
        else:
            rng = stream_from_key(key, name)
        self._cache[name] = rng
        return rng

    def release(self) -> None:
        """Hand this replication's generators back for reuse (do not draw from them afterwards)."""
        for name, rng in self._cache.items():
            free = _FREE.get(name)
            if free is None:
                _FREE[name] = [rng]
            else:
                free.append(rng)
        self._cache.clear()


# --------------------------------------------------------------------------- stratified blocks
#: Spawn-key tag of the permutations of a block (a 2-tuple key never equals a replication's).
_BLOCK_TAG = 0xB10C
_PERMUTATIONS: dict[tuple[int, int, int, int], np.ndarray] = {}
#: The same permutations by replication: ``[position][dimension]`` as Python ints.
_COLUMNS: dict[tuple[int, int, int, int], list[list[int]]] = {}


def block_permutations(seed: int, block: int, dims: int, block_size: int) -> np.ndarray:
    """The strata of block ``block``: one random permutation of ``0..block_size-1`` per input
    dimension (a ``dims x block_size`` array), from ``(seed, block)`` only.

    Kept for the last few blocks of this process: consecutive replications share them.
    """
    key = (seed, block, dims, block_size)
    perms = _PERMUTATIONS.get(key)
    if perms is None:
        ss = np.random.SeedSequence(seed, spawn_key=(block, _BLOCK_TAG))
        rng = np.random.Generator(np.random.Philox(ss))
        perms = np.array([rng.permutation(block_size) for _ in range(dims)]).reshape(
            dims, block_size
        )
        if len(_PERMUTATIONS) >= 8:
            _PERMUTATIONS.pop(next(iter(_PERMUTATIONS)))
        _PERMUTATIONS[key] = perms
    return perms


def latin_hypercube_point(
    seed: int, replication: int, block_size: int, jitter: np.ndarray
) -> np.ndarray:
    """The uniforms (one per input dimension) of replication ``replication``: replications
    ``b*block_size .. (b+1)*block_size - 1`` form block ``b``, a Latin hypercube in which every
    dimension has exactly one point in each of its ``block_size`` equal strata. ``jitter`` (in
    [0, 1), one per dimension, from the replication's own stream) places the point inside its
    stratum. Every point is uniform on its own, so any subset of replications is unbiased."""
    block, position = divmod(replication, block_size)
    perms = block_permutations(seed, block, len(jitter), block_size)
    return (perms[:, position] + jitter) / block_size


def latin_hypercube_strata(seed: int, replication: int, block_size: int, dims: int) -> list[int]:
    """The stratum (0..block_size-1) of replication ``replication`` in each of ``dims``
    dimensions, as Python ints: ``(strata[d] + jitter[d]) / block_size`` is, bit for bit,
    :func:`latin_hypercube_point` (one float addition and division either way), without NumPy
    calls on arrays of a handful of numbers in every replication."""
    block, position = divmod(replication, block_size)
    key = (seed, block, dims, block_size)
    columns = _COLUMNS.get(key)
    if columns is None:
        columns = block_permutations(seed, block, dims, block_size).T.tolist()
        if len(_COLUMNS) >= 8:
            _COLUMNS.pop(next(iter(_COLUMNS)))
        _COLUMNS[key] = columns
    return columns[position]
