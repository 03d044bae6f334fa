"""Return policies: when a return is planned to undock, given what has happened so far.

``fixed`` keeps the planned undock; ``until-done`` waits for the work (see :mod:`sim.model.landing`);
``keep-visit`` replans the return the way a late visiting flight's return is replanned: the visit
keeps its planned length from the visitors' docking to the undock (the liner swaps happen inside it),
bounded by the vehicle's design life, ``latest_undock`` and the next arrival that needs the port or
the seats, and only at a usable landing opportunity (daylight, orbit geometry). When no usable
opportunity keeps the visit, it is cut to the latest one inside every bound; a visit that would be
shorter than ``min_visit`` is not flown (the visitors stand down before their launch).
All instants are hours since the epoch.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.model.compiled import Return
    from sim.model.env import RotationEnv

EPS_H = 1e-9
#: A visit up to this much shorter than planned (hours) is kept: returns move by whole landing
#: days, so a docking minutes or hours late does not move the return a day.
KEEP_VISIT_TOLERANCE_H = 12.0


def first_usable_from(plan: Return, t: float) -> float | None:
    """The first usable landing opportunity (undock instant) at or after ``t``."""
    k = bisect_left(plan.usable_h, t - EPS_H)
    return float(plan.usable_h[k]) if k < len(plan.usable_h) else None


def last_usable_by(plan: Return, t: float) -> float | None:
    """The last usable landing opportunity (undock instant) at or before ``t``."""
    k = bisect_right(plan.usable_h, t + EPS_H) - 1
    return float(plan.usable_h[k]) if k >= 0 else None


def upper_bound_h(plan: Return, life_end_h: float) -> float:
    """The latest undock every hard bound allows: design life, latest_undock, the next arrival."""
    return min(life_end_h, plan.latest_undock_h, plan.next_arrival_h)


def keep_visit_undock(
    plan: Return, life_end_h: float, arrival_h: float, not_before_h: float
) -> tuple[float | None, bool, float]:
    """The undock that keeps the visit of visitors who docked at ``arrival_h``, whether the visit
    had to be cut, and the undock the kept visit asks for (before landing opportunities).

    The visit keeps its planned length (``plan.visit_planned_h``, less a tolerance of
    ``KEEP_VISIT_TOLERANCE_H``), never ending before the planned undock; the undock is the first usable opportunity from then on. If that is past the upper bound,
    the visit is cut to the last usable opportunity inside it (``None`` when there is none after
    ``not_before_h``: no opportunity is left inside the bounds).
    """
    desired = max(
        plan.planned_undock_h,
        arrival_h + plan.visit_planned_h - KEEP_VISIT_TOLERANCE_H,
        not_before_h,
    )
    upper = upper_bound_h(plan, life_end_h)
    kept = first_usable_from(plan, desired)
    if kept is not None and kept <= upper + EPS_H:
        return kept, False, desired
    cut = last_usable_by(plan, upper)
    if cut is None or cut < not_before_h - EPS_H:
        return None, True, desired
    return cut, True, desired


def predicted_visit_h(env: RotationEnv, plan: Return, docking_h: float) -> float:
    """The visit (hours) ``keep-visit`` would give visitors docking at ``docking_h`` (0 if none)."""
    life_end = plan.life_end_h
    if life_end is None:  # the return vehicle itself arrives in the run: its life is ahead
        life_end = math.inf
    undock, _cut, _desired = keep_visit_undock(plan, life_end, docking_h, docking_h)
    return 0.0 if undock is None else undock - docking_h


def visitors_stand_down(env: RotationEnv, vehicle: str, launch_h: float, slipped: bool) -> bool:
    """Decide, at launch, whether the visitors on ``vehicle`` stay on the ground.

    Visitors whose return vehicle has already left stand down (reason ``return_left``). For every
    ``keep-visit`` return with a ``min_visit`` whose visitors fly up on ``vehicle``, the
    visit is predicted from the launch instant and the median duration of the scheme that will be
    flown (the fallback after any slip). Below ``min_visit`` the visit is not worth flying: its
    visitors stand down (they are added to ``env.stood_down``) and the vehicle flies without them.
    """
    c = env.c
    launch = c.launches[vehicle]
    rdv = launch.rendezvous
    docking = launch_h + launch.median_rdv_h[rdv.fallback if slipped else rdv.scheme]
    cancelled = False
    for plan in c.returns.values():
        if vehicle not in plan.visitor_vehicles:
            continue
        if env.departed[plan.vehicle].triggered:  # their return has left: nothing to visit
            _stand_down(env, plan, vehicle, "return_left", f"{plan.vehicle} has left")
            cancelled = True
            continue
        if plan.spec.policy != "keep-visit" or plan.min_visit_h <= 0:
            continue
        visit = predicted_visit_h(env, plan, docking)
        if visit < plan.min_visit_h - EPS_H:
            why = f"visit {visit / 24:.1f} d < min_visit {plan.min_visit_h / 24:.1f} d"
            _stand_down(env, plan, vehicle, "visit_below_min", why)
            cancelled = True
    return cancelled


def _stand_down(env: RotationEnv, plan: Return, vehicle: str, reason: str, why: str) -> None:
    """The visitors of ``plan`` flying on ``vehicle`` stay on the ground (``reason`` for the row)."""
    people = [p for p in plan.visitors if env.c.people[p].up_vehicle == vehicle]
    env.stood_down.update(people)
    if plan.vehicle == env.c.primary:
        env.row["visit_cancelled"] = True
        env.row["outcome_reason"] = reason
    env.log(vehicle, "launch", "visit not flown", f"{why}: {';'.join(people)} stand down")
