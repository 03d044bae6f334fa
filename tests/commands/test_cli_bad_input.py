"""Bad input across commands: a message, exit status 2, no traceback, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASELINE = str(ROOT / "scenarios" / "vyzov_2021.yaml")


def run_cli(args, capsys):
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    return status, captured.err + captured.out


def test_negative_seed_is_refused_before_anything_is_written(tmp_path, capsys):
    out = tmp_path / "o"
    status, text = run_cli(["run", BASELINE, "-n", "5", "--seed", "-1", "--out", out], capsys)
    assert status == 2 and "--seed must be 0 or more" in text
    assert not list(tmp_path.iterdir())


def test_binary_flight_table(tmp_path, capsys):
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 4)
    for command in ("calibrate", "backtest"):
        status, text = run_cli([command, "--flights", junk], capsys)
        assert status == 2 and "junk.csv" in text


def test_flight_table_without_flights(tmp_path, capsys):
    header = (ROOT / "tests" / "data" / "ms_small.csv").read_text(encoding="utf-8").splitlines()[0]
    table = tmp_path / "header_only.csv"
    table.write_text(header + "\n", encoding="utf-8")
    status, text = run_cli(["calibrate", "--flights", table, "--out", tmp_path / "p.yaml"], capsys)
    assert status == 2 and "no flights" in text
    assert not (tmp_path / "p.yaml").exists()


def test_output_that_cannot_be_written(tmp_path, capsys):
    status, text = run_cli(["schema", "--out", tmp_path], capsys)  # a folder, not a file
    assert status == 2 and "cannot use" in text


@pytest.mark.parametrize("target", ["folder", "file"])
def test_report_of_something_that_is_not_a_run(tmp_path, capsys, target):
    path = tmp_path if target == "folder" else Path(BASELINE)
    status, text = run_cli(["report", path], capsys)
    assert status == 2
    assert "not a crewsim results folder" in text or "is a file" in text
    assert "--resume" not in text


def test_set_naming_an_unknown_vehicle(capsys):
    status, text = run_cli(["validate", BASELINE, "--set", "vehicles.MS-99.seats=3"], capsys)
    assert status == 2 and "did you mean 'MS-19'" in text
