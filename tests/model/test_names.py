"""Names made once per scenario are the very strings the f-strings would make."""

from __future__ import annotations

import pickle

from sim.model.names import ScenarioNames


def test_names_are_the_formatted_strings_and_are_made_once() -> None:
    names = ScenarioNames()
    vn = names.of["MS-18"]
    assert vn.landing_delay_h == "MS-18.landing_delay_h"
    assert vn.landing_delay_h is vn.landing_delay_h  # kept, not made again
    assert names.of["MS-18"] is vn
    assert names.inputs["MS-18"].slip_d == "in.MS-18.slip_d"
    assert names.crew["Peresild"].home_utc == "crew.Peresild.home_utc"
    assert names.landing["MS-18"].prefix == "landing.MS-18"
    assert names.landing["MS-18"].weather == "landing.MS-18.weather"
    assert names.relocation[0].slip == "relocation.0.slip"
    assert names.health[1, "MS-19"].prefix == "health.1.MS-19"
    assert names.param["MS-18.weather_p"].prefix == "param.MS-18.weather_p"
    assert names.dock_delay("MS-19", ("scrub", "docking")) == (
        ("scrub", "MS-19.dock_delay.scrub_h"),
        ("docking", "MS-19.dock_delay.docking_h"),
    )


def test_names_pickle_empty_and_still_work() -> None:
    """Workers receive the compiled scenario pickled: the names travel empty and are remade."""
    names = ScenarioNames()
    assert names.of["MS-18"].landing_delay_h
    copy = pickle.loads(pickle.dumps(names))
    assert dict(copy.of) == {}
    assert copy.of["MS-18"].landing_delay_h == "MS-18.landing_delay_h"
