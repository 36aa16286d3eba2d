"""routing.py: both API roots, every operation, 404 for the rest and 405 with Allow."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from reference_server import HTTPError
from reference_server.routing import Operation, Route, match
from tests.reference_server.conftest import DEMO, AsgiClient


@pytest.mark.parametrize("prefix", ["/v1", "/api/v1"])
@pytest.mark.parametrize(
    ("method", "path", "route"),
    [
        ("GET", "/models", Route(Operation.LIST)),
        ("HEAD", "/models", Route(Operation.LIST)),
        ("GET", "/models/count", Route(Operation.COUNT)),
        ("GET", "/model/openai/gpt-5.4", Route(Operation.LOOKUP, "openai/gpt-5.4")),
        ("GET", "/model/~openai/gpt-latest", Route(Operation.LOOKUP, "~openai/gpt-latest")),
        ("GET", "/model/a/b:free", Route(Operation.LOOKUP, "a/b:free")),
        ("POST", "/chat/completions", Route(Operation.CHAT)),
        ("GET", "/models/user", Route(Operation.USER_MODELS)),
        ("HEAD", "/models/user", Route(Operation.USER_MODELS)),
        ("GET", "/providers", Route(Operation.PROVIDERS)),
        ("GET", "/models/a/b/endpoints", Route(Operation.ENDPOINTS, "a/b")),
        ("HEAD", "/models/a/b:free/endpoints", Route(Operation.ENDPOINTS, "a/b:free")),
        ("GET", "/models/~a/b-latest/endpoints", Route(Operation.ENDPOINTS, "~a/b-latest")),
        ("GET", "/models/a/b-20260101/endpoints", Route(Operation.ENDPOINTS, "a/b-20260101")),
    ],
)
def test_operations_answer_under_both_roots(
    prefix: str, method: str, path: str, route: Route
) -> None:
    """The route keeps its root: a page's next link points back under it."""
    assert match(method, prefix + path) == dataclasses.replace(route, root=prefix)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/v1",
        "/v1/",
        "/models",
        "/v2/models",
        "/api/v2/models",
        "/v1/models/",
        "/v1/model/a",
        "/v1/model/a/b/c",
        "/v1/chat",
        "/v1/v1/models",
        "/v1/models/a/endpoints",
        "/v1/models/a/b/c/endpoints",
        "/v1/models/a/b/endpoints/",
        "/v1/models/a/b/endpoint",
        "/v1/models/users",
        "/v1/providers/",
        "/v1/provider",
    ],
)
def test_other_paths_are_404(path: str) -> None:
    with pytest.raises(HTTPError) as caught:
        match("GET", path)
    assert caught.value.status == 404


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("POST", "/v1/models", b"GET, HEAD"),
        ("DELETE", "/api/v1/models/count", b"GET, HEAD"),
        ("PUT", "/v1/model/a/b", b"GET, HEAD"),
        ("OPTIONS", "/v1/models", b"GET, HEAD"),
        ("GET", "/v1/chat/completions", b"POST"),
        ("HEAD", "/v1/chat/completions", b"POST"),
        ("POST", "/v1/models/user", b"GET, HEAD"),
        ("DELETE", "/api/v1/providers", b"GET, HEAD"),
        ("PUT", "/v1/models/a/b/endpoints", b"GET, HEAD"),
    ],
)
def test_wrong_methods_are_405_with_allow(method: str, path: str, allow: bytes) -> None:
    with pytest.raises(HTTPError) as caught:
        match(method, path)
    assert caught.value.status == 405
    assert caught.value.headers == ((b"allow", allow),)


def test_405_and_404_reach_the_wire_in_the_error_shape(
    client: AsgiClient | httpx.Client,
) -> None:
    wrong = client.request("DELETE", "/v1/models", headers=DEMO)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, HEAD"
    assert wrong.json() == {"error": {"code": 405, "message": wrong.json()["error"]["message"]}}
    missing = client.get("/v1/nothing", headers=DEMO)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/json"
    assert missing.json()["error"]["code"] == 404
