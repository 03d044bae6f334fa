"""The options every command spells the same way, and the rules behind them.

* ``--out DIR`` is always the folder a command writes (the file names inside it are fixed). Without
  it a command that writes files writes them to a new folder under ``results/``; a folder named
  with ``--out`` must not exist yet, or be empty: nothing is ever overwritten.
* ``--set PATH=VALUE`` has one grammar everywhere: the values after ``=`` are split on the commas
  that are outside brackets, braces and quotes, and each value is YAML. ``crewsim sweep`` takes
  several values; every other command exactly one (quote a value that holds a comma).
* ``--seed`` seeds the simulation; a bootstrap has ``--bootstrap-seed``.
* ``--quiet`` silences the progress a command prints to standard error.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sim.errors import CrewsimError

RESULTS = Path("results")


def add_out(parser: Any, default: str, what: str = "the folder to write") -> None:
    """``--out DIR``; ``default`` describes where the files go without it."""
    parser.add_argument("--out", metavar="DIR", help=f"{what} (default: {default})")


def add_set(parser: Any, several: bool = False) -> None:
    """``--set PATH=VALUE`` (repeatable); ``several`` for ``PATH=V1,V2,...`` (sweep)."""
    if several:
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="PATH=V1,V2,...",
            help="a field and the values it takes (YAML each; repeat for a second field)",
        )
    else:
        parser.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="PATH=VALUE",
            help="override a scenario field, e.g. --set work.tasks.0.hours='80 h' (repeatable)",
        )


def add_quiet(parser: Any) -> None:
    parser.add_argument(
        "--quiet", action="store_true", help="no progress messages on standard error"
    )


def add_seed(parser: Any, default: str = "the scenario's") -> None:
    parser.add_argument(
        "--seed",
        type=int,
        help=f"root seed of the simulation's random streams (default: {default})",
    )


def single_values(options: Sequence[str], source: str = "") -> list[str]:
    """The ``--set`` options of a command that takes one value per field, parsed by the sweep's
    grammar and given back as ``PATH=VALUE``; several values are an error that says so. Errors
    start with ``source`` (the scenario file) when given."""
    if not options:  # nothing to parse: keep the sweep grammar's imports (SciPy) out of startup
        return []
    from sim.analysis.sweep_grid import parse_axis

    where = f"{source}: " if source else ""
    out = []
    for option in options:
        if "=" not in option:
            raise CrewsimError(
                f"{where}--set {option!r}: expected PATH=VALUE, e.g. monte_carlo.seed=7"
            )
        try:
            axis = parse_axis(option)
        except CrewsimError as exc:
            raise CrewsimError(f"{where}{exc}") from None
        if len(axis.values) != 1:
            raise CrewsimError(
                f"{where}--set {option!r} gives {len(axis.values)} values ({', '.join(axis.values)}); "
                "only crewsim sweep takes several. Quote a value that holds a comma, "
                "e.g. --set \"description='a, b'\""
            )
        out.append(f"{axis.path}={axis.values[0]}")
    return out


def reject_with_resume(fixed: dict[str, Any], resume: str, what: str) -> None:
    """Refuse options that ``--resume`` takes from the folder being resumed (``fixed`` maps each
    option's name to its value, None when not given)."""
    given = [name for name, value in fixed.items() if value is not None]
    if given:
        raise CrewsimError(
            f"--resume takes the {what}'s settings from {resume}; drop {', '.join(given)}"
        )


def stamp() -> str:
    """The UTC time as used in default folder names, e.g. ``20261203T101500Z``."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def unused(base: Path) -> Path:
    """``base``, or ``base-2``, ``base-3``, ... : the first that does not exist."""
    out, k = base, 1
    while out.exists():
        k += 1
        out = base.with_name(f"{base.name}-{k}")
    return out


def check_out(out: str | None, what: str = "output folder") -> None:
    """Refuse, before any work, an ``--out`` that is a file or a folder holding files."""
    if not out:
        return
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise CrewsimError(f"--out {folder}: not a folder (--out names the folder to write)")
    if folder.exists() and any(folder.iterdir()):
        raise CrewsimError(f"{what} {folder} already exists and is not empty; choose another --out")


def output_folder(out: str | None, default: Path, what: str = "output folder") -> Path:
    """Create and return the folder a command writes: ``--out`` (new or empty, never overwritten)
    or, without it, ``default`` made unique."""
    check_out(out, what)
    folder = Path(out) if out else unused(default)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrewsimError(f"cannot create the {what} {folder}: {exc.strerror or exc}") from None
    return folder


def progress_printer(quiet: bool) -> Any:
    """A function printing one progress line to standard error, or doing nothing when quiet."""

    def say(message: str) -> None:
        if not quiet:
            print(f"  {message}", file=sys.stderr, flush=True)

    return say
