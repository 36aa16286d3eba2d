"""offset and limit on GET /models and GET /models/user (ruling R21)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from reference_server import Queries, create_app
from tests.reference_server.conftest import DEMO, RESTRICTED, AsgiClient

Client = AsgiClient | httpx.Client

QUERIES = [
    {},
    {"output_modalities": "all"},
    {"output_modalities": "text,image", "supported_parameters": "tools", "sort": "newest"},
    {"sort": "pricing-low-to-high"},
    {"supported_parameters": "no_such"},
]


def whole(client: Client, path: str, params: dict[str, str], headers: dict[str, str]) -> list[str]:
    answer = client.get(path, headers=headers, params=params).json()
    assert answer["links"] == {"next": None}
    assert answer["total_count"] == len(answer["data"])
    return [m["id"] for m in answer["data"]]


def follow(client: Client, first: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every page from `first` on, by links.next, each checked for size and total."""
    pages = []
    url: str | None = first
    while url is not None:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        pages.append(body)
        url = body["links"]["next"]
        assert len(pages) < 1000
    return pages


@pytest.mark.parametrize("params", QUERIES)
@pytest.mark.parametrize("limit", [1, 7, 500, 1000])
def test_the_pages_of_a_query_are_its_whole_answer_in_order(
    asgi: AsgiClient, params: dict[str, str], limit: int
) -> None:
    expected = whole(asgi, "/v1/models", params, DEMO)
    query = httpx.QueryParams({**params, "limit": str(limit)})
    pages = follow(asgi, f"/v1/models?{query}", DEMO)
    assert [m["id"] for page in pages for m in page["data"]] == expected
    for number, page in enumerate(pages):
        assert page["total_count"] == len(expected)
        assert len(page["data"]) == min(limit, len(expected) - number * limit) or not expected
    assert len(pages) == max(1, -(-len(expected) // limit))


def test_a_next_link_keeps_the_root_and_the_other_parameters(client: Client) -> None:
    params = {"output_modalities": "text,image", "sort": "newest", "limit": "5", "offset": "3"}
    for root in ("/v1", "/api/v1"):
        link = client.get(f"{root}/models", headers=DEMO, params=params).json()["links"]["next"]
        parts = urlsplit(link)
        assert parts.path == f"{root}/models"
        assert dict(parse_qsl(parts.query)) == {**params, "offset": "8"}


@pytest.mark.parametrize(
    ("params", "offset", "limit"),
    [({"offset": "10"}, 10, 500), ({"limit": "5"}, 0, 5), ({"offset": "0"}, 0, 500)],
)
def test_one_given_the_other_takes_its_default(
    client: Client, params: dict[str, str], offset: int, limit: int
) -> None:
    expected = whole(client, "/v1/models", {"output_modalities": "all"}, DEMO)
    page = client.get(
        "/v1/models", headers=DEMO, params={"output_modalities": "all", **params}
    ).json()
    assert [m["id"] for m in page["data"]] == expected[offset : offset + limit]
    assert page["total_count"] == len(expected)
    assert (page["links"]["next"] is None) == (offset + limit >= len(expected))


@pytest.mark.parametrize("offset", ["415", "416", "100000", "9" * 40])
def test_an_offset_at_or_past_the_end_is_an_empty_last_page(client: Client, offset: str) -> None:
    total = len(whole(client, "/v1/models", {}, DEMO))
    assert total == 415
    page = client.get("/v1/models", headers=DEMO, params={"offset": offset}).json()
    assert page == {"object": "list", "data": [], "total_count": total, "links": {"next": None}}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("limit", "0"),
        ("limit", "1001"),
        ("limit", "-5"),
        ("limit", "9" * 40),
        ("offset", "-1"),
        ("offset", "-" + "9" * 40),
        ("offset", "1.5"),
        ("limit", "10.0"),
        ("limit", "ten"),
        ("offset", ""),
        ("offset", " 1"),
        ("limit", "1e3"),
        ("limit", "²"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/models", "/v1/models/user"])
def test_values_out_of_range_are_refused(client: Client, path: str, name: str, value: str) -> None:
    answer = client.get(path, headers=DEMO, params={name: value})
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["code"] == 400
    assert name in answer.json()["error"]["message"]


def test_a_repeated_offset_is_refused(client: Client) -> None:
    assert client.get("/v1/models?offset=1&offset=1", headers=DEMO).status_code == 400


@pytest.mark.parametrize("headers", [DEMO, RESTRICTED], ids=["demo", "restricted"])
def test_the_users_list_pages_too(client: Client, headers: dict[str, str]) -> None:
    expected = whole(client, "/api/v1/models/user", {}, headers)
    pages = follow(client, "/api/v1/models/user?limit=50", headers)
    assert [m["id"] for page in pages for m in page["data"]] == expected
    assert all(
        p["links"]["next"] is None or p["links"]["next"].startswith("/api/v1/models/user?")
        for p in pages
    )


class CountsPages(Queries):
    """Records every page cut, to show where each page answer is cached."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cuts = 0

    def page(self, models: list[dict[str, Any]], offset: int, limit: int) -> list[dict[str, Any]]:
        self.cuts += 1
        return super().page(models, offset, limit)


def test_a_page_is_cut_once_per_query_key_and_root() -> None:
    app = create_app(queries=CountsPages)
    client = AsgiClient(app)
    for _ in range(2):
        for query in ("limit=5", "limit=5&offset=0", "offset=0&limit=5"):
            client.get(f"/v1/models?{query}", headers=DEMO)
        client.get("/api/v1/models?limit=5", headers=DEMO)
        client.get("/v1/models?limit=5", headers=RESTRICTED)
    assert isinstance(app.queries, CountsPages)
    # limit=5 and its spellings with offset=0 are one page; the other root and key are not
    assert app.queries.cuts == 3
