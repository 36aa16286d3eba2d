"""Profile models, spec level: schemathesis-generated requests to list, count and lookup."""

from __future__ import annotations

from typing import Any

import pytest

from arouter_conformance import speclevel
from arouter_conformance.findings import Finding, judging, not_applicable
from arouter_conformance.session import Run

requirement = pytest.mark.requirement


def _probe(run: Run, mode: str) -> None:
    """Every operation is probed, even when an earlier one already failed."""
    operations = [
        operation
        for operation in speclevel.listing_operations(run.spec, run.claimed)
        if mode != speclevel.NEGATIVE or speclevel.negatable(run.spec, run.claimed, operation)
    ]
    if not operations:
        not_applicable(
            "MODELS-SPEC-003",
            "no parameter the claimed profiles use has a value the document forbids",
        )
    with judging() as judgement:
        for operation in operations:
            judgement.add(_cases(run, operation, mode))


def _cases(run: Run, operation: Any, mode: str) -> list[Finding]:
    @run.property(
        speclevel.strategy(operation, mode),
        examples=max(1, run.config.examples // 3),
    )
    def case_of(case: Any) -> list[Finding]:
        exchange = run.target.get(case.formatted_path, speclevel.query_pairs(case.query))
        return speclevel.judge(case, exchange, mode)

    return case_of()


@requirement("MODELS-SPEC-001", "MODELS-SPEC-002")
def test_valid_requests_get_documented_answers(run: Run) -> None:
    _probe(run, speclevel.POSITIVE)


@requirement("MODELS-SPEC-002", "MODELS-SPEC-003")
def test_invalid_requests_are_refused_without_a_server_error(run: Run) -> None:
    _probe(run, speclevel.NEGATIVE)
