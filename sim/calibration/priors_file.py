"""The calibration as text: the printed table of estimates and the priors YAML file.

:func:`format_table` prints parameter, value, n, left out, interval and flights used;
:func:`priors_yaml` writes the estimates as the ``defaults:`` of a scenario (the form of
``scenarios/priors/soyuz_ms.yaml``), with the provenance of every value in comments.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import yaml

from sim.calibration.calibrate import US_SEGMENT_SLIP_PRIORS, Calibration
from sim.tables import text_table

# --- output --------------------------------------------------------------------------------------


#: How the header ends its description of the slip, by the slip model asked for.
_LEFT_OUT = "flights whose needed cell was blank, unreadable or excluded by the slip selection."
_SLIP_SIZES = {
    "auto": (
        "# sizes of the observed slips when there are 5 or more, else a zero-inflated Weibull",
        "# whose shape is drawn per replication from its posterior (log-normal prior, median 1,",
        "# log-sd 0.5; scale integrated out), slips of 1-120 d. n = flights used, left out =",
        f"# {_LEFT_OUT}",
    ),
    "empirical": (
        "# sizes of the observed slips (--slip-model empirical). n = flights used, left out =",
        f"# {_LEFT_OUT}",
    ),
    "zero_inflated_weibull": (
        "# sizes of a zero-inflated Weibull (--slip-model zero_inflated_weibull; the observed",
        "# sizes when nothing slipped) whose shape is drawn per replication from its posterior",
        "# (log-normal prior, median 1, log-sd 0.5; scale integrated out), slips of 1-120 d.",
        "# n = flights used, left out =",
        f"# {_LEFT_OUT}",
    ),
}


def compress_flights(names: Iterable[str]) -> str:
    """``MS-01, MS-02, MS-03, MS-05`` -> ``MS-01..03, MS-05`` (runs of consecutive numbers)."""
    groups: list[list[tuple[str, int, str, str]]] = []
    for name in names:
        m = re.fullmatch(r"(.*?-)(\d+)(\D*)", name)
        if not m:
            groups.append([(name, -1, "", name)])
            continue
        item = (m.group(1), int(m.group(2)), m.group(3), name)
        last = groups[-1][-1] if groups else None
        if last and last[0] == item[0] and last[2] == item[2] and last[1] + 1 == item[1]:
            groups[-1].append(item)
        else:
            groups.append([item])
    parts = []
    for g in groups:
        if len(g) == 1:
            parts.append(g[0][3])
        else:
            width = len(g[-1][3]) - len(g[-1][0]) - len(g[-1][2])
            parts.append(f"{g[0][3]}..{g[-1][1]:0{width}d}{g[-1][2]}")
    return ", ".join(parts)


def format_table(cal: Calibration) -> str:
    """Plain-text table: parameter, value, n, left out, interval, flights used."""
    header = ("parameter", "value", "n", "left out", "interval", "flights used")
    rows = [
        (e.name, e.value, str(e.n), str(e.left_out), e.interval, compress_flights(e.flights))
        for e in cal.estimates
    ]
    lines = text_table(header, rows).splitlines()
    notes = [f"  {e.name}: {e.note}" for e in cal.estimates if e.note]
    return "\n".join(lines + (["", "notes:", *notes] if notes else []))


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10_000).strip()
    return text.removesuffix("...").strip()


def priors_yaml(
    cal: Calibration,
    *,
    command: str,
    inputs: list[str],
    base: dict | None = None,
) -> str:
    """The ``defaults:`` YAML text: derived values replace the base's, the rest are carried over.

    ``base`` is the ``defaults`` mapping of an existing priors file (or ``None`` for a fragment with
    the derived keys only). Every derived key gets a comment with n, left-out count and interval.
    """
    derived = {e.path: e for e in cal.estimates if e.path is not None and e.yaml_value is not None}
    tree: dict = {}
    for section, mapping in (base or {}).items():
        tree[section] = dict(mapping) if isinstance(mapping, dict) else mapping
    for path in derived:
        node = tree
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = derived[path].yaml_value
    carried = []

    def emit(node: dict, prefix: tuple[str, ...], indent: int, out: list[str]) -> None:
        for key, value in node.items():
            path = (*prefix, key)
            pad = "  " * indent
            est = derived.get(path)
            if est is not None:
                flights = compress_flights(est.flights)
                out.append(f"{pad}# {est.name}: n={est.n}, left out {est.left_out}; {flights}")
                if est.interval:
                    out.append(f"{pad}#   interval: {est.interval}")
                if est.note:
                    out.append(f"{pad}#   {est.note}")
            elif not isinstance(value, dict) or _is_leaf(value):
                carried.append(".".join(path))
            if isinstance(value, dict) and not _is_leaf(value):
                out.append(f"{pad}{_flow(key)}:")
                emit(value, path, indent + 1, out)
            else:
                out.append(f"{pad}{_flow(key)}: {_flow(value)}")

    derived = {("defaults", *p): e for p, e in derived.items()}
    body: list[str] = []
    emit({"defaults": tree}, (), 0, body)
    carried = [c.removeprefix("defaults.") for c in carried]
    head = [
        "# Fleet-wide priors for crewed Soyuz flights to the ISS (the `defaults:` of a scenario).",
        f"# Generated by: {command}",
        "# Inputs:",
        *[f"#   {i}" for i in inputs],
        "# Methods (sim.calibration): event probabilities are Beta posteriors from k events in n",
        "# flights with the Jeffreys prior Beta(1/2, 1/2), drawn once per replication (mean",
        "# (k+1/2)/(n+1)), interval = 95 % Wilson on k/n; durations per scheme (and the descent)",
        "# are the posterior predictives of the family with the lowest AIC (normal or lognormal,",
        "# per-scheme or pooled spread; fewer than 3 values borrow the pooled spread), truncated to",
        "# [median/2, 2*median], fitted to the flights without docking trouble; the slip is the",
        "# record (on time k of n, Beta-drawn per replication; advanced launches = 0) with the",
        *_SLIP_SIZES[cal.slip_model],
    ]
    fit = cal.slip_fit
    if fit is not None:
        head.append(f"# Plug-in slip fit (MLE, not used): {_flow(fit.as_yaml())}")
    head.append("# US-segment slip priors by planning horizon (Gardner & Grogan), for comparison:")
    for label, prior in US_SEGMENT_SLIP_PRIORS.items():
        fields = prior.model_dump(exclude_none=True)
        fields = {"dist": fields.pop("dist"), **fields}
        head.append(f"#   {label}: {_flow(fields)}")
    if carried:
        head.append("# Carried over from the base file (not derived from these tables):")
        head.append("#   " + ", ".join(carried))
    return "\n".join(head + body) + "\n"


def _is_leaf(value: dict) -> bool:
    """A mapping that is a value (a distribution or a place), not a section."""
    return "dist" in value or "value" in value or "lat" in value


def check_usable(text: str, *, replications: int = 20) -> None:
    """Raise ``CrewsimError`` unless the priors text runs: it is loaded as the ``defaults`` of a
    one-flight scenario for every scheme it gives a duration for (with a return), validated,
    compiled and run for a few replications, and every sampled duration must be finite. So a
    prior that ``validate`` would accept but ``run`` could not use is never written."""
    from sim.errors import CrewsimError
    from sim.model import compile_scenario, simulate_replication
    from sim.scenario import validate_scenario

    defaults = yaml.safe_load(text)["defaults"]
    rendezvous = defaults.get("rendezvous") or {}
    schemes = list(rendezvous.get("durations") or {}) or [None]
    fallback = rendezvous.get("fallback", "34-orbit")
    for scheme in schemes:
        vehicle: dict[str, Any] = {
            "seats": 3,
            "launch": {"planned": "2030-01-31T12:00:00Z"},
            "docking": {"port": "p"},
        }
        if scheme is not None:
            # The fallback only when the priors give its duration (a scenario may give the rest).
            vehicle["rendezvous"] = {
                "scheme": scheme,
                "fallback": fallback if fallback in schemes else scheme,
            }
        data = {
            "name": "priors-check",
            "epoch": "2030-01-01T00:00:00Z",
            "station": {"ports": ["p"], "max_crew": 10},
            "defaults": defaults,
            "vehicles": {"V": vehicle},
            "crew": {"a": {"up": "V", "returns": "V"}},
            "returns": {"V": {"planned_undock": "2030-03-01T12:00:00Z", "daylight": False}},
        }
        try:
            compiled = compile_scenario(validate_scenario(data, source="generated priors"))
            docked = 0
            for i in range(replications):
                row, _ = simulate_replication(compiled, i, 0)
                dock, launch = row["V.dock_actual_utc"], row["V.launch_actual_utc"]
                if dock == dock:
                    docked += 1
                    if not 0 < dock - launch < 1e4:
                        raise ValueError(f"launch to docking of {dock - launch!r} h")
            if not docked:
                raise ValueError(f"no docking in {replications} replications")
        except (CrewsimError, ValueError, OverflowError) as exc:
            raise CrewsimError(
                f"the generated priors would not run (scheme {scheme}): {exc}; nothing written"
            ) from None
