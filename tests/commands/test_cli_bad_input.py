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
    status, text = run_cli(["calibrate", "--flights", table, "--out", tmp_path / "p"], capsys)
    assert status == 2 and "no flights" in text
    assert not (tmp_path / "p").exists()


def test_output_that_cannot_be_written(tmp_path, capsys):
    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    status, text = run_cli(["schema", "--out", tmp_path / "a-file"], capsys)  # a file, not a folder
    assert status == 2 and "not a folder" in text
    status, text = run_cli(["schema", "--out", tmp_path], capsys)  # a folder holding files
    assert status == 2 and "already exists and is not empty" in text
    assert (tmp_path / "a-file").read_text(encoding="utf-8") == "x"


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


# --------------------------------------------------------------------------- one convention
def test_bare_crewsim_exits_2_with_the_usage(capsys):
    assert main([]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: crewsim") and "name a command" in err


def test_a_closed_pipe_ends_quietly(tmp_path):
    import subprocess
    import sys

    many_lines = (
        "windows --from 2021-10-05T08:55:02Z --days 3000 --csv"  # far more than a pipe holds
    )
    shell = f"{sys.executable} -m sim {many_lines} | head -1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert done.stdout.startswith("event,time_utc")
    assert done.stderr == "" and done.returncode == 141


def test_set_has_one_grammar_and_only_sweep_takes_several_values(capsys):
    status, text = run_cli(["validate", BASELINE, "--set", "work.tasks.0.hours=60 h,80 h"], capsys)
    assert status == 2 and "gives 2 values" in text and "only crewsim sweep" in text
    quoted = ["validate", BASELINE, "--set", "description='filming, then home'"]
    assert run_cli(quoted, capsys)[0] == 0
    bracketed = ["validate", BASELINE, "--set", "station.ports=[Rassvet, Poisk, Prichal, MRM1]"]
    status, text = run_cli(bracketed, capsys)
    assert "gives" not in text


def test_every_seed_option_seeds_a_simulation_and_bootstraps_have_their_own():
    from sim.cli import build_parser

    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    for name, sub in commands.items():
        flags = {f for action in sub._actions for f in action.option_strings}
        if "--seed" in flags:
            help_text = next(a.help for a in sub._actions if "--seed" in a.option_strings)
            assert "bootstrap" not in help_text, name
        if name in ("calibrate", "compare"):
            assert "--bootstrap-seed" in flags and "--seed" not in flags, name
        if name in ("run", "sweep", "backtest"):
            assert "--quiet" in flags, name


def test_shell_completion_script(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--print-completion", "bash"])
    assert done.value.code == 0
    script = capsys.readouterr().out
    assert "crewsim" in script and "sweep" in script and "--resume" in script
