"""Keep the generated parts of README.md in step with the code.

``python -m sim.readme`` rewrites the sections between ``<!-- BEGIN X -->`` / ``<!-- END X -->``
markers: the scenario field reference, the command reference and the calibration rules. The tests
call :func:`render` and compare.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def field_reference() -> str:
    from sim.scenario.docs import markdown_reference

    return markdown_reference()


def cli_reference() -> str:
    import os

    from sim.cli import build_parser

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"  # argparse wraps help to the terminal width
    try:
        parser = build_parser()
        return _format_commands(parser)
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


def _format_commands(parser) -> str:
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    out = []
    for name, p in sub.choices.items():
        p.prog = f"crewsim {name}"
        out.append(f"### `crewsim {name}`\n")
        out.append("```")
        out.append(p.format_help().rstrip())
        out.append("```\n")
    return "\n".join(out)


def calibration_rules() -> str:
    from sim.calibration.free_text import FREE_TEXT_RULES

    rules = (
        FREE_TEXT_RULES if not isinstance(FREE_TEXT_RULES, str) else FREE_TEXT_RULES.splitlines()
    )
    return "\n".join(f"{i}. {rule}" for i, rule in enumerate(rules, 1))


SECTIONS = {
    "FIELD REFERENCE": field_reference,
    "CLI REFERENCE": cli_reference,
    "CALIBRATION RULES": calibration_rules,
}


def render(text: str) -> str:
    """README text with every generated section brought up to date."""
    for marker, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- BEGIN {marker} -->\n).*?(<!-- END {marker} -->)", re.DOTALL)
        body = make().rstrip() + "\n"
        text = pattern.sub(lambda m, body=body: m.group(1) + body + m.group(2), text)
    return text


def main(path: str = "README.md") -> int:
    readme = Path(path)
    readme.write_text(render(readme.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
