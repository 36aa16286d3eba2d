"""Streamed chat completions: the server-sent event stream, parsed leniently and judged
strictly. Comments and blank lines are allowed, several data lines make one event, a
mid-stream error chunk is reported as a finding rather than crashing the parse.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from arouter_conformance.checks.chat import usage_adds_up
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.exchange import Exchange, past_the_parser
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.spec import Contract, Spec

__all__ = [
    "Stream",
    "parse_stream",
    "stream_content",
    "stream_framing",
    "stream_models",
    "stream_usage",
]

DONE = "[DONE]"


@dataclass
class Stream:
    """The events of one stream: JSON chunks in order, and what framing went wrong."""

    chunks: list[tuple[int, Any]] = field(default_factory=list)  # (event index, parsed)
    done_at: int | None = None
    events: int = 0
    undecodable: list[tuple[int, str]] = field(default_factory=list)
    unparsed: list[int] = field(default_factory=list)  # events past what the kit parses


def parse_stream(body: bytes) -> Stream:
    text = body.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    stream = Stream()
    for block in text.split("\n\n"):
        data = [
            line[5:].removeprefix(" ") for line in block.split("\n") if line.startswith("data:")
        ]
        if not data:
            continue  # comments, blank lines, other fields
        index = stream.events
        stream.events += 1
        payload = "\n".join(data)
        if payload.strip() == DONE:
            stream.done_at = stream.done_at if stream.done_at is not None else index
            continue
        try:
            stream.chunks.append((index, json.loads(payload)))
        except (RecursionError, ValueError) as exc:
            if past_the_parser(exc):
                stream.unparsed.append(index)
            else:
                stream.undecodable.append((index, payload[:200]))
    return stream


def stream_framing(spec: Spec, exchange: Exchange, stream: Stream) -> list[Finding]:
    """CHAT-STREAM-001, -002 and -005: event-stream, chunk shape, one id, [DONE] then close."""
    judged("CHAT-STREAM-001")
    findings = []
    if exchange.status != 200 or exchange.media_type != "text/event-stream":
        findings.append(
            Finding(
                "CHAT-STREAM-001",
                f"{exchange.describe()} as {exchange.media_type or 'no content type'}",
                expected="200 text/event-stream",
                observed=f"{exchange.status} {exchange.header('content-type')}",
                exchange=exchange,
            )
        )
        return findings
    judged("CHAT-STREAM-005")
    if stream.chunks or stream.undecodable:
        judged("CHAT-STREAM-002")
    else:
        cannot_judge("CHAT-STREAM-002", "the stream held no data chunks to judge")
    if stream.unparsed:
        cannot_judge(
            "CHAT-STREAM-002",
            f"events {stream.unparsed[:5]} nest deeper or hold longer numbers than the kit parses",
        )
    for index, payload in stream.undecodable:
        findings.append(
            Finding(
                "CHAT-STREAM-002",
                f"event {index} is not JSON",
                expected="data: {json}",
                observed=payload,
                exchange=exchange,
            )
        )
    ids = set()
    for index, chunk in stream.chunks:
        if isinstance(chunk, dict) and "error" in chunk:
            continue  # judged by stream_content
        for finding in schema_findings(
            spec, "ChatStreamChunk.json", chunk, exchange=exchange, attribute_to="CHAT-STREAM-002"
        ):
            findings.append(
                Finding(
                    finding.requirement,
                    f"event {index}: {finding.message}",
                    finding.expected,
                    finding.observed,
                    exchange,
                    finding.pointer,
                    finding.schema_path,
                )
            )
        if isinstance(chunk, dict):
            ids.add(json.dumps(chunk.get("id")))
    if len(ids) > 1:
        findings.append(
            Finding(
                "CHAT-STREAM-002",
                f"the stream's chunks carry {len(ids)} different ids",
                expected="one id for the whole stream",
                observed=", ".join(sorted(ids))[:300],
                exchange=exchange,
            )
        )
    if stream.done_at is None or stream.done_at != stream.events - 1 or exchange.truncated:
        findings.append(
            Finding(
                "CHAT-STREAM-005",
                "the stream does not end with data: [DONE] followed by the end of the body"
                + (" (it did not close in time)" if exchange.truncated else ""),
                expected="data: [DONE] as the last event, then close",
                observed=(
                    f"[DONE] at event {stream.done_at} of {stream.events}"
                    if stream.done_at is not None
                    else "no [DONE]"
                ),
                exchange=exchange,
            )
        )
    return findings


def _choices(chunk: Any) -> list[Mapping[str, Any]]:
    choices = chunk.get("choices") if isinstance(chunk, dict) else None
    return [c for c in choices if isinstance(c, dict)] if isinstance(choices, list) else []


def _unfinished(requirement: str, exchange: Exchange) -> bool:
    """A stream the kit stopped reading has no end to judge (finish_reason, usage): that it
    did not end is CHAT-STREAM-005's one finding, not three."""
    if exchange.cut_by_kit:
        cannot_judge(requirement, f"{exchange.describe()}: {exchange.cut_by_kit}")
    return bool(exchange.cut_by_kit)


def stream_content(exchange: Exchange, stream: Stream, contract: Contract) -> list[Finding]:
    """CHAT-STREAM-003: content deltas are text, a finish_reason ends the choice, nothing after.

    An error chunk (top-level error, finish_reason "error") is reported here with its
    message: the target broke mid-stream.
    """
    if not stream.chunks:
        cannot_judge("CHAT-STREAM-003", "the stream held no data chunks to judge")
        return []
    if _unfinished("CHAT-STREAM-003", exchange):
        return []
    judged("CHAT-STREAM-003")
    findings = []
    finished_at: int | None = None
    for index, chunk in stream.chunks:
        if isinstance(chunk, dict) and isinstance(chunk.get("error"), dict):
            message = str(chunk["error"].get("message", ""))[:300]
            findings.append(
                Finding(
                    "CHAT-STREAM-003",
                    f"event {index} is an error chunk: {message}",
                    expected="content deltas and a finish_reason",
                    observed=json.dumps(chunk)[:300],
                    exchange=exchange,
                )
            )
            continue
        for choice in _choices(chunk):
            delta = choice.get("delta")
            content = delta.get("content") if isinstance(delta, dict) else None
            if content is not None and not isinstance(content, str):
                findings.append(
                    Finding(
                        "CHAT-STREAM-003",
                        f"event {index}: delta content is not text",
                        expected="a string",
                        observed=repr(content)[:200],
                        exchange=exchange,
                    )
                )
            if content and finished_at is not None:
                findings.append(
                    Finding(
                        "CHAT-STREAM-003",
                        f"event {index} adds content after the finish_reason of event "
                        f"{finished_at}",
                        expected="no content after the choice ended",
                        observed=repr(content)[:200],
                        exchange=exchange,
                    )
                )
            reason = choice.get("finish_reason")
            if reason is not None:
                if reason not in contract.finish_reasons:
                    findings.append(
                        Finding(
                            "CHAT-STREAM-003",
                            f"event {index}: finish_reason {reason!r} is not an allowed one",
                            expected=", ".join(contract.finish_reasons),
                            observed=repr(reason),
                            exchange=exchange,
                        )
                    )
                finished_at = index if finished_at is None else finished_at
    if finished_at is None:
        findings.append(
            Finding(
                "CHAT-STREAM-003",
                "no chunk carries a finish_reason",
                expected="a finish_reason on the last choice chunk",
                observed=f"{len(stream.chunks)} chunks without one",
                exchange=exchange,
            )
        )
    return findings


def stream_usage(exchange: Exchange, stream: Stream) -> list[Finding]:
    """CHAT-STREAM-004 (SHOULD): one usage chunk, after the finish_reason, with no choices."""
    if _unfinished("CHAT-STREAM-004", exchange):
        return []
    judged("CHAT-STREAM-004")
    with_usage = [
        (index, chunk)
        for index, chunk in stream.chunks
        if isinstance(chunk, dict) and isinstance(chunk.get("usage"), dict)
    ]
    if len(with_usage) != 1:
        return [
            Finding(
                "CHAT-STREAM-004",
                f"the stream has {len(with_usage)} usage chunks",
                expected="exactly one usage chunk near the end",
                observed=f"usage in events {[i for i, _ in with_usage]}",
                exchange=exchange,
            )
        ]
    index, chunk = with_usage[0]
    findings = usage_adds_up("CHAT-STREAM-004", exchange, chunk["usage"], f"/events/{index}/usage")
    finish = [
        i
        for i, c in stream.chunks
        if any(choice.get("finish_reason") is not None for choice in _choices(c))
    ]
    if _choices(chunk) or (finish and index < finish[0]):
        findings.append(
            Finding(
                "CHAT-STREAM-004",
                f"the usage chunk (event {index}) is not a choice-less chunk after the finish",
                expected="choices: [] after the finish_reason",
                observed=json.dumps(chunk)[:300],
                exchange=exchange,
            )
        )
    return findings


def stream_models(exchange: Exchange, stream: Stream, allowed: Collection[str]) -> list[Finding]:
    """CHAT-RESP-002 for a stream: every chunk names the model that served the request."""
    if any(isinstance(c, dict) and "model" in c for _, c in stream.chunks):
        judged("CHAT-RESP-002")
    named = sorted(
        {
            json.dumps(chunk.get("model"))
            for _, chunk in stream.chunks
            if isinstance(chunk, dict)
            and "error" not in chunk
            and chunk.get("model") not in allowed
        }
    )
    if not named:
        return []
    return [
        Finding(
            "CHAT-RESP-002",
            f"{exchange.describe()}: the stream names {', '.join(named)[:200]}",
            expected=" or ".join(sorted(allowed)),
            observed=", ".join(named)[:300],
            exchange=exchange,
        )
    ]
