"""Invariants of the baseline scenario over a few hundred replications (property style)."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import pytest

from sim.model import compile_scenario, simulate_replication
from sim.model.outcome import DELAY_CAUSES, DOCK_CAUSES, OUTCOMES
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"
N = 300


@pytest.fixture(scope="module")
def runs():
    compiled = compile_scenario(load_scenario(BASELINE))
    return compiled, [simulate_replication(compiled, i, 2021, trace=True) for i in range(N)]


def test_rows_have_the_template_keys(runs):
    compiled, results = runs
    keys = list(compiled.row_template)
    for row, _ in results:
        assert list(row) == keys
        assert row["outcome"] in OUTCOMES


def test_time_never_goes_backwards(runs):
    _, results = runs
    for row, events in results:
        times = [e[1] for e in events]
        assert times == sorted(times)
        assert all(e[0] == row["replication"] for e in events)


def test_no_violations_and_crew_within_seats(runs):
    compiled, results = runs
    for row, events in results:
        assert row["violations"] == 0, row["violation_list"]
        for e in events:
            if e[3] == "crew" and e[4] == "aboard":
                fields = dict(f.split("=") for f in e[5].split())
                # People flagged without a lifeboat (a failed vehicle) are the only excess.
                stranded = int(fields.get("no_lifeboat", 0))
                assert int(fields["count"]) - stranded <= int(fields["seats"])
                assert int(fields["count"]) <= compiled.max_crew
        assert row["peak_crew"] <= 10


def test_delay_attribution_adds_up(runs):
    compiled, results = runs
    for row, _ in results:
        if not math.isnan(row["landing_delay_h"]):
            total = sum(row[f"delay.{c}_h"] for c in DELAY_CAUSES)
            assert total == pytest.approx(row["landing_delay_h"], abs=1e-6)
        for v in compiled.launches:
            if not math.isnan(row[f"{v}.dock_delay_h"]):
                total = sum(row[f"{v}.dock_delay.{c}_h"] for c in DOCK_CAUSES)
                assert total == pytest.approx(row[f"{v}.dock_delay_h"], abs=1e-6)


def test_nobody_is_double_booked(runs):
    _, results = runs
    for row, events in results:
        spans: dict[str, list[tuple[float, float]]] = defaultdict(list)
        opened: dict[tuple, float] = {}
        for _, t, _, process, event, detail in events:
            if process == "work" and event in ("start", "resume"):
                opened["work"] = t
            elif process == "work" and event in ("end", "stop", "interrupt"):
                began = opened.pop("work")
                for p in ("Peresild", "Shipenko"):
                    spans[p].append((began, t))
            elif process == "contingency" and event in ("hold", "release"):
                if event == "hold":
                    opened[detail] = t
                else:
                    began = opened.pop(detail)
                    for p in detail.split("people=", 1)[1].split(";"):
                        spans[p].append((began, t))
            elif process == "seats" and event == "swap":
                opened[("swap", detail)] = t
            elif process == "seats" and event in ("swap interrupted", "liner installed"):
                spans[detail].append((opened.pop(("swap", detail)), t))
        for person, s in spans.items():
            s.sort()
            for (_, a1), (b0, _) in zip(s, s[1:], strict=False):
                assert a1 <= b0 + 1e-9, (row["replication"], person)


def test_same_replication_same_result(runs):
    compiled, results = runs
    row, events = simulate_replication(compiled, 17, 2021, trace=True)
    assert events == results[17][1]
    again, _ = simulate_replication(compiled, 17, 2021, trace=False)
    assert {k: v for k, v in again.items() if v == v} == {k: v for k, v in row.items() if v == v}
