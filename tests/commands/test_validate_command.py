"""``crewsim validate`` and ``crewsim schema`` through the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted(str(p) for p in (ROOT / "scenarios").glob("*.yaml"))
BROKEN = ROOT / "tests" / "broken"


def test_validate_all_shipped(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *SHIPPED]) == 0
    out = capsys.readouterr().out
    for path in SHIPPED:
        assert f"{path}: OK (" in out
    assert "error" not in out.lower()


def test_validate_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "validate", *SHIPPED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK (") == len(SHIPPED)
    assert "Traceback" not in done.stderr


def test_validate_broken_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "validate", str(BROKEN / "typo_key.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "did you mean 'max_crew'" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_validate_set_override(capsys: pytest.CaptureFixture[str]) -> None:
    baseline = str(ROOT / "scenarios" / "vyzov_2021.yaml")
    assert main(["validate", baseline, "--set", "monte_carlo.seed=3"]) == 0
    assert main(["validate", baseline, "--set", "station.max_crew=2"]) == 2
    out = capsys.readouterr().out
    assert "station.max_crew" in out
    assert "above the limit 2" in out


def test_validate_bad_set_path(capsys: pytest.CaptureFixture[str]) -> None:
    baseline = str(ROOT / "scenarios" / "vyzov_2021.yaml")
    assert main(["validate", baseline, "--set", "relocations.4.to=Poisk"]) == 2
    out = capsys.readouterr().out
    assert "--set 'relocations.4.to=Poisk'" in out
    assert "list index below 1" in out


def test_validate_prints_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    baseline = str(ROOT / "scenarios" / "vyzov_2021.yaml")
    late = "returns.MS-18.planned_undock=2021-12-01T00:00:00Z"
    assert main(["validate", baseline, "--set", late]) == 0
    out = capsys.readouterr().out
    assert "warning: returns.MS-18.planned_undock" in out
    assert "past its design life" in out


def test_validate_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ROOT / "scenarios" / "nope.yaml")]) == 2
    assert "no such scenario file" in capsys.readouterr().out


def test_validate_needs_a_file(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["validate"])
    assert info.value.code == 2


def test_schema_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["$schema"].startswith("https://json-schema.org/")
    top = set(schema["properties"])
    assert {
        "name",
        "epoch",
        "extends",
        "primary_return",
        "monte_carlo",
        "station",
        "defaults",
        "vehicles",
        "relocations",
        "crew",
        "work",
        "contingencies",
        "returns",
    } <= top
    assert {"name", "epoch", "station", "vehicles"} <= set(schema["required"])


def test_schema_out_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "schema"
    assert main(["schema", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"written: {out / 'schema.json'}\n"
    schema = json.loads((out / "schema.json").read_text(encoding="utf-8"))
    assert "vehicles" in schema["properties"]
