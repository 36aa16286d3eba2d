"""Findings: what a check saw that breaks a requirement, with the evidence to show it.

Checks return findings; they never raise. A suite test hands its findings to `require()`
(or gathers them with `judging()`), which raises `ConformanceFailure` when there are any,
so pytest reports the test as failed and the plugin can attribute each finding to its
requirement.

Finding nothing is not the same as seeing a requirement hold: a check also says what it
judged (`judged`) and what the target's answers could not show either way
(`cannot_judge`), into the ledger of the test that runs it. A requirement passes only on
a judged observation; one that nothing judged ends inconclusive, with the reason.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from arouter_conformance.exchange import Exchange

__all__ = [
    "ConformanceFailure",
    "Finding",
    "Inconclusive",
    "Judgement",
    "Ledger",
    "cannot_judge",
    "judged",
    "judging",
    "ledger",
    "not_applicable",
    "require",
]


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
        said = self.pointer and f" at {self.pointer}" in self.message
        where = f" at {self.pointer}" if self.pointer and not said else ""
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
    except Exception as broke:
        # The network or the budget gave out part-way: what was found already stands,
        # and what was not reached is not judged to the end (never passed).
        if judgement.findings:
            raise ConformanceFailure(judgement.findings, complete=False) from broke
        raise
    require(judgement.findings)


@dataclass
class Ledger:
    """What one test's checks judged, and what they could not judge (with the reason)."""

    judged: set[str] = field(default_factory=set)
    unjudgeable: dict[str, str] = field(default_factory=dict)
    inapplicable: dict[str, str] = field(default_factory=dict)


_LEDGER: contextvars.ContextVar[Ledger | None] = contextvars.ContextVar("ledger", default=None)


@contextlib.contextmanager
def ledger() -> Iterator[Ledger]:
    """The ledger the checks called inside write to (one per conformance test)."""
    book = Ledger()
    token = _LEDGER.set(book)
    try:
        yield book
    finally:
        _LEDGER.reset(token)


def judged(*requirements: str) -> None:
    """A check judged at least one observation for these requirements, whatever it found.

    Outside a ledger (a check called by a unit test or a library user) this records
    nothing: the verdict is in the findings the check returns."""
    book = _LEDGER.get()
    if book is not None:
        book.judged.update(requirements)


def cannot_judge(requirement: str, reason: str) -> None:
    """The target's answers cannot show this requirement either way; `reason` in one line.

    The first reason given for a requirement is kept: it is the one a reader acts on."""
    book = _LEDGER.get()
    if book is not None:
        book.unjudgeable.setdefault(requirement, reason)


def not_applicable(requirement: str, reason: str) -> None:
    """The requirement does not apply to what this target serves (a statement about
    benchmarks, on a list where no model has any): skipped, with the reason, unless
    another observation judged it."""
    book = _LEDGER.get()
    if book is not None:
        book.inapplicable.setdefault(requirement, reason)


class Inconclusive(Exception):
    """Raised by a test that cannot judge any of its requirements (no model to chat with,
    no answer to judge): they end inconclusive with this one-line reason, never passed.

    `blocked_by` names the requirement whose failure left nothing to judge (the list that
    could not be read, the stream that was refused): when it did fail, they end blocked
    by it instead."""

    def __init__(self, reason: str, *, blocked_by: str | None = None) -> None:
        super().__init__(reason)
        self.blocked_by = blocked_by
