"""Picture of landing opportunities over months: when in the day they fall, and which are in daylight.

x is the date, y the UTC time of day of each touchdown opportunity. Daylight opportunities are
filled dots, night ones hollow grey rings, and the band between sunrise and sunset at the zone is
shaded, so the runs of daylight chances and the weeks without one are visible at a glance.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from sim.orbit.sun import sunrise_sunset
from sim.plots.style import new_figure, styled

DAY_S = 86400.0


def _to_unix(value) -> float:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return aware.timestamp()
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp()
    return float(value)


def _as_datetime64(unix_s: np.ndarray) -> np.ndarray:
    return (np.asarray(unix_s) * 1e3).astype("int64").astype("datetime64[ms]")


@styled
def plot_landing_opportunities(
    opps: np.ndarray,
    start,
    end,
    zone_lat: float = 47.4,
    zone_lon: float = 69.6,
    zone_name: str = "landing zone",
    title: str | None = None,
    launch_windows: np.ndarray | None = None,
):
    """Scatter of opportunities (a `sim.orbit.geometry.OPPORTUNITY_DTYPE` array) between `start` and `end`
    (unix s, date or datetime), over the zone's daylight band (sunrise to sunset at
    `zone_lat`/`zone_lon`, UTC), with the instantaneous launch windows (unix s) as black
    triangles when given. Returns a matplotlib Figure (built without pyplot)."""
    import matplotlib.dates as mdates

    t0, t1 = _to_unix(start), _to_unix(end)
    days = np.arange(np.floor(t0 / DAY_S), np.ceil(t1 / DAY_S)) * DAY_S
    fig = new_figure()
    ax = fig.add_subplot()

    rise_h, set_h = [], []
    for day in days:
        rs = sunrise_sunset(day, zone_lat, zone_lon)
        rise_h.append(np.nan if rs is None else (rs[0] - day) / 3600.0)
        set_h.append(np.nan if rs is None else (rs[1] - day) / 3600.0)
    rise_h, set_h = np.array(rise_h), np.array(set_h)
    x_days = _as_datetime64(days + DAY_S / 2)
    # The band may cross midnight UTC (western zones): draw it in up to two pieces per day.
    lo, hi = rise_h % 24.0, set_h % 24.0
    wraps = hi < lo
    ax.fill_between(x_days, np.where(wraps, 0, lo), hi, color="#ffe9a8", step="mid", lw=0)
    ax.fill_between(x_days, np.where(wraps, lo, np.nan), 24, color="#ffe9a8", step="mid", lw=0)

    sel = opps[(opps["touchdown_unix"] >= t0) & (opps["touchdown_unix"] <= t1)]
    tod_h = (sel["touchdown_unix"] % DAY_S) / 3600.0
    x = _as_datetime64(sel["touchdown_unix"] - sel["touchdown_unix"] % DAY_S + DAY_S / 2)
    day_mask = sel["daylight"]
    ax.scatter(x[day_mask], tod_h[day_mask], s=14, color="#d2691e", label="daylight opportunity")
    ax.scatter(
        x[~day_mask],
        tod_h[~day_mask],
        s=14,
        facecolors="none",
        edgecolors="#8a8a8a",
        linewidths=0.8,
        label="night opportunity",
    )
    if launch_windows is not None and len(launch_windows):
        w = np.asarray(launch_windows, dtype=float)
        w = w[(w >= t0) & (w <= t1)]
        ax.scatter(
            _as_datetime64(w - w % DAY_S + DAY_S / 2),
            (w % DAY_S) / 3600.0,
            marker="^",
            s=30,
            color="black",
            label="launch window",
            zorder=4,
        )
    ax.fill_between([], [], color="#ffe9a8", label=f"sunrise-sunset at {zone_name}")

    ax.set_ylim(0, 24)
    ax.set_yticks(range(0, 25, 3))
    ax.set_ylabel("Time of day (UTC, h)")
    ax.set_xlabel("Date (UTC)")
    ax.set_xlim(_as_datetime64(np.array([t0, t1])))
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(alpha=0.3)
    n_day = int(day_mask.sum())
    ax.set_title(
        title
        or f"Launch windows and landing opportunities\n{zone_name}: {n_day} of {len(sel)} "
        "landing opportunities in daylight"
    )
    fig.legend(loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    return fig
