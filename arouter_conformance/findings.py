"""Findings: what a check saw that breaks a requirement, with the evidence to show it.

Checks return findings; they never raise. A suite test hands its findings to
`require()`, which raises `ConformanceFailure` when there are any, so pytest reports
the test as failed and the plugin can attribute each finding to its requirement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from arouter_conformance.exchange import Exchange

__all__ = ["ConformanceFailure", "Finding", "require"]


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
    """A test's findings. An AssertionError, so pytest counts the test as failed, not broken."""

    def __init__(self, findings: list[Finding]) -> None:
        self.findings = findings
        shown = [f.line() for f in findings[:10]]
        if len(findings) > 10:
            shown.append(f"… and {len(findings) - 10} more findings")
        super().__init__("\n".join(shown))


def require(findings: Iterable[Finding]) -> None:
    collected = list(findings)
    if collected:
        raise ConformanceFailure(collected)
