"""The Markdown sections of ``summary.md``, each from the outcome table (and the verdict): the
landing percentiles as dates and days, what the delays cost the visit, the outcome mix, the drivers
in plain words, the assumptions, the other flights and the remaining percentiles.

A section the table cannot answer (a column the scenario does not produce) raises
``AnalysisInputError``; :func:`section` turns that into a note instead of failing the report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from sim import analysis
from sim.model import outcome as model_outcome
from sim.report.verdict import ATOM_SHARE, CUT_WORDS, Verdict, cut_flags, days, pct, stamp
from sim.tables import markdown_table

#: Columns summarised by percentiles when present (headline first, then per flight).
MAIN_COLUMNS = (
    "landing_delay_h",
    "landing_actual_utc",
    "work_done_frac",
    "work_done_h",
    "contingency_h",
    "visit_days",
    "peak_crew",
)
FLIGHT_COLUMNS = ("landing_delay_h", "launch_slip_d", "dock_delay_h")


def section(title: str, body: Callable[[], str]) -> str:
    """``## title`` and its body, or a note when the table cannot answer."""
    try:
        text = body()
    except analysis.AnalysisInputError as exc:
        text = f"_Not available: {exc}_"
    return f"## {title}\n\n{text}\n"


def outcome_meanings() -> dict[str, str]:
    """The model's outcome labels with what each means for the people (empty meanings when the
    model names its labels without them)."""
    labels = getattr(model_outcome, "OUTCOME_LABELS", None)
    if labels:
        return dict(labels)
    return {label: "" for label in getattr(model_outcome, "OUTCOMES", ())}


# --------------------------------------------------------------------------------------------
# The headline landing
# --------------------------------------------------------------------------------------------


def landing_md(v: Verdict) -> str:
    """P10/P50/P80/P90 of the headline landing as dates and as days late, with 95 % intervals,
    and a note where an interval collapses onto a value many replications share."""
    if not v.quantiles:
        raise analysis.AnalysisInputError("no replication landed, so there are no percentiles.")
    head = ("", *[q.label for q in v.quantiles])
    when = ["landing (UTC)"] + [
        f"{stamp(q.when)}"
        + ("" if q.is_point else f"<br>[{stamp(q.when_low)}, {stamp(q.when_high)}]")
        for q in v.quantiles
    ]
    late = ["days late"] + [
        f"{q.delay_d:.1f}"
        + ("" if q.is_point else f"<br>[{q.delay_low_d:.1f}, {q.delay_high_d:.1f}]")
        for q in v.quantiles
    ]
    text = markdown_table(head, [when, late])
    planned = f"Planned landing: {stamp(v.planned)} UTC. " if v.planned is not None else ""
    whose = (
        f"These are the landings of {v.who()} themselves, in the replications in which they flew. "
        if v.of_people
        else ""
    )
    notes = [
        f"{planned}{whose}P80 means 80 % of replications land by then (1 in 5 later). Intervals "
        "are exact 95 % order-statistic intervals of the percentile."
    ]
    points = [q for q in v.quantiles if q.is_point]
    if points:
        by_value: dict[float, list] = {}
        for q in points:
            by_value.setdefault(round(q.delay_d, 6), []).append(q)
        parts = []
        for group in by_value.values():
            q = group[0]
            labels = "/".join(g.label for g in group)
            parts.append(
                f"{labels} {stamp(q.when)} ({pct(q.atom_share)} of replications land at exactly "
                "this time)"
            )
        notes.append(
            "Discrete landings: an interval shown as a single value is not false precision. "
            "Launch slips come in whole days and there is about one landing opportunity a day, "
            "so the landing time takes a few values, each shared by many replications, and a "
            "percentile that falls inside such a step is that value with or without more "
            "replications: " + "; ".join(parts) + "."
        )
    return text + "\n\n" + "\n\n".join(notes)


# --------------------------------------------------------------------------------------------
# Consequences for the visit
# --------------------------------------------------------------------------------------------


def _delayed(df: pd.DataFrame) -> pd.Series:
    """Replications that landed, but not on the planned day."""
    landed = df["landing_actual_utc"].notna() if "landing_actual_utc" in df.columns else True
    on_day = df["landed_on_planned_day"].fillna(False).astype(bool)
    return landed & ~on_day


def _visit_cell(frame: pd.DataFrame) -> str:
    v = pd.to_numeric(frame.get("visit_days"), errors="coerce").dropna()
    v = v[v > 0]
    if v.empty:
        return "-"
    p10, p50, p90 = np.quantile(v, [0.1, 0.5, 0.9])
    return f"{p10:.1f} / {p50:.1f} / {p90:.1f}"


def _work_cell(frame: pd.DataFrame) -> str:
    if "work_done_frac" not in frame.columns or frame.empty:
        return "-"
    w = pd.to_numeric(frame["work_done_frac"], errors="coerce").dropna()
    return f"{pct(w.mean())} (P10 {pct(np.quantile(w, 0.1))})" if len(w) else "-"


def _share_cell(frame: pd.DataFrame, column: str) -> str:
    if column not in frame.columns or frame.empty:
        return "-"
    return pct(float(frame[column].fillna(False).astype(bool).mean()))


def consequences_md(df: pd.DataFrame, v: Verdict) -> str:
    """Visit length and work done, over all replications and over the delayed ones."""
    if "landed_on_planned_day" not in df.columns:
        raise analysis.AnalysisInputError("the table has no landed_on_planned_day column.")
    delayed = df[_delayed(df)]
    head = ("", f"all replications ({len(df):,})", f"delayed landings ({len(delayed):,})")
    rows = [
        ("visit length, days (P10 / P50 / P90)", _visit_cell(df), _visit_cell(delayed)),
        ("work done, mean share of plan (P10)", _work_cell(df), _work_cell(delayed)),
        (
            "work plan complete",
            _share_cell(df, "work_complete"),
            _share_cell(delayed, "work_complete"),
        ),
    ]
    if v.visit_planned_d and cut_flags(df, v.visit_planned_d) is not None:
        planned_d = v.visit_planned_d

        def cut(frame: pd.DataFrame) -> str:
            flags = cut_flags(frame, planned_d)
            return pct(float(flags.mean())) if flags is not None and len(frame) else "-"

        label = f"visit cut {CUT_WORDS} below the planned {planned_d:.1f} days"
        rows.insert(1, (label, cut(df), cut(delayed)))
    note = (
        "Delayed landings: replications that landed, but not on the planned day (UTC). Visit "
        "length counts the replications in which the visitors reached the station."
    )
    return markdown_table(head, rows) + "\n\n" + note


def outcomes_md(df: pd.DataFrame) -> str:
    """One line per outcome label: its share and what it means for the people."""
    if "outcome" not in df.columns:
        raise analysis.AnalysisInputError("the table has no outcome column.")
    counts = df["outcome"].value_counts()
    meanings = outcome_meanings()
    labels = [k for k in meanings if k in counts.index] + [
        k for k in counts.index if k not in meanings
    ]
    lines = []
    for label in labels:
        k = int(counts[label])
        meaning = meanings.get(label, "")
        lines.append(
            f"- **{label}**: {pct(k / len(df))} ({k:,})" + (f". {meaning}" if meaning else "")
        )
    absent = [k for k in meanings if k not in counts.index]
    if absent:
        lines.append(f"- never: {', '.join(absent)}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Drivers and the remaining tables
# --------------------------------------------------------------------------------------------


def drivers_text(df: pd.DataFrame, top: int = 3) -> str:
    """The causes of the delay in plain words, from the attribution (share of the mean delay)."""
    a = analysis.attribution(df)
    a = a[a["mean_h"] > 0]
    if a.empty:
        return "No replication is delayed: nothing drives the delay."
    mean_total = float(pd.to_numeric(df["landing_delay_h"], errors="coerce").mean())
    rows = list(a.head(top).itertuples(index=False))
    first, rest = rows[0], rows[1:]
    text = (
        f"The mean landing delay is {days(mean_total / 24)}. "
        f"{first.cause.replace('_', ' ').capitalize()} explains {pct(first.share)} of it "
        f"(it adds delay in {pct(first.criticality)} of replications)"
    )
    if rest:
        text += "; then " + ", ".join(f"{r.cause.replace('_', ' ')} ({pct(r.share)})" for r in rest)
    return text + "."


def fmt(value: Any, unit: str = "") -> str:
    """A cell: timestamps as UTC dates, probabilities to 3 decimals, other floats to 3 digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if unit == "probability":
        return f"{value:.3f}"
    if isinstance(value, float | np.floating):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def headline_md(df: pd.DataFrame, manifest: dict[str, Any]) -> str:
    """Every returning flight: landing delay P50/P70/P80, P(on the planned day), work, violations."""
    h = analysis.headline(df, manifest)
    rows = [
        (
            r.flight,
            r.metric,
            fmt(r.value, r.unit),
            f"{fmt(r.ci_low, r.unit)} – {fmt(r.ci_high, r.unit)}",
            r.unit,
        )
        for r in h.itertuples(index=False)
    ]
    note = (
        "Each flight's own landing, whoever it carries: delays over the replications in which "
        "it lands, P(landing on planned day) over all of them. The verdict's share on the "
        "planned day is the visitors' own: it also counts as missed the replications in which "
        "they never flew, so it can be lower than their return vehicle's share here."
    )
    table = markdown_table(("flight", "quantity", "estimate", "95% CI", "unit"), rows)
    return table + "\n\n" + note


def percentiles_md(df: pd.DataFrame) -> str:
    """Percentiles with intervals of the main columns and of each flight's delays."""
    cols = [c for c in MAIN_COLUMNS if c in df.columns]
    for v in sorted(
        set(analysis.flights_with(df, "landing_delay_h"))
        | set(analysis.flights_with(df, "launch_slip_d"))
    ):
        cols += [f"{v}.{c}" for c in FLIGHT_COLUMNS if f"{v}.{c}" in df.columns]
    rows = []
    for col in cols:
        if not df[col].notna().any() or df[col].dtype == bool:
            continue
        p = analysis.percentiles(df, col)
        cells = [f"{fmt(r.value)}<br>[{fmt(r.ci_low)}, {fmt(r.ci_high)}]" for r in p.itertuples()]
        rows.append((f"`{col}`", *cells, f"{int(p['n'].iloc[0]):,}"))
    header = ("column", *[analysis.q_label(q) for q in analysis.DEFAULT_QS], "n")
    note = (
        "Estimate with its 95 % order-statistic confidence interval; missing values dropped. "
        "Columns ending in `_h` are hours, `_d` days, `_frac` shares of the plan."
    )
    return markdown_table(header, rows) + "\n\n" + note


def rank_md(df: pd.DataFrame) -> str:
    """Spearman rank correlation of each sampled input with the landing delay."""
    t = analysis.tornado(df).dropna(subset=["rho"]).head(10)
    if t.empty:
        return "_No sampled inputs (`in.*` columns) vary in this run._"
    rows = [
        (f"`{r.input}`", f"{r.rho:+.3f}", f"{r.ci_low:+.3f} – {r.ci_high:+.3f}", f"{r.p_value:.2g}")
        for r in t.itertuples(index=False)
    ]
    return markdown_table(("input", "Spearman rho", "95% CI", "p-value"), rows)


def attribution_md(df: pd.DataFrame) -> str:
    """Hours each cause adds to the landing delay: mean, share, how often, P50 and P90."""
    a = analysis.attribution(df)
    rows = [
        (
            r.cause.replace("_", " "),
            f"{r.mean_h:.2f}",
            f"{r.share:.1%}",
            f"{r.criticality:.1%}",
            f"{r.p50_h:.2f}",
            f"{r.p90_h:.2f}",
        )
        for r in a.itertuples(index=False)
    ]
    header = ("cause", "mean h", "share of mean delay", "fires in", "P50 h", "P90 h")
    return markdown_table(header, rows)


#: The half-width (days) of the P80 landing the precision section aims at.
PRECISION_TARGET_D = 0.1


def precision_md(v: Verdict, df: pd.DataFrame) -> str:
    """How precise the P80 landing is, in days, and whether more replications would help."""
    q = v.quantile("P80")
    if q is None:
        raise analysis.AnalysisInputError("no landings.")
    if q.atom_share >= ATOM_SHARE:
        return (
            f"P80 of the landing delay is {days(q.delay_d)} (interval "
            f"{q.delay_low_d:.1f}-{q.delay_high_d:.1f} days), a value {pct(q.atom_share)} of the "
            f"{v.n:,} replications share: the percentile sits on a step of a discrete "
            "distribution, which more replications do not refine."
        )
    # The exact order-statistic interval of the percentile (the one the landing table shows); its
    # width shrinks as 1/sqrt(n), which says how many replications a target half-width needs.
    half = (q.delay_high_d - q.delay_low_d) / 2
    text = (
        f"P80 of the landing delay: {days(q.delay_d)}, 95 % interval {q.delay_low_d:.2f}-"
        f"{q.delay_high_d:.2f} days (half-width ±{half:.2f} days) with {v.n:,} replications"
    )
    if half <= PRECISION_TARGET_D:
        return text + f": already within ±{PRECISION_TARGET_D} day."
    needed = int(np.ceil(v.n * (half / PRECISION_TARGET_D) ** 2))
    return text + (
        f"; ±{PRECISION_TARGET_D} day needs about {needed:,} replications (the interval narrows "
        "as 1/√n)."
    )


def assumptions_md(rows: Sequence[tuple[str, str, str]]) -> str:
    """The assumptions table."""
    if not rows:
        return "_The run folder has no scenario.yaml, so its inputs are not listed._"
    cells = [(f"`{path}`", dist, source) for path, dist, source in rows]
    calibrated = sum("calibrated" in s for _, _, s in rows)
    return (
        markdown_table(("uncertain input", "distribution", "source"), cells)
        + f"\n\n{calibrated} of {len(rows)} uncertain inputs are calibrated from flight history; "
        "the others are priors (expert guesses, marked PRIOR in the scenario files)."
    )
