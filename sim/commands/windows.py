"""``crewsim windows [SCENARIO]``: daily launch windows and landing opportunities from the orbit.

Without a scenario, ``--from`` is taken as a planned launch window to the ISS (51.64 deg, 420 km)
from Baikonur Site 31, and landings are to the zone SE of Dzhezkazgan (47.4 N, 69.6 E). With a
scenario, its ``orbit`` section (or those defaults) and the primary return's landing zone are used;
the plane is fixed by the TLE if given, else by the reference vehicle's planned launch.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import math
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

from sim.errors import CrewsimError

ISS_INCLINATION_DEG = 51.64
ISS_ALTITUDE_KM = 420.0
BAIKONUR_SITE_31 = (45.996, 63.564)
DZHEZKAZGAN_ZONE = (47.4, 69.6, "SE of Dzhezkazgan")
DEFAULT_CROSS_RANGE_KM = 300.0
DEFAULT_ENTRY_TO_TOUCHDOWN_S = 22 * 60.0


@dataclasses.dataclass
class _Setup:
    """Everything the listing needs, whichever way it was specified."""

    orbit: object  # sim.orbit.geometry.Orbit
    site: tuple[float, float]
    offset_s: float
    zone: tuple[float, float, str]
    start_unix: float
    cross_range_km: float = DEFAULT_CROSS_RANGE_KM
    entry_to_touchdown_s: float = DEFAULT_ENTRY_TO_TOUCHDOWN_S
    daylight_margin_deg: float = 0.0
    reference: str = ""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "windows",
        help="list daily launch windows and landing opportunities",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", nargs="?", metavar="SCENARIO", help="scenario YAML file")
    p.add_argument(
        "--from",
        dest="from_",
        metavar="DATETIME",
        help="first day, ISO-8601 (no offset means UTC), e.g. 2021-10-05T08:55:02Z; without SCENARIO: the planned launch",
    )
    p.add_argument("--days", type=int, default=14, metavar="N", help="days to list (default 14)")
    p.add_argument("--site", metavar="LAT,LON", help="launch site, degrees (default Baikonur 31)")
    p.add_argument("--csv", action="store_true", help="print CSV (one row per event) instead")
    p.add_argument(
        "--out",
        metavar="DIR",
        help="also write windows.csv and windows.png (landing opportunities) to a new folder DIR",
    )
    p.set_defaults(func=run)


def parse_utc(text: str) -> float:
    """Unix seconds of an ISO date or date-time (naive means UTC); CrewsimError if unreadable."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise CrewsimError(
            f"--from: cannot read {text!r} as a UTC date-time (e.g. 2021-10-05T08:55:02Z)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def parse_site(text: str) -> tuple[float, float]:
    """(lat, lon) from 'LAT,LON' in degrees; CrewsimError if malformed or out of range."""
    parts = text.split(",")
    try:
        lat, lon = (float(x) for x in parts)
    except ValueError:
        raise CrewsimError(
            f"--site: expected LAT,LON in degrees (e.g. 45.996,63.564), got {text!r}"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not (math.isfinite(lat + lon)):
        raise CrewsimError(
            f"--site: latitude must be in [-90, 90] and longitude in [-180, 180]: {text!r}"
        )
    return lat, lon


def _setup_from_instant(args: argparse.Namespace) -> _Setup:
    from sim.orbit.geometry import Orbit

    if not args.from_:
        raise CrewsimError("give a SCENARIO or --from DATETIME (the planned launch window)")
    start = parse_utc(args.from_)
    site = parse_site(args.site) if args.site else BAIKONUR_SITE_31
    orbit = _checked(
        lambda: Orbit.from_launch(*site, start, ISS_INCLINATION_DEG, ISS_ALTITUDE_KM), "--site"
    )
    return _Setup(orbit, site, 0.0, DZHEZKAZGAN_ZONE, start, reference="--from")


def _checked(build, what: str):
    try:
        return build()
    except ValueError as exc:
        raise CrewsimError(f"{what}: {exc}") from None


def _setup_from_scenario(args: argparse.Namespace) -> _Setup:
    from sim.orbit.geometry import Orbit
    from sim.scenario import load_scenario
    from sim.scenario.schema import OrbitSpec

    scenario = load_scenario(args.scenario)
    spec = scenario.orbit or OrbitSpec()
    site = parse_site(args.site) if args.site else (spec.launch_site.lat, spec.launch_site.lon)
    offset_s = spec.launch_offset_h * 3600.0
    launches = {
        name: v.launch.planned.timestamp() for name, v in scenario.vehicles.items() if v.launch
    }
    if spec.tle:
        orbit = _checked(lambda: Orbit.from_tle(*spec.tle), "orbit.tle")
        reference = "TLE"
    else:
        name = spec.reference_launch or next(iter(launches), None)
        if name not in launches:
            raise CrewsimError(
                f"{args.scenario}: orbit needs a `tle` or a `reference_launch` vehicle with a "
                "planned launch"
            )
        orbit = _checked(
            lambda: Orbit.from_launch(
                *site, launches[name] - offset_s, spec.inclination_deg, spec.altitude_km
            ),
            "orbit",
        )
        if spec.mean_motion_rev_per_day:
            orbit = dataclasses.replace(orbit, mean_motion_rev_per_day=spec.mean_motion_rev_per_day)
        reference = f"{name} planned launch"
    if args.from_:
        start = parse_utc(args.from_)
    elif spec.reference_launch in launches or (not spec.tle and launches):
        start = launches[spec.reference_launch or next(iter(launches))]
    else:
        start = scenario.epoch.timestamp()
    primary = scenario.returns.get(scenario.primary) if scenario.primary else None
    if primary is not None:
        zone = (primary.zone.lat, primary.zone.lon, primary.zone.name or "landing zone")
        margin = primary.daylight_margin_deg
    else:
        zone, margin = DZHEZKAZGAN_ZONE, 0.0
    return _Setup(
        orbit,
        site,
        offset_s,
        zone,
        start,
        cross_range_km=spec.cross_range_km,
        entry_to_touchdown_s=spec.entry_to_touchdown_h * 3600.0,
        daylight_margin_deg=margin,
        reference=reference,
    )


def _hhmm(unix_s: float) -> str:
    return dt.datetime.fromtimestamp(unix_s, dt.UTC).strftime("%H:%M:%S")


def _day(unix_s: float) -> str:
    return dt.datetime.fromtimestamp(unix_s, dt.UTC).strftime("%Y-%m-%d")


def run(args: argparse.Namespace) -> int:
    from sim.commands.options import check_out
    from sim.orbit.geometry import landing_opportunities, launch_windows, window_drift_min_per_day

    check_out(args.out)
    if args.days < 1 or args.days > 3660:
        raise CrewsimError(f"--days must be between 1 and 3660, not {args.days}")
    setup = _setup_from_scenario(args) if args.scenario else _setup_from_instant(args)
    day0 = math.floor(setup.start_unix / 86400.0) * 86400.0
    end = day0 + args.days * 86400.0
    n_windows = int(args.days * 1.02) + 2  # a crossing recurs every ~0.984 day
    windows = _checked(
        lambda: launch_windows(setup.orbit, *setup.site, day0, n_windows, setup.offset_s), "--site"
    )
    windows = windows[windows < end]
    zone_lat, zone_lon, zone_name = setup.zone
    opps = _checked(
        lambda: landing_opportunities(
            setup.orbit,
            zone_lat,
            zone_lon,
            day0,
            end,
            cross_range_km=setup.cross_range_km,
            entry_to_touchdown_s=setup.entry_to_touchdown_s,
            daylight_margin_deg=setup.daylight_margin_deg,
        ),
        "landing zone",
    )
    if args.csv:
        _write_csv(windows, opps, sys.stdout)
    else:
        drift = window_drift_min_per_day(setup.orbit, *setup.site)
        print(
            f"orbit: {setup.orbit.inclination_deg:.2f} deg, {setup.orbit.altitude_km:.0f} km, "
            f"node {setup.orbit.raan_rate_deg_per_day:+.3f} deg/day, plane from {setup.reference}"
        )
        print(
            f"launch site {setup.site[0]:.3f}, {setup.site[1]:.3f}: window drift {drift:+.1f} "
            f"min/day; landing zone {zone_name} ({zone_lat:.2f}, {zone_lon:.2f}), "
            f"daylight = sun > {setup.daylight_margin_deg:g} deg"
        )
        print()
        _print_table(day0, args.days, windows, opps)
    if args.out:
        from sim.commands.options import output_folder
        from sim.plots.orbit import plot_landing_opportunities

        out = output_folder(args.out, Path(args.out))
        with open(out / "windows.csv", "w", encoding="utf-8", newline="") as handle:
            _write_csv(windows, opps, handle)
        fig = plot_landing_opportunities(
            opps, day0, end, zone_lat, zone_lon, zone_name=zone_name, launch_windows=windows
        )
        fig.savefig(out / "windows.png", dpi=110)
        if not args.csv:
            print(f"\nwritten: {out}/windows.csv, windows.png")
    return 0


def _print_table(day0: float, days: int, windows: np.ndarray, opps: np.ndarray) -> None:
    by_day: dict[str, dict[str, list[str]]] = defaultdict(lambda: {"launch": [], "landing": []})
    for w in windows:
        by_day[_day(w)]["launch"].append(_hhmm(w))
    for row in opps:
        t = row["touchdown_unix"]
        flag = "day" if row["daylight"] else "night"
        by_day[_day(t)]["landing"].append(f"{_hhmm(t)} {flag}")
    from sim.tables import text_table

    header = ("date (UTC)", "launch window", "landing opportunities (touchdown, light)")
    rows = []
    for k in range(days):
        key = _day(day0 + k * 86400.0)
        entry = by_day[key]
        rows.append((key, ", ".join(entry["launch"]) or "-", ", ".join(entry["landing"]) or "-"))
    print(text_table(header, rows, rule=False))


def _write_csv(windows: np.ndarray, opps: np.ndarray, stream) -> None:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(["event", "time_utc", "daylight", "sun_elevation_deg", "crossrange_km"])
    events = [(float(w), "launch_window", "", "", "") for w in windows]
    for row in opps:
        events.append(
            (
                float(row["touchdown_unix"]),
                "landing_opportunity",
                "true" if row["daylight"] else "false",
                f"{row['sun_elevation_deg']:.2f}",
                f"{round(float(row['crossrange_km']), 1) + 0.0:.1f}",
            )
        )
    for t, kind, *rest in sorted(events):
        stamp = dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        writer.writerow([kind, stamp, *rest])
