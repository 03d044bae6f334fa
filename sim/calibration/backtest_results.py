"""What a backtest produces: per flight and metric a :class:`MetricResult`, per flight a
:class:`FlightBacktest`, per metric a :class:`MetricSummary`, and the whole :class:`Backtest`.

Every score has two references: the plan (``naive``: the plan as a point forecast, or "all goes
to plan" for an event) and climatology (``clim``: what the training flights did, ignoring the plan).
Skill against a reference is ``1 - mean score / mean reference score``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sim.calibration import scoring

#: Metric name -> (description, unit, kind: "ensemble" or "event").
METRICS: dict[str, tuple[str, str, str]] = {
    "slip_d": ("launch slip vs plan a month ahead", "d", "ensemble"),
    "launch_to_dock_h": ("launch to docking", "h", "ensemble"),
    "fallback": ("fallback scheme flown", "", "event"),
    "manual_docking": ("manual docking", "", "event"),
    "landed_on_planned_day": ("landed on the planned day", "", "event"),
}
#: Central interval levels whose coverage is counted.
LEVELS = (0.5, 0.8, 0.9)
#: Forecast quantiles kept per flight (the ends of the central intervals and the median).
QUANTILES = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95)


@dataclass
class MetricResult:
    """One flight's forecast of one metric and its scores (``entered=False``: not scored, see
    ``note``)."""

    flight: str
    metric: str
    entered: bool
    note: str = ""
    observed: float | None = None
    naive: float | None = None  # the plan as a point (ensemble) or the naive probability
    replications: int = 0  # replications the forecast is made of
    mean: float | None = None
    probability: float | None = None
    q05: float | None = None
    q10: float | None = None
    q25: float | None = None
    median: float | None = None
    q75: float | None = None
    q90: float | None = None
    q95: float | None = None
    pit: float | None = None  # randomised PIT
    in_50: bool | None = None
    in_80: bool | None = None
    in_90: bool | None = None
    score: float | None = None  # CRPS (unit of the metric) or Brier
    naive_score: float | None = None
    clim: float | None = None  # climatology probability (events) or median (ensembles)
    clim_n: int = 0  # training flights behind the climatology
    clim_score: float | None = None

    @property
    def skill(self) -> float | None:
        """Skill against the plan."""
        if self.score is None or not self.naive_score:
            return None
        return 1.0 - self.score / self.naive_score

    @property
    def skill_clim(self) -> float | None:
        """Skill against climatology."""
        if self.score is None or not self.clim_score:
            return None
        return 1.0 - self.score / self.clim_score

    def width(self, level: float) -> float | None:
        """Width of the central ``level`` interval (ensembles)."""
        ends = {0.5: (self.q25, self.q75), 0.8: (self.q10, self.q90), 0.9: (self.q05, self.q95)}
        lo, hi = ends[level]
        return None if lo is None or hi is None else hi - lo


@dataclass
class FlightBacktest:
    """One flight: whether it was forecast, from which plan, why not, and its metrics."""

    flight: str
    status: str  # "backtested" | "not backtested"
    reason: str = ""
    cannot_handle: str = ""  # sim.calibration.flights' reason the model cannot replay it
    mode: str = ""  # "month" (plan a month ahead) or "launch-day"
    plan: dict[str, Any] = field(default_factory=dict)
    training_flights: int = 0
    metrics: list[MetricResult] = field(default_factory=list)

    @property
    def entered(self) -> list[str]:
        return [m.metric for m in self.metrics if m.entered]


@dataclass
class MetricSummary:
    """A metric over all flights entered: mean scores, skill against both references, coverage
    of the central intervals (with Wilson intervals), PIT values and interval widths."""

    metric: str
    n: int
    mean_score: float | None
    mean_naive: float | None
    skill: float | None  # against the plan
    skill_note: str = ""
    n_clim: int = 0  # flights entered with a climatology (training flights with the metric)
    mean_score_clim_flights: float | None = None  # the model's mean score over those flights
    mean_clim: float | None = None
    skill_clim: float | None = None
    coverage: dict[str, scoring.Coverage] = field(default_factory=dict)
    pit: list[float] = field(default_factory=list)
    widths: dict[str, list[float]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "coverage"}
        out["coverage"] = {k: c.as_dict() for k, c in self.coverage.items()}
        return out


@dataclass
class Backtest:
    """A whole backtest: per flight, per metric summaries, and how it was made."""

    flights: list[FlightBacktest]
    summary: dict[str, MetricSummary]
    n: int
    seed: int
    training: str

    def results(self) -> list[MetricResult]:
        return [m for f in self.flights for m in f.metrics]
