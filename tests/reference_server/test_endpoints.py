"""endpoints.py: GET /models/{author}/{slug}/endpoints and GET /providers (rulings R18, R20).

The expectations are computed here from the catalog rows (which row a link names, the
model's context and prices), not read back from the server's own tables.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import httpx
import pytest

from arouter_conformance.spec import Spec, load_spec
from reference_server import RESTRICTED_PROVIDERS, Catalog, create_app
from reference_server.catalog import Model
from tests.reference_server.conftest import DEMO, RESTRICTED, AsgiClient, bearer
from tests.reference_server.rows import document, row
from tests.snapshots import ALL_2026_08, shared_snapshot

Client = AsgiClient | httpx.Client
PRICE = re.compile(r"^[0-9]+(\.[0-9]+)?$")
CONTRACT = load_spec().contract


def author(model_id: str) -> str:
    return model_id.split("/")[0].lstrip("~")


def shown_by_link(models: list[Model], model: Model) -> str:
    """The id a row's links.details shows: the first plain row with its canonical_slug,
    else the first row with it (a variant whose base is not listed shows itself)."""
    same = [m for m in models if m["canonical_slug"] == model["canonical_slug"]]
    plain = [m for m in same if ":" not in m["id"]]
    return str((plain or same)[0]["id"])


def details(client: Client, path: str, headers: dict[str, str] = DEMO) -> dict[str, Any]:
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200, (path, answer.text)
    assert answer.headers["content-type"] == "application/json"
    data: dict[str, Any] = answer.json()["data"]
    return data


def assert_endpoints_valid(spec: Spec, body: dict[str, Any], model: Model) -> None:
    """The shape, the prices, the enumerations and the context rule of one answer."""
    assert spec.validator("Endpoints.json").is_valid(body)
    data = body["data"]
    assert [data[k] for k in ("id", "name", "created", "description", "architecture")] == [
        model[k] for k in ("id", "name", "created", "description", "architecture")
    ]
    assert 1 <= len(data["endpoints"]) <= 2
    for endpoint in data["endpoints"]:
        for key, price in endpoint["pricing"].items():
            if key in {"prompt", "completion"} and price == "-1":
                continue
            if key not in {"discount", "overrides"}:
                assert isinstance(price, str), key
                assert PRICE.match(price), (key, price)
        assert endpoint["quantization"] in (None, *CONTRACT.quantizations)
        assert endpoint["status"] in CONTRACT.endpoint_statuses
        assert endpoint["supported_parameters"] == model["supported_parameters"]
        assert endpoint["model_id"] == model["id"]
        if isinstance(model["context_length"], int):
            assert endpoint["context_length"] <= model["context_length"]


# --- the endpoints of every model --------------------------------------------------------------


def test_every_listed_id_answers_its_own_endpoints(
    asgi: AsgiClient, catalog: Catalog, spec: Spec
) -> None:
    for model in catalog.models:
        answer = asgi.get(f"/v1/models/{model['id']}/endpoints", headers=DEMO)
        assert answer.status_code == 200, model["id"]
        assert_endpoints_valid(spec, answer.json(), model)


def test_every_link_resolves_and_a_variant_shows_its_base(
    asgi: AsgiClient, catalog: Catalog
) -> None:
    models = list(catalog.models)
    variants = 0
    for model in models:
        link = model["links"]["details"]
        assert link == f"/api/v1/models/{model['canonical_slug']}/endpoints"
        shown = details(asgi, link)["id"]
        assert shown == shown_by_link(models, model)
        if ":" in model["id"] and shown != model["id"]:
            assert shown == model["id"].partition(":")[0]
            variants += 1
    assert variants > 10


def test_the_first_endpoint_is_the_authors_own_offer(asgi: AsgiClient, catalog: Catalog) -> None:
    for model in catalog.models:
        first = details(asgi, f"/v1/models/{model['id']}/endpoints")["endpoints"][0]
        assert first["tag"] == author(model["id"])
        assert first["pricing"] == model["pricing"]
        assert first["context_length"] == model["context_length"]
        assert first["max_completion_tokens"] == model["top_provider"]["max_completion_tokens"]


def test_some_models_have_a_second_provider_asking_a_little_more(
    asgi: AsgiClient, catalog: Catalog
) -> None:
    seconds = []
    for model in catalog.models:
        endpoints = details(asgi, f"/v1/models/{model['id']}/endpoints")["endpoints"]
        if len(endpoints) == 2:
            first, second = endpoints
            assert second["tag"] != first["tag"]
            assert second["tag"] in catalog.by_author
            assert second["context_length"] <= first["context_length"]
            for key in ("prompt", "completion"):
                asked, own = Decimal(second["pricing"][key]), Decimal(first["pricing"][key])
                assert own < asked <= own * Decimal("1.15") or asked == own == 0
            seconds.append(model)
    assert len(catalog.models) / 4 < len(seconds) < len(catalog.models) / 2
    routers = [m for m in catalog.models if m["pricing"]["prompt"] == "-1"]
    assert routers
    assert not {m["id"] for m in routers} & {m["id"] for m in seconds}


def test_the_answers_are_the_same_on_every_start_and_root(client: Client) -> None:
    path = "/v1/models/openai/gpt-5.4/endpoints"
    again = AsgiClient(create_app()).get(path, headers=DEMO)
    first = client.get(path, headers=DEMO)
    assert first.content == again.content
    assert client.get(path.replace("/v1/", "/api/v1/"), headers=DEMO).content == first.content
    assert client.get(
        path, headers={**DEMO, "If-None-Match": first.headers["etag"]}
    ).status_code == (304)
    assert client.head(path, headers=DEMO).content == b""


@pytest.mark.parametrize(
    "name", ["openai/no-such-model", "nobody/gpt-5.4", "openai/gpt-5.4:nitro", "qwen/qwen3-8-27b"]
)
def test_an_unknown_model_is_404(client: Client, catalog: Catalog, name: str) -> None:
    assert name not in catalog.by_id  # qwen/qwen3-8-27b is a lookup alias, not an id or slug
    answer = client.get(f"/v1/models/{name}/endpoints", headers=DEMO)
    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": 404, "message": f"no model {name!r}"}}


def test_a_restricted_key_sees_another_providers_model_as_unknown(
    client: Client, catalog: Catalog
) -> None:
    own = next(m for m in catalog.models if author(m["id"]) in RESTRICTED_PROVIDERS)
    other = next(m for m in catalog.models if author(m["id"]) not in RESTRICTED_PROVIDERS)
    assert details(client, own["links"]["details"], RESTRICTED)["id"] == own["id"]
    for path in (f"/v1/models/{other['id']}/endpoints", other["links"]["details"]):
        assert client.get(path, headers=RESTRICTED).status_code == 404


def test_null_contexts_fall_back_to_the_top_provider_then_zero() -> None:
    top = {"context_length": 4096, "max_completion_tokens": None, "is_moderated": False}
    none = {**top, "context_length": None}
    client = AsgiClient(
        create_app(
            Catalog.from_document(
                document(
                    [
                        row("a/top", context_length=None, top_provider=top),
                        row("a/none", context_length=None, top_provider=none),
                    ]
                )
            )
        )
    )
    contexts = {
        name: [
            e["context_length"]
            for e in details(client, f"/v1/models/{name}/endpoints")["endpoints"]
        ]
        for name in ("a/top", "a/none")
    }
    assert contexts["a/top"][0] == 4096
    assert contexts["a/none"] == [0] * len(contexts["a/none"])


def test_a_canonical_slug_names_its_first_plain_row() -> None:
    rows = [
        row("a/m:free", canonical_slug="a/m-1"),
        row("a/m", canonical_slug="a/m-1"),
        row("a/m:thinking", canonical_slug="a/m-1"),
        row("a/only:free", canonical_slug="a/only-1"),
        row("a/only:beta", canonical_slug="a/only-1"),
        row("a/x", canonical_slug="a/y"),
        row("a/y", canonical_slug="a/y-2"),
    ]
    client = AsgiClient(create_app(Catalog.from_document(document(rows))))
    shown = {
        name: details(client, f"/api/v1/models/{name}/endpoints")["id"]
        for name in ("a/m-1", "a/only-1", "a/m:thinking", "a/y")
    }
    # a listed id wins over another row's canonical_slug
    assert shown == {
        "a/m-1": "a/m",
        "a/only-1": "a/only:free",
        "a/m:thinking": "a/m:thinking",
        "a/y": "a/y",
    }


def test_a_synthetic_catalogs_links_all_resolve(spec: Spec) -> None:
    catalog = Catalog.synthetic(40)
    client = AsgiClient(create_app(catalog))
    models = list(catalog.models)
    for model in models:
        answer = client.get(model["links"]["details"], headers=DEMO)
        shown = answer.json()["data"]["id"]
        assert shown == shown_by_link(models, model)
        assert_endpoints_valid(spec, answer.json(), catalog.by_id[shown])


def test_the_real_snapshots_links_all_resolve(spec: Spec) -> None:
    """Every row of the 549-model snapshot, served as published: its link answers, showing
    the row itself or, for a variant, its base model."""
    rows = json.loads(shared_snapshot(ALL_2026_08).read_text(encoding="utf-8"))["data"]
    client = AsgiClient(create_app(Catalog(rows)))
    by_id = {m["id"]: m for m in rows}
    for model in rows:
        answer = client.get(model["links"]["details"], headers=DEMO)
        assert answer.status_code == 200, model["id"]
        shown = answer.json()["data"]["id"]
        assert shown == shown_by_link(rows, model)
        assert shown in (model["id"], model["id"].partition(":")[0])
        assert_endpoints_valid(spec, answer.json(), by_id[shown])
        assert (
            client.get(f"/api/v1/models/{model['id']}/endpoints", headers=DEMO).json()["data"]["id"]
            == model["id"]
        )


# --- providers ---------------------------------------------------------------------------------


def test_providers_are_the_catalogs_authors_once_each(
    client: Client, catalog: Catalog, spec: Spec
) -> None:
    body = client.get("/v1/providers", headers=DEMO).json()
    assert spec.validator("Providers.json").is_valid(body)
    slugs = [p["slug"] for p in body["data"]]
    assert slugs == sorted({author(m["id"]) for m in catalog.models})
    for provider in body["data"]:
        assert provider["name"]
        assert provider["privacy_policy_url"] is None
        assert all(re.fullmatch("[A-Z]{2}", c) for c in provider["datacenters"])
    restricted = client.get("/api/v1/providers", headers=RESTRICTED)
    assert restricted.content == client.get("/v1/providers", headers=DEMO).content


def test_every_endpoint_names_a_listed_provider(asgi: AsgiClient, catalog: Catalog) -> None:
    providers = {
        p["slug"]: p["name"] for p in asgi.get("/v1/providers", headers=DEMO).json()["data"]
    }
    for model in catalog.models[:100]:
        for endpoint in details(asgi, f"/v1/models/{model['id']}/endpoints")["endpoints"]:
            assert providers[endpoint["tag"]] == endpoint["provider_name"]


# --- authentication ----------------------------------------------------------------------------


PATHS = ["/v1/providers", "/v1/models/openai/gpt-5.4/endpoints"]


@pytest.mark.parametrize("path", PATHS)
def test_like_the_list_they_need_a_key_unless_listing_is_open(client: Client, path: str) -> None:
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer("lr_live_wrong")).status_code == 401
    open_listing = AsgiClient(create_app(open_listing=True))
    assert open_listing.get(path).content == open_listing.get(path, headers=DEMO).content
    assert open_listing.get(path, headers=bearer("lr_live_wrong")).status_code == 401
