"""``crewsim validate FILE...``: check scenario files, print OK or the errors (one per line)."""

from __future__ import annotations

import argparse

from sim.commands.options import add_set, single_values
from sim.errors import ScenarioError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files", description=__doc__)
    p.add_argument("files", nargs="+", metavar="SCENARIO", help="scenario YAML files")
    add_set(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from sim.scenario import load_scenario, scenario_warnings

    status = 0
    sets = single_values(args.set, ", ".join(args.files))
    for path in args.files:
        try:
            scenario = load_scenario(path, sets)
        except ScenarioError as exc:
            print(exc)
            status = 2
            continue
        print(f"{path}: OK ({scenario.name})")
        for warning in scenario_warnings(scenario):
            print(f"{path}: warning: {warning}")
    return status
