"""``crewsim calibrate --flights CSV [--flights CSV ...] [--out DIR]``: derive priors from flight
tables (Soyuz MS or TMA-M format), print a table of parameter, value, n, interval and flights used,
and write the priors as a scenario ``defaults:`` YAML fragment, ``priors.yaml`` in a new folder."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

import yaml

from sim.commands.options import RESULTS, add_out, check_out, output_folder
from sim.errors import CrewsimError

PRIORS = "priors.yaml"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="derive priors from flight tables", description=__doc__)
    p.add_argument(
        "--flights",
        action="append",
        required=True,
        metavar="CSV",
        help="flight table (Soyuz MS or TMA-M columns); repeat for several tables",
    )
    add_out(
        p,
        "results/calibration/<first flights file name>",
        "the folder for priors.yaml, the priors as a `defaults:` YAML file",
    )
    p.add_argument(
        "--base",
        metavar="FILE.yaml",
        help="priors file whose other `defaults:` keys are carried over into priors.yaml",
    )
    p.add_argument(
        "--slip-model",
        choices=["auto", "empirical", "zero_inflated_weibull"],
        default="auto",
        help="the last-month slip written: the record as observed (empirical), a zero-inflated "
        "Weibull with parameter uncertainty, or auto (the default): empirical from 5 positive "
        "slips on, else the Weibull",
    )
    p.add_argument(
        "--exclude-first",
        type=int,
        default=0,
        metavar="N",
        help="leave the first N flights of each series (MS-01..N) out of the launch-slip prior",
    )
    p.add_argument(
        "--since",
        type=int,
        metavar="YEAR",
        help="estimate the launch-slip prior from flights planned in or after YEAR only",
    )
    p.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap resamples")
    p.add_argument(
        "--bootstrap-seed",
        type=int,
        default=0,
        metavar="SEED",
        help="seed of the bootstrap (default 0)",
    )
    p.add_argument("--strict", action="store_true", help="malformed cells are errors, not warnings")
    p.set_defaults(func=run)


def _load_base(path: str) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CrewsimError(f"{path}: cannot read the base priors file: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("defaults"), dict):
        raise CrewsimError(f"{path}: expected a top-level `defaults:` mapping")
    return data["defaults"]


def run(args: argparse.Namespace) -> int:
    from sim.calibration.calibrate import SlipSelection, calibrate
    from sim.calibration.priors_file import check_usable, format_table, priors_yaml
    from sim.calibration.tables import read_tables

    if args.exclude_first < 0:
        raise CrewsimError(f"--exclude-first must be 0 or more (got {args.exclude_first})")
    tables = read_tables(args.flights, strict=args.strict)
    records, issues, inputs = tables.records, tables.issues, tables.inputs
    if not records:
        raise CrewsimError(
            f"no flights in {', '.join(args.flights)}: nothing to calibrate (nothing written)"
        )
    if args.bootstrap < 0:
        raise CrewsimError(f"--bootstrap must be 0 or more (got {args.bootstrap})")
    base = _load_base(args.base) if args.base else None
    check_out(args.out)
    selection = SlipSelection(exclude_first=args.exclude_first, since=args.since)
    cal = calibrate(
        records,
        slip_model=args.slip_model,
        n_boot=args.bootstrap,
        seed=args.bootstrap_seed,
        selection=selection,
    )
    print(format_table(cal))
    for note in tables.duplicates:
        print(f"note: {note}")
    if issues:
        print(f"\ncells skipped ({len(issues)}):")
        for issue in issues:
            print(f"  {issue.severity}: {issue}")
    command = "crewsim calibrate " + shlex.join(_argv(args))
    text = priors_yaml(cal, command=command, inputs=inputs, base=base)
    check_usable(text)  # never write priors a run could not use
    out = output_folder(args.out, RESULTS / "calibration" / Path(args.flights[0]).stem)
    (out / PRIORS).write_text(text, encoding="utf-8")
    print(f"\nwritten: {out / PRIORS}")
    return 0


def _argv(args: argparse.Namespace) -> list[str]:
    """The options of this run, in canonical order (recorded in the generated file)."""
    argv = [item for path in args.flights for item in ("--flights", path)]
    for option in ("out", "base"):
        if getattr(args, option):
            argv += [f"--{option}", getattr(args, option)]
    if args.slip_model != "auto":
        argv += ["--slip-model", args.slip_model]
    if args.exclude_first:
        argv += ["--exclude-first", str(args.exclude_first)]
    if args.since is not None:
        argv += ["--since", str(args.since)]
    argv += ["--bootstrap", str(args.bootstrap), "--bootstrap-seed", str(args.bootstrap_seed)]
    return argv + (["--strict"] if args.strict else [])
