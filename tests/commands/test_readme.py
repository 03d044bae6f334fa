"""The README's generated sections (field reference, commands, calibration rules) are up to date."""

from pathlib import Path

from sim.readme import render

ROOT = Path(__file__).resolve().parents[2]


def test_readme_generated_sections_are_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert render(text) == text, "README.md is stale: run `python -m sim.readme`"


def test_readme_names_every_scenario_field():
    from sim.scenario.docs import SECTIONS

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for _title, model, _path in SECTIONS:
        for name, field in model.model_fields.items():
            assert f"`{field.alias or name}`" in text


def test_readme_lists_every_shipped_scenario():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in (ROOT / "scenarios").glob("*.yaml"):
        assert f"`{path.name}`" in text
