"""The vehicle sections of a scenario: a vehicle, its launch campaign (with named slip priors by
planning horizon), its rendezvous schemes and its docking."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from sim.scenario.distributions import Fixed
from sim.scenario.fields import Duration, Hours, Instant, Probability, _Model


class HorizonSlip(_Model):
    """The slip distribution of plans made at most `max_days` before the planned launch."""

    max_days: float = Field(gt=0, description="Planning horizon this entry covers (days).")
    slip: Duration


#: Named launch-slip priors by planning horizon. Gardner & Grogan's fits for 20 US-segment ISS
#: flights 2012-2017 (ISS flight-planning reports): P(on time), then a Weibull for positive slips.
SLIP_PRIORS: dict[str, list[dict[str, Any]]] = {
    "us-segment": [
        {
            "max_days": 90,
            "slip": {
                "dist": "zero_inflated_weibull",
                "p_zero": 0.143,
                "shape": 1.02,
                "scale": 26.5,
                "unit": "d",
            },
        },
        {
            "max_days": 180,
            "slip": {
                "dist": "zero_inflated_weibull",
                "p_zero": 0.077,
                "shape": 0.81,
                "scale": 92.6,
                "unit": "d",
            },
        },
        {
            "max_days": 360,
            "slip": {
                "dist": "zero_inflated_weibull",
                "p_zero": 0.0,
                "shape": 1.04,
                "scale": 172.9,
                "unit": "d",
            },
        },
    ]
}


class LaunchSpec(_Model):
    """A vehicle's launch campaign."""

    planned: Instant = Field(description="Planned launch instant (UTC).")
    plan_date: Instant | None = Field(
        default=None,
        description="When the plan was made; with `slip_by_horizon` it picks the slip distribution.",
    )
    slip_by_horizon: list[HorizonSlip] | Literal["us-segment"] | None = Field(
        default=None,
        description="Slip distributions by planning horizon (ascending max_days), or a named prior.",
    )
    slip: Duration = Field(
        default=Fixed(value=0, unit="d"),
        description="Slip of the launch day in the last month (rounded to whole days).",
    )
    window_drift: Hours = Field(
        default=0.0, description="Change of the launch window's time of day per day of slip."
    )
    scrub_p: Probability = Field(default=0.0, description="Probability a launch attempt scrubs.")
    scrub_repeat_p: Probability | None = Field(
        default=None,
        description="Scrub probability of the attempt after a scrub (shared causes such as "
        "weather); default: scrub_p.",
    )
    scrub_turnaround: Duration = Field(
        default=Fixed(value=1, unit="d"),
        description="Time to the next attempt after a scrub (rounded up to whole days).",
    )
    failure_p: Probability = Field(default=0.0, description="Probability of a launch failure.")
    max_attempts: int = Field(
        default=10, ge=1, le=1000, description="Attempts before the flight is stood down."
    )

    def effective_slip(self) -> Any:
        """The slip distribution in force: by planning horizon when `plan_date` is given."""
        if self.plan_date is None or self.slip_by_horizon is None:
            return self.slip
        table = self.slip_by_horizon
        if isinstance(table, str):
            table = [HorizonSlip.model_validate(e) for e in SLIP_PRIORS[table]]
        horizon = (self.planned - self.plan_date).total_seconds() / 86400
        for entry in sorted(table, key=lambda e: e.max_days):
            if horizon <= entry.max_days:
                return entry.slip
        return max(table, key=lambda e: e.max_days).slip


class RendezvousSpec(_Model):
    """Rendezvous schemes and their launch-to-docking durations."""

    scheme: str = Field(description="Planned scheme, a key of `durations`.")
    fallback: str = Field(default="34-orbit", description="Scheme flown after any slip.")
    durations: dict[str, Duration] = Field(description="Launch-to-docking duration per scheme.")
    missed_burn_p: Probability = Field(
        default=0.0, description="Probability an in-flight problem reverts to the fallback."
    )


class DockingSpec(_Model):
    """Docking: target port, automatic-docking failures, manual docking, retries."""

    port: str = Field(description="Target docking port.")
    planned: Instant | None = Field(
        default=None, description="Planned docking instant; default launch + median duration."
    )
    auto_failure_p: Probability = Field(
        default=0.0, description="Probability the automatic (Kurs) docking fails."
    )
    manual_extra: Duration = Field(
        default=Fixed(value=10, unit="min"),
        description="Extra time of a manual docking (crewed vehicles).",
    )
    retry_delay: Duration = Field(
        default=Fixed(value=3, unit="d"),
        description="Back-off before an uncrewed vehicle's next approach.",
    )
    max_attempts: int = Field(
        default=3, ge=1, le=100, description="Approaches before the docking is abandoned."
    )


class VehicleSpec(_Model):
    """A vehicle: either docked at the epoch (`docked_at`, `docked_since`) or launched (`launch`...)."""

    seats: int = Field(ge=0, le=100, description="Crew seats.")
    design_life: Hours = Field(default=210 * 24.0, gt=0, description="Design life docked.")
    docked_at: str | None = Field(default=None, description="Port at the epoch.")
    docked_since: Instant | None = Field(default=None, description="Docking instant.")
    crewed: bool | None = Field(
        default=None, description="Flies with crew; default: anyone flies up on it."
    )
    launch: LaunchSpec | None = None
    rendezvous: RendezvousSpec | None = None
    docking: DockingSpec | None = None
