"""HTML for notebooks: the ``_repr_html_`` of :class:`Proportion` and :class:`Comparison`, and the
small table helper the Python API's displays share. Text is escaped; no styling beyond a few inline
attributes, so the output reads in Jupyter, VS Code and exported HTML alike.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

_CELL = "text-align: left"


def _text(value: Any) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "–"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def table_html(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain HTML table of ``rows`` under ``header`` (values escaped)."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    return f"<table style='{_CELL}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def fmt_interval(value: Any, low: Any, high: Any, unit: str = "") -> str:
    """``"73.2% [71.2%, 75.1%]"`` for probabilities, ``"12.5 [10.1, 14.0]"`` otherwise."""
    if unit == "probability" or unit == "fraction":
        return f"{value:.1%} [{low:.1%}, {high:.1%}]"
    return f"{_text(value)} [{_text(low)}, {_text(high)}]"


def proportion_html(p: Any) -> str:
    """``P = 73.2% (95% CI 71.2% to 75.1%), 1,464 of 2,000``."""
    return (
        f"<span>P = <b>{p.p:.1%}</b> (95% CI {p.low:.1%} to {p.high:.1%}), "
        f"{p.successes:,} of {p.n:,}</span>"
    )


def comparison_html(c: Any) -> str:
    """The comparison's table (A, B, B - A with its interval) and its tests, as HTML."""
    pairing = "paired by replication" if c.paired else "unpaired"
    rows = [
        (r.statistic, r.A, r.B, r.diff, f"[{_text(r.diff_low)}, {_text(r.diff_high)}]")
        for r in c.table.itertuples(index=False)
    ]
    notes = "".join(f"<br>{html.escape(n)}" for n in c.notes)
    return (
        f"<div><b>{html.escape(c.metric)}</b>: B vs A (B - A), {pairing}, "
        f"n<sub>A</sub>={c.n_a:,}, n<sub>B</sub>={c.n_b:,}"
        + table_html(["statistic", "A", "B", "B - A", f"{c.ci:.0%} CI of B - A"], rows)
        + f"KS statistic {c.ks_statistic:.3f} (p = {c.ks_pvalue:.3g}); "
        f"P(A later than B) {c.p_a_later:.3f}, P(tie) {c.p_tie:.3f}{notes}</div>"
    )
