"""Profile chat: refusals, the completion, automatic routing, variants, usage, streaming.

Every request here may cost money on a live target, so each answer is fetched once
(`run.memo`) and judged by every test that needs it, models are the cheapest eligible
ones, prompts are short and max_tokens is small.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Mapping
from typing import Any

import pytest

from arouter_conformance.checks import chat, stream, usage
from arouter_conformance.exchange import Exchange, NotJson
from arouter_conformance.findings import Finding, Inconclusive, require
from arouter_conformance.interop import openai_chat
from arouter_conformance.session import MAX_TOKENS, Run
from arouter_conformance.suites._shared import chat_model, completion_of, plain_completion

requirement = pytest.mark.requirement
STREAM_REFUSED = "the stream was refused (see CHAT-STREAM-001)"


def streamed_completion(run: Run) -> tuple[Exchange, stream.Stream]:
    model = chat_model(run, "cheap", "text model with a price")

    def fetch() -> tuple[Exchange, stream.Stream]:
        exchange = run.chat(
            run.chat_body(model, stream=True, stream_options={"include_usage": True})
        )
        return exchange, stream.parse_stream(exchange.body)

    return run.memo("chat-stream", fetch)


@requirement(
    "CHAT-AUTH-001",
    "CHAT-REJECT-001",
    "CHAT-REJECT-002",
    "CHAT-REJECT-003",
    "CHAT-REJECT-004",
    "CHAT-ERROR-001",
    "CHAT-ERROR-002",
)
def test_bad_requests_are_refused(run: Run) -> None:
    model = chat_model(run, "cheap", "text model with a price")
    good = run.chat_body(model)
    cases: list[tuple[str, Exchange, set[int]]] = [
        ("CHAT-AUTH-001", run.chat(good, auth="none"), {401}),
        ("CHAT-AUTH-001", run.chat(good, auth="wrong"), {401}),
        ("CHAT-REJECT-001", run.chat(raw=b'{"model": "x", "messages": [ '), {400}),
        ("CHAT-REJECT-002", run.chat({k: v for k, v in good.items() if k != "messages"}), {400}),
        ("CHAT-REJECT-002", run.chat({**good, "messages": []}), {400}),
        ("CHAT-REJECT-002", run.chat({**good, "messages": "hello"}), {400}),
        ("CHAT-REJECT-003", run.chat({**good, "max_tokens": -5}), {400}),
        ("CHAT-REJECT-003", run.chat({**good, "max_tokens": 2.5}), {400}),
        (
            "CHAT-REJECT-004",
            run.chat({**good, "model": "zz-unknown-author/zz-unknown-model"}),
            {400, 404},
        ),
    ]
    findings: list[Finding] = []
    for requirement_id, exchange, statuses in cases:
        findings += chat.refused(requirement_id, exchange, statuses)
        findings += chat.error_shape(run.spec, exchange)
    require(findings)


@requirement("CHAT-SERVE-001", "CHAT-RESP-001", "CHAT-RESP-002", "CHAT-USAGE-001", "CHAT-USAGE-002")
def test_a_completion_has_its_shape_and_usage(run: Run) -> None:
    exchange = plain_completion(run)
    require(chat.served("CHAT-SERVE-001", exchange)[1])
    body, findings = chat.completion(run.spec, exchange)
    require(findings)
    assert body is not None
    requested = json.loads(exchange.request_body or b"{}")["model"]
    require(
        [
            *chat.served_by(
                "CHAT-RESP-002", exchange, body, chat.served_names(run.baseline(), requested)
            ),
            *chat.usage_adds_up("CHAT-USAGE-001", exchange, body.get("usage"), "/usage"),
            *chat.max_tokens_respected(exchange, body, MAX_TOKENS),
        ]
    )


@requirement("CHAT-AUTO-001")
def test_auto_names_the_model_that_served(run: Run) -> None:
    exchange = run.chat(run.chat_body(run.auto_model))
    body, findings = chat.served("CHAT-AUTO-001", exchange)
    require(findings)
    assert body is not None
    require(chat.concrete_model(exchange, body, run.baseline(), run.auto_model))


def _variant(run: Run, requirement_id: str, model: str) -> tuple[Exchange, Mapping[str, Any]]:
    exchange = completion_of(run, model)
    body, findings = chat.served(requirement_id, exchange)
    require(findings)
    assert body is not None
    require(
        chat.served_by(requirement_id, exchange, body, chat.served_names(run.baseline(), model))
    )
    return exchange, body


@requirement("CHAT-VARIANT-001")
def test_nitro_is_served_by_the_model(run: Run) -> None:
    _variant(run, "CHAT-VARIANT-001", chat_model(run, "base", "plain text model") + ":nitro")


@requirement("CHAT-VARIANT-002")
def test_floor_is_served_by_the_model(run: Run) -> None:
    _variant(run, "CHAT-VARIANT-002", chat_model(run, "base", "plain text model") + ":floor")


@requirement("CHAT-VARIANT-003")
def test_a_listed_free_id_is_served(run: Run) -> None:
    _variant(run, "CHAT-VARIANT-003", chat_model(run, "free", ":free text model"))


def _refused(run: Run, requirement_id: str, model: str) -> None:
    """Refused with a 4xx, in the error shape every refusal has (CHAT-ERROR-001, -002)."""
    exchange = run.chat(run.chat_body(model))
    require(chat.refused_4xx(requirement_id, exchange) + chat.error_shape(run.spec, exchange))


@requirement("CHAT-VARIANT-004", "CHAT-ERROR-001", "CHAT-ERROR-002")
def test_free_without_a_free_variant_is_refused(run: Run) -> None:
    model = chat_model(run, "without_free", "text model without a :free variant") + ":free"
    _refused(run, "CHAT-VARIANT-004", model)


@requirement("CHAT-VARIANT-005", "CHAT-ERROR-001", "CHAT-ERROR-002")
def test_thinking_without_reasoning_is_refused(run: Run) -> None:
    model = chat_model(run, "without_reasoning", "text model without reasoning") + ":thinking"
    _refused(run, "CHAT-VARIANT-005", model)


@requirement("CHAT-VARIANT-006")
def test_a_listed_thinking_id_is_served(run: Run) -> None:
    _variant(run, "CHAT-VARIANT-006", chat_model(run, "thinking", ":thinking text model"))


@requirement("CHAT-VARIANT-007")
def test_thinking_appended_to_a_reasoning_model_is_served(run: Run) -> None:
    model = chat_model(run, "reasoning_base", "reasoning text model without a listed :thinking id")
    _variant(run, "CHAT-VARIANT-007", model + ":thinking")


@requirement("CHAT-MODALITY-001", "CHAT-ERROR-001", "CHAT-ERROR-002")
def test_a_model_without_text_output_is_refused(run: Run) -> None:
    _refused(run, "CHAT-MODALITY-001", chat_model(run, "non_text", "model without text output"))


@requirement("CHAT-STREAM-001", "CHAT-STREAM-002", "CHAT-STREAM-005")
def test_stream_framing(run: Run) -> None:
    exchange, events = streamed_completion(run)
    require(stream.stream_framing(run.spec, exchange, events))


@requirement("CHAT-STREAM-003", "CHAT-RESP-002")
def test_stream_content(run: Run) -> None:
    exchange, events = streamed_completion(run)
    if exchange.status != 200:
        raise Inconclusive(STREAM_REFUSED, blocked_by="CHAT-STREAM-001")
    requested = json.loads(exchange.request_body or b"{}")["model"]
    allowed = chat.served_names(run.baseline(), requested)
    require(
        stream.stream_content(exchange, events, run.contract)
        + stream.stream_models(exchange, events, allowed)
    )


@requirement("CHAT-STREAM-004", "CHAT-USAGE-002")
def test_stream_usage(run: Run) -> None:
    exchange, events = streamed_completion(run)
    if exchange.status != 200:
        raise Inconclusive(STREAM_REFUSED, blocked_by="CHAT-STREAM-001")
    usage = [c["usage"] for _, c in events.chunks if isinstance(c, dict) and c.get("usage")]
    require(
        stream.stream_usage(exchange, events)
        + chat.max_tokens_respected(exchange, {"usage": usage[-1] if usage else None}, MAX_TOKENS)
    )


def _replies(run: Run) -> list[tuple[Exchange, usage.Reply]]:
    """The whole and the streamed answer already fetched, as replies; those refused or
    unreadable are left out (the shape and stream requirements report them)."""
    replies = []
    exchange = plain_completion(run)
    if exchange.status == 200:
        with contextlib.suppress(NotJson):  # the shape requirements report it
            replies.append((exchange, usage.plain_reply(exchange.json())))
    streamed, events = streamed_completion(run)
    if streamed.status == 200:
        replies.append((streamed, usage.streamed_reply(events)))
    if not replies:
        raise Inconclusive("neither the completion nor the stream was served")
    return replies


@requirement("CHAT-USAGE-003")
def test_usage_counts_the_text_exchanged(run: Run) -> None:
    findings: list[Finding] = []
    for exchange, reply in _replies(run):
        sent = json.loads(exchange.request_body or b"{}").get("messages", [])
        prompt = " ".join(str(m.get("content") or "") for m in sent if isinstance(m, dict))
        findings += usage.counts_something(exchange, reply, prompt)
    require(findings)


@requirement("CHAT-FINISH-001")
def test_a_reply_cut_by_max_tokens_says_length(run: Run) -> None:
    findings: list[Finding] = []
    for exchange, reply in _replies(run):
        findings += usage.cut_reply_says_length(exchange, reply, MAX_TOKENS)
    require(findings)


@requirement("CHAT-SDK-001")
def test_openai_sdk_reads_completions(run: Run) -> None:
    body = run.chat_body(chat_model(run, "cheap", "text model with a price"))
    require(
        openai_chat(run.target, body, stream=False) + openai_chat(run.target, body, stream=True)
    )
