"""The official clients against the live server read back exactly what the raw answers hold.

Both SDKs run with retries off and short timeouts: their defaults retry 5xx answers and
connection errors with backoff for up to an hour, which would turn a failure into a hang.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openai import OpenAI
from openrouter import OpenRouter
from openrouter.utils import BackoffStrategy, RetryConfig

from reference_server import DEMO_KEY
from tests.reference_server.conftest import DEMO

MESSAGES: list[Any] = [{"role": "user", "content": "Name three rivers, please."}]
NO_RETRIES = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), retry_connection_errors=False)


@pytest.fixture(scope="module")
def openai_client(live_origin: str) -> Iterator[OpenAI]:
    with OpenAI(base_url=f"{live_origin}/v1", api_key=DEMO_KEY, max_retries=0, timeout=10) as c:
        yield c


@pytest.fixture(scope="module")
def openrouter_client(live_origin: str) -> Iterator[OpenRouter]:
    with OpenRouter(
        api_key=DEMO_KEY,
        server_url=f"{live_origin}/api/v1",
        retry_config=NO_RETRIES,
        timeout_ms=10_000,
    ) as client:
        yield client


def same_model(parsed: Any, entry: dict[str, Any]) -> bool:
    """Every key of the raw entry has its value in the SDK's model, bar the openai-list
    keys (object, owned_by) that the openrouter SDK does not model."""
    dumped = parsed.model_dump(mode="json", by_alias=True)
    return all(dumped[k] == v for k, v in entry.items() if k not in {"object", "owned_by"})


def raw_chat(http_client: httpx.Client, model: str) -> dict[str, Any]:
    body = {"model": model, "messages": MESSAGES}
    answer: dict[str, Any] = http_client.post(
        "/v1/chat/completions", headers=DEMO, json=body
    ).json()
    return answer


def test_openai_models_list_yields_the_raw_ids(
    openai_client: OpenAI, http_client: httpx.Client
) -> None:
    raw = http_client.get("/v1/models", headers=DEMO).json()["data"]
    listed = openai_client.models.list()
    assert [(m.id, m.object, m.owned_by, m.created) for m in listed.data] == [
        (m["id"], m["object"], m["owned_by"], m["created"]) for m in raw
    ]


def test_openai_chat_reads_a_whole_completion(
    openai_client: OpenAI, http_client: httpx.Client
) -> None:
    raw = raw_chat(http_client, "auto")
    answer = openai_client.chat.completions.create(model="auto", messages=MESSAGES)
    assert answer.model == raw["model"] != "auto"
    assert answer.choices[0].message.content == raw["choices"][0]["message"]["content"]
    assert answer.choices[0].finish_reason == "stop"
    assert answer.usage is not None
    assert answer.usage.prompt_tokens == raw["usage"]["prompt_tokens"]
    assert answer.usage.completion_tokens == raw["usage"]["completion_tokens"]
    assert answer.usage.total_tokens == raw["usage"]["total_tokens"]


def test_openai_chat_reads_a_stream(openai_client: OpenAI, http_client: httpx.Client) -> None:
    raw = raw_chat(http_client, "openai/gpt-5.4:nitro")
    chunks = list(
        openai_client.chat.completions.create(
            model="openai/gpt-5.4:nitro",
            messages=MESSAGES,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == raw["choices"][0]["message"]["content"]
    assert {c.model for c in chunks} == {"openai/gpt-5.4"}
    usage = [c.usage for c in chunks if c.usage is not None]
    assert len(usage) == 1
    assert usage[0].total_tokens == raw["usage"]["total_tokens"]


def test_openai_chat_reads_a_tool_call(openai_client: OpenAI) -> None:
    tool: Any = {"type": "function", "function": {"name": "lookup", "parameters": {}}}
    answer = openai_client.chat.completions.create(
        model="openai/gpt-5.4", messages=MESSAGES, tools=[tool], tool_choice="required"
    )
    calls = answer.choices[0].message.tool_calls
    assert calls is not None
    assert calls[0].type == "function"
    assert calls[0].function.name == "lookup"
    assert answer.choices[0].finish_reason == "tool_calls"


def test_openrouter_models_list_count_and_get(
    openrouter_client: OpenRouter, http_client: httpx.Client
) -> None:
    raw = http_client.get("/api/v1/models", headers=DEMO).json()
    listed = openrouter_client.models.list()
    assert listed is not None
    assert [m.id for m in listed.result.data] == [m["id"] for m in raw["data"]]
    for parsed, entry in zip(listed.result.data, raw["data"], strict=True):
        assert same_model(parsed, entry)
    assert listed.result.total_count == raw["total_count"]
    image_count = http_client.get(
        "/api/v1/models/count", headers=DEMO, params={"output_modalities": "image"}
    ).json()
    assert openrouter_client.models.count().data.count == raw["total_count"]
    counted = openrouter_client.models.count(output_modalities="image")
    assert counted.data.count == image_count["data"]["count"]
    for model_id in ("openai/gpt-5.4", "~openai/gpt-latest", "z-ai/glm-5.2:free"):
        author, slug = model_id.split("/")
        found = openrouter_client.models.get(author=author, slug=slug)
        entry = http_client.get(f"/api/v1/model/{model_id}", headers=DEMO).json()["data"]
        assert found.data.id == model_id
        assert same_model(found.data, entry)


def test_openrouter_chat_send_whole_and_streamed(
    openrouter_client: OpenRouter, http_client: httpx.Client
) -> None:
    raw = raw_chat(http_client, "deepseek/deepseek-v4-pro-0813:thinking")
    whole = openrouter_client.chat.send(
        model="deepseek/deepseek-v4-pro-0813:thinking", messages=MESSAGES
    )
    assert whole.model == raw["model"]
    assert whole.system_fingerprint == raw["system_fingerprint"]
    assert whole.choices[0].message.content == raw["choices"][0]["message"]["content"]
    assert whole.usage is not None
    assert whole.usage.total_tokens == raw["usage"]["total_tokens"]
    with openrouter_client.chat.send(
        model="deepseek/deepseek-v4-pro-0813:thinking", messages=MESSAGES, stream=True
    ) as events:
        chunks = list(events)
    content = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert content == raw["choices"][0]["message"]["content"]
    assert [c.usage.total_tokens for c in chunks if c.usage] == [raw["usage"]["total_tokens"]]
