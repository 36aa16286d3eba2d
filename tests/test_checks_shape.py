"""Schema checks attribute each error to the requirement that owns the field."""

from __future__ import annotations

import pytest

from arouter_conformance.checks.http import (
    error_body,
    error_status_code,
    json_answer,
    no_server_error,
)
from arouter_conformance.checks.listing import (
    context_lengths,
    created_in_seconds,
    free_variants,
    list_envelope,
    model_objects,
    unique_ids,
)
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.findings import Inconclusive
from arouter_conformance.spec import load_spec
from tests.factories import exchange, listing, model

SPEC = load_spec()  # the catalog the checks judge by, passed in as the engine does


def owners(findings: list) -> set[str]:  # type: ignore[type-arg]
    return {f.requirement for f in findings}


def test_a_valid_model_has_no_findings() -> None:
    assert model_objects(SPEC, [model("a/b")], listing(model("a/b"))) == []


@pytest.mark.parametrize(
    ("broken", "owner"),
    [
        (model("a/b", created="yesterday"), "MODELS-MODEL-001"),
        ({k: v for k, v in model("a/b").items() if k != "canonical_slug"}, "MODELS-MODEL-001"),
        ({k: v for k, v in model("a/b").items() if k != "expiration_date"}, "MODELS-MODEL-003"),
        (model("a/b", expiration_date="31/12/2026"), "MODELS-MODEL-003"),
        (model("a/b", pricing={"prompt": 0.000001, "completion": "0.1"}), "MODELS-PRICING-001"),
        (model("a/b", pricing={"prompt": "1e-6", "completion": "0.1"}), "MODELS-PRICING-001"),
        (
            model("a/b", pricing={"prompt": "0.1", "completion": "0.1", "request": "-1"}),
            "MODELS-PRICING-001",
        ),
        (model("a/b", pricing={"completion": "0.1"}), "MODELS-PRICING-001"),
        (
            model(
                "a/b",
                architecture={
                    "input_modalities": ["text"],
                    "output_modalities": [],
                    "tokenizer": "x",
                    "instruct_type": None,
                },
            ),
            "MODELS-ARCH-001",
        ),
        (model("a/b", top_provider={"context_length": 1}), "MODELS-TOPPROV-001"),
        (model("a/b", benchmarks={"design_arena": [{"arena": "x"}]}), "MODELS-BENCH-001"),
        (model("a b/c"), "MODELS-ID-002"),
    ],
)
def test_errors_go_to_the_requirement_owning_the_field(broken: dict, owner: str) -> None:  # type: ignore[type-arg]
    assert owners(model_objects(SPEC, [broken], listing(broken))) == {owner}


def test_extra_keys_and_unknown_names_are_allowed() -> None:
    generous = model(
        "a/b:batch",
        extra={"x": 1},
        supported_parameters=["future_param"],
        architecture={
            "input_modalities": ["smell"],
            "output_modalities": ["video"],
            "tokenizer": "x",
            "instruct_type": None,
            "modality": "x",
        },
        pricing={"prompt": "-1", "completion": "-1", "discount": 0.5, "overrides": []},
    )
    assert model_objects(SPEC, [generous], listing(generous)) == []


def test_envelope_needs_a_data_array() -> None:
    assert list_envelope(SPEC, listing(model("a/b")))[1] == []
    assert owners(list_envelope(SPEC, exchange({"models": []}))[1]) == {"MODELS-LIST-001"}
    assert owners(
        list_envelope(SPEC, exchange(raw=b"<html>", headers={"content-type": "text/html"}))[1]
    ) == {"MODELS-LIST-001"}
    assert owners(list_envelope(SPEC, exchange({"data": []}, status=500))[1]) == {"MODELS-LIST-001"}


def test_ids_context_and_free_prices() -> None:
    twice = [model("a/b"), model("a/b")]
    assert owners(unique_ids(twice, listing(*twice))) == {"MODELS-ID-001"}
    unknown = [model("a/b", context_length=None)]
    assert owners(context_lengths(unknown, listing(*unknown))) == {"MODELS-MODEL-002"}
    priced = [model("a/b:free", pricing={"prompt": "0.0", "completion": "0.000001"})]
    found = free_variants(priced, listing(*priced))
    assert [f.pointer for f in found] == ["/data/0/pricing/completion"]
    free = [model("a/b:free", pricing={"prompt": "0", "completion": "0.000"})]
    assert free_variants(free, listing(*free)) == []


def test_created_past_the_year_3000_is_milliseconds() -> None:
    seconds = [model("a/b", created=1_748_000_000), model("a/c", created=0)]
    assert created_in_seconds(seconds, listing(*seconds)) == []
    edge = [model("a/b", created=32_503_680_000)]  # 3000-01-01 exactly
    assert created_in_seconds(edge, listing(*edge)) == []
    millis = [model("a/b", created=1_748_000_000), model("a/c", created=1_748_000_000_000)]
    found = created_in_seconds(millis, listing(*millis))
    assert [(f.requirement, f.pointer) for f in found] == [
        ("MODELS-CREATED-001", "/data/1/created")
    ]
    typed = [model("a/b", created="1748000000")]  # MODELS-MODEL-001's finding, not this one
    assert created_in_seconds(typed, listing(*typed)) == []


def test_error_bodies() -> None:
    good = exchange({"error": {"code": 404, "message": "no"}}, status=404)
    assert error_body(SPEC, "MODELS-ERROR-001", good) == []
    openai_form = {"message": "no", "type": "invalid_request_error", "code": "model_not_found"}
    assert error_body(SPEC, "MODELS-ERROR-001", exchange({"error": openai_form}, status=404)) == []
    for code in (None, 400, "404"):
        body = {"error": {"code": code, "message": "no"}}
        assert error_body(SPEC, "MODELS-ERROR-001", exchange(body, status=404)) == []
    text = exchange(raw=b"not found", status=404, headers={"content-type": "text/plain"})
    assert len(error_body(SPEC, "MODELS-ERROR-001", text)) == 2
    flat = exchange({"error": "not found"}, status=404)
    assert owners(error_body(SPEC, "MODELS-ERROR-001", flat)) == {"MODELS-ERROR-001"}
    no_message = exchange({"error": {"code": 404}}, status=404)
    assert [f.pointer for f in error_body(SPEC, "MODELS-ERROR-001", no_message)] == ["/error"]
    assert error_body(SPEC, "MODELS-ERROR-001", exchange({"data": []})) == []


def test_error_status_codes() -> None:
    good = exchange({"error": {"code": 404, "message": "no"}}, status=404)
    assert error_status_code(SPEC, "MODELS-ERROR-002", good) == []
    wrong = exchange({"error": {"code": 400, "message": "no"}}, status=404)
    assert [f.pointer for f in error_status_code(SPEC, "MODELS-ERROR-002", wrong)] == [
        "/error/code"
    ]
    for code in ("model_not_found", None, "404"):
        body = {"error": {"code": code, "message": "no"}}
        found = error_status_code(SPEC, "CHAT-ERROR-002", exchange(body, status=404))
        assert owners(found) == {"CHAT-ERROR-002"}, code
    missing = exchange({"error": {"message": "no"}}, status=400)
    assert [f.pointer for f in error_status_code(SPEC, "MODELS-ERROR-002", missing)] == ["/error"]
    # No error object to read a code from: the MUST's business, not this SHOULD's.
    text = exchange(raw=b"not found", status=404, headers={"content-type": "text/plain"})
    assert error_status_code(SPEC, "MODELS-ERROR-002", text) == []
    assert error_status_code(SPEC, "MODELS-ERROR-002", exchange({"error": "no"}, status=404)) == []
    assert error_status_code(SPEC, "MODELS-ERROR-002", exchange({"data": []})) == []


def test_schema_findings_name_the_answer_and_the_place() -> None:
    answered = exchange({"data": {}}, path="/models/count")
    (found,) = schema_findings(
        SPEC, "ModelCount.json", answered.json(), exchange=answered, attribute_to="COUNT-SHAPE-001"
    )
    assert found.message == (f"{answered.describe()}: 'count' is a required property at /data")
    assert found.line() == f"[COUNT-SHAPE-001] {found.message}"
    (bare,) = schema_findings(SPEC, "Error.json", {}, attribute_to="MODELS-ERROR-001")
    assert bare.message == "'error' is a required property at the top level"


def test_a_limit_stops_the_validation_after_that_many_errors() -> None:
    broken = {"data": [{"id": n} for n in range(1000)]}
    every = schema_findings(SPEC, "ModelList.json", broken, attribute_to="USER-SHAPE-001")
    assert len(every) > 1000
    first = schema_findings(SPEC, "ModelList.json", broken, attribute_to="USER-SHAPE-001", limit=3)
    assert first == every[:3]


def test_json_answer_and_server_errors() -> None:
    assert json_answer("X", exchange({"a": 1}))[0] == {"a": 1}
    assert json_answer("X", exchange(raw=b'{"a": NaN}'))[1]
    assert json_answer("X", exchange(raw=b"\xff\xfe"))[1]
    with pytest.raises(Inconclusive, match="nests deeper than the kit parses"):
        json_answer("X", exchange(raw=b"[" * 100000))  # the kit's limit, not the target's
    assert no_server_error("X", exchange({}, status=503))
    assert not no_server_error("X", exchange({}, status=400))


def test_requirements_argument_limits_attribution() -> None:
    found = schema_findings(SPEC, "Error.json", {"error": {}}, requirements=["CHAT-ERROR-001"])
    assert owners(found) == {"CHAT-ERROR-001"}
    with pytest.raises(ValueError, match="no requirement is bound"):
        schema_findings(SPEC, "Error.json", {}, requirements=["MODELS-LIST-001"])
