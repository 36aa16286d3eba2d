"""The single-defect battery, chat side: profile chat and the chat parts of visibility and
openrouter-sdk, one `ChatEngine` override (or a few lines of middleware) per defect.

The same harness as the models side (tests/battery/mutants.py, `check_mutant`): the run
asks only for the listed requirements, every other requirement the selected tests judge
must pass, and the exit code says whether a MUST was broken.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

from reference_server import DEMO_KEY, ChatEngine, ChatRequest, Completion, HTTPError, Visibility
from reference_server.auth import EVERYONE
from reference_server.catalog import Model
from tests.battery.harness import (
    Answer,
    Headers,
    Intercept,
    Rewrite,
    Scope,
    error_answer,
    header,
    is_chat,
    json_body,
    labelled_text,
    with_header,
)
from tests.battery.mutants import Mutant, chat, wrapped

Chunk = dict[str, Any]


# ----------------------------------------------------------------------------- the completion


class AutoEchoed(ChatEngine):
    """A request for `auto` is answered in the name of "auto", not of the model that served."""

    def complete(self, body: Any, visibility: Visibility) -> Completion:
        completion = super().complete(body, visibility)
        if body.get("model") == self.contract.auto_model:
            return dataclasses.replace(completion, model=self.contract.auto_model)
        return completion


class AnswersInAnotherName(ChatEngine):
    """A listed id is answered in the name of another listed model."""

    def generate(self, request: ChatRequest, model: Model) -> Completion:
        completion = super().generate(request, model)
        other = next(m for m in self.queries.catalog.models if m["id"] != model["id"])
        return dataclasses.replace(completion, model=other["id"])


class FinishReasonInvented(ChatEngine):
    """finish_reason "done", which no client knows."""

    def finish(self, text: str, request: ChatRequest) -> tuple[str, str]:
        return super().finish(text, request)[0], "done"


class UsageOffByOne(ChatEngine):
    """total_tokens is one more than prompt_tokens + completion_tokens."""

    def usage(self, completion: Completion) -> dict[str, int]:
        usage = super().usage(completion)
        return {**usage, "total_tokens": usage["total_tokens"] + 1}


class MaxTokensIgnored(ChatEngine):
    """max_tokens is accepted and never applied. The replies are made longer too (a chatty
    model, which is no defect): a reply shorter than max_tokens would hide the defect."""

    def limit(self, text: str, max_tokens: int | None) -> tuple[str, bool]:
        return text, False

    def reply(self, request: ChatRequest, model: Model) -> str:
        return super().reply(request, model) + " And more words than were asked for." * 3


class CompletionTokensZero(ChatEngine):
    """Usage counts no completion tokens (total = prompt), whole and streamed: the sum still
    adds up and max_tokens is still respected."""

    def usage(self, completion: Completion) -> dict[str, int]:
        usage = super().usage(completion)
        return {**usage, "completion_tokens": 0, "total_tokens": usage["prompt_tokens"]}


class CutReplySaysStop(ChatEngine):
    """A whole completion cut by max_tokens says finish_reason "stop" (streams are right)."""

    def response(self, completion: Completion) -> dict[str, Any]:
        response = super().response(completion)
        for choice in response["choices"]:
            if choice["finish_reason"] == "length":
                choice["finish_reason"] = "stop"
        return response


class NoSystemFingerprint(ChatEngine):
    """The completion has no system_fingerprint key (the openrouter SDK needs one)."""

    def response(self, completion: Completion) -> dict[str, Any]:
        response = super().response(completion)
        del response["system_fingerprint"]
        return response


# ----------------------------------------------------------------------------- refusals


class UnknownModelAnswered(ChatEngine):
    """A model that is not listed is served by automatic routing instead of refused."""

    def resolve(self, requested: str, visibility: Visibility) -> Model:
        try:
            return super().resolve(requested, visibility)
        except HTTPError:
            return self.route_auto(visibility)


class EmptyMessagesAccepted(ChatEngine):
    """messages: [] is answered as if the user had said nothing."""

    def parse(self, body: Any) -> ChatRequest:
        if isinstance(body, dict) and body.get("messages") == []:
            body = {**body, "messages": [{"role": "user", "content": ""}]}
        return super().parse(body)


class NegativeMaxTokensAccepted(ChatEngine):
    """A negative max_tokens is dropped instead of refused."""

    def parse(self, body: Any) -> ChatRequest:
        limit = body.get("max_tokens") if isinstance(body, dict) else None
        if isinstance(limit, int) and limit < 0:
            body = {k: v for k, v in body.items() if k != "max_tokens"}
        return super().parse(body)


class NonTextModelAccepted(ChatEngine):
    """A model without text output is served anyway."""

    def resolve(self, requested: str, visibility: Visibility) -> Model:
        try:
            return super().resolve(requested, visibility)
        except HTTPError as refusal:
            if refusal.status != 400:
                raise
            return self.queries.lookup(requested, visibility)


class RestrictedChatsWithAll(ChatEngine):
    """The restricted key can chat with any provider's model (its list is right)."""

    def resolve(self, requested: str, visibility: Visibility) -> Model:
        return super().resolve(requested, EVERYONE)


class AutoIgnoresVisibility(ChatEngine):
    """auto picks among every provider's models, whatever the key may see (the restricted
    key's own chat requests for other providers' models are still refused)."""

    def route_auto(self, visibility: Visibility) -> Model:
        return super().route_auto(EVERYONE)


class AnonymousChat:
    """Middleware: a chat request without Authorization is let in as the demo key."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and is_chat(scope):
            headers = list(scope["headers"])
            if header(headers, b"authorization") is None:
                headers.append((b"authorization", f"Bearer {DEMO_KEY}".encode()))
                scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def crash_on_bad_json(scope: Scope, body: bytes) -> Answer | None:
    """A chat body that is not JSON crashes the server (500) before it can be refused."""
    if not is_chat(scope):
        return None
    try:
        json.loads(body)
    except ValueError:
        return error_answer(500, "internal error")
    return None


def chat_unavailable(scope: Scope, body: bytes) -> Answer | None:
    """Every chat request gets a 500 in plain text: the endpoint serves nothing at all."""
    if not is_chat(scope):
        return None
    return 500, [(b"content-type", b"text/plain")], b"upstream unavailable"


def chat_error_without_code(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """Chat refusals carry {"error": {"message": ...}} without the code."""
    if status < 400:
        return status, headers, body
    message = json_body(body)["error"]["message"]
    return status, headers, json.dumps({"error": {"message": message}}).encode()


def wrong_key_code_a_string(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """Only the 401s carry OpenAI's string code (aimock does this); every other refusal
    keeps the integer the openrouter SDK reads."""
    if status != 401:
        return status, headers, body
    refusal = {"error": {"message": "Invalid API key", "code": "invalid_api_key"}}
    return status, headers, json.dumps(refusal).encode()


def chat_error_without_message(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """Chat refusals carry {"error": {"code": <status>}} and no message."""
    if status < 400:
        return status, headers, body
    return status, headers, json.dumps({"error": {"code": status}}).encode()


class StreamWithoutOptionsCrashes(ChatEngine):
    """A stream requested without stream_options crashes: the kit's own stream asks for
    usage, so only the official SDKs' plain `stream=True` request finds this."""

    def parse(self, body: Any) -> ChatRequest:
        if isinstance(body, dict) and body.get("stream") and "stream_options" not in body:
            raise HTTPError(500, "internal error")
        return super().parse(body)


# ----------------------------------------------------------------------------- variants


def variant(suffix: str, rule: Callable[[ChatEngine], Callable[[Model, str], Model]]) -> type:
    """A `ChatEngine` whose `:suffix` (when not itself listed) follows `rule(engine)`."""

    class Variant(ChatEngine):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.variants[suffix] = rule(self)

    return Variant


def another_model(engine: ChatEngine) -> Callable[[Model, str], Model]:
    """:nitro is served by the next text model of the catalog instead of the one asked for."""
    models = engine.queries.catalog.models

    def serve(base: Model, suffix: str) -> Model:
        position = next(i for i, m in enumerate(models) if m["id"] == base["id"])
        later = [*models[position + 1 :], *models[:position]]
        return next(m for m in later if "text" in m["architecture"]["output_modalities"])

    return serve


class ListedSuffixRefused(ChatEngine):
    """Listed ids ending in `suffix` are refused (as if only unlisted variants existed)."""

    suffix = ""

    def resolve(self, requested: str, visibility: Visibility) -> Model:
        if requested.endswith(f":{self.suffix}"):
            raise HTTPError(404, f"no model {requested!r}")
        return super().resolve(requested, visibility)


class ListedFreeRefused(ListedSuffixRefused):
    suffix = "free"


class ListedThinkingRefused(ListedSuffixRefused):
    suffix = "thinking"


# ----------------------------------------------------------------------------- streaming


class ChunkRewrite(ChatEngine):
    """A `ChatEngine` whose stream chunks go through `rewrite`."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        return chunks

    def chunks(self, completion: Completion) -> Iterator[dict[str, Any]]:
        yield from self.rewrite(list(super().chunks(completion)))


class WrongChunkObject(ChunkRewrite):
    """Chunks say object "chat.completion", as whole completions do."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        return [{**c, "object": "chat.completion"} for c in chunks]


class ChunkIdsDiffer(ChunkRewrite):
    """Each chunk carries its own id."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        return [{**c, "id": f"{c['id']}-{i}"} for i, c in enumerate(chunks)]


class ContentAfterFinish(ChunkRewrite):
    """The finish chunk is sent before the last content delta."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        *content, finish, usage = chunks
        return [*content[:-1], finish, content[-1], usage]


class NoFinishReason(ChunkRewrite):
    """The stream never says why the choice ended."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        return [
            {**c, "choices": [{**choice, "finish_reason": None} for choice in c["choices"]]}
            for c in chunks
        ]


class NoUsageChunk(ChunkRewrite):
    """The usage chunk is left out, though the request asked for it."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        return chunks[:-1]


class TwoUsageChunks(ChunkRewrite):
    """The usage chunk is sent twice."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        return [*chunks, chunks[-1]]


class StreamPromptTokensZero(ChunkRewrite):
    """The stream's usage chunk counts no prompt tokens (total = completion); whole
    completions are right."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        *rest, last = chunks
        usage = last["usage"]
        zero = {**usage, "prompt_tokens": 0, "total_tokens": usage["completion_tokens"]}
        return [*rest, {**last, "usage": zero}]


class CutStreamSaysStop(ChunkRewrite):
    """A stream cut by max_tokens ends with finish_reason "stop" (whole completions are
    right)."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        return [
            {
                **c,
                "choices": [
                    {**choice, "finish_reason": "stop"}
                    if choice["finish_reason"] == "length"
                    else choice
                    for choice in c["choices"]
                ],
            }
            for c in chunks
        ]


class NoDone(ChatEngine):
    """The stream ends without `data: [DONE]`."""

    def stream_events(self, completion: Completion) -> Iterator[bytes]:
        for event in super().stream_events(completion):
            if b"[DONE]" not in event:
                yield event


def stream_as_json(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """The event stream is labelled application/json."""
    if header(headers, b"content-type") == b"text/event-stream":
        headers = with_header(headers, b"content-type", b"application/json")
    return status, headers, body


# ----------------------------------------------------------------------------- kit gaps


class StreamIgnoresMaxTokens(ChatEngine):
    """Streams are generated without the max_tokens limit (whole completions respect it)."""

    def generate(self, request: ChatRequest, model: Model) -> Completion:
        if request.stream:
            request = dataclasses.replace(request, max_tokens=None)
        return super().generate(request, model)


def variant_refusals_as_text(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """Refusals of variant suffixes come as plain text; every other refusal is right."""
    if status >= 400 and b"variant" in body:
        return status, with_header(headers, b"content-type", b"text/plain"), b"no such variant"
    return status, headers, body


class StreamInAnotherName(ChunkRewrite):
    """Stream chunks name another model than the one asked for (whole completions are right)."""

    def rewrite(self, chunks: list[Chunk]) -> list[Chunk]:
        other = self.queries.catalog.models[0]["id"]
        return [{**c, "model": other} for c in chunks]


# ----------------------------------------------------------------------------- the table

MUTANTS = [
    # the endpoint: one failure; the shape and usage judged on the same answer are blocked
    Mutant(
        "chat-endpoint-unavailable",
        ("CHAT-SERVE-001",),
        wrapped(lambda app: Intercept(app, chat_unavailable)),
    ),
    # the completion
    Mutant("auto-echoed-as-model", ("CHAT-AUTO-001",), chat(AutoEchoed)),
    Mutant("answers-in-another-name", ("CHAT-RESP-002",), chat(AnswersInAnotherName)),
    Mutant("finish-reason-invented", ("CHAT-RESP-001",), chat(FinishReasonInvented)),
    Mutant("usage-sum-off-by-one", ("CHAT-USAGE-001",), chat(UsageOffByOne)),
    Mutant("max-tokens-ignored", ("CHAT-USAGE-002",), chat(MaxTokensIgnored)),
    Mutant(
        "completion-tokens-zero",
        ("CHAT-USAGE-003",),
        chat(CompletionTokensZero),
        quiet=("CHAT-USAGE-001", "CHAT-USAGE-002"),
    ),
    Mutant(
        "stream-prompt-tokens-zero",
        ("CHAT-USAGE-003",),
        chat(StreamPromptTokensZero),
        quiet=("CHAT-STREAM-004",),
    ),
    Mutant(
        "cut-reply-says-stop",
        ("CHAT-FINISH-001",),
        chat(CutReplySaysStop),
        quiet=("CHAT-RESP-001",),
    ),
    Mutant(
        "cut-stream-says-stop",
        ("CHAT-FINISH-001",),
        chat(CutStreamSaysStop),
        quiet=("CHAT-STREAM-003",),
    ),
    # refusals
    Mutant("missing-key-accepted", ("CHAT-AUTH-001",), wrapped(AnonymousChat)),
    # Crashing on bad input is also what CHAT-ERROR-001 forbids ("no bad request gets a 5xx").
    Mutant(
        "non-json-body-500",
        ("CHAT-REJECT-001", "CHAT-ERROR-001"),
        wrapped(lambda app: Intercept(app, crash_on_bad_json)),
    ),
    Mutant("empty-messages-accepted", ("CHAT-REJECT-002",), chat(EmptyMessagesAccepted)),
    Mutant("negative-max-tokens-accepted", ("CHAT-REJECT-003",), chat(NegativeMaxTokensAccepted)),
    Mutant("unknown-model-200", ("CHAT-REJECT-004",), chat(UnknownModelAnswered)),
    # The integer status code is a SHOULD (ruling R3): exit 0, and the MUST stays quiet.
    Mutant(
        "chat-error-without-code",
        ("CHAT-ERROR-002",),
        wrapped(lambda app: Rewrite(app, chat_error_without_code, when=is_chat)),
        quiet=("CHAT-ERROR-001",),
    ),
    # The SDK's one probe with a wrong key is the only refusal it cannot read here.
    Mutant(
        "sdk-cannot-read-a-wrong-key-refusal",
        ("ORSDK-ERROR-001",),
        wrapped(lambda app: Rewrite(app, wrong_key_code_a_string, when=is_chat)),
        also=("CHAT-ERROR-002",),  # the SHOULD of the same string code, on the same 401s
    ),
    Mutant(
        "chat-error-without-message",
        ("CHAT-ERROR-001",),
        wrapped(lambda app: Rewrite(app, chat_error_without_message, when=is_chat)),
    ),
    Mutant("non-text-model-accepted", ("CHAT-MODALITY-001",), chat(NonTextModelAccepted)),
    # variants
    Mutant(
        "nitro-served-by-another-model",
        ("CHAT-VARIANT-001",),
        chat(variant("nitro", another_model)),
    ),
    Mutant(
        "floor-rejected", ("CHAT-VARIANT-002",), chat(variant("floor", lambda e: e.listed_only))
    ),
    # The kit's plain completion goes to the listed :free id (the cheapest there is), so a
    # refused :free id is the endpoint not serving: CHAT-SERVE-001 fails, once, and the
    # :free requirement is blocked by it.
    Mutant("listed-free-refused", ("CHAT-SERVE-001",), chat(ListedFreeRefused)),
    Mutant(
        "free-without-free-variant-accepted",
        ("CHAT-VARIANT-004",),
        chat(variant("free", lambda e: e.base_instance)),
    ),
    Mutant(  # SHOULD only: exit 0
        "thinking-without-reasoning-accepted",
        ("CHAT-VARIANT-005",),
        chat(variant("thinking", lambda e: e.base_instance)),
    ),
    Mutant("listed-thinking-refused", ("CHAT-VARIANT-006",), chat(ListedThinkingRefused)),
    # Seed 000: suffixes append to any model id; only listed :thinking ids are served here.
    Mutant(
        "thinking-appended-refused",
        ("CHAT-VARIANT-007",),
        chat(variant("thinking", lambda e: e.listed_only)),
        quiet=("CHAT-VARIANT-005", "CHAT-VARIANT-006"),
    ),
    # streaming
    Mutant(
        "stream-as-application-json",
        ("CHAT-STREAM-001",),
        wrapped(lambda app: Rewrite(app, stream_as_json, when=is_chat)),
    ),
    Mutant("wrong-chunk-object", ("CHAT-STREAM-002",), chat(WrongChunkObject)),
    Mutant("chunk-ids-differ", ("CHAT-STREAM-002",), chat(ChunkIdsDiffer)),
    Mutant("content-after-finish", ("CHAT-STREAM-003",), chat(ContentAfterFinish)),
    Mutant("no-finish-reason-in-stream", ("CHAT-STREAM-003",), chat(NoFinishReason)),
    # SHOULD only: exit 0
    Mutant("no-usage-chunk", ("CHAT-STREAM-004",), chat(NoUsageChunk)),
    # SHOULD only: exit 0
    Mutant("two-usage-chunks", ("CHAT-STREAM-004",), chat(TwoUsageChunks)),
    Mutant("no-done", ("CHAT-STREAM-005",), chat(NoDone)),
    # The openrouter SDK sends the same plain stream request, so its interop fails as well.
    Mutant(
        "sdk-stream-request-500",
        ("CHAT-SDK-001",),
        chat(StreamWithoutOptionsCrashes),
        quiet=("CHAT-STREAM-001",),
    ),
    # visibility and openrouter-sdk: the chat parts
    Mutant(
        "restricted-key-chats-with-foreign-model", ("VIS-CHAT-001",), chat(RestrictedChatsWithAll)
    ),
    Mutant(
        "auto-routes-restricted-key-to-foreign-model",
        ("VIS-AUTO-001",),
        chat(AutoIgnoresVisibility),
        quiet=("VIS-CHAT-001",),
    ),
    Mutant("system-fingerprint-missing", ("ORSDK-CHAT-001",), chat(NoSystemFingerprint)),
    Mutant(
        "openrouter-sdk-stream-request-500",
        ("ORSDK-INTEROP-002",),
        chat(StreamWithoutOptionsCrashes),
    ),
    Mutant(
        "completion-labelled-text-plain",
        ("CHAT-RESP-001",),
        wrapped(labelled_text(lambda p: p.endswith("/chat/completions"))),
    ),
    # Gaps the battery found in the kit, since closed.
    Mutant(
        "stream-ignores-max-tokens",
        ("CHAT-USAGE-002",),
        chat(StreamIgnoresMaxTokens),
    ),
    Mutant(
        "variant-refusals-as-text",
        ("CHAT-ERROR-001",),
        wrapped(lambda app: Rewrite(app, variant_refusals_as_text, when=is_chat)),
    ),
    Mutant(
        "stream-in-another-name",
        ("CHAT-RESP-002",),
        chat(StreamInAnotherName),
    ),
]
