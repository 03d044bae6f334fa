"""Speed changes keep every shipped scenario's results byte for byte (``golden_runs.py``)."""

from __future__ import annotations

import pytest
from golden_runs import FILES, GOLDEN, run_golden, shipped_scenarios


@pytest.mark.parametrize("scenario", shipped_scenarios(), ids=lambda p: p.stem)
def test_results_match_the_golden_files_byte_for_byte(scenario, tmp_path):
    golden = GOLDEN / scenario.stem
    assert golden.is_dir(), (
        f"no golden files for {scenario.name}; create them with "
        f"`.venv/bin/python tests/montecarlo/golden_runs.py {scenario.stem}`"
    )
    run_dir = run_golden(scenario, tmp_path / "run")
    for name in FILES:
        got = (run_dir / name).read_bytes()
        want = (golden / name).read_bytes()
        if got != want:
            import pandas as pd

            new, old = pd.read_parquet(run_dir / name), pd.read_parquet(golden / name)
            differing = [c for c in old.columns if c not in new or not new[c].equals(old[c])]
            pytest.fail(
                f"{scenario.name}: {name} differs from the golden file (columns {differing[:8]}"
                f"{'...' if len(differing) > 8 else ''}; shape {new.shape} vs {old.shape}). If the "
                "model's behaviour changed on purpose, regenerate with "
                f"`.venv/bin/python tests/montecarlo/golden_runs.py {scenario.stem}`"
            )
