"""The observe mode's proxy: invisible to the traffic, judging it on the side.

The upstreams are the reference server (wrapped to record what it sent, so "what the
client got" is compared with "what the upstream sent" byte for byte) and small ASGI apps
for what the reference server cannot show (a stream held open, the headers a request
arrived with).
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import openai
import pytest

import reference_server
from arouter_conformance.cli import main
from arouter_conformance.config import resolve_config
from arouter_conformance.exchange import Exchange
from arouter_conformance.observe import NOT_OBSERVED, Observations
from arouter_conformance.observe import serve as serve_module
from arouter_conformance.observe.proxy import Proxy
from arouter_conformance.observe.serve import proxy_server
from arouter_conformance.results import NOT_CLAIMED_OPTIONAL, Status
from arouter_conformance.spec import Spec
from reference_server import ChatEngine, KeyRing
from reference_server.app import lifespan
from reference_server.auth import EVERYONE
from reference_server.server import bind, origin
from tests.battery.chat_mutants import UsageOffByOne
from tests.targets import request_body

KEY = reference_server.DEMO_KEY
WAIT = 30.0  # seconds a step may take before the test gives up (never reached when it works)
CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hello there"}]}

Scope = dict[str, Any]


class ListSink:
    """Keeps what the proxy hands over, and passes it on to `then` (the judge) if given."""

    def __init__(self, then: Observations | None = None) -> None:
        self.exchanges: list[Exchange] = []
        self.then = then

    def add(self, exchange: Exchange) -> None:
        self.exchanges.append(exchange)
        if self.then is not None:
            self.then.add(exchange)


@dataclass
class Sent:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes = b""


@dataclass
class Recorder:
    """ASGI middleware: what the wrapped app sent for each request, in order."""

    app: Any
    sent: list[Sent] = field(default_factory=list)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def recording(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.sent.append(Sent(message["status"], list(message.get("headers", []))))
            elif message["type"] == "http.response.body":
                self.sent[-1].body += message.get("body", b"")
            await send(message)

        await self.app(scope, receive, recording)


class HeldStream:
    """An upstream that sends one event, then holds the stream open until released."""

    FIRST = b"data: first\n\n"
    REST = b"data: rest\n\ndata: [DONE]\n\n"

    def __init__(self) -> None:
        self.release = threading.Event()
        self.released = False

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/event-stream")],
            }
        )
        await send({"type": "http.response.body", "body": self.FIRST, "more_body": True})
        self.released = await asyncio.to_thread(self.release.wait, WAIT)
        await send({"type": "http.response.body", "body": self.REST, "more_body": False})


class EchoHeaders:
    """An upstream that answers with the request line and headers it received, as JSON."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        body = await request_body(receive)
        echoed = {
            "method": scope["method"],
            "raw_path": scope["raw_path"].decode(),
            "query": scope["query_string"].decode(),
            "headers": [[k.decode(), v.decode()] for k, v in scope["headers"]],
            "body": body.decode(),
        }
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"x-upstream", b"1"),
                    (b"keep-alive", b"timeout=5"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": json.dumps(echoed).encode()})


@contextlib.contextmanager
def serving_proxy(upstream: str, sink: Any, **options: Any) -> Iterator[tuple[str, Proxy]]:
    """The proxy in front of `upstream` (an API root) on a free port, in a thread; yields
    the client's base URL (the proxy's origin with the upstream's path) and the proxy."""
    proxy = Proxy(upstream, sink, **options)
    sock = bind("127.0.0.1", 0)
    server = proxy_server(proxy, log_config=None, log_level="warning")
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    ready = threading.Event()
    while not server.started and thread.is_alive() and not ready.wait(0.01):
        pass
    try:
        assert server.started, "the proxy did not start"
        yield origin(sock) + httpx.URL(upstream).path, proxy
    finally:
        server.should_exit = True
        thread.join(WAIT)
        proxy.close()
        sock.close()


@contextlib.contextmanager
def recorded(chat: type[ChatEngine] = ChatEngine) -> Iterator[tuple[str, Recorder]]:
    """The reference server (with `chat` as its chat engine), recording what it sends."""
    recorder = Recorder(reference_server.create_app(chat=chat))
    with reference_server.serve_in_thread(recorder) as upstream:
        yield upstream + "/v1", recorder


def _gunzipped(sent: Sent) -> bytes:
    encoding = dict(sent.headers).get(b"content-encoding")
    return gzip.decompress(sent.body) if encoding == b"gzip" else sent.body


# What the SDK's traffic below exercises: the list, the completion, the stream, the usage.
EXERCISED = {
    "MODELS-LIST-001",
    "MODELS-MODEL-001",
    "OPENAI-LIST-001",
    "CHAT-RESP-001",
    "CHAT-USAGE-001",
    "CHAT-STREAM-001",
    "CHAT-STREAM-004",
}


@pytest.mark.parametrize(
    ("chat", "failed"),
    [
        (ChatEngine, set()),
        # total_tokens one more than the sum: the completion's usage and the stream's
        (UsageOffByOne, {"CHAT-USAGE-001", "CHAT-STREAM-004"}),
    ],
)
def test_the_openai_sdk_gets_what_the_upstream_sent_and_the_report_judges_it(
    spec: Spec, chat: type[ChatEngine], failed: set[str]
) -> None:
    """The done criterion of observe mode: the SDK's answers are byte for byte the
    upstream's, the requirements the traffic exercised pass (or fail, with the one
    defect), and every other one is skipped as not observed."""
    with recorded(chat) as (upstream, recorder):
        observations = Observations(spec, resolve_config(spec, target_url=upstream, env={}))
        sink = ListSink(observations)
        with serving_proxy(upstream, sink) as (url, proxy):
            _sdk_traffic(url, recorder)
            proxy.settle()
    result = observations.result()
    statuses = {r.requirement.id: r.status for r in result.requirements}
    assert {rid for rid, status in statuses.items() if status is Status.FAILED} == failed
    assert {rid for rid, status in statuses.items() if status is not Status.SKIPPED} >= EXERCISED
    assert {r.status for r in result.requirements} <= {Status.PASSED, Status.FAILED, Status.SKIPPED}
    skipped = {r.reason for r in result.requirements if r.status is Status.SKIPPED}
    optional = {n for n, p in spec.profiles.items() if p.optional}
    assert skipped == {NOT_OBSERVED} | {NOT_CLAIMED_OPTIONAL.format(name=n) for n in optional}
    assert result.exit_code == (1 if failed else 0)
    assert [(e.method, httpx.URL(e.url).path, e.status) for e in sink.exchanges] == [
        ("GET", "/v1/models", 200),
        ("POST", "/v1/chat/completions", 200),
        ("POST", "/v1/chat/completions", 200),
        ("POST", "/v1/chat/completions", 200),
    ]
    # Judged as the kit's own client reads answers: decompressed, and keys never kept.
    listed = sink.exchanges[0]
    assert listed.body == _gunzipped(recorder.sent[0])
    assert listed.header("content-encoding") == "gzip"
    assert all(e.auth == "key" for e in sink.exchanges)
    assert not any(
        k.lower() == "authorization" for e in sink.exchanges for k, _ in e.request_headers
    )
    assert proxy.keys >= {KEY}


def _sdk_traffic(url: str, recorder: Recorder) -> None:
    """The openai SDK's list, completion and streams through the proxy at `url`; each
    answer is compared with what the upstream sent for it."""
    client = openai.OpenAI(base_url=url, api_key=KEY, max_retries=0)
    models = client.models.with_raw_response.list()
    assert models.http_response.content == _gunzipped(recorder.sent[-1])
    assert models.parse().data, "the SDK read the list"
    plain = client.chat.completions.with_raw_response.create(**CHAT)
    assert plain.http_response.content == _gunzipped(recorder.sent[-1])
    assert plain.parse().choices[0].message.content
    with client.chat.completions.with_streaming_response.create(
        **CHAT, stream=True, stream_options={"include_usage": True}
    ) as streamed:
        received = b"".join(streamed.iter_bytes())
    assert received == recorder.sent[-1].body
    chunks = list(client.chat.completions.create(**CHAT, stream=True))
    assert chunks[0].choices[0].delta.role == "assistant"


# What the traffic below shows of the optional profiles: all of it, except the restricted
# key's user list and a chat paired with one (USER-VIS-001, USER-CHAT-001).
OPTIONAL_SHOWN = {
    "ENDPOINTS-SHAPE-001",
    "ENDPOINTS-LINK-001",
    "ENDPOINTS-PRICE-001",
    "ENDPOINTS-ENUM-001",
    "ENDPOINTS-CONTEXT-001",
    "ENDPOINTS-404-001",
    "PROVIDERS-SHAPE-001",
    "PROVIDERS-UNIQUE-001",
    "USER-AUTH-001",
    "USER-SHAPE-001",
    "USER-SUBSET-001",
}


def test_a_clients_traffic_to_the_optional_endpoints_is_judged(spec: Spec) -> None:
    """A client that reads the list, follows a model's links.details, asks for the
    endpoints of a model nobody lists, the providers and its user list (and the user list
    without a key): the reference server passes every requirement that traffic shows."""
    profiles = ["models", "endpoints", "user-models", "providers"]
    with reference_server.serve_in_thread(reference_server.create_app()) as served:
        upstream = served + "/api/v1"  # where the catalog's links.details point
        config = resolve_config(spec, target_url=upstream, env={}, profiles=profiles)
        observations = Observations(spec, config)
        with serving_proxy(upstream, observations) as (url, proxy):
            with httpx.Client(headers={"Authorization": f"Bearer {KEY}"}) as client:
                listed = client.get(url + "/models", params={"output_modalities": "all"})
                details = listed.json()["data"][0]["links"]["details"]
                assert client.get(httpx.URL(url).join(details)).status_code == 200
                client.get(url + "/models/zz-unknown-author/zz-unknown-model/endpoints")
                client.get(url + "/providers")
                client.get(url + "/models/user")
            assert httpx.get(url + "/models/user").status_code == 401
            proxy.settle()
    statuses = {r.requirement.id: r.status for r in observations.result().requirements}
    assert {rid for rid, status in statuses.items() if status is Status.PASSED} >= OPTIONAL_SHOWN
    assert Status.FAILED not in statuses.values()
    assert statuses["USER-VIS-001"] is Status.SKIPPED


def test_raw_bytes_and_headers_pass_untouched() -> None:
    """Compressed stays compressed, the upstream's own Server and Date are the only ones."""
    headers = {"Authorization": f"Bearer {KEY}", "Accept-Encoding": "gzip"}
    with (
        recorded() as (upstream, recorder),
        serving_proxy(upstream, ListSink()) as (url, _),
        httpx.Client() as client,
    ):
        with client.stream("GET", f"{url}/models?sort=newest", headers=headers) as through:
            raw = b"".join(through.iter_raw())
        sent = recorder.sent[-1]
        direct = client.get(f"{upstream}/models?sort=newest", headers=headers)
    assert through.status_code == sent.status == 200
    assert raw == sent.body
    assert through.headers["content-encoding"] == "gzip"
    assert [k for k, _ in through.headers.multi_items()] == [
        k for k, _ in direct.headers.multi_items()
    ]
    assert through.headers.get_list("server") == ["uvicorn"]  # the upstream's, once
    for name, value in direct.headers.multi_items():
        if name != "date":
            assert through.headers[name] == value


def test_a_stream_reaches_the_client_event_by_event() -> None:
    """The first event arrives while the upstream still holds the stream open: it is
    released only once the client has read that event."""
    held = HeldStream()
    sink = ListSink()
    with (
        reference_server.serve_in_thread(held) as upstream,
        serving_proxy(upstream + "/v1", sink) as (url, proxy),
        httpx.Client(timeout=2 * WAIT) as client,
        client.stream("POST", f"{url}/chat/completions", json={**CHAT, "stream": True}) as answer,
    ):
        chunks = answer.iter_raw()
        first = b""
        while not first.endswith(b"\n\n"):
            first += next(chunks)
        held.release.set()
        rest = b"".join(chunks)
    assert held.released, "the client saw nothing before the upstream finished"
    assert (first, rest) == (HeldStream.FIRST, HeldStream.REST)
    proxy.settle()
    assert [e.body for e in sink.exchanges] == [HeldStream.FIRST + HeldStream.REST]


def test_the_request_arrives_as_sent() -> None:
    """Path, query, body and headers as the client sent them: Host names the upstream,
    hop-by-hop headers stay on their hop, nothing is added."""
    headers = [
        ("Authorization", f"Bearer {KEY}"),
        ("Cookie", "session=abc"),
        ("X-Trace", "1"),
        ("Connection", "keep-alive, X-Hop"),
        ("X-Hop", "for the next hop only"),
    ]
    path = "/v1/models?output_modalities=text%2Cimage&sort=newest"
    sink = ListSink()
    with (
        reference_server.serve_in_thread(EchoHeaders()) as upstream,
        serving_proxy(upstream + "/v1", sink) as (url, proxy),
        httpx.Client() as client,
    ):
        proxied = client.post(httpx.URL(url).join(path), headers=headers, content=b"{}")
        direct = client.post(f"{upstream}{path}", headers=headers, content=b"{}")
        proxy.settle()
    got, expected = proxied.json(), direct.json()
    assert got["headers"] == [h for h in expected["headers"] if h[0] not in ("connection", "x-hop")]
    assert {k: v for k, v in got.items() if k != "headers"} == {
        k: v for k, v in expected.items() if k != "headers"
    }
    assert "keep-alive" not in proxied.headers
    assert proxied.headers["x-upstream"] == "1"
    (exchange,) = sink.exchanges
    kept = {k.lower() for k, _ in exchange.request_headers}
    assert "x-trace" in kept
    assert not kept & {"authorization", "cookie", "host"}
    assert exchange.url == f"{upstream}{path}"
    assert exchange.request_body == b"{}"
    assert proxy.keys >= {KEY, f"Bearer {KEY}", "session=abc"}


def test_a_client_keyed_by_another_credential_header_is_keyed() -> None:
    """x-api-key is a key too: recorded as keyless, a served answer would fail
    CHAT-AUTH-001 for a gateway that did nothing wrong."""
    sink = ListSink()
    with (
        reference_server.serve_in_thread(EchoHeaders()) as upstream,
        serving_proxy(upstream + "/v1", sink) as (url, proxy),
        httpx.Client() as client,
    ):
        client.get(f"{url}/models", headers={"x-api-key": KEY})
        client.get(f"{url}/models")
        proxy.settle()
    assert [e.auth for e in sink.exchanges] == ["key", "none"]
    assert all("x-api-key" not in dict(e.request_headers) for e in sink.exchanges)


def test_an_unreachable_upstream_is_a_502_and_no_observation() -> None:
    with socket.socket() as closed:  # bound, never listening: connections are refused
        closed.bind(("127.0.0.1", 0))
        upstream = f"http://127.0.0.1:{closed.getsockname()[1]}/v1"
        sink = ListSink()
        with serving_proxy(upstream, sink) as (url, proxy), httpx.Client() as client:
            answer = client.get(f"{url}/models")
            proxy.settle()
    assert answer.status_code == 502
    assert "no answer from upstream" in answer.json()["error"]["message"]
    assert sink.exchanges == []


class Canned:
    """An upstream that answers every request with one body in one content encoding."""

    def __init__(self, body: bytes, encoding: bytes) -> None:
        self.body = body
        self.encoding = encoding

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-encoding", self.encoding)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self.body})


def _deflated(data: bytes, wbits: int) -> bytes:
    packer = zlib.compressobj(wbits=wbits)
    return packer.compress(data) + packer.flush()


DOCUMENT = json.dumps({"data": [{"id": f"author/model-{n}"} for n in range(200)]}).encode()


@pytest.mark.parametrize(
    ("body", "encoding", "judged"),
    [
        (gzip.compress(DOCUMENT), b"gzip", DOCUMENT),
        (_deflated(DOCUMENT, zlib.MAX_WBITS), b"deflate", DOCUMENT),
        (_deflated(DOCUMENT, -zlib.MAX_WBITS), b"deflate", DOCUMENT),  # raw deflate, as httpx reads
        (DOCUMENT, b"identity", DOCUMENT),
        (b"\x1f\x8bnot gzip at all", b"gzip", b"\x1f\x8bnot gzip at all"),  # judged as sent
        (b"opaque", b"br", None),  # not readable here: not judged rather than misjudged
    ],
)
def test_answers_are_judged_as_the_client_reads_them(
    body: bytes, encoding: bytes, judged: bytes | None
) -> None:
    sink = ListSink()
    with (
        reference_server.serve_in_thread(Canned(body, encoding)) as upstream,
        serving_proxy(upstream + "/v1", sink) as (url, proxy),
        httpx.Client() as client,
    ):
        with client.stream("GET", f"{url}/models") as answer:
            assert b"".join(answer.iter_raw()) == body
        proxy.settle()
    assert [e.body for e in sink.exchanges] == ([] if judged is None else [judged])
    assert proxy.unread == (judged is None)  # passed on unread, and counted as such


def test_a_body_that_inflates_past_the_cap_is_cut_there() -> None:
    bomb = gzip.compress(b"0" * (4 * 1024 * 1024))
    sink = ListSink()
    with (
        reference_server.serve_in_thread(Canned(bomb, b"gzip")) as upstream,
        serving_proxy(upstream + "/v1", sink, max_body=1024 * 1024) as (url, proxy),
        httpx.Client() as client,
    ):
        client.get(f"{url}/models")
        proxy.settle()
    (exchange,) = sink.exchanges
    assert exchange.truncated
    assert len(exchange.body) == 1024 * 1024


# ------------------------------------------------------------------------------ the command
SECRET = "plain-words-no-key-would-be-shaped-like"  # matches none of the redactor's patterns


@dataclass
class EchoesTheKey:
    """Middleware: every answer carries the key it was asked with, so the evidence of a
    failure holds it unless the reports mask what the clients sent."""

    app: Any

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent = dict(scope["headers"]).get(b"authorization", b"").partition(b" ")[2]

        async def echoing(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], (b"x-key-echo", sent)]}
            await send(message)

        await self.app(scope, receive, echoing)


def _statuses(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["status"] for r in report["requirements"]}


def _read_until(stream: IO[str], marker: str) -> str:
    """Lines up to the first one holding `marker` (the end of a summary), or to the end."""
    lines = []
    for line in stream:
        lines.append(line)
        if marker in line:
            break
    return "".join(lines)


def test_the_command_reports_on_demand_and_when_stopped(tmp_path: Path) -> None:
    """`proxy` in its own process: SIGUSR1 writes the reports of the traffic so far, SIGTERM
    stops it and writes them again, and the exit code is the verdict's. A client's key
    echoed by the upstream is masked though no pattern knows it."""
    report, junit = tmp_path / "report.json", tmp_path / "junit.xml"
    app = reference_server.create_app(keys=KeyRing({SECRET: EVERYONE}), chat=UsageOffByOne)
    with reference_server.serve_in_thread(EchoesTheKey(app)) as upstream:
        command = [sys.executable, "-m", "arouter_conformance", "proxy"]
        command += ["--upstream", f"{upstream}/v1", "--json", str(report), "--junit", str(junit)]
        summary = tmp_path / "step-summary.md"
        child = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)},
        )
        try:
            assert child.stdout is not None
            banner = child.stdout.readline()
            listening = re.search(r"listening at (\S+),", banner)
            assert listening, banner
            client = openai.OpenAI(base_url=listening[1], api_key=SECRET, max_retries=0)
            client.models.list()
            client.chat.completions.create(**CHAT)
            child.send_signal(signal.SIGUSR1)
            on_demand = _read_until(child.stdout, "exchanges observed")
            first = json.loads(report.read_text())
            client.get("/models/count", cast_to=object)
            child.send_signal(signal.SIGTERM)
            out, err = child.communicate(timeout=WAIT)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
    final = json.loads(report.read_text())
    assert child.returncode == 1, err
    assert err == ""  # no access log, no warning: the traffic is not the proxy's to print
    assert _statuses(first)["CHAT-USAGE-001"] == "failed"
    assert _statuses(first)["COUNT-SHAPE-001"] == "skipped"
    assert "not observed" in next(
        r["reason"] for r in first["requirements"] if r["id"] == "COUNT-SHAPE-001"
    )
    assert _statuses(final)["COUNT-SHAPE-001"] == "passed"
    assert "exchanges observed: 2" in on_demand
    assert "exchanges observed: 3" in out
    # One CI summary per run, however often the reports were asked for.
    assert summary.read_text(encoding="utf-8").count("### arouter-conformance") == 1
    usage = next(r for r in final["requirements"] if r["id"] == "CHAT-USAGE-001")
    echoed = dict(usage["findings"][0]["evidence"]["response"]["headers"])["x-key-echo"]
    assert echoed == "[REDACTED]"
    for text in (banner, on_demand, out, err, report.read_text(), junit.read_text()):
        assert SECRET not in text


def test_bad_input_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        cases = {
            "--upstream": ["--upstream", "ftp://gateway.example/v1"],
            "--listen": ["--upstream", "http://127.0.0.1:9/v1", "--listen", "nonsense"],
            "cannot listen": [
                "--upstream",
                "http://127.0.0.1:9/v1",
                "--listen",
                f"127.0.0.1:{port}",
            ],
        }
        for expected, argv in cases.items():
            assert main(["proxy", *argv]) == 2
            err = capsys.readouterr().err
            assert err.count("\n") == 1
            assert expected in err


def test_a_host_that_is_not_loopback_is_served_with_a_warning(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Bound, never listening: the proxy stops as soon as it would start serving.
    monkeypatch.setattr(serve_module, "serve", lambda proxy, sock, on_demand: proxy.close())
    # It saw no traffic: nothing can be said to hold (exit 2), and nothing failed.
    assert main(["proxy", "--upstream", "http://127.0.0.1:9/v1", "--listen", "0.0.0.0:0"]) == 2
    out, err = capsys.readouterr()
    assert re.search(
        r"listening at http://0\.0\.0\.0:\d+/v1, forwarding to http://127.0.0.1:9/v1", out
    )
    assert "warning: 0.0.0.0 is not loopback" in err
    assert "exchanges observed: 0" in out


class BreaksOff:
    """An upstream that promises a longer body than it sends, then closes the connection."""

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1000")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
        raise RuntimeError("the upstream broke")  # uvicorn closes the connection


def test_an_answer_broken_off_upstream_is_broken_off_for_the_client_and_not_judged() -> None:
    sink = ListSink()
    with (
        reference_server.serve_in_thread(BreaksOff()) as upstream,
        serving_proxy(upstream + "/v1", sink) as (url, proxy),
        httpx.Client() as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(f"{url}/models")
        proxy.settle()
    assert sink.exchanges == []
