"""``crewsim schema``: print the JSON Schema of the scenario format (for editors)."""

from __future__ import annotations

import argparse
import json


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("schema", help="print the scenario JSON Schema", description=__doc__)
    p.add_argument(
        "--out",
        metavar="DIR",
        help="write schema.json (fields.md with --markdown) to a new folder DIR instead of printing",
    )
    p.add_argument(
        "--markdown", action="store_true", help="print the field reference as Markdown tables"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.markdown:
        from sim.scenario.docs import markdown_reference

        text = markdown_reference()
    else:
        from sim.scenario import json_schema

        text = json.dumps(json_schema(), indent=2)
    if args.out:
        from pathlib import Path

        from sim.commands.options import output_folder

        out = output_folder(args.out, Path(args.out))
        name = "fields.md" if args.markdown else "schema.json"
        (out / name).write_text(text + "\n", encoding="utf-8")
        print(f"written: {out / name}")
    else:
        print(text)
    return 0
