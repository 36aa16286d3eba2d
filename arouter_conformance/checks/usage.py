"""What a completion's usage and finish_reason say about the reply (ruling R16).

Judged on answers the chat suite fetched anyway, whole and streamed: the counts must not
be zero for text that was exchanged, and a reply max_tokens cut short must say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from arouter_conformance.checks.stream import Stream
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged

__all__ = [
    "CUT_REASONS",
    "Reply",
    "counts_something",
    "cut_reply_says_length",
    "plain_reply",
    "streamed_reply",
]

# What a reply cut by max_tokens may end with: length, or what the gateway reports ended
# it first (a content filter, an error). stop and tool_calls say the model ended by itself.
CUT_REASONS = ("length", "content_filter", "error")


@dataclass(frozen=True)
class Reply:
    """The text of one answer, its finish_reason and usage, and where those sit in it."""

    text: str
    finish_reason: Any
    usage: Any
    usage_at: str = "/usage"
    finish_at: str = "/choices/0/finish_reason"


def _first_choice(body: Any) -> Mapping[str, Any]:
    choices = body.get("choices") if isinstance(body, Mapping) else None
    first = choices[0] if isinstance(choices, list) and choices else None
    return first if isinstance(first, Mapping) else {}


def plain_reply(body: Any) -> Reply:
    """A whole completion's first choice: its content, finish_reason and the usage."""
    choice = _first_choice(body)
    message = choice.get("message")
    content = message.get("content") if isinstance(message, Mapping) else None
    usage = body.get("usage") if isinstance(body, Mapping) else None
    return Reply(content if isinstance(content, str) else "", choice.get("finish_reason"), usage)


def streamed_reply(stream: Stream) -> Reply:
    """A stream's content deltas joined, its first finish_reason and its last usage."""
    text: list[str] = []
    reason: Any = None
    usage: Any = None
    usage_at = finish_at = ""
    for index, chunk in stream.chunks:
        if not isinstance(chunk, Mapping):
            continue
        if isinstance(chunk.get("usage"), Mapping):
            usage, usage_at = chunk["usage"], f"/events/{index}/usage"
        choice = _first_choice(chunk)
        delta = choice.get("delta")
        content = delta.get("content") if isinstance(delta, Mapping) else None
        if isinstance(content, str):
            text.append(content)
        if reason is None and choice.get("finish_reason") is not None:
            reason, finish_at = choice["finish_reason"], f"/events/{index}/choices/0/finish_reason"
    return Reply("".join(text), reason, usage, usage_at, finish_at)


def _count(usage: Any, key: str) -> int | None:
    value = usage.get(key) if isinstance(usage, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def counts_something(exchange: Exchange, reply: Reply, prompt: str) -> list[Finding]:
    """CHAT-USAGE-003: text sent counts at least one prompt token, text replied at least one
    completion token. Counts that are missing or not integers are CHAT-USAGE-001's (or
    CHAT-STREAM-004's) finding; a reply without text (a reasoning model cut while it
    thought) may count anything."""
    rid = "CHAT-USAGE-003"
    observed: list[tuple[str, int, str]] = []
    prompt_tokens = _count(reply.usage, "prompt_tokens")
    if prompt.strip() and prompt_tokens is not None:
        observed.append(("prompt_tokens", prompt_tokens, f"a prompt of {len(prompt)} characters"))
    completion_tokens = _count(reply.usage, "completion_tokens")
    if reply.text.strip() and completion_tokens is not None:
        observed.append(
            ("completion_tokens", completion_tokens, f"a reply of {len(reply.text)} characters")
        )
    if not observed:
        cannot_judge(rid, f"{exchange.describe()}: no integer token count for text exchanged")
        return []
    judged(rid)
    return [
        Finding(
            rid,
            f"{exchange.describe()}: {key} is {count} for {what}",
            expected="at least 1",
            observed=str(count),
            exchange=exchange,
            pointer=f"{reply.usage_at}/{key}",
        )
        for key, count, what in observed
        if count < 1
    ]


def cut_reply_says_length(exchange: Exchange, reply: Reply, max_tokens: int) -> list[Finding]:
    """CHAT-FINISH-001: a reply whose completion_tokens reach max_tokens was cut by it, and
    its finish_reason says length (CUT_REASONS), never stop. A reply that stopped short of
    max_tokens shows nothing; a missing finish_reason is the shape requirements' finding."""
    rid = "CHAT-FINISH-001"
    used = _count(reply.usage, "completion_tokens")
    if used is None or used < max_tokens:
        shown = "no completion_tokens" if used is None else f"{used} completion tokens"
        cannot_judge(rid, f"the reply was not seen cut: {shown} for max_tokens={max_tokens}")
        return []
    if not isinstance(reply.finish_reason, str):
        cannot_judge(rid, "the cut reply carries no finish_reason (see the shape requirements)")
        return []
    judged(rid)
    if reply.finish_reason in CUT_REASONS:
        return []
    return [
        Finding(
            rid,
            f"{exchange.describe()}: a reply cut at {used} completion tokens by max_tokens="
            f"{max_tokens} ends with finish_reason {reply.finish_reason!r}",
            expected='"length"',
            observed=repr(reply.finish_reason),
            exchange=exchange,
            pointer=reply.finish_at,
        )
    ]
