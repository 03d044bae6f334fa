"""Scenario files a hostile or careless user may give (issue 14, items 6, 9 and 13): special files,
huge files, duplicate keys, deep nesting, odd `--set` paths, empty `extends`, unsafe names. Each is a
ScenarioError naming the file (exit 2 through the command line), never a hang or a traceback."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import load_scenario

BASE = Path(__file__).resolve().parents[1] / "broken" / "base.yaml"


def _variant(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {BASE}\n{text}", encoding="utf-8")
    return path


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/urandom", "fifo", "folder"])
def test_validate_refuses_special_files_at_once(special, tmp_path, capsys) -> None:
    target = {"fifo": tmp_path / "fifo", "folder": tmp_path}.get(special, Path(special))
    if special == "fifo":
        os.mkfifo(target)
    t0 = time.monotonic()
    assert main(["validate", str(target)]) == 2
    assert time.monotonic() - t0 < 5
    out, err = capsys.readouterr()
    assert str(target) in out + err and "Traceback" not in out + err


def test_extends_of_a_special_file_is_refused(tmp_path) -> None:
    path = tmp_path / "v.yaml"
    path.write_text("extends: /dev/zero\n")
    with pytest.raises(ScenarioError, match="/dev/zero: cannot read the file: not a regular file"):
        load_scenario(path)


def test_a_file_over_the_size_limit_is_refused(tmp_path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(BASE.read_text() + "#" * (5 * 1024 * 1024))
    with pytest.raises(ScenarioError, match="larger than 4 MB"):
        load_scenario(big)


def test_duplicate_keys_are_refused(tmp_path) -> None:
    path = _variant(tmp_path, "name: one\nname: two\n")
    with pytest.raises(ScenarioError, match=r"line 3.*key 'name' is given twice"):
        load_scenario(path)
    nested = _variant(tmp_path, "station:\n  max_crew: 7\n  max_crew: 9\n")
    with pytest.raises(ScenarioError, match="'max_crew' is given twice"):
        load_scenario(nested)


def test_deep_nesting_is_refused(tmp_path, capsys) -> None:
    path = _variant(tmp_path, "description: " + "[" * 500 + "]" * 500 + "\n")
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "nested too deeply" in out + err and "Traceback" not in out + err


def test_a_utf8_bom_is_accepted(tmp_path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.read_bytes())
    assert load_scenario(path).name == "broken-base"


@pytest.mark.parametrize("index", ["²", "١", "0x0", "-1"])
def test_set_with_a_non_ascii_or_odd_list_index(index) -> None:
    with pytest.raises(ScenarioError, match="expected a list index below 1"):
        load_scenario(BASE, [f"work.tasks.{index}.hours=3 h"])


def test_set_extends_is_refused_not_ignored() -> None:
    with pytest.raises(ScenarioError, match="`extends` cannot be changed with --set"):
        load_scenario(BASE, ["extends=other.yaml"])


@pytest.mark.parametrize("value", ['""', "[base.yaml, '']", "'  '"])
def test_an_empty_extends_names_the_problem(value, tmp_path) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(f"extends: {value}\nname: e\n")
    with pytest.raises(ScenarioError, match="extends: an empty file name"):
        load_scenario(path)


@pytest.mark.parametrize("name", ["a/b", "MS.19", "../x", "MS 19", "-x"])
def test_vehicle_names_are_identifiers(name, tmp_path) -> None:
    vehicle = f"  '{name}': {{seats: 1, docked_at: Nauka, docked_since: 2021-07-01T00:00:00Z}}\n"
    path = _variant(tmp_path, "vehicles:\n" + vehicle)
    with pytest.raises(ScenarioError, match=r"vehicles\..*should match pattern"):
        load_scenario(path)
    ok = _variant(tmp_path, "vehicles:\n" + vehicle.replace(name, "Progress-MS_17"))
    assert "Progress-MS_17" in load_scenario(ok).vehicles


def test_person_names_may_not_hold_path_characters(tmp_path) -> None:
    path = _variant(tmp_path, "crew:\n  ../evil: {aboard: MS-18, returns: MS-18}\n")
    with pytest.raises(ScenarioError, match=r"crew\.\.\./evil.*should match pattern"):
        load_scenario(path)
    ok = _variant(tmp_path, "crew:\n  Vande Hei: {aboard: MS-18, returns: MS-18}\n")
    assert "Vande Hei" in load_scenario(ok).crew
