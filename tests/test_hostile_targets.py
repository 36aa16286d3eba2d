"""The kit against broken and hostile targets, each a real server on 127.0.0.1: it ends,
in bounded time, with exit 1 or 2 and a reason, blames the target only for what it saw,
and sends the key and the run's secret headers nowhere but to the target."""

from __future__ import annotations

import asyncio
import json
import socket
import socketserver
import struct
import threading
from pathlib import Path
from typing import Any

import pytest

import reference_server
from arouter_conformance.client import Budget, Credentials, Target
from tests.targets import live, run_cli, run_subprocess

KIT_AGENT = b"arouter-conformance/"
SECRET_HEADER = "secret-header-value-0123456789"

Scope = dict[str, Any]


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["status"] for r in report.get("requirements", [])}


def reasons(report: dict[str, Any], status: str) -> list[str]:
    return [r["reason"] or "" for r in report["requirements"] if r["status"] == status]


async def answer(send: Any, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# ----------------------------------------------------------------------------- rate limits


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


def test_a_target_rate_limiting_for_an_hour_is_never_blamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(RateLimiting(free=3), tmp_path) as target:
        code, report = run_cli(target, tmp_path, "--no-chat", monkeypatch=monkeypatch)
    assert code == 2
    assert "failed" not in statuses(report).values()
    assert any("rate-limiting" in reason for reason in reasons(report, "error"))


def test_a_rate_limit_on_chat_alone_leaves_the_rest_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(RateLimiting(chat_only=True), tmp_path) as target:
        code, report = run_cli(
            target, tmp_path, "--profile", "models", "--profile", "chat", monkeypatch=monkeypatch
        )
    seen = statuses(report)
    assert code == 2
    assert "failed" not in seen.values()
    assert seen["MODELS-LIST-001"] == "passed"
    assert seen["CHAT-SERVE-001"] == "error"


# ----------------------------------------------------------------------------- streams


class EndlessStreams:
    """The reference server, but a streamed chat never ends: a chunk every 50 ms, no
    [DONE], until the client goes away."""

    def __init__(self) -> None:
        self.app = reference_server.create_app()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/chat/completions"):
            return await self.app(scope, receive, send)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = json.loads(body or b"{}")
        if not request.get("stream"):
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
                event = b"data: " + json.dumps(chunk).encode() + b"\n\n"
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


def test_a_stream_that_never_ends_is_a_finding_not_a_hang(tmp_path: Path) -> None:
    """Every reader of the stream (the kit's client and both SDKs) stops at four times the
    timeout; the stream that did not end fails CHAT-STREAM-005 and nothing else."""
    with live(EndlessStreams(), tmp_path) as target:
        done = run_subprocess(
            [
                "run",
                "--manifest",
                str(target.manifest),
                "--json",
                str(tmp_path / "r.json"),
                "--profile",
                "chat",
                "--profile",
                "openrouter-sdk",
                "--timeout",
                "0.5",
            ],
            env=target.env,
            timeout=120,
        )
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    seen = statuses(report)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert seen["CHAT-STREAM-005"] == "failed"
    assert seen["CHAT-SDK-001"] != "failed"
    assert seen["ORSDK-INTEROP-002"] != "failed"


# ----------------------------------------------------------------------------- redirects


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


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_origin_gets_neither_key_nor_headers(
    status: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    with (
        reference_server.serve_in_thread(recorder) as elsewhere,
        live(Redirecting(status, elsewhere), tmp_path) as target,
    ):
        code, report = run_cli(
            target,
            tmp_path,
            "--profile",
            "openai-list",
            "--profile",
            "openrouter-sdk",
            "--no-chat",
            "--header",
            f"X-Gateway-Token: {SECRET_HEADER}",
            monkeypatch=monkeypatch,
        )
    assert recorder.seen == []
    assert code == 2
    assert "failed" not in statuses(report).values()
    assert any("another origin" in reason for reason in reasons(report, "error"))
    assert SECRET_HEADER not in json.dumps(report)


def test_a_redirect_within_the_target_is_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(Redirecting(307, None), tmp_path) as target:
        code, report = run_cli(
            target,
            tmp_path,
            "--profile",
            "openai-list",
            "--profile",
            "openrouter-sdk",
            "--no-chat",
            monkeypatch=monkeypatch,
        )
    seen = statuses(report)
    assert seen["OPENAI-LIST-004"] == "passed"
    assert seen["ORSDK-INTEROP-001"] == "passed"
    assert code == 0


# ----------------------------------------------------------------------------- bodies


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


@pytest.mark.parametrize(
    ("body", "status", "why"),
    [
        (b'{"data": [\xff\xfe]}', "failed", "not valid UTF-8"),
        (b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "inconclusive", "nests deeper"),
        (b'{"data": [' + b"7" * 100_000 + b"]}", "inconclusive", "more digits"),
    ],
    ids=["invalid-utf-8", "nested-100000-deep", "a-100000-digit-number"],
)
def test_a_body_the_kit_cannot_read_is_named_and_blamed_only_when_it_is_broken(
    body: bytes, status: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(Serving(body), tmp_path) as target:
        code, report = run_cli(
            target, tmp_path, "--requirement", "MODELS-LIST-001", monkeypatch=monkeypatch
        )
    [judged] = [r for r in report["requirements"] if r["id"] == "MODELS-LIST-001"]
    assert judged["status"] == status
    text = json.dumps(judged)
    assert why in text
    assert "RecursionError" not in text
    assert code == (1 if status == "failed" else 2)


def test_a_key_written_twice_is_read_as_json_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RFC 8259 leaves duplicate names to the reader; the kit reads the last, as the
    SDKs' parsers do, and judges what it read."""
    listing = list(reference_server.Catalog.default().models[:3])
    body = b'{"data": [], "data": ' + json.dumps(listing).encode() + b"}"
    with live(Serving(body), tmp_path) as target:
        code, report = run_cli(
            target, tmp_path, "--requirement", "MODELS-LIST-001", monkeypatch=monkeypatch
        )
    assert statuses(report)["MODELS-LIST-001"] == "passed"
    assert code == 0


# ----------------------------------------------------------------------------- connections


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


def test_a_connection_reset_after_an_error_is_asked_again_on_a_new_one() -> None:
    """One retry on a new connection; the answer already in hand (the 500) is kept."""
    ResetAfterAnError.answered = 0
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), ResetAfterAnError) as server:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        target = Target(
            f"http://127.0.0.1:{port}/v1",
            Credentials("sk-test-secret-key-123456"),
            budget=Budget("request", 10),
            chat_budget=Budget("chat", 0),
            timeout=5,
        )
        try:
            first = target.get("/models")
            second = target.get("/models/count")
            assert target.get("/models") == first  # kept, not asked again
        finally:
            target.close()
            server.shutdown()
    assert first.status == 500
    assert second.status == 200
    assert target.budget.spent == 3  # the 500, the reset request and its one retry
