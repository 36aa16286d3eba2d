"""Profile openai-list: the list as the OpenAI-compatible flavour shows it (seed 001)."""

from __future__ import annotations

import pytest

from arouter_conformance.checks import openai_list
from arouter_conformance.checks.http import json_answer
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.findings import Inconclusive, require
from arouter_conformance.interop import openai_models
from arouter_conformance.session import Run

requirement = pytest.mark.requirement


@requirement("OPENAI-LIST-001", "OPENAI-LIST-002")
def test_list_and_models_carry_openai_fields(run: Run) -> None:
    exchange = run.target.get("/models")
    body, findings = json_answer("OPENAI-LIST-001", exchange)
    require(findings)
    require(schema_findings(run.spec, "OpenAIList.json", body, exchange=exchange))


@requirement("OPENAI-LIST-003")
def test_owned_by_is_the_author(run: Run) -> None:
    exchange, models = run.models()
    require(openai_list.owned_by_author(exchange, models or []))


@requirement("OPENAI-LIST-004")
def test_openai_sdk_lists_the_same_ids(run: Run) -> None:
    exchange, models = run.models()
    if models is None:
        raise Inconclusive(
            "the list could not be read (see MODELS-LIST-001)", blocked_by="MODELS-LIST-001"
        )
    require(openai_models(run.target, exchange, models))
