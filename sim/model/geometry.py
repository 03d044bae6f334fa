"""Where the scenario meets the orbit, for the compiled scenario: the station's orbit, the landing
opportunities it gives a return (undock instants in hours since epoch) and their daylight flags.

Pure geometry on a validated scenario, no random draws; :mod:`sim.orbit` does the astronomy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.scenario import Scenario

#: Days of launch windows and landing opportunities prepared ahead.
HORIZON_DAYS = 400


def daylight_flags(times_unix: np.ndarray, lat: float, lon: float, margin_deg: float) -> np.ndarray:
    from sim.orbit.sun import sun_elevation_deg

    return np.asarray(sun_elevation_deg(times_unix, lat, lon)) > margin_deg


def time_of_day_h(unix_s: float) -> float:
    """UTC time of day of a Unix instant, in hours."""
    return (unix_s % 86400.0) / 3600.0


def orbit_of(s: Scenario) -> Any:
    """The station orbit of a scenario with an `orbit` section, else None."""
    if s.orbit is None:
        return None
    from sim.orbit.geometry import Orbit

    o = s.orbit
    if o.tle:
        return Orbit.from_tle(o.tle[0], o.tle[1])
    ref = o.reference_launch or next((n for n, v in s.vehicles.items() if v.launch), None)
    if ref is None:
        raise ValueError("orbit: no launching vehicle to fix the orbital plane; give orbit.tle")
    when = s.vehicles[ref].launch.planned.timestamp() - o.launch_offset_h * 3600
    return Orbit.from_launch(
        o.launch_site.lat, o.launch_site.lon, when, o.inclination_deg, o.altitude_km
    )


def orbit_opportunities(
    s: Scenario, orbit: Any, r: Any, undock_h: float, descent_h: float
) -> np.ndarray:
    """Undock instants (hours) from the orbit's landing opportunities, the planned undock first."""
    from sim.orbit.geometry import landing_opportunities

    start = s.epoch.timestamp() + (undock_h - 24) * 3600
    end = start + (HORIZON_DAYS + 2) * 86400
    opps = landing_opportunities(
        orbit,
        r.zone.lat,
        r.zone.lon,
        start,
        end,
        cross_range_km=s.orbit.cross_range_km,
        entry_to_touchdown_s=s.orbit.entry_to_touchdown_h * 3600,
        daylight_margin_deg=r.daylight_margin_deg,
    )
    touchdown = np.asarray(opps["touchdown_unix"], float)
    undock = (touchdown - s.epoch.timestamp()) / 3600 - descent_h
    later = undock[undock > undock_h + 1e-6]
    return np.concatenate([[undock_h], later])
