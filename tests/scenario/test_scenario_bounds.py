"""Numbers a run cannot use are refused by `validate` (issue 14, items 1 and 2, and the compile-time
failures of item 9).

Results store times as int64 nanoseconds (years 1677-2262): instants and durations that would wrap
around are errors naming the field. NaN and infinity are refused everywhere (a section's own fields,
distribution parameters, rates, durations written as text) by one mechanism, and parameters are
bounded to what is physical, so that nothing `validate` accepts makes `run` produce wrong numbers,
loop or crash.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario

BASE = Path(__file__).resolve().parents[1] / "broken" / "base.yaml"

#: --set override -> substrings the error must contain (the field path first).
REFUSED = {
    # 1. instants and durations beyond what int64 nanoseconds hold
    "returns.MS-18.planned_undock=9999-12-31T23:59:59Z": [
        "returns.MS-18.planned_undock",
        "between 1700-01-01 and 2200-01-01",
    ],
    "epoch=1600-01-01T00:00:00Z": ["epoch", "between 1700-01-01"],
    "returns.MS-18.descent=1e300 h": ["returns.MS-18.descent", "below 87840 h"],
    "vehicles.MS-18.design_life=1e9 d": ["vehicles.MS-18.design_life", "at most 87840 h"],
    "returns.MS-18.max_extension=20000 d": ["returns.MS-18.max_extension", "at most"],
    # 2. non-finite numbers, wherever they are written
    "defaults.launch.slip={dist: empirical, values: [0, 1, 2], weights: [.nan, 1, 1], unit: d}": [
        "vehicles.MS-19.launch",
        "slip.weights.0",
        "finite",
    ],
    "vehicles.MS-19.launch.slip={dist: normal, mean: 1, sd: 1, low: 0, high: .inf, unit: d}": [
        "vehicles.MS-19.launch",
        "slip.high",
        "finite",
    ],
    "vehicles.MS-19.launch.slip={dist: empirical, values: [0, .inf], unit: d}": [
        "slip.values.1",
        "finite",
    ],
    "returns.MS-18.daylight_margin_deg=.nan": ["returns.MS-18.daylight_margin_deg", "finite"],
    "work.tasks.0.hours=1e400 h": ["work.tasks.0.hours", "finite"],
    "contingencies.0.rate={rate: .inf, per: d}": ["contingencies.0", "rate.rate", "finite"],
    "vehicles.MS-19.launch.scrub_p=.nan": ["vehicles.MS-19.launch.scrub_p"],
    "station.liner_swap=nan h": ["station.liner_swap"],
    # 2. parameters bounded to what is physical
    "work.tasks.0.efficiency={dist: normal, mean: 0, sd: 1}": [
        "work.tasks.0.efficiency",
        "must be positive",
    ],
    "work.tasks.0.efficiency=0": ["work.tasks.0.efficiency", "must be positive"],
    "work.tasks.0.efficiency={dist: lognormal, median: 1, sigma: 1000}": [
        "work.tasks.0.efficiency",
        "must stay below 10",
    ],
    "returns.MS-18.descent={dist: lognormal, median: 3, sigma: 1000, unit: h}": [
        "returns.MS-18.descent",
        "unbounded",
    ],
    "vehicles.MS-19.launch.slip={dist: zero_inflated_weibull, p_zero: 0.5, shape: 0.0001, "
    "scale: 2, unit: d}": ["vehicles.MS-19.launch.slip", "unbounded"],
    "returns.MS-18.daylight_margin_deg=300": ["daylight_margin_deg", "less than or equal to 90"],
    "contingencies.0.rate={rate: 1000000, per: d}": ["contingencies.0.rate", "100 a day"],
    "vehicles.MS-19.launch.max_attempts=1000000000": ["max_attempts", "less than or equal"],
    "monte_carlo.replications=100000000000": ["monte_carlo.replications"],
}


@pytest.mark.parametrize("override", sorted(REFUSED))
def test_refused_with_the_field_named(override: str) -> None:
    with pytest.raises(ScenarioError) as err:
        load_scenario(BASE, [override])
    message = str(err.value)
    for part in REFUSED[override]:
        assert part in message, f"{part!r} not in:\n{message}"


@pytest.mark.parametrize(
    "override",
    [
        "returns.MS-18.descent=1e300 h",
        "vehicles.MS-19.launch.slip={dist: empirical, values: [0, .inf], unit: d}",
        "returns.MS-18.daylight_margin_deg=.nan",
    ],
)
def test_validate_exits_2_with_one_message(override, capsys) -> None:
    assert main(["validate", str(BASE), "--set", override]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "base.yaml" in out + err


def test_the_shipped_bounds_leave_realistic_values_alone() -> None:
    ok = [
        "returns.MS-18.descent={dist: lognormal, median: 3.4, sigma: 0.05, unit: h}",
        "vehicles.MS-19.launch.slip_by_horizon=us-segment",
        "work.tasks.0.efficiency={dist: normal, mean: 0.8, sd: 0.2, low: 0.1, high: 1.2}",
        "returns.MS-18.daylight_margin_deg=-6",
        "epoch=2021-09-01T00:00:00Z",
    ]
    for override in ok:
        load_scenario(BASE, [override])
