"""Flight tables read together: each flight counted once, implausible values rejected with a
message, and no priors file written that a run could not use (issue 14, item 4)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sim.calibration.calibrate import calibrate
from sim.calibration.priors_file import check_usable
from sim.calibration.tables import read_tables
from sim.cli import main
from sim.errors import CrewsimError

DATA = Path(__file__).resolve().parents[1] / "data"
MS_SMALL = DATA / "ms_small.csv"


def _rows(path: Path) -> tuple[list[str], list[dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, fields: list[str], rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _counts(records) -> dict[str, int]:
    return {e.name: e.n for e in calibrate(records, n_boot=0).estimates}


def test_a_table_given_twice_counts_each_flight_once():
    once = read_tables([str(MS_SMALL)])
    twice = read_tables([str(MS_SMALL), str(MS_SMALL)])
    assert [r.flight for r in twice.records] == [r.flight for r in once.records]
    assert _counts(twice.records) == _counts(once.records)
    assert len(twice.duplicates) == len(once.records)
    assert "counted once" in twice.duplicates[0]


def test_duplicate_rows_count_once(tmp_path):
    fields, rows = _rows(MS_SMALL)
    path = _write(tmp_path / "dup.csv", fields, rows + rows[:2])
    tables = read_tables([str(path)])
    assert len(tables.records) == len(rows)
    assert _counts(tables.records) == _counts(read_tables([str(MS_SMALL)]).records)


def test_duplicate_rows_that_disagree_are_an_error(tmp_path):
    fields, rows = _rows(MS_SMALL)
    changed = dict(rows[0], launch_to_dock_h="51.5")
    path = _write(tmp_path / "clash.csv", fields, [*rows, changed])
    with pytest.raises(CrewsimError, match=r"clash\.csv: column 'flight': MS-03 is listed twice"):
        read_tables([str(path)])


@pytest.mark.parametrize(
    "column, value, words",
    [
        ("slip_days_vs_T1mo", "1e308", "implausible: expected -60 to 400 days"),
        ("launch_to_dock_h", "90000", "implausible: expected 1 to 200 hours"),
        ("actual_launch_utc", "2999-01-01T00:00Z", "implausible: expected a year 1967 to 2100"),
    ],
)
def test_implausible_values_are_rejected_with_a_message(tmp_path, capsys, column, value, words):
    fields, rows = _rows(MS_SMALL)
    rows[0][column] = value
    table = _write(tmp_path / "absurd.csv", fields, rows)
    out = tmp_path / "priors"
    assert main(["calibrate", "--flights", str(table), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"absurd.csv: MS-03: column '{column}': {words}" in err
    assert not (out / "priors.yaml").exists()  # nothing written


def test_a_prior_that_validates_but_cannot_run_is_never_written():
    never_docks = """defaults:
  rendezvous:
    durations:
      4-orbit: {dist: uniform, low: 2000, high: 3000, unit: d}
"""
    with pytest.raises(CrewsimError, match="would not run.*no docking"):
        check_usable(never_docks)
    fine = "defaults:\n  rendezvous:\n    durations:\n      4-orbit: 6 h\n"
    check_usable(fine)


def test_the_shipped_priors_run():
    for path in Path(__file__).resolve().parents[2].glob("scenarios/priors/*.yaml"):
        check_usable(path.read_text(encoding="utf-8"))
