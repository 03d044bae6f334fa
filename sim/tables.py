"""One formatter for every table the tool prints or writes: fixed-width text for the terminal and
GitHub-flavoured Markdown for reports, both from a header and rows of cells (``tabulate``).

Cells are shown as given (already formatted text; numbers are not re-parsed), left-aligned, so a
column of "12.0 h [10.5, 14.0]" reads the same in both forms. A foundation module: it imports
nothing from ``sim``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from tabulate import tabulate


def text_table(header: Sequence[str], rows: Iterable[Sequence[Any]], *, rule: bool = True) -> str:
    """Columns two spaces apart, a dashed rule under the header when ``rule``, no trailing spaces."""
    text = tabulate(
        [list(r) for r in rows],
        headers=list(header),
        tablefmt="simple" if rule else "plain",
        disable_numparse=True,
        stralign="left",
        missingval="-",
    )
    return "\n".join(line.rstrip() for line in text.splitlines())


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table (pipes inside cells are escaped)."""
    cells = [[str(c).replace("|", "\\|") for c in r] for r in rows]
    return tabulate(
        cells, headers=list(header), tablefmt="github", disable_numparse=True, stralign="left"
    )
