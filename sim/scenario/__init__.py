"""Stage 1, the scenario: a YAML file in, a validated :class:`Scenario` out.

Takes a scenario file (with ``extends:`` bases and ``--set`` overrides); gives typed, checked objects
that the model can trust. The only stage that knows the file format: the schema (:mod:`.schema`),
cross-field checks (:mod:`.checks`), readable error messages (:mod:`.messages`), uncertain quantities
(:mod:`.distributions`, with parameter uncertainty in :mod:`.posterior`), the list of uncertain
inputs for the report (:mod:`.assumptions`) and the generated field reference (:mod:`.docs`).
"""

from sim.scenario.assumptions import Assumption, uncertain_inputs
from sim.scenario.checks import check_scenario, life_margins, scenario_warnings
from sim.scenario.loading import (
    apply_override,
    deep_merge,
    load_scenario,
    load_scenario_data,
    validate_scenario,
)
from sim.scenario.messages import format_validation
from sim.scenario.schema import Scenario, json_schema, utc

__all__ = [
    "Assumption",
    "Scenario",
    "apply_override",
    "check_scenario",
    "deep_merge",
    "format_validation",
    "json_schema",
    "life_margins",
    "load_scenario",
    "load_scenario_data",
    "scenario_warnings",
    "uncertain_inputs",
    "utc",
    "validate_scenario",
]
