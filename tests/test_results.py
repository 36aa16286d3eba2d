"""From test records to requirement statuses, verdicts and the exit code."""

from __future__ import annotations

from arouter_conformance.findings import Finding
from arouter_conformance.results import (
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_PASSED,
    Status,
    SuiteRecord,
    aggregate,
)
from arouter_conformance.spec import Spec


def record(
    *ids: str,
    outcome: Status = Status.PASSED,
    findings: tuple[Finding, ...] = (),
    reason: str | None = None,
) -> SuiteRecord:
    return SuiteRecord("suite::test", ids, outcome, findings, reason)


def status_of(result, rid: str) -> Status:  # type: ignore[no-untyped-def]
    return next(r for r in result.requirements if r.requirement.id == rid).status


def test_findings_fail_only_their_own_requirement(spec: Spec) -> None:
    finding = Finding("MODELS-ARCH-001", "bad architecture")
    records = [
        record("MODELS-MODEL-001", "MODELS-ARCH-001", outcome=Status.FAILED, findings=(finding,))
    ]
    result = aggregate(spec, records, ["models"])
    assert status_of(result, "MODELS-ARCH-001") is Status.FAILED
    assert status_of(result, "MODELS-MODEL-001") is Status.PASSED
    assert result.exit_code == EXIT_FAILED


def test_should_failures_do_not_fail_the_run(spec: Spec) -> None:
    finding = Finding("MODELS-MODEL-002", "null context")
    records = [record("MODELS-MODEL-002", outcome=Status.FAILED, findings=(finding,))]
    result = aggregate(spec, records, ["models"])
    assert status_of(result, "MODELS-MODEL-002") is Status.FAILED
    assert result.exit_code == EXIT_PASSED


def test_errors_and_skips_keep_their_reasons(spec: Spec) -> None:
    records = [
        record("SORT-SET-001", outcome=Status.ERROR, reason="TargetError: timed out"),
        record("SORT-NEWEST-001", outcome=Status.SKIPPED, reason="not applicable: x"),
    ]
    result = aggregate(spec, records, ["sort"])
    by_id = {r.requirement.id: r for r in result.requirements}
    assert by_id["SORT-SET-001"].status is Status.ERROR
    assert by_id["SORT-SET-001"].reason == "TargetError: timed out"
    assert by_id["SORT-NEWEST-001"].reason == "not applicable: x"
    assert by_id["SORT-CONTEXT-001"].reason == "no test checked it in this run"
    assert result.exit_code == EXIT_ERROR


def test_unclaimed_profiles_are_skipped_and_do_not_count(spec: Spec) -> None:
    finding = Finding("CHAT-AUTH-001", "accepted without a key")
    records = [record("CHAT-AUTH-001", outcome=Status.FAILED, findings=(finding,))]
    result = aggregate(spec, records, ["models"])
    assert status_of(result, "CHAT-AUTH-001") is Status.SKIPPED
    verdicts = {p.name: p.verdict for p in result.profiles}
    assert verdicts["chat"] == "skip"
    assert result.exit_code == EXIT_PASSED


def test_a_plain_assertion_fails_every_requirement_of_its_test(spec: Spec) -> None:
    records = [record("LOOKUP-SHAPE-001", "LOOKUP-MATCH-001", outcome=Status.FAILED, reason="boom")]
    result = aggregate(spec, records, ["lookup"])
    assert status_of(result, "LOOKUP-SHAPE-001") is Status.FAILED
    assert status_of(result, "LOOKUP-MATCH-001") is Status.FAILED


def test_a_property_that_stopped_early_did_not_judge_its_other_requirements(spec: Spec) -> None:
    finding = Finding("MODELS-SPEC-001", "undocumented status")
    stopped = SuiteRecord(
        "suite::prop",
        ("MODELS-SPEC-001", "MODELS-SPEC-002"),
        Status.FAILED,
        (finding,),
        complete=False,
    )
    result = aggregate(spec, [stopped], ["models"])
    spec_002 = next(r for r in result.requirements if r.requirement.id == "MODELS-SPEC-002")
    assert spec_002.status is Status.SKIPPED
    assert "not judged to the end" in str(spec_002.reason)
    finished = SuiteRecord("suite::other", ("MODELS-SPEC-002",), Status.PASSED)
    result = aggregate(spec, [stopped, finished], ["models"])
    assert status_of(result, "MODELS-SPEC-002") is Status.PASSED
