"""The run report: ``summary.md`` and ``plots/*.png`` in a results folder, from its outcome table,
event traces and manifest.

The summary holds the headline numbers, percentiles with 95 % confidence intervals of the main
columns, the top drivers of the landing delay (rank correlation), the delay attribution by cause
and links to the plots. A section the table cannot answer (a column the scenario does not produce)
is skipped with a note rather than failing the report.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim import analysis
from sim.montecarlo import results
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
SUMMARY = "summary.md"
PLOTS = "plots"


def load_run(run_dir: str | Path) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """Outcomes, manifest and events of a complete run folder (``CrewsimError`` if it is not one)."""
    df = results.load(run_dir)
    manifest = results.load_manifest(run_dir)
    try:
        events = results.load_events(run_dir)
    except (FileNotFoundError, OSError):
        events = pd.DataFrame(columns=list(results.EVENT_COLUMNS))
    return df, manifest, events


def _fmt(value: Any, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return "–"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if unit == "probability":
        return f"{value:.3f}"
    if isinstance(value, float | np.floating):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured markdown table."""
    return markdown_table(header, rows)


def _section(title: str, body: Callable[[], str]) -> str:
    try:
        text = body()
    except analysis.AnalysisInputError as exc:
        text = f"_Not available: {exc}_"
    return f"## {title}\n\n{text}\n"


def _headline_md(df: pd.DataFrame, manifest: dict[str, Any]) -> str:
    h = analysis.headline(df, manifest)
    rows = [
        (
            r.flight,
            r.metric,
            _fmt(r.value, r.unit),
            f"{_fmt(r.ci_low, r.unit)} – {_fmt(r.ci_high, r.unit)}",
            r.unit,
        )
        for r in h.itertuples(index=False)
    ]
    return _table(("flight", "quantity", "estimate", "95% CI", "unit"), rows)


def _percentiles_md(df: pd.DataFrame) -> str:
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
        cells = [
            f"{_fmt(r.value)}<br>[{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]" for r in p.itertuples()
        ]
        rows.append((f"`{col}`", *cells, f"{int(p['n'].iloc[0]):,}"))
    header = ("column", *[analysis.q_label(q) for q in analysis.DEFAULT_QS], "n")
    note = "Estimate with its 95 % order-statistic confidence interval; missing values dropped."
    return _table(header, rows) + "\n\n" + note


def _outcomes_md(df: pd.DataFrame) -> str:
    counts = df["outcome"].value_counts() if "outcome" in df.columns else pd.Series(dtype=int)
    rows = [(k, f"{v:,}", f"{v / len(df):.1%}") for k, v in counts.items()]
    return _table(("outcome", "replications", "share"), rows)


def _drivers_md(df: pd.DataFrame) -> str:
    t = analysis.tornado(df).dropna(subset=["rho"]).head(10)
    if t.empty:
        return "_No sampled inputs (`in.*` columns) vary in this run._"
    rows = [
        (f"`{r.input}`", f"{r.rho:+.3f}", f"{r.ci_low:+.3f} – {r.ci_high:+.3f}", f"{r.p_value:.2g}")
        for r in t.itertuples(index=False)
    ]
    return _table(("input", "Spearman rho", "95% CI", "p-value"), rows)


def _attribution_md(df: pd.DataFrame) -> str:
    a = analysis.attribution(df)
    rows = [
        (
            r.cause,
            f"{r.mean_h:.2f}",
            f"{r.share:.1%}",
            f"{r.criticality:.1%}",
            f"{r.p50_h:.2f}",
            f"{r.p90_h:.2f}",
        )
        for r in a.itertuples(index=False)
    ]
    header = ("cause", "mean h", "share of mean delay", "fires in", "P50 h", "P90 h")
    return _table(header, rows)


def _precision_md(df: pd.DataFrame) -> str:
    plan = analysis.replications_for_precision(df, "landing_delay_h", q=0.8, half_width=1.0)
    return (
        f"P80 of the landing delay: {plan.quantile:.1f} h, 95 % CI half-width about "
        f"±{plan.half_width_current:.2f} h with {plan.n_current:,} replications; "
        f"±1 h needs about {plan.n_required:,} replications (asymptotic, KDE density)."
    )


def _save(fig: Any, path: Path) -> str:
    results.save_figure_atomic(fig, path, dpi=100)  # never through a link
    fig.clear()
    return path.name


def _plots(
    df: pd.DataFrame, events: pd.DataFrame, manifest: dict[str, Any], folder: Path
) -> list[tuple[str, str]]:
    """Draw the report figures into ``folder``; returns (caption, file name) pairs."""
    from sim import plots

    folder.mkdir(exist_ok=True)
    scenario = manifest.get("scenario")
    kw = {"scenario": scenario, "n": len(df)}
    out: list[tuple[str, str]] = []
    if "landing_actual_utc" in df.columns and df["landing_actual_utc"].notna().any():
        fig = plots.s_curve(df, **kw)
        out.append(("Landing time S-curve", _save(fig, folder / "s_curve.png")))
    if "landing_delay_h" in df.columns and df["landing_delay_h"].notna().any():
        out.append(
            (
                "Landing delay histogram",
                _save(plots.delay_histogram(df, **kw), folder / "delay_histogram.png"),
            )
        )
        conv = analysis.convergence(df, "landing_delay_h")
        out.append(
            ("Convergence", _save(plots.convergence_plot(conv, **kw), folder / "convergence.png"))
        )
        t = analysis.tornado(df)
        if t["rho"].notna().any():
            out.append(("Top drivers", _save(plots.tornado(t, **kw), folder / "tornado.png")))
        if analysis.delay_columns(df):
            a = analysis.attribution(df)
            out.append(
                (
                    "Delay attribution",
                    _save(plots.attribution_bar(a, **kw), folder / "attribution.png"),
                )
            )
    for v in analysis.flights_with(df, "launch_slip_d"):
        try:
            curve = analysis.launch_probability_curve(df, v)
        except analysis.AnalysisInputError:
            continue
        planned = df.get(f"{v}.launch_planned_utc")
        planned = (
            planned.dropna().iloc[0] if planned is not None and planned.notna().any() else None
        )
        fig = plots.launch_probability(curve, v, planned=planned, **kw)
        out.append((f"{v} launch probability", _save(fig, folder / f"launch_{v}.png")))
    if len(events):
        rep = int(events["replication"].min())
        row = df.loc[df["replication"] == rep].iloc[0] if "replication" in df.columns else None
        fig = plots.gantt(events, row, replication=rep, scenario=scenario)
        out.append((f"Timeline of replication {rep}", _save(fig, folder / "gantt.png")))
        crew = events[(events["process"] == "crew") & (events["event"] == "aboard")]
        if len(crew):
            fig = plots.crew_aboard(events, replication=rep, scenario=scenario)
            out.append((f"Crew aboard, replication {rep}", _save(fig, folder / "crew_aboard.png")))
    return out


def write_report(run_dir: str | Path, draw: bool = True) -> Path:
    """Write ``summary.md`` (and ``plots/*.png`` unless ``draw`` is False) into a complete run
    folder; returns the path of ``summary.md``."""
    run = Path(run_dir)
    df, manifest, events = load_run(run)
    if df.empty:
        raise analysis.AnalysisInputError(f"{run} has no outcome rows.")
    scenario = manifest.get("scenario", run.parent.name)
    figures = _plots(df, events, manifest, run / PLOTS) if draw else []
    parts = [
        f"# {scenario}: schedule-risk summary\n",
        f"Run `{manifest.get('run_id', run.name)}`: {len(df):,} replications, seed "
        f"{manifest.get('seed', '?')}, backend {manifest.get('backend', '?')}, "
        f"crewsim {manifest.get('crewsim', '?')}. Headline flight: "
        f"{analysis.primary_flight(manifest) or 'not named'}.\n",
        _section("Headline", lambda: _headline_md(df, manifest)),
        _section("Outcomes", lambda: _outcomes_md(df)),
        _section("Percentiles", lambda: _percentiles_md(df)),
        _section("Precision", lambda: _precision_md(df)),
        _section("Top drivers of the landing delay", lambda: _drivers_md(df)),
        _section("Delay attribution", lambda: _attribution_md(df)),
    ]
    if figures:
        links = "\n".join(f"- [{caption}]({PLOTS}/{name})" for caption, name in figures)
        parts.append(f"## Plots\n\n{links}\n")
    path = run / SUMMARY
    results.write_text_atomic(path, "\n".join(parts))
    return path
