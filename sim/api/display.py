"""Rich display in Jupyter: compact HTML for a :class:`Run` and a :class:`Scenario`, and figures
shown as the value of a cell without ``%matplotlib inline``.

:func:`enable_notebook_display` (called when ``crewsim`` is imported) registers, in a running
IPython only, a PNG formatter for matplotlib ``Figure``: the same thing ``%matplotlib inline`` does,
so a figure returned by ``run.plot.s_curve()`` is drawn whatever the matplotlib backend.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import pandas as pd

from sim.analysis.html import fmt_interval, table_html

if TYPE_CHECKING:
    from sim.api.run import Run
    from sim.api.scenario import Scenario

_BOX = "font-family: sans-serif; line-height: 1.35"


def enable_notebook_display() -> bool:
    """Show matplotlib Figures as PNG in the running IPython shell; False outside IPython."""
    import sys

    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    from IPython.core.pylabtools import print_figure
    from matplotlib.figure import Figure

    png = shell.display_formatter.formatters["image/png"]
    png.for_type(Figure, lambda fig: print_figure(fig, "png", bbox_inches="tight"))
    return True


def _hours(h: float) -> str:
    return f"{h / 24:g} d" if h >= 48 and h % 24 == 0 else f"{h:g} h"


def _when(value: Any) -> str:
    return "" if value is None else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def scenario_html(scenario: Scenario) -> str:
    """One header line and three small tables (vehicles, people, work): a glance, not the file."""
    m = scenario.model
    e = html.escape
    returns = m.returns
    vehicles = []
    for name, v in m.vehicles.items():
        where = (
            (f"docked at {v.docked_at}" if v.docked_at else f"launch {_when(v.launch.planned)}")
            if (v.docked_at or v.launch)
            else ""
        )
        back = returns.get(name)
        home = f"undock {_when(back.planned_undock)}, {back.policy}" if back else ""
        vehicles.append((name, v.seats, where, home))
    people = [(p, c.up or c.aboard or "", c.returns) for p, c in m.crew.items()]
    tasks = [(t.name, ", ".join(t.people), _hours(t.hours)) for t in m.work.tasks]
    changes = (
        f"<br>changed: <code>{e('; '.join(scenario.changes))}</code>" if scenario.changes else ""
    )
    mc = m.monte_carlo
    parts = [
        f"<div style='{_BOX}'><b>crewsim scenario <code>{e(m.name)}</code></b> "
        f"<span style='color:#666'>{e(str(scenario.source))}</span><br>"
        f"epoch {_when(m.epoch)} UTC · headline return <b>{e(m.primary or '-')}</b> · "
        f"{mc.replications:,} replications, seed {mc.seed}{changes}",
        "<div style='display:flex; gap:1.5em; flex-wrap:wrap'>",
        table_html(["vehicle", "seats", "arrives", "returns"], vehicles),
        table_html(["person", "up / aboard", "home on"], people),
        table_html(["task", "people", "hours"], tasks) if tasks else "",
        "</div></div>",
    ]
    return "".join(parts)


def run_html(run: Run) -> str:
    """The run in a few lines: what, how many, the verdict, the headline table, what to call."""
    e = html.escape
    df = run.outcomes
    where = (
        f"<code>{e(str(run.path))}</code>"
        if run.path
        else "in memory (<code>.save(dir)</code> keeps it)"
    )
    lines = [
        f"<div style='{_BOX}'><b>crewsim run <code>{e(run.name)}</code></b>: "
        f"{run.n:,} replications, seed {run.seed}, {where}"
    ]
    if "landed_on_planned_day" in df.columns:
        p = run.p_on_time()
        flight = e(run.primary or "the headline flight")
        lines.append(
            f"<br>P({flight} lands on its planned day) = <b>{p.p:.1%}</b> "
            f"(95% CI {p.low:.1%} to {p.high:.1%})"
        )
    summary = run.summary()
    rows = [
        (r.flight, r.metric, fmt_interval(r.value, r.ci_low, r.ci_high, r.unit), r.unit)
        for r in summary.itertuples(index=False)
    ]
    lines.append(table_html(["flight", "quantity", "estimate [95% CI]", "unit"], rows))
    lines.append(
        "<span style='color:#666'>run.outcomes · run.percentiles(column) · run.p_on_time() · "
        "run.summary() · run.plot.s_curve() · run.plot.tornado() · run.save(dir)</span></div>"
    )
    return "".join(lines)
