"""Endpoints checks (ruling R18), on hand-made pages."""

from __future__ import annotations

from typing import Any

import pytest

from arouter_conformance.checks import endpoints, lookup
from arouter_conformance.findings import ledger
from arouter_conformance.spec import load_spec
from tests.factories import ROOT, exchange, model
from tests.reference_server.rows import outputs

SPEC = load_spec()

CONTRACT = load_spec().contract


def endpoint(**overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "name": "Provider | a/b",
        "context_length": 8192,
        "pricing": {"prompt": "0.000001", "completion": "0.000002", "discount": 0},
        "provider_name": "Provider",
        "tag": "provider",
        "quantization": "fp8",
        "max_completion_tokens": None,
        "max_prompt_tokens": None,
        "supported_parameters": ["max_tokens"],
        "uptime_last_30m": 99.5,
        "uptime_last_5m": None,
        "uptime_last_1d": 100,
        "supports_implicit_caching": False,
        "latency_last_30m": {"p50": 0.2, "p75": 0.3, "p90": 0.4, "p99": 0.9},
        "throughput_last_30m": None,
    }
    value.update(overrides)
    return value


def page(model_id: str = "a/b", *listed: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {
            "id": model_id,
            "name": model_id,
            "created": 1_700_000_000,
            "description": "a test model",
            "architecture": {
                "modality": "text->text",
                "input_modalities": ["text"],
                "output_modalities": ["text"],
                "tokenizer": "Other",
                "instruct_type": None,
            },
            "endpoints": list(listed) or [endpoint()],
        }
    }


def answer(body: Any = None, **options: Any) -> Any:
    return exchange(body, path="/models/a/b/endpoints", **options)


def test_the_path_keeps_the_ids_characters() -> None:
    assert endpoints.endpoints_path("a/b") == "/models/a/b/endpoints"
    assert endpoints.endpoints_path("a/b c?") == "/models/a/b%20c%3F/endpoints"


def test_a_page_with_every_required_key_is_read() -> None:
    data, found = endpoints.endpoints_of(SPEC, "ENDPOINTS-SHAPE-001", answer(page()))
    assert found == []
    assert data is not None
    assert data["id"] == "a/b"
    extra = page("a/b", endpoint(model_id="a/b", status=0, extra={"x": 1}))
    assert endpoints.endpoints_of(SPEC, "ENDPOINTS-SHAPE-001", answer(extra))[1] == []


@pytest.mark.parametrize(
    "body",
    [
        {"data": []},
        page("a/b", endpoint(tag=None)),
        page("a/b", endpoint(context_length="8192")),
        page("a/b", endpoint(latency_last_30m={"p50": 1})),
        {"data": {k: v for k, v in page()["data"].items() if k != "endpoints"}},
    ],
)
def test_a_page_without_its_shape_fails_the_requirement_it_is_read_for(body: Any) -> None:
    data, found = endpoints.endpoints_of(SPEC, "ENDPOINTS-PRICE-001", answer(body))
    assert data is None
    assert {f.requirement for f in found} == {"ENDPOINTS-PRICE-001"}


def test_reading_a_page_judges_its_shape_not_the_reader() -> None:
    """A page without a context_length leaves ENDPOINTS-CONTEXT-001 unjudged, read or not."""
    with ledger() as book:
        endpoints.endpoints_of(SPEC, "ENDPOINTS-CONTEXT-001", answer(page()))
    assert book.judged == {"ENDPOINTS-SHAPE-001"}


def test_a_page_of_many_broken_endpoints_shows_a_few() -> None:
    broken = page("a/b", *[endpoint(tag=None)] * 1000)
    found = endpoints.endpoints_of(SPEC, "ENDPOINTS-SHAPE-001", answer(broken))[1]
    assert len(found) == endpoints.SHOWN


def test_a_refusal_or_text_is_not_a_page() -> None:
    missing = answer({"error": {"code": 404, "message": "x"}}, status=404)
    assert endpoints.endpoints_of(SPEC, "ENDPOINTS-SHAPE-001", missing)[1]
    text = answer(page(), headers={"content-type": "text/plain"})
    assert endpoints.endpoints_of(SPEC, "ENDPOINTS-SHAPE-001", text)[1]


@pytest.mark.parametrize(
    ("details", "resolved"),
    [
        ("/api/v1/models/a/b-1/endpoints", "http://gateway.test/api/v1/models/a/b-1/endpoints"),
        ("models/a/b/endpoints", f"{ROOT}/models/a/b/endpoints"),
        ("../models/a/b/endpoints", "http://gateway.test/models/a/b/endpoints"),
        ("http://GATEWAY.test:80/v1/models/a/b/endpoints", None),
    ],
)
def test_links_resolve_against_the_list_that_carried_them(
    details: str, resolved: str | None
) -> None:
    """As any client resolves a link (RFC 3986): against the URL of the list answer."""
    listed = model("a/b", links={"details": details})
    url, found = endpoints.details_url(listed, f"{ROOT}/models?output_modalities=all")
    assert found == []
    assert url == (resolved or details)


@pytest.mark.parametrize(
    ("details", "there"),
    [
        ("https://gateway.test/v1/models/a/b/endpoints", "https://gateway.test"),
        ("//elsewhere.test/v1/models/a/b/endpoints", "http://elsewhere.test"),
        ("http://gateway.test:8080/models/a/b/endpoints", "http://gateway.test:8080"),
        ("\\\\elsewhere.test/models/a/b/endpoints", "http://elsewhere.test"),
    ],
)
def test_a_link_to_another_origin_is_never_asked_nor_judged(details: str, there: str) -> None:
    """R18 allows absolute URLs, and a gateway may write its public base URL."""
    with ledger() as book:
        url, found = endpoints.details_url(model("a/b", links={"details": details}), ROOT)
    assert (url, found) == (None, [])
    assert book.judged == set()
    assert book.unjudgeable["ENDPOINTS-LINK-001"] == (
        f"the list entry of a/b: links.details leads to another origin ({there}), which the "
        "kit does not follow: give a target URL on that origin (--target-url) to judge where "
        "it leads"
    )


@pytest.mark.parametrize(
    "details",
    [
        5,
        ["/x"],
        "http://[::1/x",
        "/a\x00b",
        "\x00/models/a/b/endpoints",
        "http://h:99999/x",
        "javascript:alert(1)",
    ],
)
def test_a_link_no_client_could_send_is_a_finding(details: Any) -> None:
    """A NUL is stripped or refused by clients: the request would not be the link given."""
    with ledger() as book:
        url, found = endpoints.details_url(model("a/b", links={"details": details}), ROOT)
    assert url is None
    assert [f.requirement for f in found] == ["ENDPOINTS-LINK-001"]
    assert book.judged == {"ENDPOINTS-LINK-001"}


@pytest.mark.parametrize("links", [None, {}, {"details": None}, "x"])
def test_a_model_without_a_link_is_not_judged(links: Any) -> None:
    with ledger() as book:
        assert endpoints.details_url(model("a/b", links=links), ROOT) == (None, [])
    assert book.judged == set()


@pytest.mark.parametrize(
    ("listed", "named"),
    [
        (model("a/b"), "a/b"),
        (model("a/b", canonical_slug="a/b-2026"), "a/b-2026"),
        (model("a/b:free", canonical_slug="a/b-2026"), "a/b"),
        (model("a/b:free", canonical_slug="a/b-2026"), "a/b-2026"),
        (model("~a/b-latest"), "~a/b-latest"),
    ],
)
def test_the_linked_page_may_name_the_model_by_any_of_its_names(
    listed: dict[str, Any], named: str
) -> None:
    assert endpoints.names_model(answer(page(named)), page(named)["data"], listed) == []


def test_a_link_to_another_models_page_is_a_finding() -> None:
    found = endpoints.names_model(answer(page("a/c")), page("a/c")["data"], model("a/b"))
    assert [f.pointer for f in found] == ["/data/id"]
    variant_of_other = model("a/c:free", canonical_slug="a/c-1")
    assert endpoints.names_model(answer(page("a/b")), page("a/b")["data"], variant_of_other)


@pytest.mark.parametrize(
    "pricing",
    [
        {"prompt": "0", "completion": "0.5", "image": "0.001", "discount": 0.1, "overrides": []},
        {"prompt": "-1", "completion": "-1"},
        {  # a gateway's own pricing keys are not prices the document lists (R17)
            "prompt": "0.000001",
            "completion": "0",
            "currency": "USD",
            "tiers": [{"above": 128000, "prompt": 2e-6}],
            "cache_discount": 0.5,
        },
    ],
)
def test_prices_are_plain_decimal_strings(pricing: dict[str, Any]) -> None:
    data = page("a/b", endpoint(pricing=pricing))["data"]
    with ledger() as book:
        assert endpoints.prices(SPEC, answer(page()), data) == []
    assert book.judged == {"ENDPOINTS-PRICE-001"}


@pytest.mark.parametrize(
    ("pricing", "pointer"),
    [
        ({"prompt": "1e-6", "completion": "0"}, "prompt"),
        ({"prompt": "0", "completion": " 1"}, "completion"),
        ({"prompt": "0", "completion": "0", "request": "-1"}, "request"),
        ({"prompt": "0", "completion": "0", "image": 0.5}, "image"),
        ({"prompt": "0", "completion": "-0.5"}, "completion"),
        ({"prompt": "0", "completion": "0", "audio": None}, "audio"),
        ({"prompt": "0", "completion": "1\n"}, "completion"),
    ],
)
def test_other_prices_are_findings(pricing: dict[str, Any], pointer: str) -> None:
    data = page("a/b", endpoint(pricing=pricing))["data"]
    found = endpoints.prices(SPEC, answer(page()), data)
    assert [f.pointer for f in found] == [f"/data/endpoints/0/pricing/{pointer}"]


class Counted(list[Any]):
    """Endpoints that count how many of them a check read."""

    read = 0

    def __iter__(self) -> Any:
        for item in super().__iter__():
            self.read += 1
            yield item


def test_a_hostile_page_yields_a_few_findings_and_is_read_no_further() -> None:
    bad = endpoint(
        pricing={"prompt": "x", "completion": "y"}, quantization="q", status=7, context_length=10**6
    )
    listed = {"a/b": model("a/b", context_length=8192)}
    checks = [
        lambda data: endpoints.prices(SPEC, answer(page()), data),
        lambda data: endpoints.enumerations(CONTRACT, answer(page()), data),
        lambda data: endpoints.context_within(answer(page()), data, listed),
    ]
    for check in checks:
        data = page("a/b")["data"]
        data["endpoints"] = Counted([bad] * 1000)
        assert len(check(data)) == endpoints.SHOWN
        assert data["endpoints"].read <= endpoints.SHOWN


def test_enumerations_hold_the_documents_values() -> None:
    fine = [endpoint(quantization=q) for q in CONTRACT.quantizations]
    fine += [endpoint(quantization=None, status=s) for s in sorted(CONTRACT.endpoint_statuses)]
    with ledger() as book:
        assert endpoints.enumerations(CONTRACT, answer(page()), page("a/b", *fine)["data"]) == []
    assert book.judged == {"ENDPOINTS-ENUM-001"}
    odd = page("a/b", endpoint(quantization="fp7"), endpoint(status=1))["data"]
    found = endpoints.enumerations(CONTRACT, answer(page()), odd)
    assert [f.pointer for f in found] == [
        "/data/endpoints/0/quantization",
        "/data/endpoints/1/status",
    ]


def test_values_of_the_wrong_type_are_left_to_the_shape() -> None:
    data = page("a/b", endpoint(quantization=8, status="0"), endpoint(status=True))["data"]
    del data["endpoints"][1]["quantization"]
    with ledger() as book:
        assert endpoints.enumerations(CONTRACT, answer(page()), data) == []
    assert book.judged == set()


def test_no_endpoint_offers_more_context_than_the_list() -> None:
    listed = {"a/b": model("a/b", context_length=8192)}
    fits = page("a/b", endpoint(context_length=8192), endpoint(context_length=4096))["data"]
    with ledger() as book:
        assert endpoints.context_within(answer(page()), fits, listed) == []
    assert book.judged == {"ENDPOINTS-CONTEXT-001"}
    wider = page("a/b", endpoint(context_length=8193))["data"]
    found = endpoints.context_within(answer(page()), wider, listed)
    assert [(f.expected, f.observed) for f in found] == [("at most 8192", "8193")]


@pytest.mark.parametrize(
    ("listed", "named"),
    [
        ({"a/b": model("a/b", context_length=None)}, "a/b"),  # the list gives no figure
        ({"a/b:free": model("a/b:free", context_length=10)}, "a/b:free"),  # a variant row
        ({}, "a/b-2026"),  # a canonical slug, not a listed id
    ],
)
def test_context_is_compared_only_with_a_plain_listed_integer(
    listed: dict[str, Any], named: str
) -> None:
    data = page(named, endpoint(context_length=10**9))["data"]
    with ledger() as book:
        assert endpoints.context_within(answer(page()), data, listed) == []
    assert book.judged == set()
    assert "ENDPOINTS-CONTEXT-001" in book.unjudgeable


def test_an_unknown_model_gets_404_whatever_its_body() -> None:
    """The body of a 404 is MODELS-ERROR-001's, as for lookup: a text error fails that
    requirement once, not ENDPOINTS-404-001 as well."""

    def unknown(exchange: Any) -> list[Any]:
        return lookup.not_found("ENDPOINTS-404-001", exchange, "an unknown model's endpoints")

    refused = answer({"error": {"code": 404, "message": "no such model"}}, status=404)
    text = answer(raw=b"not found", status=404, headers={"content-type": "text/plain"})
    assert unknown(refused) == unknown(text) == []
    found = unknown(answer(page()))
    assert [(f.requirement, f.expected) for f in found] == [("ENDPOINTS-404-001", "404")]


def priced(model_id: str, prompt: str, *modalities: str) -> dict[str, Any]:
    return model(
        model_id,
        pricing={"prompt": prompt, "completion": prompt},
        architecture=outputs(*modalities),
    )


CATALOG = [  # cheapest first, as the engine orders it
    priced("v/video-1", "0", "video"),
    priced("v/video-2", "0", "video"),
    priced("i/image-1", "0", "image"),
    priced("t/free", "0", "text"),
    priced("t/free-2:free", "0", "text"),
    priced("~t/latest", "0", "text"),
    priced("e/embed", "0.0000001", "embeddings"),
    priced("t/cheap", "0.0000002", "text"),
    priced("t/middle", "0.000001", "text"),
    priced("m/mixed", "0.000001", "text", "image"),
    priced("t/dear", "0.00001", "text"),
    priced("t/dear:nitro", "0.00002", "text"),
    priced("~t/dear-latest", "0.00002", "text"),
]
LINKED = ["t/free-2:free", "~t/latest"]  # the cheapest variant row and ~ row


@pytest.mark.parametrize(
    ("wanted", "ids"),
    [
        (1, ["t/cheap"]),
        (2, ["v/video-1", "t/cheap"]),
        (4, ["v/video-1", "i/image-1", "t/cheap", "t/middle"]),
        (6, ["v/video-1", "i/image-1", "e/embed", "t/cheap", "t/middle", "t/dear"]),
        (7, ["v/video-1", "i/image-1", "e/embed", "t/cheap", "t/middle", "m/mixed", "t/dear"]),
        (
            8,
            [
                "v/video-1",
                "i/image-1",
                "t/free",
                "e/embed",
                "t/cheap",
                "t/middle",
                "m/mixed",
                "t/dear",
            ],
        ),
        (20, [str(m["id"]) for m in CATALOG if endpoints.plain(m)]),
    ],
)
def test_the_sample_holds_priced_text_models_and_each_other_output(
    wanted: int, ids: list[str]
) -> None:
    """Half priced text models, then the cheapest of each other output, the cheapest text
    model, then the next cheapest plain ids; cheapest first, with the cheapest variant row
    and ~ row beside them."""
    chosen = [m["id"] for m in endpoints.sample(CATALOG, wanted, CONTRACT)]
    assert [i for i in chosen if i not in LINKED] == ids
    assert [i for i in chosen if i in LINKED] == LINKED
    assert chosen == [m["id"] for m in CATALOG if m["id"] in chosen]


def test_the_sample_follows_a_variant_and_a_tilde_row_that_give_a_link() -> None:
    """One link of each kind R18 reads apart (a variant row's shows its base model), the
    cheapest that has one; rows without a link are not asked for."""
    unlinked = [model(str(m["id"]), links=None) if m["id"] in LINKED else m for m in CATALOG]
    assert [m["id"] for m in endpoints.sample(unlinked, 1, CONTRACT)] == [
        "t/cheap",
        "t/dear:nitro",
        "~t/dear-latest",
    ]
    plain_only = [m for m in CATALOG if endpoints.plain(m)]
    assert [m["id"] for m in endpoints.sample(plain_only, 1, CONTRACT)] == ["t/cheap"]


def test_a_catalog_without_priced_text_still_has_a_text_model_sampled() -> None:
    free = [m for m in CATALOG if m["pricing"]["prompt"] == "0" and endpoints.plain(m)]
    assert [m["id"] for m in endpoints.sample(free, 3, CONTRACT)] == [
        "v/video-1",
        "i/image-1",
        "t/free",
    ]
