"""Filter checks: exact sets for output_modalities and supported_parameters, fair edge cases."""

from __future__ import annotations

import pytest

from arouter_conformance.checks import filters
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import ledger
from arouter_conformance.oracle import Baseline, parse_modalities
from arouter_conformance.spec import Spec
from tests.factories import exchange, listing, model

IMAGE = {
    "input_modalities": ["text"],
    "output_modalities": ["image"],
    "tokenizer": "x",
    "instruct_type": None,
}


@pytest.fixture
def baseline(spec: Spec) -> Baseline:
    return Baseline(
        [
            model("a/t1", supported_parameters=["tools", "seed"]),
            model("a/t2", supported_parameters=["seed"]),
            model("b/i1", architecture=IMAGE, supported_parameters=[]),
        ],
        spec.contract,
    )


def test_exact_set_passes_and_one_missing_model_fails(spec: Spec, baseline: Baseline) -> None:
    selection = parse_modalities(None, spec.contract)
    right = listing(baseline.by_id["a/t2"], baseline.by_id["a/t1"])  # another order is fine
    assert filters.modality_answer("MODELS-FILTER-001", right, selection, baseline) == []
    short = listing(baseline.by_id["a/t1"])
    found = filters.modality_answer("MODELS-FILTER-001", short, selection, baseline)
    assert "missing 1: a/t2" in found[0].message


def test_unknown_values_may_be_refused_or_select_nothing(spec: Spec, baseline: Baseline) -> None:
    unknown = parse_modalities("zz-unknown", spec.contract)
    refused = exchange({"error": {"code": 400, "message": "bad"}}, status=400)
    assert filters.unknown_modality_answer(refused, unknown, baseline) == []
    empty = listing()
    assert [f.requirement for f in filters.unknown_modality_answer(empty, unknown, baseline)] == [
        "MODELS-FILTER-007"
    ]
    everything = listing(*baseline.models)
    owners = {f.requirement for f in filters.unknown_modality_answer(everything, unknown, baseline)}
    assert owners == {"MODELS-FILTER-006", "MODELS-FILTER-007"}
    crashed = exchange({"error": {"code": 500, "message": "x"}}, status=500)
    owners = {f.requirement for f in filters.unknown_modality_answer(crashed, unknown, baseline)}
    assert "MODELS-FILTER-006" in owners


def test_known_and_unknown_names_may_select_less_never_more(spec: Spec, baseline: Baseline) -> None:
    """MODELS-FILTER-006 and ruling R8: a 200 to `image,zz-unknown` holds no model beyond
    what `image` selects; the unknown name ignored, or the whole value read as nothing."""
    mixed = parse_modalities("image,zz-unknown", spec.contract)

    def owners(answer: Exchange) -> set[str]:
        return {f.requirement for f in filters.unknown_modality_answer(answer, mixed, baseline)}

    assert owners(listing(baseline.by_id["b/i1"])) == {"MODELS-FILTER-007"}
    assert owners(listing()) == {"MODELS-FILTER-007"}
    beyond = filters.unknown_modality_answer(
        listing(baseline.by_id["b/i1"], baseline.by_id["a/t1"]), mixed, baseline
    )
    assert [f.requirement for f in beyond] == ["MODELS-FILTER-007", "MODELS-FILTER-006"]
    assert "unexpected 1: a/t1" in beyond[1].message


def test_an_empty_value_may_mean_the_default(spec: Spec, baseline: Baseline) -> None:
    empty = parse_modalities("", spec.contract)
    default = listing(baseline.by_id["a/t1"], baseline.by_id["a/t2"])
    owners = {f.requirement for f in filters.unknown_modality_answer(default, empty, baseline)}
    assert owners == {"MODELS-FILTER-007"}


def test_several_parameters_either_rule_but_one_rule(baseline: Baseline) -> None:
    scope = baseline.models
    both = listing(baseline.by_id["a/t1"])
    either = listing(baseline.by_id["a/t1"], baseline.by_id["a/t2"])
    names = ("tools", "seed")
    first, found = filters.parameter_answer("MODELS-PARAM-002", both, scope, names, ("all", "any"))
    assert found == []
    second, found = filters.parameter_answer(
        "MODELS-PARAM-002", either, scope, names, ("all", "any")
    )
    assert found == []
    assert first is not None
    assert second is not None
    assert filters.parameter_rule_consistency([first], None) == []
    assert (
        filters.parameter_rule_consistency([first, second], None)[0].requirement
        == "MODELS-PARAM-002"
    )
    assert filters.parameter_rule_consistency([second], "all")


def test_a_parameter_filter_that_drops_a_model_fails(baseline: Baseline) -> None:
    _, found = filters.parameter_answer(
        "MODELS-PARAM-001", listing(), baseline.models, ["seed"], ("all",)
    )
    assert "missing 2" in found[0].message


def test_spaces_around_commas(spec: Spec, baseline: Baseline) -> None:
    spaced = parse_modalities("text , image", spec.contract)
    compact = listing(*baseline.models)
    assert filters.spaced_modalities(listing(*baseline.models), compact, spaced, baseline) == []
    refused = exchange({"error": {"code": 400, "message": "x"}}, status=400)
    found = filters.spaced_modalities(refused, compact, spaced, baseline)
    assert found[0].requirement == "MODELS-FILTER-005"


def test_filters_cannot_be_judged_on_models_that_do_not_say_their_outputs(spec: Spec) -> None:
    """An OpenAI-style list: no answer to a filter is right or wrong, so no finding and no
    judgement, and the requirement ends inconclusive with the reason."""
    bare = Baseline([{"id": "gpt-x", "object": "model"}], spec.contract)
    answer = listing({"id": "gpt-x", "object": "model"})
    image = parse_modalities("image", spec.contract)
    with ledger() as book:
        assert filters.modality_answer("MODELS-FILTER-002", answer, image, bare) == []
        assert filters.unknown_modality_answer(answer, image, bare) != []  # only the SHOULD
        assert filters.spaced_modalities(answer, answer, image, bare) == []
    assert book.judged == {"MODELS-FILTER-007"}
    assert set(book.unjudgeable) == {"MODELS-FILTER-002", "MODELS-FILTER-005", "MODELS-FILTER-006"}


def test_a_model_without_outputs_is_left_out_of_the_comparison(
    spec: Spec, baseline: Baseline
) -> None:
    bare = {"id": "zz/bare", "object": "model"}
    mixed = Baseline([*baseline.models, bare], spec.contract)
    text = parse_modalities(None, spec.contract)
    both = listing(*baseline.text_models(), bare)
    assert filters.modality_answer("MODELS-FILTER-001", both, text, mixed) == []


def test_invented_names_select_nothing_even_on_models_that_say_nothing(spec: Spec) -> None:
    """A value naming no known modality, or only parameters nobody can support, selects
    nothing whatever the models hold: an answer that ignored it is wrong, and judged so."""
    bare = Baseline([{"id": "gpt-x", "object": "model"}], spec.contract)
    everything = listing({"id": "gpt-x", "object": "model"})
    unknown = parse_modalities("zz-unknown-a", spec.contract)
    with ledger() as book:
        owners = {f.requirement for f in filters.unknown_modality_answer(everything, unknown, bare)}
        found = filters.unknown_parameter_answer(
            everything,
            [],
            ("zz-unknown-parameter",),
            ("all", "any"),
            unknown=("zz-unknown-parameter",),
        )
    assert owners == {"MODELS-FILTER-006", "MODELS-FILTER-007"}
    assert [f.requirement for f in found] == ["MODELS-PARAM-003"]
    assert {"MODELS-FILTER-006", "MODELS-PARAM-003"} <= book.judged
