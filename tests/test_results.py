"""From test records to requirement statuses, verdicts and the exit code."""

from __future__ import annotations

import pytest

from arouter_conformance.findings import Finding
from arouter_conformance.results import (
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_PASSED,
    NOTHING_JUDGED,
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
    judged: tuple[str, ...] | None = None,
    unjudgeable: dict[str, str] | None = None,
) -> SuiteRecord:
    """A test's record; by default its checks judged every requirement it carries."""
    return SuiteRecord(
        "suite::test",
        ids,
        outcome,
        findings,
        reason,
        judged=frozenset(ids if judged is None else judged),
        unjudgeable=unjudgeable or {},
    )


def result_of(result, rid: str):  # type: ignore[no-untyped-def]
    return next(r for r in result.requirements if r.requirement.id == rid)


def status_of(result, rid: str) -> Status:  # type: ignore[no-untyped-def]
    return result_of(result, rid).status


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
    records = [record("MODELS-MODEL-001", "MODELS-ID-001", outcome=Status.FAILED, reason="boom")]
    result = aggregate(spec, records, ["models"])
    assert status_of(result, "MODELS-MODEL-001") is Status.FAILED
    assert status_of(result, "MODELS-ID-001") is Status.FAILED


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
    spec_002 = result_of(result, "MODELS-SPEC-002")
    assert spec_002.status is Status.BLOCKED
    assert spec_002.blocked_by == "MODELS-SPEC-001"
    assert "not judged to the end" in str(spec_002.reason)
    finished = record("MODELS-SPEC-002")
    result = aggregate(spec, [stopped, finished], ["models"])
    assert status_of(result, "MODELS-SPEC-002") is Status.PASSED


def test_a_test_that_judged_nothing_passes_nothing(spec: Spec) -> None:
    result = aggregate(spec, [record("SORT-NEWEST-001", judged=())], ["sort"])
    newest = result_of(result, "SORT-NEWEST-001")
    assert newest.status is Status.INCONCLUSIVE
    assert newest.reason == NOTHING_JUDGED
    assert result.exit_code == EXIT_ERROR
    assert {p.name: p.verdict for p in result.profiles}["sort"] == "inconclusive"


def test_what_the_data_cannot_show_is_inconclusive_with_the_reason(spec: Spec) -> None:
    why = "every model in the answer ties on created: no order to tell"
    tied = record("SORT-NEWEST-001", judged=(), unjudgeable={"SORT-NEWEST-001": why})
    result = aggregate(spec, [tied], ["sort"])
    assert result_of(result, "SORT-NEWEST-001").reason == why
    # One observation that could tell is enough: judged beats unjudgeable.
    both = record("SORT-NEWEST-001", unjudgeable={"SORT-NEWEST-001": why})
    assert status_of(aggregate(spec, [both], ["sort"]), "SORT-NEWEST-001") is Status.PASSED


def test_a_test_that_cannot_judge_at_all_ends_inconclusive(spec: Spec) -> None:
    why = "no model to chat with: name one with --chat-model"
    records = [record("CHAT-SDK-001", outcome=Status.INCONCLUSIVE, reason=why, judged=())]
    result = aggregate(spec, records, ["chat"])
    assert status_of(result, "CHAT-SDK-001") is Status.INCONCLUSIVE
    assert result_of(result, "CHAT-SDK-001").reason == why
    assert result.exit_code == EXIT_ERROR


def test_a_failed_prerequisite_blocks_instead_of_failing_twice(spec: Spec) -> None:
    missing = Finding("COUNT-SHAPE-001", "GET /models/count answered 404")
    mismatch = Finding("COUNT-MATCH-001", "GET /models/count answered 404")
    records = [
        record("COUNT-SHAPE-001", outcome=Status.FAILED, findings=(missing,)),
        record("COUNT-MATCH-001", outcome=Status.FAILED, findings=(mismatch,)),
        record("COUNT-UNKNOWN-001"),
    ]
    result = aggregate(spec, records, ["count"])
    assert status_of(result, "COUNT-SHAPE-001") is Status.FAILED
    for rid in ("COUNT-MATCH-001", "COUNT-UNKNOWN-001"):
        blocked = result_of(result, rid)
        assert blocked.status is Status.BLOCKED, rid
        assert blocked.blocked_by == "COUNT-SHAPE-001"
        assert "COUNT-SHAPE-001" in str(blocked.reason)
    assert result.exit_code == EXIT_FAILED


def test_blocking_names_the_root_failure_through_a_chain(spec: Spec) -> None:
    refused = Finding("CHAT-SERVE-001", "POST /chat/completions answered 500")
    records = [
        record("CHAT-SERVE-001", outcome=Status.FAILED, findings=(refused,)),
        record("CHAT-STREAM-001", "CHAT-STREAM-003"),
    ]
    result = aggregate(spec, records, ["chat"])
    assert result_of(result, "CHAT-STREAM-003").blocked_by == "CHAT-SERVE-001"
    assert result_of(result, "CHAT-STREAM-001").blocked_by == "CHAT-SERVE-001"


def test_a_prerequisite_in_an_unclaimed_profile_blocks_nothing(spec: Spec) -> None:
    result = aggregate(spec, [record("MODELS-SPEC-001")], ["models"])
    assert status_of(result, "MODELS-SPEC-001") is Status.PASSED


def test_a_claimed_profile_is_never_pass_on_nothing(spec: Spec) -> None:
    skipped = record("VIS-LIST-001", outcome=Status.SKIPPED, reason="not applicable: x")
    verdicts = {p.name: p.verdict for p in aggregate(spec, [skipped], ["visibility"]).profiles}
    assert verdicts["visibility"] == "skip"


def test_what_does_not_apply_is_skipped_with_the_reason(spec: Spec) -> None:
    shapes = SuiteRecord(
        "suite::shapes",
        ("MODELS-MODEL-001", "MODELS-BENCH-001"),
        Status.PASSED,
        judged=frozenset({"MODELS-MODEL-001"}),
        inapplicable={"MODELS-BENCH-001": "no listed model carries benchmarks"},
    )
    result = aggregate(spec, [shapes], ["models"])
    bench = result_of(result, "MODELS-BENCH-001")
    assert bench.status is Status.SKIPPED
    assert bench.reason == "not applicable: no listed model carries benchmarks"


def test_a_chain_of_blocks_names_the_first_failure(spec: Spec) -> None:
    ignored = Finding("MODELS-FILTER-002", "output_modalities=audio answered the text list")
    records = [
        record("MODELS-FILTER-002", outcome=Status.FAILED, findings=(ignored,)),
        record("MODELS-FILTER-003"),
    ]
    result = aggregate(spec, records, ["models"])
    assert result_of(result, "MODELS-FILTER-003").blocked_by == "MODELS-FILTER-002"


def test_a_run_of_chosen_requirements_is_judged_on_those_alone(spec: Spec) -> None:
    """--requirement CHAT-STREAM-004: its test also carries CHAT-USAGE-002, which the
    stream alone cannot show; that is reported, and does not decide the exit code."""
    no_usage = Finding("CHAT-STREAM-004", "the stream has 0 usage chunks")
    stream = record(
        "CHAT-STREAM-004",
        "CHAT-USAGE-002",
        outcome=Status.FAILED,
        findings=(no_usage,),
        judged=("CHAT-STREAM-004",),
        unjudgeable={"CHAT-USAGE-002": "no completion_tokens to compare"},
    )
    served = record("CHAT-SERVE-001", "CHAT-STREAM-001")
    result = aggregate(spec, [stream, served], ["chat"], selected=["CHAT-STREAM-004"])
    assert status_of(result, "CHAT-USAGE-002") is Status.INCONCLUSIVE
    assert result.exit_code == EXIT_PASSED
    assert aggregate(spec, [stream, served], ["chat"]).exit_code == EXIT_ERROR


def test_a_test_with_nothing_to_judge_for_want_of_a_failed_one_is_blocked(spec: Spec) -> None:
    """The list could not be read: what is judged against it is blocked by MODELS-LIST-001
    when that failed, and only inconclusive when it did not (it was not claimed)."""
    unreadable = Finding("MODELS-LIST-001", "GET /models -> 200: the answer has no data array")
    records = [
        record("MODELS-LIST-001", outcome=Status.FAILED, findings=(unreadable,)),
        SuiteRecord(
            "suite::ids",
            ("MODELS-ID-001",),
            Status.BLOCKED,
            reason="the list could not be read",
            blocked_by="MODELS-LIST-001",
        ),
    ]
    blocked = result_of(aggregate(spec, records, ["models"]), "MODELS-ID-001")
    assert (blocked.status, blocked.blocked_by) == (Status.BLOCKED, "MODELS-LIST-001")
    unclaimed = SuiteRecord(
        "suite::sdk",
        ("OPENAI-LIST-004",),
        Status.BLOCKED,
        reason="the list could not be read",
        blocked_by="MODELS-LIST-001",
    )
    alone = result_of(aggregate(spec, [unclaimed], ["openai-list"]), "OPENAI-LIST-004")
    assert (alone.status, alone.blocked_by) == (Status.INCONCLUSIVE, None)


def test_a_test_that_broke_after_findings_leaves_the_rest_in_error_not_blocked(
    spec: Spec,
) -> None:
    """The network gave out after a SHOULD finding: what was not reached is an error (the
    run cannot say), never blocked by the SHOULD, which stops nothing."""
    should = Finding("MODELS-MODEL-002", "null context")
    broken = SuiteRecord(
        "suite::test",
        ("MODELS-MODEL-002", "MODELS-LIST-001"),
        Status.FAILED,
        (should,),
        complete=False,
        broke="TargetError: GET /v1/models: connection reset",
    )
    result = aggregate(spec, [broken], ["models"])
    listed = result_of(result, "MODELS-LIST-001")
    assert listed.status is Status.ERROR
    assert listed.reason is not None
    assert "connection reset" in listed.reason
    assert status_of(result, "MODELS-MODEL-002") is Status.FAILED
    assert result.exit_code == EXIT_ERROR


def test_a_test_stopped_by_a_must_is_blocked_by_that_must_not_an_earlier_should(
    spec: Spec,
) -> None:
    findings = (Finding("MODELS-MODEL-002", "null context"), Finding("MODELS-ARCH-001", "bad"))
    stopped = SuiteRecord(
        "suite::test",
        ("MODELS-MODEL-002", "MODELS-ARCH-001", "MODELS-LIST-001"),
        Status.FAILED,
        findings,
        complete=False,
    )
    result = aggregate(spec, [stopped], ["models"])
    assert result_of(result, "MODELS-LIST-001").blocked_by == "MODELS-ARCH-001"


def test_what_broke_after_findings_is_kept_for_the_record() -> None:
    """The collector records `broke` from the failure's cause: judging() chains it."""
    from arouter_conformance.client import TargetError
    from arouter_conformance.collector import _reason
    from arouter_conformance.findings import ConformanceFailure, judging

    def probes() -> None:
        with judging() as judgement:
            judgement.add([Finding("MODELS-MODEL-002", "null context")])
            raise TargetError("GET /v1/models: connection reset")

    with pytest.raises(ConformanceFailure) as caught:
        probes()
    assert caught.value.complete is False
    assert _reason(caught.value.__cause__) == "GET /v1/models: connection reset"


def test_a_finding_for_an_undeclared_requirement_is_a_kit_error_not_dropped(
    spec: Spec,
) -> None:
    """Dropped, the stray finding would leave MODELS-LIST-001 passed though a check failed."""
    stray = SuiteRecord(
        "suite::test_list",
        ("MODELS-LIST-001",),
        Status.FAILED,
        (Finding("MODELS-ARCH-001", "bad architecture"),),
        judged=frozenset({"MODELS-LIST-001"}),
    )
    result = aggregate(spec, [stray], ["models"])
    listed = result_of(result, "MODELS-LIST-001")
    assert listed.status is Status.ERROR
    assert listed.reason is not None
    assert "does not declare" in listed.reason
    assert "MODELS-ARCH-001" in listed.reason
    assert result.exit_code == EXIT_ERROR
