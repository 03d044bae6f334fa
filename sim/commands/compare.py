"""``crewsim compare RUN_A RUN_B``: compare two runs on one outcome column (B - A).

Prints percentiles side by side with the difference and its bootstrap confidence interval, the
two-sample Kolmogorov-Smirnov test and P(A later than B), and writes an ECDF overlay (PNG) and the
table (CSV) to ``--out``. Runs with the same replication numbers are compared pair by pair (common
random numbers) unless ``--unpaired`` is given.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.errors import CrewsimError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare two runs on one outcome column",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("run_a", metavar="RUN_A", help="baseline results folder (A)")
    p.add_argument("run_b", metavar="RUN_B", help="results folder compared with it (B)")
    p.add_argument(
        "--metric",
        default="landing_delay_h",
        metavar="COLUMN",
        help="outcome column to compare (default: landing_delay_h)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder for the ECDF plot and table (default: compare/<A>_vs_<B>)",
    )
    pairing = p.add_mutually_exclusive_group()
    pairing.add_argument(
        "--paired",
        dest="paired",
        action="store_true",
        default=None,
        help="pair replications (requires the same replication numbers in both runs)",
    )
    pairing.add_argument(
        "--unpaired", dest="paired", action="store_false", help="treat the runs as independent"
    )
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    p.set_defaults(func=run)


def _label(run_dir: Path, manifest: dict) -> str:
    scenario = manifest.get("scenario")
    return f"{scenario} ({run_dir.name})" if scenario else run_dir.name


def run(args: argparse.Namespace) -> int:
    from sim import analysis, plots
    from sim.report import load_run

    dir_a, dir_b = Path(args.run_a), Path(args.run_b)
    a, manifest_a, _ = load_run(dir_a)
    b, manifest_b, _ = load_run(dir_b)
    for name, frame in ((dir_a, a), (dir_b, b)):
        if args.metric not in frame.columns:
            import difflib

            close = difflib.get_close_matches(args.metric, [str(c) for c in frame.columns], n=1)
            hint = (
                f"did you mean {close[0]!r}?"
                if close
                else "choose one of: "
                + ", ".join(c for c in frame.columns if not str(c).startswith("in."))
            )
            raise CrewsimError(f"column {args.metric!r} is not in the outcomes of {name}; {hint}")
    if args.n_boot < 10:
        raise CrewsimError("--n-boot must be at least 10")
    paired = args.paired
    seeds = (manifest_a.get("seed"), manifest_b.get("seed"))
    if seeds[0] != seeds[1]:  # replication i of each run drew different numbers: not pairs
        if paired:
            raise CrewsimError(
                f"--paired needs two runs with the same seed (common random numbers); A has "
                f"seed {seeds[0]}, B seed {seeds[1]}"
            )
        paired = False
    result = analysis.compare(
        a, b, metric=args.metric, paired=paired, n_boot=args.n_boot, seed=args.seed
    )
    label_a, label_b = _label(dir_a, manifest_a), _label(dir_b, manifest_b)
    print(f"A = {label_a}\nB = {label_b}")
    print(result.to_text())
    out = args.out or Path("compare") / f"{dir_a.name}_vs_{dir_b.name}"
    out.mkdir(parents=True, exist_ok=True)
    safe = args.metric.replace("/", "_")
    fig = plots.ecdf_overlay(a, b, args.metric, labels=(label_a, label_b), comparison=result)
    fig.savefig(out / f"ecdf_{safe}.png", dpi=100)
    table = result.table.assign(
        metric=args.metric,
        paired=result.paired,
        ks_statistic=result.ks_statistic,
        ks_pvalue=result.ks_pvalue,
        p_a_later=result.p_a_later,
        p_tie=result.p_tie,
    )
    table.to_csv(out / f"compare_{safe}.csv", index=False)
    print(f"\nwritten: {out / f'ecdf_{safe}.png'}, {out / f'compare_{safe}.csv'}")
    return 0
