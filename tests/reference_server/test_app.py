"""app.py: the ASGI protocol itself: lifespan, body limits, disconnects, and the 500 path."""

from __future__ import annotations

import logging
from typing import Any

import anyio
import httpx
import pytest

from reference_server import DEMO_KEY, RESTRICTED_KEY, Queries, ReferenceApp, create_app
from reference_server.app import MAX_BODY, MAX_QUERY_FIELDS
from reference_server.asgi import Message
from tests.reference_server.conftest import DEMO, AsgiClient, bearer

Client = AsgiClient | httpx.Client


def drive(app: Any, scope: dict[str, Any], incoming: list[Message]) -> tuple[list[Message], int]:
    """Run `app` on `scope` with scripted receive messages; what it sent, and how many it read."""
    sent: list[Message] = []
    read = 0

    async def receive() -> Message:
        nonlocal read
        read += 1
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)
    return sent, read


def http_scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
    }


AUTH = [(b"authorization", f"Bearer {DEMO_KEY}".encode())]


def test_lifespan_startup_and_shutdown_are_acknowledged(app: ReferenceApp) -> None:
    sent, _ = drive(
        app,
        {"type": "lifespan", "asgi": {"version": "3.0"}},
        [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}],
    )
    assert [m["type"] for m in sent] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]


def test_other_scopes_are_refused(app: ReferenceApp) -> None:
    with pytest.raises(RuntimeError, match="websocket"):
        drive(app, {"type": "websocket"}, [])


def test_a_body_declared_too_large_is_refused_before_reading_it(app: ReferenceApp) -> None:
    headers = [*AUTH, (b"content-length", str(MAX_BODY + 1).encode())]
    sent, read = drive(app, http_scope("POST", "/v1/chat/completions", headers), [])
    assert read == 0
    assert sent[0]["status"] == 413


def test_a_streamed_body_is_refused_as_soon_as_it_grows_too_large(app: ReferenceApp) -> None:
    chunk = b"x" * (MAX_BODY // 4)
    incoming: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": True} for _ in range(10)
    ]
    sent, read = drive(app, http_scope("POST", "/v1/chat/completions", AUTH), incoming)
    assert read == 5  # the fifth chunk crosses the limit; the other five are never read
    assert sent[0]["status"] == 413
    assert b'"code":413' in sent[1]["body"]


def test_a_body_at_the_limit_is_read(app: ReferenceApp) -> None:
    sent, _ = drive(
        app,
        http_scope("POST", "/v1/chat/completions", AUTH),
        [{"type": "http.request", "body": b" " * MAX_BODY}],
    )
    assert sent[0]["status"] == 400  # read whole, then found not to be JSON


def test_a_client_that_leaves_mid_body_gets_no_answer(app: ReferenceApp) -> None:
    incoming: list[Message] = [{"type": "http.request", "body": b"{", "more_body": True}]
    sent, _ = drive(app, http_scope("POST", "/v1/chat/completions", AUTH), incoming)
    assert sent == []


def test_413_over_http(http_client: httpx.Client) -> None:
    answer = http_client.post("/v1/chat/completions", headers=DEMO, content=b" " * (MAX_BODY + 1))
    assert answer.status_code == 413
    assert answer.json() == {
        "error": {"code": 413, "message": f"the request body is larger than {MAX_BODY} bytes"}
    }


def test_too_many_query_parameters_are_refused(client: Client) -> None:
    query = "&".join(f"p{n}=1" for n in range(MAX_QUERY_FIELDS + 1))
    answer = client.get(f"/v1/models?{query}", headers=DEMO)
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 400


@pytest.mark.parametrize(
    "path",
    [
        "/v1/models?sort=newest",
        "/v1/models/count?output_modalities=image",
        "/v1/model/openai/gpt-5.4",
    ],
)
def test_both_roots_answer_the_same_bytes(client: Client, path: str) -> None:
    first = client.get(path, headers=DEMO)
    second = client.get(path.replace("/v1/", "/api/v1/", 1), headers=DEMO)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content


class Broken(Queries):
    """A defect that raises: the app must answer 500 in the error shape, and log it."""

    def count(self, modalities: frozenset[str] | None, visibility: Any) -> int:
        raise RuntimeError("count is broken")


def test_an_unexpected_error_is_a_logged_500_in_the_error_shape(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = AsgiClient(create_app(queries=Broken))
    with caplog.at_level(logging.ERROR, logger="reference_server.app"):
        answer = client.get("/v1/models/count", headers=DEMO)
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {"code": 500, "message": "internal error in the reference server"}
    }
    assert "count is broken" in caplog.text
    assert DEMO_KEY not in caplog.text
    assert client.get("/v1/models", headers=DEMO).status_code == 200


def test_an_oversized_message_is_shortened(client: Client) -> None:
    answer = client.get("/v1/models", headers=DEMO, params={"output_modalities": "x" * 5000})
    assert answer.status_code == 400
    assert len(answer.json()["error"]["message"]) <= 300


class CountsParsing(Queries):
    """Records every list query the rules are asked to read."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.parsed: list[Any] = []

    def list_query(self, params: Any) -> Any:
        self.parsed.append(dict(params))
        return super().list_query(params)


def test_a_repeated_query_string_is_parsed_once_and_a_refusal_every_time() -> None:
    app = create_app(queries=CountsParsing)
    client = AsgiClient(app)
    query = {"output_modalities": "text,image", "sort": "newest"}
    first = client.get("/v1/models", headers=DEMO, params=query)
    again = client.get("/v1/models", headers=DEMO, params=query)
    other_root = client.get("/api/v1/models", headers=DEMO, params=query)
    assert first.status_code == again.status_code == other_root.status_code == 200
    assert first.content == again.content == other_root.content
    restricted = client.get("/v1/models", headers=bearer(RESTRICTED_KEY), params=query)
    assert restricted.content != first.content  # the key is part of what is remembered
    assert client.get("/v1/models/count", headers=DEMO, params=query).status_code == 200
    for _ in range(2):
        assert client.get("/v1/models", headers=DEMO, params={"sort": "nope"}).status_code == 400
    assert isinstance(app.queries, CountsParsing)
    # once per key and root (a page's next link names its root), and the refusal twice
    assert len(app.queries.parsed) == 5
    assert len(app.listings) == 4  # two roots' and two keys' lists and a count; no refusal
