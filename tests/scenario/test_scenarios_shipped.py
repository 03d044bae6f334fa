"""Every shipped scenario in scenarios/ loads, validates and survives a resolve/reload round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.scenario import (
    load_scenario,
    load_scenario_data,
    scenario_warnings,
    validate_scenario,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"


def test_there_are_shipped_scenarios() -> None:
    assert BASELINE in SHIPPED
    assert len(SHIPPED) >= 4


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_loads(path: Path) -> None:
    s = load_scenario(path)
    assert s.primary in s.returns
    assert s.vehicles[s.primary].seats > 0
    assert scenario_warnings(s) == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_validates_through_cli(path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["validate", str(path)]) == 0
    assert f"{path}: OK (" in capsys.readouterr().out


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_round_trips(path: Path) -> None:
    s = load_scenario(path)
    text = yaml.safe_dump(s.resolved_dict(), sort_keys=False)
    assert validate_scenario(yaml.safe_load(text), source="resolved") == s


def test_shipped_names_are_unique() -> None:
    names = [load_scenario(p).name for p in SHIPPED]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("path", [p for p in SHIPPED if p != BASELINE], ids=lambda p: p.name)
def test_variants_extend_the_baseline(path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["extends"] == "vyzov_2021.yaml"
    base = load_scenario_data(BASELINE)
    variant = load_scenario_data(path)
    # Top-level sections the variant does not name are the baseline's, unchanged.
    for key in set(base) - set(raw):
        assert variant[key] == base[key], key
