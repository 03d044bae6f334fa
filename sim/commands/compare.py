"""``crewsim compare RUN_A RUN_B``: how run B differs from run A.

Prints the headline metrics side by side (P(landing on the planned day), the P50/P80/P90 landing as
dates, visit length, work done, the outcome mix) with B - A. When both runs use the same seed and
replication numbers, replication i of B saw the same draws as replication i of A (common random
numbers), so the differences are paired and shown with 95 % intervals; otherwise the runs are
independent and the command says so. It warns when the two scenarios differ in more fields than
those named with ``--meant`` (or changed with ``--set``). Then one column (``--metric``) in detail:
percentiles, bootstrap intervals, Kolmogorov-Smirnov and P(A later than B). An ECDF overlay (PNG) and
the tables (CSV) go to a new folder (``ecdf.png``, ``compare.csv``, ``headline.csv``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.commands.options import RESULTS, add_out, check_out, output_folder
from sim.errors import CrewsimError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "compare",
        help="compare two runs: headline metrics side by side, one column in detail",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("run_a", metavar="RUN_A", help="baseline results folder (A)")
    p.add_argument("run_b", metavar="RUN_B", help="results folder compared with it (B)")
    p.add_argument(
        "--metric",
        default="landing_delay_h",
        metavar="COLUMN",
        help="outcome column to compare in detail (default: landing_delay_h)",
    )
    p.add_argument(
        "--meant",
        action="append",
        default=[],
        metavar="FIELD",
        help="a scenario field you meant to change, e.g. returns.MS-18.policy (repeatable; "
        "fields under it count too); other differences are warned about",
    )
    add_out(
        p, "results/compare/<A>_vs_<B>", "the folder for ecdf.png, compare.csv and headline.csv"
    )
    pairing = p.add_mutually_exclusive_group()
    pairing.add_argument(
        "--paired",
        dest="paired",
        action="store_true",
        default=None,
        help="pair replications (requires the same seed and replication numbers in both runs)",
    )
    pairing.add_argument(
        "--unpaired", dest="paired", action="store_false", help="treat the runs as independent"
    )
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (default 1000)")
    p.add_argument(
        "--bootstrap-seed", type=int, default=0, metavar="SEED", help="bootstrap seed (default 0)"
    )
    p.set_defaults(func=run)


def _label(run_dir: Path, manifest: dict) -> str:
    scenario = manifest.get("scenario")
    return f"{scenario} ({run_dir.name})" if scenario else run_dir.name


def _cell(value, unit: str) -> str:
    import pandas as pd

    if value is None or (isinstance(value, float) and value != value):
        return "-"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d %b %Y %H:%M")
    if unit == "share":
        return f"{100 * value:.1f} %"
    return f"{value:.1f}"


def _diff(value: float, unit: str) -> str:
    if value != value:
        return "-"
    if unit == "share":
        return f"{100 * value:+.1f} pts"
    return f"{value:+.1f} d" if unit in ("date", "days") else f"{value:+.3g}"


def pairing(a, b, manifest_a: dict, manifest_b: dict, wanted: bool | None) -> tuple[bool, str]:
    """Whether to pair the runs, and the sentence that says why."""
    same_reps = (
        "replication" in a.columns
        and "replication" in b.columns
        and len(a) == len(b)
        and set(a["replication"]) == set(b["replication"])
    )
    seed_a, seed_b = manifest_a.get("seed"), manifest_b.get("seed")
    same_seed = seed_a is not None and seed_a == seed_b
    if wanted is False:
        return False, "unpaired (--unpaired): the runs are treated as independent."
    if same_seed and same_reps:
        return True, (
            f"paired: both runs use seed {seed_a} and the same {len(a):,} replication numbers, so "
            "replication i of B saw the same draws as replication i of A (common random "
            "numbers); differences carry 95 % intervals."
        )
    why = (
        f"the seeds differ (A: {seed_a}, B: {seed_b})"
        if not same_seed
        else "the replication numbers differ"
    )
    if wanted:
        raise CrewsimError(
            f"--paired needs runs with the same seed and replication numbers; {why}. "
            "Rerun one of them with --seed and -n matching the other."
        )
    return False, (
        f"not paired: {why}, so the runs are independent samples and a difference of two "
        "estimates is not resolved replication by replication; no intervals are shown. Rerun "
        "with the same --seed and -n to pair them."
    )


def run(args: argparse.Namespace) -> int:
    from sim import analysis, plots
    from sim.report import load_run
    from sim.report.summary import load_scenario_dict
    from sim.tables import text_table

    check_out(args.out)
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
    paired, why = pairing(a, b, manifest_a, manifest_b, args.paired)
    label_a, label_b = _label(dir_a, manifest_a), _label(dir_b, manifest_b)
    print(f"A = {label_a}: {len(a):,} replications, seed {manifest_a.get('seed', '?')}")
    print(f"B = {label_b}: {len(b):,} replications, seed {manifest_b.get('seed', '?')}")
    print(why)
    meant = list(args.meant)
    for m in (manifest_a, manifest_b):
        meant += [str(o).split("=", 1)[0] for o in m.get("overrides") or []]
    sys.stdout.flush()  # the warning belongs under the runs it is about
    scen_a, scen_b = load_scenario_dict(dir_a), load_scenario_dict(dir_b)
    if scen_a is not None and scen_b is not None:
        diffs = analysis.scenario_differences(scen_a, scen_b, meant)
        if diffs:
            shown = "\n".join(f"  {p}: A {va!r}, B {vb!r}" for p, va, vb in diffs[:15])
            more = f"\n  ... and {len(diffs) - 15} more" if len(diffs) > 15 else ""
            named = f" besides {', '.join(meant)}" if meant else ""
            print(
                f"crewsim compare: warning: the scenarios differ in {len(diffs)} field(s){named}; "
                f"name the ones you meant with --meant FIELD:\n{shown}{more}",
                file=sys.stderr,
            )
    else:
        print(
            "crewsim compare: warning: a run folder has no scenario.yaml, so the scenarios "
            "cannot be checked for unintended differences",
            file=sys.stderr,
        )
    table = analysis.side_by_side(a, b, paired, n_boot=args.n_boot, seed=args.bootstrap_seed)
    rows = [
        (
            r.metric,
            _cell(r.A, r.unit),
            _cell(r.B, r.unit),
            _diff(r.diff, r.unit),
            f"[{_diff(r.diff_low, r.unit)}, {_diff(r.diff_high, r.unit)}]" if paired else "",
        )
        for r in table.itertuples(index=False)
    ]
    head = ("headline", "A", "B", "B - A", "95 % CI of B - A" if paired else "")
    print()
    print(text_table(head, rows))
    result = analysis.compare(
        a, b, metric=args.metric, paired=paired, n_boot=args.n_boot, seed=args.bootstrap_seed
    )
    print()
    print(result.to_text())
    out = output_folder(args.out, RESULTS / "compare" / f"{dir_a.name}_vs_{dir_b.name}")
    fig = plots.ecdf_overlay(a, b, args.metric, labels=(label_a, label_b), comparison=result)
    fig.savefig(out / "ecdf.png")
    detail = result.table.assign(
        metric=args.metric,
        paired=result.paired,
        ks_statistic=result.ks_statistic,
        ks_pvalue=result.ks_pvalue,
        p_a_later=result.p_a_later,
        p_tie=result.p_tie,
    )
    detail.to_csv(out / "compare.csv", index=False)
    table.assign(paired=paired).to_csv(out / "headline.csv", index=False)
    print(f"\nwritten: {out}/ecdf.png, compare.csv, headline.csv")
    return 0
