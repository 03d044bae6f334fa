"""``crewsim.load`` and the API's Scenario: changes are validated like ``--set``, on copies and in
place, and a bad change leaves the scenario as it was."""

from __future__ import annotations

import pytest

import crewsim
from sim.scenario import load_scenario

HOURS = "work.tasks.0.hours"


def test_load_reads_through_to_the_validated_model(baseline_path):
    scenario = crewsim.load(baseline_path)
    model = load_scenario(baseline_path)
    assert scenario.model == model
    assert scenario.name == model.name == "vyzov-2021"
    assert scenario.work.tasks[0].hours == model.work.tasks[0].hours == scenario[HOURS]
    assert list(scenario.returns) == list(model.returns)
    assert scenario.changes == ()


def test_with_changes_is_the_same_as_set_and_keeps_the_original(baseline_path):
    scenario = crewsim.load(baseline_path)
    before = scenario[HOURS]
    changed = scenario.with_changes({HOURS: "80 h", "returns.MS-18.policy": "until-done"})
    via_set = load_scenario(baseline_path, [f"{HOURS}=80 h", "returns.MS-18.policy=until-done"])
    assert changed.model == via_set
    assert changed[HOURS] == 80.0 and scenario[HOURS] == before
    assert changed.changes == (f"{HOURS}=80 h", "returns.MS-18.policy=until-done")
    # Python values (numbers, lists, mappings) are written as YAML, as on the command line
    numbers = scenario.with_changes({"monte_carlo.seed": 11, "station.max_crew": 11})
    assert (numbers.monte_carlo.seed, numbers.station.max_crew) == (11, 11)
    listed = scenario.with_changes([f"{HOURS}=80 h", "returns.MS-18.policy=until-done"])
    assert listed.model == changed.model


@pytest.mark.parametrize(
    "change, message",
    [
        ({HOURS: "eighty"}, "work.tasks.0.hours: expected a duration with a unit"),
        ({HOURS: 80}, "work.tasks.0.hours"),
        ({"returns.MS-18.polcy": "fixed"}, "polcy"),
        ({"vehicles.MS-91.seats": 3}, "did you mean 'MS-19'"),
        ({"work.tasks.5.hours": "1 h"}, "expected a list index below 1"),
    ],
)
def test_a_bad_change_names_the_file_and_the_field(baseline_path, change, message):
    scenario = crewsim.load(baseline_path)
    with pytest.raises(crewsim.ScenarioError, match=message) as info:
        scenario.with_changes(change)
    assert str(baseline_path) in str(info.value)


def test_assignments_are_validated_and_a_failed_one_changes_nothing(baseline_path):
    scenario = crewsim.load(baseline_path)
    model = scenario.model
    with pytest.raises(crewsim.ScenarioError, match="expected a duration"):
        scenario.work.tasks[0].hours = "eighty"
    with pytest.raises(crewsim.ScenarioError, match="max_crew"):
        scenario.station.max_crew = -1
    with pytest.raises(crewsim.ScenarioError):
        scenario.name = "no spaces allowed"
    assert scenario.model is model and scenario.changes == ()

    scenario.work.tasks[0].hours = "90 h"  # nested attribute
    scenario["returns.MS-18.policy"] = "until-done"  # dotted path
    scenario.returns["MS-18"].max_extension = "2 d"  # mapping item, then attribute
    assert scenario[HOURS] == 90.0
    assert scenario.returns["MS-18"].policy == "until-done"
    assert scenario.returns["MS-18"].max_extension == 48.0
    assert scenario.changes == (
        f"{HOURS}=90 h",
        "returns.MS-18.policy=until-done",
        "returns.MS-18.max_extension=2 d",
    )


def test_unknown_paths_and_compact_display(baseline_path):
    scenario = crewsim.load(baseline_path)
    with pytest.raises(KeyError, match="no field 'work.taskz'"):
        scenario["work.taskz"]
    with pytest.raises(crewsim.ScenarioError, match="no such scenario file"):
        crewsim.load(baseline_path.with_name("nope.yaml"))
    html = scenario.with_changes({HOURS: "80 h"})._repr_html_()
    assert len(html) < 3_000  # a glance, not the file
    for text in ("vyzov-2021", "MS-18", "MS-19", "filming", "80 h", "work.tasks.0.hours=80 h"):
        assert text in html
    assert "vyzov-2021" in repr(scenario) and len(repr(scenario)) < 300
