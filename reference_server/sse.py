"""Server-sent events as the OpenAI-compatible streaming protocol frames them.

Each event is one `data: <json>` line and a blank line; the stream ends with the literal
`data: [DONE]` event, after which the response closes. Each event goes out in its own ASGI
body message, so clients see the separate writes a streaming server makes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reference_server.asgi import Send
from reference_server.responses import encode_json

__all__ = ["DONE", "HEADERS", "event", "write"]

DONE = b"data: [DONE]\n\n"
HEADERS = [(b"content-type", b"text/event-stream"), (b"cache-control", b"no-cache")]


def event(payload: Mapping[str, Any]) -> bytes:
    return b"data: " + encode_json(payload) + b"\n\n"


async def write(send: Send, events: Iterable[bytes]) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    for data in events:
        await send({"type": "http.response.body", "body": data, "more_body": True})
    await send({"type": "http.response.body", "body": b""})
