"""Where reports land: parents created, and any failure one `ReportError` line.

A report path comes from a flag, so a path that cannot be written is a configuration
error: `ReportError` is a `ConfigError`, which both front doors already turn into one line
and exit status 2. `check_writable` lets a front door refuse such a path before a run
spends requests, rather than after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from arouter_conformance.errors import ConfigError

__all__ = ["ReportError", "check_writable", "write_text", "writing"]


class ReportError(ConfigError):
    """A report cannot be written where it was asked for; the message says where and why."""


def _failed(path: Path, exc: OSError) -> ReportError:
    return ReportError(f"cannot write report {path}: {exc.strerror or type(exc).__name__}")


def _folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # e.g. a file where a folder should be
        reason = exc.strerror or type(exc).__name__
        raise ReportError(
            f"cannot write report {path}: cannot create folder {path.parent} ({reason})"
        ) from None


def write_text(path: Path, text: str, *, append: bool = False) -> None:
    """Write (or append) `text` as UTF-8, creating missing parent directories."""
    with writing(path, append=append) as file:
        file.write(text)


@contextlib.contextmanager
def writing(path: Path, *, append: bool = False) -> Iterator[TextIO]:
    """A UTF-8 text file to write in pieces (a report too large to hold as one string),
    with the same one-line errors as `write_text`."""
    _folder(path)
    try:
        with path.open("a" if append else "w", encoding="utf-8") as file:
            yield file
    except OSError as exc:
        raise _failed(path, exc) from None


def check_writable(paths: Iterable[Path | None]) -> None:
    """Raise ReportError now for a report path that could not be written later."""
    for path in paths:
        if path is None:
            continue
        _folder(path)
        existed = path.exists()
        try:
            with path.open("a", encoding="utf-8"):
                pass
            if not existed:
                path.unlink()
        except OSError as exc:
            raise _failed(path, exc) from None
