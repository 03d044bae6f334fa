"""The ``crewsim`` command line: parse, call the modules, print. Thin on purpose.

Each subcommand lives in ``sim.commands.<name>`` with ``add_parser(subparsers)`` and ``run(args)``.
Bad input ends with exit status 2 and a one-paragraph message; runtime faults with 1.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from sim import __version__
from sim.errors import CrewsimError, Interrupted, RuntimeFault

#: Subcommands in the order the help lists them.
COMMANDS = [
    "run",
    "validate",
    "schema",
    "trace",
    "report",
    "compare",
    "sweep",
    "windows",
    "calibrate",
    "backtest",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="crewsim",
        description="Schedule-risk simulation of crewed spaceflight rotations.",
    )
    parser.add_argument("--version", action="version", version=f"crewsim {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"sim.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"sim.commands.{name}":
                continue
            raise
        module.add_parser(sub)
    for command in sub.choices.values():  # module docstrings double as help: plain quotes there
        if command.description:
            command.description = command.description.replace("``", "`")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_usage(sys.stderr)
        print("crewsim: error: name a command (crewsim -h lists them)", file=sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except CrewsimError as exc:
        print(f"crewsim {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_status
    except RuntimeFault as exc:
        print(f"crewsim {args.command}: failed: {exc}", file=sys.stderr)
        return exc.exit_status
    except OSError as exc:
        # A path the user gave that cannot be read or written (read-only, a folder, missing...).
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"crewsim {args.command}: error: cannot use{where}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    except UnicodeDecodeError as exc:
        print(
            f"crewsim {args.command}: error: a file is not UTF-8 text ({exc.reason})",
            file=sys.stderr,
        )
        return 2
    except Interrupted as exc:
        print(f"crewsim {args.command}: {exc}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print(f"crewsim {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
