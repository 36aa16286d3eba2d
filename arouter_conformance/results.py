"""From test outcomes to requirement statuses, profile verdicts and the exit code.

A requirement can be checked by several tests and a test can check several
requirements, so the unit of record is the test (`SuiteRecord`), and statuses are
derived per requirement: failed when any test found something against it, error when a
test broke before it could judge, passed when a test judged it and found nothing,
skipped otherwise, always with the reason.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from arouter_conformance.findings import Finding
from arouter_conformance.spec import Requirement, Spec

__all__ = [
    "EXIT_ERROR",
    "EXIT_FAILED",
    "EXIT_PASSED",
    "ProfileVerdict",
    "RequirementResult",
    "RunResult",
    "Status",
    "SuiteRecord",
    "aggregate",
]

EXIT_PASSED, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


class Status(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True)
class SuiteRecord:
    """One test's outcome, as the plugin saw it."""

    nodeid: str
    requirements: tuple[str, ...]
    outcome: Status
    findings: tuple[Finding, ...] = ()
    reason: str | None = None
    example: str | None = None
    duration: float = 0.0
    complete: bool = True  # False: it stopped at a failure before judging everything


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    status: Status
    reason: str | None = None
    findings: tuple[Finding, ...] = ()
    example: str | None = None
    tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileVerdict:
    name: str
    claimed: bool
    counts: Mapping[Status, int]
    verdict: str  # pass | fail | error | skip


@dataclass(frozen=True)
class RunResult:
    spec_version: str
    requirements: tuple[RequirementResult, ...]
    profiles: tuple[ProfileVerdict, ...]
    claimed: frozenset[str]
    exit_code: int
    meta: Mapping[str, object] = field(default_factory=dict)


def _result(
    requirement: Requirement, records: Sequence[SuiteRecord], stopped: str | None
) -> RequirementResult:
    tests = tuple(r.nodeid for r in records)
    findings = tuple(f for r in records for f in r.findings if f.requirement == requirement.id)
    if findings:
        example = next((r.example for r in records if any(f in findings for f in r.findings)), None)
        return RequirementResult(requirement, Status.FAILED, None, findings, example, tests)
    # A plain assertion (no findings) fails every requirement its test carries.
    failed = [r for r in records if r.outcome is Status.FAILED and not r.findings]
    if failed:
        return RequirementResult(
            requirement, Status.FAILED, failed[0].reason, (), failed[0].example, tests
        )
    errors = [r for r in records if r.outcome is Status.ERROR]
    if errors:
        return RequirementResult(requirement, Status.ERROR, errors[0].reason, tests=tests)
    if any(
        r.outcome is Status.PASSED or (r.outcome is Status.FAILED and r.complete) for r in records
    ):
        return RequirementResult(requirement, Status.PASSED, tests=tests)
    stopped_early = [r for r in records if r.outcome is Status.FAILED]
    if stopped_early:
        others = sorted({f.requirement for r in stopped_early for f in r.findings})
        reason = f"not judged to the end: its test stopped at a failure of {', '.join(others)}"
        return RequirementResult(requirement, Status.SKIPPED, reason, tests=tests)
    if stopped and not records:
        return RequirementResult(requirement, Status.ERROR, stopped, tests=tests)
    reason = next((r.reason for r in records if r.reason), "no test checked it in this run")
    return RequirementResult(requirement, Status.SKIPPED, reason, tests=tests)


def _verdict(claimed: bool, results: Sequence[RequirementResult]) -> str:
    if not claimed:
        return "skip"
    must = [r for r in results if r.requirement.level == "MUST"]
    if any(r.status is Status.FAILED for r in must):
        return "fail"
    if any(r.status is Status.ERROR for r in must):
        return "error"
    if all(r.status is Status.SKIPPED for r in results):
        return "skip"
    return "pass"


def aggregate(
    spec: Spec,
    records: Iterable[SuiteRecord],
    claimed: Iterable[str],
    meta: Mapping[str, object] | None = None,
    *,
    stopped: str | None = None,
) -> RunResult:
    """`stopped` is why the run ended early: what it never reached is an error, not a skip."""
    claimed_set = frozenset(claimed)
    by_requirement: dict[str, list[SuiteRecord]] = {rid: [] for rid in spec.requirements}
    for record in records:
        for rid in record.requirements:
            by_requirement.setdefault(rid, []).append(record)
    results = []
    for requirement in spec.requirements.values():
        if requirement.profile not in claimed_set:
            results.append(
                RequirementResult(requirement, Status.SKIPPED, "profile not claimed by the target")
            )
        else:
            results.append(_result(requirement, by_requirement[requirement.id], stopped))
    profiles = []
    for name in spec.profiles:
        mine = [r for r in results if r.requirement.profile == name]
        counts = {status: sum(r.status is status for r in mine) for status in Status}
        profiles.append(
            ProfileVerdict(name, name in claimed_set, counts, _verdict(name in claimed_set, mine))
        )
    verdicts = {p.verdict for p in profiles}
    exit_code = (
        EXIT_FAILED
        if "fail" in verdicts
        else EXIT_ERROR
        if "error" in verdicts or stopped
        else EXIT_PASSED
    )
    return RunResult(
        spec.version, tuple(results), tuple(profiles), claimed_set, exit_code, dict(meta or {})
    )
