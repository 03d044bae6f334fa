"""Orbit geometry, feeding the scenario and the model: launch windows and landing opportunities.

Takes the station's orbit (a TLE or mean elements) and a launch or landing site; gives the times of
the planar launch windows (:mod:`.geometry`, J2 nodal regression, optional sgp4) and whether a landing
is in daylight (:mod:`.sun`, NOAA/Meeus solar position). Depends on nothing else in ``sim``.
"""

from sim.orbit.geometry import (
    Orbit,
    landing_opportunities,
    launch_windows,
    next_opportunity,
    nodal_regression_deg_per_day,
    window_drift_min_per_day,
)
from sim.orbit.sun import is_daylight, sun_elevation_deg, sunrise_sunset

__all__ = [
    "Orbit",
    "is_daylight",
    "landing_opportunities",
    "launch_windows",
    "next_opportunity",
    "nodal_regression_deg_per_day",
    "sun_elevation_deg",
    "sunrise_sunset",
    "window_drift_min_per_day",
]
