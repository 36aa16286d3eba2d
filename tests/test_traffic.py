"""The run's recorded traffic: every request paid for, once, credentials masked, the SDKs'
included; and nothing kept when no HAR is asked for."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import respx

import reference_server
from arouter_conformance import interop
from arouter_conformance.client import Budget, Credentials, Target, TargetError
from arouter_conformance.redact import MASK
from arouter_conformance.traffic import NOT_READ, Traffic, sdk_hooks

ROOT = "http://gateway.test/api/v1"
KEY = "sk-test-secret-key-123456"
SECRET = "x-secret-header-value-9876"


def recorded_target(traffic: Traffic | None, **kwargs: object) -> Target:
    options: dict[str, object] = {
        "budget": Budget("request", 20),
        "chat_budget": Budget("chat", 5),
        "sleep": lambda _: None,
        "timeout": 2.0,
        "headers": {"X-Secret": SECRET, "X-Team": "blue"},
        "traffic": traffic,
    }
    options.update(kwargs)
    return Target(ROOT, Credentials(KEY), **options)  # type: ignore[arg-type]


@respx.mock
def test_every_attempt_is_recorded_once_and_a_memo_answer_is_not_asked_again() -> None:
    route = respx.get(f"{ROOT}/models")
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": "1"}),
        httpx.Response(200, json={"data": []}),
    ]
    traffic = Traffic(["X-Secret"])
    target = recorded_target(traffic)
    target.get("/models")
    target.get("/models")  # the memo answers
    assert [r.exchange.status for r in traffic.entries] == [429, 200]
    assert len(traffic.entries) == target.budget.spent == 2
    assert all(r.exchange.started for r in traffic.entries)
    assert traffic.entries[1].http_version == "HTTP/1.1"
    assert traffic.entries[1].status_text == "OK"


@respx.mock
def test_a_request_without_an_answer_is_recorded_with_why() -> None:
    respx.post(f"{ROOT}/chat/completions").mock(
        side_effect=httpx.RemoteProtocolError("Server disconnected without sending a response.")
    )
    traffic = Traffic()
    target = recorded_target(traffic)
    with pytest.raises(TargetError):
        target.post("/chat/completions", json_body={"model": "a/b"})
    assert [r.exchange.status for r in traffic.entries] == [0, 0]  # the first and its retry
    assert len(traffic.entries) == target.budget.spent
    for entry in traffic.entries:
        assert entry.note is not None
        assert entry.note.startswith("no answer: POST /api/v1/chat/completions: Server discon")
        assert entry.exchange.request_body == b'{"model":"a/b"}'


@respx.mock
def test_credentials_are_masked_as_they_are_recorded() -> None:
    respx.get(f"{ROOT}/models").respond(200, json={"data": []})
    traffic = Traffic(["X-Secret"])
    recorded_target(traffic).get("/models")
    (entry,) = traffic.entries
    sent = dict(entry.exchange.request_headers)
    assert sent["authorization"] == MASK  # a key was sent; which one is not kept
    assert sent["x-secret"] == MASK
    assert sent["x-team"] == "blue"  # a literal from the manifest is no secret
    assert KEY not in repr(traffic.entries)
    assert SECRET not in repr(traffic.entries)


@respx.mock
def test_nothing_is_kept_without_a_har() -> None:
    respx.get(f"{ROOT}/models").respond(200, json={"data": []})
    target = recorded_target(None)
    exchange = target.get("/models")
    assert target.traffic is None
    assert exchange.started is not None  # every exchange knows when it went out


def test_sdk_hooks_do_nothing_without_traffic() -> None:
    with sdk_hooks(None) as hooks:
        assert hooks == {"request": [], "response": []}


@pytest.fixture(scope="module")
def reference() -> Iterator[str]:
    with reference_server.serve_in_thread(reference_server.create_app()) as origin:
        yield f"{origin}/v1"


def test_the_sdks_requests_are_recorded_with_what_they_read(reference: str) -> None:
    traffic = Traffic(["X-Secret"])
    target = Target(
        reference,
        Credentials(reference_server.DEMO_KEY),
        budget=Budget("request", 20),
        chat_budget=Budget("chat", 5),
        headers={"X-Secret": SECRET},
        traffic=traffic,
    )
    model = target.get("/models").json()["data"][0]["id"]
    request = {"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}
    assert interop.openai_chat(target, request, stream=False) == []
    assert interop.openai_chat(target, request, stream=True) == []
    assert interop.openrouter_models(target, None, count=False) == []
    target.close()
    assert len(traffic.entries) == target.budget.spent
    # Recorded as each is done with (an SDK's when its call returns), ordered by start.
    ordered = sorted(traffic.entries, key=lambda r: r.exchange.started or 0.0)
    agents = [dict(r.exchange.request_headers)["user-agent"] for r in ordered]
    assert [a.split("/")[0] for a in agents] == [
        "arouter-conformance",
        "OpenAI",
        "OpenAI",
        "speakeasy-sdk",
        "arouter-conformance",  # the raw answer the SDK's list is compared with
    ]
    whole, streamed, listed = ordered[1:4]
    assert whole.exchange.method == "POST"
    assert whole.exchange.request_body
    assert b'"max_tokens":4' in whole.exchange.request_body
    assert whole.exchange.json()["choices"]
    assert whole.body_read
    assert whole.note is None
    assert streamed.exchange.status == 200
    assert streamed.exchange.header("content-type") is not None
    assert not streamed.body_read
    assert streamed.note == NOT_READ
    assert listed.exchange.json()["data"]
    for entry in traffic.entries:
        sent = dict(entry.exchange.request_headers)
        assert sent["authorization"] == MASK
        assert sent["x-secret"] == MASK
    assert reference_server.DEMO_KEY not in repr(traffic.entries)
    assert SECRET not in repr(traffic.entries)
