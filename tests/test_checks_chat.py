"""Chat and stream checks, on hand-made completions and event streams."""

from __future__ import annotations

import json
from dataclasses import replace

from arouter_conformance.checks import chat, stream, usage
from arouter_conformance.oracle import Baseline
from arouter_conformance.spec import Spec, load_spec
from tests.factories import exchange, model

SPEC = load_spec()  # the catalog the checks judge by, passed in as the engine does

COMPLETION = {
    "id": "gen-1",
    "object": "chat.completion",
    "created": 1,
    "model": "a/b",
    "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
    ],
    "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
}


def chunk(**fields: object) -> dict:  # type: ignore[type-arg]
    return {
        "id": "gen-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "a/b",
        **fields,
    }


def sse(*events: object, comment: bool = True) -> bytes:
    lines = [": keep-alive\n\n"] if comment else []
    for event in events:
        lines.append(f"data: {event if isinstance(event, str) else json.dumps(event)}\n\n")
    return "".join(lines).encode()


GOOD_STREAM = sse(
    chunk(choices=[{"index": 0, "delta": {"role": "assistant"}, "finish_reason": None}]),
    chunk(choices=[{"index": 0, "delta": {"content": "h"}, "finish_reason": None}]),
    chunk(choices=[{"index": 0, "delta": {"content": "i"}, "finish_reason": None}]),
    chunk(choices=[{"index": 0, "delta": {}, "finish_reason": "stop"}]),
    chunk(choices=[], usage={"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}),
    "[DONE]",
)


def streamed(body: bytes, content_type: str = "text/event-stream") -> object:
    return exchange(
        raw=body, headers={"content-type": content_type}, method="POST", path="/chat/completions"
    )


def test_completion_shape_usage_and_max_tokens() -> None:
    ok = exchange(COMPLETION, method="POST", path="/chat/completions")
    body, found = chat.completion(SPEC, ok)
    assert found == []
    assert body is not None
    assert chat.usage_adds_up("CHAT-USAGE-001", ok, body["usage"], "/usage") == []
    assert chat.max_tokens_respected(ok, body, 16) == []
    off = {**COMPLETION, "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 5}}
    assert chat.usage_adds_up("CHAT-USAGE-001", ok, off["usage"], "/usage")
    assert chat.max_tokens_respected(ok, {"usage": {"completion_tokens": 17}}, 16)
    bad = {
        **COMPLETION,
        "object": "text_completion",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "x"}, "finish_reason": "done"}
        ],
    }
    assert {f.requirement for f in chat.completion(SPEC, exchange(bad))[1]} == {"CHAT-RESP-001"}


def test_served_names_allow_canonical_slugs_and_variant_bases(spec: Spec) -> None:
    baseline = Baseline([model("a/b", canonical_slug="a/b-2026"), model("a/b:free")], spec.contract)
    assert chat.served_names(baseline, "a/b") == {"a/b", "a/b-2026"}
    assert chat.served_names(baseline, "a/b:nitro") == {"a/b:nitro", "a/b", "a/b-2026"}
    ok = exchange(COMPLETION)
    assert chat.served_by("CHAT-RESP-002", ok, COMPLETION, {"a/b"}) == []
    assert chat.served_by("CHAT-RESP-002", ok, {**COMPLETION, "model": "auto"}, {"a/b"})


def test_auto_must_name_a_concrete_listed_model(spec: Spec) -> None:
    baseline = Baseline(
        [model("a/b"), model("r/auto", pricing={"prompt": "-1", "completion": "-1"})], spec.contract
    )
    ok = exchange(COMPLETION)
    assert chat.concrete_model(ok, COMPLETION, baseline, "auto") == []
    for name in ("auto", "r/auto", "x/not-listed"):
        assert chat.concrete_model(ok, {**COMPLETION, "model": name}, baseline, "auto")


def _owners(findings: list) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
    return [(f.requirement, f.pointer) for f in findings]


def test_usage_counts_the_text_exchanged() -> None:
    reply = usage.plain_reply(COMPLETION)
    assert (reply.text, reply.finish_reason) == ("hi", "stop")
    assert usage.counts_something(exchange(COMPLETION), reply, "hello") == []
    zero = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    found = usage.counts_something(exchange(COMPLETION), replace(reply, usage=zero), "hello")
    assert _owners(found) == [
        ("CHAT-USAGE-003", "/usage/prompt_tokens"),
        ("CHAT-USAGE-003", "/usage/completion_tokens"),
    ]
    # No text replied (a reasoning model cut while it thought): only the prompt is judged.
    silent = usage.Reply("", "length", {"prompt_tokens": 3, "completion_tokens": 0})
    assert usage.counts_something(exchange(COMPLETION), silent, "hello") == []
    events = stream.parse_stream(GOOD_STREAM)
    assert usage.streamed_reply(events).text == "hi"
    assert usage.counts_something(streamed(GOOD_STREAM), usage.streamed_reply(events), "x") == []


def test_a_cut_reply_says_length() -> None:
    def reply(reason: object, used: int) -> usage.Reply:
        return usage.Reply("one two", reason, {"prompt_tokens": 3, "completion_tokens": used})

    answer = exchange(COMPLETION)
    assert usage.cut_reply_says_length(answer, reply("length", 8), 8) == []
    assert usage.cut_reply_says_length(answer, reply("content_filter", 8), 8) == []
    assert usage.cut_reply_says_length(answer, reply("stop", 5), 8) == []  # not cut: not judged
    found = usage.cut_reply_says_length(answer, reply("stop", 8), 8)
    assert _owners(found) == [("CHAT-FINISH-001", "/choices/0/finish_reason")]
    events = stream.parse_stream(GOOD_STREAM)  # 2 completion tokens, finish_reason stop
    cut = usage.streamed_reply(events)
    assert cut.finish_at == "/events/3/choices/0/finish_reason"
    assert _owners(usage.cut_reply_says_length(streamed(GOOD_STREAM), cut, 2)) == [
        ("CHAT-FINISH-001", "/events/3/choices/0/finish_reason")
    ]


def test_refusals() -> None:
    assert (
        chat.refused(
            "CHAT-REJECT-001", exchange({"error": {"code": 400, "message": "x"}}, status=400), {400}
        )
        == []
    )
    assert chat.refused("CHAT-REJECT-001", exchange(COMPLETION), {400})
    # One finding that says what was wanted: a keyless 500 is not "a 4xx or a 200" away
    # from a pass for CHAT-AUTH-001.
    (crashed,) = chat.refused("CHAT-AUTH-001", exchange({}, status=500), {401})
    assert crashed.message.endswith("-> 500, expected 401")
    assert chat.refused_4xx("CHAT-VARIANT-004", exchange({}, status=403)) == []


def test_a_good_stream_passes_every_stream_check(spec: Spec) -> None:
    ex = streamed(GOOD_STREAM)
    parsed = stream.parse_stream(ex.body)  # type: ignore[attr-defined]
    assert stream.stream_framing(SPEC, ex, parsed) == []  # type: ignore[arg-type]
    assert stream.stream_content(ex, parsed, spec.contract) == []  # type: ignore[arg-type]
    assert stream.stream_usage(ex, parsed) == []  # type: ignore[arg-type]


def test_crlf_and_multiline_data_are_tolerated(spec: Spec) -> None:
    body = GOOD_STREAM.replace(b"\n", b"\r\n")
    ex = streamed(body)
    parsed = stream.parse_stream(body)
    assert stream.stream_framing(SPEC, ex, parsed) == []  # type: ignore[arg-type]


def findings_of(body: bytes, spec: Spec, content_type: str = "text/event-stream") -> set[str]:
    ex = streamed(body, content_type)
    parsed = stream.parse_stream(body)
    found = stream.stream_framing(SPEC, ex, parsed)  # type: ignore[arg-type]
    if ex.status == 200 and content_type == "text/event-stream":  # type: ignore[attr-defined]
        found += stream.stream_content(ex, parsed, spec.contract)  # type: ignore[arg-type]
        found += stream.stream_usage(ex, parsed)  # type: ignore[arg-type]
    return {f.requirement for f in found}


def test_broken_streams_are_caught(spec: Spec) -> None:
    assert findings_of(GOOD_STREAM.replace(b"data: [DONE]\n\n", b""), spec) == {"CHAT-STREAM-005"}
    assert findings_of(GOOD_STREAM.replace(b"chat.completion.chunk", b"chat.completion"), spec) == {
        "CHAT-STREAM-002"
    }
    assert findings_of(GOOD_STREAM, spec, "application/json") == {"CHAT-STREAM-001"}
    no_usage = GOOD_STREAM.replace(
        b', "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}', b""
    )
    assert findings_of(no_usage, spec) == {"CHAT-STREAM-004"}
    no_finish = GOOD_STREAM.replace(b'"finish_reason": "stop"', b'"finish_reason": null')
    assert "CHAT-STREAM-003" in findings_of(no_finish, spec)
    after_done = GOOD_STREAM + b'data: {"late": true}\n\n'
    assert "CHAT-STREAM-005" in findings_of(after_done, spec)


def test_a_mid_stream_error_is_reported_not_crashed_on(spec: Spec) -> None:
    body = sse(
        chunk(choices=[{"index": 0, "delta": {"content": "h"}, "finish_reason": None}]),
        {
            **chunk(choices=[{"index": 0, "delta": {}, "finish_reason": "error"}]),
            "error": {"code": 502, "message": "upstream died"},
        },
        "[DONE]",
    )
    ex = streamed(body)
    found = stream.stream_content(ex, stream.parse_stream(body), spec.contract)  # type: ignore[arg-type]
    assert any("upstream died" in f.message for f in found)


def test_an_event_past_what_the_kit_parses_is_not_judged(spec: Spec) -> None:
    """Deeper nesting or a longer number than Python parses is the kit's limit: no
    CHAT-STREAM-002 finding for it, while an event that is not JSON still gets one."""
    deep = b"data: " + b"[" * 100_000 + b"]" * 100_000 + b"\n\n"
    long_number = b"data: " + b"7" * 100_000 + b"\n\n"
    for event in (deep, long_number):
        body = GOOD_STREAM.replace(b"data: [DONE]", event + b"data: [DONE]")
        parsed = stream.parse_stream(body)
        assert parsed.unparsed
        assert "CHAT-STREAM-002" not in findings_of(body, spec)
    broken = GOOD_STREAM.replace(b"data: [DONE]", b"data: {not json\n\ndata: [DONE]")
    assert "CHAT-STREAM-002" in findings_of(broken, spec)
