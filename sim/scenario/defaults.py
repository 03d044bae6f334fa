"""The ``defaults:`` section: fleet-wide priors that fill every launch, rendezvous, docking and
return that omits them (applied to the raw data by :mod:`.loading`, before validation)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.scenario.fields import Duration, Hours, Probability, _Model
from sim.scenario.operations import LandingZone
from sim.scenario.vehicles import HorizonSlip


class LaunchDefaults(_Model):
    slip: Duration | None = None
    slip_by_horizon: list[HorizonSlip] | Literal["us-segment"] | None = None
    window_drift: Hours | None = None
    scrub_p: Probability | None = None
    scrub_repeat_p: Probability | None = None
    scrub_turnaround: Duration | None = None
    failure_p: Probability | None = None
    max_attempts: int | None = Field(default=None, ge=1, le=1000)


class RendezvousDefaults(_Model):
    fallback: str | None = None
    durations: dict[str, Duration] | None = None
    missed_burn_p: Probability | None = None


class DockingDefaults(_Model):
    auto_failure_p: Probability | None = None
    manual_extra: Duration | None = None
    retry_delay: Duration | None = None
    max_attempts: int | None = Field(default=None, ge=1, le=100)


class LandingDefaults(_Model):
    descent: Duration | None = None
    zone: LandingZone | None = None
    daylight: bool | None = None
    daylight_margin_deg: float | None = Field(default=None, ge=-90, le=90)
    weather_p: Probability | None = None
    opportunity_drift: Hours | None = None


class Defaults(_Model):
    """Fleet-wide priors applied to every launch, rendezvous, docking and return that omits them."""

    launch: LaunchDefaults | None = None
    rendezvous: RendezvousDefaults | None = None
    docking: DockingDefaults | None = None
    landing: LandingDefaults | None = None
