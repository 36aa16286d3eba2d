"""The field battery's targets: gateways modelled on what real ones do, several defects at once.

The single-defect battery shows each check to be sharp; these show the verdict to be honest
on a gateway that is far from the contract. Each target is the reference server behind a
few lines of middleware that do what a real gateway was seen to do (an OpenAI-style list
only, every query parameter ignored, missing endpoints, errors as text, a stream that
answers 500, catalogs where every model ties, a gateway that needs a header), and each
comes with its truth table, written from the contract and not from the kit's output:

- `violated`: the root causes, each of which must be reported failed exactly once;
- `unjudgeable`: requirements the target's answers cannot show either way, which must
  never be reported passed (the requirements that need a violated one are added to it
  from the catalog's `needs`, so the table says each root cause once);
- every other requirement of the claimed profiles must not be failed (no false alarm).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from reference_server import DEMO_KEY, Catalog, create_app
from tests.battery.harness import (
    Answer,
    App,
    Headers,
    Intercept,
    Message,
    Receive,
    Rewrite,
    Scope,
    Send,
    battery_catalog,
    header,
    is_chat,
    with_header,
)

JSON = [(b"content-type", b"application/json")]
TEXT = [(b"content-type", b"text/plain; charset=utf-8")]


@dataclass(frozen=True)
class FieldTarget:
    name: str
    build: Callable[[], App]
    profiles: tuple[str, ...]
    violated: frozenset[str]
    unjudgeable: frozenset[str] = frozenset()
    exit_code: int = 1
    manifest: Mapping[str, Any] = field(default_factory=dict)
    args: tuple[str, ...] = ()


async def _send_answer(send: Send, answer: Answer) -> None:
    status, headers, payload = answer
    headers = with_header(headers, b"content-length", str(len(payload)).encode())
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


def _path(scope: Scope) -> str:
    return str(scope["path"])


def _is_count(scope: Scope) -> bool:
    return _path(scope).endswith("/models/count")


def _is_lookup(scope: Scope) -> bool:
    return "/model/" in _path(scope)


def _is_list(scope: Scope) -> bool:
    return _path(scope).endswith("/models")


# ----------------------------------------------------------------------------- OpenAI style


def _short_ids() -> dict[str, str]:
    """slug -> full id for the plain text models whose slug no other model shares: the
    names an OpenAI-style gateway lists (no author, no variant, no router)."""
    seen: dict[str, list[str]] = {}
    for model in battery_catalog().models:
        model_id = str(model["id"])
        seen.setdefault(model_id.partition("/")[2].partition(":")[0], []).append(model_id)
    return {
        slug: ids[0]
        for slug, ids in seen.items()
        if len(ids) == 1
        and ":" not in ids[0]
        and not ids[0].startswith("~")
        and "text" in battery_catalog().by_id[ids[0]]["architecture"]["output_modalities"]
        and battery_catalog().by_id[ids[0]]["pricing"]["prompt"] != "-1"
    }


class OpenAIStyle:
    """A LiteLLM-like gateway: its list is OpenAI's (id, object, created, owned_by; ids
    without an author, or with it when `authored`, as LiteLLM lists a provider's models),
    it has no count and no lookup (FastAPI's 404), it ignores query parameters, does not
    know `auto`, and chats through the reference engine under the short names it lists."""

    def __init__(self, app: App, *, authored: bool = False) -> None:
        self.app = app
        self.authored = authored
        self.short = _short_ids()
        self.full = {full: short for short, full in self.short.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if _is_list(scope) and scope["method"] == "GET":
            if header(scope["headers"], b"authorization") != f"Bearer {DEMO_KEY}".encode():
                body = {"error": {"message": "Invalid api key.", "type": "auth_error"}}
                await _send_answer(send, (401, JSON, json.dumps(body).encode()))
                return
            await _send_answer(send, (200, JSON, json.dumps(self._listing()).encode()))
            return
        if not is_chat(scope):
            await _send_answer(send, (404, JSON, b'{"detail":"Not Found"}'))
            return
        await self._chat(scope, receive, send)

    def _listing(self) -> dict[str, Any]:
        rows = battery_catalog().by_id
        return {
            "object": "list",
            "data": [
                {
                    "id": full if self.authored else short,
                    "object": "model",
                    "created": rows[full]["created"],
                    "owned_by": full.partition("/")[0],
                }
                for short, full in sorted(self.short.items())
            ],
        }

    async def _chat(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks = bytearray()
        while True:
            message = await receive()
            chunks.extend(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = bytes(chunks)
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        if isinstance(request, dict) and isinstance(request.get("model"), str):
            name = request["model"]
            base, colon, variant = name.partition(":")
            if name == "auto":
                refusal = {
                    "error": {
                        "message": "Invalid model name passed in model=auto",
                        "type": "invalid_request_error",
                        "code": "400",
                    }
                }
                await _send_answer(send, (400, JSON, json.dumps(refusal).encode()))
                return
            if base in self.short:
                request["model"] = self.short[base] + colon + variant
                body = json.dumps(request).encode()

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        await Rewrite(self.app, self._named_short)(scope, replay, send)

    def _named_short(self, scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
        """Answers name the model as the gateway lists it."""
        text = body.decode("utf-8")
        for full, short in self.full.items():
            text = text.replace(json.dumps(full), json.dumps(short))
        return status, headers, text.encode("utf-8")


# ----------------------------------------------------------------------------- ignored queries


class IgnoresQueries:
    """An aimock-like gateway: rich OpenRouter models, but every query parameter is
    dropped before the catalog sees it, and count and lookup answer 404 (with the error
    body, so that only the missing endpoints are wrong)."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            if _is_count(scope) or _is_lookup(scope):
                body = {"error": {"code": 404, "message": "not found"}}
                await _send_answer(send, (404, JSON, json.dumps(body).encode()))
                return
            scope = {**scope, "query_string": b""}
        await self.app(scope, receive, send)


# ----------------------------------------------------------------------------- seeds only

SEED_PARAMETERS = frozenset({"output_modalities", "supported_parameters", "sort"})


class SeedsOnly:
    """A gateway that serves the seeds well and nothing beyond them: the endpoints pages,
    /models/user and /providers answer 404 (with the error body), and every list parameter
    but the seed's three is dropped, paging and the newer filters alike."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path = _path(scope)
            if path.endswith(("/endpoints", "/models/user", "/providers")):
                body = {"error": {"code": 404, "message": "not found"}}
                await _send_answer(send, (404, JSON, json.dumps(body).encode()))
                return
            if _is_list(scope):
                pairs = parse_qsl(bytes(scope["query_string"]).decode(), keep_blank_values=True)
                kept = [(k, v) for k, v in pairs if k in SEED_PARAMETERS]
                scope = {**scope, "query_string": urlencode(kept).encode()}
        await self.app(scope, receive, send)


# ----------------------------------------------------------------------------- bare list


def _bare(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """The list and its pages answer `{"data": [...]}` alone, without total_count and
    links (OpenAI's list has nothing else, and its clients read nothing else)."""
    if status != 200:
        return status, headers, body
    if header(headers, b"content-encoding") == b"gzip":
        body = gzip.decompress(body)
        headers = [(k, v) for k, v in headers if k.lower() not in (b"content-encoding", b"etag")]
    return status, headers, json.dumps({"data": json.loads(body)["data"]}).encode()


def bare_list() -> App:
    return Rewrite(create_app(battery_catalog()), _bare, when=_is_list)


# ----------------------------------------------------------------------------- text errors


def _text_errors(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """Every refusal keeps its status but says why in plain text (an anymodel-like gateway)."""
    if status < 400:
        return status, headers, body
    return status, TEXT, b"Bad Request" if status < 500 else b"Internal Server Error"


def _stream_fails(scope: Scope, body: bytes) -> Answer | None:
    """A streamed chat request gets a 500 in plain text (the stream never starts)."""
    if not is_chat(scope):
        return None
    try:
        request = json.loads(body)
    except ValueError:
        return None
    if isinstance(request, dict) and request.get("stream") is True:
        return 500, TEXT, b"Internal Server Error"
    return None


def text_errors_and_no_stream() -> App:
    return Intercept(Rewrite(create_app(battery_catalog()), _text_errors), _stream_fails)


# ----------------------------------------------------------------------------- all ties


def _plain_text(row: dict[str, Any]) -> bool:
    return (
        ":" not in row["id"]
        and not row["id"].startswith("~")
        and row["architecture"]["output_modalities"] == ["text"]
    )


def _alike(rows: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
    """Every row takes the first row's value of each key."""
    for row in rows:
        for key in keys:
            row[key] = json.loads(json.dumps(rows[0][key]))


def _tied(rows: list[dict[str, Any]]) -> None:
    """Four plain text models that tie on every sort key: no order can be told."""
    keep = [r for r in rows if _plain_text(r) and r["pricing"]["prompt"] not in ("-1", "0")][:4]
    _alike(keep, ("created", "context_length", "pricing", "supported_parameters", "top_provider"))
    rows[:] = keep


def _tied_catalog(edit: Callable[[list[dict[str, Any]]], None]) -> Catalog:
    """The battery catalog cut by `edit`, without aliases (their targets may be cut)."""
    rows = json.loads(json.dumps(battery_catalog().models))
    edit(rows)
    return Catalog(rows, {}, battery_catalog().figures)


def all_tie() -> App:
    return create_app(_tied_catalog(_tied))


def _one_author_alike(rows: list[dict[str, Any]]) -> None:
    """Three plain text models of one author, alike in everything a list filter reads but
    their ids (aimock's and anymodel's catalogs): the same inputs, context, created, and
    prices of "0"."""
    keep = [r for r in rows if _plain_text(r) and r["id"].startswith("openai/")][:3]
    keep[0]["pricing"] = {"prompt": "0", "completion": "0"}
    keep[0]["architecture"]["input_modalities"] = ["text", "image"]
    _alike(keep, ("created", "context_length", "pricing", "architecture", "supported_parameters"))
    rows[:] = keep


def one_author_alike() -> Catalog:
    return _tied_catalog(_one_author_alike)


# ----------------------------------------------------------------------------- extra header

TENANT_HEADER = "X-Gateway-Tenant"
TENANT = "tenant-7f3c9e1a2b"


def _needs_tenant(scope: Scope, body: bytes) -> Answer | None:
    """A Portkey-like gateway: requests without its own header are refused with 400."""
    if header(scope["headers"], TENANT_HEADER.lower().encode()) == TENANT.encode():
        return None
    message = {"error": {"code": 400, "message": f"missing {TENANT_HEADER} header"}}
    return 400, JSON, json.dumps(message).encode()


def needs_header() -> App:
    return Intercept(create_app(battery_catalog()), _needs_tenant)
