"""The scenario format: pydantic models, YAML loading, ``extends:``, ``--set`` overrides, checks.

This is the only module that knows the file format. ``load_scenario(path)`` returns a validated
:class:`Scenario` or raises :class:`sim.errors.ScenarioError` whose message names the file, the field
path and what was expected. Durations carry explicit units and are kept as distributions (see
:mod:`sim.scenario.distributions`); the model converts them to hours once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    WithJsonSchema,
    field_validator,
)

from sim.scenario.distributions import (
    DIST_NAMES,
    Distribution,
    Fixed,
    PoissonEvent,
    coerce_distribution,
)

if TYPE_CHECKING:  # completed by sim.scenario.health (Scenario.model_rebuild)
    from sim.scenario.health import VehicleHealth

# --------------------------------------------------------------------------------------------------
# Field types
# --------------------------------------------------------------------------------------------------

_DURATION_SCHEMA = {
    "anyOf": [
        {"type": "string", "description": "A duration with a unit: '90 min', '3.2 h', '2 d'."},
        {
            "type": "object",
            "description": "{value, unit} or a distribution {dist: "
            + "|".join(DIST_NAMES)
            + ", ..., unit: min|h|d}",
            "properties": {"dist": {"enum": DIST_NAMES}, "unit": {"enum": ["s", "min", "h", "d"]}},
        },
    ]
}


def _as_duration(value: Any) -> Any:
    try:
        return coerce_distribution(value, duration=True)
    except ValidationError as exc:
        raise ValueError(_first_error_text(exc)) from None


def _as_quantity(value: Any) -> Any:
    try:
        return coerce_distribution(value, duration=False)
    except ValidationError as exc:
        raise ValueError(_first_error_text(exc)) from None


def _as_fixed_hours(value: Any) -> float:
    dist = _as_duration(value)
    if not dist.is_fixed:
        raise ValueError("expected a fixed duration such as '8 h', not a distribution")
    return dist.value * dist.to_hours


def _as_instant(value: Any) -> Any:
    # pydantic would read a bare number as Unix seconds (``epoch: 5`` -> 1970-01-01T00:00:05Z).
    if isinstance(value, bool | int | float):
        raise ValueError(
            "expected an ISO-8601 instant with a time zone such as 2021-10-05T08:55:02Z, "
            f"got {value!r}"
        )
    return value


def _first_error_text(exc: ValidationError) -> str:
    """All problems of one distribution mapping, on one line (parameter: what was expected)."""
    parts = []
    for err in exc.errors():
        if err["type"] == "union_tag_invalid":
            return (
                f"unknown distribution {err['input'].get('dist')!r}; "
                f"expected one of {', '.join(DIST_NAMES)}"
            )
        where = ".".join(str(p) for p in err["loc"] if p not in DIST_NAMES)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown parameter"
        parts.append(f"{where}: {msg}" if where else msg)
    return "; ".join(dict.fromkeys(parts))


#: An uncertain duration (a distribution with a time unit).
Duration = Annotated[Distribution, BeforeValidator(_as_duration), WithJsonSchema(_DURATION_SCHEMA)]
#: An uncertain, unit-less quantity (a number means fixed).
Quantity = Annotated[
    Distribution,
    BeforeValidator(_as_quantity),
    WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "object"}]}),
]
#: A fixed duration, stored in hours.
Hours = Annotated[
    float,
    BeforeValidator(_as_fixed_hours),
    # Written back with its unit, so that a resolved scenario (results/.../scenario.yaml) loads again.
    PlainSerializer(lambda hours: f"{hours!r} h", return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "description": "A duration with a unit, e.g. '8 h'."}),
]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
#: An instant: ISO-8601 text with a time-zone offset (a bare number is refused, not read as Unix time).
Instant = Annotated[AwareDatetime, BeforeValidator(_as_instant)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


# --------------------------------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------------------------------


class MonteCarlo(_Model):
    """How many replications and from which seed."""

    replications: int = Field(default=1000, ge=1, description="Number of replications.")
    seed: int = Field(default=0, ge=0, description="Root seed of the run's random streams.")


class Station(_Model):
    """The station: its docking ports and how many people it can hold."""

    name: str = "ISS"
    ports: list[str] = Field(min_length=1, description="Docking ports.")
    max_crew: int = Field(ge=1, description="Most people aboard at once.")
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
        default=10, ge=1, description="Attempts before the flight is stood down."
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
        default=3, ge=1, description="Approaches before the docking is abandoned."
    )


class VehicleSpec(_Model):
    """A vehicle: either docked at the epoch (`docked_at`, `docked_since`) or launched (`launch`...)."""

    seats: int = Field(ge=0, description="Crew seats.")
    design_life: Hours = Field(default=210 * 24.0, gt=0, description="Design life docked.")
    docked_at: str | None = Field(default=None, description="Port at the epoch.")
    docked_since: Instant | None = Field(default=None, description="Docking instant.")
    crewed: bool | None = Field(
        default=None, description="Flies with crew; default: anyone flies up on it."
    )
    launch: LaunchSpec | None = None
    rendezvous: RendezvousSpec | None = None
    docking: DockingSpec | None = None


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
    """A station contingency arriving as a Poisson process and preempting planned work."""

    name: str
    rate: PoissonEvent
    impact: Duration = Field(description="How long it takes the crew it needs.")
    crew: Literal["all"] | int | list[str] = Field(
        default="all", description="'all', a number of people, or named people."
    )
    priority: int = Field(default=1, ge=0, le=9, description="0 most urgent; work is preempted.")


class LandingZone(_Model):
    name: str = ""
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class ReturnSpec(_Model):
    """A vehicle's return: when it is planned to undock, what decides the undock, how it lands."""

    planned_undock: Instant
    policy: Literal["fixed", "until-done"] = "fixed"
    max_extension: Hours = Field(
        default=0.0, ge=0, description="Most an `until-done` return may slip."
    )
    latest_undock: Instant | None = Field(
        default=None, description="Hard limit (e.g. the next arrival needs the port or the seats)."
    )
    follows_launch_of: str | None = Field(
        default=None, description="Move the planned undock by this vehicle's launch slip (days)."
    )
    descent: Duration = Field(
        default=Fixed(value=202, unit="min"), description="Undock to landing."
    )
    zone: LandingZone = Field(default=LandingZone(name="SE of Dzhezkazgan", lat=47.4, lon=69.6))
    daylight: bool = Field(default=True, description="Landing must be between sunrise and sunset.")
    daylight_margin_deg: float = Field(default=0.0, description="Sun elevation needed at landing.")
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
    mean_motion_rev_per_day: float | None = None
    tle: list[str] | None = Field(default=None, min_length=2, max_length=2)
    launch_site: Site = Field(default=Site(lat=45.996, lon=63.564))
    launch_offset_h: Hours = Field(default=0.0, alias="launch_offset")
    reference_launch: str | None = Field(
        default=None, description="Vehicle whose planned launch fixes the orbital plane."
    )
    cross_range_km: float = Field(default=300.0, gt=0)
    entry_to_touchdown_h: Hours = Field(default=22 / 60, alias="entry_to_touchdown")


class LaunchDefaults(_Model):
    slip: Duration | None = None
    slip_by_horizon: list[HorizonSlip] | Literal["us-segment"] | None = None
    window_drift: Hours | None = None
    scrub_p: Probability | None = None
    scrub_repeat_p: Probability | None = None
    scrub_turnaround: Duration | None = None
    failure_p: Probability | None = None
    max_attempts: int | None = Field(default=None, ge=1)


class RendezvousDefaults(_Model):
    fallback: str | None = None
    durations: dict[str, Duration] | None = None
    missed_burn_p: Probability | None = None


class DockingDefaults(_Model):
    auto_failure_p: Probability | None = None
    manual_extra: Duration | None = None
    retry_delay: Duration | None = None
    max_attempts: int | None = Field(default=None, ge=1)


class LandingDefaults(_Model):
    descent: Duration | None = None
    zone: LandingZone | None = None
    daylight: bool | None = None
    daylight_margin_deg: float | None = None
    weather_p: Probability | None = None
    opportunity_drift: Hours | None = None


class Defaults(_Model):
    """Fleet-wide priors applied to every launch, rendezvous, docking and return that omits them."""

    launch: LaunchDefaults | None = None
    rendezvous: RendezvousDefaults | None = None
    docking: DockingDefaults | None = None
    landing: LandingDefaults | None = None


class Scenario(_Model):
    """A crew rotation and its uncertainties."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", description="Used in result paths.")
    description: str = ""
    extends: str | list[str] | None = Field(
        default=None, description="Base scenario file(s) this one overrides (deep merge)."
    )
    epoch: Instant = Field(description="Time zero of the simulation (UTC).")
    primary_return: str | None = Field(
        default=None, description="The headline return flight; default: the first in `returns`."
    )
    monte_carlo: MonteCarlo = Field(default_factory=MonteCarlo)
    station: Station
    defaults: Defaults | None = None
    orbit: OrbitSpec | None = None
    vehicles: dict[str, VehicleSpec] = Field(min_length=1)
    relocations: list[Relocation] = Field(default_factory=list)
    crew: dict[str, CrewMember] = Field(default_factory=dict)
    work: Work = Field(default_factory=Work)
    contingencies: list[Contingency] = Field(default_factory=list)
    returns: dict[str, ReturnSpec] = Field(default_factory=dict)
    vehicle_health: VehicleHealth | None = Field(
        default=None, description="Vehicle failures, lifeboats, replacements, emergency returns."
    )

    @property
    def primary(self) -> str | None:
        """Name of the headline return flight."""
        return self.primary_return or next(iter(self.returns), None)

    def hours(self, when: datetime) -> float:
        """Hours from the epoch to ``when``."""
        return (when - self.epoch).total_seconds() / 3600.0

    def at(self, hours: float) -> datetime:
        """The instant ``hours`` after the epoch."""
        return self.epoch + timedelta(hours=hours)

    def resolved_dict(self) -> dict[str, Any]:
        """The fully resolved scenario as plain YAML-ready data (no `extends`)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        data.pop("extends", None)
        return data


def json_schema() -> dict[str, Any]:
    """JSON Schema of the scenario format (for editors)."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "crewsim scenario"
    return schema


def utc(text: str) -> datetime:
    """Parse an ISO-8601 instant; a missing offset means UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)
