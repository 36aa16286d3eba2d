"""Chat completions without model weights: deterministic answers the contract can judge.

Request checks, in order (each refusal in the error shape, never a 5xx):
- the body must be a JSON object valid against spec/schemas/ChatRequest.json (400): so
  max_tokens and max_completion_tokens are integers of at least 1 (true, 1.5, "5" and -1
  are refused; 5.0 is an integer to JSON Schema and is read as 5);
- `tools`, when given, must be a list of function tools, and `tool_choice` may force one
  of them ("required" or {"type": "function", "function": {"name": ...}}) (400);
- the model must resolve for the key (404 otherwise, unknown and invisible alike), and
  produce text (400).

Which model serves a request (the answer's `model` always names it, never "auto"):
- A listed id is served by itself, a declared alias by its canonical model.
- `auto`, and listed routers priced "-1", pick the cheapest model (Decimal sum of the
  pricing sort keys) that outputs text, is not a router and is visible to the key; ties go
  to the smallest id. The pick is cached per visibility.
- `X:nitro` and `X:floor`, when not listed themselves, are served by X. The reference
  catalog holds one provider instance per model, so X's only instance is both its fastest
  (the `throughput` figure `:nitro` asks for) and its cheapest (`:floor`); the answer
  names X (ruling R15 allows the base name).
- `X:free` is served only when `X:free` is itself listed (and is named so); otherwise 404,
  as the lookup answers it.
- `X:thinking` is served as listed when listed; otherwise by X, named X, when X lists
  `reasoning` in its supported_parameters; otherwise 400.

What the reply is: "You said: <the first 12 words of the last user message>." followed by
6 to 15 words from a fixed vocabulary chosen by a SHA-256 of the model, the messages and
`seed` (so `seed` changes the reply, deterministically; temperature and top_p are accepted
and have no effect). With `response_format: {"type": "json_object"}` the content is the
JSON object {"model": ..., "reply": ...}. A forced tool yields one tool call (content
null, finish_reason "tool_calls") whose arguments fill each declared property by its type.
Then `stop` cuts the text before the earliest stop string (finish_reason "stop") and
max_tokens (the smaller of max_tokens and max_completion_tokens) cuts it after that many
tokens (finish_reason "length"); a cut can leave JSON or arguments incomplete, as it does
with real models. Usage is counted by tokens.py. Only `id` and `created` differ between two
identical requests.

Streaming sends a role chunk, one content delta per token (or one tool-call delta), a
finish chunk, exactly one usage chunk with empty choices (always, as OpenRouter does) and
`data: [DONE]`; every chunk carries the same id.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError, best_match

from arouter_conformance.spec import SpecError, load_spec
from reference_server import sse
from reference_server.auth import Visibility
from reference_server.catalog import Model
from reference_server.errors import HTTPError
from reference_server.queries import Queries
from reference_server.tokens import count_tokens, pieces, prompt_tokens, truncate

__all__ = ["SYSTEM_FINGERPRINT", "ChatEngine", "ChatRequest", "Completion"]

SYSTEM_FINGERPRINT = "fp_arouter_reference"
REASONING = "reasoning"  # the supported parameter a `:thinking` variant needs
ECHOED_WORDS = 12
VOCABULARY = (
    "amber", "bright", "calm", "delta", "ember", "field", "gentle", "harbor", "island",
    "juniper", "kindle", "lantern", "meadow", "north", "orbit", "pebble", "quiet", "river",
    "signal", "timber", "upland", "valley", "willow", "yonder", "zephyr", "answer", "model",
    "reference", "steady", "token", "stream", "route",
)  # fmt: skip
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ChatRequest:
    """A validated request, reduced to what shapes the answer."""

    model: str
    messages: tuple[dict[str, Any], ...]
    max_tokens: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()
    stream: bool = False
    json_mode: bool = False
    tool: dict[str, Any] | None = None  # the function a forcing tool_choice names


@dataclass(frozen=True)
class Completion:
    """One finished answer, before it is shaped as a whole response or as chunks."""

    id: str
    created: int
    model: str
    content: str | None
    tool_calls: tuple[dict[str, Any], ...]
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    stream: bool = False  # whether the client asked for events rather than one object


class ChatEngine:
    """POST /chat/completions. Subclass and override a method to change one behaviour."""

    def __init__(self, queries: Queries) -> None:
        self.queries = queries
        self.contract = queries.contract
        self.text = self.contract.default_output_modality  # what a chat answer is made of
        self.validator = load_spec().validator("ChatRequest.json")
        self.variants = {
            "nitro": self.base_instance,
            "floor": self.base_instance,
            "free": self.listed_only,
            "thinking": self.reasoning_base,
        }
        if set(self.variants) != set(self.contract.variant_suffixes):
            raise SpecError("the contract's variant suffixes and the reference server's differ")
        self._auto: dict[Visibility, Model] = {}

    def complete(self, body: Any, visibility: Visibility) -> Completion:
        request = self.parse(body)
        return self.generate(request, self.resolve(request.model, visibility))

    # --- the request ----------------------------------------------------------------------

    def parse(self, body: Any) -> ChatRequest:
        if not isinstance(body, dict):
            raise HTTPError(400, "the body must be a JSON object")
        error = best_match(self.validator.iter_errors(body))
        if error is not None:
            raise HTTPError(400, _describe(error))
        # JSON Schema counts 5.0 as an integer; the schema has accepted it, so read it as 5.
        limits = [int(body[n]) for n in ("max_tokens", "max_completion_tokens") if n in body]
        stop = body.get("stop", ())
        return ChatRequest(
            model=body["model"],
            messages=tuple({**m, "content": _text(m.get("content"))} for m in body["messages"]),
            max_tokens=min(limits, default=None),
            seed=int(body["seed"]) if "seed" in body else None,
            stop=tuple(s for s in ([stop] if isinstance(stop, str) else stop) if s),
            stream=body.get("stream", False),
            json_mode=self.json_mode(body.get("response_format")),
            tool=self.forced_tool(body.get("tools"), body.get("tool_choice")),
        )

    def json_mode(self, response_format: Any) -> bool:
        if response_format is None:
            return False
        kind = response_format.get("type") if isinstance(response_format, dict) else None
        if not isinstance(kind, str):
            raise HTTPError(400, "response_format must be an object with a string 'type'")
        return kind == "json_object"

    def forced_tool(self, tools: Any, choice: Any) -> dict[str, Any] | None:
        """The function a forcing tool_choice selects, or None when the model may answer."""
        if tools is not None and not (
            isinstance(tools, list)
            and all(
                isinstance(t, dict)
                and t.get("type") == "function"
                and isinstance(t.get("function"), dict)
                and isinstance(t["function"].get("name"), str)
                for t in tools
            )
        ):
            raise HTTPError(400, "tools must be a list of {'type': 'function', 'function': {...}}")
        functions: list[dict[str, Any]] = [t["function"] for t in tools or ()]
        if choice is None or choice in ("auto", "none"):
            return None
        if choice == "required":
            if not functions:
                raise HTTPError(400, "tool_choice 'required' needs at least one tool")
            return functions[0]
        wanted = choice.get("function") if isinstance(choice, dict) else None
        named = wanted.get("name") if isinstance(wanted, dict) else None
        if not isinstance(named, str):
            raise HTTPError(400, "tool_choice must be 'auto', 'none', 'required' or a function")
        chosen = next((f for f in functions if f["name"] == named), None)
        if chosen is None:
            raise HTTPError(400, f"tool_choice names {named!r}, which is not among the tools")
        return chosen

    # --- which model serves it ----------------------------------------------------------------

    def resolve(self, requested: str, visibility: Visibility) -> Model:
        if requested == self.contract.auto_model:
            return self.route_auto(visibility)
        try:
            model = self.queries.lookup(requested, visibility)
        except HTTPError:
            model = self.resolve_variant(requested, visibility)
        if self.queries.is_router(model):
            return self.route_auto(visibility)
        if self.text not in model["architecture"]["output_modalities"]:
            raise HTTPError(400, f"model {requested!r} does not produce {self.text}")
        return model

    def resolve_variant(self, requested: str, visibility: Visibility) -> Model:
        """An unlisted `base:suffix`: the suffix decides whether and how the base serves."""
        base, _, suffix = requested.rpartition(":")
        if not base or suffix not in self.variants:
            raise HTTPError(404, f"no model {requested!r}")
        return self.variants[suffix](self.queries.lookup(base, visibility), suffix)

    def base_instance(self, base: Model, suffix: str) -> Model:
        return base

    def listed_only(self, base: Model, suffix: str) -> Model:
        raise HTTPError(404, f"{base['id']!r} has no listed :{suffix} variant")

    def reasoning_base(self, base: Model, suffix: str) -> Model:
        if REASONING not in base["supported_parameters"]:
            raise HTTPError(400, f"{base['id']!r} does not support {REASONING}, so no :{suffix}")
        return base

    def route_auto(self, visibility: Visibility) -> Model:
        picked = self._auto.get(visibility)
        if picked is None:
            queries = self.queries
            candidates = [
                model
                for model in queries.select(frozenset({self.text}), frozenset(), visibility)
                if not queries.is_router(model)
            ]
            if not candidates:
                raise HTTPError(404, "no model is available to route this key's request to")
            picked = min(candidates, key=lambda model: (queries.price(model), model["id"]))
            self._auto[visibility] = picked
        return picked

    # --- the answer ---------------------------------------------------------------------------

    def generate(self, request: ChatRequest, model: Model) -> Completion:
        tool_calls: tuple[dict[str, Any], ...] = ()
        if request.tool is not None:
            arguments = self.tool_arguments(request.tool, self.prompt_words(request))
            arguments, cut = self.limit(arguments, request.max_tokens)
            tool_calls = (self.tool_call(request, request.tool, arguments),)
            content, produced = None, arguments
            finish = "length" if cut else "tool_calls"
        else:
            reply = self.reply(request, model)
            if request.json_mode:
                reply = json.dumps({"model": model["id"], "reply": reply})
            content, finish = self.finish(reply, request)
            produced = content
        return Completion(
            id=f"gen-{secrets.token_hex(12)}",
            created=int(time.time()),
            model=model["id"],
            content=content,
            tool_calls=tool_calls,
            finish_reason=finish,
            prompt_tokens=prompt_tokens(m["content"] for m in request.messages),
            completion_tokens=count_tokens(produced),
            stream=request.stream,
        )

    def reply(self, request: ChatRequest, model: Model) -> str:
        echoed = " ".join(self.prompt_words(request)[:ECHOED_WORDS])
        digest = self.digest(request, model["id"])
        generated = [VOCABULARY[b % len(VOCABULARY)] for b in digest[1 : 7 + digest[0] % 10]]
        return f"You said: {echoed or 'nothing'}. {' '.join(generated).capitalize()}."

    def prompt_words(self, request: ChatRequest) -> list[str]:
        """The words of the message the reply answers: the last user message, else the last."""
        users = [m for m in request.messages if m["role"] == "user"]
        return WORD.findall((users or list(request.messages))[-1]["content"])

    def digest(self, request: ChatRequest, model_id: str) -> bytes:
        seen = [model_id, request.seed, [[m["role"], m["content"]] for m in request.messages]]
        return hashlib.sha256(json.dumps(seen).encode()).digest()

    def finish(self, text: str, request: ChatRequest) -> tuple[str, str]:
        """Apply stop strings, then max_tokens; the finish_reason says which ended it."""
        cuts = [found for found in (text.find(s) for s in request.stop) if found >= 0]
        if cuts:
            text = text[: min(cuts)]
        text, cut = self.limit(text, request.max_tokens)
        return text, "length" if cut else "stop"

    def limit(self, text: str, max_tokens: int | None) -> tuple[str, bool]:
        return (text, False) if max_tokens is None else truncate(text, max_tokens)

    def tool_arguments(self, function: dict[str, Any], words: list[str]) -> str:
        """Every declared property, filled with its first enum value or a value of its type."""
        parameters = function.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, dict) else None
        by_type: dict[str, Any] = {
            "string": " ".join(words[:ECHOED_WORDS]),
            "integer": len(words),
            "number": float(len(words)),
            "boolean": True,
            "array": [],
            "object": {},
        }
        arguments: dict[str, Any] = {}
        for name, schema in (properties if isinstance(properties, dict) else {}).items():
            declared = schema if isinstance(schema, dict) else {}
            choices, kind = declared.get("enum"), declared.get("type")
            if isinstance(choices, list) and choices:
                arguments[name] = choices[0]
            else:
                arguments[name] = by_type.get(kind) if isinstance(kind, str) else None
        return json.dumps(arguments)

    def tool_call(
        self, request: ChatRequest, function: dict[str, Any], arguments: str
    ) -> dict[str, Any]:
        call_id = "call_" + self.digest(request, function["name"]).hex()[:24]
        return {
            "id": call_id,
            "type": "function",
            "function": {"name": function["name"], "arguments": arguments},
        }

    # --- shaping the answer ---------------------------------------------------------------------

    def usage(self, completion: Completion) -> dict[str, int]:
        return {
            "prompt_tokens": completion.prompt_tokens,
            "completion_tokens": completion.completion_tokens,
            "total_tokens": completion.prompt_tokens + completion.completion_tokens,
        }

    def response(self, completion: Completion) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": completion.content}
        if completion.tool_calls:
            message["tool_calls"] = list(completion.tool_calls)
        return {
            **self._head(completion, "chat.completion"),
            "choices": [
                {"index": 0, "message": message, "finish_reason": completion.finish_reason}
            ],
            "usage": self.usage(completion),
        }

    def chunks(self, completion: Completion) -> Iterator[dict[str, Any]]:
        head = self._head(completion, "chat.completion.chunk")

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
            return {
                **head,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
            }

        yield chunk({"role": "assistant"})
        for position, call in enumerate(completion.tool_calls):
            yield chunk({"tool_calls": [{"index": position, **call}]})
        for piece in pieces(completion.content or ""):
            yield chunk({"content": piece})
        yield chunk({}, completion.finish_reason)
        yield {**head, "choices": [], "usage": self.usage(completion)}

    def stream_events(self, completion: Completion) -> Iterator[bytes]:
        for chunk in self.chunks(completion):
            yield sse.event(chunk)
        yield sse.DONE

    def _head(self, completion: Completion, kind: str) -> dict[str, Any]:
        return {
            "id": completion.id,
            "object": kind,
            "created": completion.created,
            "model": completion.model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
        }


def _text(content: Any) -> str:
    """A message's content as text: content parts contribute their text, null nothing."""
    if isinstance(content, list):
        return " ".join(part.get("text", "") for part in content if part.get("type") == "text")
    return content if isinstance(content, str) else ""


def _describe(error: ValidationError) -> str:
    """A schema error as `where: what`, where is a path such as messages[0].role."""
    where = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path
    )
    return f"{where.lstrip('.') or 'body'}: {error.message}"
