"""Station orbit plane and what it implies for launch windows and landing opportunities.

A crewed launch to the station is possible about once a day, when the launch site passes through
the station's orbital plane (a planar, "instantaneous" window). A return must touch down in the
landing zone, which is reachable when the zone passes through the plane. Both times follow from
the plane's orientation alone, so the model is just:

* the plane: inclination `i` and right ascension of the ascending node `RAAN(t)`, which regresses
  westward at the J2 rate (about -5 deg/day for the ISS);
* a place at latitude `lat` lies in the plane when its inertial longitude relative to the node,
  `u = GMST(t) + lon - RAAN(t)`, satisfies `sin(u) = tan(lat) / tan(i)`. The ascending-side
  solution (the ground track heading north) is `u = asin(...)`, the descending-side one
  `180 deg - asin(...)`;
* `u` grows at the sidereal rate minus the regression rate (~366 deg/day), so each crossing comes
  back every ~23 h 36 min: the daily window drifts ~24 minutes earlier. Nothing is hard-coded;
  the drift follows from Earth's rotation and the J2 regression.

Along-track phasing (where the station is in its orbit) is not modelled: it is arranged by
phasing manoeuvres weeks ahead, for launches (rendezvous schemes) and for landings.
Times are unix seconds (UTC), angles degrees, distances km.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sim.orbit.sun import SIDEREAL_DEG_PER_DAY, UNIX_EPOCH_JD, gmst_deg, sun_elevation_deg

J2 = 1.08263e-3
"""Earth's second zonal harmonic (oblateness), dimensionless."""
EARTH_RADIUS_KM = 6378.137
"""WGS-84 equatorial radius, km."""
MU_KM3_S2 = 398600.4418
"""Earth's gravitational parameter, km^3/s^2."""
EARTH_FLATTENING = 1.0 / 298.257223563
"""WGS-84 flattening: sites are given in geodetic latitude, the plane geometry needs geocentric."""
DAY_S = 86400.0

Pass = Literal["ascending", "descending", "both"]

OPPORTUNITY_DTYPE = np.dtype(
    [
        ("touchdown_unix", "f8"),
        ("daylight", "?"),
        ("crossrange_km", "f8"),
        ("ascending", "?"),
        ("sun_elevation_deg", "f8"),
    ]
)
"""Row type of `landing_opportunities`: touchdown instant (unix s), whether the Sun is above the
daylight margin at the zone then, the zone's signed distance from the ground track (km, 0 for the
rev that passes over it), the pass side, and the Sun's elevation at touchdown (deg)."""


def _semi_major_axis_km(altitude_km: float | None, mean_motion_rev_per_day: float | None) -> float:
    if mean_motion_rev_per_day is not None:
        n = mean_motion_rev_per_day * 2.0 * math.pi / DAY_S
        return (MU_KM3_S2 / (n * n)) ** (1.0 / 3.0)
    if altitude_km is None:
        raise ValueError("give altitude_km or mean_motion_rev_per_day")
    return EARTH_RADIUS_KM + altitude_km


def nodal_regression_deg_per_day(
    inclination_deg: float,
    altitude_km: float | None = None,
    mean_motion_rev_per_day: float | None = None,
    eccentricity: float = 0.0,
) -> float:
    """Secular drift of the ascending node from J2, degrees per day (negative = westward).

    dRAAN/dt = -3/2 n J2 (Re / p)^2 cos(i), with n = sqrt(mu / a^3) and p = a (1 - e^2). The
    semi-major axis comes from the mean motion when given (e.g. from a TLE), else from a circular
    orbit at `altitude_km` above the equatorial radius.
    """
    a = _semi_major_axis_km(altitude_km, mean_motion_rev_per_day)
    n = math.sqrt(MU_KM3_S2 / a**3)
    p = a * (1.0 - eccentricity**2)
    rate_rad_s = (
        -1.5 * n * J2 * (EARTH_RADIUS_KM / p) ** 2 * math.cos(math.radians(inclination_deg))
    )
    return math.degrees(rate_rad_s) * DAY_S


def geocentric_lat_deg(lat_deg: float) -> float:
    """Geocentric latitude (deg) of a point on the WGS-84 ellipsoid at geodetic `lat_deg`
    (0.19 deg less at 46 N, which moves a plane crossing by about two minutes)."""
    factor = (1.0 - EARTH_FLATTENING) ** 2
    return math.degrees(math.atan(factor * math.tan(math.radians(lat_deg))))


def in_plane_offset_deg(lat_deg: float, inclination_deg: float, ascending: bool = True) -> float:
    """Angle u (deg) from the ascending node, in the equatorial frame, at which a place at
    geodetic `lat_deg` lies in the plane: asin(tan(lat)/tan(i)) with the geocentric latitude, on
    the ascending side; 180 - that on the descending side. Raises ValueError when the place is
    beyond the plane's reach (|lat| > i)."""
    ratio = math.tan(math.radians(geocentric_lat_deg(lat_deg))) / math.tan(
        math.radians(inclination_deg)
    )
    if abs(ratio) > 1.0:
        raise ValueError(
            f"latitude {lat_deg:g} deg is never in a plane inclined {inclination_deg:g} deg"
        )
    u = math.degrees(math.asin(ratio))
    return u if ascending else 180.0 - u


@dataclass(frozen=True)
class Orbit:
    """A (near-)circular orbit plane whose node drifts at the J2 rate.

    `raan_deg_at_ref` is the right ascension of the ascending node (deg, equinox of date) at
    `ref_unix` (unix s). `mean_motion_rev_per_day`, when known (TLE), sets the semi-major axis
    instead of `altitude_km`.
    """

    inclination_deg: float
    altitude_km: float
    raan_deg_at_ref: float
    ref_unix: float
    mean_motion_rev_per_day: float | None = None
    eccentricity: float = 0.0

    @property
    def raan_rate_deg_per_day(self) -> float:
        """Nodal regression, degrees per day."""
        return nodal_regression_deg_per_day(
            self.inclination_deg, self.altitude_km, self.mean_motion_rev_per_day, self.eccentricity
        )

    @property
    def period_s(self) -> float:
        """Orbital period, seconds (Keplerian; close to the nodal period for the ISS)."""
        a = _semi_major_axis_km(self.altitude_km, self.mean_motion_rev_per_day)
        return 2.0 * math.pi * math.sqrt(a**3 / MU_KM3_S2)

    def raan_deg(self, unix_s):
        """RAAN (deg, unwrapped) at `unix_s`, scalar or ndarray."""
        return self.raan_deg_at_ref + self.raan_rate_deg_per_day * (unix_s - self.ref_unix) / DAY_S

    @classmethod
    def from_launch(
        cls,
        site_lat: float,
        site_lon: float,
        launch_unix: float,
        inclination_deg: float,
        altitude_km: float,
        ascending: bool = True,
    ) -> Orbit:
        """The plane that contains the launch site at the (planned) launch instant.

        `ascending=True` puts the site on the northbound side of the track, as for Baikonur
        launches to the ISS, which head north-east.
        """
        u = in_plane_offset_deg(site_lat, inclination_deg, ascending)
        raan = (float(gmst_deg(launch_unix)) + site_lon - u) % 360.0
        return cls(inclination_deg, altitude_km, raan, float(launch_unix))

    @classmethod
    def from_tle(cls, line1: str, line2: str) -> Orbit:
        """The plane of a two-line element set (mean elements at the TLE epoch), via `sgp4`."""
        try:
            from sgp4.api import Satrec
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("Orbit.from_tle needs the 'sgp4' package (crewsim[orbit])") from exc
        sat = Satrec.twoline2rv(line1, line2)
        if sat.error:
            raise ValueError(f"cannot read TLE (sgp4 error {sat.error})")
        rev_per_day = sat.no_kozai * 1440.0 / (2.0 * math.pi)
        a = _semi_major_axis_km(None, rev_per_day)
        epoch_unix = (sat.jdsatepoch - UNIX_EPOCH_JD + sat.jdsatepochF) * DAY_S
        return cls(
            inclination_deg=math.degrees(sat.inclo),
            altitude_km=a - EARTH_RADIUS_KM,
            raan_deg_at_ref=math.degrees(sat.nodeo) % 360.0,
            ref_unix=epoch_unix,
            mean_motion_rev_per_day=rev_per_day,
            eccentricity=sat.ecco,
        )


def _u_rate_deg_per_s(orbit: Orbit) -> float:
    """How fast a place sweeps through the plane's frame: Earth rotation minus node drift."""
    return (SIDEREAL_DEG_PER_DAY - orbit.raan_rate_deg_per_day) / DAY_S


def plane_crossings(
    orbit: Orbit, lat_deg: float, lon_deg: float, start_unix: float, count: int, ascending: bool
) -> np.ndarray:
    """The first `count` instants (unix s) at or after `start_unix` when the place passes through
    the plane on the given side, one per ~23.6 h."""
    target = in_plane_offset_deg(lat_deg, orbit.inclination_deg, ascending)
    rate = _u_rate_deg_per_s(orbit)

    def residual(t):
        u = gmst_deg(t) + lon_deg - orbit.raan_deg(t) - target
        return (u + 180.0) % 360.0 - 180.0

    first = start_unix + ((-residual(start_unix)) % 360.0) / rate
    times = first + np.arange(count) * (360.0 / rate)
    for _ in range(2):  # GMST is almost linear in time; two Newton steps reach microseconds
        times = times - residual(times) / rate
    return times


def launch_windows(
    orbit: Orbit,
    site_lat: float,
    site_lon: float,
    start_unix: float,
    days: int,
    offset_s: float = 0.0,
    ascending: bool = True,
) -> np.ndarray:
    """Daily planar launch windows (unix s): the instants the site passes through the plane on the
    same side as the reference launch, plus `offset_s`, the first at or after `start_unix` (1 s
    tolerance, so a planned window given as the start is kept). Element k is the window after a
    k-day slip."""
    crossings = plane_crossings(
        orbit, site_lat, site_lon, start_unix - offset_s - 1.0, int(days), ascending
    )
    return crossings + offset_s


def window_drift_min_per_day(
    orbit: Orbit, site_lat: float, site_lon: float, ascending: bool = True
) -> float:
    """How much earlier (negative) the launch window comes each day, minutes per day."""
    w = launch_windows(orbit, site_lat, site_lon, orbit.ref_unix, 2, ascending=ascending)
    return float(w[1] - w[0] - DAY_S) / 60.0


def _crossrange_km(orbit: Orbit, lat_deg: float, lon_deg: float, unix_s):
    """Signed great-circle distance (km) from a place to the orbit plane's ground circle, and
    whether the nearest point of that circle is on the ascending (northbound) half."""
    i = math.radians(orbit.inclination_deg)
    lat = math.radians(geocentric_lat_deg(lat_deg))
    u = np.radians(gmst_deg(unix_s) + lon_deg - orbit.raan_deg(unix_s))
    dot = math.sin(lat) * math.cos(i) - math.cos(lat) * math.sin(i) * np.sin(u)
    return EARTH_RADIUS_KM * np.arcsin(np.clip(dot, -1.0, 1.0)), np.cos(u) > 0.0


def landing_opportunities(
    orbit: Orbit,
    zone_lat: float,
    zone_lon: float,
    start_unix: float,
    end_unix: float,
    cross_range_km: float = 300.0,
    entry_to_touchdown_s: float = 22 * 60.0,
    daylight_margin_deg: float = 0.0,
    pass_: Pass = "ascending",
) -> np.ndarray:
    """Touchdown opportunities in a landing zone between `start_unix` and `end_unix`.

    An opportunity is a zone passage through the plane; touchdown comes `entry_to_touchdown_s`
    later (the atmospheric leg turns with the Earth). Phasing is assumed to put a rev over the
    zone at that passage; the neighbouring revs (one orbital period earlier or later) are also
    opportunities when their ground track passes within `cross_range_km` of the zone on the same
    side (for the ISS at 47.4 N the next ascending rev passes ~450 km off, the previous one ~900 km,
    so the default of 300 km keeps one opportunity per passage).

    `pass_` picks the side: Soyuz returns to Kazakhstan come in from the south-west on the
    northbound ("ascending") part of the track, which is the default; "descending" or "both" for
    other zones or vehicles. Check: with the plane fixed by Soyuz MS-19's launch (2021-10-05), the
    ascending opportunity on 2021-10-17 falls ~8 min before the real MS-18 touchdown (04:35 UTC);
    the descending one is ~4 h later.

    Returns a structured array of `OPPORTUNITY_DTYPE`, sorted by touchdown time; `daylight` is
    sun elevation > `daylight_margin_deg` at the zone (sim.orbit.sun), computed at touchdown.
    """
    sides = {"ascending": (True,), "descending": (False,), "both": (True, False)}
    if pass_ not in sides:
        raise ValueError(f"pass_ must be ascending, descending or both, not {pass_!r}")
    period = orbit.period_s
    rate = _u_rate_deg_per_s(orbit)
    # Revs within half a day of the passage (+-7 periods; a day holds ~15.3 revs, so neighbouring
    # passages never share a rev); the cross-range filter keeps the ones that reach the zone.
    revs = np.arange(-7, 8) * period
    margin = abs(revs[0])
    first = start_unix - entry_to_touchdown_s - margin
    count = int(math.ceil((end_unix - first + margin) * rate / 360.0)) + 2

    times, asc = [], []
    for ascending in sides[pass_]:
        base = plane_crossings(orbit, zone_lat, zone_lon, first, count, ascending)
        t = (base[:, None] + revs[None, :]).ravel()
        times.append(t)
        asc.append(np.full(t.shape, ascending))
    passes = np.concatenate(times)
    side = np.concatenate(asc)
    xr, near_ascending = _crossrange_km(orbit, zone_lat, zone_lon, passes)
    touchdown = passes + entry_to_touchdown_s
    keep = (
        (np.abs(xr) <= cross_range_km)
        & (near_ascending == side)
        & (touchdown >= start_unix)
        & (touchdown <= end_unix)
    )
    order = np.argsort(touchdown[keep], kind="stable")
    out = np.empty(int(keep.sum()), dtype=OPPORTUNITY_DTYPE)
    out["touchdown_unix"] = touchdown[keep][order]
    out["crossrange_km"] = xr[keep][order]
    out["ascending"] = side[keep][order]
    elev = sun_elevation_deg(out["touchdown_unix"], zone_lat, zone_lon)
    out["sun_elevation_deg"] = elev
    out["daylight"] = elev > daylight_margin_deg
    return out


def next_opportunity(
    opportunities: np.ndarray, after_unix: float, daylight_only: bool = True
) -> float | None:
    """Earliest touchdown (unix s) at or after `after_unix`, daylight ones only by default;
    None when there is none in the table."""
    rows = opportunities[opportunities["daylight"]] if daylight_only else opportunities
    idx = int(np.searchsorted(rows["touchdown_unix"], after_unix, side="left"))
    return float(rows["touchdown_unix"][idx]) if idx < len(rows) else None
