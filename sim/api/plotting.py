"""``run.plot``: the figures of a run, drawn by :mod:`sim.plots` from the run's own tables.

Every method returns a matplotlib ``Figure`` (displayed by a notebook as the cell's value, no
``%matplotlib`` needed once ``crewsim`` is imported); keyword arguments go to the plot function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from matplotlib.figure import Figure

from sim import analysis, plots

if TYPE_CHECKING:
    from sim.api.run import Run


class RunPlots:
    """The figures of one :class:`~sim.api.run.Run`."""

    def __init__(self, run: Run) -> None:
        self._run = run

    def _kw(self, **extra: Any) -> dict[str, Any]:
        return {"scenario": self._run.name, "n": self._run.n, **extra}

    def s_curve(self, column: str = "landing_actual_utc", **kw: Any) -> Figure:
        """Cumulative probability of the headline landing time, the plan and P50/P80 marked."""
        return plots.s_curve(self._run.outcomes, column=column, **self._kw(**kw))

    def histogram(self, column: str = "landing_delay_h", **kw: Any) -> Figure:
        """Histogram of a delay (share of replications per bin)."""
        return plots.delay_histogram(self._run.outcomes, column=column, **self._kw(**kw))

    def tornado(self, **kw: Any) -> Figure:
        """The sampled inputs that drive the landing delay (rank correlations)."""
        return plots.tornado(analysis.tornado(self._run.outcomes), **self._kw(**kw))

    def attribution(self, **kw: Any) -> Figure:
        """Mean hours each cause adds to the landing delay."""
        return plots.attribution_bar(analysis.attribution(self._run.outcomes), **self._kw(**kw))

    def convergence(self, column: str = "landing_delay_h", **kw: Any) -> Figure:
        """Running percentiles against the number of replications."""
        table = analysis.convergence(self._run.outcomes, column)
        return plots.convergence_plot(table, column=column, **self._kw(**kw))

    def launch(self, vehicle: str, **kw: Any) -> Figure:
        """P(``vehicle`` launched by day k after its planned date)."""
        df = self._run.outcomes
        curve = analysis.launch_probability_curve(df, vehicle)
        planned = df.get(f"{vehicle}.launch_planned_utc")
        first = planned.dropna().iloc[0] if planned is not None and planned.notna().any() else None
        return plots.launch_probability(curve, vehicle, planned=first, **self._kw(**kw))

    def _traced(self, replication: int | None) -> int:
        events = self._run.events
        traced = sorted({int(r) for r in events["replication"]}) if len(events) else []
        if not traced:
            raise analysis.AnalysisInputError(
                "this run kept no event traces (trace_sample=0); simulate with trace_sample > 0"
            )
        if replication is None:
            return traced[0]
        if replication not in traced:
            raise analysis.AnalysisInputError(
                f"replication {replication} has no event trace; traced: {traced[0]}-{traced[-1]}"
            )
        return replication

    def gantt(self, replication: int | None = None, **kw: Any) -> Figure:
        """Planned vs actual phases of one traced replication (default: the first)."""
        rep = self._traced(replication)
        df = self._run.outcomes
        row = df.loc[df["replication"] == rep].iloc[0]
        kw.setdefault("scenario", self._run.name)
        return plots.gantt(self._run.events, row, replication=rep, **kw)

    def crew_aboard(self, replication: int | None = None, **kw: Any) -> Figure:
        """People aboard the station over one traced replication against the limits."""
        rep = self._traced(replication)
        kw.setdefault("scenario", self._run.name)
        return plots.crew_aboard(self._run.events, replication=rep, **kw)
