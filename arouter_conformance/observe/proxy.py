"""The observe mode's reverse proxy: traffic passes through untouched, a copy is judged.

Someone else's client (an SDK, an application, a test suite) talks to the gateway through
this proxy, and the kit judges what it sees instead of sending requests of its own. For
that to be worth anything the proxy must be invisible:

- the request goes upstream as received (path, query, headers, body), only `Host` names
  the upstream and hop-by-hop headers stay on their own hop; nothing is added: requests
  are built as `httpx.Request` values and sent with `send`, which (unlike `build_request`)
  merges no client defaults, and the client keeps no cookies and reads no netrc;
- the answer comes back as the upstream sent it: its status, its headers (hop-by-hop ones
  aside) and its body as raw bytes, still compressed if it was, each chunk passed on as it
  arrives, so a stream reaches the client event by event;
- judging never holds the traffic up: the proxy keeps a capped copy of each body as it
  passes and, once the answer is over, hands the copy to one worker thread, which builds
  the `Exchange` (decompressing the body, as the kit's own client reads it) and gives it to
  the sink (`Observations.add`).

What is not an observation of the gateway is not judged: an upstream that cannot be
reached gets a small 502 from the proxy (the one answer the proxy makes itself), and an
answer the client walked away from or the upstream broke off, or a request body too large
to keep, is passed on but not recorded.

Keys: the request kept for judging has no Authorization, cookies or other credential
headers, and says only whether a key was sent (`auth`). The keys clients send are kept
in memory only (`keys`), so that the reports' redactor can mask them by value should the
upstream echo one back.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import json
import logging
import threading
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from arouter_conformance.client import normalize_base_url
from arouter_conformance.exchange import (
    CREDENTIAL_HEADERS,
    MAX_BODY,
    Exchange,
    credential_tag,
)

__all__ = ["HOP_BY_HOP", "Proxy", "Sink"]

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# RFC 9110 7.6.1: headers that belong to one connection, never forwarded (with any the
# Connection header names, and every proxy-* header).
HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}
)
# Decompressed a slice at a time, so a small body that inflates enormously stops at the cap.
_SLICE = 64 * 1024

logger = logging.getLogger(__name__)


class Sink(Protocol):
    """Where finished exchanges go: `Observations`. Called from the worker thread only."""

    def add(self, exchange: Exchange) -> None: ...


class _ClientGone(Exception):
    """The client went away before its request body arrived."""


@dataclass
class _Copy:
    """A capped copy of bytes as they pass; `over` says some did not fit."""

    cap: int
    data: bytearray = field(default_factory=bytearray)
    over: bool = False

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if len(chunk) > room:
            self.over = True
        self.data += chunk[: max(room, 0)]


@dataclass
class _Passage:
    """One request and its answer as they passed, for the worker to make an Exchange of."""

    method: str
    url: str
    auth: str
    credential: str | None
    request_headers: tuple[tuple[str, str], ...]
    request_body: _Copy
    started: float
    clock: float
    body: _Copy
    status: int = 0
    headers: tuple[tuple[str, str], ...] = ()
    elapsed: float = 0.0

    def exchange(self) -> Exchange | None:
        """The exchange as the kit's own client would have recorded it; None when the
        request body was too large to keep or the answer is in an encoding not read here."""
        if self.request_body.over:
            return None
        encoding = ",".join(v for k, v in self.headers if k.lower() == "content-encoding")
        decoded = _decompressed(bytes(self.body.data), encoding, self.body.cap)
        if decoded is None:
            return None
        body, cut = decoded
        return Exchange(
            method=self.method,
            url=self.url,
            auth=self.auth,
            credential=self.credential,
            status=self.status,
            headers=self.headers,
            body=body,
            request_headers=self.request_headers,
            request_body=bytes(self.request_body.data) or None,
            truncated=cut or self.body.over,
            cut_by_kit=(
                f"the answer is larger than the {self.body.cap} bytes the proxy keeps"
                if cut or self.body.over
                else None
            ),
            elapsed=self.elapsed,
            started=self.started,
        )


class Proxy:
    """The ASGI application: `upstream` is the API root (its origin receives every request
    with the path the client asked for), `sink` receives what passed, `unkept` names more
    request headers not to keep (the manifest's), `timeout` bounds the connection only: an
    answer takes as long as the upstream takes, as it would without the proxy."""

    def __init__(
        self,
        upstream: str,
        sink: Sink,
        *,
        unkept: Iterable[str] = (),
        timeout: float = 15.0,
        max_body: int = MAX_BODY,
    ) -> None:
        root = httpx.URL(normalize_base_url(upstream))
        self.origin = root.copy_with(raw_path=b"/")
        self._sink = sink
        self._unkept = {name.lower().encode("latin-1") for name in (*CREDENTIAL_HEADERS, *unkept)}
        self._max_body = max_body
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(None, connect=timeout),
            follow_redirects=False,
            trust_env=False,  # no netrc credentials, no proxy the client did not ask for
            cookies=httpx.Cookies(_NoCookies()),
        )
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="arouter-observe")
        self._closed = False
        self._lock = threading.Lock()
        self._keys: set[str] = set()
        # Answers passed on but not judged: in an encoding the kit does not read (br, zstd)
        # or with a request body too large to keep. Counted, so a report of nothing judged
        # says why rather than looking like traffic that never came.
        self.unread = 0

    @property
    def keys(self) -> frozenset[str]:
        """The credentials clients have sent so far, for the redactor and nothing else."""
        with self._lock:
            return frozenset(self._keys)

    def settle(self) -> None:
        """Return once every answer finished so far has reached the sink."""
        with self._lock:
            done = None if self._closed else self._worker.submit(int)
        if done is not None:
            done.result()

    def close(self) -> None:
        """Wait for the last exchanges to reach the sink; call once the server has stopped."""
        with self._lock:
            self._closed = True
        self._worker.shutdown(wait=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        else:
            raise RuntimeError(f"the proxy does not speak ASGI {scope['type']!r}")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        received: list[tuple[bytes, bytes]] = list(scope["headers"])
        passage = self._passage(scope, received)
        request = httpx.Request(
            scope["method"],
            passage.url,
            headers=_forwarded(received, drop={b"host"}),
            content=self._body(receive, passage.request_body) if _has_body(received) else None,
        )
        try:
            response = await self._client.send(request, stream=True)
        except _ClientGone:
            return
        except httpx.TransportError as exc:
            await _unreachable(send, exc)
            return
        gone = asyncio.ensure_future(_disconnect(receive))
        try:
            passage.status = response.status_code
            passage.headers = tuple(
                (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
            )
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": _forwarded(response.headers.raw),
                }
            )
            async for chunk in response.aiter_raw():
                passage.body.add(chunk)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                if gone.done():
                    return  # the client left: stop reading, as the upstream would see it do
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except httpx.TransportError:
            # Returning with the answer unfinished makes uvicorn close the client's
            # connection: the client sees the break the upstream made.
            logger.warning("arouter-conformance proxy: an answer broke off upstream; not judged")
            return
        finally:
            gone.cancel()
            await response.aclose()
        passage.elapsed = time.monotonic() - passage.clock
        self._worker.submit(self._observe, passage)

    def _passage(self, scope: Scope, received: list[tuple[bytes, bytes]]) -> _Passage:
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
        query = scope.get("query_string") or b""
        url = self.origin.copy_with(raw_path=raw_path + (b"?" + query if query else b""))
        kept = tuple(
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in received
            if k.lower() not in self._unkept and k.lower() != b"host"
        )
        self._remember(v.decode("latin-1") for k, v in received if k.lower() in self._unkept)
        # Keyed as the HAR reader decides it: any credential header, not Authorization alone
        # (a client keyed by x-api-key recorded as keyless would fail CHAT-AUTH-001 falsely).
        credentials = [
            v.decode("latin-1")
            for k, v in received
            if k.lower().decode("latin-1") in CREDENTIAL_HEADERS
        ]
        return _Passage(
            method=scope["method"],
            url=str(url),
            auth="key" if credentials else "none",
            credential=credential_tag(credentials),
            request_headers=kept,
            request_body=_Copy(self._max_body),
            started=time.time(),
            clock=time.monotonic(),
            body=_Copy(self._max_body),
        )

    def _remember(self, values: Iterable[str]) -> None:
        """Keep each credential whole and without its scheme (`Bearer`), for the redactor."""
        with self._lock:
            for value in values:
                self._keys.update(v for v in (value, value.partition(" ")[2].strip()) if v)

    async def _body(self, receive: Receive, copy: _Copy) -> AsyncIterator[bytes]:
        """The request body, passed upstream as it arrives from the client."""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            copy.add(chunk)
            if chunk:
                yield chunk
            if not message.get("more_body", False):
                return

    def _observe(self, passage: _Passage) -> None:
        try:
            exchange = passage.exchange()
            if exchange is None:
                self.unread += 1  # the one worker thread is the only writer
            else:
                self._sink.add(exchange)
        except Exception as exc:  # one exchange the judge could not take must not stop it
            # The type only: a message could quote the body.
            logger.error("arouter-conformance proxy: an exchange was not judged (%s)", type(exc))


class _NoCookies(http.cookiejar.CookieJar):
    """A jar that keeps nothing: the proxy passes cookies through and never holds one."""

    def __init__(self) -> None:
        super().__init__(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))


async def _disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _has_body(headers: Collection[tuple[bytes, bytes]]) -> bool:
    """Only a request that says it has a body gets one upstream: a body-less GET handed an
    empty stream would go out chunked, with a Transfer-Encoding the client never sent."""
    return any(k.lower() in (b"content-length", b"transfer-encoding") for k, _ in headers)


def _forwarded(
    headers: Iterable[tuple[bytes, bytes]], drop: Collection[bytes] = ()
) -> list[tuple[bytes, bytes]]:
    """`headers` without the hop-by-hop ones (and `drop`), in order, as they were."""
    headers = list(headers)
    named = {
        token.strip().lower()
        for k, v in headers
        if k.lower() == b"connection"
        for token in v.split(b",")
    }
    return [
        (k, v)
        for k, v in headers
        if k.lower().decode("latin-1") not in HOP_BY_HOP
        and not k.lower().startswith(b"proxy-")
        and k.lower() not in named
        and k.lower() not in drop
    ]


async def _unreachable(send: Send, exc: httpx.TransportError) -> None:
    reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    body = json.dumps(
        {"error": {"message": f"arouter-conformance proxy: no answer from upstream ({reason})"}}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 502,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(body)),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _decompressed(raw: bytes, encoding: str, cap: int) -> tuple[bytes, bool] | None:
    """The body as the client reads it (gzip and deflate undone, at most `cap` bytes, and
    whether it was cut); None for an encoding the kit cannot read, since judging the
    compressed bytes would report a defect the client never sees."""
    body, cut = raw, False
    for coding in reversed([c.strip().lower() for c in encoding.split(",") if c.strip()]):
        if coding == "identity":
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            return None
        body, more = _inflate(body, coding, cap)
        cut = cut or more
    return body, cut


def _inflate(data: bytes, coding: str, cap: int) -> tuple[bytes, bool]:
    # deflate is meant to be zlib-wrapped; some servers send it raw, which httpx reads too.
    formats = (zlib.MAX_WBITS, -zlib.MAX_WBITS) if coding == "deflate" else (16 + zlib.MAX_WBITS,)
    for wbits in formats:
        inflater = zlib.decompressobj(wbits)
        out = bytearray()
        try:
            for start in range(0, len(data), _SLICE):
                out += inflater.decompress(data[start : start + _SLICE], cap + 1 - len(out))
                if len(out) > cap:
                    return bytes(out[:cap]), True
        except zlib.error:
            continue
        return bytes(out), False
    return data, False  # not what it says it is: judged as sent, as a client would fail it
