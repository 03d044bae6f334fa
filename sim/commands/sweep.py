"""``crewsim sweep SCENARIO --set PATH=V1,V2,... [--set PATH2=W1,W2,...] -n N``: one run per point
of a grid over one or two scenario fields, all with the same seed (common random numbers).

Each point is a normal results folder (``point-<k>/``) under the sweep folder; the headline
statistics per point are printed and written to ``sweep.csv``, the trade-off of P(landing on the
planned day) against work done is drawn in ``sweep.png``, and ``sweep.json`` records the inputs.
The last line answers: what is the largest swept value with P(landing on the planned day) >= the
target, and how much of the plan is done there? Values are split on commas, except inside
``[..]``, ``{..}`` or quotes; a ``--set`` with one value is applied at every point.
An interrupted sweep is finished with ``crewsim sweep --resume DIR``: finished points are kept, the
unfinished one is resumed and the rest are run, giving the table of an uninterrupted sweep.
"""

from __future__ import annotations

import argparse
import shlex
from typing import Any

from sim.commands.options import (
    add_quiet,
    add_seed,
    add_set,
    progress_printer,
    reject_with_resume,
)

EPILOG = """\
examples:
  crewsim sweep scenarios/vyzov_2021_until_done.yaml \\
      --set work.tasks.0.hours="60 h,80 h,100 h,120 h,140 h" -n 2000
  crewsim sweep scenarios/vyzov_2021.yaml --set work.tasks.0.hours="60 h,100 h,140 h" \\
      --set returns.MS-18.policy=fixed,until-done -n 1000
  crewsim sweep scenarios/vyzov_2021.yaml \\
      --set 'vehicles.MS-19.launch.slip={dist: empirical, values: [0, 1], weights: [9, 1], unit: d},0 d'
  crewsim sweep --resume results/vyzov-2021-until-done-sweep/20261127T081500Z
"""


def add_parser(subparsers: Any) -> None:
    """Register ``sweep`` and its options."""
    p = subparsers.add_parser(
        "sweep",
        help="run a grid over one or two scenario fields and find the largest value meeting a target",
        description=__doc__,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "scenario", metavar="SCENARIO", nargs="?", help="scenario YAML file (omit with --resume)"
    )
    add_set(p, several=True)
    p.add_argument(
        "-n",
        "--replications",
        type=int,
        dest="n",
        help="replications per point (default: the scenario's)",
    )
    add_seed(p)
    p.add_argument(
        "--out", metavar="DIR", help="sweep folder (default: results/<scenario>-sweep/<timestamp>)"
    )
    p.add_argument("--resume", metavar="DIR", help="finish an interrupted sweep (its sweep folder)")
    add_quiet(p)
    p.add_argument("--workers", type=int, help="worker processes (default: cores available)")
    p.add_argument(
        "--backend",
        choices=["serial", "processes", "dask"],
        default=None,
        help="where replications run (default: processes, or the interrupted sweep's)",
    )
    p.add_argument(
        "--target",
        type=float,
        default=None,
        help="probability the metric must reach (default 0.9)",
    )
    p.add_argument(
        "--metric",
        default=None,
        metavar="COLUMN",
        help="true/false outcome column the target applies to (default: landed_on_planned_day)",
    )
    p.set_defaults(func=run)


def command_line(args: argparse.Namespace) -> str:
    """The ``crewsim sweep`` command that repeats this sweep (recorded in sweep.json)."""
    parts = ["crewsim", "sweep", args.scenario]
    for item in args.set:
        parts += ["--set", item]
    for flag, value in (
        ("-n", args.n),
        ("--seed", args.seed),
        ("--out", args.out),
        ("--workers", args.workers),
        ("--backend", args.backend),
        ("--target", args.target),
        ("--metric", args.metric),
    ):
        if value is not None:
            parts += [flag, str(value)]
    return shlex.join(parts)


def run(args: argparse.Namespace) -> int:
    """Run (or resume) the sweep, draw sweep.png, print the table and the answer."""
    from sim.analysis.sweep import FIGURE, format_table, resume_sweep, run_sweep
    from sim.errors import CrewsimError
    from sim.plots.sweep_panels import sweep_figures, sweep_png

    progress = progress_printer(args.quiet)

    def draw(result: Any) -> None:
        figures = sweep_figures(
            result.table, result.axes, result.metric, result.target, result.manifest["scenario"]
        )
        sweep_png(figures, result.out / FIGURE)

    if args.resume:
        fixed = {
            "SCENARIO": args.scenario,
            "--set": args.set or None,
            "-n": args.n,
            "--seed": args.seed,
            "--out": args.out,
            "--target": args.target,
            "--metric": args.metric,
        }
        reject_with_resume(fixed, args.resume, "sweep")
        result = resume_sweep(
            args.resume, backend=args.backend, workers=args.workers, progress=progress, finish=draw
        )
    else:
        if not args.scenario:
            raise CrewsimError("crewsim sweep needs a SCENARIO file (or --resume DIR)")
        result = run_sweep(
            args.scenario,
            args.set,
            n=args.n,
            seed=args.seed,
            out=args.out,
            backend=args.backend or "processes",
            workers=args.workers,
            target=0.9 if args.target is None else args.target,
            metric=args.metric or "landed_on_planned_day",
            command=command_line(args),
            progress=progress,
            finish=draw,
        )
    m = result.manifest
    print(
        f"sweep of {m['scenario']}: {len(result.points)} points x {m['replications']:,} "
        f"replications, seed {m['seed']} (the same at every point), {m['wall_time_s']:.1f} s"
    )
    print(format_table(result.table, result.axes, result.metric))
    print(f"\nwritten: {result.out}/sweep.csv, sweep.png, sweep.json, point-*/")
    print(f"\n{result.answer}")
    return 0
