"""``crewsim windows``: the table, the CSV, the plot, the scenario path and bad input."""

from __future__ import annotations

import argparse
import csv
import io
import textwrap
from pathlib import Path

import pytest

from sim.commands import windows
from sim.errors import CrewsimError


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="crewsim")
    windows.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["windows", *argv])


def test_table_from_a_planned_launch(capsys):
    assert windows.run(parse(["--from", "2021-10-05T08:55:02Z", "--days", "14"])) == 0
    out = capsys.readouterr().out
    assert "window drift -23.3 min/day" in out
    lines = [line for line in out.splitlines() if line.startswith("2021-")]
    assert len(lines) == 14
    assert lines[0].split()[:2] == ["2021-10-05", "08:55:02"]
    assert lines[1].split()[:2] == ["2021-10-06", "08:31:41"]  # one day later, 23.3 min earlier
    # MS-18's real landing day: one daylight opportunity near the real 04:35 touchdown.
    oct17 = next(line for line in lines if line.startswith("2021-10-17"))
    assert "04:29" in oct17 and "day" in oct17


def test_csv_and_plot(capsys, tmp_path):
    out = tmp_path / "w"
    args = ["--from", "2021-10-05T08:55:02Z", "--days", "30", "--csv", "--out", str(out)]
    assert windows.run(parse(args)) == 0
    printed = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(printed)))
    kinds = [r["event"] for r in rows]
    assert kinds.count("launch_window") in (30, 31)
    assert kinds.count("landing_opportunity") in (30, 31)
    assert rows[0]["time_utc"] == "2021-10-05T08:55:02Z"
    assert {r["daylight"] for r in rows if r["event"] == "landing_opportunity"} <= {"true", "false"}
    assert [r["time_utc"] for r in rows] == sorted(r["time_utc"] for r in rows)
    assert (out / "windows.png").stat().st_size > 10_000
    assert (out / "windows.csv").read_text(encoding="utf-8") == printed
    with pytest.raises(CrewsimError, match="already exists and is not empty"):
        windows.run(parse(args))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--from", "yesterday-ish"], "--from"),
        (["--from", "2021-10-05", "--site", "45.9"], "--site"),
        (["--from", "2021-10-05", "--site", "95,63"], "--site"),
        (["--from", "2021-10-05", "--site", "62.9,40.7"], "never in a plane"),
        (["--from", "2021-10-05", "--days", "0"], "--days"),
        ([], "--from"),
    ],
)
def test_bad_input_is_a_crewsim_error(argv, message):
    with pytest.raises(CrewsimError, match=message):
        windows.run(parse(argv))


SHIPPED = Path(__file__).resolve().parents[2] / "scenarios" / "vyzov_2021.yaml"


def test_shipped_scenario_without_orbit_section(capsys):
    # No `orbit` section: ISS defaults, plane from the first launching vehicle (MS-19).
    assert windows.run(parse([str(SHIPPED), "--days", "13"])) == 0
    out = capsys.readouterr().out
    assert "plane from MS-19 planned launch" in out
    lines = [line for line in out.splitlines() if line.startswith("2021-")]
    assert lines[0].split()[:2] == ["2021-10-05", "08:55:02"]
    assert lines[-1].startswith("2021-10-17") and "04:29" in lines[-1]


def test_scenario_orbit_section(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            extends: {SHIPPED}
            orbit:
              inclination_deg: 51.64
              altitude_km: 420
              launch_site: {{lat: 45.996, lon: 63.564}}
              launch_offset: -3 min
              reference_launch: MS-19
              cross_range_km: 600
            """
        )
    )
    assert windows.run(parse([str(path), "--from", "2021-10-17", "--days", "1"])) == 0
    out = capsys.readouterr().out
    (line,) = [line for line in out.splitlines() if line.startswith("2021-10-17")]
    # The window keeps the planned offset (MS-19 at 08:55:02 minus 12 days of drift), and the
    # 600 km cross-range admits the next rev (~450 km off) as a second opportunity.
    assert line.split()[1] == "04:14:53"
    assert line.count(" day") == 2


def test_through_the_cli(capsys):
    from sim.cli import main

    assert main(["windows", "--from", "2021-10-05T08:55:02Z", "--days", "2"]) == 0
    assert "08:31:41" in capsys.readouterr().out
    assert main(["windows", "--from", "2021-13-05"]) == 2
    assert "--from" in capsys.readouterr().err
