"""queries.py: list, count and lookup against oracles computed here from the catalog rows.

Every expected answer is derived independently of the server's indexes: the rows are
scanned, prices summed as Decimals, figures read from the catalog, so a defect in an index
or a rule shows up as a difference.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest

from arouter_conformance.spec import Spec, load_spec
from reference_server import (
    RESTRICTED_PROVIDERS,
    Catalog,
    KeyRing,
    Queries,
    Visibility,
    create_app,
)
from reference_server.auth import EVERYONE
from reference_server.catalog import Model
from tests.reference_server.conftest import DEMO, RESTRICTED, AsgiClient, bearer
from tests.reference_server.rows import document, outputs, row

Client = AsgiClient | httpx.Client
CONTRACT = load_spec().contract


def ids(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["data"]]


def outputs_of(model: Model) -> set[str]:
    return set(model["architecture"]["output_modalities"])


def author(model_id: str) -> str:
    return model_id.split("/")[0].lstrip("~")


def assert_refused(response: httpx.Response, status: int = 400) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"]["code"] == status
    assert isinstance(body["error"]["message"], str)


# --- output_modalities -----------------------------------------------------------------------


def test_without_a_filter_the_list_is_the_text_models_in_catalog_order(
    client: Client, models: list[Model]
) -> None:
    expected = [m["id"] for m in models if "text" in outputs_of(m)]
    assert ids(client.get("/v1/models", headers=DEMO)) == expected


def test_each_modality_selects_exactly_its_models(asgi: AsgiClient, catalog: Catalog) -> None:
    for modality in sorted(catalog.output_modalities | set(CONTRACT.documented_output_modalities)):
        answer = asgi.get("/v1/models", headers=DEMO, params={"output_modalities": modality})
        assert ids(answer) == [m["id"] for m in catalog.models if modality in outputs_of(m)]


@pytest.mark.parametrize(
    "value", ["text,image", "image,text", " image , text ", "text, image,text"]
)
def test_a_comma_list_is_the_union(client: Client, models: list[Model], value: str) -> None:
    expected = [m["id"] for m in models if outputs_of(m) & {"text", "image"}]
    assert ids(client.get("/v1/models", headers=DEMO, params={"output_modalities": value})) == (
        expected
    )


def test_equivalent_lists_share_one_cached_body(client: Client) -> None:
    tags = {
        client.get("/v1/models", headers=DEMO, params={"output_modalities": v}).headers["etag"]
        for v in ("text,image", " image,text", "image , text , image")
    }
    assert len(tags) == 1


@pytest.mark.parametrize("value", ["all", "text,all", "all,image"])
def test_all_turns_the_filter_off(client: Client, models: list[Model], value: str) -> None:
    answer = client.get("/v1/models", headers=DEMO, params={"output_modalities": value})
    assert ids(answer) == [m["id"] for m in models]


@pytest.mark.parametrize(
    "value", ["bogus", "TEXT", "text,bogus", "", " ", "text,", ",image", "a,,b"]
)
@pytest.mark.parametrize("path", ["/v1/models", "/v1/models/count"])
def test_unknown_or_empty_modalities_are_refused(client: Client, path: str, value: str) -> None:
    assert_refused(client.get(path, headers=DEMO, params={"output_modalities": value}))


# --- supported_parameters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "wanted"),
    [
        ("tools", {"tools"}),
        ("tools,response_format", {"tools", "response_format"}),
        (" tools , ,response_format,", {"tools", "response_format"}),
        ("reasoning,tools,seed", {"reasoning", "tools", "seed"}),
        ("", set()),
    ],
)
def test_parameters_are_all_of_within_the_text_scope(
    client: Client, models: list[Model], value: str, wanted: set[str]
) -> None:
    expected = [
        m["id"]
        for m in models
        if "text" in outputs_of(m) and wanted <= set(m["supported_parameters"])
    ]
    answer = client.get("/v1/models", headers=DEMO, params={"supported_parameters": value})
    assert ids(answer) == expected


def test_a_parameter_no_model_supports_gives_an_empty_list(client: Client) -> None:
    answer = client.get("/v1/models", headers=DEMO, params={"supported_parameters": "no_such"})
    assert answer.json() == {
        "object": "list",
        "data": [],
        "total_count": 0,
        "links": {"next": None},
    }


def test_filters_compose(client: Client, models: list[Model]) -> None:
    params = {"output_modalities": "image,embeddings", "supported_parameters": "seed"}
    expected = [
        m["id"]
        for m in models
        if outputs_of(m) & {"image", "embeddings"} and "seed" in m["supported_parameters"]
    ]
    assert expected
    assert ids(client.get("/v1/models", headers=DEMO, params=params)) == expected


@pytest.mark.parametrize("name", ["output_modalities", "supported_parameters", "sort"])
def test_a_repeated_parameter_is_refused(client: Client, name: str) -> None:
    value = {"output_modalities": "text", "supported_parameters": "tools", "sort": "newest"}[name]
    assert_refused(client.get(f"/v1/models?{name}={value}&{name}={value}", headers=DEMO))


def test_unknown_parameters_are_ignored(client: Client) -> None:
    plain = client.get("/v1/models", headers=DEMO)
    extra = client.get("/v1/models", headers=DEMO, params={"use_rss": "true", "unknown": "x"})
    assert extra.content == plain.content


# --- the list envelope and the model object ----------------------------------------------------


def test_the_envelope_and_models_serve_every_profile(
    asgi: AsgiClient, catalog: Catalog, spec: Spec
) -> None:
    """Also the check that every bundled row is valid, which Catalog.default() skips."""
    body = asgi.get("/v1/models", headers=DEMO, params={"output_modalities": "all"}).json()
    assert body["object"] == "list"
    assert body["total_count"] == len(body["data"]) == len(catalog.models)
    assert body["links"] == {"next": None}
    for schema in ("ModelList.json", "OpenAIList.json", "SdkList.json"):
        assert spec.validator(schema).is_valid(body), schema
    for served in body["data"]:
        assert served["object"] == "model"
        assert served["owned_by"] == author(served["id"])
        rest = {k: v for k, v in served.items() if k not in {"object", "owned_by"}}
        assert rest == catalog.by_id[served["id"]]


# --- sort ------------------------------------------------------------------------------------


def price(model: Model) -> Decimal | None:
    pricing = model["pricing"]
    if CONTRACT.router_price_sentinel in (pricing["prompt"], pricing["completion"]):
        return None
    return sum((Decimal(pricing.get(k, "0")) for k in CONTRACT.pricing_sort_keys), Decimal(0))


def orderings(catalog: Catalog) -> dict[str, tuple[Callable[[Model], Any], bool]]:
    """Each sort value's rule as the rulings state it: the value, and larger-first or not."""

    def figure(name: str) -> Callable[[Model], Any]:
        return lambda m: getattr(catalog.figures[m["id"]], name)

    return {
        "pricing-low-to-high": (price, False),
        "pricing-high-to-low": (price, True),
        "context-high-to-low": (lambda m: m["context_length"], True),
        "throughput-high-to-low": (figure("throughput"), True),
        "latency-low-to-high": (figure("latency"), False),
        "most-popular": (figure("weekly_tokens"), True),
        "top-weekly": (figure("weekly_tokens"), True),
        "newest": (lambda m: m["created"], True),
    }


def assert_ordered(
    answer: list[str], catalog: Catalog, value: Callable[[Model], Any], descending: bool
) -> None:
    """Monotonic in the value, no-data last, and ties (and no-data) in catalog order."""
    position = {m["id"]: n for n, m in enumerate(catalog.models)}
    values = [value(catalog.by_id[i]) for i in answer]
    known = len([v for v in values if v is not None])
    assert all(v is None for v in values[known:]), "a model without data sorts before one with"
    for (a, va), (b, vb) in zip(
        zip(answer, values, strict=True), zip(answer[1:], values[1:], strict=True), strict=False
    ):
        if va is None or va == vb:
            assert position[a] < position[b], f"tie {a} / {b} not in catalog order"
        elif vb is not None:
            assert (va > vb) if descending else (va < vb), f"{a} / {b} out of order"


@pytest.mark.parametrize("sort", CONTRACT.sort_values)
@pytest.mark.parametrize("modalities", [None, "all"])
def test_every_sort_orders_the_same_set_by_its_rule(
    asgi: AsgiClient, catalog: Catalog, sort: str, modalities: str | None
) -> None:
    params = {"output_modalities": modalities} if modalities else {}
    unsorted = ids(asgi.get("/v1/models", headers=DEMO, params=params))
    answer = ids(asgi.get("/v1/models", headers=DEMO, params={**params, "sort": sort}))
    assert sorted(answer) == sorted(unsorted)
    value, descending = orderings(catalog)[sort]
    assert_ordered(answer, catalog, value, descending)


@pytest.mark.parametrize("sort", ["pricing-low-to-high", "pricing-high-to-low"])
def test_routers_come_last_in_both_price_directions(
    client: Client, catalog: Catalog, sort: str
) -> None:
    answer = ids(client.get("/v1/models", headers=DEMO, params={"sort": sort}))
    routers = [i for i in answer if price(catalog.by_id[i]) is None]
    assert routers
    assert answer[-len(routers) :] == routers


def test_top_weekly_is_most_popular(client: Client) -> None:
    def order(sort: str) -> list[str]:
        return ids(client.get("/v1/models", headers=DEMO, params={"sort": sort}))

    assert order("top-weekly") == order("most-popular")


@pytest.mark.parametrize("value", ["bogus", "", "Newest", "newest "])
def test_an_unknown_sort_is_refused(client: Client, value: str) -> None:
    assert_refused(client.get("/v1/models", headers=DEMO, params={"sort": value}))


def small_app(rows: list[Model], figures: dict[str, dict[str, Any]] | None = None) -> AsgiClient:
    return AsgiClient(create_app(Catalog.from_document(document(rows, figures=figures))))


def test_prices_compare_as_decimals_not_strings_or_floats() -> None:
    client = small_app(
        [
            row("a/ten", pricing={"prompt": "10", "completion": "0"}),
            row("a/nine", pricing={"prompt": "9", "completion": "0"}),
            # 0.1 + 0.2 is 0.3 as decimals, but 0.30000000000000004 as floats: a tie.
            row("a/sum", pricing={"prompt": "0.1", "completion": "0.2"}),
            row("a/whole", pricing={"prompt": "0.3", "completion": "0"}),
            row("a/extras", pricing={"prompt": "0", "completion": "0", "request": "0.2"}),
            row("a/search", pricing={"prompt": "0", "completion": "0", "web_search": "0.25"}),
            row("a/image", pricing={"prompt": "0", "completion": "0", "image": "99"}),
            row("a/router", pricing={"prompt": "-1", "completion": "-1"}),
        ]
    )
    low = ids(client.get("/v1/models", headers=DEMO, params={"sort": "pricing-low-to-high"}))
    assert low == [
        "a/image",
        "a/extras",
        "a/search",
        "a/sum",
        "a/whole",
        "a/nine",
        "a/ten",
        "a/router",
    ]
    high = ids(client.get("/v1/models", headers=DEMO, params={"sort": "pricing-high-to-low"}))
    assert high == [
        "a/ten",
        "a/nine",
        "a/sum",
        "a/whole",
        "a/search",
        "a/extras",
        "a/image",
        "a/router",
    ]


def test_null_context_and_missing_figures_sort_last() -> None:
    client = small_app(
        [
            row("a/none", context_length=None),
            row("a/small", context_length=10),
            row("a/big", context_length=100),
            row("a/small-too", context_length=10),
        ],
        figures={"a/small": {"throughput": 1.0}, "a/big": {"throughput": 2.0}},
    )

    def order(sort: str) -> list[str]:
        return ids(client.get("/v1/models", headers=DEMO, params={"sort": sort}))

    assert order("context-high-to-low") == ["a/big", "a/small", "a/small-too", "a/none"]
    assert order("throughput-high-to-low") == ["a/big", "a/small", "a/none", "a/small-too"]
    assert order("latency-low-to-high") == ["a/none", "a/small", "a/big", "a/small-too"]


# --- count -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [None, "text", "image", "audio", "embeddings", "video", "text,image", "all"]
)
@pytest.mark.parametrize("headers", [DEMO, RESTRICTED], ids=["demo", "restricted"])
def test_the_count_is_the_length_of_the_list(
    client: Client, value: str | None, headers: dict[str, str]
) -> None:
    params = {"output_modalities": value} if value else {}
    count = client.get("/v1/models/count", headers=headers, params=params)
    assert count.status_code == 200
    listed = ids(client.get("/v1/models", headers=headers, params=params))
    assert count.json() == {"data": {"count": len(listed)}}


def test_count_ignores_list_only_parameters(client: Client) -> None:
    plain = client.get("/v1/models/count", headers=DEMO).json()
    params = {"supported_parameters": "tools", "sort": "bogus"}
    assert client.get("/v1/models/count", headers=DEMO, params=params).json() == plain


# --- lookup ----------------------------------------------------------------------------------


def test_every_listed_id_looks_up_to_its_list_entry(asgi: AsgiClient) -> None:
    listed = asgi.get("/v1/models", headers=DEMO, params={"output_modalities": "all"}).json()
    for entry in listed["data"]:
        answer = asgi.get(f"/v1/model/{entry['id']}", headers=DEMO)
        assert answer.status_code == 200, entry["id"]
        assert answer.json() == {"data": entry}


@pytest.mark.parametrize(
    "model_id",
    [
        "openai/gpt-5.4",
        "deepseek/deepseek-v4-pro-0813:thinking",
        "z-ai/glm-5.2:free",
        "~openai/gpt-latest",
        "openrouter/auto",
        "openai/gpt-5.4:batch",
    ],
)
def test_lookup_over_both_roots(client: Client, model_id: str, spec: Spec) -> None:
    answers = [client.get(f"{root}/model/{model_id}", headers=DEMO) for root in ("/v1", "/api/v1")]
    assert answers[0].status_code == answers[1].status_code == 200
    assert answers[0].content == answers[1].content
    assert answers[0].json()["data"]["id"] == model_id
    assert spec.validator("ModelLookup.json").is_valid(answers[0].json())


def test_a_declared_alias_answers_with_the_canonical_model(
    client: Client, catalog: Catalog
) -> None:
    for alias, target in catalog.aliases.items():
        answer = client.get(f"/v1/model/{alias}", headers=DEMO)
        assert answer.status_code == 200
        assert answer.json() == client.get(f"/v1/model/{target}", headers=DEMO).json()
        assert answer.json()["data"]["id"] == target


@pytest.mark.parametrize(
    "model_id",
    [
        "openai/no-such-model",
        "nobody/gpt-5.4",
        "openai/gpt-5.4:free",
        "openai/gpt-5.4:nitro",
        "auto/x",
    ],
)
def test_unknown_ids_are_404(client: Client, catalog: Catalog, model_id: str) -> None:
    assert model_id not in catalog.by_id
    assert_refused(client.get(f"/v1/model/{model_id}", headers=DEMO), 404)


# --- visibility ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "all", "image"])
def test_a_restricted_key_lists_exactly_its_providers_models(
    client: Client, value: str | None
) -> None:
    params = {"output_modalities": value} if value else {}
    everything = ids(client.get("/v1/models", headers=DEMO, params=params))
    restricted = ids(client.get("/v1/models", headers=RESTRICTED, params=params))
    assert restricted == [i for i in everything if author(i) in RESTRICTED_PROVIDERS]


def test_a_restricted_key_sees_other_providers_models_as_unknown(
    client: Client, models: list[Model]
) -> None:
    own = next(m["id"] for m in models if author(m["id"]) in RESTRICTED_PROVIDERS)
    other = next(m["id"] for m in models if author(m["id"]) not in RESTRICTED_PROVIDERS)
    assert client.get(f"/v1/model/{own}", headers=RESTRICTED).status_code == 200
    hidden = client.get(f"/v1/model/{other}", headers=RESTRICTED)
    assert_refused(hidden, 404)
    unknown = client.get("/v1/model/openai/never-listed", headers=RESTRICTED)
    assert hidden.json()["error"]["message"].replace(other, "X") == unknown.json()["error"][
        "message"
    ].replace("openai/never-listed", "X")


def test_an_alias_to_a_hidden_model_is_404(catalog: Catalog) -> None:
    alias, target = next(
        (a, t) for a, t in catalog.aliases.items() if author(t) not in RESTRICTED_PROVIDERS
    )
    queries = Queries(catalog)
    with pytest.raises(Exception, match="no model"):
        queries.lookup(alias, Visibility(frozenset(RESTRICTED_PROVIDERS)))
    assert queries.lookup(alias, EVERYONE)["id"] == target


# --- authentication of the listing ---------------------------------------------------------------


LISTING = ["/v1/models", "/v1/models/count", "/v1/model/openai/gpt-5.4"]


@pytest.mark.parametrize("path", LISTING)
def test_listing_needs_a_key_by_default(client: Client, path: str) -> None:
    assert_refused(client.get(path), 401)
    assert_refused(client.get(path, headers=bearer("lr_live_wrong")), 401)
    assert client.get(path).headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", LISTING)
def test_open_listing_answers_without_a_key_but_not_with_a_wrong_one(path: str) -> None:
    client = AsgiClient(create_app(open_listing=True))
    assert client.get(path).status_code == 200
    assert client.get(path).content == client.get(path, headers=DEMO).content
    assert_refused(client.get(path, headers=bearer("lr_live_wrong")), 401)


def test_keys_given_to_the_app_replace_the_demo_keys() -> None:
    keys = KeyRing({"only_key": Visibility(frozenset({"google"}))})
    client = AsgiClient(create_app(keys=keys))
    assert_refused(client.get("/v1/models", headers=DEMO), 401)
    listed = ids(client.get("/v1/models", headers=bearer("only_key")))
    assert listed
    assert {author(i) for i in listed} == {"google"}


# --- the cache -------------------------------------------------------------------------------


def test_bodies_are_cached_per_normalized_query_and_visibility(catalog: Catalog) -> None:
    queries = Queries(catalog)
    restricted = Visibility(frozenset(RESTRICTED_PROVIDERS))
    first = queries.list_body({"output_modalities": ["image,text"]}, EVERYONE)
    assert queries.list_body({"output_modalities": [" text , image"]}, EVERYONE) is first
    assert queries.list_body({"output_modalities": ["image,text"]}, restricted) is not first
    assert queries.count_body({}, EVERYONE) is queries.count_body({"sort": ["x"]}, EVERYONE)
    assert len(queries.bodies) == 3


def test_the_cache_is_bounded(catalog: Catalog) -> None:
    queries = Queries(catalog, cache_size=4)
    for n in range(10):
        queries.list_body({"supported_parameters": [f"p{n}"]}, EVERYONE)
    assert len(queries.bodies) == 4


def test_a_catalog_with_an_undocumented_modality_accepts_it() -> None:
    client = small_app([row("a/clip", architecture=outputs("video")), row("a/text")])
    assert ids(client.get("/v1/models", headers=DEMO, params={"output_modalities": "video"})) == [
        "a/clip"
    ]
    assert_refused(client.get("/v1/models", headers=DEMO, params={"output_modalities": "speech"}))
    # documented modalities are known even when no model outputs them
    assert ids(client.get("/v1/models", headers=DEMO, params={"output_modalities": "audio"})) == []
