"""The headline under alternative priors: the scenario rerun with each file of its
``sensitivity.priors`` merged after its own bases, with the same seed, replications and sampling,
summarised into ``sensitivity.json`` beside the run's outcomes (the report's sensitivity section).

Why here: a prior is a choice (which flights represent the vehicle), and a planner should see how
much the answer moves when the choice changes. The same seed gives common random numbers, so the
difference between two rows is the prior's doing rather than sampling noise of two unrelated runs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.api.execution import simulate_in_memory
from sim.errors import CrewsimError
from sim.montecarlo import results
from sim.report.sensitivity import SENSITIVITY
from sim.report.verdict import Verdict, verdict

__all__ = ["SENSITIVITY", "headline_figures", "write_prior_sensitivity"]


def _proportion(p: Any) -> dict[str, float] | None:
    return None if p is None else {"p": p.p, "low": p.low, "high": p.high}


def headline_figures(v: Verdict) -> dict[str, Any]:
    """The verdict's headline numbers as plain JSON-ready data (dates as ISO text, days late)."""
    quantiles = {
        q.label: {"when": q.when.isoformat(), "delay_d": round(q.delay_d, 4)}
        for q in v.quantiles
        if q.label in ("P50", "P80", "P90")
    }
    return {
        "flight": v.flight,
        "people": list(v.people),
        "planned": v.planned.isoformat() if v.planned is not None else None,
        "on_day": _proportion(v.on_day),
        "quantiles": quantiles,
        "visit_cut": _proportion(v.visit_cut),
        "not_flown": _proportion(v.not_flown),
        "work_complete": _proportion(v.work_complete),
    }


def _own_bases(scenario_path: Path) -> list[str]:
    """The ``extends:`` of the scenario file as written (for the row's label)."""
    import yaml

    try:
        data = yaml.safe_load(scenario_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return []
    bases = data.get("extends") if isinstance(data, dict) else None
    if isinstance(bases, str):
        return [bases]
    return [b for b in bases or [] if isinstance(b, str)]


def write_prior_sensitivity(
    run_dir: str | Path, say: Callable[[str], None] | None = None
) -> Path | None:
    """Rerun a complete run's scenario under each alternative prior and write ``sensitivity.json``
    into the run folder; returns its path, or None when the scenario names no alternatives.

    Reads the scenario file and ``--set`` overrides recorded in the manifest (a scenario file
    moved since the run raises CrewsimError naming it).
    """
    from sim.scenario import load_scenario
    from sim.scenario.loading import sensitivity_bases

    run = Path(run_dir)
    manifest = results.load_manifest(run)
    source = manifest.get("scenario_path")
    if not source or not Path(source).is_file():
        raise CrewsimError(
            f"{run}: the scenario file {source!r} of this run is not there any more; the prior "
            "sensitivity needs it (its `sensitivity.priors` are paths beside it)"
        )
    path = Path(source)
    overrides = list(manifest.get("overrides") or [])
    scenario = load_scenario(path, overrides)
    alternatives = sensitivity_bases(path, scenario)
    if not alternatives:
        return None
    n, seed = int(manifest["replications"]), int(manifest["seed"])
    backend = "serial" if manifest.get("backend") == "serial" else "processes"
    own = verdict(results.load(run), manifest, scenario.resolved_dict())
    rows = [
        {
            "label": "the scenario's own",
            "priors": _own_bases(path),
            "baseline": True,
            **headline_figures(own),
        }
    ]
    for label, base in alternatives.items():
        if say:
            say(f"prior sensitivity: {label} ({base.name}), {n:,} replications, seed {seed}")
        alt = load_scenario(path, overrides, also=[base])
        done = simulate_in_memory(
            alt, n, seed, backend=backend, workers=manifest.get("workers"), trace_sample=0
        )
        df = done.outcomes.to_pandas()
        v = verdict(df, manifest, alt.resolved_dict())
        rows.append(
            {
                "label": label,
                "priors": [*_own_bases(path), str(scenario.sensitivity.priors[label])],
                "baseline": False,
                **headline_figures(v),
            }
        )
    out = run / SENSITIVITY
    results.write_json_atomic(
        out,
        {"replications": n, "seed": seed, "sampling": _sampling(scenario), "rows": rows},
    )
    return out


def _sampling(scenario: Any) -> str:
    return str(scenario.monte_carlo.sampling)
