"""``crewsim sweep SCENARIO --set PATH=V1,V2,... [--set PATH2=W1,W2,...] -n N``: one run per point
of a grid over one or two scenario fields, all with the same seed (common random numbers).

Each point is a normal results folder (``point-<k>/``) under the sweep folder; the headline
statistics per point are printed and written to ``sweep.csv``, the trade-off of P(landing on the
planned day) against work done is drawn in ``sweep.png``, and ``sweep.json`` records the inputs.
The last line answers: what is the largest swept value with P(landing on the planned day) >= the
target, and how much of the plan is done there? Values are split on commas, except inside
``[..]``, ``{..}`` or quotes; a ``--set`` with one value is applied at every point.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

EPILOG = """\
examples:
  crewsim sweep scenarios/vyzov_2021_until_done.yaml \\
      --set work.tasks.0.hours="60 h,80 h,100 h,120 h,140 h" -n 2000
  crewsim sweep scenarios/vyzov_2021.yaml --set work.tasks.0.hours="60 h,100 h,140 h" \\
      --set returns.MS-18.policy=fixed,until-done -n 1000
  crewsim sweep scenarios/vyzov_2021.yaml \\
      --set 'vehicles.MS-19.launch.slip={dist: empirical, values: [0, 1], weights: [9, 1], unit: d},0 d'
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
    p.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="a field and the values it takes (YAML each; repeat for a second field)",
    )
    p.add_argument(
        "-n",
        "--replications",
        type=int,
        dest="n",
        help="replications per point (default: the scenario's)",
    )
    p.add_argument("--seed", type=int, help="master seed of every point (default: the scenario's)")
    p.add_argument(
        "--out", metavar="DIR", help="sweep folder (default: results/<scenario>-sweep/<timestamp>)"
    )
    p.add_argument("--workers", type=int, help="worker processes (default: cores available)")
    p.add_argument(
        "--backend",
        choices=["serial", "processes", "dask"],
        default="processes",
        help="where replications run (default: processes)",
    )
    p.add_argument(
        "--target",
        type=float,
        default=0.9,
        help="probability the metric must reach (default 0.9)",
    )
    p.add_argument(
        "--metric",
        default="landed_on_planned_day",
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
    """Run the sweep, print the table and the answer."""
    from sim.analysis.sweep import format_table, run_sweep

    def progress(message: str) -> None:
        print(f"  {message}", file=sys.stderr, flush=True)

    result = run_sweep(
        args.scenario,
        args.set,
        n=args.n,
        seed=args.seed,
        out=args.out,
        backend=args.backend,
        workers=args.workers,
        target=args.target,
        metric=args.metric,
        command=command_line(args),
        progress=progress,
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
