"""Smoke test of the benchmark suite: ``--quick`` runs every section at a tiny size and writes a
JSON with every measure, the machine and the command line (about 30 s on 2 idle cores)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "run_benchmarks.py"

MEASURES = {
    "yardstick.simpy_timeouts_per_s",
    "serial.replications_per_s",
    "serial.scenario_sampling.replications_per_s",
    "serial.replication_cost",
    "serial.load_compile_s",
    "runner.serial.replications_per_s",
    "runner.serial.cpu_ms_per_replication",
    "runner.serial.overhead",
    "runner.serial.wall_overhead",
    "runner.processes.replications_per_s",
    "runner.processes.cpu_ms_per_replication",
    "runner.processes.efficiency",
    "runner.processes.wall_efficiency",
    "runner.dask.replications_per_s",
    "runner.dask.cpu_ms_per_replication",
    "runner.dask.efficiency",
    "runner.dask.wall_efficiency",
    "e2e.wall_s",
    "e2e.plots",
    "scale.200.wall_s",
    "scale.200.replications_per_s",
    "scale.200.peak_rss_tree",
    "scale.200.peak_pss_tree",
    "scale.1000.wall_s",
    "scale.1000.replications_per_s",
    "scale.1000.peak_rss_tree",
    "scale.1000.peak_pss_tree",
    "scale.peak_rss_ratio_largest_smallest",
    "startup.help_s",
    "startup.validate_s",
}
TARGETS = {
    "serial.replication_cost": "<= 350",
    "runner.serial.overhead": "<= 10",
    "runner.processes.efficiency": ">= 85",
    "runner.dask.efficiency": ">= 75",
    "e2e.wall_s": "< 15",
    "scale.1000.peak_rss_tree": "< 1.5",
    "startup.validate_s": "< 0.5",
}


def test_quick_benchmark_writes_every_field(tmp_path):
    env = {**os.environ, "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "measure" in proc.stdout and "target" in proc.stdout
    assert ("MISSED" in proc.stdout) or ("all targets met" in proc.stdout)

    (path,) = tmp_path.glob("*-quick.json")
    report = json.loads(path.read_text(encoding="utf-8"))
    for key in ("date", "command", "argv", "machine", "yardstick", "measures", "missed", "details"):
        assert key in report
    assert "--quick" in report["command"]
    assert report["errors"] == {}
    machine = report["machine"]
    for key in ("cores_available", "python", "numpy", "simpy", "load_average_1_5_15"):
        assert machine[key] is not None, key

    rows = {m["name"]: m for m in report["measures"]}
    assert set(rows) == MEASURES
    for name, row in rows.items():
        assert set(row) >= {"value", "unit", "normalised", "target", "status"}, name
        if not name.endswith("peak_pss_tree"):  # PSS only where the OS reports it
            assert row["value"] is not None, name
            if (
                not name.startswith("runner.serial.") or "overhead" not in name
            ):  # may be < 0 by noise
                assert row["value"] >= 0, name
    for name, target in TARGETS.items():
        assert rows[name]["target"] == target
        assert rows[name]["status"] in ("ok", "MISSED")
    assert report["missed"] == [n for n, r in rows.items() if r["status"] == "MISSED"]
    assert rows["yardstick.simpy_timeouts_per_s"]["value"] > 1_000
    assert report["details"]["e2e"]["complete"]
    cost = rows["serial.replication_cost"]["value"]
    rate = rows["serial.replications_per_s"]["value"]
    assert cost == rows["yardstick.simpy_timeouts_per_s"]["value"] / rate


def test_variance_section_reports_ratios_to_plain_monte_carlo(tmp_path):
    """The variance section on a tiny size: a ratio per sampling plan and estimate."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_measures

    res = bench_measures.variance_ratio(seeds=3, n=200, workers=1, modes=("mc", "lhs"))
    lhs = res["plans"]["lhs"]
    mc = res["plans"]["mc"]
    assert lhs["p_on_time_ratio"] == mc["p_on_time_var"] / lhs["p_on_time_var"]
    assert 0 < lhs["p_on_time_mean"] < 1 and lhs["p_on_time_mean_half_width"] > 0
    # The report's headline: the visitors' own share on the planned day is at most their
    # vehicle's (it also misses when they never flew), and their P80 is a delay in hours.
    assert 0 < lhs["headline_on_time_mean"] <= lhs["p_on_time_mean"]
    assert lhs["headline_on_time_ratio"] == mc["headline_on_time_var"] / lhs["headline_on_time_var"]
    assert all(-24 < h < 24 * 30 for h in lhs["headline_p80_values_h"])
