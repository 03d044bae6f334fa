"""The verdict of a run in plain words: who lands when, how often the plan holds, what it costs the
visit, as a handful of sentences (the top of ``summary.md`` and the ``crewsim run`` printout) and
the numbers behind them.

Whole-day quantities are given in days and dates; a percentile's interval is an exact order-
statistic interval, and where it collapses onto a value that many replications share (a landing
at exactly the planned time, a slip of whole days) the text says so instead of implying precision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim import analysis
from sim.model.outcome import VISIT_CUT_TOLERANCE_H

#: Percentiles of the headline landing shown everywhere.
LANDING_QS = (0.1, 0.5, 0.8, 0.9)
#: How the report says "cut" (the model's tolerance, sim.model.outcome.VISIT_CUT_TOLERANCE_H).
CUT_WORDS = f"by more than {VISIT_CUT_TOLERANCE_H:g} h"
#: A value held by at least this share of replications is an atom of the distribution.
ATOM_SHARE = 0.02


@dataclass(frozen=True)
class Quantile:
    """One percentile of the landing: the date, the delay in days and their 95 % intervals."""

    label: str
    q: float
    when: pd.Timestamp
    when_low: pd.Timestamp
    when_high: pd.Timestamp
    delay_d: float
    delay_low_d: float
    delay_high_d: float
    atom_share: float  # share of replications whose delay equals this percentile's delay

    @property
    def is_point(self) -> bool:
        """True when the interval collapsed to the estimate (a discrete value)."""
        return self.when_low == self.when == self.when_high


@dataclass
class Verdict:
    """The headline facts of a run, and :meth:`sentences` that say them."""

    flight: str
    people: list[str]
    n: int
    planned: pd.Timestamp | None
    on_day: analysis.Proportion | None
    quantiles: list[Quantile] = field(default_factory=list)
    visit_planned_d: float | None = None
    visit_cut: analysis.Proportion | None = None
    not_flown: analysis.Proportion | None = None
    work_complete: analysis.Proportion | None = None
    no_landing: float = 0.0
    violated: analysis.Proportion | None = None
    #: Share of replications whose outcome is ``as-planned``: the visitors home on their planned
    #: vehicle on the planned day with the work plan done (None without an outcome column).
    as_planned: analysis.Proportion | None = None
    #: True when the percentiles are those of the visitors' own landing, over the replications in
    #: which they flew; False when they are the headline vehicle's landing.
    of_people: bool = False

    def who(self) -> str:
        if not self.people:
            return f"the crew of {self.flight}"
        names = self.people
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        return joined

    def quantile(self, label: str) -> Quantile | None:
        return next((q for q in self.quantiles if q.label == label), None)

    def sentences(self) -> list[str]:
        """Five to eight sentences, most important first."""
        out = []
        if self.on_day is not None and self.planned is not None:
            first = (
                f"{pct(self.on_day.p)} chance (95 % CI {pct(self.on_day.low)[:-2]}-"
                f"{pct(self.on_day.high)}) that {self.who()} land on {self.flight} on the "
                f"planned day, {day(self.planned)}"
            )
            if self.as_planned is not None and self.people:
                first += (
                    f"; {pct(self.as_planned.p)} ({pct(self.as_planned.low)[:-2]}-"
                    f"{pct(self.as_planned.high)}) that they do so with the work plan complete"
                )
            out.append(first + ".")
        tail = []
        for label, odds, words in (("P80", "1 in 5", "on or after"), ("P90", "1 in 10", "after")):
            q = self.quantile(label)
            if q is None or self.planned is None:
                continue
            if q.delay_d <= 0.5 / 24:
                tail.append(f"even the {label} landing is on the planned day")
            elif not tail:
                subject = f"{self.who()} land" if self.of_people else f"{self.flight} lands"
                tail.append(
                    f"{odds} chance that {subject} on or after {day(q.when)} "
                    f"({days(q.delay_d)} late)"
                )
            else:
                tail.append(f"{odds} {words} {day(q.when)} ({days(q.delay_d)} late)")
        if tail:
            text = "; ".join(tail)
            if self.of_people and self.not_flown is not None and self.not_flown.successes:
                text += ", if they fly"
            out.append(text[0].upper() + text[1:] + ".")
        if self.visit_cut is not None and self.visit_planned_d:
            planned = f"the planned {self.visit_planned_d:.1f} days"
            out.append(
                f"The visit is cut {CUT_WORDS} below {planned} in {pct(self.visit_cut.p)} of "
                "replications."
                if self.visit_cut.successes
                else f"The visit is never cut {CUT_WORDS} below {planned}."
            )
        if self.work_complete is not None:
            out.append(f"The work plan is completed in {pct(self.work_complete.p)}.")
        if self.not_flown is not None and self.not_flown.successes > 0:
            out.append(
                f"In {pct(self.not_flown.p)} the visitors never reach the station (the outcome "
                "mix below says why)."
            )
        if self.violated is not None and self.violated.successes > 0:
            out.append(f"A hard constraint is violated in {pct(self.violated.p)} of replications.")
        if self.no_landing > 0:
            out.append(f"{pct(self.no_landing)} do not land within the simulated horizon.")
        return out


# --------------------------------------------------------------------------------------------
# Formatting in plain words
# --------------------------------------------------------------------------------------------


def pct(p: float) -> str:
    """0.7312 -> "73 %"; below 1 % two significant digits ("0.4 %", "0.01 %"), so a rare event
    never reads as 0 %; above 99 % one decimal."""
    if p != p:  # NaN
        return "-"
    v = 100 * p
    if 0 < v < 1:
        return f"{v:.2g} %"
    return f"{v:.1f} %" if 99 < v < 100 else f"{v:.0f} %"


def day(ts: pd.Timestamp) -> str:
    """A calendar day: "Sun 17 Oct 2021"."""
    return pd.Timestamp(ts).strftime("%a %d %b %Y")


def stamp(ts: pd.Timestamp) -> str:
    """A date and UTC time: "17 Oct 04:37"."""
    return pd.Timestamp(ts).strftime("%d %b %H:%M")


def days(d: float) -> str:
    """A whole or fractional number of days: "4 days", "0.2 days", "1 day"."""
    if abs(d - round(d)) < 0.05:
        n = int(round(d))
        return f"{n} day" if n == 1 else f"{n} days"
    return f"{d:.1f} days"


# --------------------------------------------------------------------------------------------
# The numbers
# --------------------------------------------------------------------------------------------


def visitors(scenario: Mapping[str, Any] | None, flight: str) -> list[str]:
    """People who fly up during the scenario and come home on ``flight`` (the headline return)."""
    if not scenario:
        return []
    crew = scenario.get("crew") or {}
    return [
        name
        for name, spec in crew.items()
        if isinstance(spec, Mapping) and spec.get("up") and spec.get("returns") == flight
    ]


def up_vehicle(scenario: Mapping[str, Any] | None, people: Sequence[str]) -> str | None:
    """The vehicle the given people fly up on (the first one named)."""
    crew = (scenario or {}).get("crew") or {}
    for name in people:
        up = (crew.get(name) or {}).get("up")
        if up:
            return str(up)
    return None


def _utc(ts: Any) -> pd.Timestamp:
    t = pd.Timestamp(ts)
    return t.tz_convert("UTC") if t.tzinfo else t.tz_localize("UTC")


def landing_quantiles(df: pd.DataFrame) -> list[Quantile]:
    """P10/P50/P80/P90 of the headline landing as dates and as delays in days, with intervals."""
    when = analysis.percentiles(df, "landing_actual_utc", qs=LANDING_QS, estimator="inverted_cdf")
    delay = analysis.percentiles(df, "landing_delay_h", qs=LANDING_QS, estimator="inverted_cdf")
    values = pd.to_numeric(df["landing_delay_h"], errors="coerce").dropna().to_numpy()
    out = []
    for w, d in zip(when.itertuples(index=False), delay.itertuples(index=False), strict=True):
        share = float(np.mean(np.abs(values - d.value) < 1e-6)) if values.size else 0.0
        out.append(
            Quantile(
                w.label,
                float(w.q),
                _utc(w.value),
                _utc(w.ci_low),
                _utc(w.ci_high),
                d.value / 24,
                d.ci_low / 24,
                d.ci_high / 24,
                share,
            )
        )
    return out


def people_landing(df: pd.DataFrame, people: Sequence[str]) -> pd.DataFrame | None:
    """The first visitor's own landing as ``landing_actual_utc`` / ``landing_delay_h`` columns
    (delay against the headline's planned landing), over the replications in which they flew and
    came home; None when the model does not record per-person homecomings."""
    if not people or "landing_planned_utc" not in df.columns:
        return None
    home, state = f"crew.{people[0]}.home_utc", f"crew.{people[0]}.end_state"
    if home not in df.columns:
        return None
    flew = df[state] != "not-flown" if state in df.columns else pd.Series(True, index=df.index)
    when = pd.to_datetime(df.loc[flew, home], utc=True)
    planned = pd.to_datetime(df.loc[flew, "landing_planned_utc"], utc=True)
    delay_h = (when - planned) / pd.Timedelta(hours=1)
    out = pd.DataFrame({"landing_actual_utc": when, "landing_delay_h": delay_h})
    return out[out["landing_actual_utc"].notna()]


def planned_visit_days(
    df: pd.DataFrame, scenario: Mapping[str, Any] | None, people: Sequence[str], flight: str
) -> float | None:
    """The planned visit (days): the model's ``visit_planned_days`` when present, else from the
    planned docking of the visitors' vehicle to the planned undocking of their return."""
    if "visit_planned_days" in df.columns and df["visit_planned_days"].notna().any():
        return float(df["visit_planned_days"].dropna().iloc[0])
    up = up_vehicle(scenario, people)
    dock, undock = f"{up}.dock_planned_utc", f"{flight}.undock_planned_utc"
    if up and dock in df.columns and undock in df.columns:
        gap = (df[undock] - df[dock]).dropna()
        if len(gap):
            return float(gap.iloc[0] / pd.Timedelta(days=1))
    return None


def cut_flags(df: pd.DataFrame, planned_d: float | None) -> pd.Series | None:
    """Per replication, whether the visit was cut: the model's ``visit_cut`` flag when present,
    else a flown visit shorter than planned by more than :data:`VISIT_CUT_TOLERANCE_H` (the
    model's rule), so the verdict and the tables count the same replications."""
    if "visit_cut" in df.columns:
        return df["visit_cut"].fillna(False).astype(bool)
    if planned_d is None or "visit_days" not in df.columns:
        return None
    v = pd.to_numeric(df["visit_days"], errors="coerce")
    return (v.notna() & (v > 0) & (v < planned_d - VISIT_CUT_TOLERANCE_H / 24)).astype(bool)


def visit_cut(df: pd.DataFrame, planned_d: float | None) -> analysis.Proportion | None:
    """Share of replications whose visit was cut (:func:`cut_flags`)."""
    flags = cut_flags(df, planned_d)
    return None if flags is None else analysis.probability(df, flags.to_numpy())


def not_flown(df: pd.DataFrame, people: Sequence[str]) -> analysis.Proportion | None:
    """Share of replications in which the visitors never reached the station: the first visitor's
    ``crew.<name>.end_state`` when the model writes it, else a visit that never began. None when
    the scenario has no visitors (nobody flies up to come home on the headline vehicle)."""
    if not people:
        return None
    state = [f"crew.{p}.end_state" for p in people if f"crew.{p}.end_state" in df.columns]
    if state:
        return analysis.probability(df, (df[state[0]] == "not-flown").to_numpy())
    if "visit_days" in df.columns:
        v = pd.to_numeric(df["visit_days"], errors="coerce")
        return analysis.probability(df, (v.isna() | (v <= 0)).to_numpy())
    return None


def verdict(
    df: pd.DataFrame,
    manifest: Mapping[str, Any] | None = None,
    scenario: Mapping[str, Any] | None = None,
) -> Verdict:
    """The headline facts of a run (outcome table, manifest and resolved scenario if known)."""
    flight = analysis.primary_flight(manifest) or "the headline flight"
    people = visitors(scenario, flight)
    planned = None
    if "landing_planned_utc" in df.columns and df["landing_planned_utc"].notna().any():
        planned = _utc(df["landing_planned_utc"].dropna().iloc[0])
    on_day = None
    if "landed_on_planned_day" in df.columns:
        flag = df["landed_on_planned_day"].fillna(False).astype(bool)
        for p in people:  # the people themselves aboard, when the model says who came home how
            if f"crew.{p}.home_on" in df.columns:
                flag &= df[f"crew.{p}.home_on"] == flight
        on_day = analysis.probability(df, flag.to_numpy())
    landed = df["landing_actual_utc"].notna() if "landing_actual_utc" in df.columns else None
    own = people_landing(df, people)
    if own is not None and len(own):
        quantiles = landing_quantiles(own)
    elif landed is not None and landed.any() and "landing_delay_h" in df.columns:
        quantiles, own = landing_quantiles(df), None
    else:
        quantiles, own = [], None
    visit_d = planned_visit_days(df, scenario, people, flight)
    work = (
        analysis.probability(df, "work_complete", na="false")
        if "work_complete" in df.columns
        else None
    )
    return Verdict(
        flight=flight,
        people=people,
        n=len(df),
        planned=planned,
        on_day=on_day,
        quantiles=quantiles,
        visit_planned_d=visit_d,
        visit_cut=visit_cut(df, visit_d),
        not_flown=not_flown(df, people),
        work_complete=work,
        no_landing=float(1 - landed.mean()) if landed is not None and len(df) else 0.0,
        as_planned=(
            analysis.probability(df, (df["outcome"] == "as-planned").to_numpy())
            if "outcome" in df.columns
            else None
        ),
        violated=(
            analysis.probability(df, df["violations"].fillna(0) > 0)
            if "violations" in df.columns
            else None
        ),
        of_people=own is not None,
    )
