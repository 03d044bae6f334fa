"""Broken scenarios: each file in tests/broken/ must fail with the message listed in expected.yaml.

Every failure must be a :class:`sim.errors.ScenarioError` (never another exception type) whose
message names the file, the field path and what was expected; through ``crewsim validate`` it must
end with exit status 2, the message printed and no traceback. Most broken files extend the valid
tests/broken/base.yaml so that each shows one mistake.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario

BROKEN = Path(__file__).resolve().parents[1] / "broken"
EXPECTED: dict[str, dict] = yaml.safe_load((BROKEN / "expected.yaml").read_text(encoding="utf-8"))
#: Valid files in tests/broken/ that the broken ones extend.
BASES = {"base.yaml"}


def _set_args(entry: dict) -> list[str]:
    return [arg for assignment in entry.get("set", []) for arg in ("--set", assignment)]


def test_index_lists_every_broken_file() -> None:
    on_disk = {p.name for p in BROKEN.glob("*.yaml")} - BASES - {"expected.yaml"}
    assert on_disk == set(EXPECTED)
    assert len(EXPECTED) >= 30


def test_base_is_valid() -> None:
    scenario = load_scenario(BROKEN / "base.yaml")
    assert scenario.name == "broken-base"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_message(name: str) -> None:
    entry = EXPECTED[name]
    path = BROKEN / name
    try:
        load_scenario(path, entry.get("set", []))
    except ScenarioError as exc:
        message = str(exc)
    else:
        pytest.fail(f"{name} was accepted")
    assert name in message.splitlines()[0]
    for part in entry["expect"]:
        assert part in message, f"{name}: {part!r} not in message:\n{message}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_through_cli(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    entry = EXPECTED[name]
    status = main(["validate", str(BROKEN / name), *_set_args(entry)])
    out, err = capsys.readouterr()
    assert status == 2
    text = out + err
    assert "Traceback" not in text
    assert name in text
    for part in entry["expect"]:
        assert part in text


def test_validate_continues_after_a_broken_file(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", str(BROKEN / "typo_key.yaml"), str(BROKEN / "base.yaml")])
    out, _ = capsys.readouterr()
    assert status == 2
    assert "did you mean 'max_crew'" in out
    assert "base.yaml: OK (broken-base)" in out


def test_missing_file() -> None:
    with pytest.raises(ScenarioError, match="no such scenario file"):
        load_scenario(BROKEN / "does_not_exist.yaml")


def test_directory_instead_of_file() -> None:
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(BROKEN)
