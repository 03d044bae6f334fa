"""Shared fixtures of the Python API tests: the baseline scenario and one small run in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "vyzov_2021.yaml"
N, SEED = 240, 5


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return BASELINE


@pytest.fixture(scope="module")
def small_run():
    """240 replications of the baseline, seed 5, in this process (traces of the first 20)."""
    import crewsim

    return crewsim.simulate(crewsim.load(BASELINE), n=N, seed=SEED, backend="serial")
