"""``crewsim report RUN_DIR``: (re)write ``summary.md`` and ``plots/*.png`` of a complete run."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="write the summary and plots of a run", description=__doc__)
    p.add_argument("run_dir", metavar="RUN_DIR", help="a results folder written by 'crewsim run'")
    p.add_argument("--no-plots", action="store_true", help="write summary.md only")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.report import write_report

    path = write_report(args.run_dir, draw=not args.no_plots)
    print(path.read_text(encoding="utf-8").split("\n## ")[0].rstrip())
    print(f"\nwritten: {path}")
    return 0
