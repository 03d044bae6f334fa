"""Axis helpers shared by the figures: UTC time points for matplotlib, date ticks, readable labels
with units taken from column names."""

from __future__ import annotations

from typing import Any

import matplotlib.dates as mdates
import numpy as np
import pandas as pd

from sim import analysis


def naive_utc(values: Any) -> np.ndarray:
    """Timestamps (tz-aware or naive UTC) as naive UTC datetime64 for matplotlib."""
    idx = pd.DatetimeIndex(pd.Series(values).reset_index(drop=True))
    if idx.tz is not None:
        idx = idx.tz_convert("UTC").tz_localize(None)
    return idx.to_numpy()


def stamp(ts: Any) -> str:
    ts = pd.Timestamp(ts)
    return ts.strftime("%d %b %H:%M")


def date_axis(ax: Any, axis: str = "x", limits: tuple[float, float] | None = None) -> None:
    """Date ticks as "17 Oct" (with the hour when the axis spans under three days) and the year
    written once in the axis corner; call after plotting so the limits are known."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = limits or (ax.get_xlim() if axis == "x" else ax.get_ylim())
    fmt = "%d %b\n%H:%M" if hi - lo < 3 else "%d %b"
    target.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=8))
    target.set_major_formatter(mdates.DateFormatter(fmt))
    years = sorted({mdates.num2date(v).year for v in (lo, hi)})
    label = target.get_label_text()
    year = "-".join(str(y) for y in years)
    if year not in label:
        target.set_label_text(f"{label} {year}".strip() if label else year)


def axis_label(column: str) -> str:
    """Readable axis label with the unit taken from the column name."""
    names = {
        "landing_delay_h": "Landing delay",
        "landing_actual_utc": "Landing time (UTC)",
        "work_done_frac": "Work done (fraction of plan)",
        "contingency_h": "Contingency crew time",
        "visit_days": "Visitors' days aboard (d)",
    }
    label = names.get(column, column.replace("_", " "))
    for suffix, unit in (("_h", "h"), ("_d", "d")):
        if column.endswith(suffix) and "(" not in label:
            label = f"{label.removesuffix(suffix.replace('_', ' '))} ({unit})"
    return label


def short_input(name: str) -> str:
    return name.removeprefix(analysis.INPUT_PREFIX)


def sorted_values(df: pd.DataFrame, column: str) -> tuple[np.ndarray, bool]:
    """Finite values of a column (naive UTC datetime64 for time points) and whether it is time."""
    series = df[column].dropna()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return np.sort(naive_utc(series)), True
    values = pd.to_numeric(series).to_numpy(dtype=float)
    return np.sort(values[np.isfinite(values)]), False
