"""Outcome rows and event tuples as Arrow tables, the form in which results are written.

Raw outcome rows hold time points as float **hours since the scenario epoch** in the columns whose
name ends in ``_utc``; they are stored as ``timestamp[ns, tz=UTC]`` (NaN or None: null, the event
did not happen). Every other column takes the type Arrow infers from its Python values (floats:
``double`` with NaN kept as NaN, ints: ``int64``, bools, strings, all None: ``null``).

A chunk's rows are converted once per chunk, so this is on the runner's hot path (tens of
microseconds per replication against about 600 for the model): see :func:`rows_to_table`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from operator import methodcaller
from typing import TYPE_CHECKING, Any

from sim.errors import RuntimeFault

if TYPE_CHECKING:
    import pyarrow as pa

TIME_SUFFIX = "_utc"
EVENT_COLUMNS = ("replication", "time_utc", "flight", "process", "event", "detail")
_NS_PER_HOUR = 3_600_000_000_000
_MAX_NS = 2**63 - 2**12  # the int64 nanosecond range, less float64 rounding
_values = methodcaller("values")


def epoch_ns(epoch: dt.datetime) -> int:
    """Nanoseconds since 1970-01-01 UTC of a timezone-aware epoch."""
    if epoch.tzinfo is None:
        raise RuntimeFault(f"scenario epoch {epoch!r} has no time zone; it must be UTC-aware")
    delta = epoch - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def _hours_to_timestamps(hours: Sequence[Any], epoch_ns: int) -> pa.Array:
    """Float hours since epoch (NaN/None = did not happen) -> ``timestamp[ns, UTC]`` (null)."""
    import numpy as np
    import pyarrow as pa

    h = np.asarray(hours, dtype=float)
    mask = ~np.isfinite(h)
    ns = np.zeros(len(h), dtype=np.int64)
    ok = ~mask
    with np.errstate(over="ignore", invalid="ignore"):
        offset = np.rint(h[ok] * _NS_PER_HOUR)
        approx = epoch_ns + offset  # float: only to see whether the exact sum fits int64
    if approx.size and not (np.abs(approx) < _MAX_NS).all():  # would wrap around in int64
        worst = float(h[ok][np.argmax(np.abs(approx))])
        raise RuntimeFault(
            f"a time {worst:g} h after the epoch cannot be stored (beyond the years 1677-2262); "
            "a scenario duration is too large"
        )
    ns[ok] = epoch_ns + offset.astype(np.int64)  # exact integer sum, as before the check
    return pa.array(ns, type=pa.timestamp("ns", tz="UTC"), mask=mask)


def _check_columns(rows: Sequence[Mapping[str, Any]]) -> bool:
    """True when every row has the first row's keys in the same order; False when some row has
    them in another order; ``RuntimeFault`` naming the replication when a row has other keys."""
    names = list(rows[0])
    if all(map(names.__eq__, map(list, rows))):  # the usual case, at C speed
        return True
    keys = rows[0].keys()
    for row in rows:
        if row.keys() != keys:
            extra = sorted(set(row) - set(keys))
            missing = sorted(set(keys) - set(row))
            raise RuntimeFault(
                f"replication {row.get('replication', '?')} returned a different set of outcome "
                f"columns than replication {rows[0].get('replication', '?')} (extra: {extra}, "
                f"missing: {missing}); every replication of a scenario must give the same columns"
            )
    return False


def _by_position(rows: Sequence[Mapping[str, Any]], width: int) -> list[list[Any]]:
    """The columns of rows whose keys are in the same order, taken by position: column ``j`` is
    the list of the very objects the rows hold in their ``j``-th place.

    The values are copied once into one flat list, row after row (where the model left them in
    memory), and each column is then a strided slice of it: both at C speed. Transposing the rows
    with ``zip`` instead walks every row once per column, which costs several times as much.
    """
    flat: list[Any] = []
    extend = flat.extend
    for values in map(_values, rows):
        extend(values)
    return [flat[j::width] for j in range(width)]


def rows_to_table(rows: Sequence[Mapping[str, Any]], epoch: dt.datetime) -> pa.Table:
    """One Arrow table from outcome rows, column by column (the columns of the first row).

    Every replication of a scenario yields the same set of columns; a row that does not is a model
    error and raises ``RuntimeFault`` naming the replication and the differing columns. A column
    whose values Arrow cannot hold in one type raises ``RuntimeFault`` naming the column.

    Each column is converted from its Python values by ``pyarrow.array`` (``_utc`` columns by
    ``numpy.asarray(..., dtype=float)``) from the list of its values, whether the list is taken
    from the rows by position (the rows share the first row's key order: the usual case, and the
    fast one) or by name.
    """
    import pyarrow as pa

    if not rows:
        raise ValueError("rows_to_table needs at least one row")
    names = list(rows[0])
    if _check_columns(rows):
        columns = _by_position(rows, len(names))
    else:
        columns = [[row[name] for row in rows] for name in names]
    e_ns = epoch_ns(epoch)
    arrays = []
    for name, values in zip(names, columns, strict=True):
        if name.endswith(TIME_SUFFIX):
            try:
                arrays.append(_hours_to_timestamps(values, e_ns))
            except RuntimeFault as exc:
                raise RuntimeFault(f"outcome column {name!r}: {exc}") from None
        else:
            try:
                arrays.append(pa.array(values))
            except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
                raise RuntimeFault(
                    f"outcome column {name!r} has values of mixed types: {exc}"
                ) from exc
    return pa.Table.from_arrays(arrays, names=names)


def events_to_table(events: Sequence[Sequence[Any]], epoch: dt.datetime) -> pa.Table:
    """Event tuples ``(replication, time_h, flight, process, event, detail)`` -> Arrow table."""
    import pyarrow as pa

    def text(v: Any) -> str | None:
        return None if v is None else v if isinstance(v, str) else str(v)

    cols = list(zip(*events, strict=True)) if events else [()] * 6
    return pa.Table.from_arrays(
        [
            pa.array([int(v) for v in cols[0]], type=pa.int64()),
            _hours_to_timestamps(cols[1], epoch_ns(epoch)),
            *(pa.array([text(v) for v in c], type=pa.string()) for c in cols[2:]),
        ],
        names=list(EVENT_COLUMNS),
    )
