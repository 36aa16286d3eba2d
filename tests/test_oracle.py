"""The oracle: expected answers computed from the baseline, as the rulings read them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from arouter_conformance.oracle import (
    Baseline,
    author_of,
    chat_capable,
    decimal_price,
    parse_list,
    parse_modalities,
    price_vector,
    select_by_parameters,
    split_variant,
    strictly_dominates,
)
from arouter_conformance.planning import chat_models, cheapest_first, total_price
from arouter_conformance.spec import Spec
from tests.factories import model
from tests.snapshots import shared_snapshot


def arch(*outputs: str) -> dict[str, object]:
    return {
        "input_modalities": ["text"],
        "output_modalities": list(outputs),
        "tokenizer": "Other",
        "instruct_type": None,
    }


@pytest.fixture
def baseline(spec: Spec) -> Baseline:
    return Baseline(
        [
            model("a/text", supported_parameters=["tools", "seed"]),
            model("a/text:free", pricing={"prompt": "0", "completion": "0"}),
            model("b/image", architecture=arch("image")),
            model("b/both", architecture=arch("text", "image"), supported_parameters=["seed"]),
            model("c/embed", architecture=arch("embeddings"), supported_parameters=[]),
            model("~c/latest"),
            model("r/router", pricing={"prompt": "-1", "completion": "-1"}),
            {"no": "id"},
        ],
        spec.contract,
    )


def test_ids_and_variants() -> None:
    assert author_of("~x-ai/grok-latest") == "x-ai"
    assert split_variant("a/b:free") == ("a/b", "free")
    assert split_variant("a/b") == ("a/b", None)
    assert split_variant("a/b:c:d") == ("a/b", "c:d")


def test_comma_lists_are_trimmed() -> None:
    assert parse_list(" text , image,,") == ("text", "image")


def test_modalities_default_to_text_and_all_means_everything(
    spec: Spec, baseline: Baseline
) -> None:
    assert parse_modalities(None, spec.contract).tokens == {"text"}
    assert parse_modalities("all", spec.contract).everything
    assert parse_modalities(" all ", spec.contract).everything
    assert parse_modalities("", spec.contract).empty
    assert parse_modalities("text , image", spec.contract).spaced
    assert not parse_modalities("text,image", spec.contract).spaced
    ids = lambda raw: {m["id"] for m in baseline.select(parse_modalities(raw, spec.contract))}  # noqa: E731
    assert ids(None) == {"a/text", "a/text:free", "b/both", "~c/latest", "r/router"}
    assert ids("image") == {"b/image", "b/both"}
    assert ids("image,embeddings") == {"b/image", "b/both", "c/embed"}
    assert ids("zz-unknown") == set()
    assert len(ids("all")) == 7


def test_known_modalities_include_the_documented_and_the_listed(baseline: Baseline) -> None:
    assert {"text", "image", "audio", "embeddings"} <= baseline.known_modalities


def test_parameter_rules(baseline: Baseline) -> None:
    models = baseline.models
    assert {m["id"] for m in select_by_parameters(models, ["tools", "seed"], "all")} == {"a/text"}
    assert {m["id"] for m in select_by_parameters(models, ["tools", "seed"], "any")} >= {
        "a/text",
        "b/both",
    }


def test_telling_filters_keep_some_but_not_all(baseline: Baseline, spec: Spec) -> None:
    # Of the five text models tools keeps four, max_tokens three and seed two: without the
    # preferred name, the most even split wins, ties by name. image is the most common
    # other output (embeddings keeps one model, image two).
    assert baseline.telling_parameter() == "tools"
    assert baseline.telling_parameter(preferred="none") == "max_tokens"
    assert baseline.telling_modality() == "image"
    assert Baseline([model("a/one")], spec.contract).telling_parameter() is None
    assert Baseline([model("a/one")], spec.contract).telling_modality() is None


def test_prices_are_decimals_with_absent_as_zero(spec: Spec) -> None:
    priced = model("a/b", pricing={"prompt": "0.1", "completion": "0.2", "web_search": "0.01"})
    assert price_vector(priced, spec.contract) == (
        Decimal("0.1"),
        Decimal("0.2"),
        Decimal("0"),
        Decimal("0.01"),
    )
    assert (
        price_vector(model("r/r", pricing={"prompt": "-1", "completion": "-1"}), spec.contract)
        is None
    )
    assert (
        price_vector(model("x/y", pricing={"prompt": 0.1, "completion": "1"}), spec.contract)
        is None
    )
    assert (
        price_vector(model("x/y", pricing={"prompt": "NaN", "completion": "1"}), spec.contract)
        is None
    )


def test_a_price_is_a_finite_decimal_string_of_at_least_zero() -> None:
    """One reading for the sorts, the list filters and the planner."""
    assert decimal_price("0.0000010") == Decimal("0.000001")
    assert decimal_price("1e999999") == Decimal("1e999999")
    for unreadable in (0.1, None, "", "1e", "NaN", "sNaN", "Infinity", "-1", "-0.5"):
        assert decimal_price(unreadable) is None, unreadable


def test_a_total_beyond_what_a_decimal_holds_is_no_price() -> None:
    assert total_price(model("a/b", pricing={"prompt": "1", "completion": "2"})) == 3
    huge = model("a/b", pricing={"prompt": "9e999999", "completion": "9e999999"})
    assert total_price(huge) is None


def test_dominance_is_strict_and_partial() -> None:
    one, two = Decimal(1), Decimal(2)
    assert strictly_dominates((one, one), (one, two))
    assert not strictly_dominates((one, one), (one, one))
    assert not strictly_dominates((one, two), (two, one))


def test_chat_models_prefer_free_and_skip_routers_and_moving_rows(baseline: Baseline) -> None:
    picks = chat_models(baseline)
    assert picks.cheap == "a/text:free"
    assert picks.free == "a/text:free"
    assert picks.base == "a/text"
    assert picks.without_free is None  # b/both outputs images too: not a plain text model
    assert picks.thinking is None
    assert picks.reasoning_base is None  # no plain text model lists reasoning
    assert picks.non_text in {"b/image", "c/embed"}


@pytest.mark.parametrize(
    "name",
    [
        "openrouter_models_2026-08-19_output_modalities_all_anuran-roy.json",
        "openrouter_models_2026-03-10_dongasai-cd_api.json",
    ],
)
def test_chat_picks_on_real_catalogs_are_plain_text_models(spec: Spec, name: str) -> None:
    """Real catalogs hold routers priced 0 and music models priced 0 per token: neither may
    be picked, or a fair gateway would be judged on a model that answers differently."""
    models = json.loads(shared_snapshot(name).read_text(encoding="utf-8"))["data"]
    baseline = Baseline(models, spec.contract)
    picks = chat_models(baseline)
    for attribute in ("cheap", "base", "free", "without_free", "without_reasoning", "thinking"):
        chosen = getattr(picks, attribute)
        assert chosen is not None, attribute
        assert chat_capable(baseline.by_id[chosen], spec.contract), (attribute, chosen)
    # :thinking appended (CHAT-VARIANT-007): a plain reasoning model, its :thinking unlisted.
    base = picks.reasoning_base
    assert base is not None
    assert ":" not in base
    assert f"{base}:thinking" not in baseline.ids
    assert "reasoning" in baseline.by_id[base]["supported_parameters"]
    assert chat_capable(baseline.by_id[base], spec.contract)
    assert (
        picks.non_text is None
        or "text" not in baseline.by_id[picks.non_text]["architecture"]["output_modalities"]
    )


def test_a_sample_comes_cheapest_first_by_the_price_sorts_keys(spec: Spec) -> None:
    priced = [
        model("a/dear", pricing={"prompt": "0.5", "completion": "0"}),
        model("a/cheap-b", pricing={"prompt": "0", "completion": "0.2"}),
        model("a/router", pricing={"prompt": "-1", "completion": "-1"}),
        model("a/cheap-a", pricing={"prompt": "0", "completion": "0.2"}),
        model("a/huge", pricing={"prompt": "9e999999", "completion": "9e999999"}),
        model("a/unreadable", pricing={"prompt": "x", "completion": "0"}),
    ]
    assert [m["id"] for m in cheapest_first(priced, spec.contract)] == [
        "a/cheap-a",
        "a/cheap-b",
        "a/dear",
        "a/huge",
        "a/router",
        "a/unreadable",
    ]
