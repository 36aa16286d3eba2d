"""filters.py: the list filters beyond the seeds (ruling R22), against oracles over the rows.

Every expected set is computed here by scanning the catalog rows (prices as Decimals times
a million, text casefolded, ages from a fixed clock), never through the server's facts.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from reference_server import Catalog, Queries, ReferenceApp, create_app
from reference_server.auth import EVERYONE
from reference_server.catalog import Model
from tests.reference_server.conftest import DEMO, AsgiClient
from tests.reference_server.rows import document, row

Client = AsgiClient | httpx.Client
DAY = 86_400
MILLION = Decimal(10) ** 6


def ids(answer: httpx.Response) -> list[str]:
    assert answer.status_code == 200, answer.text
    return [m["id"] for m in answer.json()["data"]]


def listed(client: Client, **params: str) -> list[str]:
    return ids(client.get("/v1/models", headers=DEMO, params=params))


def scope(
    models: list[Model], keep: Callable[[Model], bool], modalities: str = "text"
) -> list[str]:
    """The ids of the models in the output_modalities scope that `keep` keeps, in order."""
    wanted = None if modalities == "all" else set(modalities.split(","))
    return [
        m["id"]
        for m in models
        if (wanted is None or wanted & set(m["architecture"]["output_modalities"])) and keep(m)
    ]


def author(model: Model) -> str:
    return str(model["id"]).split("/")[0].lstrip("~")


def router(model: Model) -> bool:
    return "-1" in (model["pricing"]["prompt"], model["pricing"]["completion"])


def per_million(model: Model, key: str) -> Decimal:
    return Decimal(model["pricing"][key]) * MILLION


def price_sum(model: Model) -> Decimal:
    keys = ("prompt", "completion", "request", "web_search")
    return sum((Decimal(model["pricing"].get(k, "0")) for k in keys), Decimal(0))


# --- input_modalities --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["text", "image", "audio", "file", "video"])
@pytest.mark.parametrize("modalities", ["text", "all"])
def test_one_input_modality_is_exactly_its_models(
    asgi: AsgiClient, models: list[Model], name: str, modalities: str
) -> None:
    expected = scope(models, lambda m: name in m["architecture"]["input_modalities"], modalities)
    assert expected
    assert listed(asgi, input_modalities=name, output_modalities=modalities) == expected


@pytest.mark.parametrize("value", ["image,audio", " audio , image", "image,audio,image"])
def test_a_comma_list_of_inputs_is_any_of(client: Client, models: list[Model], value: str) -> None:
    accepted = {"image", "audio"}
    expected = scope(models, lambda m: bool(accepted & set(m["architecture"]["input_modalities"])))
    assert listed(client, input_modalities=value) == expected


@pytest.mark.parametrize("value", ["bogus", "IMAGE", "image,bogus", "", " ", "image,", ",,"])
def test_unknown_or_empty_inputs_are_refused(client: Client, value: str) -> None:
    answer = client.get("/v1/models", headers=DEMO, params={"input_modalities": value})
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith("input_modalities: ")


# --- context, authors, q --------------------------------------------------------------------------


@pytest.mark.parametrize("least", ["1", "128000", "262144", "1000001", "9" * 30])
def test_context_keeps_models_with_at_least_that_many_tokens(
    asgi: AsgiClient, models: list[Model], least: str
) -> None:
    expected = scope(
        models, lambda m: m["context_length"] is not None and m["context_length"] >= int(least)
    )
    assert listed(asgi, context=least) == expected


def test_a_null_context_is_left_out() -> None:
    client = small([row("a/none", context_length=None), row("a/small", context_length=10)])
    assert listed(client, context="1") == ["a/small"]


@pytest.mark.parametrize("value", ["openai", "openai,anthropic", " Anthropic ,OPENAI,", "nobody"])
def test_model_authors_are_the_ids_authors(client: Client, models: list[Model], value: str) -> None:
    wanted = {name.strip().lower() for name in value.split(",")}
    expected = scope(models, lambda m: author(m) in wanted)
    assert listed(client, model_authors=value) == expected


def test_tilde_rows_follow_their_author(asgi: AsgiClient, models: list[Model]) -> None:
    assert "~openai/gpt-latest" in listed(asgi, model_authors="openai")


@pytest.mark.parametrize(
    "text", ["gpt", "GPT-5", "Qwen", "-latest", "20260814", "no such text", ""]
)
def test_q_is_a_case_insensitive_search_of_id_slug_and_name(
    asgi: AsgiClient, models: list[Model], text: str
) -> None:
    def holds(m: Model) -> bool:
        return any(
            text.casefold() in str(m[k]).casefold() for k in ("id", "canonical_slug", "name")
        )

    assert listed(asgi, q=text) == scope(models, holds)


# --- prices ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high"), [("0", "0"), ("0.2", "0.65"), ("1", "1e1"), ("0.45", "0.45"), (".5", "3.")]
)
@pytest.mark.parametrize("key", ["prompt", "completion"])
def test_price_ranges_are_dollars_per_million_inclusive(
    asgi: AsgiClient, models: list[Model], key: str, low: str, high: str
) -> None:
    names = (
        ("min_price", "max_price") if key == "prompt" else ("min_output_price", "max_output_price")
    )
    expected = scope(
        models,
        lambda m: not router(m) and Decimal(low) <= per_million(m, key) <= Decimal(high),
    )
    assert listed(asgi, **dict(zip(names, (low, high), strict=True))) == expected
    above = scope(models, lambda m: not router(m) and per_million(m, key) >= Decimal(low))
    assert listed(asgi, **{names[0]: low}) == above


def test_prices_compare_exactly_and_routers_are_left_out() -> None:
    client = small(
        [
            row("a/exact", pricing={"prompt": "0.0000003", "completion": "0.0000001"}),
            row("a/above", pricing={"prompt": "0.00000030000001", "completion": "0"}),
            row("a/router", pricing={"prompt": "-1", "completion": "-1"}),
            row("a/free", pricing={"prompt": "0", "completion": "0"}),
        ]
    )
    assert listed(client, max_price="0.3") == ["a/exact", "a/free"]
    assert listed(client, min_price="0.3") == ["a/exact", "a/above"]
    assert listed(client, max_output_price="0.1") == ["a/exact", "a/above", "a/free"]
    assert listed(client, min_price="0") == ["a/exact", "a/above", "a/free"]


# --- ages --------------------------------------------------------------------------------------


NOW = 1_800_000_000


def aged(clock: list[float]) -> ReferenceApp:
    rows = [row(f"a/{days}d", created=NOW - days * DAY) for days in (0, 1, 10, 30, 400)]
    app = create_app(Catalog.from_document(document(rows)))
    app.queries.clock = lambda: clock[0]
    return app


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"min_age_days": "0"}, ["a/0d", "a/1d", "a/10d", "a/30d", "a/400d"]),
        ({"min_age_days": "10"}, ["a/10d", "a/30d", "a/400d"]),
        ({"max_age_days": "10"}, ["a/0d", "a/1d", "a/10d"]),
        ({"min_age_days": "1", "max_age_days": "30"}, ["a/1d", "a/10d", "a/30d"]),
        ({"max_age_days": "0"}, ["a/0d"]),
        ({"min_age_days": "9" * 30}, []),
    ],
)
def test_ages_count_days_from_the_servers_clock(
    params: dict[str, str], expected: list[str]
) -> None:
    assert listed(AsgiClient(aged([NOW + 30])), **params) == expected


def test_an_age_answer_follows_the_clock_and_is_not_kept_by_its_spelling() -> None:
    clock = [float(NOW)]
    app = aged(clock)
    client = AsgiClient(app)
    assert listed(client, max_age_days="3") == ["a/0d", "a/1d"]
    clock[0] += 3 * DAY
    assert listed(client, max_age_days="3") == ["a/0d"]
    assert len(app.listings) == 0
    listed(client)
    assert len(app.listings) == 1


# --- filters on data the Model object does not carry ----------------------------------------------


OPAQUE = [
    {"arch": "gpt"},
    {"arch": "Qwen3,claude"},
    {"providers": "openai"},
    {"providers": "Meta Llama,google"},
    {"category": "programming"},
    {"category": "marketing/seo"},
    {"distillable": "true"},
    {"distillable": "false"},
    {"zdr": "true"},
    {"region": "eu"},
    {"region": "us"},
    {"min_intelligence_index": "50"},
    {"max_coding_index": "40"},
    {"min_agentic_index": "20", "max_agentic_index": "60"},
    {"min_tool_success_rate": "0.9"},
    {"max_tool_success_rate": "0.6"},
]


@pytest.mark.parametrize("params", OPAQUE)
@pytest.mark.parametrize("modalities", ["text", "all"])
def test_opaque_filters_keep_part_of_the_scope(
    asgi: AsgiClient, params: dict[str, str], modalities: str
) -> None:
    everything = listed(asgi, output_modalities=modalities)
    kept = listed(asgi, output_modalities=modalities, **params)
    assert kept
    assert len(kept) < len(everything)
    assert set(kept) <= set(everything)
    assert kept == [i for i in everything if i in set(kept)]


def test_distillable_splits_the_list_in_two(asgi: AsgiClient) -> None:
    yes, no = listed(asgi, distillable="true"), listed(asgi, distillable="false")
    assert sorted(yes + no) == sorted(listed(asgi))


def test_index_ranges_read_the_benchmarks(asgi: AsgiClient, models: list[Model]) -> None:
    def index(m: Model) -> float | None:
        value = m.get("benchmarks", {}).get("artificial_analysis", {}).get("coding_index")
        return value if isinstance(value, int | float) else None

    expected = scope(models, lambda m: (v := index(m)) is not None and 30 <= v <= 50)
    assert expected
    assert listed(asgi, min_coding_index="30", max_coding_index="50") == expected


def test_arch_is_the_tokenizer_and_providers_follow_the_endpoints(
    asgi: AsgiClient, models: list[Model]
) -> None:
    assert listed(asgi, arch="CLAUDE") == scope(
        models, lambda m: m["architecture"]["tokenizer"].lower() == "claude"
    )
    for model_id in listed(asgi, providers="Anthropic"):
        endpoints = asgi.get(f"/v1/models/{model_id}/endpoints", headers=DEMO).json()
        assert "anthropic" in {e["tag"] for e in endpoints["data"]["endpoints"]}


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("context", "abc"),
        ("context", "0"),
        ("context", "-5"),
        ("context", "1.5"),
        ("min_price", "-1"),
        ("min_price", "abc"),
        ("max_price", "NaN"),
        ("max_price", "Infinity"),
        ("min_output_price", "1_000"),
        ("max_output_price", ""),
        ("max_output_price", "+1"),
        ("min_age_days", "x"),
        ("max_age_days", "-1"),
        ("max_age_days", "2.5"),
        ("category", "coding"),
        ("distillable", "yes"),
        ("zdr", "false"),
        ("region", "EU"),
        ("min_intelligence_index", "-0.5"),
        ("max_coding_index", "high"),
        ("min_tool_success_rate", "1.01"),
        ("max_tool_success_rate", "-0.1"),
    ],
)
def test_malformed_values_are_refused_with_400(client: Client, name: str, value: str) -> None:
    answer = client.get("/v1/models", headers=DEMO, params={name: value})
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 400
    assert answer.json()["error"]["message"].startswith(f"{name}: ")


@pytest.mark.parametrize("name", ["q", "context", "model_authors", "min_price", "zdr"])
def test_a_repeated_filter_is_refused(client: Client, name: str) -> None:
    value = {"q": "a", "context": "5", "model_authors": "openai", "min_price": "1", "zdr": "true"}
    assert (
        client.get(
            f"/v1/models?{name}={value[name]}&{name}={value[name]}", headers=DEMO
        ).status_code
        == 400
    )


# --- together ----------------------------------------------------------------------------------


def test_filters_compose_with_each_other_the_seed_filters_sort_and_pages(
    asgi: AsgiClient, models: list[Model]
) -> None:
    params = {
        "output_modalities": "text,image",
        "supported_parameters": "tools",
        "input_modalities": "image",
        "context": "100000",
        "max_price": "5",
        "q": "a",
        "sort": "pricing-low-to-high",
    }

    def keep(m: Model) -> bool:
        return (
            "tools" in m["supported_parameters"]
            and "image" in m["architecture"]["input_modalities"]
            and (m["context_length"] or 0) >= 100_000
            and not router(m)
            and per_million(m, "prompt") <= 5
            and any("a" in str(m[k]).casefold() for k in ("id", "canonical_slug", "name"))
        )

    expected = scope(models, keep, "text,image")
    answer = listed(asgi, **params)
    assert sorted(answer) == sorted(expected)
    assert len(expected) > 20
    by_id = {m["id"]: m for m in models}
    assert answer[0] == min(expected, key=lambda i: price_sum(by_id[i]))
    pages = [listed(asgi, **params, offset=str(n), limit="7") for n in range(0, len(answer), 7)]
    assert [i for page in pages for i in page] == answer


def test_facts_are_computed_once_for_every_request(catalog: Catalog) -> None:
    queries = Queries(catalog)
    facts = queries.model_facts
    queries.list_body({"zdr": ["true"]}, EVERYONE)
    assert queries.model_facts is facts
    assert len(facts) == len(catalog.models)


def small(rows: list[Model]) -> AsgiClient:
    return AsgiClient(create_app(Catalog.from_document(document(rows))))
