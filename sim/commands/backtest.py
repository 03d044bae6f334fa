"""``crewsim backtest --flights CSV [--flights CSV ...] [--train CSV ...] [-n N] [--out DIR]
[--seed S]``: forecast each past flight from its plan (a month before launch, or on launch day for
the TMA-M table), with priors calibrated on other flights (leave-one-out over every --flights table
together, or the --train tables), and score the forecasts against what happened (randomised PIT,
50/80/90 % interval coverage with Wilson intervals, CRPS, Brier, skill against the plan and
against climatology). Writes backtest_table.csv, backtest.json, pit_histogram.png,
reliability_diagram.png and sharpness.png to DIR."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shlex
from pathlib import Path
from typing import Any

from sim.commands.options import RESULTS, add_quiet, output_folder, progress_printer
from sim.errors import CrewsimError

EPILOG = """\
examples:
  crewsim backtest --flights data/soyuz_ms_flights_2016_2021.csv -n 2000
  crewsim backtest --flights data/soyuz_ms_flights_2016_2021.csv \\
      --train data/soyuz_tma_m_flights_2010_2016.csv --out results/backtest/tma-trained
  crewsim backtest --flights data/soyuz_ms_flights_2016_2021.csv \\
      --flights data/soyuz_tma_m_flights_2010_2016.csv --out results/backtest/both
"""


def add_parser(subparsers: Any) -> None:
    """Register ``backtest`` and its options."""
    p = subparsers.add_parser(
        "backtest",
        help="forecast past flights from their plans and score the forecasts",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--flights",
        required=True,
        action="append",
        metavar="CSV",
        help="flights to forecast (Soyuz MS or TMA-M columns; repeatable: leave-one-out over all)",
    )
    p.add_argument(
        "--train",
        action="append",
        metavar="CSV",
        help="tables to calibrate the priors on (repeatable; default: leave-one-out over --flights)",
    )
    p.add_argument(
        "-n", "--replications", type=int, default=1000, dest="n", help="replications per flight"
    )
    p.add_argument(
        "--seed", type=int, default=0, help="root seed of the replications and the PIT (default 0)"
    )
    add_quiet(p)
    p.add_argument(
        "--exclude-first",
        type=int,
        default=0,
        metavar="N",
        help="train the slip prior without the first N flights of each series (as calibrate)",
    )
    p.add_argument(
        "--since", type=int, metavar="YEAR", help="train the slip prior on flights from YEAR on"
    )
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: results/backtest/<flights file name>)"
    )
    p.set_defaults(func=run)


def _read(path: str) -> tuple[list, dict[str, Any]]:
    from sim.calibration.flights import read_flights

    records, issues = read_flights(path, strict=True)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    fmt = records[0].table if records else "empty"
    notes = [str(i) for i in issues]
    return records, {
        "path": path,
        "sha256": digest,
        "format": fmt,
        "rows": len(records),
        "notes": notes,
    }


def run(args: argparse.Namespace) -> int:
    from sim.calibration import backtest, backtest_report

    if args.n < 1:
        raise CrewsimError(f"-n/--replications must be at least 1, got {args.n}")
    if args.seed < 0:
        raise CrewsimError(f"--seed must be >= 0, got {args.seed}")
    if args.exclude_first < 0:
        raise CrewsimError(f"--exclude-first must be 0 or more (got {args.exclude_first})")
    from sim.calibration.slips import SlipSelection
    from sim.calibration.tables import deduplicate

    named = ", ".join(args.flights)
    flights, flights_info = [], []
    for path in args.flights:
        recs, info = _read(path)
        flights += recs
        flights_info.append(info)
    flights, duplicates = deduplicate(flights)
    if not flights:
        raise CrewsimError(f"{named}: no flights in the table(s)")
    if all(backtest.plan_problem(r) for r in flights):
        raise CrewsimError(
            f"{named}: no flight has a plan a month ahead (columns planned_launch_date_T1mo and "
            "rendezvous_planned) or a launch-day plan with its launch; nothing to backtest"
        )
    train, train_info = None, []
    if args.train:
        train = []
        for path in args.train:
            recs, info = _read(path)
            train += recs
            train_info.append(info)
        train, more = deduplicate(train)
        duplicates += more
        if not train:
            raise CrewsimError(
                f"no flights in the training table(s) {', '.join(args.train)}: nothing to calibrate on"
            )
    out = output_folder(
        args.out, RESULTS / "backtest" / Path(args.flights[0]).stem, "output folder"
    )
    progress = progress_printer(args.quiet)
    progress(f"backtest of {named}: {args.n} replications per flight")
    selection = SlipSelection(exclude_first=args.exclude_first, since=args.since)
    bt = backtest.run_backtest(
        flights, train, n=args.n, seed=args.seed, selection=selection, progress=progress
    )
    print(backtest_report.format_table(bt))
    notes = [n for i in flights_info + train_info for n in i["notes"]] + duplicates
    for note in notes:
        print(f"note: {note}")

    with (out / "backtest_table.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=backtest_report.TABLE_COLUMNS)
        writer.writeheader()
        for row in backtest_report.table_rows(bt):
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    inputs = {
        "command": "crewsim backtest " + shlex.join(_argv(args)),
        "flights": flights_info,
        "duplicates": duplicates,
        "train": train_info or "leave-one-out over --flights",
    }
    (out / "backtest.json").write_text(
        json.dumps(backtest_report.as_json(bt, inputs), indent=2, default=str) + "\n",
        encoding="utf-8",
    )
    for name, figure in backtest_report.figures(bt).items():
        figure.savefig(out / name, dpi=120)
    print(
        f"\nwrote {out}/backtest_table.csv, backtest.json, pit_histogram.png, "
        "reliability_diagram.png, sharpness.png"
    )
    return 0


def _argv(args: argparse.Namespace) -> list[str]:
    argv = [item for path in args.flights for item in ("--flights", path)]
    for path in args.train or []:
        argv += ["--train", path]
    argv += ["-n", str(args.n), "--seed", str(args.seed)]
    if args.exclude_first:
        argv += ["--exclude-first", str(args.exclude_first)]
    if args.since is not None:
        argv += ["--since", str(args.since)]
    return argv + (["--out", args.out] if args.out else [])
