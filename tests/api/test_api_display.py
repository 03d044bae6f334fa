"""Figures display in IPython without ``%matplotlib inline`` once crewsim is imported."""

from __future__ import annotations

import pytest

from sim.api.display import enable_notebook_display


def test_a_figure_is_a_png_in_ipython_whatever_the_backend(small_run):
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        assert enable_notebook_display()
        data, _ = shell.display_formatter.format(small_run.plot.s_curve())
        assert data["image/png"][:4] == b"\x89PNG"
        data, _ = shell.display_formatter.format(small_run)
        assert "crewsim run" in data["text/html"]
        data, _ = shell.display_formatter.format(small_run.scenario)
        assert "crewsim scenario" in data["text/html"]
    finally:
        InteractiveShell.clear_instance()
