"""Resume never merges a part that is not this run's (issue 14, item 3).

Each part file carries its run's identity (seed, scenario hash, crewsim version, run id) and its
replication range; a resume checks them before merging. A part that is truncated, empty, copied
from another chunk or from another run is recomputed, so the resumed rows are always those of an
uninterrupted run.
"""

from __future__ import annotations

import json
import shutil

import fake_model
import pandas as pd
import pytest

from sim.errors import CrewsimError, RuntimeFault
from sim.montecarlo import results, runner

MODEL = fake_model.MODEL


def _run(scenario, out, **kw):
    kw.setdefault("n", 500)
    kw.setdefault("chunk_size", 100)
    kw.setdefault("backend", "serial")
    return runner.run(str(scenario), out=out, model=MODEL, **kw)


def _stopped_after(scenario, out, chunks: int, **kw):
    """A run whose disk fails after ``chunks`` chunk parts: a resumable ``.partial`` folder."""
    real = results.write_part_atomic
    count = {"n": 0}

    def failing(path, table):
        count["n"] += path.name.startswith("chunk-")
        if count["n"] > chunks:
            raise OSError(28, "No space left on device")
        real(path, table)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(results, "write_part_atomic", failing)
        with pytest.raises(RuntimeFault):
            _run(scenario, out, **kw)
    return results.partial_path(out)


@pytest.fixture
def reference(tmp_path):
    scenario = fake_model.write_scenario(tmp_path / "fake.yaml")
    return scenario, _run(scenario, tmp_path / "reference", trace_sample=150)


def _assert_rows_of(resumed, reference):
    pd.testing.assert_frame_equal(results.load(resumed), results.load(reference))
    pd.testing.assert_frame_equal(results.load_events(resumed), results.load_events(reference))


def test_a_part_copied_to_another_chunk_is_recomputed(reference, tmp_path):
    scenario, ref = reference
    partial = _stopped_after(scenario, tmp_path / "r", 2, trace_sample=150)
    shutil.copy(results.part_path(partial, 0), results.part_path(partial, 3))
    shutil.copy(results.part_path(partial, 0), results.part_path(partial, 4))
    resumed = runner.resume(partial, model=MODEL)
    _assert_rows_of(resumed, ref)
    recomputed = results.load_manifest(resumed)["parts_recomputed"]
    assert len(recomputed) == 2 and all("holds replications 0-100" in r for r in recomputed)


def test_a_part_of_a_run_with_another_seed_is_recomputed(reference, tmp_path):
    scenario, ref = reference
    other = _stopped_after(scenario, tmp_path / "other", 3, seed=8, trace_sample=150)
    partial = _stopped_after(scenario, tmp_path / "r", 1, trace_sample=150)
    shutil.copy(results.part_path(other, 2), results.part_path(partial, 2))
    resumed = runner.resume(partial, model=MODEL)
    _assert_rows_of(resumed, ref)
    assert "another run (run_id" in results.load_manifest(resumed)["parts_recomputed"][0]


def test_an_edited_run_json_does_not_mix_seeds(reference, tmp_path):
    scenario, ref = reference
    partial = _stopped_after(scenario, tmp_path / "r", 2, trace_sample=150)
    state = json.loads((partial / "run.json").read_text())
    state["seed"] = 8
    (partial / "run.json").write_text(json.dumps(state))
    resumed = runner.resume(partial, model=MODEL)
    seed8 = _run(scenario, tmp_path / "seed8", seed=8, trace_sample=150)
    _assert_rows_of(resumed, seed8)  # every row is of seed 8: the seed-7 parts were recomputed
    assert len(results.load_manifest(resumed)["parts_recomputed"]) == 2


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage"])
def test_a_damaged_part_is_recomputed_not_fatal(reference, tmp_path, damage):
    scenario, ref = reference
    partial = _stopped_after(scenario, tmp_path / "r", 3, trace_sample=150)
    part = results.part_path(partial, 1)
    data = part.read_bytes()
    part.write_bytes(
        {"empty": b"", "truncated": data[: len(data) // 2], "garbage": b"PAR1" + b"x" * 99}[damage]
    )
    resumed = runner.resume(partial, model=MODEL)
    _assert_rows_of(resumed, ref)
    assert "unreadable" in results.load_manifest(resumed)["parts_recomputed"][0]


def test_a_damaged_events_part_recomputes_its_chunk(reference, tmp_path):
    scenario, ref = reference
    partial = _stopped_after(scenario, tmp_path / "r", 3, trace_sample=150)
    results.part_path(partial, 1, "events").write_bytes(b"")
    resumed = runner.resume(partial, model=MODEL)
    _assert_rows_of(resumed, ref)


def test_parts_carry_their_identity_and_range(reference, tmp_path):
    scenario, _ = reference
    partial = _stopped_after(scenario, tmp_path / "r", 2)
    state = runner.RunState.read(partial)
    assert results.part_problem(results.part_path(partial, 1), state.identity(), 100, 200) is None
    assert "expected 0-100" in results.part_problem(
        results.part_path(partial, 1), state.identity(), 0, 100
    )
    other = {**state.identity(), "input_hash": "0" * 64}
    assert "another run" in results.part_problem(results.part_path(partial, 1), other, 100, 200)


def test_a_run_json_with_wrong_types_is_bad_input(reference, tmp_path):
    scenario, _ = reference
    partial = _stopped_after(scenario, tmp_path / "r", 2)
    state = json.loads((partial / "run.json").read_text())
    for key, value in (("replications", "many"), ("chunk_size", -3), ("overrides", 5)):
        (partial / "run.json").write_text(json.dumps({**state, key: value}))
        with pytest.raises(CrewsimError, match="cannot be resumed"):
            runner.resume(partial, model=MODEL)


def test_a_resumed_run_restores_a_missing_scenario_yaml(reference, tmp_path):
    scenario, ref = reference
    partial = _stopped_after(scenario, tmp_path / "r", 2, trace_sample=150)
    (partial / "scenario.yaml").unlink()
    resumed = runner.resume(partial, model=MODEL)
    assert (resumed / "scenario.yaml").read_text() == (ref / "scenario.yaml").read_text()
    _assert_rows_of(resumed, ref)
