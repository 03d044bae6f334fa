"""Errors that the command line turns into a message and an exit status (no traceback)."""

from __future__ import annotations


class CrewsimError(Exception):
    """Bad input from the user (a scenario, a flag, a folder): exit status 2."""

    exit_status = 2


class ScenarioError(CrewsimError):
    """A scenario file that cannot be used; the message names the file, the field and what was
    expected."""


class Interrupted(Exception):
    """Stopped with Ctrl-C; the message says what was kept and how to go on: exit status 130."""

    exit_status = 130


class RuntimeFault(Exception):
    """Something failed while running (a replication raised, a disk filled up): exit status 1."""

    exit_status = 1
