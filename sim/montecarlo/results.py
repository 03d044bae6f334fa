"""The results folder of a run: write it piece by piece and atomically, and load it back.

Layout (see DESIGN.md, "Results folder")::

    results/<scenario-name>/<run-id>/
        outcomes.parquet   one row per replication, sorted by replication
        events.parquet     event traces of the first K replications
        scenario.yaml      the fully resolved scenario
        manifest.json      versions, seed, replications, backend, timings, input hash
        summary.md, plots/ written by ``sim.report.summary`` when available

While a run is in progress the folder is ``<run-id>.partial``; it also holds ``run.json`` (what is
needed to resume), ``parts/`` (one Arrow IPC file per finished chunk) and the growing outcomes file
(``.outcomes.parquet.PID.tmp``, see :mod:`.outcome_stream`). Each file is written under a
temporary name and moved into place with ``os.replace``, so a killed write never leaves a file that
looks valid. The manifest is written last: a folder without a manifest whose status is ``complete``
is never reported as complete.

Raw outcome rows hold time points as float **hours since the scenario epoch** in the columns whose
name ends in ``_utc``; they are stored as ``timestamp[ns, tz=UTC]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import CrewsimError, RuntimeFault

# Atomic writes live in their own module; results.write_*_atomic stay part of this module's API.
from sim.montecarlo.atomic import _open_new, _tmp_name, atomic_file
from sim.montecarlo.atomic import remove_temporary_files as remove_temporary_files
from sim.montecarlo.atomic import save_figure_atomic as save_figure_atomic
from sim.montecarlo.atomic import write_json_atomic as write_json_atomic
from sim.montecarlo.atomic import write_table_atomic as write_table_atomic
from sim.montecarlo.atomic import write_text_atomic as write_text_atomic

# Rows and events to Arrow live in their own module; they stay part of this module's API.
from sim.montecarlo.tables import EVENT_COLUMNS as EVENT_COLUMNS
from sim.montecarlo.tables import TIME_SUFFIX as TIME_SUFFIX
from sim.montecarlo.tables import epoch_ns as epoch_ns
from sim.montecarlo.tables import events_to_table as events_to_table
from sim.montecarlo.tables import rows_to_table as rows_to_table

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

PARTIAL_SUFFIX = ".partial"
OUTCOMES = "outcomes.parquet"
EVENTS = "events.parquet"
SCENARIO = "scenario.yaml"
MANIFEST = "manifest.json"
RUN_STATE = "run.json"
PARTS = "parts"
#: Part files are Arrow IPC files (see :func:`write_part_atomic`).
PART_SUFFIX = ".arrow"
_PART_RE = re.compile(r"^chunk-(\d{6,})\.arrow$")


# --------------------------------------------------------------------------- naming and hashing
def input_hash(resolved_yaml: str) -> str:
    """The sha256 (hex) of the resolved scenario YAML: two runs of the same inputs share it."""
    return hashlib.sha256(resolved_yaml.encode("utf-8")).hexdigest()


def make_run_id(
    resolved_yaml: str, seed: int, replications: int, now: dt.datetime | None = None
) -> str:
    """A run id: UTC timestamp and a short hash of the inputs, e.g. ``20261127T081500Z-3f2a1c``."""
    now = now or dt.datetime.now(dt.UTC)
    key = f"{resolved_yaml}\nseed={seed}\nreplications={replications}"
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{hashlib.sha256(key.encode()).hexdigest()[:6]}"


def _named(path: Path) -> Path:
    """``path`` with a last component to rename (``.`` and ``..`` resolved); the root is refused."""
    path = Path(path)
    if path.name in ("", ".", ".."):
        path = path.resolve()
    if not path.name:
        raise CrewsimError(f"{path} cannot be a run folder; name a folder such as results/my-run")
    return path


def partial_path(run_dir: Path) -> Path:
    """The in-progress name of a run folder."""
    run_dir = _named(run_dir)
    return run_dir.with_name(run_dir.name + PARTIAL_SUFFIX)


def final_path(path: Path) -> Path:
    """The completed name of a run folder (``path`` may be either name)."""
    path = _named(path)
    name = path.name
    return path.with_name(name[: -len(PARTIAL_SUFFIX)]) if name.endswith(PARTIAL_SUFFIX) else path


def part_path(run_dir: Path, chunk: int, kind: str = "chunk") -> Path:
    """The part file of chunk number ``chunk`` (``kind`` is ``chunk`` or ``events``)."""
    return run_dir / PARTS / f"{kind}-{chunk:06d}{PART_SUFFIX}"


def finished_chunks(run_dir: Path) -> set[int]:
    """Numbers of the chunks whose outcome part is on disk (temporary files are ignored)."""
    parts = run_dir / PARTS
    if not parts.is_dir():
        return set()
    found = set()
    for entry in parts.iterdir():
        m = _PART_RE.match(entry.name)
        if m:
            found.add(int(m.group(1)))
    return found


# --------------------------------------------------------------------------- part identity
#: Schema-metadata key of a part file: the run it belongs to and the replications it holds.
PART_KEY = b"crewsim.part"


def tag_part(table: pa.Table, identity: Mapping[str, Any], start: int, stop: int) -> pa.Table:
    """``table`` with its run identity (seed, scenario hash, version, run id) and replication range
    ``[start, stop)`` in its schema metadata, so a resume can check every part before merging."""
    meta = dict(table.schema.metadata or {})
    meta[PART_KEY] = json.dumps({**identity, "start": start, "stop": stop}, sort_keys=True).encode()
    return table.replace_schema_metadata(meta)


def write_part_atomic(path: Path, table: pa.Table) -> None:
    """Write a chunk's part file atomically (:func:`~sim.montecarlo.atomic.atomic_file`).

    Parts are read back only by crewsim (to resume, or to merge when the streamed outcomes file
    cannot be used) and deleted when the run completes, so they are Arrow IPC files with
    LZ4-compressed buffers rather than Parquet: the table comes back exactly as it was written
    (types, metadata, values), and writing one costs a third of a Parquet file for about the
    same size (some 3 us per replication of the baseline).
    """
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression="lz4")
    with pa.ipc.new_file(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    with atomic_file(path) as f:
        f.write(sink.getvalue())


def read_part(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """The table of a part file (only ``columns`` when given)."""
    import pyarrow as pa

    with pa.OSFile(str(path)) as source:
        table = pa.ipc.open_file(source).read_all()
    return table.select(list(columns)) if columns is not None else table


def read_part_schema(path: Path) -> tuple[pa.Schema, int]:
    """The schema (with its metadata) and number of rows of a part file."""
    import pyarrow as pa

    with pa.OSFile(str(path)) as source:
        reader = pa.ipc.open_file(source)
        rows = sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
        return reader.schema, rows


def part_problem(path: Path, identity: Mapping[str, Any], start: int, stop: int) -> str | None:
    """Why the part file at ``path`` cannot be used for replications ``[start, stop)`` of the run
    ``identity`` (unreadable, truncated, from another run or another range), or None if it can."""
    import pyarrow as pa

    try:
        schema, num_rows = read_part_schema(path)
        tag = json.loads((schema.metadata or {}).get(PART_KEY, b"null"))
    except (OSError, pa.ArrowException, ValueError) as exc:
        return f"unreadable ({type(exc).__name__})"
    if not isinstance(tag, dict):
        return "carries no run identity"
    for key, value in identity.items():
        if tag.get(key) != value:
            return f"belongs to another run ({key} {tag.get(key)!r}, expected {value!r})"
    if (tag.get("start"), tag.get("stop")) != (start, stop):
        return f"holds replications {tag.get('start')}-{tag.get('stop')}, expected {start}-{stop}"
    if path.name.startswith("chunk-") and num_rows != stop - start:
        return f"has {num_rows} rows, expected {stop - start}"
    return None


# --------------------------------------------------------------------------- merge parts
def merge_parts(run_dir: Path, chunks: Iterable[int], kind: str, dest: Path) -> int:
    """Stream part files of ``chunks`` (in that order) into ``dest``, one row group per part.

    Memory holds one part at a time. Part schemas are unified first (a column that is all null in
    one chunk takes its type from the others). Returns the number of rows written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = [part_path(run_dir, c, kind) for c in chunks]
    paths = [p for p in paths if p.exists()] if kind == "events" else paths
    if not paths:
        if kind != "events":
            raise RuntimeFault(f"no outcome parts to merge in {run_dir}")
        write_table_atomic(dest, events_to_table([], dt.datetime(1970, 1, 1, tzinfo=dt.UTC)))
        return 0
    schemas = [read_part_schema(p)[0] for p in paths]
    names = schemas[0].names
    for p, s in zip(paths, schemas, strict=True):
        if set(s.names) != set(names):
            raise RuntimeFault(
                f"part {p.name} has outcome columns {sorted(set(s.names) ^ set(names))} that "
                f"differ from {paths[0].name}; every replication must give the same columns"
            )
    schema = pa.unify_schemas(
        [pa.schema([s.field(n) for n in names]) for s in schemas], promote_options="permissive"
    )
    schema = schema.remove_metadata()
    tmp = _tmp_name(dest)
    rows = 0
    try:
        with _open_new(tmp) as sink, pq.ParquetWriter(sink, schema) as writer:
            for p in paths:
                table = read_part(p)
                if kind == "chunk":
                    _check_replications(p, table)
                table = table.select(names).cast(schema)
                writer.write_table(table, row_group_size=max(1, table.num_rows))
                rows += table.num_rows
                del table
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return rows


def _check_replications(path: Path, table: pa.Table) -> None:
    """The outcome part holds exactly the replications its tag names, in order."""
    tag = json.loads((table.schema.metadata or {}).get(PART_KEY, b"null") or "null")
    if not isinstance(tag, dict) or "replication" not in table.column_names:
        return
    got = table.column("replication").to_pylist()
    if got != list(range(tag["start"], tag["stop"])):
        raise RuntimeFault(
            f"part {path.name} does not hold replications {tag['start']}-{tag['stop'] - 1} in "
            "order; delete it and resume to recompute it"
        )


# --------------------------------------------------------------------------- load
def _resolve(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.exists() and partial_path(p).exists():
        return partial_path(p)
    if not p.exists():
        raise CrewsimError(f"no results folder at {p}")
    if p.is_file():
        if p.name not in (OUTCOMES, EVENTS, MANIFEST):
            raise CrewsimError(f"{p} is a file, not a crewsim results folder")
        p = p.parent
    return p


def is_complete(path: str | os.PathLike[str]) -> bool:
    """True only for a run folder whose manifest exists, parses and says ``status: complete``."""
    p = Path(path)
    if p.is_file():
        p = p.parent
    try:
        manifest = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(manifest, dict)
        and manifest.get("status") == "complete"
        and (p / OUTCOMES).is_file()
        and not p.name.endswith(PARTIAL_SUFFIX)
    )


def _require_complete(path: str | os.PathLike[str]) -> Path:
    p = _resolve(path)
    if is_complete(p):
        return p
    unfinished = p.name.endswith(PARTIAL_SUFFIX) or any(
        (p / name).exists() for name in (RUN_STATE, MANIFEST, OUTCOMES, PARTS)
    )
    if unfinished:
        raise CrewsimError(
            f"{p} is not a complete crewsim run (no manifest with status 'complete'); it was "
            f"interrupted or is still running. Finish it with: crewsim run --resume {p}"
        )
    raise CrewsimError(
        f"{p} is not a crewsim results folder (no {MANIFEST} with status 'complete'); give the "
        "folder that `crewsim run` printed"
    )


def load_manifest(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The manifest of a complete run as a dict."""
    p = _require_complete(path)
    return json.loads((p / MANIFEST).read_text(encoding="utf-8"))


def load(path: str | os.PathLike[str], columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The outcomes of a complete run: one row per replication, ``_utc`` columns as UTC timestamps."""

    p = _require_complete(path)
    df = _read_parquet(p / OUTCOMES, columns)
    # How the rows were sampled: analysis takes honest intervals of stratified runs from blocks.
    manifest = json.loads((p / MANIFEST).read_text(encoding="utf-8"))
    df.attrs.update({k: manifest[k] for k in ("sampling", "block_size") if k in manifest})
    return df


def load_events(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The sampled event traces of a complete run (columns: replication, time_utc, flight, process,
    event, detail)."""

    p = _require_complete(path)
    return _read_parquet(p / EVENTS)


def _read_parquet(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Read a results table; a damaged file is bad input, not a crash."""
    import pandas as pd
    import pyarrow as pa

    try:
        return pd.read_parquet(path, columns=list(columns) if columns else None)
    except (OSError, pa.ArrowException, ValueError) as exc:
        raise CrewsimError(f"{path}: cannot read the results table ({exc})") from None


def new_output_folder(folder: Path, what: str, must_be_empty: bool = True) -> Path:
    """Create ``folder`` for a command's output; refuse one that already holds files."""
    if must_be_empty and folder.exists() and any(folder.iterdir()):
        raise CrewsimError(f"{what} {folder} already exists and is not empty; choose another --out")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrewsimError(f"cannot create the {what} {folder}: {exc.strerror or exc}") from None
    return folder
