"""``crewsim run``: run a scenario's Monte Carlo and write its results folder.

Only argparse is imported at start-up; the runner, pandas and pyarrow load when the command runs.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

from sim.commands.options import add_seed, add_set, reject_with_resume, single_values

EPILOG = """\
examples:
  crewsim run scenarios/vyzov_2021.yaml
  crewsim run scenarios/vyzov_2021.yaml -n 100000 --workers 8 --set vehicles.MS-19.launch.planned=2021-10-06T08:55:02Z
  crewsim run scenarios/vyzov_2021.yaml --backend dask --scheduler tcp://10.0.0.5:8786
  crewsim run --resume results/vyzov-2021/20261127T081500Z-3f2a1c.partial
"""


def add_parser(subparsers: Any) -> None:
    """Register ``run`` and its options."""
    p = subparsers.add_parser(
        "run",
        help="run a scenario's Monte Carlo and write a results folder",
        description=(
            "Run the replications of a scenario and write results/<scenario>/<run-id>/ "
            "(outcomes.parquet, events.parquet, scenario.yaml, manifest.json, summary.md, plots). "
            "Replication i gives the same result on any backend and with any number of workers."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", nargs="?", help="scenario YAML file (omit with --resume)")
    p.add_argument(
        "-n", "--replications", type=int, dest="n", help="replications (default: the scenario's)"
    )
    add_seed(p)
    p.add_argument("--workers", type=int, help="worker processes (default: cores available)")
    p.add_argument(
        "--backend",
        choices=["serial", "processes", "dask"],
        help="where replications run (default: processes; dask when --scheduler is given)",
    )
    p.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler to join, tcp://HOST:PORT")
    add_set(p)
    p.add_argument(
        "--out",
        metavar="DIR",
        help="the run folder to create (default: results/<scenario>/<run-id>)",
    )
    p.add_argument(
        "--resume", metavar="RUN_DIR", help="finish an interrupted run (its .partial folder)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar or summary")
    p.add_argument(
        "--trace-sample",
        type=int,
        default=None,
        metavar="K",
        help="keep the event traces of replications 0..K-1 (default 20)",
    )
    p.add_argument(
        "--chunk-size", type=int, metavar="C", help="replications per chunk (default: adaptive)"
    )
    p.add_argument(
        "--precision",
        metavar="COLUMN:P80:HALF_WIDTH",
        help="stop early once the 95%% CI half-width of that percentile is below HALF_WIDTH (up to -n)",
    )
    p.add_argument(
        "--sampling",
        choices=("mc", "stratified", "lhs"),
        help="sampling of the inputs drawn once per replication (default: the scenario's "
        "monte_carlo.sampling, lhs unless set): lhs (Latin hypercube blocks), stratified (slips) "
        "or mc (independent draws)",
    )
    p.add_argument("--no-report", action="store_true", help="skip summary.md and plots")
    p.add_argument(
        "--no-sensitivity",
        action="store_true",
        help="skip the reruns under the scenario's `sensitivity.priors` (the report's prior "
        "sensitivity section)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run (or resume) and print where the results are and the headline numbers."""
    from sim.errors import CrewsimError
    from sim.montecarlo.runner import DEFAULT_TRACE_SAMPLE, RunInterrupted, resume
    from sim.montecarlo.runner import run as run_scenario

    command = command_line(args)
    try:
        if args.resume:
            fixed = {
                "SCENARIO": args.scenario,
                "-n": args.n,
                "--seed": args.seed,
                "--set": args.set or None,
                "--out": args.out,
                "--trace-sample": args.trace_sample,
                "--chunk-size": args.chunk_size,
                "--precision": args.precision,
                "--sampling": args.sampling,
            }
            reject_with_resume(fixed, args.resume, "run")
            out = resume(
                args.resume,
                backend=args.backend,
                workers=args.workers,
                scheduler=args.scheduler,
                quiet=args.quiet,
            )
        else:
            if not args.scenario:
                raise CrewsimError("crewsim run needs a SCENARIO file (or --resume RUN_DIR)")
            if not Path(args.scenario).is_file():
                raise CrewsimError(f"no scenario file {args.scenario}")
            from sim.scenario import load_scenario, scenario_warnings
            from sim.scenario.loading import sensitivity_bases

            sets = single_values(args.set, args.scenario)
            scenario = load_scenario(args.scenario, sets)
            if not (args.no_report or args.no_sensitivity):
                sensitivity_bases(args.scenario, scenario)  # a missing prior file fails up front
            for warning in scenario_warnings(scenario):
                print(f"crewsim run: warning: {args.scenario}: {warning}", file=sys.stderr)
            out = run_scenario(
                args.scenario,
                n=args.n,
                seed=args.seed,
                backend=args.backend,
                workers=args.workers,
                out=args.out,
                overrides=sets,
                scheduler=args.scheduler,
                chunk_size=args.chunk_size,
                trace_sample=DEFAULT_TRACE_SAMPLE
                if args.trace_sample is None
                else args.trace_sample,
                precision=args.precision,
                sampling=args.sampling,
                quiet=args.quiet,
                command=command,
            )
    except RunInterrupted as exc:
        print(f"crewsim run: {exc}", file=sys.stderr)
        return exc.exit_status
    if not args.no_report:
        figures = None
        if not args.no_sensitivity:
            figures = sensitivity_while_drawing(out, quiet=args.quiet)
        write_report_or_warn(out, figures)
    print_summary(out, quiet=args.quiet)
    return 0


def command_line(args: argparse.Namespace) -> str:
    """The ``crewsim run`` command that repeats this run (recorded in the manifest)."""
    parts = ["crewsim", "run"]
    if args.scenario:
        parts.append(args.scenario)
    options = [
        ("-n", args.n),
        ("--seed", args.seed),
        ("--backend", args.backend),
        ("--workers", args.workers),
        ("--scheduler", args.scheduler),
        ("--chunk-size", args.chunk_size),
        ("--trace-sample", args.trace_sample),
        ("--precision", args.precision),
        ("--sampling", args.sampling),
        ("--out", args.out),
        ("--resume", args.resume),
    ]
    options += [("--set", item) for item in args.set]
    for flag, value in options:
        if value is not None:
            parts += [flag, str(value)]
    switches = (
        ("--quiet", args.quiet),
        ("--no-report", args.no_report),
        ("--no-sensitivity", args.no_sensitivity),
    )
    parts += [flag for flag, on in switches if on]
    return shlex.join(parts)


def print_summary(run_dir: Path, quiet: bool = False) -> None:
    """Print the results folder (always) and the headline numbers (unless quiet)."""
    from sim.montecarlo.results import load_manifest

    print(f"results: {run_dir}")
    if quiet:
        return
    m = load_manifest(run_dir)
    rate = m.get("replications_per_s")
    workers = m["workers"]
    print(
        f"{m['replications']:,} replications, seed {m['seed']}, backend {m['backend']} "
        f"({workers} worker{'s' if workers != 1 else ''}), {m['wall_time_s']:.1f} s"
        + (f", {rate:,.0f} replications/s" if rate else "")
    )
    if m.get("stopping"):
        s = m["stopping"]
        print(f"stopped after {s['replications']:,} replications: {s['reason']}")
    try:
        from sim.report import run_verdict

        v = run_verdict(run_dir)
    except Exception as exc:  # the results are complete; say why the verdict is missing
        print(f"  (no verdict: {type(exc).__name__}: {exc})")
        return
    for sentence in v.sentences():
        print(f"  {sentence}")
    p90 = v.quantile("P90")
    if v.planned is not None and p90 is not None:
        print(
            f"  planned landing {v.planned:%d %b %Y %H:%M} UTC; P90 {p90.when:%d %b %Y %H:%M} UTC "
            f"({p90.delay_d:+.1f} days)"
        )
    summary = run_dir / "summary.md"
    if summary.is_file():
        print(f"summary: {summary}")


def write_sensitivity_or_warn(run_dir: Path, quiet: bool = False) -> None:
    """Rerun the scenario under its alternative priors (``sensitivity.json``). A failure does not
    undo the run: the results are complete, and the report then goes without the section."""
    from sim.errors import CrewsimError

    try:
        from sim.api.sensitivity import write_prior_sensitivity

        write_prior_sensitivity(run_dir, say=None if quiet else print)
    except CrewsimError as exc:
        print(f"warning: no prior sensitivity ({exc}); the results are complete", file=sys.stderr)


def sensitivity_while_drawing(run_dir: Path, quiet: bool = False) -> dict[str, Any] | None:
    """The prior-sensitivity reruns (:func:`write_sensitivity_or_warn`) while a helper thread draws
    the report's figures, which depend on the run alone: during the reruns the main process
    mostly waits for its workers, so part of the drawing overlaps them (the baseline's default
    run of 10,000 replications ends about 0.8 s sooner; the two cores stay busy either way).

    The reruns stay in the main thread (they own the worker pool and Ctrl-C). Returns the
    figures, or None when drawing them failed: the report then draws them itself and says why.
    """
    from concurrent.futures import ThreadPoolExecutor

    def draw() -> dict[str, Any]:
        from sim.report.summary import draw_figures  # imported by the helper too (a second)

        return draw_figures(run_dir)

    pool = ThreadPoolExecutor(1, thread_name_prefix="crewsim-figures")
    try:
        drawing = pool.submit(draw)
        write_sensitivity_or_warn(run_dir, quiet=quiet)
        try:
            return drawing.result()
        except Exception:  # drawn again by the report, which reports the error
            return None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def write_report_or_warn(run_dir: Path, figures: dict[str, Any] | None = None) -> None:
    """``summary.md`` and plots of a complete run (``figures``: those drawn already). A failing
    report does not undo the run: the results are complete and ``crewsim report`` can redo it."""
    try:
        from sim.report import write_report

        write_report(run_dir, figures=figures)
    except Exception as exc:  # the results are complete; the report can be redone
        print(
            f"warning: the report could not be written ({type(exc).__name__}: {exc}); the "
            f"results are complete. Retry with: crewsim report {run_dir}",
            file=sys.stderr,
        )
