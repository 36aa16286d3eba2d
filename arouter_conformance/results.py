"""From test outcomes to requirement statuses, profile verdicts and the exit code.

A requirement can be checked by several tests and a test can check several
requirements, so the unit of record is the test (`SuiteRecord`), and statuses are
derived per requirement, always with the reason when it is not passed:

- failed: a test found something against it;
- blocked: a requirement it needs (the catalog's `needs`) failed, so its own answers
  cannot be judged; it names the requirement that failed first, and is never a second
  failure;
- error: a test broke before it could judge;
- inconclusive: its tests ran, but no observation could show it either way (every model
  ties on the sort key, the stream held no events, no model to chat with);
- passed: a test judged at least one observation for it and found nothing wrong;
- skipped: not claimed, or not applicable to this target.

A requirement the team's baseline (`--baseline`, see `known.py`) lists keeps its status
but is marked *known* when failed, blocked or inconclusive (never in error), and so is one
blocked by a known one: known requirements
do not count for the exit code, and the verdicts say `known` rather than `pass` when they
were all that stood in the way. Listed requirements that passed are *fixed*.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from arouter_conformance.findings import Finding
from arouter_conformance.spec import Requirement, Spec

__all__ = [
    "EXIT_ERROR",
    "EXIT_FAILED",
    "EXIT_PASSED",
    "UNJUDGED",
    "ProfileVerdict",
    "RequirementResult",
    "RunResult",
    "RunStats",
    "Status",
    "SuiteRecord",
    "aggregate",
    "exit_code",
]

EXIT_PASSED, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


class Status(str, enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    BLOCKED = "blocked"
    INCONCLUSIVE = "inconclusive"
    SKIPPED = "skipped"
    ERROR = "error"


# A claimed MUST in one of these was not judged: the run cannot say it holds (exit 2).
UNJUDGED = frozenset({Status.BLOCKED, Status.INCONCLUSIVE, Status.ERROR})
NOTHING_JUDGED = "its tests ran, but no observation judged it"
NOT_CLAIMED = "profile not claimed by the target"
# Beyond the seeds (R17): nobody claimed it, the kit's default included; say how to.
NOT_CLAIMED_OPTIONAL = (
    "optional profile, not claimed: judged only when named (--profile {name} or the "
    "manifest's profiles)"
)
NOT_CHECKED = "no test checked it in this run"


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
    judged: frozenset[str] = frozenset()  # requirements a check judged an observation for
    unjudgeable: Mapping[str, str] = field(default_factory=dict)  # id -> why not
    inapplicable: Mapping[str, str] = field(default_factory=dict)  # id -> why it does not apply
    blocked_by: str | None = None  # outcome BLOCKED: the requirement that left nothing to judge
    broke: str | None = None  # outcome FAILED, incomplete: what broke after the findings


@dataclass(frozen=True)
class RequirementResult:
    requirement: Requirement
    status: Status
    reason: str | None = None
    findings: tuple[Finding, ...] = ()
    example: str | None = None
    tests: tuple[str, ...] = ()
    blocked_by: str | None = None  # the failed requirement that kept this one from judgement
    known: str | None = None  # unmet, and accepted by the baseline: why (the file's reason)

    @property
    def unmet(self) -> bool:
        return self.status is Status.FAILED or self.status in UNJUDGED


@dataclass(frozen=True)
class ProfileVerdict:
    name: str
    claimed: bool
    counts: Mapping[Status, int]
    verdict: str  # pass | known | fail | error | inconclusive | skip
    known: int = 0  # requirements unmet but accepted by the baseline
    title: str = ""  # the catalog's, so that no report writer reads the catalog again


@dataclass(frozen=True)
class RunStats:
    """What a run was and what it cost, as the reports show it: one typed value rather than
    a dictionary read back by string keys. Every field may be unknown (None): a result can
    be made from records alone (observe mode, the kit's tests)."""

    kit_version: str | None = None
    target_url: str | None = None
    embedded: bool = False
    started_at: str | None = None  # UTC, ISO 8601
    duration_s: float | None = None
    requests_sent: int | None = None
    chat_requests_sent: int | None = None
    request_budget: int | None = None
    chat_budget: int | None = None
    examples: int | None = None
    seed: int | None = None
    concurrency: int | None = None  # the most requests allowed in flight at once
    stopped: str | None = None  # why the run ended early
    unsteady: str | None = None  # how the target's answers changed during the run
    baseline: str | None = None  # the known-failures file judged with
    baseline_updated: bool = False  # this run rewrote it


@dataclass(frozen=True)
class RunResult:
    spec_version: str
    requirements: tuple[RequirementResult, ...]
    profiles: tuple[ProfileVerdict, ...]
    claimed: frozenset[str]
    exit_code: int
    stats: RunStats = field(default_factory=RunStats)
    fixed: tuple[str, ...] = ()  # in the baseline, and passed: to be removed from it
    listed: int = 0  # how many requirements the baseline lists


def _result(
    requirement: Requirement,
    records: Sequence[SuiteRecord],
    stopped: str | None,
    levels: Mapping[str, str],
    unrecorded: tuple[Status, str] = (Status.SKIPPED, NOT_CHECKED),
) -> RequirementResult:
    rid = requirement.id
    tests = tuple(r.nodeid for r in records)
    findings = tuple(f for r in records for f in r.findings if f.requirement == rid)
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
    finished = [
        r
        for r in records
        if r.outcome is Status.PASSED or (r.outcome is Status.FAILED and r.complete)
    ]
    if any(rid in r.judged for r in finished):
        return RequirementResult(requirement, Status.PASSED, tests=tests)
    blocked = next((r for r in records if r.outcome is Status.BLOCKED), None)
    if blocked is not None:
        return RequirementResult(
            requirement, Status.BLOCKED, blocked.reason, tests=tests, blocked_by=blocked.blocked_by
        )
    unjudgeable = next((r.unjudgeable[rid] for r in records if rid in r.unjudgeable), None)
    inapplicable = next((r.inapplicable[rid] for r in finished if rid in r.inapplicable), None)
    if inapplicable and not unjudgeable:
        return RequirementResult(
            requirement, Status.SKIPPED, f"not applicable: {inapplicable}", tests=tests
        )
    stopped_early = [r for r in records if r.outcome is Status.FAILED]
    if stopped_early and not unjudgeable:
        broke = next((r.broke for r in stopped_early if r.broke), None)
        if broke:
            # The network or the kit broke after other findings: not a failure's doing.
            reason = f"not judged: its test broke part-way, after other findings: {broke}"
            return RequirementResult(requirement, Status.ERROR, reason, tests=tests)
        # Its test stopped at a MUST failure of another requirement (a SHOULD finding
        # gathered before it never stops a test) before this one was judged to the end.
        found = [f.requirement for r in stopped_early for f in r.findings]
        first = next((rid for rid in found if levels.get(rid) == "MUST"), found[0])
        reason = f"not judged to the end: its test stopped at a failure of {first}"
        return RequirementResult(requirement, Status.BLOCKED, reason, tests=tests, blocked_by=first)
    inconclusive = [r for r in records if r.outcome is Status.INCONCLUSIVE]
    if unjudgeable or inconclusive or finished:
        why = unjudgeable or (inconclusive[0].reason if inconclusive else None)
        return RequirementResult(
            requirement, Status.INCONCLUSIVE, why or NOTHING_JUDGED, tests=tests
        )
    if stopped and not records:
        return RequirementResult(requirement, Status.ERROR, stopped, tests=tests)
    if not records:
        return RequirementResult(requirement, unrecorded[0], unrecorded[1], tests=tests)
    reason = next((r.reason for r in records if r.reason), NOT_CHECKED)
    return RequirementResult(requirement, Status.SKIPPED, reason, tests=tests)


def _not_claimed(spec: Spec, requirement: Requirement) -> str:
    profile = requirement.profile
    return (
        NOT_CLAIMED_OPTIONAL.format(name=profile)
        if spec.profiles[profile].optional
        else NOT_CLAIMED
    )


def _declared(record: SuiteRecord) -> SuiteRecord:
    """A finding for a requirement its test does not declare is a kit error, never dropped:
    dropped, it would leave the test's own requirements passed although a check failed.
    The test ends in error, naming the stray requirement."""
    stray = sorted({f.requirement for f in record.findings} - set(record.requirements))
    if not stray:
        return record
    reason = (
        f"kit error: {record.nodeid} reported a finding for {', '.join(stray)}, which it does "
        "not declare; its requirements are not judged"
    )
    return replace(record, outcome=Status.ERROR, findings=(), reason=reason, judged=frozenset())


def _blocked(spec: Spec, results: dict[str, RequirementResult]) -> dict[str, RequirementResult]:
    """Each claimed requirement whose prerequisite failed (or is itself blocked) ends
    blocked by the root failure: one root cause, one failure."""

    def root(rid: str) -> str | None:
        """The deepest failure under `rid`'s needs: a need that failed only because its
        own need failed is blocked, and the reason names where the chain starts."""
        for need in spec.requirement(rid).needs:
            deeper = root(need)
            if deeper:
                return deeper
            status = results[need].status
            if status is Status.FAILED:
                return need
            if status is Status.BLOCKED:
                return results[need].blocked_by or need
        return None

    settled = dict(results)
    for rid, result in results.items():
        if result.status is Status.SKIPPED:
            continue  # not claimed or not applicable: nothing to block
        cause = root(rid)
        if cause is not None:
            reason = (
                f"blocked by {cause}, which failed: this requirement cannot be judged without it"
            )
        elif result.status is Status.BLOCKED and result.blocked_by:
            # Its test stopped at another requirement's failure, or found nothing to judge
            # because of one: the root of that one's own needs if it has one, else that
            # one if it failed; if it did not fail, nothing was blocked, only unjudged.
            blocker = results[result.blocked_by]
            cause = root(result.blocked_by) or (
                blocker.blocked_by or result.blocked_by
                if blocker.status in (Status.FAILED, Status.BLOCKED)
                else None
            )
            if cause is None:
                settled[rid] = replace(result, status=Status.INCONCLUSIVE, blocked_by=None)
                continue
            reason = f"blocked by {cause}, which failed: {result.reason}"
        if cause is not None:
            settled[rid] = replace(result, status=Status.BLOCKED, reason=reason, blocked_by=cause)
    return settled


def _known(
    results: dict[str, RequirementResult], known: Mapping[str, str]
) -> dict[str, RequirementResult]:
    """Mark what the baseline accepts: listed and failed, blocked or inconclusive, or blocked
    by a known failure. Never an error: that says the kit or the network broke, which no
    file can make a property of the gateway."""
    marked = {
        rid: replace(r, known=known[rid])
        if rid in known and r.unmet and r.status is not Status.ERROR
        else r
        for rid, r in results.items()
    }
    for rid, r in marked.items():
        cause = marked.get(r.blocked_by) if r.blocked_by else None
        if r.known is None and r.status is Status.BLOCKED and cause and cause.known is not None:
            marked[rid] = replace(r, known=f"blocked by {r.blocked_by}, a known failure")
    return marked


def _verdict(claimed: bool, results: Sequence[RequirementResult]) -> str:
    if not claimed:
        return "skip"
    musts = [r for r in results if r.requirement.level == "MUST"]
    must = {r.status for r in musts if r.known is None}
    if Status.FAILED in must:
        return "fail"
    if Status.ERROR in must:
        return "error"
    if must & UNJUDGED:
        return "inconclusive"
    if any(r.known is not None for r in musts):
        return "known"
    if not any(r.status is Status.PASSED for r in results):
        # A profile is never PASS on nothing: all skipped is a skip, anything else unjudged.
        return "skip" if all(r.status is Status.SKIPPED for r in results) else "inconclusive"
    return "pass"


def exit_code(
    results: Iterable[RequirementResult],
    claimed: frozenset[str],
    stopped: bool,
    selected: Collection[str] = (),
) -> int:
    """1 when a claimed MUST failed; else 2 when one was not judged (or the run stopped).

    With `selected` (--requirement), only those count, and the failures that blocked
    them: the other requirements their tests carry were judged only as far as those tests
    go, and are reported as such."""
    results = list(results)
    if selected:
        selected = {
            *selected,
            *(r.blocked_by for r in results if r.requirement.id in selected and r.blocked_by),
        }
    must = {
        r.status
        for r in results
        if r.requirement.level == "MUST"
        and r.requirement.profile in claimed
        and r.known is None
        and (not selected or r.requirement.id in selected)
    }
    if Status.FAILED in must:
        return EXIT_FAILED
    if must & UNJUDGED or stopped:
        return EXIT_ERROR
    return EXIT_PASSED


def aggregate(
    spec: Spec,
    records: Iterable[SuiteRecord],
    claimed: Iterable[str],
    stats: RunStats | None = None,
    *,
    stopped: str | None = None,
    selected: Collection[str] = (),
    known: Mapping[str, str] | None = None,
    unrecorded: tuple[Status, str] = (Status.SKIPPED, NOT_CHECKED),
) -> RunResult:
    """`stopped` is why the run ended early: what it never reached is an error, not a skip.
    `known` is the baseline: requirement id -> why it is accepted as unmet. `unrecorded`
    is the status and reason of a claimed requirement no record names: skipped, "no test
    checked it"; in observe mode "not observed", and inconclusive when the traffic showed
    nothing at all (a report of nothing judged must not read as a pass)."""
    claimed_set = frozenset(claimed)
    by_requirement: dict[str, list[SuiteRecord]] = {rid: [] for rid in spec.requirements}
    for record in map(_declared, records):
        for rid in record.requirements:
            by_requirement.setdefault(rid, []).append(record)
    levels = {rid: r.level for rid, r in spec.requirements.items()}
    raw = {
        rid: (
            _result(requirement, by_requirement[rid], stopped, levels, unrecorded)
            if requirement.profile in claimed_set
            else RequirementResult(requirement, Status.SKIPPED, _not_claimed(spec, requirement))
        )
        for rid, requirement in spec.requirements.items()
    }
    known = known or {}
    results = list(_known(_blocked(spec, raw), known).values())
    profiles = []
    for name in spec.profiles:
        mine = [r for r in results if r.requirement.profile == name]
        counts = {status: sum(r.status is status for r in mine) for status in Status}
        verdict = _verdict(name in claimed_set, mine)
        accepted = sum(r.known is not None for r in mine)
        title = spec.profiles[name].title
        profiles.append(ProfileVerdict(name, name in claimed_set, counts, verdict, accepted, title))
    return RunResult(
        spec.version,
        tuple(results),
        tuple(profiles),
        claimed_set,
        exit_code(results, claimed_set, stopped is not None, selected),
        stats or RunStats(),
        tuple(
            r.requirement.id
            for r in results
            if r.requirement.id in known and r.status is Status.PASSED
        ),
        len(known),
    )
