"""The run: its first contact with the target, and the models the chat suite talks to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from arouter_conformance.client import Budget, Credentials, Target
from arouter_conformance.config import RunConfig, resolve_config
from arouter_conformance.findings import Inconclusive
from arouter_conformance.redact import Redactor
from arouter_conformance.session import Run, RunError, first_contact
from arouter_conformance.spec import Spec

ROOT = "http://gateway.test/v1"
OPENAI_STYLE = {"object": "list", "data": [{"id": "m/one", "object": "model", "owned_by": "m"}]}


def target(handler: Callable[[httpx.Request], httpx.Response]) -> Target:
    return Target(
        ROOT,
        Credentials("sk-session-test-key-0000"),
        budget=Budget("request", 10),
        chat_budget=Budget("chat", 0),
        timeout=0.5,
        retries=0,
        transport=httpx.MockTransport(handler),
    )


def answering(status: int, body: Any = None) -> Target:
    return target(lambda request: httpx.Response(status, json=body or {}))


def raising(error: type[httpx.TransportError]) -> Target:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("no", request=request)

    return target(handler)


@pytest.mark.parametrize(
    ("front", "flag"), [("cli", "--timeout"), ("pytest", "--conformance-timeout")]
)
def test_a_target_that_does_not_answer_in_time_is_too_slow(
    spec: Spec, front: Any, flag: str
) -> None:
    config = resolve_config(spec, target_url=ROOT, timeout=0.5, env={}, front=front)
    with pytest.raises(RunError) as stopped:
        first_contact(raising(httpx.ReadTimeout), config)
    assert str(stopped.value) == (
        f"target too slow: no answer to GET /models within 0.5 s (raise {flag})"
    )
    # No connection at all within the time is the host, not its speed (packets dropped).
    with pytest.raises(RunError, match=r"^target unreachable: .*no connection within 0\.5 s"):
        first_contact(raising(httpx.ConnectTimeout), config)


def test_a_refused_connection_is_unreachable(spec: Spec) -> None:
    config = resolve_config(spec, target_url=ROOT, env={})
    with pytest.raises(RunError, match=r"^target unreachable: GET /v1/models: no$"):
        first_contact(raising(httpx.ConnectError), config)


@pytest.mark.parametrize("status", [404, 405])
def test_a_list_that_is_not_there_asks_about_the_version_prefix(spec: Spec, status: int) -> None:
    config = resolve_config(spec, target_url=ROOT, env={})
    with pytest.raises(RunError) as stopped:
        first_contact(answering(status), config)
    assert str(stopped.value).startswith(f"GET {ROOT}/models answered {status}: is the version")
    assert "…/api/v1 for OpenRouter style" in str(stopped.value)


def run_on(spec: Spec, config: RunConfig, listing: Any) -> Run:
    served = answering(200, listing)
    return Run(spec, config, config.manifest, served, Redactor(config.secrets))


def test_a_list_that_gives_nothing_to_choose_by_is_inconclusive(spec: Spec) -> None:
    run = run_on(spec, resolve_config(spec, target_url=ROOT, env={}), OPENAI_STYLE)
    for role in ("cheap", "base", "free"):
        with pytest.raises(Inconclusive, match=r"^no model to chat with: .* --chat-model or"):
            run.chat_model(role)


def test_a_named_chat_model_takes_the_plain_roles(spec: Spec) -> None:
    config = resolve_config(spec, target_url=ROOT, chat_model="m/one", env={})
    run = run_on(spec, config, OPENAI_STYLE)
    assert (run.chat_model("cheap"), run.chat_model("base")) == ("m/one", "m/one")
    # What the ids alone show: no :thinking or :free id is listed, and m/one has no
    # listed free variant to append :free to.
    assert run.chat_model("thinking") is None
    assert run.chat_model("free") is None
    assert run.chat_model("without_free") == "m/one"
    with pytest.raises(Inconclusive, match="no pricing or architecture"):
        run.chat_model("without_reasoning")  # the list cannot say which model reasons


def test_a_list_that_can_be_judged_says_what_it_lacks(spec: Spec) -> None:
    text = {
        "id": "a/text",
        "pricing": {"prompt": "0.000001", "completion": "0.000002"},
        "architecture": {"input_modalities": ["text"], "output_modalities": ["text"]},
        "supported_parameters": ["max_tokens"],
    }
    run = run_on(spec, resolve_config(spec, target_url=ROOT, env={}), {"data": [text]})
    assert run.chat_model("cheap") == "a/text"
    assert run.chat_model("free") is None  # honestly not applicable: no :free id listed
