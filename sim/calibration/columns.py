"""The flight-table formats: the columns each must have, and the plausible range of each number.

``ms`` is the Soyuz MS table, ``tma`` the Soyuz TMA-M table; :func:`detect_format` tells them apart by
their header.
"""

from __future__ import annotations

from typing import Literal

from sim.errors import CrewsimError

Format = Literal["ms", "tma"]
Severity = Literal["fatal", "error", "note"]

#: Plausible range of each numeric column: (low, high, unit). A value outside is rejected with a
#: message (always fatal: a table that says a launch slipped 1e308 days is wrong, not noisy).
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "slip_days_vs_T1mo": (-60, 400, "days"),
    "slip_days_vs_prior_plan": (-400, 2000, "days"),
    "launch_slip_days": (-400, 2000, "days"),
    "launch_to_dock_h": (1, 200, "hours"),
}
#: Years a date of a Soyuz flight table may fall in.
YEARS = (1967, 2100)

#: Columns each format must have (others are ignored).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "ms": (
        "flight",
        "crewed",
        "crew_down",
        "planned_launch_date_T1mo",
        "actual_launch_utc",
        "slip_days_vs_T1mo",
        "slip_days_vs_prior_plan",
        "rendezvous_planned",
        "rendezvous_flown",
        "planned_dock_utc",
        "actual_dock_utc",
        "launch_to_dock_h",
        "docking_port",
        "undock_utc",
        "landing_utc",
        "planned_landing",
        "anomalies_notes",
    ),
    "tma": (
        "flight",
        "launch_utc",
        "launch_to_dock_h",
        "rendezvous",
        "launch_slip_days",
        "notes",
    ),
}


def detect_format(columns: list[str], path: str) -> Format:
    """Tell the table format from its header; ``CrewsimError`` naming missing columns otherwise."""
    present = set(columns)
    missing = {
        name: [c for c in cols if c not in present] for name, cols in REQUIRED_COLUMNS.items()
    }
    for name, gone in missing.items():
        if not gone:
            return name  # type: ignore[return-value]
    closest = min(missing, key=lambda n: len(missing[n]))
    raise CrewsimError(
        f"{path}: not a flight table: missing column(s) {', '.join(missing[closest])} "
        f"(closest format: {closest}; see sim.calibration.columns.REQUIRED_COLUMNS)"
    )
