"""A Monte Carlo run as one object: ``crewsim.simulate`` makes it in memory, ``crewsim.open`` reads it
from a results folder, ``Run.save`` writes one. Either way it answers the same questions.

The outcome table (:attr:`Run.outcomes`) has one row per replication, dates as UTC timestamps, the
same columns and values as ``outcomes.parquet`` of ``crewsim run`` with the same scenario and seed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim import analysis
from sim.api.execution import simulate_in_memory
from sim.api.plotting import RunPlots
from sim.api.scenario import Scenario, load
from sim.errors import CrewsimError, RuntimeFault
from sim.montecarlo import results
from sim.montecarlo.planning import DEFAULT_TRACE_SAMPLE, versions
from sim.report.summary import load_run


class Run:
    """Outcomes of a scenario's replications, with the statistics and figures of a run.

    ``outcomes`` (DataFrame, one row per replication), ``events`` (traced replications),
    ``manifest`` (dict: seed, replications, versions, ...), ``scenario`` (a :class:`Scenario`),
    ``path`` (the results folder, or None while only in memory). Figures: ``run.plot.s_curve()``,
    ``.histogram()``, ``.tornado()``, ``.attribution()``, ``.gantt(i)``, ``.crew_aboard(i)``.
    """

    def __init__(
        self,
        outcomes: pd.DataFrame,
        events: pd.DataFrame,
        manifest: dict[str, Any],
        scenario: Scenario,
        path: Path | None = None,
        tables: tuple[Any, Any] | None = None,
    ) -> None:
        self.outcomes = outcomes
        self.events = events
        self.manifest = manifest
        self.scenario = scenario
        self.path = path
        self._tables = tables  # the Arrow tables of an in-memory run, written as they are by save()

    # ------------------------------------------------------------------ facts
    @property
    def name(self) -> str:
        """The scenario's name."""
        return str(self.manifest.get("scenario", self.scenario.name))

    @property
    def n(self) -> int:
        """Number of replications."""
        return len(self.outcomes)

    @property
    def seed(self) -> int:
        return int(self.manifest["seed"])

    @property
    def primary(self) -> str | None:
        """The headline return flight (the unprefixed outcome columns are its)."""
        return analysis.primary_flight(self.manifest)

    # ------------------------------------------------------------------ statistics
    def percentiles(
        self,
        column: str = "landing_delay_h",
        qs: Sequence[float] = analysis.DEFAULT_QS,
        ci: float = 0.95,
    ) -> pd.DataFrame:
        """Percentiles of ``column`` with order-statistic confidence intervals
        (columns ``q, label, value, ci_low, ci_high, n``; dates stay dates)."""
        return analysis.percentiles(self.outcomes, column, qs=qs, ci=ci)

    def p_on_time(self, column: str = "landed_on_planned_day", ci: float = 0.95) -> Any:
        """P(the headline flight lands on its planned day), with its Wilson interval."""
        return analysis.p_on_time(self.outcomes, column, ci=ci)

    def probability(self, condition: Any, ci: float = 0.95) -> Any:
        """P(condition): a true/false column name, a boolean Series, or ``df -> booleans``."""
        return analysis.probability(self.outcomes, condition, ci=ci)

    def p_within(self, column: str, threshold: Any, ci: float = 0.95) -> Any:
        """P(column <= threshold): a delay within hours, or a date by a given instant."""
        return analysis.p_within(self.outcomes, column, threshold, ci=ci)

    def summary(self, ci: float = 0.95) -> pd.DataFrame:
        """The headline numbers (``flight, metric, value, ci_low, ci_high, unit``): landing delay
        P50/P70/P80 and P(on the planned day) per return flight, P(work plan complete), work done."""
        return analysis.headline(self.outcomes, self.manifest, ci=ci)

    def tornado(self) -> pd.DataFrame:
        """Rank correlation of each sampled input with the landing delay, strongest first."""
        return analysis.tornado(self.outcomes)

    def attribution(self) -> pd.DataFrame:
        """The landing delay split by cause (mean hours, share, criticality)."""
        return analysis.attribution(self.outcomes)

    def compare(self, other: Run, metric: str = "landing_delay_h") -> Any:
        """``other`` against this run on ``metric`` (B - A), paired by replication when the two
        runs share seed and replications."""
        return compare(self, other, metric)

    def where(self, condition: Any) -> Run:
        """The replications meeting ``condition`` (a boolean column name, a boolean Series aligned
        with ``outcomes``, or ``df -> booleans``) as a Run, e.g. ``run.where(run.outcomes[
        "MS-19.launch_slip_d"] == 0).p_on_time()`` for a probability given an on-time launch."""
        df = self.outcomes
        if isinstance(condition, str):
            mask = df[condition]
        elif callable(condition):
            mask = condition(df)
        else:
            mask = condition
        mask = pd.Series(mask, index=df.index).fillna(False).astype(bool)
        kept = df[mask].reset_index(drop=True)
        events = self.events[self.events["replication"].isin(kept["replication"])]
        return Run(kept, events.reset_index(drop=True), dict(self.manifest), self.scenario, None)

    @property
    def plot(self) -> RunPlots:
        """Figures of this run: ``run.plot.s_curve()``, ``.histogram()``, ``.tornado()``, ..."""
        return RunPlots(self)

    # ------------------------------------------------------------------ saving
    def save(self, out: str | os.PathLike[str]) -> Path:
        """Write this run as a results folder ``out`` (it must not exist), the same layout as
        ``crewsim run`` writes, so ``crewsim report``, ``compare`` and ``crewsim.open`` read it."""
        final = Path(out)
        partial = results.partial_path(final)
        for path in (final, partial):
            if path.exists():
                raise CrewsimError(f"results folder {path} already exists; choose another folder")
        try:
            partial.mkdir(parents=True)
        except OSError as exc:
            raise CrewsimError(f"cannot create the results folder {partial}: {exc}") from None
        try:
            outcomes, events = self._tables or (
                _arrow(self.outcomes),
                _arrow(self.events),
            )
            results.write_table_atomic(partial / results.OUTCOMES, outcomes)
            results.write_table_atomic(partial / results.EVENTS, events)
            results.write_text_atomic(partial / results.SCENARIO, self.scenario.to_yaml())
            manifest = {**self.manifest, "run_id": final.name, "status": "complete"}
            results.write_json_atomic(partial / results.MANIFEST, manifest)
            os.replace(partial, final)
        except BaseException as exc:
            shutil.rmtree(partial, ignore_errors=True)
            if isinstance(exc, OSError):
                raise RuntimeFault(f"cannot write the results folder {final}: {exc}") from exc
            raise
        self.manifest, self.path = manifest, final
        return final

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        where = str(self.path) if self.path else "in memory"
        p = self.p_on_time() if "landed_on_planned_day" in self.outcomes else None
        head = f"P(on the planned day) {p.p:.1%} [{p.low:.1%}, {p.high:.1%}]" if p else ""
        return (
            f"<crewsim.Run {self.name}: {self.n:,} replications, seed {self.seed}, {where}; {head}>"
        )

    def _repr_html_(self) -> str:
        from sim.api.display import run_html

        return run_html(self)


def _arrow(df: pd.DataFrame) -> Any:
    import pyarrow as pa

    return pa.Table.from_pandas(df, preserve_index=False)


def simulate(
    scenario: Scenario | str | os.PathLike[str],
    n: int | None = None,
    seed: int | None = None,
    *,
    backend: str = "auto",
    workers: int | None = None,
    trace_sample: int = DEFAULT_TRACE_SAMPLE,
    progress: bool = False,
) -> Run:
    """Run ``n`` replications of ``scenario`` with ``seed`` in memory and return the :class:`Run`.

    ``n`` and ``seed`` default to the scenario's ``monte_carlo`` settings. ``backend``: ``auto``
    (this process below 2,000 replications, else local worker processes), ``serial``,
    ``processes`` or ``dask``; the rows are the same on every backend. Nothing is written; call
    ``run.save(folder)`` to keep it. Works from notebooks, scripts (with or without a
    ``__main__`` guard) and stdin.
    """
    from sim.montecarlo.planning import resolved_yaml

    if not isinstance(scenario, Scenario):
        scenario = load(scenario)
    mc = scenario.model.monte_carlo
    n = int(n if n is not None else mc.replications)
    seed = int(seed if seed is not None else mc.seed)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, unit="rep", desc=scenario.name)
    try:
        done = simulate_in_memory(
            scenario.model,
            n,
            seed,
            backend=backend,
            workers=workers,
            trace_sample=trace_sample,
            progress=(lambda k: bar.update(k - bar.n)) if bar else None,
        )
    finally:
        if bar:
            bar.close()
    resolved = resolved_yaml(scenario.model)
    manifest = {
        **versions(),
        "run_id": None,
        "scenario": scenario.name,
        "scenario_path": str(scenario.source),
        "overrides": list(scenario.changes),
        "primary_return": scenario.model.primary,
        "epoch": scenario.model.epoch.isoformat(),
        "seed": seed,
        "replications": n,
        "replications_requested": n,
        "backend": done.backend,
        "workers": done.workers,
        "chunk_size": done.chunk_size,
        "trace_sample": min(trace_sample, n),
        "wall_time_s": done.wall_time_s,
        "replications_computed": n,
        "input_hash": results.input_hash(resolved),
        "command": f"crewsim.simulate({scenario.name!r}, n={n}, seed={seed})",
        "started_utc": started,
        "finished_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "status": "in memory",
    }
    outcomes = done.outcomes.to_pandas()
    events = done.events.to_pandas()
    return Run(outcomes, events, manifest, scenario, None, (done.outcomes, done.events))


def open_run(path: str | os.PathLike[str]) -> Run:
    """The :class:`Run` of a complete results folder (``crewsim run`` or ``Run.save``)."""
    folder = results.final_path(Path(path))
    if not results.is_complete(folder):
        raise CrewsimError(f"{path} is not a complete results folder (no complete manifest.json)")
    outcomes, manifest, events = load_run(folder)
    scenario = load(folder / results.SCENARIO)
    return Run(outcomes, events, manifest, scenario, folder)


def compare(a: Run, b: Run, metric: str = "landing_delay_h") -> Any:
    """Run ``b`` against run ``a`` on ``metric`` (``sim.analysis.compare``; B - A)."""
    return analysis.compare(a.outcomes, b.outcomes, metric=metric)
