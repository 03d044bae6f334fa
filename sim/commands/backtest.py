"""``crewsim backtest --flights CSV [--train CSV ...] [-n N] [--out DIR] [--seed S]``: forecast
each past flight from its plan a month before launch, with priors calibrated on other flights, and
score the forecasts against what happened (PIT, 50 %/80 % interval coverage, CRPS, Brier, skill
against the plan). Writes backtest_table.csv, backtest.json, pit_histogram.png and
reliability_diagram.png to DIR."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import shlex
from collections import Counter
from pathlib import Path
from typing import Any

from sim.commands.options import RESULTS, add_quiet, output_folder, progress_printer
from sim.errors import CrewsimError

EPILOG = """\
examples:
  crewsim backtest --flights data/soyuz_ms_flights_2016_2021.csv -n 2000
  crewsim backtest --flights data/soyuz_ms_flights_2016_2021.csv \\
      --train data/soyuz_tma_m_flights_2010_2016.csv --out results/backtest/tma-trained
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
        "--flights", required=True, metavar="CSV", help="flights to forecast (Soyuz MS columns)"
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


def _check_names(records: list, path: str) -> None:
    dupes = sorted(name for name, k in Counter(r.flight for r in records).items() if k > 1)
    if dupes:
        raise CrewsimError(
            f"{path}: column 'flight': flight(s) listed twice: {', '.join(dupes)} "
            "(leave-one-out needs one row per flight)"
        )


def run(args: argparse.Namespace) -> int:
    from sim.calibration import backtest, backtest_report

    if args.n < 1:
        raise CrewsimError(f"-n/--replications must be at least 1, got {args.n}")
    if args.seed < 0:
        raise CrewsimError(f"--seed must be >= 0, got {args.seed}")
    flights, flights_info = _read(args.flights)
    _check_names(flights, args.flights)
    if not flights:
        raise CrewsimError(f"{args.flights}: no flights in the table")
    if all(backtest.plan_problem(r) for r in flights):
        raise CrewsimError(
            f"{args.flights}: no flight has a plan a month ahead (columns "
            "planned_launch_date_T1mo and rendezvous_planned); nothing to backtest"
        )
    train, train_info = None, []
    if args.train:
        train = []
        for path in args.train:
            recs, info = _read(path)
            train += recs
            train_info.append(info)
        if not train:
            raise CrewsimError(
                f"no flights in the training table(s) {', '.join(args.train)}: nothing to calibrate on"
            )
    out = output_folder(args.out, RESULTS / "backtest" / Path(args.flights).stem, "output folder")
    progress = progress_printer(args.quiet)
    progress(f"backtest of {args.flights}: {args.n} replications per flight")
    bt = backtest.run_backtest(flights, train, n=args.n, seed=args.seed, progress=progress)
    print(backtest_report.format_table(bt))
    for note in flights_info["notes"] + [n for i in train_info for n in i["notes"]]:
        print(f"note: {note}")

    out.mkdir(parents=True, exist_ok=True)
    with (out / "backtest_table.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=backtest_report.TABLE_COLUMNS)
        writer.writeheader()
        for row in backtest_report.table_rows(bt):
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    inputs = {
        "command": "crewsim backtest " + shlex.join(_argv(args)),
        "flights": flights_info,
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
        "reliability_diagram.png"
    )
    return 0


def _argv(args: argparse.Namespace) -> list[str]:
    argv = ["--flights", args.flights]
    for path in args.train or []:
        argv += ["--train", path]
    argv += ["-n", str(args.n), "--seed", str(args.seed)]
    return argv + (["--out", args.out] if args.out else [])
