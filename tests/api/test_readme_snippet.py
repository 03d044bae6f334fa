"""The README's Jupyter snippet runs as written from ``notebooks/``: its three cells show a results
table, a figure and a table (executed in a real kernel, as a notebook written from scratch)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def readme_snippet() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("In Jupyter (or any Python)")
    return re.search(r"```python\n(.*?)```", text[start:], re.S).group(1)


def test_the_readme_snippet_shows_a_table_a_figure_and_a_table():
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    cells = [c.strip() for c in readme_snippet().split("\n\n") if c.strip()]
    assert len(cells) == 3
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": ROOT / "notebooks"}}
    )
    client.execute()
    shown = [[key for out in cell.outputs for key in out.get("data", {})] for cell in nb.cells]
    assert "text/html" in shown[0] and "crewsim run" in str(nb.cells[0].outputs)
    assert "image/png" in shown[1]
    assert "text/html" in shown[2] and "P90" in str(nb.cells[2].outputs)
