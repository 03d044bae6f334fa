"""The run report: ``summary.md`` and ``plots/*.png`` in a results folder, from its outcome table,
event traces, manifest and resolved scenario.

``summary.md`` opens with the verdict in plain words (:mod:`sim.report.verdict`), then the landing
percentiles as dates and days, what the delays cost the visit, the outcome mix, the drivers, the
assumptions, the other flights and the remaining statistics, with the figures inline. A section
the table cannot answer (a column the scenario does not produce) is replaced by a note rather than
failing the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim import analysis
from sim.errors import CrewsimError
from sim.montecarlo import results
from sim.report import sections
from sim.report.assumptions import assumptions
from sim.report.sensitivity import load_sensitivity, sensitivity_md
from sim.report.vehicle_health import vehicle_health_md
from sim.report.verdict import Verdict, verdict

SUMMARY = "summary.md"
PLOTS = "plots"


def load_run(run_dir: str | Path) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame]:
    """Outcomes, manifest and events of a complete run folder (``CrewsimError`` if it is not one)."""
    df = results.load(run_dir)
    manifest = results.load_manifest(run_dir)
    try:
        events = results.load_events(run_dir)
    except (CrewsimError, OSError):  # no trace written, or not readable: the report goes without
        events = pd.DataFrame(columns=list(results.EVENT_COLUMNS))
    return df, manifest, events


def load_scenario_dict(run_dir: str | Path) -> dict[str, Any] | None:
    """The resolved scenario of a run folder as plain data, or None when it is not there."""
    path = Path(run_dir) / results.SCENARIO
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def run_verdict(run_dir: str | Path) -> Verdict:
    """The verdict of a run folder (for the ``crewsim run`` printout)."""
    df, manifest, _ = load_run(run_dir)
    return verdict(df, manifest, load_scenario_dict(run_dir))


def _save(fig: Any, path: Path) -> str:
    results.save_figure_atomic(fig, path)  # never through a link
    fig.clear()
    return path.name


def _plots(
    df: pd.DataFrame, events: pd.DataFrame, manifest: dict[str, Any], folder: Path
) -> dict[str, tuple[str, str]]:
    """Draw the report figures into ``folder``; returns {key: (caption, file name)}."""
    from sim import plots

    folder.mkdir(exist_ok=True)
    scenario = manifest.get("scenario")
    flight = analysis.primary_flight(manifest)
    kw = {"scenario": scenario, "n": len(df)}
    out: dict[str, tuple[str, str]] = {}
    if "landing_actual_utc" in df.columns and df["landing_actual_utc"].notna().any():
        fig = plots.landing_risk(df, flight=flight, **kw)
        out["landing"] = ("When the headline flight lands", _save(fig, folder / "landing.png"))
        fig = plots.risk_gantt(_story_milestones(df), **kw)
        out["risk_gantt"] = ("Milestones: P10-P90 vs plan", _save(fig, folder / "risk_gantt.png"))
    if "landing_delay_h" in df.columns and df["landing_delay_h"].notna().any():
        impact = analysis.impact(df)
        rank = analysis.tornado(df)
        if len(impact) or rank["rho"].notna().any():
            fig = plots.tornado(rank, impact=impact, **kw)
            out["tornado"] = ("What drives the delay", _save(fig, folder / "tornado.png"))
        if analysis.delay_columns(df):
            fig = plots.attribution_bar(analysis.attribution(df), **kw)
            out["attribution"] = (
                "Where the delay comes from",
                _save(fig, folder / "attribution.png"),
            )
        conv = analysis.convergence(df, "landing_delay_h")
        out["convergence"] = (
            "Convergence",
            _save(plots.convergence_plot(conv, **kw), folder / "convergence.png"),
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
        out[f"launch_{v}"] = (f"When {v} launches", _save(fig, folder / f"launch_{v}.png"))
    if len(events):
        rep = int(events["replication"].min())
        row = df.loc[df["replication"] == rep].iloc[0] if "replication" in df.columns else None
        fig = plots.gantt(events, row, replication=rep, scenario=scenario)
        out["gantt"] = (f"Timeline of replication {rep}", _save(fig, folder / "gantt.png"))
        crew = events[(events["process"] == "crew") & (events["event"] == "aboard")]
        if len(crew):
            fig = plots.crew_aboard(events, replication=rep, scenario=scenario)
            out["crew_aboard"] = (
                f"Crew aboard, replication {rep}",
                _save(fig, folder / "crew_aboard.png"),
            )
    return out


def _story_milestones(df: pd.DataFrame, after_days: float = 30.0) -> pd.DataFrame:
    """The milestones planned before the headline landing plus ``after_days`` (the visit's story;
    a return months later would squash it)."""
    m = analysis.milestones(df)
    if "landing_planned_utc" in df.columns and df["landing_planned_utc"].notna().any():
        end = df["landing_planned_utc"].dropna().iloc[0] + pd.Timedelta(days=after_days)
        m = m[m["planned"] <= end]
    return m


def _image(figures: dict[str, tuple[str, str]], *keys: str) -> str:
    return "\n\n".join(f"![{figures[k][0]}]({PLOTS}/{figures[k][1]})" for k in keys if k in figures)


def draw_figures(run_dir: str | Path) -> dict[str, tuple[str, str]]:
    """Draw the report's figures into ``plots/`` of a complete run folder; returns them as
    ``write_report(figures=...)`` takes them. They depend on the run's own rows and trace only,
    so they can be drawn while something else (the prior-sensitivity reruns) goes on."""
    run = Path(run_dir)
    df, manifest, events = load_run(run)
    if df.empty:
        raise analysis.AnalysisInputError(f"{run} has no outcome rows.")
    return _plots(df, events, manifest, run / PLOTS)


def write_report(
    run_dir: str | Path,
    draw: bool = True,
    figures: dict[str, tuple[str, str]] | None = None,
) -> Path:
    """Write ``summary.md`` (and ``plots/*.png`` unless ``draw`` is False, or ``figures`` gives
    those :func:`draw_figures` drew already) into a complete run folder; returns the path of
    ``summary.md``."""
    run = Path(run_dir)
    df, manifest, events = load_run(run)
    if df.empty:
        raise analysis.AnalysisInputError(f"{run} has no outcome rows.")
    scenario_data = load_scenario_dict(run)
    v = verdict(df, manifest, scenario_data)
    name = manifest.get("scenario", run.parent.name)
    if figures is None:
        figures = _plots(df, events, manifest, run / PLOTS) if draw else {}
    rows = assumptions(scenario_data, manifest.get("scenario_path")) if scenario_data else []
    shown = {"landing", "risk_gantt", "tornado", "attribution"}
    parts = [
        f"# {name}: will the rotation go as planned?\n",
        "\n".join(f"- {s}" for s in v.sentences()) + "\n",
        f"_{len(df):,} replications, seed {manifest.get('seed', '?')}, run "
        f"`{manifest.get('run_id', run.name)}`, crewsim {manifest.get('crewsim', '?')}. "
        f"Headline flight: {v.flight}._\n",
        sections.section(
            f"When {v.who()} land",
            lambda: sections.landing_md(v) + "\n\n" + _image(figures, "landing", "risk_gantt"),
        ),
        sections.section("What the delays cost the visit", lambda: sections.consequences_md(df, v)),
        sections.section("How the replications end", lambda: sections.outcomes_md(df)),
        sections.section(
            "What drives the delay",
            lambda: (
                sections.drivers_text(df)
                + "\n\n"
                + _image(figures, "tornado", "attribution")
                + "\n\n"
                + sections.attribution_md(df)
            ),
        ),
        sections.section("Assumptions", lambda: sections.assumptions_md(rows)),
        *(
            [
                sections.section(
                    "How the answer depends on the priors", lambda: sensitivity_md(prior)
                )
            ]
            if (prior := load_sensitivity(run)) is not None
            else []
        ),
        sections.section("Every returning flight", lambda: sections.headline_md(df, manifest)),
        sections.section("Percentiles", lambda: sections.percentiles_md(df)),
        sections.section("Rank correlation of the sampled inputs", lambda: sections.rank_md(df)),
        sections.section("Precision", lambda: sections.precision_md(v, df)),
    ]
    health = vehicle_health_md(df)  # None without vehicle failures (sim.report.vehicle_health)
    if health is not None:
        parts.append(f"## Vehicle health and lifeboats\n\n{health}\n")
    more = [k for k in figures if k not in shown]
    if more:
        parts.append("## More figures\n\n" + _image(figures, *more) + "\n")
    path = run / SUMMARY
    results.write_text_atomic(path, "\n".join(parts))
    return path
