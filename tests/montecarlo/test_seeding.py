"""Random streams: keyed by (seed, replication, name), independent of order and reuse."""

import numpy as np

from sim.seeding import Streams, stream


def test_stream_depends_only_on_seed_replication_and_name():
    a = Streams(7, 3)
    first = a["launch.X"].random(5)
    a.release()
    # Another replication reuses the released generator object; replication 3 again gives the
    # same draws as a fresh generator, whatever came in between.
    b = Streams(7, 4)
    other = b["launch.X"].random(5)
    b.release()
    c = Streams(7, 3)
    again = c["launch.X"].random(5)
    assert np.array_equal(first, again)
    assert np.array_equal(first, stream(7, 3, "launch.X").random(5))
    assert not np.array_equal(first, other)


def test_named_streams_differ_and_do_not_shift_each_other():
    s = Streams(1, 0)
    x = s["a"].random(3)
    t = Streams(1, 0)
    t["b"].random(100)  # drawing from another stream first changes nothing for "a"
    assert np.array_equal(x, t["a"].random(3))
    assert not np.array_equal(x, t["b"].random(3))


def test_vectorised_replication_keys_equal_seed_sequence():
    import numpy as np

    from sim.seeding import replication_key, replication_keys

    reps = np.array([0, 1, 2, 77, 1023, 1024, 12_345, 2**31, 2**32 - 1], dtype=np.uint64)
    for seed in (0, 1, 20211005, 2**32 - 1, 2**32 + 5, 2**70 + 3):
        k0, k1 = replication_keys(seed, reps)
        for j, r in enumerate(reps.tolist()):
            want = np.random.SeedSequence(seed, spawn_key=(r,)).generate_state(2, np.uint64)
            assert (int(k0[j]), int(k1[j])) == (int(want[0]), int(want[1]))
            assert replication_key(seed, r) == (int(want[0]), int(want[1]))
