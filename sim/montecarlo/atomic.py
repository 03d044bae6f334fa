"""Writing files safely: through a temporary name, flushed to disk, moved into place with
``os.replace``, and never through a symbolic link.

A killed write never leaves a file that looks valid (only a ``.NAME.PID.tmp`` file, which
``remove_temporary_files`` clears under the run's lock), and a link planted in a results folder
cannot make crewsim write outside it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.errors import CrewsimError

if TYPE_CHECKING:
    import pyarrow as pa


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def _open_new(path: Path, mode: str = "wb") -> Any:
    """Create ``path`` for writing; never through a link: the name must not exist (``O_EXCL``)
    and its folder must not be a symbolic link (a link in a results folder pointing elsewhere
    would make crewsim write outside it)."""
    if path.parent.is_symlink():
        raise CrewsimError(
            f"{path.parent} is a symbolic link; crewsim does not write through links"
        )
    if path.is_symlink() or path.exists():  # a stale temporary name: take it over safely
        path.unlink()
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags, 0o644)
    return os.fdopen(fd, mode, **({"encoding": "utf-8"} if "b" not in mode else {}))


def _replace(tmp: Path, path: Path) -> None:
    """Move ``tmp`` to ``path`` (a link at ``path`` is replaced, never followed)."""
    os.replace(tmp, path)


def remove_temporary_files(folder: Path) -> list[Path]:
    """Delete the temporary files (``.NAME.PID.tmp``) a killed writer left in ``folder`` and its
    sub-folders; only for a folder this process holds the lock of."""
    stale = [p for p in folder.rglob(".*.tmp") if p.is_file() or p.is_symlink()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


@contextmanager
def atomic_file(path: Path, mode: str = "wb") -> Iterator[Any]:
    """A file that becomes ``path`` only when the block ends without error: written under a
    temporary name (never through a symbolic link), flushed to disk (fsync), then renamed; an
    error or an interruption removes the temporary file and leaves ``path`` as it was."""
    tmp = _tmp_name(path)
    try:
        with _open_new(tmp, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (:func:`atomic_file`)."""
    with atomic_file(path, "w") as f:
        f.write(text)


def save_figure_atomic(fig: Any, path: Path, **savefig: Any) -> None:
    """``fig.savefig`` to ``path`` atomically; the format is taken from ``path``'s suffix."""
    fmt = savefig.pop("format", None) or path.suffix.lstrip(".") or "png"
    with atomic_file(path) as f:
        fig.savefig(f, format=fmt, **savefig)


def write_json_atomic(path: Path, data: Mapping[str, Any]) -> None:
    """Write ``data`` as indented JSON, atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def write_table_atomic(path: Path, table: pa.Table, **parquet_options: Any) -> None:
    """Write a Parquet file atomically (:func:`atomic_file`): neither a killed write nor a crash of
    the machine leaves a valid-looking but incomplete part. ``parquet_options`` go to
    ``pyarrow.parquet.write_table`` (compression, encodings, statistics)."""
    import pyarrow.parquet as pq

    with atomic_file(path) as f:
        pq.write_table(table, f, **parquet_options)
