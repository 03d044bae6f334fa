"""``outcomes.parquet`` written while a run goes, one row group per chunk, in replication order.

A chunk is appended as soon as every chunk before it is done: from memory when it has just
arrived, else read back from its part file. So at the end there is nothing left to merge, and the
work of writing the file overlaps the simulation instead of following it. Memory holds one chunk.

The part files stay the durable record: a Parquet file is readable only once its footer is
written, so the file grows under a temporary name (``.outcomes.parquet.PID.tmp``) and is moved into
place when the last chunk is in. An interrupted or killed run loses only that temporary file (a
resume removes it and streams the parts already on disk first), never a finished chunk.

The file is byte for byte the one :func:`sim.montecarlo.results.merge_parts` writes from the parts:
the first chunk's columns and types, each chunk cast to them. When a later chunk has a column of
another type (not a column that is all null in it), the types must be unified over every chunk
first, which only a merge at the end can do: the stream then stops and the parts are merged.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import RuntimeFault
from sim.montecarlo import results
from sim.montecarlo.atomic import _open_new, _tmp_name

if TYPE_CHECKING:
    import pyarrow as pa

    from sim.montecarlo.backends import ChunkSpec


class OutcomeStream:
    """The outcomes file of the run in ``run_dir``, written in replication order."""

    def __init__(self, run_dir: Path, specs: Sequence[ChunkSpec]) -> None:
        self.run_dir = run_dir
        self.specs = specs
        self.dest = run_dir / results.OUTCOMES
        self.tmp = _tmp_name(self.dest)
        #: The next chunk to append; chunks before it are in the file.
        self.next_chunk = 0
        self.rows = 0
        #: False once a chunk's types differ from the file's: the parts are merged at the end.
        self.streaming = True
        self._sink: Any = None
        self._writer: Any = None
        self._schema: pa.Schema | None = None

    def advance(self, done: set[int], last: int | None = None, fresh: Any = None) -> None:
        """Append every chunk that is now next in order and done (none past chunk ``last``);
        ``fresh`` is ``(chunk, table)`` of a chunk just computed, to take from memory."""
        while self.streaming and self.next_chunk in done:
            k = self.next_chunk
            if last is not None and k > last:
                return
            if fresh is not None and fresh[0] == k:
                table = fresh[1]
            else:
                table = results.read_part(results.part_path(self.run_dir, k))
            self._append(k, table)
            self.next_chunk += 1

    def finish(self, chunks: list[int]) -> int:
        """Put ``outcomes.parquet`` in place holding ``chunks`` (0..last, in order); returns its
        rows. Merges the parts when the stream stopped or does not hold exactly those chunks."""
        if self.streaming and self._writer is not None and self.next_chunk == len(chunks):
            self._writer.close()
            self._sink.close()
            self._writer = self._sink = None
            os.replace(self.tmp, self.dest)
            return self.rows
        self.discard()
        return results.merge_parts(self.run_dir, chunks, "chunk", self.dest)

    def discard(self) -> None:
        """Close and delete the unfinished file (the parts keep every finished chunk)."""
        self.streaming = False
        for closable in (self._writer, self._sink):
            if closable is not None:  # a half-written file: deleted anyway, whatever closing says
                with contextlib.suppress(Exception):
                    closable.close()
        self._writer = self._sink = None
        self.tmp.unlink(missing_ok=True)

    def _append(self, k: int, table: pa.Table) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        spec = self.specs[k]
        if self._schema is None:
            fields = [table.schema.field(name) for name in table.schema.names]
            self._schema = pa.schema(fields)  # no metadata: the part's tag is not the file's
            self._sink = _open_new(self.tmp)
            self._writer = pq.ParquetWriter(self._sink, self._schema)
        names = self._schema.names
        if set(table.column_names) != set(names):
            raise RuntimeFault(
                f"chunk {k} has outcome columns {sorted(set(table.column_names) ^ set(names))} "
                "that differ from chunk 0; every replication must give the same columns"
            )
        replications = table.column("replication") if "replication" in names else None
        if replications is not None and replications.to_pylist() != list(
            range(spec.start, spec.stop)
        ):
            raise RuntimeFault(
                f"chunk {k} does not hold replications {spec.start}-{spec.stop - 1} in order; "
                "delete its part and resume to recompute it"
            )
        if table.schema.names != names:
            table = table.select(names)
        if not table.schema.equals(self._schema, check_metadata=False):
            for field, column_type in zip(self._schema, table.schema.types, strict=True):
                if column_type != field.type and not pa.types.is_null(column_type):
                    self.discard()  # the types must be unified over all chunks: merge at the end
                    return
            table = table.cast(self._schema)  # all-null columns take the file's type
        self._writer.write_table(table, row_group_size=max(1, table.num_rows))
        self.rows += table.num_rows
