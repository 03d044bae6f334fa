"""Milestones across replications: for each flight's launch, docking, undocking and landing (and
any other planned/actual pair of time columns), the plan against the P10, P50 and P90 of when it
happened. This is what a risk Gantt chart draws.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from sim.analysis.estimates import AnalysisInputError, _numeric

#: Milestone kinds in the order of a flight, with the words a planner uses.
KINDS = {"launch": "launch", "dock": "docking", "undock": "undocking", "landing": "landing"}
_PAIR = re.compile(r"^(?:(?P<flight>.+)\.)?(?P<kind>[a-z_]+)_planned_utc$")


def milestones(df: pd.DataFrame, qs: tuple[float, float, float] = (0.1, 0.5, 0.9)) -> pd.DataFrame:
    """One row per milestone (``V.<kind>_planned_utc`` with its ``..._actual_utc``), in planned order.

    Columns: ``milestone`` ("MS-19 launch"), ``flight``, ``kind``, ``planned``, ``p10``, ``p50``,
    ``p90`` (UTC timestamps over the replications in which it happened), ``happened`` (share of
    replications) and ``p_late`` (share that happened after the plan by over a minute, of those
    in which it happened). Unprefixed headline columns (``landing_planned_utc``) are left out: they
    repeat the primary return's.
    """
    rows = []
    for col in df.columns:
        m = _PAIR.match(str(col))
        if not m or not m.group("flight") or m.group("kind") not in KINDS:
            continue
        actual = f"{m.group('flight')}.{m.group('kind')}_actual_utc"
        if actual not in df.columns:
            continue
        planned = df[col].dropna()
        if planned.empty:
            continue
        act = _numeric(df[actual])
        x = act.values[np.isfinite(act.values)]
        plan = _numeric(df[col]).values
        if x.size == 0:
            p10 = p50 = p90 = pd.NaT
            late = float("nan")
        else:
            p10, p50, p90 = (act.back(v) for v in np.quantile(x, qs))
            ok = np.isfinite(act.values) & np.isfinite(plan)
            late = float(np.mean(act.values[ok] > plan[ok] + 1 / 60)) if ok.any() else float("nan")
        rows.append(
            (
                f"{m.group('flight')} {KINDS[m.group('kind')]}",
                m.group("flight"),
                m.group("kind"),
                planned.iloc[0],
                p10,
                p50,
                p90,
                x.size / len(df),
                late,
            )
        )
    if not rows:
        raise AnalysisInputError("The table has no V.<milestone>_planned_utc / _actual_utc pairs.")
    cols = ["milestone", "flight", "kind", "planned", "p10", "p50", "p90", "happened", "p_late"]
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values("planned", kind="stable").reset_index(drop=True)
