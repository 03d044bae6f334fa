"""The scenario language: ``extends:`` deep merge, ``defaults:``, ``--set`` overrides, loading.

A variant overrides only what it names (mappings merge key by key, lists replace); ``defaults:`` fill
every launching vehicle's launch/rendezvous/docking and every return; ``--set PATH=VALUE`` takes
dotted paths and list indices, parses the value as YAML and names the bad path on error.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from sim.errors import ScenarioError
from sim.scenario import (
    apply_override,
    deep_merge,
    json_schema,
    life_margins,
    load_scenario,
    load_scenario_data,
    scenario_warnings,
    utc,
    validate_scenario,
)
from sim.scenario.distributions import Empirical, Fixed, Triangular, Uniform

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"
BASE = ROOT / "tests" / "broken" / "base.yaml"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------------------------
# deep merge and extends
# ---------------------------------------------------------------------------------------------


def test_deep_merge_mappings_merge_lists_replace() -> None:
    base = {"a": {"x": 1, "y": {"p": 1, "q": 2}}, "l": [1, 2, 3], "s": "keep"}
    over = {"a": {"y": {"q": 20}, "z": 3}, "l": [9]}
    merged = deep_merge(base, over)
    assert merged == {"a": {"x": 1, "y": {"p": 1, "q": 20}, "z": 3}, "l": [9], "s": "keep"}
    assert base["a"]["y"]["q"] == 2  # inputs untouched
    assert deep_merge(base, {"a": 5})["a"] == 5  # a scalar replaces a mapping


def test_variant_overrides_only_what_it_names() -> None:
    base = load_scenario_data(BASELINE)
    variant = load_scenario_data(ROOT / "scenarios" / "vyzov_2021_four_orbit.yaml")
    assert variant["vehicles"]["MS-19"]["rendezvous"]["scheme"] == "4-orbit"
    assert variant["vehicles"]["MS-19"]["docking"]["planned"] == "2021-10-05T14:42:00Z"
    # Siblings of the overridden keys come from the base.
    assert variant["vehicles"]["MS-19"]["docking"]["port"] == "Rassvet"
    assert variant["vehicles"]["MS-19"]["launch"] == base["vehicles"]["MS-19"]["launch"]
    for key in set(base) - {"name", "description", "vehicles"}:
        assert variant[key] == base[key], key


def test_variant_list_replaces() -> None:
    variant = load_scenario(ROOT / "scenarios" / "vyzov_2021_dec2020_plan.yaml")
    assert variant.relocations == []
    assert [t.name for t in variant.work.tasks] == ["filming"]
    assert variant.work.tasks[0].hours == 50.0
    assert variant.vehicles["MS-19"].docking.port == "Prichal"
    assert variant.work.hours_per_day == 10.0  # not named: from the base


def test_extends_chain_and_list_of_parents(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "name: a\nmonte_carlo: {replications: 5, seed: 1}\nlist: [1]\n")
    _write(tmp_path, "b.yaml", "extends: a.yaml\nname: b\nmonte_carlo: {seed: 2}\n")
    _write(tmp_path, "c.yaml", "monte_carlo: {replications: 7}\nlist: [2, 3]\n")
    d = _write(tmp_path, "d.yaml", "extends: [b.yaml, c.yaml]\ndescription: d\n")
    data = load_scenario_data(d)
    assert data == {
        "name": "b",
        "monte_carlo": {"replications": 7, "seed": 2},
        "list": [2, 3],
        "description": "d",
    }


def test_extends_relative_to_the_file(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    rel = os.path.relpath(BASE, sub)
    variant = _write(sub, "v.yaml", f"extends: {rel}\nname: moved\n")
    scenario = load_scenario(variant)
    assert scenario.name == "moved"
    assert scenario.vehicles["MS-19"].docking.port == "Prichal"


def test_distribution_mapping_replaces_whole(tmp_path: Path) -> None:
    base = {"slip": {"dist": "empirical", "values": [0, 1], "weights": [1, 1], "unit": "d"}}
    over = {"slip": {"dist": "uniform", "low": 0, "high": 2, "unit": "d"}}
    assert deep_merge(base, over) == over
    assert deep_merge(base, {"slip": {"value": 1, "unit": "d"}}) == {
        "slip": {"value": 1, "unit": "d"}
    }
    # Without `dist` a mapping still merges (change one parameter).
    merged = deep_merge(base, {"slip": {"weights": [3, 1]}})
    assert merged["slip"]["weights"] == [3, 1] and merged["slip"]["dist"] == "empirical"
    # Through extends and through defaults.
    text = (
        f"extends: {BASE}\nvehicles:\n  MS-19:\n    launch:\n"
        "      slip: {dist: uniform, low: 0, high: 2, unit: d}\n"
    )
    s = load_scenario(_write(tmp_path, "v.yaml", text))
    assert s.vehicles["MS-19"].launch.slip == Uniform(low=0, high=2, unit="d")


def test_base_relative_path_to_shipped_baseline(tmp_path: Path) -> None:
    variant = _write(tmp_path, "v.yaml", f"extends: {BASELINE}\nname: abs\n")
    assert load_scenario(variant).primary == "MS-18"


# ---------------------------------------------------------------------------------------------
# defaults
# ---------------------------------------------------------------------------------------------

LAUNCHERS = """
vehicles:
  MS-20:
    seats: 3
    launch: {planned: 2021-12-01T00:00:00Z, scrub_p: 0.5}
    rendezvous: {scheme: 34-orbit}
    docking: {port: Nauka, auto_failure_p: 0.2}
returns:
  MS-20: {planned_undock: 2022-01-01T00:00:00Z, weather_p: 0.5}
"""


def test_defaults_fill_every_launch_and_return(tmp_path: Path) -> None:
    path = _write(tmp_path, "v.yaml", "extends: " + str(BASE) + "\nname: v\n" + LAUNCHERS)
    s = load_scenario(path)
    for name in ("MS-19", "MS-20"):
        v = s.vehicles[name]
        assert isinstance(v.launch.slip, Empirical)  # defaults.launch.slip
        assert set(v.rendezvous.durations) == {"2-orbit", "34-orbit"}
        assert isinstance(v.rendezvous.durations["2-orbit"], Triangular)
    # A vehicle's own value beats the default.
    assert s.vehicles["MS-19"].launch.scrub_p == 0.01
    assert s.vehicles["MS-20"].launch.scrub_p == 0.5
    assert s.vehicles["MS-19"].docking.auto_failure_p == 0.06
    assert s.vehicles["MS-20"].docking.auto_failure_p == 0.2
    # Vehicles docked at the epoch get no launch sections.
    assert s.vehicles["MS-18"].launch is None
    assert s.vehicles["MS-18"].rendezvous is None
    # Every return gets the landing defaults.
    for name in ("MS-18", "MS-19", "MS-20"):
        assert s.returns[name].descent == Fixed(value=203, unit="min")
    assert s.returns["MS-18"].weather_p == 0.04
    assert s.returns["MS-20"].weather_p == 0.5


def test_defaults_rendezvous_durations_merge_per_scheme(tmp_path: Path) -> None:
    text = (
        f"extends: {BASE}\nvehicles:\n  MS-19:\n    rendezvous:\n      durations:\n"
        "        2-orbit: 4 h\n"
    )
    s = load_scenario(_write(tmp_path, "v.yaml", text))
    durations = s.vehicles["MS-19"].rendezvous.durations
    assert durations["2-orbit"] == Fixed(value=4, unit="h")
    assert isinstance(durations["34-orbit"], Triangular)


def test_baseline_defaults_from_priors() -> None:
    s = load_scenario(BASELINE)
    ms19 = s.vehicles["MS-19"]
    # Probabilities carry their counts (a Beta posterior, Jeffreys mean (k + 1/2) / (n + 1)).
    assert (ms19.launch.failure_p.k, ms19.launch.failure_p.n) == (1, 40)
    assert ms19.launch.failure_p.mean() == pytest.approx(0.0366, abs=1e-4)
    assert ms19.rendezvous.missed_burn_p.mean() == pytest.approx(0.0625, abs=1e-4)
    assert ms19.docking.max_attempts == 3
    descent = s.returns["MS-18"].descent  # fitted to 16 flights, with parameter uncertainty
    assert descent.dist == "predictive" and descent.n == 16
    # Its median is near the 203 min of the record (pulled up by MS-18's 4 h 7 min descent).
    assert descent.quantile(0.5) * 60 == pytest.approx(203, abs=5)
    assert s.returns["Crew-2"].descent == Fixed(value=8, unit="h")  # its own value wins
    assert s.returns["Crew-2"].daylight is False
    assert s.returns["MS-19"].daylight is True


def test_no_defaults_means_vehicle_must_say(tmp_path: Path) -> None:
    data = load_scenario_data(BASE)
    data.pop("defaults")
    with pytest.raises(ScenarioError, match="vehicles.MS-19.rendezvous.durations"):
        validate_scenario(data, source="x.yaml")


# ---------------------------------------------------------------------------------------------
# --set overrides
# ---------------------------------------------------------------------------------------------


def test_set_dotted_path_and_yaml_values() -> None:
    s = load_scenario(
        BASELINE,
        [
            "monte_carlo.seed=7",
            "station.max_crew=12",
            "returns.MS-18.policy=until-done",
            "returns.MS-18.max_extension=5 d",
            "vehicles.MS-19.launch.slip={dist: uniform, low: 0, high: 2, unit: d}",
            "returns.MS-18.daylight=false",
            "description='a: colon'",
        ],
    )
    assert s.monte_carlo.seed == 7
    assert s.station.max_crew == 12
    assert s.returns["MS-18"].policy == "until-done"
    assert s.returns["MS-18"].max_extension == 120.0
    assert s.vehicles["MS-19"].launch.slip.mean() == 1.0
    assert s.returns["MS-18"].daylight is False
    assert s.description == "a: colon"


def test_set_list_index() -> None:
    s = load_scenario(BASELINE, ["work.tasks.0.hours=80 h", "relocations.0.to=Poisk"])
    assert s.work.tasks[0].hours == 80.0
    assert s.relocations[0].to == "Poisk"
    s = load_scenario(BASELINE, ["work.tasks.0.people=[Peresild]"])
    assert s.work.tasks[0].people == ["Peresild"]


def test_set_creates_missing_mappings() -> None:
    data = apply_override({"a": 1}, "orbit.launch_site.lat=45.9")
    assert data == {"a": 1, "orbit": {"launch_site": {"lat": 45.9}}}


def test_set_does_not_modify_its_input() -> None:
    data = {"a": {"b": [1, 2]}}
    apply_override(data, "a.b.0=5")
    assert data == {"a": {"b": [1, 2]}}


def test_set_last_one_wins() -> None:
    s = load_scenario(BASELINE, ["monte_carlo.seed=1", "monte_carlo.seed=2"])
    assert s.monte_carlo.seed == 2


def test_set_value_that_is_not_yaml_stays_text() -> None:
    assert apply_override({}, "a={b: ")["a"] == "{b: "


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("monte_carlo.seed", "expected PATH=VALUE"),
        ("monte_carlo..seed=1", "empty key"),
        ("=1", "empty key"),
        ("relocations.3.to=Poisk", "relocations.3: expected a list index below 1"),
        ("relocations.first.to=Poisk", "relocations.first: expected a list index below 1"),
        ("relocations.-1.to=Poisk", "list index"),
        ("station.max_crew.limit=3", "station.max_crew.limit: the parent is not a mapping or list"),
        ("work.tasks.0.hours.x=1", "the parent is not a mapping or list"),
    ],
)
def test_set_bad_paths(assignment: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, [assignment])
    text = str(info.value)
    assert message in text
    assert "vyzov_2021.yaml" in text
    assert "--set" in text


def test_set_unknown_field_is_reported_by_validation() -> None:
    with pytest.raises(ScenarioError, match=r"station\.max_crow: unknown key; did you mean"):
        load_scenario(BASELINE, ["station.max_crow=3"])


def test_set_can_break_cross_checks() -> None:
    with pytest.raises(ScenarioError, match="no entry in `relocations` frees it"):
        load_scenario(BASELINE, ["relocations=[]"])


# ---------------------------------------------------------------------------------------------
# Loaded model
# ---------------------------------------------------------------------------------------------


def test_baseline_content() -> None:
    s = load_scenario(BASELINE)
    assert s.name == "vyzov-2021"
    assert s.epoch == datetime(2021, 9, 1, tzinfo=UTC)
    assert s.primary == "MS-18"
    assert s.station.liner_swap == 2.0
    assert s.vehicles["MS-18"].design_life == 210 * 24
    assert (s.relocations[0].from_, s.relocations[0].to) == ("Rassvet", "Nauka")
    assert s.relocations[0].duration == Triangular(low=25, mode=43, high=45, unit="min")
    assert s.work.hours_per_day == 10.0
    assert s.contingencies[0].rate.rate_per_hour == pytest.approx(0.03 / 24)
    assert len(s.crew) == 10
    assert s.hours(s.vehicles["MS-19"].launch.planned) == pytest.approx(
        34 * 24 + 8 + 55 / 60 + 2 / 3600
    )
    assert s.at(24.0) == datetime(2021, 9, 2, tzinfo=UTC)


def test_primary_defaults_to_first_return(tmp_path: Path) -> None:
    data = load_scenario_data(BASE)
    data.pop("primary_return")
    assert validate_scenario(data).primary == "MS-18"


def test_resolved_dict_round_trips() -> None:
    s = load_scenario(ROOT / "scenarios" / "vyzov_2021_until_done.yaml")
    resolved = s.resolved_dict()
    assert "extends" not in resolved
    text = yaml.safe_dump(resolved, sort_keys=False)
    again = validate_scenario(yaml.safe_load(text), source="resolved")
    assert again == s


def test_life_margins_and_warnings() -> None:
    s = load_scenario(BASELINE)
    margins = life_margins(s)
    assert margins["MS-18"] == pytest.approx(
        210
        - (s.returns["MS-18"].planned_undock - s.vehicles["MS-18"].docked_since).total_seconds()
        / 86400
    )
    assert scenario_warnings(s) == []
    late = load_scenario(BASELINE, ["returns.MS-18.planned_undock=2021-12-01T00:00:00Z"])
    warnings = scenario_warnings(late)
    assert len(warnings) == 1
    assert "returns.MS-18.planned_undock" in warnings[0]
    assert "past its design life" in warnings[0]


def test_utc_helper() -> None:
    assert utc("2021-10-05T08:55:02Z") == datetime(2021, 10, 5, 8, 55, 2, tzinfo=UTC)
    assert utc("2021-10-05T08:55:02") == datetime(2021, 10, 5, 8, 55, 2, tzinfo=UTC)


def test_time_zone_offsets_are_converted() -> None:
    s = load_scenario(BASELINE, ["epoch=2021-09-01T03:00:00+03:00"])
    assert s.hours(datetime(2021, 9, 1, tzinfo=UTC)) == 0.0


def test_json_schema_names_fields() -> None:
    schema = json_schema()
    assert set(schema["required"]) >= {"name", "epoch", "station", "vehicles"}
    assert {"vehicles", "crew", "returns", "defaults", "extends"} <= set(schema["properties"])
    assert "from" in schema["$defs"]["Relocation"]["properties"]
