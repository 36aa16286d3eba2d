"""Profile count: GET /models/count agrees with the list for the same output_modalities."""

from __future__ import annotations

import pytest

from arouter_conformance.checks import count
from arouter_conformance.checks.common import listed_models
from arouter_conformance.findings import Finding, require
from arouter_conformance.session import Run

requirement = pytest.mark.requirement


def _values(run: Run) -> list[str | None]:
    """Absent, each known modality, a comma list and all."""
    baseline = run.baseline()
    pair = baseline.overlapping_pair()
    pairs = [",".join(pair)] if pair else []
    return [None, *sorted(baseline.known_modalities), *pairs, run.contract.all_output_modalities]


@requirement("COUNT-SHAPE-001")
def test_count_has_its_shape(run: Run) -> None:
    _, findings = count.count_value(run.spec, "COUNT-SHAPE-001", run.target.get("/models/count"))
    require(findings)


@requirement("COUNT-MATCH-001")
def test_count_equals_the_list_length(run: Run) -> None:
    findings: list[Finding] = []
    for value in _values(run):
        query = {"output_modalities": value}
        count_exchange = run.target.get("/models/count", query)
        number, problems = count.count_value(run.spec, "COUNT-MATCH-001", count_exchange)
        list_exchange, models = run.models(query)
        if number is None or models is None:
            findings += problems or listed_models("COUNT-MATCH-001", list_exchange)[1]
            continue
        findings += count.count_matches(
            "COUNT-MATCH-001", count_exchange, number, list_exchange, len(models)
        )
    require(findings)


@requirement("COUNT-UNKNOWN-001")
def test_unknown_modalities_on_count(run: Run) -> None:
    findings: list[Finding] = []
    for value in ("zz-unknown-modality", ""):
        query = {"output_modalities": value}
        list_exchange, models = run.models(query)
        listed = len(models) if models is not None and list_exchange.status == 200 else None
        count_exchange = run.target.get("/models/count", query)
        findings += count.unknown_count_answer(run.spec, count_exchange, list_exchange, listed)
    require(findings)
