"""``crewsim sweep``: grid expansion, a tiny sweep end to end, and bad input (exit status 2)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from sim.analysis import sweep
from sim.cli import main
from sim.errors import CrewsimError, Interrupted
from sim.montecarlo import results

ROOT = Path(__file__).resolve().parents[2]
UNTIL_DONE = ROOT / "scenarios" / "vyzov_2021_until_done.yaml"
HOURS = "work.tasks.0.hours"


# --------------------------------------------------------------------------- the grid
def test_one_field_expands_in_order():
    axes = sweep.parse_axes([f"{HOURS}=60 h, 80 h,100 h"])
    points = sweep.expand_grid(axes)
    assert [p.index for p in points] == [1, 2, 3]
    assert [p.overrides for p in points] == [
        [f"{HOURS}=60 h"],
        [f"{HOURS}=80 h"],
        [f"{HOURS}=100 h"],
    ]
    assert points[1].folder == "point-2"
    assert axes[0].numbers() == ([60.0, 80.0, 100.0], "h")


def test_two_fields_give_the_cartesian_product_first_field_slowest():
    axes = sweep.parse_axes([f"{HOURS}=60 h,100 h", "returns.MS-18.policy=fixed,until-done"])
    points = sweep.expand_grid(axes)
    assert [dict(p.assignments)[HOURS] for p in points] == ["60 h", "60 h", "100 h", "100 h"]
    assert [dict(p.assignments)["returns.MS-18.policy"] for p in points] == [
        "fixed",
        "until-done",
    ] * 2
    assert axes[1].numbers() is None


def test_commas_inside_brackets_braces_and_quotes_do_not_split():
    text = "{dist: empirical, values: [0, 1], weights: [9, 1], unit: d}, [1, 2],'a,b', 0 d"
    assert sweep.split_values(text) == [
        "{dist: empirical, values: [0, 1], weights: [9, 1], unit: d}",
        "[1, 2]",
        "'a,b'",
        "0 d",
    ]
    axis = sweep.parse_axis("station.ports=[A, B],[A, B, C]")
    assert axis.values == ("[A, B]", "[A, B, C]")


@pytest.mark.parametrize(
    "options, message",
    [
        ([], "nothing to sweep"),
        ([HOURS], "expected PATH=V1,V2"),
        ([f"{HOURS}="], "no values"),
        ([f"{HOURS}=60 h,,80 h"], "value 2"),
        ([f"{HOURS}=60 h,60 h"], "more than once"),
        ([f"{HOURS}=[60 h,80 h"], "unclosed"),
        ([f"{HOURS}=60 h]"], "unbalanced"),
        ([f"{HOURS}=60 h,80 h", f"{HOURS}=90 h"], "more than once"),
        (["a=1,2", "b=1,2", "c=1,2"], "at most 2"),
    ],
)
def test_bad_grids_are_refused(options, message):
    with pytest.raises(CrewsimError, match=message):
        sweep.parse_axes(options)


def test_a_one_value_set_is_a_fixed_override_not_a_swept_field():
    axes = sweep.parse_axes(["a=1,2", "b=1,2", "c=7"])
    assert len(sweep.expand_grid(axes)) == 4


def test_answer_picks_the_largest_value_meeting_the_target():
    axes = sweep.parse_axes([f"{HOURS}=60 h,80 h,100 h"])
    table = pd.DataFrame(
        {
            HOURS: ["60 h", "80 h", "100 h"],
            "p_on_time": [0.95, 0.91, 0.5],
            "p_low": [0.93, 0.88, 0.45],
            "p_high": [0.97, 0.93, 0.55],
            "p_work_complete": [0.9, 0.8, 0.7],
            "work_p10": [0.9, 0.8, 0.7],
            "work_p50": [1.0, 1.0, 1.0],
        }
    )
    text = sweep.answer(table, axes, 0.9)
    assert "is 80 h" in text and "91.0%" in text and "more replications" in text
    assert sweep.answer(table, axes, 0.99).startswith("No swept value")


# --------------------------------------------------------------------------- end to end
@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "s"
    args = ["sweep", str(UNTIL_DONE), "--set", f"{HOURS}=60 h,140 h", "-n", "100"]
    args += ["--backend", "serial", "--out", str(out), "--seed", "7"]
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        status = main(args)
    return status, out, printed.getvalue()


def test_tiny_sweep_writes_table_plot_manifest_and_points(tiny_sweep, capsys):
    status, out, printed = tiny_sweep
    assert status == 0
    assert "P(landing on the planned day) [95% CI]" in printed
    assert (out / "sweep.png").stat().st_size > 10_000
    table = pd.read_csv(out / "sweep.csv")
    assert list(table[HOURS]) == ["60 h", "140 h"]
    assert list(table["value"]) == [60.0, 140.0]
    assert (table["n"] == 100).all()
    for col in ("p_on_time", "p_low", "p_high", "work_p10", "work_p50", "work_p90"):
        assert table[col].between(0, 1).all()
    assert (table["p_low"] <= table["p_on_time"]).all()
    assert (table["p_on_time"] <= table["p_high"]).all()
    manifest = json.loads((out / "sweep.json").read_text())
    assert manifest["status"] == "complete" and manifest["seed"] == 7
    assert manifest["answer"].startswith(("The largest", "No swept value"))
    assert manifest["answer"] in printed
    for k in (1, 2):
        m = results.load_manifest(out / f"point-{k}")
        assert (m["seed"], m["replications"]) == (7, 100)
        assert not (out / f"point-{k}" / "summary.md").exists()  # the runner writes no report


def test_points_share_random_numbers_and_more_hours_never_land_earlier(tiny_sweep):
    """Common random numbers: the launch is the same in every replication at both points, and
    with until-done a longer plan can only keep MS-18 longer."""
    _, out, _ = tiny_sweep
    a, b = results.load(out / "point-1"), results.load(out / "point-2")
    pd.testing.assert_series_equal(a["MS-19.launch_slip_d"], b["MS-19.launch_slip_d"])
    both = a["landing_delay_h"].notna() & b["landing_delay_h"].notna()
    assert (b.loc[both, "landing_delay_h"] >= a.loc[both, "landing_delay_h"] - 1e-9).all()
    assert b["landed_on_planned_day"].mean() <= a["landed_on_planned_day"].mean()


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "sets, message",
    [
        (["work.taskz.0.hours=60 h,80 h"], "point 1 (work.taskz.0.hours=60 h)"),
        ([f"{HOURS}=60 h,80,100 h"], "point 2 (work.tasks.0.hours=80)"),
        ([f"{HOURS}="], "no values"),
        (["work.tasks.3.hours=60 h,80 h"], "list index"),
    ],
)
def test_bad_input_exits_2_naming_the_point_and_runs_nothing(tmp_path, capsys, sets, message):
    out = tmp_path / "bad"
    args = ["sweep", str(UNTIL_DONE), "-n", "10", "--backend", "serial", "--out", str(out)]
    for s in sets:
        args += ["--set", s]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert not out.exists()


def test_bad_metric_target_and_scenario_exit_2(tmp_path, capsys):
    base = ["sweep", str(UNTIL_DONE), "--set", f"{HOURS}=60 h,80 h", "-n", "10"]
    base += ["--backend", "serial", "--out", str(tmp_path / "x")]
    assert main([*base, "--metric", "landing_delay_h"]) == 2
    assert "not a true/false outcome" in capsys.readouterr().err
    assert main([*base, "--metric", "nope"]) == 2
    assert "not an outcome column" in capsys.readouterr().err
    assert main([*base, "--target", "90"]) == 2
    assert "--target" in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "none.yaml"), "--set", f"{HOURS}=60 h"]) == 2
    assert "no scenario file" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


# --------------------------------------------------------------------------- resume
def _interrupting_model(after_calls: int):
    """The real model, except that the ``after_calls``-th replication raises KeyboardInterrupt
    (as Ctrl-C would) in the middle of a chunk."""
    from types import SimpleNamespace

    from sim.montecarlo.runner import default_model

    real = default_model()
    calls = {"n": 0}

    def simulate(compiled, i, seed, trace):
        calls["n"] += 1
        if calls["n"] == after_calls:
            raise KeyboardInterrupt
        return real.simulate_replication(compiled, i, seed, trace)

    return SimpleNamespace(
        load_scenario=real.load_scenario,
        compile_scenario=real.compile_scenario,
        simulate_replication=simulate,
    )


def test_an_interrupted_sweep_resumes_to_the_table_of_an_uninterrupted_one(tmp_path, capsys):
    sets = [f"{HOURS}=60 h,140 h,100 h"]
    kw = {"n": 200, "seed": 3, "backend": "serial"}
    whole = sweep.run_sweep(UNTIL_DONE, sets, out=tmp_path / "whole", **kw)
    # one replication checks the metric, point 1 runs 200, then point 2 stops in its 2nd chunk
    model = _interrupting_model(after_calls=1 + 200 + 150)
    cut = tmp_path / "cut"
    with pytest.raises(Interrupted, match=f"crewsim sweep --resume {cut}"):
        sweep.run_sweep(UNTIL_DONE, sets, out=cut, model=model, **kw)
    assert json.loads((cut / "sweep.json").read_text())["status"] == "interrupted"
    assert results.is_complete(cut / "point-1")
    assert (cut / "point-2.partial").is_dir() and not (cut / "point-3").exists()
    assert not (cut / "sweep.csv").exists()

    assert main(["sweep", "--resume", str(cut)]) == 0
    captured = capsys.readouterr()
    assert "point 1 (work.tasks.0.hours=60 h): complete before" in captured.err
    assert "point 2 (work.tasks.0.hours=140 h): 200 replications resumed" in captured.err
    assert "point 3 (work.tasks.0.hours=100 h): 200 replications run" in captured.err
    assert whole.answer in captured.out
    pd.testing.assert_frame_equal(
        pd.read_csv(cut / "sweep.csv"), pd.read_csv(tmp_path / "whole" / "sweep.csv")
    )
    for k in (1, 2, 3):
        pd.testing.assert_frame_equal(
            results.load(cut / f"point-{k}"), results.load(tmp_path / "whole" / f"point-{k}")
        )
    manifest = json.loads((cut / "sweep.json").read_text())
    assert manifest["status"] == "complete" and (cut / "sweep.png").is_file()

    assert main(["sweep", "--resume", str(cut)]) == 2
    assert "already complete" in capsys.readouterr().err


def test_resume_refuses_settings_a_folder_that_is_no_sweep_and_a_changed_scenario(tmp_path, capsys):
    assert main(["sweep", "--resume", str(tmp_path), "-n", "5"]) == 2
    assert "drop -n" in capsys.readouterr().err
    assert main(["sweep", "--resume", str(tmp_path)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"extends: {UNTIL_DONE}\n", encoding="utf-8")
    out = tmp_path / "cut"
    with pytest.raises(Interrupted):
        sweep.run_sweep(
            scenario,
            [f"{HOURS}=60 h,80 h"],
            n=100,
            out=out,
            backend="serial",
            model=_interrupting_model(after_calls=1 + 100 + 50),
        )
    scenario.write_text(f"extends: {UNTIL_DONE}\nmonte_carlo: {{seed: 99}}\n", encoding="utf-8")
    assert main(["sweep", "--resume", str(out)]) == 2
    err = capsys.readouterr().err
    assert "no longer gives the scenario of point 1" in err and "Traceback" not in err
