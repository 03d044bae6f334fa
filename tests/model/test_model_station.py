"""Station: contingency arrivals, preemption of planned work, crew time never double-booked."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from sim.model import compile_scenario, simulate_replication
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
DEGENERATE = ROOT / "tests" / "scenarios" / "degenerate.yaml"


def contingency(rate: float, impact: str, crew: str = "all", priority: int = 1) -> str:
    return (
        f"contingencies=[{{name: drill, rate: {{rate: {rate}, per: d}}, impact: {impact}, "
        f"crew: {crew}, priority: {priority}}}]"
    )


def test_mean_contingency_hours_is_rate_times_window_times_mean_impact():
    # Window: NEW's planned docking (229 h) to OLD's fixed undock (338 h) = 109 h = 4.5417 d.
    # Impact uniform 1-3 h (mean 2 h): E[hours] = 2/d * 4.5417 d * 2 h = 18.17 h.
    n = 2000
    rate, low, high = 2.0, 1.0, 3.0
    compiled = compile_scenario(
        load_scenario(
            DEGENERATE, [contingency(rate, f"{{dist: uniform, low: {low}, high: {high}, unit: h}}")]
        )
    )
    rows = [simulate_replication(compiled, i, 9)[0] for i in range(n)]
    assert all(r["OLD.undock_actual_utc"] == 338.0 for r in rows)
    window_d = (338.0 - 229.0) / 24.0
    hours = np.array([r["contingency_h"] for r in rows])
    counts = np.array([r["contingency_count"] for r in rows])
    expected = rate * window_d * (low + high) / 2
    assert abs(hours.mean() - expected) < 4 * hours.std(ddof=1) / math.sqrt(n)
    assert abs(counts.mean() - rate * window_d) < 4 * counts.std(ddof=1) / math.sqrt(n)


def busy_intervals(events) -> dict[str, list[tuple[float, float, str]]]:
    """Per person, the spans of crew time the trace shows taken (work, contingency, liner swap)."""
    out: dict[str, list] = defaultdict(list)
    opened: dict[tuple, float] = {}
    task_people = ("Vis1", "Vis2")
    for _, t, _, process, event, detail in events:
        if process == "work" and event in ("start", "resume"):
            opened[("work",)] = t
        elif process == "work" and event in ("end", "stop", "interrupt"):
            began = opened.pop(("work",))
            for p in task_people:
                out[p].append((began, t, "work"))
        elif process == "contingency" and event == "hold":
            opened[("c", detail)] = t
        elif process == "contingency" and event == "release":
            began = opened.pop(("c", detail))
            for p in detail.split("people=", 1)[1].split(";"):
                if p:
                    out[p].append((began, t, "contingency"))
        elif process == "seats" and event == "swap":
            opened[("s", detail)] = t
        elif process == "seats" and event in ("swap interrupted", "liner installed"):
            out[detail].append((opened.pop(("s", detail)), t, "swap"))
    return out


def test_preempted_work_is_resumed_not_lost_and_nobody_is_double_booked():
    compiled = compile_scenario(
        load_scenario(DEGENERATE, [contingency(3.0, "{dist: uniform, low: 0.5, high: 2, unit: h}")])
    )
    planned = 20.0
    preempted = 0
    for i in range(100):
        row, events = simulate_replication(compiled, i, 5, trace=True)
        work = [e for e in events if e[3] == "work"]
        # Hours done + remaining = planned at every work event; done grows by the span lengths.
        done_at_open = None
        open_at = None
        for k, (_, t, _, _, event, detail) in enumerate(work):
            fields = dict(f.split("=", 1) for f in detail.split())
            done, remaining = float(fields["done_h"]), float(fields["remaining_h"])
            assert done + remaining == pytest.approx(planned, abs=1e-6)
            if event in ("start", "resume"):
                open_at, done_at_open = t, done
            else:
                assert done - done_at_open == pytest.approx(t - open_at, abs=1e-6)
            if event == "interrupt":
                preempted += 1
                # Resumed later (or stopped for good only by the undock).
                assert work[k + 1][4] in ("resume", "abandoned") or work[k + 1][5].endswith(
                    "cause=undock"
                )
        assert row["work_done_h"] == pytest.approx(
            planned - (remaining if work else planned), abs=1e-6
        )
        # Nobody's busy spans overlap; busy time never exceeds the elapsed time.
        for person, spans in busy_intervals(events).items():
            spans.sort()
            for (_, a1, _), (b0, _, _) in zip(spans, spans[1:], strict=False):
                assert a1 <= b0 + 1e-9, (i, person, spans)
            elapsed = max(s[1] for s in spans) - min(s[0] for s in spans)
            assert sum(s[1] - s[0] for s in spans) <= elapsed + 1e-9
    assert preempted > 30


def test_more_urgent_contingency_preempts_a_less_urgent_one():
    # Two kinds: a long one (priority 5) and frequent short urgent ones (priority 0).
    text = (
        "contingencies=[{name: slow, rate: {rate: 1, per: d}, impact: 10 h, crew: all, priority: 5},"
        " {name: urgent, rate: {rate: 4, per: d}, impact: 1 h, crew: all, priority: 0}]"
    )
    compiled = compile_scenario(load_scenario(DEGENERATE, [text]))
    for i in range(30):
        _, events = simulate_replication(compiled, i, 6, trace=True)
        for person, spans in busy_intervals(events).items():
            spans.sort()
            for (_, a1, _), (b0, _, _) in zip(spans, spans[1:], strict=False):
                assert a1 <= b0 + 1e-9, (i, person)
