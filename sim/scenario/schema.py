"""The scenario format: the top-level :class:`Scenario` and its ``monte_carlo`` section.

The sections live by idea in :mod:`.vehicles` (vehicle, launch, rendezvous, docking),
:mod:`.operations` (station, relocations, crew, work, contingencies, returns, orbit) and
:mod:`.defaults`; the field types in :mod:`.fields`. All are re-exported here, so
``sim.scenario.schema`` names every model of the format. Loading and checks are in
:mod:`.loading` and :mod:`.checks`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from sim.scenario.defaults import (
    Defaults,
    DockingDefaults,
    LandingDefaults,
    LaunchDefaults,
    RendezvousDefaults,
)
from sim.scenario.fields import (
    Duration,
    Hours,
    Instant,
    PersonName,
    Probability,
    Quantity,
    VehicleName,
    _Model,
)
from sim.scenario.health import VehicleHealth
from sim.scenario.operations import (
    Contingency,
    CrewMember,
    LandingZone,
    OrbitSpec,
    Relocation,
    ReturnSpec,
    Site,
    Station,
    Task,
    Work,
)
from sim.scenario.vehicles import (
    SLIP_PRIORS,
    DockingSpec,
    HorizonSlip,
    LaunchSpec,
    RendezvousSpec,
    VehicleSpec,
)

__all__ = [
    "SLIP_PRIORS",
    "Contingency",
    "CrewMember",
    "Defaults",
    "DockingDefaults",
    "DockingSpec",
    "Duration",
    "HorizonSlip",
    "Hours",
    "Instant",
    "LandingDefaults",
    "LandingZone",
    "LaunchDefaults",
    "LaunchSpec",
    "MonteCarlo",
    "OrbitSpec",
    "Probability",
    "Quantity",
    "Relocation",
    "RendezvousDefaults",
    "RendezvousSpec",
    "ReturnSpec",
    "Scenario",
    "Site",
    "Station",
    "Task",
    "VehicleSpec",
    "Work",
    "json_schema",
    "utc",
]


class MonteCarlo(_Model):
    """How many replications and from which seed."""

    replications: int = Field(
        default=1000, ge=1, le=100_000_000, description="Number of replications."
    )
    seed: int = Field(
        default=0, ge=0, le=2**63 - 1, description="Root seed of the run's random streams."
    )
    sampling: Literal["mc", "stratified", "lhs"] = Field(
        default="lhs",
        description="How inputs drawn once per replication are sampled: lhs (Latin-hypercube "
        "blocks of all of them; the default: on the baseline 3.3x less variance in the share "
        "landing on the planned day, and a P80 that stays on its step, for about 4 % more time "
        "per replication), stratified (the slips only) or mc (independent).",
    )
    block_size: int = Field(
        default=50, ge=2, description="Replications per stratified block (stratified, lhs)."
    )
    max_events: int = Field(
        default=1_000_000,
        ge=1_000,
        le=1_000_000_000,
        description="Most simulation events one replication may process; past it the run stops "
        "with an error naming the replication (a loop or an absurd rate, not a long scenario).",
    )


class Sensitivity(_Model):
    """Alternative assumptions the headline is also computed under (the report's sensitivity
    section)."""

    priors: dict[str, str] = Field(
        min_length=1,
        description="Alternative prior files by label (paths relative to the scenario file). "
        "`crewsim run` reruns the scenario with each merged after the scenario's own `extends:` "
        "bases (its own settings still win), with the same seed and number of replications, and "
        "the report shows the headline under each.",
    )


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
    vehicles: dict[VehicleName, VehicleSpec] = Field(min_length=1)
    relocations: list[Relocation] = Field(default_factory=list)
    crew: dict[PersonName, CrewMember] = Field(default_factory=dict)
    work: Work = Field(default_factory=Work)
    contingencies: list[Contingency] = Field(default_factory=list)
    returns: dict[str, ReturnSpec] = Field(default_factory=dict)
    vehicle_health: VehicleHealth | None = Field(
        default=None, description="Vehicle failures, lifeboats, replacements, emergency returns."
    )
    sensitivity: Sensitivity | None = Field(
        default=None, description="Alternative priors the headline is also computed under."
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
