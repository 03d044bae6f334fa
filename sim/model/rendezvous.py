"""Rendezvous, docking and port relocations.

The planned fast scheme (2-orbit, 4-orbit) holds only on the planned launch day: any slip forces the
fallback (34-orbit) scheme as a rule, and an in-flight problem can revert to it too. Automatic docking
can fail: a crewed vehicle then docks manually (extra minutes); an uncrewed one backs off and retries
after a delay. A vehicle docks only at a free port (one :class:`simpy.Resource` per port).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.model.outcome import DOCK_CAUSES

if TYPE_CHECKING:
    from sim.model.compiled import Launch, RelocationPlan
    from sim.model.env import RotationEnv


def rendezvous_and_dock(env: RotationEnv, plan: Launch, slipped: bool, launch_causes: dict):
    v = plan.vehicle
    row = env.row
    rdv = plan.rendezvous
    dock = plan.docking
    names = env.c.names
    vn, inputs, dn = names.of[v], names.inputs[v], names.docking[v]
    rng = env.rng[dn.prefix]
    launched = env.now

    scheme = rdv.fallback if slipped else rdv.scheme
    # The missed-burn draw is made whether or not it matters, so it is an input of its own.
    p_missed = env.p(rdv.missed_burn_p, vn.missed_burn_p)
    missed = p_missed > 0 and env.uniform(dn.missed_burn, rng) < p_missed
    row[inputs.missed_burn] = float(missed)
    if missed and not slipped:
        scheme = rdv.fallback
        env.log(v, "rendezvous", "missed burn", f"reverts to {scheme}")
    u = env.strata.get(dn.rendezvous)
    rdv_draw = plan.rendezvous_draws[scheme]
    duration = rdv_draw.hours(rng) if u is None else rdv_draw.at(u)
    row[vn.scheme_flown] = scheme
    row[vn.fallback] = scheme != rdv.scheme
    row[vn.rendezvous_h] = duration
    env.log(v, "rendezvous", "start", scheme)
    yield env.timeout(duration)

    # The port must be free.
    station = env.station
    req = station.request_port(v, dock.port)
    yield req
    arrival_wait = env.now - (launched + duration)

    attempts = 1
    extra = 0.0
    p_auto = env.p(dock.auto_failure_p, vn.auto_failure_p)
    auto_failed = p_auto > 0 and env.uniform(dn.auto, rng) < p_auto
    row[inputs.auto_docking_failed] = float(auto_failed)
    if auto_failed and plan.crewed:
        extra = plan.manual_extra_draw.hours(rng)
        row[vn.manual_docking] = True
        env.log(v, "docking", "automatic docking failed", "manual docking")
        yield env.timeout(extra)
    elif auto_failed:
        while auto_failed and attempts < dock.max_attempts:
            backoff = plan.retry_delay_draw.hours(rng)
            env.log(v, "docking", "approach aborted", f"retry in {backoff:.1f} h")
            yield env.timeout(backoff)
            extra += backoff
            attempts += 1
            auto_failed = p_auto > 0 and rng.random() < p_auto
        if auto_failed:
            row[vn.docking_attempts] = attempts
            env.log(v, "docking", "abandoned", f"{attempts} attempts")
            station.ports[dock.port].release(req)
            station.port_requests.pop(v, None)
            env.fire(env.arrived[v], False)
            return
    row[vn.docking_attempts] = attempts

    docked = env.now
    station.dock(v, dock.port, docked)
    row[vn.dock_actual_utc] = docked
    row[vn.dock_port] = dock.port
    delay = docked - plan.dock_planned_h
    row[vn.dock_delay_h] = delay
    causes = dict(launch_causes)
    causes["docking"] = extra + arrival_wait
    longer = delay - sum(causes.values())
    if slipped:
        # Any slip forces the fallback scheme: its longer rendezvous is the slip's (by cause).
        late = {k: launch_causes[k] for k in launch_causes if launch_causes[k] > 0}
        total = sum(late.values())
        for k, part in late.items():
            causes[k] += longer * part / total
        causes["rendezvous"] = 0.0 if total > 0 else longer
    else:
        causes["rendezvous"] = longer
    for cause, column in names.dock_delay(v, DOCK_CAUSES):
        row[column] = causes.get(cause, 0.0)
    crew = [
        p.name for p in env.c.people.values() if p.up_vehicle == v and p.name not in env.stood_down
    ]
    station.board(crew, v)
    env.fire(env.arrived[v], True)


def relocation_process(env: RotationEnv, plan: RelocationPlan):
    """Move a docked vehicle to another port after a sampled slip; frees the old port."""
    rn = env.c.names.relocation[plan.index]
    rng = env.rng[rn.prefix]
    u = env.strata.get(rn.slip)
    slip_h = plan.slip_draw.hours(rng) if u is None else plan.slip_draw.at(u)
    slip_days = max(0, int(round(slip_h / 24.0)))
    env.row[env.c.names.relocation_inputs[plan.index].slip_d] = float(slip_days)
    start = plan.planned_h + 24.0 * slip_days
    if env.now < start:
        yield env.timeout(start - env.now)
    station = env.station
    v = plan.vehicle
    if v not in station.docked:  # it left (or never came): nothing to move
        env.log(v, "relocation", "skipped", "vehicle not at the station")
        env.fire(env.relocated[plan.index], env.now)
        return
    station.free_port(v)
    station.relocating.add(v)
    if env.tracing:
        env.log(v, "relocation", "undock", f"from={plan.from_port}")
    u = env.strata.get(rn.duration)
    yield env.timeout(plan.duration_draw.hours(rng) if u is None else plan.duration_draw.at(u))
    req = station.request_port(v, plan.to_port)
    yield req
    station.docked[v] = plan.to_port
    station.relocating.discard(v)
    if env.tracing:
        env.log(v, "relocation", "docked", f"port={plan.to_port}")
    env.fire(env.relocated[plan.index], env.now)
