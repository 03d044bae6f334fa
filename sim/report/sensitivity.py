"""The report's prior-sensitivity section: the headline of the run beside the same headline under
each alternative prior of the scenario's ``sensitivity.priors`` (``sensitivity.json``, written by
``crewsim run`` through :mod:`sim.api.sensitivity`).

Only reads and formats; the reruns live in the API stage, above the report.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.report.verdict import day, days, pct
from sim.tables import markdown_table

#: The file in a run folder that holds the headline under each prior.
SENSITIVITY = "sensitivity.json"


def load_sensitivity(run_dir: str | Path) -> dict[str, Any] | None:
    """The content of ``sensitivity.json`` of a run folder, or None when it has none (or it is not
    readable JSON with rows)."""
    path = Path(run_dir) / SENSITIVITY
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("rows"), list) else None


def _share(p: Mapping[str, float] | None, interval: bool = False) -> str:
    if not p:
        return "-"
    text = pct(p["p"])
    return f"{text} ({pct(p['low'])[:-2]}-{pct(p['high'])})" if interval else text


def _landing(row: Mapping[str, Any], label: str) -> str:
    q = (row.get("quantiles") or {}).get(label)
    if not q:
        return "-"
    when = pd.Timestamp(q["when"])
    late = float(q["delay_d"])
    return day(when) + ("" if late <= 0.5 / 24 else f" (+{days(late)})")


def _priors(row: Mapping[str, Any]) -> str:
    files: Sequence[str] = row.get("priors") or []
    return " + ".join(f"`{f}`" for f in files) if files else "-"


def sensitivity_md(data: Mapping[str, Any]) -> str:
    """The section's body: one table row per prior, then what moved."""
    rows = data["rows"]
    header = [
        "priors",
        "files",
        "on the planned day (95 % CI)",
        "P50",
        "P80",
        "P90",
        "visit cut",
        "not flown",
        "work complete",
    ]
    table = markdown_table(
        header,
        [
            [
                r["label"],
                _priors(r),
                _share(r.get("on_day"), interval=True),
                _landing(r, "P50"),
                _landing(r, "P80"),
                _landing(r, "P90"),
                _share(r.get("visit_cut")),
                _share(r.get("not_flown")),
                _share(r.get("work_complete")),
            ]
            for r in rows
        ],
    )
    intro = (
        f"The same {int(data['replications']):,} replications (seed {data['seed']}, "
        f"{data.get('sampling', '?')} sampling) under each prior; a later file overrides the "
        "one before it, and the scenario's own settings win over both. With the same seed the "
        "rows share their random numbers, so a difference between them is the prior's doing."
    )
    parts = [intro, table]
    on_day = [(r["label"], r["on_day"]["p"]) for r in rows if r.get("on_day")]
    if len(on_day) >= 2:
        low, high = min(on_day, key=lambda x: x[1]), max(on_day, key=lambda x: x[1])
        points = 100 * (high[1] - low[1])
        parts.append(
            f"The chance of landing on the planned day is {pct(high[1])} under {high[0]} and "
            f"{pct(low[1])} under {low[0]}: {points:.0f} percentage points apart."
        )
    return "\n\n".join(parts)
