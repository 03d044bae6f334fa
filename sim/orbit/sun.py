"""Sun position for landing-daylight rules: elevation, sunrise and sunset at a place on Earth.

The algorithm is the low-precision solar position of Meeus, *Astronomical Algorithms* ch. 25, as
used by the NOAA solar calculator: good to about 0.01 deg in declination and a few seconds of time
for 1950-2050, far inside what a daylight-landing rule needs. Elevations are geometric (the centre
of the Sun, no atmospheric refraction); the conventional sunrise/sunset elevation of -0.833 deg
accounts for refraction and the Sun's radius.

Times are unix seconds (UTC); latitudes in degrees north, longitudes in degrees east.
`sun_elevation_deg` has a pure-`math` path for scalars because the simulation calls it once per
landing decision, and a vectorised numpy path for arrays (plots, opportunity tables).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import NamedTuple

import numpy as np

UNIX_EPOCH_JD = 2440587.5
"""Julian date of 1970-01-01T00:00:00 UTC."""
J2000_JD = 2451545.0
"""Julian date of the J2000.0 epoch (2000-01-01T12:00 TT; UTC is close enough here)."""
SIDEREAL_DEG_PER_DAY = 360.98564736629
"""Rate of Greenwich mean sidereal time, degrees per (solar) day: Earth's rotation in inertial
space."""
SUNRISE_ELEVATION_DEG = -0.833
"""Sun-centre elevation at the visible sunrise/sunset (refraction 34' plus semi-diameter 16')."""


class _Ops(NamedTuple):
    sin: object
    cos: object
    asin: object
    atan2: object


_MATH = _Ops(math.sin, math.cos, math.asin, math.atan2)
_NUMPY = _Ops(np.sin, np.cos, np.arcsin, np.arctan2)
_RAD = math.pi / 180.0


def gmst_deg(unix_s):
    """Greenwich mean sidereal time in degrees (not wrapped), scalar or ndarray of unix seconds.

    IAU 1982 expression (Meeus eq. 12.4). The right ascension of the meridian at east longitude
    `lon` is `gmst_deg(t) + lon`.
    """
    d = unix_s / 86400.0 + (UNIX_EPOCH_JD - J2000_JD)
    t = d / 36525.0
    return 280.46061837 + SIDEREAL_DEG_PER_DAY * d + t * t * (0.000387933 - t / 38710000.0)


def _sun_ra_dec(d: float | np.ndarray, ops: _Ops):
    """Apparent right ascension and declination of the Sun, radians, `d` days since J2000."""
    t = d / 36525.0
    mean_lon = 280.46646 + t * (36000.76983 + 0.0003032 * t)
    mean_anom = (357.52911 + t * (35999.05029 - 0.0001537 * t)) * _RAD
    centre = (
        ops.sin(mean_anom) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + ops.sin(2 * mean_anom) * (0.019993 - 0.000101 * t)
        + ops.sin(3 * mean_anom) * 0.000289
    )
    omega = (125.04 - 1934.136 * t) * _RAD
    app_lon = (mean_lon + centre - 0.00569 - 0.00478 * ops.sin(omega)) * _RAD
    obliq_mean = (
        23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0
    )
    obliq = (obliq_mean + 0.00256 * ops.cos(omega)) * _RAD
    sin_lon = ops.sin(app_lon)
    ra = ops.atan2(ops.cos(obliq) * sin_lon, ops.cos(app_lon))
    dec = ops.asin(ops.sin(obliq) * sin_lon)
    return ra, dec


def _hour_angle_dec(unix_s, lon_deg, ops: _Ops):
    """Local hour angle of the Sun (radians, unwrapped) and its declination (radians)."""
    d = unix_s / 86400.0 + (UNIX_EPOCH_JD - J2000_JD)
    ra, dec = _sun_ra_dec(d, ops)
    return (gmst_deg(unix_s) + lon_deg) * _RAD - ra, dec


def _elevation(unix_s, lat_deg, lon_deg, ops: _Ops):
    ha, dec = _hour_angle_dec(unix_s, lon_deg, ops)
    lat = lat_deg * _RAD
    s = ops.sin(lat) * ops.sin(dec) + ops.cos(lat) * ops.cos(dec) * ops.cos(ha)
    return s


def sun_elevation_deg(unix_s, lat_deg, lon_deg):
    """Geometric elevation of the Sun's centre above the horizon, degrees.

    `unix_s` is unix seconds (UTC); scalars return a float (pure `math`, fast), arrays (or array
    latitudes/longitudes) return an ndarray broadcast over the inputs.
    """
    if (
        isinstance(unix_s, float | int)
        and isinstance(lat_deg, float | int)
        and isinstance(lon_deg, float | int)
    ):
        s = _elevation(unix_s, lat_deg, lon_deg, _MATH)
        return math.degrees(math.asin(min(1.0, max(-1.0, s))))
    s = _elevation(
        np.asarray(unix_s, dtype=float), np.asarray(lat_deg), np.asarray(lon_deg), _NUMPY
    )
    return np.degrees(np.arcsin(np.clip(s, -1.0, 1.0)))


def is_daylight(unix_s: float, lat_deg: float, lon_deg: float, margin_deg: float = 0.0) -> bool:
    """True when the Sun's centre is more than `margin_deg` degrees above the horizon."""
    return sun_elevation_deg(unix_s, lat_deg, lon_deg) > margin_deg


def _day_start_unix(day) -> float:
    """00:00 UTC of the day given as a `date`, a `datetime` (naive = UTC), a `numpy.datetime64`,
    an ISO date string, or unix seconds (any instant within that UTC day)."""
    if isinstance(day, np.datetime64):
        day = float(day.astype("datetime64[s]").astype(np.int64))
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    if isinstance(day, dt.datetime):
        aware = day if day.tzinfo else day.replace(tzinfo=dt.UTC)
        day = aware.timestamp()
    elif isinstance(day, dt.date):
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()
    return math.floor(float(day) / 86400.0) * 86400.0


def _wrap_pi(x: float) -> float:
    return (x + math.pi) % (2 * math.pi) - math.pi


def sunrise_sunset(
    date_or_unix_day,
    lat_deg: float,
    lon_deg: float,
    elevation_deg: float = SUNRISE_ELEVATION_DEG,
) -> tuple[float, float] | None:
    """Sunrise and sunset (unix seconds) around the solar transit that falls on a UTC day.

    `date_or_unix_day` is a date (or datetime, ISO string, datetime64, or unix seconds anywhere in
    that UTC day). The Sun crosses `elevation_deg` going up at the returned rise and going down at
    the returned set; for western longitudes the set can fall on the next UTC day. Returns None
    when the Sun stays above (polar day) or below (polar night) that elevation all day.
    Each instant is refined by fixed-point iteration on the Sun's moving position (~1 s).
    """
    day0 = _day_start_unix(date_or_unix_day)
    rate = SIDEREAL_DEG_PER_DAY * _RAD / 86400.0  # hour angle rate, rad/s (Sun's motion ignored)
    transit = day0 + (12.0 - lon_deg / 15.0) * 3600.0
    for _ in range(3):
        ha, _dec = _hour_angle_dec(transit, lon_deg, _MATH)
        transit -= _wrap_pi(ha) / rate
    lat = lat_deg * _RAD
    sin_h0 = math.sin(elevation_deg * _RAD)
    events = []
    for sign in (-1.0, 1.0):
        t = transit
        for _ in range(4):
            ha, dec = _hour_angle_dec(t, lon_deg, _MATH)
            cos_h0 = (sin_h0 - math.sin(lat) * math.sin(dec)) / (math.cos(lat) * math.cos(dec))
            if abs(cos_h0) > 1.0:
                return None
            target = sign * math.acos(cos_h0)
            t -= _wrap_pi(ha - target) / rate
        events.append(t)
    return events[0], events[1]
