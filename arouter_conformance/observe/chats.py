"""Observed chat completions, judged with the checks the chat suite uses.

The request says what the answer owes: a request the contract says must be refused (not
JSON, no messages, a bad max_tokens, a model that is not listed, a variant that does not
exist) is judged as a refusal; a request for a listed text model, a variant of one or
`auto` is judged as one that must be served, in the right name; every answer is judged for
its shape, usage arithmetic, `max_tokens` and, streamed, its event grammar. Which model a
request names is read against the lists the traffic showed: a model is judged unlisted
only against the `all` list, never because the default list left it out.

Real traffic asks for more than the kit's probes do (tools, response formats, parameters
a model may not take), and a gateway may refuse those for reasons of its own; so a 4xx to
a request that should have been served counts against it only when the request holds no
more than the kit itself would send. A 5xx always does.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from arouter_conformance.checks import chat, stream, usage
from arouter_conformance.checks.http import error_body, error_status_code
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.config import RunConfig
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding
from arouter_conformance.observe.memory import Memory
from arouter_conformance.observe.models import CALLER_REFUSALS
from arouter_conformance.oracle import (
    chat_capable,
    output_modalities,
    router_priced,
    split_variant,
    supported_parameters,
)
from arouter_conformance.spec import Spec

__all__ = ["judge_chat"]

Model = Mapping[str, Any]
# What the kit's own chat requests hold: a request with no more has no reason to be refused.
KIT_FIELDS = frozenset({"model", "messages", "max_tokens", "stream", "stream_options"})
FOUR_XX = range(400, 500)
# A request this small fits any chat model's limits (the kit's own ask 8 tokens).
PLAIN_TOKENS = 256
PLAIN_PROMPT = 2000  # characters of message text
_RESP = ("CHAT-RESP-002",)


@dataclass(frozen=True)
class Asked:
    """What the request asked for, as far as it was recorded."""

    recorded: bool  # False: the capture kept no request body
    body: Mapping[str, Any] | None  # the JSON object sent; None when it was not one

    @property
    def model(self) -> str | None:
        model = self.body.get("model") if self.body else None
        return model if isinstance(model, str) else None

    @property
    def stream(self) -> bool:
        return bool(self.body and self.body.get("stream") is True)

    @property
    def max_tokens(self) -> int | None:
        value = self.body.get("max_tokens") if self.body else None
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def usage_asked(self) -> bool:
        options = self.body.get("stream_options") if self.body else None
        return isinstance(options, dict) and options.get("include_usage") is True

    @property
    def prompt(self) -> str | None:
        messages = self.body.get("messages") if self.body else None
        if not isinstance(messages, list):
            return None
        return " ".join(str(m.get("content") or "") for m in messages if isinstance(m, dict))

    @property
    def plain(self) -> bool:
        """Nothing but what the kit sends, within the kit's own bounds (a short plain-text
        prompt, a small max_tokens): a gateway has no reason of its own to refuse it. A
        long prompt or a large max_tokens may meet a model's limits, and a refusal of
        those is the gateway's right, no sign that it cannot serve the model."""
        if not self.body or not set(self.body) <= KIT_FIELDS:
            return False
        tokens = self.body.get("max_tokens")
        if tokens is not None and not (isinstance(tokens, int) and 0 < tokens <= PLAIN_TOKENS):
            return False
        messages = self.body.get("messages")
        return (
            isinstance(messages, list)
            and all(
                isinstance(m, dict)
                and isinstance(m.get("role"), str)
                and isinstance(m.get("content"), str)
                for m in messages
            )
            and len(self.prompt or "") <= PLAIN_PROMPT
        )


def _asked(exchange: Exchange) -> Asked | None:
    """The request; None when its body is not JSON at all."""
    if exchange.request_body is None:
        return Asked(False, None)
    try:
        body = json.loads(exchange.request_body)
    except ValueError:
        return None
    return Asked(True, body if isinstance(body, dict) else None)


@dataclass(frozen=True)
class Route:
    """What the contract says of a request for this model: served (under `requirements`,
    in one of `names`, judged by `named_by`), or refused with one of `refuse` (under the
    first requirement); nothing when the traffic so far cannot say. `when_served` are
    judged only when it was served: a listed variant that is refused fails its own
    requirement, which a failure of CHAT-SERVE-001 would leave blocked behind it."""

    requirements: tuple[str, ...] = ()
    refuse: Collection[int] | None = None
    label: str | None = None
    names: frozenset[str] | None = None
    named_by: tuple[str, ...] = ("CHAT-RESP-002",)
    when_served: tuple[str, ...] = ()


def _refused(requirement: str, statuses: Collection[int], label: str | None = None) -> Route:
    return Route((requirement,), statuses, label)


def _route(asked: Asked, memory: Memory, config: RunConfig) -> Route:
    requested = asked.model
    if requested is None:
        return Route()
    auto = config.manifest.auto_model or memory.contract.auto_model
    if requested == auto:
        return Route(("CHAT-AUTO-001",))
    catalog = memory.catalog()
    contract = memory.contract
    listed = memory.entries.get(requested)
    base, variant = split_variant(requested)
    if listed is not None:
        names = chat.served_names(catalog, requested)
        if contract.default_output_modality not in output_modalities(listed):
            return _refused("CHAT-MODALITY-001", FOUR_XX, "a 4xx refusal")
        if router_priced(listed, contract):
            return Route()  # a router answers in the name of the model it picks
        serve = ("CHAT-SERVE-001",) if chat_capable(listed, contract) else ()
        listed_variant = {"free": "CHAT-VARIANT-003", "thinking": "CHAT-VARIANT-006"}.get(
            variant or ""
        )
        if listed_variant:
            named_by = (listed_variant, *_RESP)
            return Route((listed_variant,), None, None, names, named_by, serve)
        return Route(serve, names=names)
    everything = memory.everything
    unlisted = everything is not None and requested not in everything.ids
    base_model = memory.entries.get(base) if variant else None
    if base_model is not None and chat_capable(base_model, contract):
        names = chat.served_names(catalog, requested)
        appended = {"nitro": "CHAT-VARIANT-001", "floor": "CHAT-VARIANT-002"}.get(variant or "")
        if variant == "thinking" and "reasoning" in supported_parameters(base_model):
            appended = "CHAT-VARIANT-007"
        if appended:
            return Route((appended,), names=names, named_by=(appended,))
        if variant == "thinking":
            return _refused("CHAT-VARIANT-005", FOUR_XX, "a 4xx refusal")
        if variant == "free" and unlisted:
            return _refused("CHAT-VARIANT-004", FOUR_XX, "a 4xx refusal")
        return Route()
    if unlisted and base_model is None and requested not in config.manifest.aliases:
        return _refused("CHAT-REJECT-004", {400, 404})
    return Route()


def _malformed(asked: Asked) -> str | None:
    """The REJECT requirement a request breaks, if it breaks one."""
    body = asked.body
    if not asked.recorded:
        return None
    messages = body.get("messages") if body else None
    if not isinstance(messages, list) or not messages:
        return "CHAT-REJECT-002"
    assert body is not None
    tokens = body.get("max_tokens")
    if tokens is not None and (
        not isinstance(tokens, int) or isinstance(tokens, bool) or tokens < 0
    ):
        return "CHAT-REJECT-003"
    return None


def _refusal_body(spec: Spec, exchange: Exchange) -> list[Finding]:
    if exchange.status < 400:
        return []
    return error_body(spec, "CHAT-ERROR-001", exchange) + error_status_code(
        spec, "CHAT-ERROR-002", exchange
    )


def judge_chat(exchange: Exchange, memory: Memory, config: RunConfig) -> list[Finding]:
    if exchange.auth in ("none", "wrong"):
        return chat.refused("CHAT-AUTH-001", exchange, {401}) + chat.error_shape(
            memory.spec, exchange
        )
    if exchange.auth != "key" or exchange.status in CALLER_REFUSALS:
        return _refusal_body(memory.spec, exchange)
    asked = _asked(exchange)
    if asked is None:
        return chat.refused("CHAT-REJECT-001", exchange, {400}) + chat.error_shape(
            memory.spec, exchange
        )
    malformed = _malformed(asked)
    if malformed is not None:
        return chat.refused(malformed, exchange, {400}) + chat.error_shape(memory.spec, exchange)
    route = _route(asked, memory, config)
    if route.requirements and route.refuse is not None:
        refused = chat.refused(route.requirements[0], exchange, route.refuse, route.label)
        return refused + chat.error_shape(memory.spec, exchange)
    streamed = asked.stream or (not asked.recorded and exchange.media_type == "text/event-stream")
    if exchange.status == 200:
        if streamed:
            return _streamed(exchange, asked, route, memory)
        return _completion(exchange, asked, route, memory)
    findings = _refusal_body(memory.spec, exchange)
    if route.requirements and (exchange.status >= 500 or asked.plain):
        if streamed:  # asked for a stream and refused: the stream requirements say so
            return findings + stream.stream_framing(
                memory.spec, exchange, stream.parse_stream(exchange.body)
            )
        for requirement in route.requirements:
            findings += chat.served(requirement, exchange)[1]
    return findings


def _completion(exchange: Exchange, asked: Asked, route: Route, memory: Memory) -> list[Finding]:
    body, findings = chat.completion(memory.spec, exchange)
    if body is None:
        return findings
    for requirement in (*route.requirements, *route.when_served):
        findings += chat.served(requirement, exchange)[1]
    if "CHAT-AUTO-001" in route.requirements:
        findings += _concrete(exchange, body, memory)
    if route.names is not None:
        for requirement in route.named_by:
            findings += chat.served_by(requirement, exchange, body, route.names)
    findings += chat.usage_adds_up("CHAT-USAGE-001", exchange, body.get("usage"), "/usage")
    findings += schema_findings(memory.spec, "SdkChatResponse.json", body, exchange=exchange)
    return findings + _reply(exchange, asked, usage.plain_reply(body))


def _concrete(exchange: Exchange, body: Model, memory: Memory) -> list[Finding]:
    """CHAT-AUTO-001's name check, where the lists seen can say whether the name is listed."""
    auto = memory.contract.auto_model
    catalog = memory.catalog()
    named = body.get("model")
    slugs = {m.get("canonical_slug") for m in catalog.models}
    if memory.everything is None and named not in catalog.by_id and named not in slugs:
        return []
    return chat.concrete_model(exchange, body, memory.everything or catalog, auto)


def _streamed(exchange: Exchange, asked: Asked, route: Route, memory: Memory) -> list[Finding]:
    events = stream.parse_stream(exchange.body)
    findings = stream.stream_framing(memory.spec, exchange, events)
    findings += stream.stream_content(exchange, events, memory.contract)
    if route.names is not None:
        findings += stream.stream_models(exchange, events, route.names)
    if asked.usage_asked:
        findings += stream.stream_usage(exchange, events)
    return findings + _reply(exchange, asked, usage.streamed_reply(events))


def _reply(exchange: Exchange, asked: Asked, reply: usage.Reply) -> list[Finding]:
    """Usage against the request: max_tokens, text counted, a cut reply saying so. A reply
    without usage shows none of it (its absence is the shape requirements' finding)."""
    if not isinstance(reply.usage, Mapping):
        return []
    findings: list[Finding] = []
    limit = asked.max_tokens
    if limit is not None:
        findings += chat.max_tokens_respected(exchange, {"usage": reply.usage}, limit)
    if asked.prompt is not None:
        findings += usage.counts_something(exchange, reply, asked.prompt)
    used = reply.usage.get("completion_tokens")
    if limit is not None and isinstance(used, int) and used >= limit:
        # Only a reply max_tokens cut shows CHAT-FINISH-001; most replies end sooner.
        findings += usage.cut_reply_says_length(exchange, reply, limit)
    return findings
