"""The report's vehicle-health section: how often a return vehicle fails, what it does to the
headline, and when the people who lost their seat come home and how long they had no lifeboat.

Called by :func:`sim.report.summary.write_report`; returns ``None`` for a run without failures,
so runs of scenarios without vehicle health keep their summary unchanged.
"""

from __future__ import annotations

import pandas as pd

from sim import analysis
from sim.tables import markdown_table


def _when(series: pd.Series, q: float) -> str:
    values = series.dropna().sort_values()
    if values.empty:
        return "–"
    return values.quantile(q, interpolation="lower").strftime("%Y-%m-%d %H:%M")


def vehicle_health_md(df: pd.DataFrame) -> str | None:
    """Markdown of the section, or None when no replication had a vehicle failure."""
    if "health.failures" not in df or not (df["health.failures"] > 0).any():
        return None
    n = len(df)
    failed = df["health.return_vehicle_failed"].astype(bool)
    k = int(failed.sum())
    lo, hi = analysis.wilson(k, n)
    lines = [
        f"P(a return vehicle fails while someone's seat is in it, before the headline return): "
        f"**{k / n:.2%}** ({k:,} of {n:,}; 95% CI {lo:.2%}-{hi:.2%}).",
        "",
    ]
    if "landing_actual_utc" in df:
        rows = []
        for label, mask in (("a vehicle failed", failed), ("no failure", ~failed)):
            part = df[mask]
            if part.empty:
                continue
            on_day = part["landed_on_planned_day"].astype(bool).mean()
            home = part["landing_actual_utc"]
            rows.append(
                (
                    label,
                    f"{len(part):,}",
                    f"{on_day:.1%}",
                    _when(home, 0.5),
                    _when(home, 0.9),
                    f"{home.isna().mean():.1%}",
                )
            )
        header = ["replications with", "n", "on the planned day", "P50", "P90"]
        lines += [
            "Headline landing (the headline vehicle's people, when that vehicle failed):",
            "",
            markdown_table([*header, "not home by the horizon"], rows),
            "",
        ]
    people = sorted(
        c.removeprefix("crew.").removesuffix(".no_lifeboat_h")
        for c in df.columns
        if c.startswith("crew.") and c.endswith(".no_lifeboat_h")
    )
    stranded = [p for p in people if (df[f"crew.{p}.no_lifeboat_h"] > 0).any()]
    if stranded:
        header = ["person", "replications", "home P10", "home P50", "home P90", "not home"]
        header += ["home on", "no-lifeboat h P50", "P90", "max"]
        table = []
        for p in stranded:
            hours = df[f"crew.{p}.no_lifeboat_h"]
            part = df[hours > 0]
            home = part[f"crew.{p}.home_utc"]
            vehicle = part[f"crew.{p}.home_on"].replace("", "still aboard")
            shares = ", ".join(
                f"{v} {n / len(part):.0%}" for v, n in vehicle.value_counts().items()
            )
            h = part[f"crew.{p}.no_lifeboat_h"]
            table.append(
                [p, f"{len(part):,}", _when(home, 0.1), _when(home, 0.5), _when(home, 0.9)]
                + [f"{home.isna().mean():.1%}", shares, f"{h.median():.0f}"]
                + [f"{h.quantile(0.9):.0f}", f"{h.max():.0f}"]
            )
        lines += [
            "People who lost their lifeboat (over the replications where they did): when they came "
            "home, on what, and the hours they had no fit seat.",
            "",
            markdown_table(header, table),
        ]
    return "\n".join(lines)
