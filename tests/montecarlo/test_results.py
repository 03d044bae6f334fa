"""The results folder: rows to Arrow, atomic parts, streaming merge, completeness and loading."""

from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.errors import CrewsimError, RuntimeFault
from sim.montecarlo import results

EPOCH = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)


def _row(i: int, **extra):
    return {"replication": i, "x_utc": 1.5 * i, "delay_h": float(i), "ok": i % 2 == 0, **extra}


def test_utc_columns_become_timestamps_from_epoch():
    table = results.rows_to_table([_row(0), _row(1), {**_row(2), "x_utc": math.nan}], EPOCH)
    assert table.schema.field("x_utc").type == pa.timestamp("ns", tz="UTC")
    df = table.to_pandas()
    assert df["x_utc"][1] == pd.Timestamp("2021-09-01T01:30:00Z")
    assert pd.isna(df["x_utc"][2])
    assert df["delay_h"].dtype == "float64" and df["ok"].dtype == bool
    assert list(df.columns) == ["replication", "x_utc", "delay_h", "ok"]


def test_rows_with_different_columns_are_rejected_with_the_replication():
    with pytest.raises(RuntimeFault, match=r"replication 1 .*extra: \['y'\]"):
        results.rows_to_table([_row(0), _row(1, y=2.0)], EPOCH)


def test_naive_epoch_is_rejected():
    with pytest.raises(RuntimeFault, match="time zone"):
        results.rows_to_table([_row(0)], dt.datetime(2021, 9, 1))


def test_events_table_has_the_documented_columns():
    t = results.events_to_table([(3, 2.0, "MS-19", "launch", "launched", {"a": 1})], EPOCH)
    assert t.column_names == list(results.EVENT_COLUMNS)
    assert t.column("detail").to_pylist() == ["{'a': 1}"]
    assert results.events_to_table([], EPOCH).num_rows == 0


def test_merge_unifies_schemas_and_keeps_replication_order(tmp_path):
    (tmp_path / results.PARTS).mkdir()
    a = pa.table({"replication": [0, 1], "v": pa.array([None, None], pa.null())})
    b = pa.table({"replication": [2], "v": ["x"]})
    results.write_part_atomic(results.part_path(tmp_path, 0), a)
    results.write_part_atomic(results.part_path(tmp_path, 1), b)
    assert results.finished_chunks(tmp_path) == {0, 1}
    n = results.merge_parts(tmp_path, [0, 1], "chunk", tmp_path / "out.parquet")
    assert n == 3
    f = pq.ParquetFile(tmp_path / "out.parquet")
    assert f.num_row_groups == 2
    assert f.read().column("v").to_pylist() == [None, None, "x"]
    assert f.read().column("replication").to_pylist() == [0, 1, 2]


def test_merge_rejects_parts_with_different_columns(tmp_path):
    (tmp_path / results.PARTS).mkdir()
    results.write_part_atomic(results.part_path(tmp_path, 0), pa.table({"a": [1]}))
    results.write_part_atomic(results.part_path(tmp_path, 1), pa.table({"b": [1]}))
    with pytest.raises(RuntimeFault, match="same columns"):
        results.merge_parts(tmp_path, [0, 1], "chunk", tmp_path / "out.parquet")


def test_temporary_part_files_are_not_counted_as_finished(tmp_path):
    parts = tmp_path / results.PARTS
    parts.mkdir()
    (parts / ".chunk-000004.parquet.123.tmp").write_bytes(b"half")
    assert results.finished_chunks(tmp_path) == set()


def _fake_run(folder, status="complete"):
    folder.mkdir(parents=True)
    pq.write_table(pa.table({"replication": [0]}), folder / results.OUTCOMES)
    pq.write_table(results.events_to_table([], EPOCH), folder / results.EVENTS)
    if status:
        results.write_json_atomic(folder / results.MANIFEST, {"status": status})
    return folder


def test_complete_run_loads(tmp_path):
    run = _fake_run(tmp_path / "r1")
    assert results.is_complete(run)
    assert results.load(run)["replication"].tolist() == [0]
    assert results.load_manifest(run)["status"] == "complete"
    assert results.load_events(run).empty


@pytest.mark.parametrize("status", [None, "running"])
def test_folder_without_complete_manifest_is_never_complete(tmp_path, status):
    run = _fake_run(tmp_path / "r2", status=status)
    assert not results.is_complete(run)
    with pytest.raises(CrewsimError, match="--resume"):
        results.load(run)


def test_partial_folder_is_not_complete_even_with_a_manifest(tmp_path):
    run = _fake_run(tmp_path / "r3.partial")
    assert not results.is_complete(run)
    with pytest.raises(CrewsimError, match="not a complete"):
        results.load(tmp_path / "r3")  # the final name resolves to the partial folder


def test_corrupt_manifest_is_not_complete(tmp_path):
    run = _fake_run(tmp_path / "r4", status=None)
    (run / results.MANIFEST).write_text("{not json")
    assert not results.is_complete(run)
    assert json.loads('{"status": "complete"}')  # sanity of the fixture format


def test_run_id_has_timestamp_and_input_hash():
    now = dt.datetime(2026, 11, 27, 8, 15, tzinfo=dt.UTC)
    rid = results.make_run_id("name: x\n", 1, 10, now)
    assert rid.startswith("20261127T081500Z-") and len(rid) == len("20261127T081500Z-") + 6
    assert rid != results.make_run_id("name: x\n", 2, 10, now)


def test_missing_folder_is_bad_input(tmp_path):
    with pytest.raises(CrewsimError, match="no results folder"):
        results.load(tmp_path / "nope")


def test_a_time_beyond_int64_nanoseconds_is_a_fault_not_a_wrapped_date():
    """Issue 14, item 1: 1e300 h after the epoch used to be stored as a date in 1729."""
    epoch = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)
    ok = results.rows_to_table([{"replication": 0, "landing_actual_utc": 24.0}], epoch)
    assert ok["landing_actual_utc"][0].as_py() == dt.datetime(2021, 9, 2, tzinfo=dt.UTC)
    for hours in (1e300, -1e300, 3e6):
        with pytest.raises(RuntimeFault, match="'landing_actual_utc'.*1677-2262"):
            results.rows_to_table([{"replication": 0, "landing_actual_utc": hours}], epoch)
    with pytest.raises(RuntimeFault, match="1677-2262"):
        results.events_to_table([(0, 1e300, "MS-19", "launch", "launch", "")], epoch)


def test_times_are_stored_to_the_nanosecond():
    """The range check must not round the stored instant through float64 (2^53 < 1.6e18 ns)."""
    epoch = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)
    hours = 1234.567890123
    table = results.rows_to_table([{"replication": 0, "landing_actual_utc": hours}], epoch)
    stored = table["landing_actual_utc"].cast(pa.int64())[0].as_py()
    assert stored == results.epoch_ns(epoch) + round(hours * 3_600_000_000_000)
