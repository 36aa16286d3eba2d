"""Findings: what a check saw that breaks a requirement, with the evidence to show it.

Checks return findings; they never raise. A suite test hands its findings to `require()`
(or gathers them with `judging()`), which raises `ConformanceFailure` when there are any,
so pytest reports the test as failed and the plugin can attribute each finding to its
requirement.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from arouter_conformance.exchange import Exchange

__all__ = ["ConformanceFailure", "Finding", "Judgement", "judging", "require"]


@dataclass(frozen=True)
class Finding:
    requirement: str
    message: str
    expected: str | None = None
    observed: str | None = None
    exchange: Exchange | None = None
    pointer: str | None = None
    schema_path: str | None = None

    def line(self) -> str:
        where = f" at {self.pointer}" if self.pointer else ""
        return f"[{self.requirement}] {self.message}{where}"


class ConformanceFailure(AssertionError):
    """A test's findings. An AssertionError, so pytest counts the test as failed, not broken.

    `complete` says whether the test judged everything it set out to before it failed; a
    property stops at its first failing example, so what it found nothing against there
    was not judged to the end.
    """

    def __init__(self, findings: list[Finding], *, complete: bool = True) -> None:
        self.findings = findings
        self.complete = complete
        shown = [f.line() for f in findings[:10]]
        if len(findings) > 10:
            shown.append(f"… and {len(findings) - 10} more findings")
        super().__init__("\n".join(shown))

    def with_findings(
        self, before: Iterable[Finding] = (), after: Iterable[Finding] = ()
    ) -> ConformanceFailure:
        """This failure with more findings around it, keeping Hypothesis's notes (the
        smallest failing example)."""
        merged = ConformanceFailure([*before, *self.findings, *after], complete=self.complete)
        setattr(merged, "__notes__", list(getattr(self, "__notes__", [])))  # noqa: B010
        return merged


def require(findings: Iterable[Finding], *, complete: bool = True) -> None:
    collected = list(findings)
    if collected:
        raise ConformanceFailure(collected, complete=complete)


class Judgement:
    """The findings of a test's probes so far."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, findings: Iterable[Finding]) -> None:
        self.findings.extend(findings)


@contextlib.contextmanager
def judging() -> Iterator[Judgement]:
    """Gather every probe's findings and require them together at the end, so an early
    finding cannot keep later probes, and the requirements they judge, from running. A
    property that stops the test inside is merged with what was gathered before it."""
    judgement = Judgement()
    try:
        yield judgement
    except ConformanceFailure as stopped:
        raise stopped.with_findings(before=judgement.findings) from None
    require(judgement.findings)
