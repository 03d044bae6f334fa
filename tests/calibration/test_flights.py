"""Flight tables: the free-text rules on real cells, table reading, and malformed tables."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sim.calibration import flights as fl
from sim.calibration import free_text as ft
from sim.errors import CrewsimError

DATA = Path(__file__).resolve().parents[1] / "data"


# --- rules, on cells copied from the real tables ---------------------------------------------------


def test_rule_list_is_documented():
    assert len(ft.FREE_TEXT_RULES) >= 10
    assert all(isinstance(r, str) and r for r in ft.FREE_TEXT_RULES)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("Y", True), ("N (robot Skybot F-850)", False), ("yes", True)],
)
def test_crewed(cell, expected):
    assert ft.parse_crewed(cell) is expected


def test_crewed_rejects_other_text():
    with pytest.raises(ValueError):
        ft.parse_crewed("maybe")


def test_returned_empty():
    assert ft.parse_returned_empty("none")  # MS-14
    assert not ft.parse_returned_empty("Ovchinin; Hague (abort)")  # MS-10


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("34-orbit (2-day, deliberate for testing new MS systems)", ["34-orbit"]),  # MS-01
        ("4-orbit (first MS)", ["4-orbit"]),  # MS-04
        ("2-orbit (~3 h 17 m)", ["2-orbit"]),  # MS-19
        ("34-orbit + 3-day docking delay", ["34-orbit"]),  # MS-14
        ("4-orbit (until 25 Oct), then 34-orbit", ["4-orbit", "34-orbit"]),  # MS-03
    ],
)
def test_schemes_in(cell, expected):
    assert ft.schemes_in(cell) == expected


def test_unknown_scheme_is_reported():
    with pytest.raises(ValueError, match="unknown rendezvous scheme '16-orbit'"):
        ft.schemes_in("16-orbit")


def test_planned_schemes_ms():
    assert ft.parse_planned_schemes("4-orbit (until 25 Oct), then 34-orbit") == (
        "4-orbit",
        "34-orbit",
    )
    assert ft.parse_planned_schemes("2-orbit (first crewed)") == ("2-orbit", "2-orbit")


def test_planned_schemes_tma():
    assert ft.parse_tma_schemes("4-orbit planned -> 34-orbit flown") == ("4-orbit", "34-orbit")
    assert ft.parse_tma_schemes("4-orbit (first crewed)") == ("4-orbit", "4-orbit")


def test_launch_abort_scheme():
    assert ft.is_launch_abort_scheme("none - launch abort")  # MS-10
    assert not ft.is_launch_abort_scheme("4-orbit")


def test_clause_guard_drops_other_vehicles():
    notes = (
        "2 mm drilled hole in orbital module, ISS leak 29-30 Aug 2018, sealed; "
        "landing moved after MS-10 abort"
    )  # MS-09
    assert ft.own_clauses(notes, "Soyuz MS-09") == [
        "2 mm drilled hole in orbital module, ISS leak 29-30 Aug 2018, sealed"
    ]
    assert ft.short_name("Soyuz TMA-21 (TMA)") == "TMA-21"


MS10 = (
    "booster separation failure ~T+2:45, abort at ~50 km, apogee 93 km, ballistic landing 19 min "
    "41 s after launch; knock-on: MS-09 extended, MS-11 advanced, UAE flight moved to MS-15"
)


def test_launch_failure_rule():
    assert ft.is_launch_failure(MS10, "Soyuz MS-10")
    assert not ft.is_launch_failure(
        "2 mm drilled hole in orbital module; landing moved after MS-10 abort", "Soyuz MS-09"
    )
    tma17 = (
        "Progress M-27M launch failure 28 Apr 2015 (Soyuz-2.1a 3rd-stage separation); "
        "Progress M-28M flown first"
    )
    assert not ft.is_launch_failure(tma17, "Soyuz TMA-17M")
    assert not ft.is_launch_failure(
        "Progress M-12M launch failure 24 Aug 2011 (Soyuz-U 3rd stage)", "Soyuz TMA-22 (TMA)"
    )


def test_pad_abort_rule():
    # No pad abort in the 2016-2021 tables; the phrase is the DOMAIN's MS-25 (2024) case.
    assert ft.count_pad_aborts("T-20 s abort, +2 days, 34-orbit", "Soyuz MS-25") == 1
    assert ft.count_pad_aborts(MS10, "Soyuz MS-10") == 0  # an in-flight abort, not on the pad
    assert ft.count_pad_aborts("", "Soyuz MS-05") == 0


def test_docking_rules():
    ms19 = "Kurs failure on final approach; ~30 s comm loss; Shkaplerov manual docking ~10 min late"
    assert ft.is_manual_docking(ms19, "Soyuz MS-19")
    assert ft.is_auto_docking_failure(ms19, "Rassvet nadir", "Soyuz MS-19")
    tma19 = (
        "Kurs aborted first approach at ~20 m; Malenchenko manual docking ~10 min late (17:33 UTC)"
    )
    assert ft.is_aborted_approach(tma19, "Soyuz TMA-19M")
    assert ft.is_manual_docking(tma19, "Soyuz TMA-19M")
    ms14 = (
        "first docking attempt aborted 24 Aug 05:36 UTC at ~96-100 m (Poisk Kurs amplifier fault); "
        "MS-13 relocated; 2nd attempt at Zvezda aft planned 03:12 UTC 27 Aug"
    )
    assert ft.is_aborted_approach(ms14, "Soyuz MS-14")
    assert not ft.is_manual_docking(ms14, "Soyuz MS-14")
    assert ft.is_aborted_approach("Zvezda aft (after aborted approach to Poisk)", "Soyuz MS-14")
    # TMA-08M docked early: not a failure.
    assert not ft.is_auto_docking_failure("docked Poisk 02:28 UTC, ~4 min early", "", "TMA-08M")


def test_weather_rule():
    tma06 = (
        "LANDING +1 day for weather (freezing rain/snow, low cloud, wind; helicopters): "
        "planned 15 Mar 03:56 UTC -> 16 Mar"
    )
    assert ft.count_weather_postponements(tma06, "Soyuz TMA-06M") == 1
    tma10 = (
        "landing moved 12->11 Mar (site shifted Arkalyk->Dzhezkazgan, 3 m snow); 10 Mar weather "
        "delay announced then reversed; landed on schedule"
    )
    assert ft.count_weather_postponements(tma10, "Soyuz TMA-10M") == 0


@pytest.mark.parametrize(
    ("cell", "year", "expected", "has_time"),
    [
        ("2017-12-14 08:38 UTC (Interfax 7 Dec 2017)", 2017, datetime(2017, 12, 14, 8, 38), True),
        ("2019-06-25 (as of Dec 2018)", 2019, datetime(2019, 6, 25), False),
        (
            "11-12 Dec 2018 (before MS-10 failure) -> 20 Dec 2018",
            2018,
            datetime(2018, 12, 20),
            False,
        ),
        (
            "undock 10:50 UTC / landing 14:10 UTC 2 Jun (spaceflight101)",
            2017,
            datetime(2017, 6, 2, 14, 10),
            True,
        ),
        ("177 d planned at launch (TASS); 17 Apr by Mar 2021", 2021, datetime(2021, 4, 17), False),
        (
            "30 Sep 2021 / 174 d (plan mid-2020) -> 17 Oct 2021 / 191 d (plan at launch, "
            "extended for film flight)",
            2021,
            datetime(2021, 10, 17),
            False,
        ),
    ],
)
def test_planned_landing(cell, year, expected, has_time):
    assert ft.parse_planned_landing(cell, year) == (expected.replace(tzinfo=UTC), has_time)


@pytest.mark.parametrize(
    "cell",
    [
        "mission originally planned 129 d (actual 115 d)",
        "Aug 2018 / 161 d (original plan); actual 197 d",
        "expedition 204 d (TASS at launch)",
    ],
)
def test_planned_landing_without_date_is_refused(cell):
    with pytest.raises(ValueError, match="no planned landing date"):
        ft.parse_planned_landing(cell, 2018)


def test_parse_utc_forms():
    assert ft.parse_utc("2018-06-06T11:12:39.519Z")[1]
    assert ft.parse_utc("2016-07-09T04:12Z")[0] == datetime(2016, 7, 9, 4, 12, tzinfo=UTC)
    assert ft.parse_utc("2019-08-27") == (datetime(2019, 8, 27, tzinfo=UTC), False)


# --- reading tables --------------------------------------------------------------------------------


def test_read_ms_small():
    records, issues = fl.read_flights(DATA / "ms_small.csv")
    by = {r.flight: r for r in records}
    assert set(by) == {"MS-03", "MS-10", "MS-14", "MS-19"}
    assert issues == []
    ms03 = by["MS-03"]
    assert (ms03.slip_days, ms03.scheme_planned_t1mo, ms03.scheme_flown) == (
        1,
        "4-orbit",
        "34-orbit",
    )
    assert ms03.landing_delay_d == pytest.approx(0, abs=1e-3)
    ms10 = by["MS-10"]
    assert ms10.launch_failure and ms10.scheme_flown == "none" and not ms10.docked
    assert ms10.model_cannot_handle == "launch failure"
    ms14 = by["MS-14"]
    assert ms14.crewed is False and ms14.auto_docking_failed and not ms14.manual_docking
    assert ms14.model_cannot_handle == "uncrewed; returned empty"
    ms19 = by["MS-19"]
    assert ms19.manual_docking and ms19.slip_days == 0 and ms19.scheme_planned == "2-orbit"
    assert ms19.launch_to_dock_h == 3.46 and ms19.model_cannot_handle is None
    assert ms19.planned_launch_t1mo.isoformat() == "2021-10-05"


def test_read_tma_small():
    records, issues = fl.read_flights(DATA / "tma_small.csv")
    by = {r.flight: r for r in records}
    assert issues == []
    assert by["TMA-12M"].scheme_planned == "4-orbit" and by["TMA-12M"].scheme_flown == "34-orbit"
    assert by["TMA-17M"].slip_prior_plan_days == 57 and by["TMA-17M"].slip_days is None
    assert not by["TMA-17M"].launch_failure
    assert by["TMA-19M"].manual_docking
    assert by["TMA-06M"].weather_postponements == 1


def test_advanced_launch_counts_as_zero(tmp_path):
    text = (DATA / "ms_small.csv").read_text(encoding="utf-8").splitlines()
    header, row = text[0], text[4]  # MS-19
    cols = header.split(",")
    assert cols.index("slip_days_vs_T1mo") == 10
    path = tmp_path / "adv.csv"
    path.write_text(
        header + "\n" + row.replace(",2021-10-05T08:55:02.442Z,0,", ",2021-10-05T08:55:02.442Z,-3,")
    )
    (rec,), issues = fl.read_flights(path)
    assert rec.slip_days == 0 and rec.advanced_days == 3
    assert [i.column for i in issues] == ["slip_days_vs_T1mo"]  # disagrees with the dates


# --- malformed tables ------------------------------------------------------------------------------


def test_missing_file():
    with pytest.raises(CrewsimError, match="no such flight table"):
        fl.read_flights(DATA / "nope.csv")


def test_missing_column_names_file_and_column():
    with pytest.raises(CrewsimError) as err:
        fl.read_flights(DATA / "ms_missing_column.csv")
    assert "ms_missing_column.csv" in str(err.value) and "launch_to_dock_h" in str(err.value)


def test_malformed_cells_are_reported_and_skipped():
    records, issues = fl.read_flights(DATA / "ms_malformed.csv")
    assert [r.flight for r in records] == ["MS-19", "MS-03"]
    assert records[0].actual_launch_utc is None and records[1].launch_to_dock_h is None
    found = {(i.flight, i.column) for i in issues if i.severity == "error"}
    assert found == {("MS-19", "actual_launch_utc"), ("MS-03", "launch_to_dock_h")}
    text = "\n".join(map(str, issues))
    assert "MS-19: column 'actual_launch_utc': unparseable date" in text
    assert "MS-03: column 'launch_to_dock_h': must be a finite number >= 0" in text


def test_malformed_cells_are_errors_when_strict():
    with pytest.raises(CrewsimError) as err:
        fl.read_flights(DATA / "ms_malformed.csv", strict=True)
    message = str(err.value)
    assert "ms_malformed.csv: MS-19: column 'actual_launch_utc'" in message
    assert "ms_malformed.csv: MS-03: column 'launch_to_dock_h'" in message


def test_notes_are_not_errors_when_strict(tmp_path):
    rows = (DATA / "ms_small.csv").read_text(encoding="utf-8")
    path = tmp_path / "t.csv"
    path.write_text(rows.replace("28 Mar 2022 (Dec 2020 plan) -> 30 Mar 2022", "about 176 d"))
    records, issues = fl.read_flights(path, strict=True)
    assert [(i.flight, i.column, i.severity) for i in issues] == [
        ("MS-19", "planned_landing", "note")
    ]
