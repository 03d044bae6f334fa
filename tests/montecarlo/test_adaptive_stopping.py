"""Adaptive stopping (``--precision COLUMN:Pxx:HALF_WIDTH``) on the real baseline scenario.

A run with a precision target stops at the first chunk boundary where the 95 % CI of the percentile
is narrow enough: earlier for a loose target than for a tight one, with exactly the rows a fixed-N
run of the same seed has first, and a manifest that says when and why it stopped. The column is
``contingency_h`` (crew-hours of contingencies, continuous, its P80 CI narrows steadily with N).
Serial backend, small chunks: a few seconds in all.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.montecarlo import results, runner

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"
N = 1_000
CHUNK = 50
SEED = 11
COLUMN = "contingency_h"
LOOSE = f"{COLUMN}:P80:0.6"  # met after a few chunks
TIGHT = f"{COLUMN}:P80:0.01"  # not met within N: runs to the maximum


def _run(out: Path, precision: str | None) -> Path:
    return runner.run(
        str(BASELINE),
        n=N,
        seed=SEED,
        backend="serial",
        out=out,
        chunk_size=CHUNK,
        trace_sample=5,
        precision=precision,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """One fixed-N run and two precision runs (loose, tight) of the same seed."""
    base = tmp_path_factory.mktemp("stopping")
    return {
        "fixed": _run(base / "fixed", None),
        "loose": _run(base / "loose", LOOSE),
        "tight": _run(base / "tight", TIGHT),
    }


def test_a_loose_target_stops_earlier_than_a_tight_one(runs):
    loose = results.load_manifest(runs["loose"])
    tight = results.load_manifest(runs["tight"])
    assert loose["replications"] < tight["replications"]
    assert loose["replications"] < N
    assert loose["replications"] % CHUNK == 0  # stops at a chunk boundary
    assert tight["replications"] == N
    assert loose["replications_requested"] == tight["replications_requested"] == N
    assert len(results.load(runs["loose"])) == loose["replications"]


def test_stopped_rows_are_the_first_rows_of_a_fixed_run(runs):
    fixed = results.load(runs["fixed"])
    loose = results.load(runs["loose"])
    m = len(loose)
    pd.testing.assert_frame_equal(loose, fixed.iloc[:m].reset_index(drop=True))
    assert loose["replication"].tolist() == list(range(m))
    pd.testing.assert_frame_equal(
        results.load_events(runs["loose"]), results.load_events(runs["fixed"])
    )


def test_the_manifest_records_when_and_why_it_stopped(runs):
    stop = results.load_manifest(runs["loose"])["stopping"]
    assert stop["rule"] == "precision"
    assert stop["column"] == COLUMN
    assert stop["percentile"] == pytest.approx(80.0)
    assert stop["target_half_width"] == pytest.approx(0.6)
    assert stop["reason"] == "half-width below target"
    assert stop["achieved_half_width"] < stop["target_half_width"]
    m = stop["replications"]
    assert results.load_manifest(runs["loose"])["replications"] == m

    # "When": the first chunk boundary at which the target is met, recomputed from the rows.
    # The baseline samples in Latin-hypercube blocks: the interval is the between-block one.
    rule = runner.Precision.parse(LOOSE)
    fixed = results.load(runs["fixed"])
    values = fixed[COLUMN].to_numpy(dtype=float)
    reps = fixed["replication"].to_numpy()
    block = results.load_manifest(runs["fixed"])["block_size"]
    assert results.load_manifest(runs["fixed"])["sampling"] == "lhs"

    def half_width(k: int) -> float:
        return rule.half_width_of(values[:k], reps[:k], block)

    assert half_width(m) == pytest.approx(stop["achieved_half_width"])
    earlier = [half_width(k) for k in range(CHUNK, m, CHUNK)]
    assert all(w >= rule.half_width for w in earlier)

    tight = results.load_manifest(runs["tight"])["stopping"]
    assert tight["reason"].startswith("reached the maximum number of replications")
    assert tight["replications"] == N
    assert tight["achieved_half_width"] is None or tight["achieved_half_width"] >= 0.01


def test_a_fixed_run_records_no_stopping(runs):
    assert results.load_manifest(runs["fixed"])["stopping"] is None
