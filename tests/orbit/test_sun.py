"""Sun position against values worked out by hand (declination, equation of time, hour angle)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.orbit.sun import is_daylight, sun_elevation_deg, sunrise_sunset

DZHEZKAZGAN = (47.4, 69.6)  # the Soyuz landing zone, deg N, deg E


def unix(text: str) -> float:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_dzhezkazgan_sunrise_sunset_on_ms18_landing_day():
    # By hand for 2021-10-17: Sun's longitude ~204 deg, so sin(dec) = sin(23.44) sin(204)
    # -> dec = -9.3 deg; equation of time +14.5 min (Sun fast). Solar noon at 69.6 E:
    # 12:00 - 69.6/15 h - 14.5 min = 07:07 UTC. Hour angle at h0 = -0.833 deg:
    # cos H0 = (sin h0 - sin(lat) sin(dec)) / (cos(lat) cos(dec)) = 0.156 -> H0 = 81.0 deg
    # = 5 h 24 min. Sunrise ~01:43 UTC, sunset ~12:31 UTC (tolerance 4 min for the rounding).
    rise, set_ = sunrise_sunset(dt.date(2021, 10, 17), *DZHEZKAZGAN)
    assert abs(rise - unix("2021-10-17T01:43:00Z")) < 4 * 60
    assert abs(set_ - unix("2021-10-17T12:31:00Z")) < 4 * 60
    # The same day named by any instant inside it, or by a string.
    assert sunrise_sunset(unix("2021-10-17T20:00:00Z"), *DZHEZKAZGAN) == pytest.approx((rise, set_))
    assert sunrise_sunset("2021-10-17", *DZHEZKAZGAN) == pytest.approx((rise, set_))


def test_ms18_landing_was_in_daylight():
    # At 04:35 UTC the hour angle is (04:35 - 07:07) * 15 deg/h = -38 deg; with dec = -9.3:
    # sin h = sin(47.4) sin(-9.3) + cos(47.4) cos(-9.3) cos(38) = 0.407 -> h = 24.0 deg.
    t = unix("2021-10-17T04:35:00Z")
    assert sun_elevation_deg(t, *DZHEZKAZGAN) == pytest.approx(24.0, abs=0.5)
    assert is_daylight(t, *DZHEZKAZGAN)
    assert not is_daylight(unix("2021-10-17T00:30:00Z"), *DZHEZKAZGAN)
    assert not is_daylight(t, *DZHEZKAZGAN, margin_deg=30.0)


def test_london_midsummer_sunrise():
    # Published almanac values for London on the June solstice: sunrise 04:43 BST, sunset
    # 21:21 BST, i.e. 03:43 and 20:21 UTC (to the minute).
    rise, set_ = sunrise_sunset(dt.date(2021, 6, 21), 51.5074, -0.1278)
    assert abs(rise - unix("2021-06-21T03:43:00Z")) < 90
    assert abs(set_ - unix("2021-06-21T20:21:00Z")) < 90


def test_equinox_sun_overhead_at_equator():
    # March equinox 2021-03-20 09:37 UTC: dec = 0. Equation of time -7.5 min, so the Sun
    # transits 0 E at 12:07.5 UTC and at 09:37 stands over lon = (12:07.5 - 09:37) * 15 = 37.6 E.
    t = unix("2021-03-20T09:37:00Z")
    assert sun_elevation_deg(t, 0.0, 37.6) > 89.5
    lons = np.linspace(-180.0, 180.0, 3601)
    elev = sun_elevation_deg(t, 0.0, lons)
    assert elev.max() > 89.8
    assert lons[elev.argmax()] == pytest.approx(37.6, abs=0.5)


@pytest.mark.parametrize("lat", [-30.0, 0.0, 40.0, 66.0])
def test_noon_elevation_is_90_minus_lat_minus_declination(lat):
    # June solstice 2021-06-21: dec = +23.44 deg (the obliquity) all day to 0.01 deg, so the
    # highest elevation of the day is 90 - |lat - 23.44|.
    times = unix("2021-06-21T00:00:00Z") + np.arange(0, 86400, 20.0)
    peak = sun_elevation_deg(times, lat, 10.0).max()
    assert peak == pytest.approx(90.0 - abs(lat - 23.44), abs=0.1)


def test_polar_day_and_night_have_no_sunrise():
    assert sunrise_sunset(dt.date(2021, 6, 21), 80.0, 0.0) is None
    assert sunrise_sunset(dt.date(2021, 12, 21), 80.0, 0.0) is None
    assert sunrise_sunset(dt.date(2021, 12, 21), -80.0, 0.0) is None


def test_rise_and_set_are_where_the_elevation_crosses_the_threshold():
    for day, lat, lon in [("2021-01-05", 35.0, -120.0), ("2021-09-01", -33.9, 151.2)]:
        rise, set_ = sunrise_sunset(day, lat, lon)
        assert rise < set_
        assert sun_elevation_deg(rise, lat, lon) == pytest.approx(-0.833, abs=0.01)
        assert sun_elevation_deg(set_, lat, lon) == pytest.approx(-0.833, abs=0.01)
        assert (
            sun_elevation_deg(rise - 600, lat, lon)
            < -0.833
            < sun_elevation_deg(rise + 600, lat, lon)
        )


def test_scalar_and_array_paths_agree():
    times = unix("2021-10-01T00:00:00Z") + np.linspace(0.0, 30 * 86400.0, 97)
    arr = sun_elevation_deg(times, *DZHEZKAZGAN)
    scal = [sun_elevation_deg(float(t), *DZHEZKAZGAN) for t in times]
    assert isinstance(scal[0], float)
    np.testing.assert_allclose(arr, scal, atol=1e-9)
    assert math.isfinite(sun_elevation_deg(int(times[0]), 47, 69))
