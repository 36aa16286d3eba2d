"""Fifty chat streams at once, each with its own key and prompt, never mix their answers.

The reference server is deterministic: a request's content, usage, model and finish reason
depend on the request and the key alone. So each stream, read while forty-nine others are
being read on their own connections, must say exactly what the same request says when it
is the only one; a shared buffer, cache entry or counter between answers would show as a
difference. Half the keys see every provider and half only anthropic, so `auto` resolves to
a different model for each kind of key, and a mixed-up key would show too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from reference_server import KeyRing, Visibility, create_app, serve_in_thread

STREAMS = 50
MODELS = ["auto", "anthropic/claude-sonnet-5", "anthropic/claude-opus-5", "auto"]
TOPICS = ["rivers of Europe", "prime numbers", "the water cycle", "tides", "volcanoes"]
ANTHROPIC_ONLY = Visibility(frozenset({"anthropic"}))
KEYS = {
    f"lr_test_concurrent_{i:02d}": ANTHROPIC_ONLY if i % 2 else Visibility() for i in range(STREAMS)
}
Request = tuple[str, dict[str, Any]]


def requests() -> list[Request]:
    return [
        (
            key,
            {
                "model": MODELS[i % len(MODELS)],
                "messages": [
                    {"role": "user", "content": f"Question {i}: explain {TOPICS[i % len(TOPICS)]}."}
                ],
                "max_tokens": 8 + 3 * i,
                "stream": True,
            },
        )
        for i, key in enumerate(KEYS)
    ]


def summary(lines: list[str]) -> dict[str, Any]:
    """What an answer says: its text, model, finish reason and usage (not its id or time)."""
    chunks = [json.loads(line.removeprefix("data: ")) for line in lines[:-1]]
    assert lines[-1] == "data: [DONE]"
    deltas = [choice for chunk in chunks for choice in chunk["choices"]]
    return {
        "content": "".join(choice["delta"].get("content") or "" for choice in deltas),
        "finish_reason": [c["finish_reason"] for c in deltas if c.get("finish_reason")],
        "models": sorted({chunk["model"] for chunk in chunks}),
        "usage": [chunk["usage"] for chunk in chunks if chunk.get("usage")],
        "ids": len({chunk["id"] for chunk in chunks}),
    }


def events(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith("data: ")]


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    with serve_in_thread(create_app(keys=KeyRing(KEYS))) as root:
        yield root


async def together(origin: str, asked: list[Request]) -> list[dict[str, Any]]:
    limits = httpx.Limits(max_connections=STREAMS)
    async with httpx.AsyncClient(base_url=origin, limits=limits, timeout=30) as client:

        async def one(key: str, body: dict[str, Any]) -> dict[str, Any]:
            headers = {"Authorization": f"Bearer {key}"}
            lines: list[str] = []
            async with client.stream(
                "POST", "/v1/chat/completions", json=body, headers=headers
            ) as r:
                assert r.status_code == 200
                async for line in r.aiter_lines():  # one event at a time, interleaved
                    if line.startswith("data: "):
                        lines.append(line)
            return summary(lines)

        return list(await asyncio.gather(*(one(key, body) for key, body in asked)))


def test_fifty_concurrent_streams_each_say_what_they_say_alone(origin: str) -> None:
    asked = requests()
    with httpx.Client(base_url=origin, timeout=30) as client:
        alone = [
            summary(
                events(
                    client.post(
                        "/v1/chat/completions",
                        json=body,
                        headers={"Authorization": f"Bearer {key}"},
                    ).text
                )
            )
            for key, body in asked
        ]
    concurrent = asyncio.run(together(origin, asked))
    for i, (by_itself, among_others) in enumerate(zip(alone, concurrent, strict=True)):
        assert among_others == by_itself, f"stream {i} differs when read among others"
    # The answers differ from one another, so a swap between two would not go unseen.
    assert len({answer["content"] for answer in alone}) == STREAMS
    assert len({json.dumps(answer["usage"]) for answer in alone}) > STREAMS // 2
    assert all(answer["ids"] == 1 and len(answer["usage"]) == 1 for answer in alone)
    auto = {
        (i % 2, tuple(answer["models"]))
        for i, answer in enumerate(alone)
        if MODELS[i % len(MODELS)] == "auto"
    }
    assert len(auto) == 2  # one model for each kind of key, and not the same one
    assert len({models for _, models in auto}) == 2
