"""SDK failures become findings a person can act on: the call, the answer, the fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import httpx2
import openai
import pytest
from openrouter import OpenRouter
from openrouter.errors import OpenRouterError

from arouter_conformance.interop import _failure, no_retries


def raised(status: int, body: Any, call: Callable[[OpenRouter], Any]) -> BaseException:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, json=body))
    sdk = OpenRouter(
        api_key="k",
        server_url="http://gateway.test/api/v1",
        client=httpx.Client(transport=transport),
        retry_config=no_retries(),
    )
    with pytest.raises(OpenRouterError) as caught:
        call(sdk)
    return caught.value


def test_a_list_the_sdk_cannot_read_names_the_fields() -> None:
    exc = raised(200, {"data": [{"id": "a/b"}]}, lambda sdk: sdk.models.list())
    found = _failure("ORSDK-INTEROP-001", "openrouter models.list()", exc)
    assert found.message.startswith(
        "openrouter models.list(): GET /api/v1/models?offset=0&limit=500 -> 200, "
        "but the SDK could not read data[0].architecture: Field required; "
    )
    assert found.message.endswith(" more)")
    assert "Unmarshaller" not in found.message
    assert found.exchange is not None
    assert found.exchange.status == 200


def test_an_error_body_in_openai_form_is_unreadable_for_the_openrouter_sdk() -> None:
    """openrouter 1.3.x reads a 404 of models.get into NotFoundResponseErrorData, whose
    error.code is an int: OpenAI's string code ends in ResponseValidationError."""
    body = {"error": {"message": "no", "type": "invalid_request_error", "code": "model_not_found"}}
    exc = raised(404, body, lambda sdk: sdk.models.get(author="a", slug="b"))
    assert type(exc).__name__ == "ResponseValidationError"
    found = _failure("ORSDK-ERROR-001", "openrouter models.get(a/b)", exc)
    assert found.message == (
        "openrouter models.get(a/b): GET /api/v1/model/a/b -> 404, but the SDK could not "
        "read error.code: Input should be a valid integer, unable to parse string as an integer"
    )


@pytest.mark.parametrize("code", [404, 400, "404"])
def test_an_integer_code_gives_the_typed_error(code: object) -> None:
    """Only the type matters to the SDK: it takes the status from the answer."""
    exc = raised(
        404,
        {"error": {"code": code, "message": "no"}},
        lambda sdk: sdk.models.get(author="a", slug="b"),
    )
    assert type(exc).__name__ == "NotFoundResponseError"
    assert str(exc) == "no"


def test_other_exceptions_keep_their_first_line() -> None:
    found = _failure("CHAT-SDK-001", "openai chat", RuntimeError("boom\nmore"))
    assert found.message == "openai chat: raised RuntimeError: boom"
    assert found.exchange is None


def test_an_openai_sdk_failure_keeps_the_answer_it_read() -> None:
    """The openai SDK runs on httpx2, not httpx: its errors carry an httpx2 response."""
    transport = httpx2.MockTransport(
        lambda request: httpx2.Response(500, json={"error": {"message": "upstream down"}})
    )
    client = openai.OpenAI(
        base_url="http://gateway.test/v1",
        api_key="k",
        max_retries=0,
        http_client=openai.DefaultHttpxClient(transport=transport),
    )
    with pytest.raises(openai.InternalServerError) as caught:
        client.chat.completions.create(model="a/b", messages=[{"role": "user", "content": "hi"}])
    found = _failure("CHAT-SDK-001", "openai chat.completions.create", caught.value)
    assert found.exchange is not None
    assert (found.exchange.method, found.exchange.status) == ("POST", 500)
    assert b"upstream down" in found.exchange.body
    assert found.message.startswith(
        "openai chat.completions.create: POST /v1/chat/completions (model a/b) -> 500, but raised"
    )
