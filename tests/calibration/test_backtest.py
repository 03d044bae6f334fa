"""Backtest: leave-one-out over the Soyuz MS table (small n), rows the model cannot replay, blank
actuals, malformed input (exit 2), and the outputs (CSV, JSON, PNG)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sim.calibration import backtest, backtest_report
from sim.calibration.flights import read_flights
from sim.cli import main

DATA = Path(__file__).resolve().parents[1] / "data"
MS_TABLE = Path(__file__).resolve().parents[2] / "data" / "soyuz_ms_flights_2016_2021.csv"

#: MS flights with a plan a month ahead (planned date and scheme) in the real table.
PLANNED = ["MS-01", "MS-02", "MS-03", "MS-08", "MS-11", "MS-16", "MS-18", "MS-19"]


@pytest.fixture(scope="module")
def ms_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("backtest") / "ms"
    status = main(
        ["backtest", "--flights", str(MS_TABLE), "-n", "200", "--seed", "3", "--out", str(out)]
    )
    assert status == 0
    return out, json.loads((out / "backtest.json").read_text())


def test_leave_one_out_on_the_ms_table(ms_run):
    _, result = ms_run
    done = [f["flight"] for f in result["flights"] if f["status"] == "backtested"]
    assert done == PLANNED
    for f in result["flights"]:
        if f["status"] == "backtested":
            # Leave-one-out: trained on every other row of the table.
            assert f["training_flights"] == 18
    cov = result["summary"]["launch_to_dock_h"]["coverage"]
    for level in ("50", "80"):
        c = cov[level]
        print(
            f"launch-to-docking hours, {level} % interval: {c['inside']}/{c['n']} "
            f"= {c['coverage']:.2f} (Wilson 95 % {c['wilson95'][0]:.2f}-{c['wilson95'][1]:.2f})"
        )
        assert c["n"] == len(PLANNED)
        assert 0.0 <= c["coverage"] <= 1.0
        assert c["wilson95"][0] <= c["coverage"] <= c["wilson95"][1]
    slip = result["summary"]["slip_d"]
    assert slip["n"] == len(PLANNED) and len(slip["pit"]) == len(PLANNED)
    assert all(0.0 <= u <= 1.0 for u in slip["pit"])
    # Every backtested flight landed on its planned day: the naive forecast is perfect there.
    landed = result["summary"]["landed_on_planned_day"]
    assert landed["n"] == 5 and landed["skill"] is None and "undefined" in landed["skill_note"]
    # MS-19's manual docking is the one event of the manual-docking score.
    ms19 = next(f for f in result["flights"] if f["flight"] == "MS-19")
    manual = next(m for m in ms19["metrics"] if m["metric"] == "manual_docking")
    assert manual["observed"] == 1.0 and 0 < manual["probability"] < 0.5
    assert result["replications"] == 200 and result["seed"] == 3
    assert result["inputs"]["flights"]["sha256"]


def test_outputs_are_written(ms_run):
    out, _ = ms_run
    for name in ("backtest_table.csv", "pit_histogram.png", "reliability_diagram.png"):
        assert (out / name).stat().st_size > 0
    with (out / "backtest_table.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == list(backtest_report.TABLE_COLUMNS)
    scored = [r for r in rows if r["metric"]]
    assert len(scored) == len(PLANNED) * len(backtest.METRICS)


def test_same_seed_same_numbers():
    records, _ = read_flights(MS_TABLE)
    subset = [r for r in records if r.flight in ("MS-03", "MS-19")]
    a = backtest.run_backtest(subset, records, n=50, seed=1)
    b = backtest.run_backtest(subset, records, n=50, seed=1)
    assert backtest_report.table_rows(a) == backtest_report.table_rows(b)


def _edited_table(path: Path) -> Path:
    """The MS table with a launch abort, an uncrewed flight and an empty return given plans,
    and a blank actual."""
    with MS_TABLE.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames
        rows = {r["flight"]: r for r in reader}
    keep = {}
    names = ("MS-01", "MS-08", "MS-11", "MS-16", "MS-17", "MS-18", "MS-19")
    for name in (f"Soyuz {n}" for n in names):
        keep[name] = dict(rows[name])
    keep["Soyuz MS-11"]["launch_to_dock_h"] = ""  # blank actual
    abort = dict(rows["Soyuz MS-10"], planned_launch_date_T1mo="2018-10-11")
    uncrewed = dict(
        rows["Soyuz MS-14"], planned_launch_date_T1mo="2019-08-22", launch_to_dock_h="121.5"
    )
    empty = dict(rows["Soyuz MS-16"], flight="Soyuz MS-90", crew_down="none")
    keep.update({"abort": abort, "uncrewed": uncrewed, "empty": empty})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(keep.values())
    return path


def test_rows_the_model_cannot_handle_are_reported(tmp_path, capsys):
    table = _edited_table(tmp_path / "edited.csv")
    out = tmp_path / "out"
    assert main(["backtest", "--flights", str(table), "-n", "100", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    result = json.loads((out / "backtest.json").read_text())
    flights = {f["flight"]: f for f in result["flights"]}
    assert set(flights) == {
        *("MS-01", "MS-08", "MS-10", "MS-11", "MS-14", "MS-16", "MS-17", "MS-18", "MS-19", "MS-90")
    }
    assert flights.pop("MS-17")["status"] == "not backtested"  # no plan a month ahead
    assert all(f["status"] == "backtested" for f in flights.values()), [
        (f["flight"], f["reason"]) for f in flights.values()
    ]

    abort = flights["MS-10"]
    assert "launch failure" in abort["model_cannot_handle"]
    assert abort["scores_entered"] == ["slip_d"]
    notes = {m["metric"]: m["note"] for m in abort["metrics"]}
    assert "launch failure" in notes["launch_to_dock_h"]

    uncrewed = flights["MS-14"]
    assert "uncrewed" in uncrewed["model_cannot_handle"]
    assert uncrewed["scores_entered"] == ["slip_d", "launch_to_dock_h", "fallback"]
    notes = {m["metric"]: m["note"] for m in uncrewed["metrics"]}
    assert "uncrewed" in notes["manual_docking"]
    assert uncrewed["plan"]["crewed"] is False

    empty = flights["MS-90"]
    assert "returned empty" in empty["model_cannot_handle"]
    assert "manual_docking" in empty["scores_entered"]
    assert "landed_on_planned_day" not in empty["scores_entered"]

    blank = flights["MS-11"]
    assert "launch_to_dock_h" not in blank["scores_entered"]
    assert "slip_d" in blank["scores_entered"]
    # MS-01, 08, 14, 16, 18, 19, 90 (not MS-10: launch failure; not MS-11: blank)
    assert result["summary"]["launch_to_dock_h"]["n"] == 7

    for name in ("MS-10", "MS-14", "MS-90"):
        assert f"{name}: " in printed
    assert "model cannot handle: launch failure" in printed


def test_a_flight_without_a_plan_is_not_backtested():
    records, _ = read_flights(MS_TABLE)
    ms05 = next(r for r in records if r.flight == "MS-05")
    result = backtest.backtest_flight(ms05, records, n=10, seed=0)
    assert result.status == "not backtested" and "planned_launch_date_T1mo" in result.reason


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ("ms_malformed.csv", ["ms_malformed.csv", "MS-19", "actual_launch_utc"]),
        ("ms_missing_column.csv", ["ms_missing_column.csv", "missing column"]),
    ],
)
def test_malformed_tables_exit_2(tmp_path, capsys, table, words):
    status = main(["backtest", "--flights", str(DATA / table), "--out", str(tmp_path / "x")])
    assert status == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err


def test_duplicate_flights_and_bad_options_exit_2(tmp_path, capsys):
    with MS_TABLE.open(newline="", encoding="utf-8") as handle:
        lines = handle.read().splitlines()
    dup = tmp_path / "dup.csv"
    dup.write_text("\n".join([lines[0], lines[-1], lines[-1]]) + "\n", encoding="utf-8")
    assert main(["backtest", "--flights", str(dup)]) == 2
    assert "MS-19" in capsys.readouterr().err
    assert main(["backtest", "--flights", str(MS_TABLE), "-n", "0"]) == 2
    tma = DATA / "tma_small.csv"
    assert main(["backtest", "--flights", str(tma)]) == 2
    assert "no flight has a plan" in capsys.readouterr().err
