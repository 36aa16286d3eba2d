"""responses.py: cached bodies with strong ETags, 304 on a match, gzip when accepted."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from reference_server.responses import Body, LRUCache, accepts_gzip, etag_matches, represent
from tests.reference_server.conftest import DEMO, AsgiClient

Client = AsgiClient | httpx.Client


@pytest.mark.parametrize(
    ("header", "gzip_ok"),
    [
        (None, False),
        (b"", False),
        (b"gzip", True),
        (b"GZIP", True),
        (b"deflate, gzip;q=0.5", True),
        (b"gzip;q=0", False),
        (b"gzip; q=0.0, *", False),
        (b"x-gzip", True),
        (b"br", False),
        (b"*", True),
        (b"*;q=0", False),
        (b"identity, *;q=0.1", True),
        (b"gzip;q=bogus", False),
    ],
)
def test_accept_encoding(header: bytes | None, gzip_ok: bool) -> None:
    assert accepts_gzip(header) is gzip_ok


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (b'"abc"', True),
        (b'W/"abc"', True),
        (b'"x", "abc"', True),
        (b"*", True),
        (b'"abd"', False),
        (b"abc", False),
    ],
)
def test_if_none_match_uses_the_weak_comparison(header: bytes, matches: bool) -> None:
    assert etag_matches(header, b'"abc"') is matches


def test_a_body_is_compact_json_with_a_stable_strong_tag() -> None:
    body = Body({"data": ["é", 1]})
    assert body.data == b'{"data":["\\u00e9",1]}'
    assert body.etag == Body({"data": ["é", 1]}).etag
    assert body.etag.startswith(b'"')
    assert body.etag.endswith(b'"')
    assert body.gzip_etag != body.etag
    assert gzip.decompress(body.gzipped) == body.data
    assert body.gzipped is body.gzipped


def test_represent_chooses_the_encoding_and_answers_304() -> None:
    body = Body({"x": 1})
    status, headers, payload = represent(body, None, None)
    assert (status, payload) == (200, body.data)
    assert (b"etag", body.etag) in headers
    status, headers, payload = represent(body, b"gzip", None)
    assert (status, payload) == (200, body.gzipped)
    assert (b"content-encoding", b"gzip") in headers
    assert represent(body, None, body.etag)[0] == 304
    assert represent(body, b"gzip", body.gzip_etag)[0] == 304
    assert represent(body, b"gzip", body.etag)[0] == 200  # another representation's tag


def test_the_cache_builds_once_and_forgets_the_oldest() -> None:
    cache: LRUCache[str] = LRUCache(maxsize=2)
    built: list[str] = []

    def build(name: str) -> str:
        built.append(name)
        return name

    first = cache.get("a", lambda: build("a"))
    assert cache.get("a", lambda: build("a")) is first
    cache.get("b", lambda: build("b"))
    cache.get("a", lambda: build("a"))  # refreshes "a"
    cache.get("c", lambda: build("c"))  # evicts "b"
    cache.get("a", lambda: build("a"))
    cache.get("b", lambda: build("b"))
    assert built == ["a", "b", "c", "b"]


@pytest.mark.parametrize("path", ["/v1/models", "/v1/models/count", "/v1/model/openai/gpt-5.4"])
def test_etag_and_304_on_the_wire(client: Client, path: str) -> None:
    identity = {**DEMO, "Accept-Encoding": "identity"}
    first = client.get(path, headers=identity)
    tag = first.headers["etag"]
    assert first.headers["vary"] == "Accept-Encoding, Authorization"
    again = client.get(path, headers={**identity, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    weak = client.get(path, headers={**identity, "If-None-Match": f"W/{tag}"})
    assert weak.status_code == 304
    stale = client.get(path, headers={**identity, "If-None-Match": '"stale"'})
    assert stale.status_code == 200
    assert stale.content == first.content


def test_gzip_on_the_wire(client: Client) -> None:
    plain = client.get("/v1/models", headers={**DEMO, "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain.content)
    packed = client.get("/v1/models", headers={**DEMO, "Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip"
    assert int(packed.headers["content-length"]) < len(plain.content) // 4
    assert packed.content == plain.content  # httpx decompressed it
    assert json.loads(packed.content)["total_count"] > 0
    tag = packed.headers["etag"]
    again = client.get(
        "/v1/models", headers={**DEMO, "Accept-Encoding": "gzip", "If-None-Match": tag}
    )
    assert again.status_code == 304


def test_head_sends_the_headers_of_get_without_a_body(client: Client) -> None:
    headers = {**DEMO, "Accept-Encoding": "identity"}
    got = client.get("/v1/models", headers=headers)
    head = client.head("/v1/models", headers=headers)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["etag"] == got.headers["etag"]
    refused = client.head("/v1/models")
    assert refused.status_code == 401
    assert refused.content == b""
