"""GET /models/user (ruling R19): the key's own list, every modality, never anonymous."""

from __future__ import annotations

import httpx
import pytest

from arouter_conformance.spec import Spec
from reference_server import RESTRICTED_PROVIDERS, Catalog, create_app
from tests.reference_server.conftest import DEMO, RESTRICTED, AsgiClient, bearer

Client = AsgiClient | httpx.Client


def author(model_id: str) -> str:
    return model_id.split("/")[0].lstrip("~")


def test_it_is_the_whole_list_of_every_modality(client: Client, spec: Spec) -> None:
    body = client.get("/v1/models/user", headers=DEMO).json()
    assert spec.validator("ModelList.json").is_valid(body)
    everything = client.get("/v1/models", headers=DEMO, params={"output_modalities": "all"})
    assert body == everything.json()


def test_a_restricted_key_gets_its_providers_models(client: Client, catalog: Catalog) -> None:
    body = client.get("/api/v1/models/user", headers=RESTRICTED).json()
    expected = [m["id"] for m in catalog.models if author(m["id"]) in RESTRICTED_PROVIDERS]
    assert [m["id"] for m in body["data"]] == expected
    assert body["total_count"] == len(expected)


@pytest.mark.parametrize(
    "params",
    [{"output_modalities": "image"}, {"supported_parameters": "tools"}, {"sort": "newest"}],
)
def test_it_takes_no_filter(client: Client, params: dict[str, str]) -> None:
    plain = client.get("/v1/models/user", headers=DEMO)
    assert client.get("/v1/models/user", headers=DEMO, params=params).content == plain.content


@pytest.mark.parametrize("open_listing", [False, True])
def test_it_always_needs_a_right_key(open_listing: bool) -> None:
    client = AsgiClient(create_app(open_listing=open_listing))
    for headers in ({}, bearer("lr_live_wrong"), {"Authorization": "Basic x"}):
        answer = client.get("/v1/models/user", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.json()["error"]["code"] == 401
    assert client.get("/v1/models/user", headers=DEMO).status_code == 200
