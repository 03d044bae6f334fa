"""``rows_to_table`` (taking the columns of rows by position, at C speed) gives exactly the table
of the straightforward conversion: each column gathered by name and given to ``pyarrow.array``
(time columns to ``numpy.asarray``), on real rows and on awkward ones; and part files read back
to the same table and merge to the same bytes as the streamed file."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.errors import RuntimeFault
from sim.montecarlo import results, tables

EPOCH = dt.datetime(2021, 9, 1, tzinfo=dt.UTC)


def straightforward_table(rows, epoch):
    """The reference: every column by name, converted from a list of its Python values."""
    keys = rows[0].keys()
    for row in rows:
        if row.keys() != keys:
            extra, missing = sorted(set(row) - set(keys)), sorted(set(keys) - set(row))
            raise RuntimeFault(
                f"replication {row.get('replication', '?')} returned a different set of outcome "
                f"columns than replication {rows[0].get('replication', '?')} (extra: {extra}, "
                f"missing: {missing}); every replication of a scenario must give the same columns"
            )
    e_ns = tables.epoch_ns(epoch)
    arrays = []
    for name in rows[0]:
        values = [row[name] for row in rows]
        if name.endswith("_utc"):
            try:
                arrays.append(tables._hours_to_timestamps(values, e_ns))
            except RuntimeFault as exc:
                raise RuntimeFault(f"outcome column {name!r}: {exc}") from None
        else:
            try:
                arrays.append(pa.array(values))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise RuntimeFault(
                    f"outcome column {name!r} has values of mixed types: {exc}"
                ) from exc
    return pa.Table.from_arrays(arrays, names=list(rows[0]))


def _parquet(table: pa.Table, **options) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **options)
    return sink.getvalue().to_pybytes()


def _ipc(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def assert_same_conversion(rows, epoch=EPOCH):
    """Same table (types, values bit for bit, NaN vs null) or the same error and message."""
    try:
        expected = straightforward_table(rows, epoch)
    except Exception as exc:  # noqa: BLE001 - whatever it is, the fast path must raise it too
        with pytest.raises(type(exc)) as got:
            results.rows_to_table(rows, epoch)
        assert str(got.value) == str(exc)
        return None
    table = results.rows_to_table(rows, epoch)
    assert table.schema == expected.schema
    assert _ipc(table) == _ipc(expected)  # buffers byte for byte: NaN payloads, null bitmaps
    assert _parquet(table) == _parquet(expected)
    return table


@pytest.fixture(scope="module")
def real_rows():
    """Outcome rows of the baseline as the model gives them (with NaN for things that did not
    happen, bools, ints and strings)."""
    from sim.model import compile_scenario, simulate_replication
    from sim.scenario import load_scenario

    compiled = compile_scenario(load_scenario("scenarios/vyzov_2021.yaml"))
    return compiled.epoch, [simulate_replication(compiled, i, 7)[0] for i in range(120)]


def test_real_rows_convert_exactly_as_column_by_column(real_rows):
    epoch, rows = real_rows
    table = assert_same_conversion(rows, epoch)
    kinds = {str(t) for t in table.schema.types}
    assert {"double", "int64", "bool", "string", "timestamp[ns, tz=UTC]"} <= kinds
    nan_columns = [
        c
        for c in table.column_names
        if pa.types.is_floating(table.schema.field(c).type)
        and any(v != v for v in table.column(c).to_pylist())  # fmt: skip
    ]
    assert nan_columns, "the baseline's rows hold NaN somewhere: the test would not cover it"


def _row(i: int, **over):
    row = {"replication": i, "x_utc": 1.5 * i, "delay_h": float(i), "ok": i % 2 == 0}
    row.update(over)
    return row


TRICKY = {
    "nan and None": [_row(0, delay_h=math.nan), _row(1, delay_h=None), _row(2)],
    "negative zero and nan payload": [
        _row(0, delay_h=-0.0),
        _row(1, delay_h=float(np.frombuffer(b"\x01\x00\x00\x00\x00\x00\xf8\x7f", "<f8")[0])),
    ],
    "ints then a float": [_row(0, n=1), _row(1, n=2.5), _row(2, n=3)],
    "float then ints": [_row(0, n=1.5), _row(1, n=2), _row(2, n=-7)],
    "an int beyond double precision among floats": [_row(0, n=1.5), _row(1, n=2**60)],
    "an int beyond int64": [_row(0, n=1), _row(1, n=2**63)],
    "bool among floats": [_row(0, n=1.5), _row(1, n=True)],
    "bool among ints": [_row(0, n=1), _row(1, n=True)],
    "int among bools": [_row(0, n=True), _row(1, n=1)],
    "strings and None": [_row(0, s="a"), _row(1, s=None), _row(2, s="é")],
    "string among floats": [_row(0, s=1.0), _row(1, s="x")],
    "all None": [_row(0, s=None), _row(1, s=None)],
    "bytes and strings": [_row(0, s="a"), _row(1, s=b"b")],
    "numpy scalars": [_row(0, n=np.float64(1.5), k=np.int64(3)), _row(1, n=2.0, k=4)],
    "lists": [_row(0, v=[1, 2]), _row(1, v=[3])],
    "lists of one length": [_row(0, v=[1, 2]), _row(1, v=[3, 4])],
    "time None, NaN and int": [_row(0, x_utc=None), _row(1, x_utc=math.nan), _row(2, x_utc=3)],
    "time as a numeric string": [_row(0), _row(1, x_utc="2.5")],
    "time out of range": [_row(0), _row(1, x_utc=1e300)],
    "a later time column out of range": [_row(0, y_utc=2.0), _row(1, y_utc=-1e300)],
    "time as text": [_row(0), _row(1, x_utc="soon")],
    "times as lists": [_row(0, x_utc=[1.0]), _row(1, x_utc=[2.0])],
    "mixed types before a time as text": [
        {"replication": 0, "m": 1.0, "t_utc": 1.0},
        {"replication": 1, "m": "x", "t_utc": "soon"},
    ],
    "one row": [_row(0)],
    "keys in another order": [_row(0), dict(reversed(list(_row(1).items())))],
    "an extra column": [_row(0), _row(1, y=2.0)],
    "a missing column": [_row(0), {k: v for k, v in _row(1).items() if k != "ok"}],
    "another order and a missing column": [
        _row(0),
        dict(reversed(list(_row(1).items()))),
        {k: v for k, v in _row(2).items() if k != "ok"},
    ],
}


@pytest.mark.parametrize("rows", TRICKY.values(), ids=TRICKY.keys())
def test_awkward_rows_convert_exactly_as_column_by_column(rows):
    assert_same_conversion(rows)


def test_a_different_set_of_columns_names_both_replications():
    with pytest.raises(RuntimeFault, match=r"replication 1 .* replication 0 \(extra: \['y'\]"):
        results.rows_to_table([_row(0), _row(1, y=2.0)], EPOCH)


def test_no_rows_is_a_programming_error():
    with pytest.raises(ValueError, match="at least one row"):
        results.rows_to_table([], EPOCH)


def test_part_files_read_back_the_same_table_and_merge_to_the_streamed_bytes(real_rows, tmp_path):
    """Parts (Arrow IPC) give back exactly the chunk's table, so merging them writes the file the
    stream writes: each chunk one row group of a default ParquetWriter."""
    epoch, rows = real_rows
    chunks = [results.rows_to_table(rows[i : i + 40], epoch) for i in range(0, len(rows), 40)]
    (tmp_path / results.PARTS).mkdir()
    for k, table in enumerate(chunks):
        tagged = results.tag_part(table, {"run_id": "t"}, 40 * k, 40 * k + 40)
        path = results.part_path(tmp_path, k)
        results.write_part_atomic(path, tagged)
        back = results.read_part(path)
        assert back.schema == tagged.schema and back.schema.metadata == tagged.schema.metadata
        assert _ipc(back.replace_schema_metadata()) == _ipc(table)
        assert results.read_part(path, ["replication"]).column_names == ["replication"]
    assert results.finished_chunks(tmp_path) == set(range(len(chunks)))
    results.merge_parts(tmp_path, range(len(chunks)), "chunk", tmp_path / "m.parquet")
    sink = pa.BufferOutputStream()
    with pq.ParquetWriter(sink, chunks[0].schema) as writer:
        for table in chunks:
            writer.write_table(table, row_group_size=table.num_rows)
    assert (tmp_path / "m.parquet").read_bytes() == sink.getvalue().to_pybytes()
