"""``crewsim trace``: run one replication with its event trace, print it and draw its timeline.

Replication ``I`` of a scenario with seed ``S`` is the same replication as in ``crewsim run`` (same
random streams), so a surprising row of a run can be replayed and read event by event.
"""

from __future__ import annotations

import argparse
import math
from typing import Any

from sim.commands.options import (
    RESULTS,
    add_out,
    add_seed,
    add_set,
    check_out,
    output_folder,
    single_values,
)

EPILOG = """\
examples:
  crewsim trace scenarios/vyzov_2021.yaml --replication 17
  crewsim trace scenarios/vyzov_2021_replay.yaml --replication 0 --out results/replay
  crewsim trace scenarios/vyzov_2021.yaml -r 3 --set vehicles.MS-19.launch.slip="2 d"
"""


def add_parser(subparsers: Any) -> None:
    """Register ``trace`` and its options."""
    p = subparsers.add_parser(
        "trace",
        help="run one replication and show its event log and timeline",
        description=(
            "Run replication I of a scenario with tracing on, print its events (UTC) and the "
            "outcome row's headline, and write a Gantt chart of planned vs actual phases "
            "(trace.png) and the events (events.csv) to a new folder."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument(
        "-r", "--replication", type=int, required=True, metavar="I", help="replication number"
    )
    add_seed(p)
    add_set(p)
    add_out(p, "results/<scenario>/trace-<I>-seed<S>", "the folder for trace.png and events.csv")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Simulate, print the event table and the headline, write the PNG (and CSV)."""
    from sim.errors import CrewsimError
    from sim.model import compile_scenario, simulate_replication
    from sim.scenario import load_scenario

    if args.replication < 0:
        raise CrewsimError(f"--replication must be 0 or more (got {args.replication})")
    if args.seed is not None and args.seed < 0:
        raise CrewsimError(f"--seed must be 0 or more (got {args.seed})")
    check_out(args.out, "trace folder")
    scenario = load_scenario(args.scenario, single_values(args.set, args.scenario))
    seed = scenario.monte_carlo.seed if args.seed is None else args.seed
    default = RESULTS / scenario.name / f"trace-{args.replication}-seed{seed}"

    compiled = compile_scenario(scenario)
    row, events = simulate_replication(compiled, args.replication, seed, trace=True)
    table = events_frame(events, scenario.epoch)
    print(
        f"{scenario.name}: replication {args.replication}, seed {seed}, "
        f"{len(table)} events (times UTC)"
    )
    print(format_events(table))
    print()
    print(headline(row, scenario.epoch, compiled.primary))

    fig = _gantt(table, row, scenario.epoch, scenario.name)
    out = output_folder(args.out, default, "trace folder")
    table.to_csv(out / "events.csv", index=False)
    fig.savefig(out / "trace.png", dpi=120)
    print(f"written: {out}/trace.png, events.csv")
    return 0


def events_frame(events: list[tuple[Any, ...]], epoch: Any) -> Any:
    """Event tuples -> DataFrame (replication, time_utc, flight, process, event, detail)."""
    import pandas as pd

    columns = ["replication", "time_h", "flight", "process", "event", "detail"]
    df = pd.DataFrame(events, columns=columns)
    start = pd.Timestamp(epoch)
    # Whole milliseconds: hours as floats would otherwise show 01:13:59.999999 for 01:14.
    ms = (df.pop("time_h").astype(float) * 3_600_000.0).round()
    df.insert(1, "time_utc", start + pd.to_timedelta(ms, unit="ms"))
    return df


def format_events(table: Any) -> str:
    """The events as a fixed-width text table."""
    header = ("time (UTC)", "flight", "process", "event", "detail")
    rows = [
        (t.round("s").strftime("%Y-%m-%d %H:%M:%S"), str(f), str(p), str(e), str(d))
        for t, f, p, e, d in zip(
            table["time_utc"],
            table["flight"],
            table["process"],
            table["event"],
            table["detail"],
            strict=True,
        )
    ]
    from sim.tables import text_table

    return text_table(header, rows, rule=False)


def _when(hours: float, epoch: Any) -> str:
    import pandas as pd

    if hours is None or (isinstance(hours, float) and math.isnan(hours)):
        return "-"
    when = pd.Timestamp(epoch) + pd.Timedelta(milliseconds=round(hours * 3_600_000.0))
    return when.round("s").strftime("%Y-%m-%d %H:%M:%S")


def headline(row: dict[str, Any], epoch: Any, primary: str | None) -> str:
    """The outcome row's headline columns, in words."""
    from sim.model.outcome import OUTCOME_LABELS

    reason = f" ({row['outcome_reason']})" if row.get("outcome_reason") else ""
    lines = [f"outcome: {row['outcome']}{reason}: {OUTCOME_LABELS.get(row['outcome'], '')}"]
    if row.get("opportunities", "orbit") != "orbit":
        lines.append(f"landing opportunities: {row['opportunities']}")
    if primary is not None:
        lines.append(
            f"{primary} landing: planned {_when(row['landing_planned_utc'], epoch)}, "
            f"actual {_when(row['landing_actual_utc'], epoch)}, "
            f"delay {row['landing_delay_h']:+.2f} h, "
            f"on the planned day: {'yes' if row['landed_on_planned_day'] else 'no'}"
        )
        causes = {
            k.removeprefix("delay.").removesuffix("_h"): v
            for k, v in row.items()
            if k.startswith("delay.") and abs(v) > 1e-9
        }
        if causes:
            lines.append(
                "  delay by cause: " + ", ".join(f"{k} {v:+.2f} h" for k, v in causes.items())
            )
    lines.append(
        f"work: {row['work_done_h']:.1f} of {row['work_planned_h']:.1f} h "
        f"({row['work_done_frac']:.0%}, {'complete' if row['work_complete'] else 'incomplete'})"
    )
    lines.append(
        f"contingencies: {row['contingency_count']} ({row['contingency_h']:.1f} h); "
        f"visitors' days aboard: {row['visit_days']:.2f}; peak crew: {row['peak_crew']}"
    )
    lines += _people(row, epoch)
    lines.append(
        f"violations: {row['violations']}"
        + (f" ({row['violation_list']})" if row["violation_list"] else "")
    )
    return "\n".join(lines)


def _people(row: dict[str, Any], epoch: Any) -> list[str]:
    """One line per person: where they ended, on which vehicle and when, days aboard, work."""
    names = [k[len("crew.") : -len(".end_state")] for k in row if k.endswith(".end_state")]
    lines = []
    for name in names:
        state = row[f"crew.{name}.end_state"]
        where = (
            f"home on {row[f'crew.{name}.home_on']} {_when(row[f'crew.{name}.home_utc'], epoch)}"
            if state == "home"
            else state
        )
        days = row[f"crew.{name}.days_aboard"]
        work = row[f"crew.{name}.work_h"]
        lines.append(
            f"  {name}: {where}"
            + (f", {days:.1f} d aboard" if days == days else "")
            + (f", {work:.1f} h of planned work" if work else "")
        )
    return ["people:", *lines] if lines else []


def _gantt(table: Any, row: dict[str, Any], epoch: Any, name: str) -> Any:
    """The Gantt chart of the replication (``_utc`` columns as timestamps)."""
    import pandas as pd

    from sim import plots

    start = pd.Timestamp(epoch)
    converted = {
        k: (start + pd.Timedelta(hours=v) if v == v else pd.NaT) if k.endswith("_utc") else v
        for k, v in row.items()
    }
    return plots.gantt(table, pd.Series(converted), window=_window(row, start), scenario=name)


def _window(row: dict[str, Any], start: Any) -> tuple[Any, Any] | None:
    """The visit: a day before the first launch (or docking) to a day after the headline landing
    (the chart's own default starts at the epoch and cuts months-long stays at 40 days)."""
    import pandas as pd

    def finite(keys: list[str]) -> list[float]:
        return [row[k] for k in keys if isinstance(row[k], float) and math.isfinite(row[k])]

    first = finite([k for k in row if k.endswith(("launch_planned_utc", "launch_actual_utc"))])
    first += finite([k for k in row if k.endswith(("dock_planned_utc", "dock_actual_utc"))])
    last = finite(["landing_planned_utc", "landing_actual_utc"])
    if not first or not last:
        return None
    lo, hi = min(first) - 24.0, max(max(last), min(first)) + 24.0
    return start + pd.Timedelta(hours=lo), start + pd.Timedelta(hours=hi)
