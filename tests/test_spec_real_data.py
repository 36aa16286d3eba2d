"""Real data is the judge of fairness: the Model schema must accept what OpenRouter serves.

If a ruling makes a real, current snapshot fail, the ruling is wrong, not the data. The
2025-05 snapshot predates canonical_slug, default_parameters and expiration_date, so every
one of its models must be refused.
"""

from __future__ import annotations

import json

import pytest

from arouter_conformance.checks.listing import created_in_seconds
from arouter_conformance.spec import Spec
from tests.factories import listing
from tests.snapshots import shared_snapshot

CURRENT = [
    ("openrouter_models_2026-08-19_output_modalities_all_anuran-roy.json", 549),
    ("openrouter_models_2026-08-19_default_text_anuran-roy.json", 414),
    ("openrouter_models_2026-03-10_dongasai-cd_api.json", 346),
]
OLD = ("openrouter_models_2025-05-23_madviking-pydantic-llm-tester.json", 321)


def _models(name: str) -> list[dict[str, object]]:
    document = json.loads(shared_snapshot(name).read_text(encoding="utf-8"))
    return list(document["data"])


@pytest.mark.parametrize(("name", "size"), CURRENT)
def test_current_snapshots_are_accepted_model_by_model(spec: Spec, name: str, size: int) -> None:
    models = _models(name)
    assert len(models) == size
    validator = spec.validator("Model.json")
    refused = {
        str(model["id"]): [e.message for e in validator.iter_errors(model)][:3]
        for model in models
        if not validator.is_valid(model)
    }
    assert refused == {}


@pytest.mark.parametrize(("name", "size"), CURRENT)
def test_current_snapshots_are_accepted_as_list_answers(spec: Spec, name: str, size: int) -> None:
    document = json.loads(shared_snapshot(name).read_text(encoding="utf-8"))
    assert spec.validator("ModelList.json").is_valid(document)


def test_the_2026_08_envelopes_meet_the_openrouter_sdk_overlay(spec: Spec) -> None:
    for name, _ in CURRENT[:2]:
        document = json.loads(shared_snapshot(name).read_text(encoding="utf-8"))
        errors = [e.message for e in spec.validator("SdkList.json").iter_errors(document)]
        assert errors == []


@pytest.mark.parametrize("name", [name for name, _ in (*CURRENT, OLD)])
def test_real_created_values_are_seconds(name: str) -> None:
    models = _models(name)
    assert created_in_seconds(models, listing()) == []


def test_every_model_of_the_2025_snapshot_is_refused(spec: Spec) -> None:
    name, size = OLD
    models = _models(name)
    assert len(models) == size
    validator = spec.validator("Model.json")
    accepted = [model["id"] for model in models if validator.is_valid(model)]
    assert accepted == []
    missing = {e.message for model in models[:5] for e in validator.iter_errors(model)}
    assert any("canonical_slug" in m for m in missing)
    assert any("expiration_date" in m for m in missing)
