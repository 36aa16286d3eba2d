"""The ASGI 3 application: read the request, route it, authenticate it, write the answer.

No framework: the contract is small, and owning the protocol keeps every byte of the
answer (status, headers, error shape, event framing) under this module's control. The app
speaks the `http` and `lifespan` scopes. Everything a handler refuses is an `HTTPError`
rendered by `error_body`; anything else is logged (without request data) and answered 500,
so a bug is visible but never leaks. A chat answer, every event of a stream included, is
made before the first byte is sent, so a failure is a clean error, never a broken stream.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from reference_server import sse
from reference_server.asgi import Receive, Scope, Send
from reference_server.auth import KeyRing, Visibility
from reference_server.catalog import Catalog
from reference_server.chat import ChatEngine
from reference_server.endpoints import Endpoints
from reference_server.errors import HTTPError, error_body
from reference_server.queries import Queries, QueryParams
from reference_server.responses import (
    JSON_TYPE,
    Body,
    LRUCache,
    Representation,
    encode_json,
    represent,
)
from reference_server.routing import Operation, Route, match

__all__ = ["MAX_BODY", "ReferenceApp", "create_app", "lifespan"]

MAX_BODY = 1 << 20  # bytes of request body accepted; more gets 413
MAX_QUERY_FIELDS = 64

logger = logging.getLogger(__name__)


class _Disconnected(Exception):
    """The client went away before its body arrived; there is no one left to answer."""


class ReferenceApp:
    """The reference server as an ASGI application. Build it with `create_app`."""

    def __init__(
        self,
        queries: Queries,
        chat: ChatEngine,
        endpoints: Endpoints,
        keys: KeyRing,
        *,
        open_listing: bool = False,
        max_body: int = MAX_BODY,
    ) -> None:
        self.queries = queries
        self.chat = chat
        self.endpoints = endpoints
        self.keys = keys
        self.open_listing = open_listing
        self.max_body = max_body
        # List and count bodies by raw query string (and root, which a page's next link
        # names): a repeated request skips parsing it.
        # Smaller than the queries' own cache, which holds the same bodies by normalized
        # query: each raw spelling kept here keeps its body alive (94 MB for a full list of
        # 100,000 models), so the two together stay near the queries' bound.
        self.listings: LRUCache[Body] = LRUCache(256)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "lifespan":
            await lifespan(receive, send)
        else:
            raise RuntimeError(f"the reference server does not speak ASGI {scope['type']!r}")

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers: dict[bytes, bytes] = dict(scope["headers"])
        try:
            answer = await self.answer(scope, receive, headers)
        except _Disconnected:
            return
        except HTTPError as error:
            body = error_body(error.status, error.message)
            answer = error.status, [JSON_TYPE, *error.headers], body
        except Exception:
            logger.exception("reference server: unexpected error answering a request")
            answer = 500, [JSON_TYPE], error_body(500, "internal error in the reference server")
        if isinstance(answer, tuple):
            await _respond(send, answer, head=scope["method"] == "HEAD")
        else:
            await sse.write(send, answer)

    async def answer(
        self, scope: Scope, receive: Receive, headers: dict[bytes, bytes]
    ) -> Representation | list[bytes]:
        """The answer to one request: a whole response, or the events of a stream."""
        route = match(scope["method"], scope["path"])
        authorization = headers.get(b"authorization")
        if route.operation is Operation.CHAT:
            visibility = self.keys.identify(authorization, required=True)
            body = parse_json(await read_body(receive, headers, self.max_body))
            completion = self.chat.complete(body, visibility)
            if completion.stream:
                return list(self.chat.stream_events(completion))
            return 200, [JSON_TYPE], encode_json(self.chat.response(completion))
        # /models/user is the key's own list: there is no anonymous one (ruling R19).
        required = not self.open_listing or route.operation is Operation.USER_MODELS
        visibility = self.keys.identify(authorization, required=required)
        if route.operation is Operation.LOOKUP:
            cached = self.queries.lookup_body(route.model_id, visibility)
        elif route.operation is Operation.ENDPOINTS:
            cached = self.endpoints.endpoints_body(route.model_id, visibility)
        elif route.operation is Operation.PROVIDERS:
            cached = self.endpoints.providers_body()
        else:
            raw = scope["query_string"]
            key = (route.operation, raw, visibility, route.root)
            found = self.listings.find(key)
            if found is None:
                params = parse_query(raw)
                found = self.listing(route, params, visibility)
                # An answer counted from the clock (ages) is not remembered by its spelling.
                if not self.queries.clocked(params):
                    self.listings.put(key, found)
            cached = found
        return represent(cached, headers.get(b"accept-encoding"), headers.get(b"if-none-match"))

    def listing(self, route: Route, params: QueryParams, visibility: Visibility) -> Body:
        """A list, count or user-models body. The app remembers it by raw query string,
        key and root, so a repeated request is neither parsed nor normalized again; a
        refusal is not remembered."""
        if route.operation is Operation.COUNT:
            return self.queries.count_body(params, visibility)
        if route.operation is Operation.USER_MODELS:
            return self.queries.user_models_body(params, visibility, route.root + "/models/user")
        if self.queries.paged(params):
            return self.queries.page_body(params, visibility, route.root + "/models")
        return self.queries.list_body(params, visibility)


def create_app(
    catalog: Catalog | None = None,
    keys: KeyRing | None = None,
    *,
    open_listing: bool = False,
    queries: type[Queries] = Queries,
    chat: type[ChatEngine] = ChatEngine,
    endpoints: type[Endpoints] = Endpoints,
    max_body: int = MAX_BODY,
) -> ReferenceApp:
    """The reference server over `catalog` (the bundled one by default).

    `keys` defaults to the demo keys; `open_listing` lets list, count, lookup, endpoints
    and providers answer without a key (OpenRouter style; a wrong key is still refused;
    /models/user always needs one). `queries`, `chat` and `endpoints` are the classes that
    implement the rules: pass subclasses to change one behaviour.
    """
    answers = queries(catalog if catalog is not None else Catalog.default())
    return ReferenceApp(
        answers,
        chat(answers),
        endpoints(answers),
        keys if keys is not None else KeyRing.default(),
        open_listing=open_listing,
        max_body=max_body,
    )


async def lifespan(receive: Receive, send: Send) -> None:
    """An ASGI lifespan that only acknowledges: everything is built before the app exists.
    Public because test upstreams written as bare ASGI callables need the same."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def read_body(receive: Receive, headers: dict[bytes, bytes], limit: int) -> bytes:
    """The request body, refusing with 413 as soon as it is known to exceed `limit`."""
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        raise HTTPError(413, f"the request body is larger than {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Disconnected
        chunk: bytes = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise HTTPError(413, f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPError(400, "the request body is not valid UTF-8") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise HTTPError(400, f"the request body is not valid JSON: {exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_query(query_string: bytes) -> QueryParams:
    """Query parameters by name, every value kept, so a repeated one can be refused."""
    try:
        pairs = parse_qsl(
            query_string.decode("latin-1"), keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS
        )
    except ValueError:
        raise HTTPError(400, f"more than {MAX_QUERY_FIELDS} query parameters") from None
    params: dict[str, list[str]] = {}
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


async def _respond(send: Send, answer: Representation, *, head: bool) -> None:
    status, headers, payload = answer
    if status != 304:
        headers = [*headers, (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else payload})
