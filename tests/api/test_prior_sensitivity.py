"""The headline under alternative priors (``sensitivity.priors``): ``crewsim run`` reruns the
scenario with each prior merged after its own bases, same seed and replications, and the report
shows one row per prior. The rows must be those of a hand-written variant that extends the same
files, and a missing prior file must stop the run before anything is written."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

import crewsim
from sim.cli import main
from sim.errors import ScenarioError
from sim.report import run_verdict
from sim.report.sensitivity import SENSITIVITY
from sim.report.verdict import verdict
from sim.scenario import load_scenario, load_scenario_data
from sim.scenario.loading import sensitivity_bases

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
N, SEED = 120, 3


def _on_day(v) -> dict[str, float]:
    return {"p": v.on_day.p, "low": v.on_day.low, "high": v.on_day.high}


def _run(*args: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(list(args))


def test_an_extra_base_merges_after_the_own_bases_and_before_the_own_settings(tmp_path):
    (tmp_path / "base.yaml").write_text("a: {x: 1, y: 1}\nb: 1\n")
    (tmp_path / "alt.yaml").write_text("a: {x: 2, z: 2}\nb: 2\n")
    (tmp_path / "s.yaml").write_text("extends: base.yaml\nb: 3\n")
    data = load_scenario_data(tmp_path / "s.yaml", also=[tmp_path / "alt.yaml"])
    assert data == {"a": {"x": 2, "y": 1, "z": 2}, "b": 3}  # alt over base; own setting wins
    assert load_scenario_data(tmp_path / "s.yaml") == {"a": {"x": 1, "y": 1}, "b": 3}


def test_the_baseline_names_its_alternative_prior():
    baseline = SCENARIOS / "vyzov_2021.yaml"
    bases = sensitivity_bases(baseline, load_scenario(baseline))
    assert bases == {"all flights": SCENARIOS / "priors" / "soyuz_ms_all_flights.yaml"}


def test_a_missing_prior_file_stops_the_run_up_front(tmp_path):
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    variant = tmp_path / "scenarios" / "variant.yaml"
    variant.write_text(
        "extends: vyzov_2021.yaml\nname: variant\nsensitivity:\n  priors:\n    gone: priors/gone.yaml\n"
    )
    with pytest.raises(
        ScenarioError, match=r"sensitivity\.priors\.gone: no such file 'priors/gone"
    ):
        sensitivity_bases(variant, load_scenario(variant))
    out = tmp_path / "out"
    status = _run("run", str(variant), "-n", "10", "--backend", "serial", "--out", str(out))
    assert status == 2 and not out.exists() and not list(tmp_path.glob("**/*.partial"))
    # Without the report there are no reruns, so the missing file does not matter.
    args = ["run", str(variant), "-n", "10", "--backend", "serial", "--quiet", "--no-report"]
    assert _run(*args, "--out", str(out)) == 0


@pytest.fixture(scope="module")
def run_with_sensitivity(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sens") / "run"
    args = ["run", str(SCENARIOS / "vyzov_2021.yaml"), "-n", str(N), "--seed", str(SEED)]
    assert _run(*args, "--backend", "serial", "--quiet", "--out", str(out)) == 0
    return out


def test_each_row_is_the_run_of_a_variant_extending_the_same_files(run_with_sensitivity, tmp_path):
    data = json.loads((run_with_sensitivity / SENSITIVITY).read_text())
    assert (data["replications"], data["seed"]) == (N, SEED)
    own, alt = data["rows"]
    assert own["baseline"] and own["priors"] == ["priors/soyuz_ms.yaml"]
    assert alt["label"] == "all flights" and not alt["baseline"]

    # The scenario's own row is the run itself.
    assert own["on_day"] == pytest.approx(_on_day(run_verdict(run_with_sensitivity)))

    # The alternative row is a variant that extends the baseline and the alternative prior.
    variant = SCENARIOS / "_variant_all_flights_test.yaml"
    try:
        variant.write_text(
            "name: vyzov-2021\nextends: [vyzov_2021.yaml, priors/soyuz_ms_all_flights.yaml]\n"
        )
        by_hand = crewsim.simulate(variant, n=N, seed=SEED, backend="serial", trace_sample=0)
    finally:
        variant.unlink()
    v = verdict(by_hand.outcomes, by_hand.manifest, by_hand.scenario.model.resolved_dict())
    assert alt["on_day"] == pytest.approx(_on_day(v))
    not_flown = (by_hand.outcomes["outcome"] == "visit-not-flown").mean()
    assert alt["not_flown"]["p"] == pytest.approx(not_flown)
    assert alt["quantiles"]["P80"]["when"] == v.quantile("P80").when.isoformat()
    # The debut flights' 13- and 26-day slips are in the alternative only: it must differ.
    assert alt["not_flown"]["p"] > own["not_flown"]["p"]


def test_the_report_shows_a_row_per_prior(run_with_sensitivity):
    text = (run_with_sensitivity / "summary.md").read_text()
    section = text.split("## How the answer depends on the priors", 1)[1].split("\n## ", 1)[0]
    assert "| the scenario's own" in section and "| all flights" in section
    assert "`priors/soyuz_ms_all_flights.yaml`" in section
    assert "percentage points apart" in section


def test_no_section_without_alternatives(tmp_path):
    out = tmp_path / "run"
    args = ["run", str(SCENARIOS / "vyzov_2021.yaml"), "-n", "20", "--backend", "serial"]
    assert _run(*args, "--quiet", "--no-sensitivity", "--out", str(out)) == 0
    assert not (out / SENSITIVITY).exists()
    assert "depends on the priors" not in (out / "summary.md").read_text()
