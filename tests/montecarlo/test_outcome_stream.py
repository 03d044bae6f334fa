"""``outcomes.parquet`` is written in replication order while chunks finish, and is byte for byte
the file a merge of the parts at the end would give (``sim.montecarlo.outcome_stream``)."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.errors import RuntimeFault
from sim.montecarlo import results
from sim.montecarlo.backends import ChunkSpec
from sim.montecarlo.outcome_stream import OutcomeStream
from sim.montecarlo.planning import plan_chunks

FLOAT = pa.float64()


def _chunk(spec: ChunkSpec, delay_type: pa.DataType = FLOAT) -> pa.Table:
    reps = list(range(spec.start, spec.stop))
    delay = [None] * len(reps) if pa.types.is_null(delay_type) else [r / 7 for r in reps]
    return pa.table(
        {
            "replication": pa.array(reps, pa.int64()),
            "outcome": pa.array([f"label-{r % 3}" for r in reps]),
            "delay_h": pa.array(delay, delay_type),
        }
    )


def _write_parts(run_dir, specs, tables) -> None:
    (run_dir / results.PARTS).mkdir(parents=True, exist_ok=True)
    for spec, table in zip(specs, tables, strict=True):
        tagged = results.tag_part(table, {"run_id": "t"}, spec.start, spec.stop)
        results.write_part_atomic(results.part_path(run_dir, spec.index), tagged)


def _merged(tmp_path, specs, tables) -> bytes:
    run_dir = tmp_path / "merged"
    _write_parts(run_dir, specs, tables)
    results.merge_parts(run_dir, [s.index for s in specs], "chunk", run_dir / "m.parquet")
    return (run_dir / "m.parquet").read_bytes()


@pytest.mark.parametrize("later_delay_type", [pa.float64(), pa.null()], ids=["same", "all-null"])
def test_chunks_finishing_out_of_order_give_the_merged_file_byte_for_byte(
    tmp_path, later_delay_type
):
    specs = plan_chunks(23, 5)
    tables = [_chunk(s, pa.float64() if s.index == 0 else later_delay_type) for s in specs]
    run_dir = tmp_path / "run"
    _write_parts(run_dir, specs, tables)
    stream = OutcomeStream(run_dir, specs)
    done: set[int] = set()
    for k in (2, 1, 4, 0, 3):  # as a parallel backend might finish them
        done.add(k)
        stream.advance(done, fresh=(k, tables[k]))
        # everything before the first missing chunk is in the file, nothing after it
        assert stream.next_chunk == min(set(range(6)) - done)
    assert stream.streaming and stream.tmp.exists() and not stream.dest.exists()
    assert stream.finish([s.index for s in specs]) == 23
    assert not stream.tmp.exists()
    assert stream.dest.read_bytes() == _merged(tmp_path, specs, tables)
    meta = pq.ParquetFile(stream.dest).metadata  # one row group per chunk
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [5, 5, 5, 5, 3]


def test_a_chunk_of_another_column_type_falls_back_to_the_merge(tmp_path):
    specs = plan_chunks(12, 4)
    tables = [_chunk(s, pa.null() if s.index == 0 else pa.float64()) for s in specs]
    run_dir = tmp_path / "run"
    _write_parts(run_dir, specs, tables)
    stream = OutcomeStream(run_dir, specs)
    stream.advance({0, 1, 2})
    assert not stream.streaming and not stream.tmp.exists()  # stopped at chunk 1, file deleted
    stream.finish([0, 1, 2])
    assert stream.dest.read_bytes() == _merged(tmp_path, specs, tables)
    assert pq.read_schema(stream.dest).field("delay_h").type == pa.float64()


def test_the_stream_stops_at_the_last_chunk_used_and_discarding_keeps_the_parts(tmp_path):
    specs = plan_chunks(12, 4)
    tables = [_chunk(s) for s in specs]
    run_dir = tmp_path / "run"
    _write_parts(run_dir, specs, tables)
    stream = OutcomeStream(run_dir, specs)
    stream.advance({0, 1, 2}, last=1)  # a stopping rule met at chunk 1
    assert stream.next_chunk == 2
    assert stream.finish([0, 1]) == 8
    assert pq.read_table(stream.dest).column("replication").to_pylist() == list(range(8))

    other = OutcomeStream(tmp_path / "run", specs)
    other.dest = tmp_path / "run" / "other.parquet"
    other.tmp = tmp_path / "run" / ".other.parquet.tmp"
    other.advance({0, 1})
    other.discard()  # an interrupted run: the growing file goes, every part stays
    assert not other.tmp.exists()
    assert results.finished_chunks(run_dir) == {0, 1, 2}


def test_a_chunk_out_of_replication_order_is_refused(tmp_path):
    specs = plan_chunks(8, 4)
    bad = _chunk(specs[0]).slice(0, 4)
    bad = bad.set_column(0, "replication", pa.array([0, 2, 1, 3], pa.int64()))
    stream = OutcomeStream(tmp_path, specs)
    with pytest.raises(RuntimeFault, match="does not hold replications 0-3 in order"):
        stream.advance({0}, fresh=(0, bad))
    stream.discard()
