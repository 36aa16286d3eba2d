"""Broken and hostile targets for the kit's tests and for benchmarks/hostile_targets.py,
which runs each of them at the kit's default settings: ASGI apps around the reference
server (and one raw TCP handler) that rate-limit, stream forever, redirect elsewhere or
answer bodies the kit cannot read."""

from __future__ import annotations

import asyncio
import json
import socket
import socketserver
import struct
from typing import Any

import reference_server
from tests.targets import request_body

KIT_AGENT = b"arouter-conformance/"


Scope = dict[str, Any]


async def answer(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class RateLimiting:
    """The reference server, until it has answered `free` requests (or for every request
    but chats, with `chat_only`); then 429 with a Retry-After of an hour."""

    def __init__(self, *, free: int = 0, chat_only: bool = False) -> None:
        self.app = reference_server.create_app()
        self.free, self.chat_only = free, chat_only

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limited = scope["path"].endswith("/chat/completions") if self.chat_only else self.free <= 0
        self.free -= 1
        if not limited:
            return await self.app(scope, receive, send)
        body = json.dumps({"error": {"code": 429, "message": "slow down"}}).encode()
        await answer(
            send, 429, body, [(b"content-type", b"application/json"), (b"retry-after", b"3600")]
        )
        return None


class EndlessStreams:
    """The reference server, but a streamed chat never ends: a chunk every 50 ms (or,
    with `comments`, an SSE comment, which no reader hands on), no [DONE], until the
    client goes away."""

    def __init__(self, *, comments: bool = False) -> None:
        self.app = reference_server.create_app()
        self.comments = comments

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/chat/completions"):
            return await self.app(scope, receive, send)
        body = await request_body(receive)
        try:
            request = json.loads(body or b"{}")
        except ValueError:  # the kit's malformed probes: the reference server refuses them
            request = {}
        if not isinstance(request, dict) or not request.get("stream"):
            return await self.app(scope, _replay(body), send)
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        watcher = asyncio.ensure_future(watch())
        headers = [(b"content-type", b"text/event-stream")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        chunk = {
            "id": "gen-endless",
            "object": "chat.completion.chunk",
            "created": 1,
            "model": request.get("model", "x"),
            "choices": [{"index": 0, "delta": {"content": "more "}, "finish_reason": None}],
        }
        try:
            while not gone.is_set():
                event = (
                    b": alive\n\n"
                    if self.comments
                    else b"data: " + json.dumps(chunk).encode() + b"\n\n"
                )
                await send({"type": "http.response.body", "body": event, "more_body": True})
                await asyncio.sleep(0.05)
        except OSError:
            pass
        finally:
            watcher.cancel()


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            await asyncio.Event().wait()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


class Recorder:
    """Another origin: records every request that reaches it."""

    def __init__(self) -> None:
        self.seen: list[dict[bytes, bytes]] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        self.seen.append(dict(scope["headers"]))
        await answer(send, 200, b'{"data": []}', [(b"content-type", b"application/json")])


class Redirecting:
    """The reference server; a request from an SDK (anything but the kit's own client) is
    sent on with `status` to `elsewhere` (another origin), or, without one, to the same
    path under /same (this origin), which the reference server also answers."""

    def __init__(self, status: int, elsewhere: str | None) -> None:
        self.app = reference_server.create_app()
        self.status, self.elsewhere = status, elsewhere

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"]
        if path.startswith("/same/"):
            return await self.app({**scope, "path": path.removeprefix("/same")}, receive, send)
        agent = dict(scope["headers"]).get(b"user-agent", b"")
        if agent.startswith(KIT_AGENT):
            return await self.app(scope, receive, send)
        query = b"?" + scope["query_string"] if scope["query_string"] else b""
        where = (
            (self.elsewhere or "").encode()
            + (b"" if self.elsewhere else b"/same")
            + path.encode()
            + query
        )
        await answer(send, self.status, b"", [(b"location", where), (b"content-length", b"0")])
        return None


class Serving:
    """Every list answer is `body`; the rest is the reference server's."""

    def __init__(self, body: bytes) -> None:
        self.app = reference_server.create_app()
        self.body = body

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/models"):
            return await self.app(scope, receive, send)
        await answer(send, 200, self.body, [(b"content-type", b"application/json")])
        return None


class ResetAfterAnError(socketserver.BaseRequestHandler):
    """Answers the first request of the server with a 500 and keeps the connection open;
    the next request on that connection is met with a reset (what a gateway behind a
    load balancer does after an upstream error); requests on new connections get 200."""

    answered = 0

    def handle(self) -> None:
        stream = self.request.makefile("rb")
        while stream.readline() not in (b"\r\n", b""):
            pass  # the request line and headers; these requests have no body
        type(self).answered += 1
        if type(self).answered == 1:
            self.request.sendall(_response(500, b'{"error": {"code": 500, "message": "x"}}'))
            while stream.readline() not in (b"\r\n", b""):
                pass  # the next request, on the same connection: reset it
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        self.request.sendall(_response(200, b'{"data": []}'))


def _response(status: int, body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Shifting:
    """Every request answered from another catalog than the last (three synthetic ones in
    turn): no two answers of the run agree."""

    def __init__(self) -> None:
        catalogs = (reference_server.Catalog.synthetic(n) for n in (40, 60, 80))
        self.apps = [reference_server.create_app(catalog) for catalog in catalogs]
        self.turn = 0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.turn += 1
        await self.apps[self.turn % len(self.apps)](scope, receive, send)


class CutMidBody(socketserver.BaseRequestHandler):
    """The first answer of the server promises 1,000 bytes, sends a few and closes the
    connection; later answers are whole."""

    answered = 0

    def handle(self) -> None:
        stream = self.request.makefile("rb")
        length = 0
        while (line := stream.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        stream.read(length)
        type(self).answered += 1
        if type(self).answered == 1:
            head = (
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
            )
            self.request.sendall(head + b'{"data": [')
            return
        self.request.sendall(_response(200, b'{"data": []}'))
