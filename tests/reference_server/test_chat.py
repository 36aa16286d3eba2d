"""chat.py: refusals, which model serves a request, the reply's rules, usage and streaming."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arouter_conformance.spec import Spec, load_spec
from reference_server import RESTRICTED_PROVIDERS, Catalog, KeyRing, Visibility, create_app
from reference_server.catalog import Model
from reference_server.tokens import MESSAGE_OVERHEAD, count_tokens
from tests.reference_server.conftest import DEMO, RESTRICTED, AsgiClient, bearer

Client = AsgiClient | httpx.Client
CONTRACT = load_spec().contract
PROMPT = "Tell me about rivers, lakes and the sea."
# Hypothesis tests cannot take function-scoped fixtures; this client serves them.
CHAT_APP = AsgiClient(create_app())


def ask(model: str = "openai/gpt-5.4", content: str = PROMPT, **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": content}], **extra}


def chat(client: Client, body: Any, headers: dict[str, str] = DEMO) -> httpx.Response:
    return client.post("/v1/chat/completions", headers=headers, json=body)


def completion(client: Client, body: Any, headers: dict[str, str] = DEMO) -> dict[str, Any]:
    answer = chat(client, body, headers)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def assert_refused(answer: httpx.Response, status: int) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["error"]["code"] == status


def events(answer: httpx.Response) -> list[str]:
    """The data of each server-sent event, in order."""
    assert answer.headers["content-type"] == "text/event-stream"
    blocks = [b for b in answer.text.split("\n\n") if b]
    assert all(b.startswith("data: ") for b in blocks)
    assert answer.text.endswith("\n\n")
    return [b.removeprefix("data: ") for b in blocks]


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, bearer("lr_live_wrong"), {"Authorization": "Basic x"}])
def test_chat_needs_a_key_even_with_open_listing(client: Client, headers: dict[str, str]) -> None:
    assert_refused(chat(client, ask(), headers), 401)
    open_app = AsgiClient(create_app(open_listing=True))
    assert_refused(chat(open_app, ask(), headers), 401)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{", "not valid JSON"),
        (b"", "not valid JSON"),
        (b"\xff\xfe{}", "not valid UTF-8"),
        (b'{"model": "auto", "messages": [], "max_tokens": NaN}', "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'"auto"', "must be a JSON object"),
        (b"[" * 100_000, "not valid JSON"),
    ],
)
def test_bodies_that_are_not_a_json_object_are_400(
    client: Client, content: bytes, message: str
) -> None:
    answer = client.post("/v1/chat/completions", headers=DEMO, content=content)
    assert_refused(answer, 400)
    assert message in answer.json()["error"]["message"]


INVALID: list[tuple[dict[str, Any], str]] = [
    ({"model": "auto"}, "'messages' is a required property"),
    ({**ask(), "messages": []}, "messages"),
    ({**ask(), "messages": "hello"}, "messages"),
    ({**ask(), "messages": ["hello"]}, "messages[0]"),
    ({**ask(), "messages": [{"content": "hi"}]}, "messages[0]"),
    ({**ask(), "messages": [{"role": 1, "content": "hi"}]}, "messages[0].role"),
    ({**ask(), "messages": [{"role": "robot", "content": "hi"}]}, "messages[0].role"),
    ({**ask(), "messages": [{"role": "user"}]}, "messages[0]"),
    ({"messages": ask()["messages"]}, "'model' is a required property"),
    (ask(model=""), "model"),
    ({**ask(), "model": 5}, "model"),
    (ask(max_tokens=0), "max_tokens"),
    (ask(max_tokens=-1), "max_tokens"),
    (ask(max_tokens=1.5), "max_tokens"),
    (ask(max_tokens="5"), "max_tokens"),
    (ask(max_tokens=True), "max_tokens"),
    (ask(max_completion_tokens=-3), "max_completion_tokens"),
    (ask(max_completion_tokens=False), "max_completion_tokens"),
    (ask(temperature=3), "temperature"),
    (ask(seed=1.5), "seed"),
    (ask(stop=["a", "b", "c", "d", "e"]), "stop"),
    (ask(stop=5), "stop"),
    (ask(stream="yes"), "stream"),
    (ask(response_format="json"), "response_format"),
    (ask(response_format={"kind": "json_object"}), "response_format"),
    (ask(tools="all"), "tools must be a list"),
    (ask(tools=[{"type": "function"}]), "tools must be a list"),
    (ask(tools=[{"type": "function", "function": {"name": 3}}]), "tools must be a list"),
    (ask(tool_choice="required"), "needs at least one tool"),
    (ask(tools=[], tool_choice={"type": "function"}), "tool_choice must be"),
    (ask(tools=[], tool_choice=7), "tool_choice must be"),
    (
        ask(
            tools=[{"type": "function", "function": {"name": "a"}}],
            tool_choice={"type": "function", "function": {"name": "b"}},
        ),
        "'b', which is not among the tools",
    ),
]


@pytest.mark.parametrize(("body", "where"), INVALID)
def test_invalid_requests_are_400_and_say_what_is_wrong(
    asgi: AsgiClient, body: dict[str, Any], where: str
) -> None:
    answer = chat(asgi, body)
    assert_refused(answer, 400)
    assert where in answer.json()["error"]["message"]


def test_an_integral_float_is_an_integer_as_json_schema_says(asgi: AsgiClient) -> None:
    answer = completion(asgi, ask(max_tokens=3.0))
    assert answer["usage"]["completion_tokens"] == 3


@pytest.mark.parametrize(
    "model", ["nobody/nothing", "openai/nothing", "auto:nitro", "openai/gpt-5.4:bogus", "x"]
)
def test_unknown_models_are_404(client: Client, model: str) -> None:
    assert_refused(chat(client, ask(model)), 404)


def test_a_model_that_does_not_output_text_is_400(client: Client, models: list[Model]) -> None:
    for outputs in (["image"], ["embeddings"]):
        model = next(m["id"] for m in models if m["architecture"]["output_modalities"] == outputs)
        assert_refused(chat(client, ask(model)), 400)


def test_a_restricted_key_chats_only_with_its_providers(
    client: Client, models: list[Model]
) -> None:
    texts = [m["id"] for m in models if m["architecture"]["output_modalities"] == ["text"]]
    own = next(i for i in texts if i.split("/")[0] in RESTRICTED_PROVIDERS)
    other = next(i for i in texts if i.split("/")[0] not in RESTRICTED_PROVIDERS)
    assert completion(client, ask(own), RESTRICTED)["model"] == own
    assert_refused(chat(client, ask(other), RESTRICTED), 404)
    assert_refused(chat(client, ask(f"{other}:nitro"), RESTRICTED), 404)


# --- the response ----------------------------------------------------------------------------


def test_a_completion_has_the_contract_shape(client: Client, spec: Spec) -> None:
    answer = completion(client, ask())
    for schema in ("ChatResponse.json", "SdkChatResponse.json"):
        errors = [e.message for e in spec.iter_errors(schema, answer)]
        assert errors == [], schema
    assert answer["model"] == "openai/gpt-5.4"
    assert answer["id"].startswith("gen-")
    assert answer["object"] == "chat.completion"
    [choice] = answer["choices"]
    assert choice["message"]["role"] == "assistant"
    assert choice["finish_reason"] == "stop"


def test_usage_follows_the_documented_tokenizer(client: Client) -> None:
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hello, world!"},
    ]
    answer = completion(client, {"model": "openai/gpt-5.4", "messages": messages})
    usage = answer["usage"]
    assert usage["prompt_tokens"] == 2 * MESSAGE_OVERHEAD + 3 + 4
    assert usage["completion_tokens"] == count_tokens(answer["choices"][0]["message"]["content"])
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_the_reply_is_derived_from_the_prompt_and_seed_deterministically(asgi: AsgiClient) -> None:
    def content(**extra: Any) -> str:
        text: str = completion(asgi, ask(**extra))["choices"][0]["message"]["content"]
        return text

    assert content() == content()
    assert content().startswith("You said: Tell me about rivers lakes and the sea.")
    assert content(seed=1) == content(seed=1)
    assert content(seed=1) != content(seed=2)
    assert content(temperature=1.5) == content()
    other = completion(asgi, ask(content="Something else entirely"))
    assert other["choices"][0]["message"]["content"] != content()


def test_the_reply_answers_the_last_user_message(asgi: AsgiClient) -> None:
    messages = [
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "an answer"},
        {"role": "user", "content": "second question"},
        {"role": "system", "content": "stay calm"},
    ]
    answer = completion(asgi, {"model": "openai/gpt-5.4", "messages": messages})
    assert answer["choices"][0]["message"]["content"].startswith("You said: second question.")
    only_system = completion(asgi, {"model": "openai/gpt-5.4", "messages": messages[3:]})
    assert only_system["choices"][0]["message"]["content"].startswith("You said: stay calm.")


def test_an_empty_prompt_still_gets_a_reply(asgi: AsgiClient) -> None:
    answer = completion(asgi, ask(content=""))
    assert answer["choices"][0]["message"]["content"].startswith("You said: nothing.")


@pytest.mark.parametrize("limit", [1, 2, 5, 9])
def test_max_tokens_cuts_the_reply_with_finish_reason_length(asgi: AsgiClient, limit: int) -> None:
    full = completion(asgi, ask())["choices"][0]["message"]["content"]
    answer = completion(asgi, ask(max_tokens=limit))
    [choice] = answer["choices"]
    assert choice["finish_reason"] == "length"
    assert answer["usage"]["completion_tokens"] == limit
    assert full.startswith(choice["message"]["content"])


def test_the_smaller_of_the_two_limits_applies(asgi: AsgiClient) -> None:
    both = completion(asgi, ask(max_tokens=7, max_completion_tokens=3))
    assert both["usage"]["completion_tokens"] == 3
    both = completion(asgi, ask(max_tokens=2, max_completion_tokens=30))
    assert both["usage"]["completion_tokens"] == 2


def test_a_limit_above_the_reply_changes_nothing(asgi: AsgiClient) -> None:
    full = completion(asgi, ask())
    roomy = completion(asgi, ask(max_tokens=1000))
    assert roomy["choices"] == full["choices"]


@given(
    prompt=st.text(alphabet="abc xyz,.!é", max_size=40),
    limit=st.integers(min_value=1, max_value=40),
    seed=st.integers(min_value=-(2**70), max_value=2**70),
)
@settings(max_examples=40, derandomize=True, deadline=None)
def test_usage_adds_up_and_respects_max_tokens(prompt: str, limit: int, seed: int) -> None:
    answer = completion(CHAT_APP, ask(content=prompt, max_tokens=limit, seed=seed))
    usage = answer["usage"]
    assert usage["completion_tokens"] <= limit
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["prompt_tokens"] == MESSAGE_OVERHEAD + count_tokens(prompt)


@pytest.mark.parametrize("stop", ["rivers", ["zzz", "lakes", "rivers"], ["sea", "rivers"]])
def test_stop_cuts_before_the_earliest_stop_string(asgi: AsgiClient, stop: Any) -> None:
    answer = completion(asgi, ask(stop=stop))
    [choice] = answer["choices"]
    assert choice["finish_reason"] == "stop"
    assert choice["message"]["content"] == "You said: Tell me about "
    assert answer["usage"]["completion_tokens"] == 6


def test_stop_strings_that_never_occur_or_are_empty_change_nothing(asgi: AsgiClient) -> None:
    full = completion(asgi, ask())["choices"]
    assert completion(asgi, ask(stop=["never there", ""]))["choices"] == full
    assert completion(asgi, ask(stop=""))["choices"] == full


def test_max_tokens_still_applies_after_a_stop(asgi: AsgiClient) -> None:
    [choice] = completion(asgi, ask(stop="rivers", max_tokens=2))["choices"]
    assert choice == {
        "index": 0,
        "message": {"role": "assistant", "content": "You said"},
        "finish_reason": "length",
    }


def test_json_mode_gives_a_json_object(client: Client) -> None:
    answer = completion(client, ask(response_format={"type": "json_object"}))
    reply = json.loads(answer["choices"][0]["message"]["content"])
    assert reply["model"] == "openai/gpt-5.4"
    assert reply["reply"].startswith("You said:")
    plain = completion(client, ask(response_format={"type": "text"}))
    assert plain["choices"][0]["message"]["content"].startswith("You said:")


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
                "detailed": {"type": "boolean"},
                "odd": "not a schema",
            },
        },
    },
}
CLOCK = {"type": "function", "function": {"name": "get_time"}}


@pytest.mark.parametrize(
    ("choice", "name"),
    [
        ("required", "get_weather"),
        ({"type": "function", "function": {"name": "get_time"}}, "get_time"),
    ],
)
def test_a_forcing_tool_choice_yields_a_tool_call(
    client: Client, spec: Spec, choice: Any, name: str
) -> None:
    answer = completion(
        client, ask(content="Weather in Paris", tools=[WEATHER, CLOCK], tool_choice=choice)
    )
    assert spec.validator("ChatResponse.json").is_valid(answer)
    [result] = answer["choices"]
    assert result["finish_reason"] == "tool_calls"
    assert result["message"]["content"] is None
    [call] = result["message"]["tool_calls"]
    assert call["type"] == "function"
    assert call["id"].startswith("call_")
    assert call["function"]["name"] == name
    arguments = json.loads(call["function"]["arguments"])
    if name == "get_weather":
        assert arguments == {
            "city": "Weather in Paris",
            "unit": "celsius",
            "days": 3,
            "detailed": True,
            "odd": None,
        }
    else:
        assert arguments == {}
    assert answer["usage"]["completion_tokens"] == count_tokens(call["function"]["arguments"])


def test_tools_without_a_forcing_choice_get_a_text_reply(asgi: AsgiClient) -> None:
    for choice in (None, "auto", "none"):
        body = ask(tools=[WEATHER]) if choice is None else ask(tools=[WEATHER], tool_choice=choice)
        [result] = completion(asgi, body)["choices"]
        assert result["finish_reason"] == "stop"
        assert "tool_calls" not in result["message"]


def test_a_tool_call_cut_by_max_tokens_finishes_with_length(asgi: AsgiClient) -> None:
    answer = completion(asgi, ask(tools=[WEATHER], tool_choice="required", max_tokens=3))
    [result] = answer["choices"]
    assert result["finish_reason"] == "length"
    assert answer["usage"]["completion_tokens"] == 3


# --- which model serves ----------------------------------------------------------------------


def cheapest_text_model(models: list[Model], providers: tuple[str, ...] | None) -> str:
    def price(m: Model) -> Decimal:
        return sum(
            (Decimal(m["pricing"].get(k, "0")) for k in CONTRACT.pricing_sort_keys), Decimal(0)
        )

    candidates = [
        m
        for m in models
        if "text" in m["architecture"]["output_modalities"]
        and m["pricing"]["prompt"] != CONTRACT.router_price_sentinel
        and (providers is None or m["id"].split("/")[0].lstrip("~") in providers)
    ]
    cheapest: str = min(candidates, key=lambda m: (price(m), m["id"]))["id"]
    return cheapest


@pytest.mark.parametrize(
    ("headers", "providers"),
    [(DEMO, None), (RESTRICTED, RESTRICTED_PROVIDERS)],
    ids=["demo", "restricted"],
)
def test_auto_is_served_by_the_cheapest_visible_text_model(
    client: Client, models: list[Model], headers: dict[str, str], providers: tuple[str, ...] | None
) -> None:
    expected = cheapest_text_model(models, providers)
    answer = completion(client, ask(CONTRACT.auto_model), headers)
    assert answer["model"] == expected != CONTRACT.auto_model


def test_routers_priced_minus_one_route_like_auto(client: Client, models: list[Model]) -> None:
    routers = [
        m["id"]
        for m in models
        if m["pricing"]["prompt"] == CONTRACT.router_price_sentinel
        and "text" in m["architecture"]["output_modalities"]
    ]
    assert routers
    expected = cheapest_text_model(models, None)
    for router in routers:
        assert completion(client, ask(router))["model"] == expected


def test_auto_with_no_visible_text_model_is_404() -> None:
    only_openai = Catalog.synthetic(4)
    assert {m["id"].split("/")[0] for m in only_openai.models} == {"openai"}
    keys = KeyRing({"google_only": Visibility(frozenset({"google"}))})
    client = AsgiClient(create_app(only_openai, keys))
    assert_refused(chat(client, ask("auto"), bearer("google_only")), 404)


@pytest.mark.parametrize(
    ("requested", "served"),
    [
        ("openai/gpt-5.4:nitro", "openai/gpt-5.4"),
        ("openai/gpt-5.4:floor", "openai/gpt-5.4"),
        ("z-ai/glm-5.2:free", "z-ai/glm-5.2:free"),
        ("deepseek/deepseek-v4-pro-0813:thinking", "deepseek/deepseek-v4-pro-0813:thinking"),
        ("openai/gpt-5.4:thinking", "openai/gpt-5.4"),
        ("openai/gpt-5.4:batch", "openai/gpt-5.4:batch"),
        ("~openai/gpt-latest:nitro", "~openai/gpt-latest"),
        ("qwen/qwen3-8-27b", "qwen/qwen3.8-27b"),
        ("qwen/qwen3-8-27b:floor", "qwen/qwen3.8-27b"),
    ],
)
def test_variants_and_aliases_are_served_in_the_base_models_name(
    client: Client, requested: str, served: str
) -> None:
    assert completion(client, ask(requested))["model"] == served


def test_free_on_a_model_without_a_listed_free_variant_is_404(
    client: Client, catalog: Catalog
) -> None:
    assert "openai/gpt-5.4:free" not in catalog.by_id
    assert_refused(chat(client, ask("openai/gpt-5.4:free")), 404)


def test_thinking_on_a_model_without_reasoning_is_400(client: Client, models: list[Model]) -> None:
    model = next(
        m["id"]
        for m in models
        if "reasoning" not in m["supported_parameters"]
        and m["architecture"]["output_modalities"] == ["text"]
        and ":" not in m["id"]
    )
    assert_refused(chat(client, ask(f"{model}:thinking")), 400)


# --- streaming -------------------------------------------------------------------------------


def stream(client: Client, body: dict[str, Any], headers: dict[str, str] = DEMO) -> list[str]:
    answer = client.post("/v1/chat/completions", headers=headers, json={**body, "stream": True})
    assert answer.status_code == 200, answer.text
    return events(answer)


@pytest.mark.parametrize(
    "body",
    [ask(), ask(max_tokens=4), ask(stop="lakes"), ask("auto", seed=3), ask(content="")],
    ids=["plain", "length", "stop", "auto", "empty"],
)
def test_a_stream_carries_the_same_answer_as_a_whole_completion(
    client: Client, spec: Spec, body: dict[str, Any]
) -> None:
    whole = completion(client, body)
    data = stream(client, body)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    validator = spec.validator("ChatStreamChunk.json")
    assert all(validator.is_valid(c) for c in chunks)
    assert {c["id"] for c in chunks} == {chunks[0]["id"]}
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert {c["model"] for c in chunks} == {whole["model"]}
    assert chunks[0]["choices"][0]["delta"] == {"role": "assistant"}
    deltas = [c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]]
    assert "".join(deltas) == whole["choices"][0]["message"]["content"]
    finishes = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]]
    assert finishes[:-1] == [None] * (len(finishes) - 1)
    assert finishes[-1] == whole["choices"][0]["finish_reason"]
    usage = [c for c in chunks if "usage" in c]
    assert usage == [chunks[-1]]
    assert chunks[-1]["choices"] == []
    assert chunks[-1]["usage"] == whole["usage"]


def test_a_streamed_tool_call(asgi: AsgiClient) -> None:
    body = ask(tools=[WEATHER], tool_choice="required")
    whole = completion(asgi, body)
    chunks = [json.loads(d) for d in stream(asgi, body)[:-1]]
    [call] = chunks[1]["choices"][0]["delta"]["tool_calls"]
    assert call == {"index": 0, **whole["choices"][0]["message"]["tool_calls"][0]}
    assert chunks[-2]["choices"][0]["finish_reason"] == "tool_calls"
    assert chunks[-1]["usage"] == whole["usage"]


def test_a_refused_stream_request_is_a_plain_error(client: Client) -> None:
    answer = client.post(
        "/v1/chat/completions", headers=DEMO, json={**ask("nobody/x"), "stream": True}
    )
    assert_refused(answer, 404)


# --- no input gets a 5xx ---------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
NAMES = st.sampled_from(["get_weather", "f", ""])
FUNCTION = st.fixed_dictionaries(
    {"name": NAMES | JSON},
    optional={"parameters": st.fixed_dictionaries({}, optional={"properties": JSON}) | JSON},
)
TOOL = st.fixed_dictionaries({"type": st.just("function") | JSON, "function": FUNCTION | JSON})
CHOICE = (
    st.sampled_from(["auto", "none", "required"])
    | JSON
    | st.fixed_dictionaries(
        {"type": st.just("function"), "function": st.fixed_dictionaries({"name": NAMES}) | JSON}
    )
)


@given(
    extra=st.fixed_dictionaries(
        {},
        optional={
            "tools": st.lists(TOOL, max_size=3) | JSON,
            "tool_choice": CHOICE,
            "response_format": st.fixed_dictionaries({"type": st.text(max_size=12)}) | JSON,
            "stream": st.booleans(),
            "model": st.sampled_from(["auto", "openai/gpt-5.4:thinking", "openrouter/auto"]),
        },
    )
)
@settings(max_examples=80, derandomize=True, deadline=None)
def test_odd_values_outside_the_schema_never_get_a_5xx(extra: dict[str, Any]) -> None:
    """tools, tool_choice and response_format are not in ChatRequest.json; the engine reads
    them itself, and whatever they hold, the answer is 200 or a 400 in the error shape."""
    answer = chat(CHAT_APP, {**ask(), **extra})
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert answer.json()["error"]["code"] == 400


def test_content_parts_tool_turns_and_null_content_are_accepted(client: AsgiClient) -> None:
    """OpenAI clients send these shapes; the text parts are what the reply and usage see."""
    parts = {"role": "user", "content": [{"type": "text", "text": PROMPT}, {"type": "image_url"}]}
    plain = completion(client, ask())
    from_parts = completion(client, {**ask(), "messages": [parts]})
    assert from_parts["usage"]["prompt_tokens"] == plain["usage"]["prompt_tokens"]
    turns = [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": PROMPT},
        {"role": "assistant", "content": None},
        {"role": "tool", "content": "42"},
    ]
    assert completion(client, {**ask(), "messages": turns})["choices"][0]["message"]["content"]
