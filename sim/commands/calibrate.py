"""``crewsim calibrate --flights CSV [--flights CSV ...] [--out DIR]``: derive priors from flight
tables (Soyuz MS or TMA-M format), print a table of parameter, value, n, interval and flights used,
and write the priors as a scenario ``defaults:`` YAML fragment, ``priors.yaml`` in a new folder."""

from __future__ import annotations

import argparse
import hashlib
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
        choices=["empirical", "zero_inflated_weibull"],
        default="empirical",
        help="which last-month slip fit goes into the YAML (both are printed)",
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


def _describe(path: str, rows: int, fmt: str) -> str:
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]
    return f"{path} ({fmt} format, {rows} flights, sha256 {digest})"


def _load_base(path: str) -> dict:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CrewsimError(f"{path}: cannot read the base priors file: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("defaults"), dict):
        raise CrewsimError(f"{path}: expected a top-level `defaults:` mapping")
    return data["defaults"]


def run(args: argparse.Namespace) -> int:
    from sim.calibration.calibrate import calibrate
    from sim.calibration.flights import read_flights
    from sim.calibration.priors_file import format_table, priors_yaml

    records, issues, inputs = [], [], []
    for path in args.flights:
        recs, found = read_flights(path, strict=args.strict)
        records += recs
        issues += found
        inputs.append(_describe(path, len(recs), recs[0].table if recs else "empty"))
    if not records:
        raise CrewsimError(
            f"no flights in {', '.join(args.flights)}: nothing to calibrate (nothing written)"
        )
    if args.bootstrap < 0:
        raise CrewsimError(f"--bootstrap must be 0 or more (got {args.bootstrap})")
    base = _load_base(args.base) if args.base else None
    check_out(args.out)
    cal = calibrate(
        records, slip_model=args.slip_model, n_boot=args.bootstrap, seed=args.bootstrap_seed
    )
    print(format_table(cal))
    if issues:
        print(f"\ncells skipped ({len(issues)}):")
        for issue in issues:
            print(f"  {issue.severity}: {issue}")
    command = "crewsim calibrate " + shlex.join(_argv(args))
    text = priors_yaml(cal, command=command, inputs=inputs, base=base)
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
    if args.slip_model != "empirical":
        argv += ["--slip-model", args.slip_model]
    argv += ["--bootstrap", str(args.bootstrap), "--bootstrap-seed", str(args.bootstrap_seed)]
    return argv + (["--strict"] if args.strict else [])
