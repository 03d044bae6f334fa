"""The station side of a scenario: the station, relocations, the crew, the work plan,
contingencies, returns and landing zones, and the station's orbit."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from sim.scenario.distributions import Fixed, PoissonEvent
from sim.scenario.fields import Duration, Hours, Instant, Probability, Quantity, _Model


class Station(_Model):
    """The station: its docking ports and how many people it can hold."""

    name: str = "ISS"
    ports: list[str] = Field(min_length=1, description="Docking ports.")
    max_crew: int = Field(ge=1, le=1000, description="Most people aboard at once.")
    liner_swap: Hours = Field(
        default=2.0, ge=0, description="Crew time to move one seat liner to another vehicle."
    )
    min_crew: int = Field(
        default=0, ge=0, description="Fewest people aboard before it is a violation (0: no check)."
    )
    min_crew_until: Instant | None = Field(
        default=None,
        description="End of the period the scenario models the crew for (default: the horizon).",
    )

    @field_validator("ports")
    @classmethod
    def _unique_ports(cls, ports: list[str]) -> list[str]:
        dupes = sorted({p for p in ports if ports.count(p) > 1})
        if dupes:
            raise ValueError(f"ports must be unique; repeated: {', '.join(dupes)}")
        return ports


class Relocation(_Model):
    """A docked vehicle moved from one port to another (by its own crew)."""

    vehicle: str
    from_: str = Field(alias="from", description="Port it leaves.")
    to: str = Field(description="Port it docks at.")
    planned: Instant
    duration: Duration = Field(default=Fixed(value=40, unit="min"), description="Free flight.")
    slip: Duration = Field(default=Fixed(value=0, unit="d"), description="Slip in whole days.")
    before: str | None = Field(
        default=None, description="A vehicle whose launch waits until this relocation is done."
    )


class CrewMember(_Model):
    """One person: how they come (already `aboard` a vehicle, or flying `up` on one) and go home."""

    aboard: str | None = Field(default=None, description="Vehicle they arrived on (at the epoch).")
    up: str | None = Field(default=None, description="Vehicle they launch on.")
    returns: str = Field(description="Vehicle whose seat (and liner) takes them home.")


class Task(_Model):
    """Planned work (a scene, an experiment) needing named people together for some hours."""

    name: str
    people: list[str] = Field(min_length=1)
    hours: Hours = Field(gt=0, description="Hours of work the task needs.")
    efficiency: Quantity = Field(
        default=Fixed(value=1.0),
        description="Work done per hour spent (sampled once per replication).",
    )


class Work(_Model):
    """The visitors' work plan and the hours available each day."""

    hours_per_day: Hours = Field(default=8.0, gt=0, le=24, description="Work hours each day.")
    day_start: Hours = Field(default=6.0, ge=0, lt=24, description="UTC time the work day starts.")
    start_after_docking: Hours = Field(
        default=2.0, ge=0, description="Hatch opening and settling in before any work."
    )
    tasks: list[Task] = Field(default_factory=list, description="Done in this order.")


class Contingency(_Model):
    """A station contingency preempting planned work: random (a Poisson `rate`) or dated (`at`)."""

    name: str
    rate: PoissonEvent | None = Field(default=None, description="Arrivals (a Poisson process).")
    at: Instant | None = Field(
        default=None, description="Instead of `rate`: the one instant it happens (UTC)."
    )
    impact: Duration = Field(description="How long it takes the crew it needs.")
    crew: Literal["all"] | int | list[str] = Field(
        default="all", description="'all', a number of people, or named people."
    )
    priority: int = Field(default=1, ge=0, le=9, description="0 most urgent; work is preempted.")

    @model_validator(mode="after")
    def _rate_or_instant(self) -> Contingency:
        if (self.rate is None) == (self.at is None):
            raise ValueError("give either `rate` (random arrivals) or `at` (a dated event)")
        return self


class LandingZone(_Model):
    name: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ReturnSpec(_Model):
    """A vehicle's return: when it is planned to undock, what decides the undock, how it lands."""

    planned_undock: Instant
    policy: Literal["fixed", "until-done", "keep-visit"] = Field(
        default="fixed",
        description=(
            "fixed: the planned undock; until-done: wait for the work; keep-visit: keep the "
            "visit's planned length after a late arrival (README, Return policies)."
        ),
    )
    max_extension: Hours = Field(
        default=0.0, ge=0, description="Most an `until-done` return may slip."
    )
    latest_undock: Instant | None = Field(
        default=None, description="Hard limit (e.g. the next arrival needs the port or the seats)."
    )
    min_visit: Hours = Field(
        default=0.0,
        ge=0,
        description="keep-visit: a shorter visit is not flown (the visitors stand down).",
    )
    descent: Duration = Field(
        default=Fixed(value=202, unit="min"), description="Undock to landing."
    )
    zone: LandingZone = Field(default=LandingZone(name="SE of Dzhezkazgan", lat=47.4, lon=69.6))
    daylight: bool = Field(default=True, description="Landing must be between sunrise and sunset.")
    daylight_margin_deg: float = Field(
        default=0.0, ge=-90, le=90, description="Sun elevation needed at landing (degrees)."
    )
    weather_p: Probability = Field(
        default=0.0, description="Probability a landing day is weathered out."
    )
    opportunity_drift: Hours = Field(
        default=0.0, description="Change of the daily landing opportunity's time per day."
    )


class Site(_Model):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class OrbitSpec(_Model):
    """The station's orbit: sets the launch window drift and the landing opportunities."""

    inclination_deg: float = Field(default=51.64, gt=0, lt=180)
    altitude_km: float = Field(default=420.0, gt=100, lt=2000)
    mean_motion_rev_per_day: float | None = Field(default=None, gt=0, lt=20)
    tle: list[str] | None = Field(default=None, min_length=2, max_length=2)
    launch_site: Site = Field(default=Site(lat=45.996, lon=63.564))
    launch_offset_h: Hours = Field(default=0.0, alias="launch_offset")
    reference_launch: str | None = Field(
        default=None, description="Vehicle whose planned launch fixes the orbital plane."
    )
    cross_range_km: float = Field(default=300.0, ge=1, le=5000)
    entry_to_touchdown_h: Hours = Field(default=22 / 60, alias="entry_to_touchdown")

    @field_validator("tle")
    @classmethod
    def _readable_tle(cls, tle: list[str] | None) -> list[str] | None:
        """A TLE that the orbit code cannot read is an error here, not when the run starts."""
        if tle is None:
            return tle
        from sim.orbit.geometry import Orbit

        try:
            orbit = Orbit.from_tle(tle[0], tle[1])
        except ImportError:  # sgp4 not installed: the run will say so
            return tle
        except (ValueError, ArithmeticError) as exc:
            raise ValueError(f"not a readable two-line element set: {exc}") from None
        if not 100 < orbit.altitude_km < 2000:
            raise ValueError(f"an orbit at {orbit.altitude_km:.0f} km is not a station's orbit")
        return tle
