"""Every error the kit raises on purpose, under one base class.

A `KitError`'s message is one line for the person running the kit (never a key, never a
traceback), and its `exit_code` says how a front door ends: the CLI maps the whole
hierarchy to exit codes in one place, and the pytest plugin turns a `ConfigError` into a
usage error. Signals that steer a test rather than end a run (`findings.Inconclusive`,
`findings.ConformanceFailure`) are not errors and stay outside.
"""

from __future__ import annotations

__all__ = ["ConfigError", "KitError", "RunError", "TargetError"]


class KitError(Exception):
    """An error the kit raised on purpose, with a message fit to print as it is."""

    exit_code = 2


class ConfigError(KitError, ValueError):
    """What the run was asked cannot be done as asked: a bad flag, manifest, baseline,
    report path or input file. The message names which."""


class RunError(KitError):
    """The run cannot be carried out (target unreachable, too slow, key refused)."""


class TargetError(KitError):
    """The target could not be asked: refused connection, timeout, broken protocol."""
