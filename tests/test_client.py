"""The budgeted client: budgets, Retry-After, caching, body caps, one-line errors, no leaks."""

from __future__ import annotations

import datetime
import email.utils

import httpx
import pytest
import respx

from arouter_conformance.checks.common import listed_models
from arouter_conformance.client import (
    WRONG_KEY,
    Budget,
    BudgetExhausted,
    Credentials,
    RateLimited,
    Target,
    TargetError,
    TargetTooSlow,
    _RateLimit,
    encode_query,
    normalize_base_url,
)
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Inconclusive

ROOT = "http://gateway.test/api/v1"
KEY = "sk-test-secret-key-123456"


def make_target(**kwargs: object) -> tuple[Target, list[float]]:
    """A target whose pauses are recorded, on a clock that moves only when it pauses."""
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)

    options: dict[str, object] = {
        "budget": Budget("request", 10),
        "chat_budget": Budget("chat", 2),
        "sleep": sleep,
        "clock": lambda: sum(slept),
        "timeout": 2.0,
    }
    options.update(kwargs)
    return Target(ROOT, Credentials(KEY, "sk-restricted-key-000000"), **options), slept  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("given", "normal"),
    [(ROOT, ROOT), (ROOT + "/", ROOT), ("  http://h:1/v1//  ", "http://h:1/v1")],
)
def test_trailing_slashes_are_dropped(given: str, normal: str) -> None:
    assert normalize_base_url(given) == normal


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://h/v1", "not an http"),
        ("http:///v1", "not an http"),
        ("https://user:pw@h/v1", "credentials"),
        ("https://h/v1?x=1", "query"),
    ],
)
def test_bad_target_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalize_base_url(url)


def test_query_keeps_commas_and_encodes_spaces() -> None:
    assert encode_query({"output_modalities": "text, image", "sort": None}) == (
        "output_modalities=text,%20image"
    )
    assert encode_query([("a", "1"), ("a", "2")]) == "a=1&a=2"


@respx.mock
def test_keys_travel_as_bearer_tokens_by_role() -> None:
    route = respx.get(f"{ROOT}/models").respond(200, json={"data": []})
    target, _ = make_target()
    target.get("/models")
    target.get("/models", auth="none")
    target.get("/models", auth="wrong")
    sent = [call.request.headers.get("authorization") for call in route.calls]
    assert sent == [f"Bearer {KEY}", None, f"Bearer {WRONG_KEY}"]


@respx.mock
def test_exchanges_keep_no_authorization_header() -> None:
    respx.get(f"{ROOT}/models").respond(200, json={"data": []})
    target, _ = make_target()
    exchange = target.get("/models")
    assert all(name.lower() != "authorization" for name, _ in exchange.request_headers)
    assert KEY not in repr(exchange)


@respx.mock
def test_identical_gets_are_asked_once() -> None:
    route = respx.get(f"{ROOT}/models").respond(200, json={"data": []})
    target, _ = make_target()
    first = target.get("/models", {"sort": "newest"})
    second = target.get("/models", {"sort": "newest"})
    assert first is second
    assert route.call_count == 1
    assert target.budget.spent == 1


@respx.mock
def test_budget_stops_the_run() -> None:
    respx.get(url__startswith=f"{ROOT}/models").respond(200, json={"data": []})
    target, _ = make_target(budget=Budget("request", 2))
    target.get("/models", {"a": "1"})
    target.get("/models", {"a": "2"})
    with pytest.raises(BudgetExhausted, match="request budget of 2"):
        target.get("/models", {"a": "3"})


@respx.mock
def test_chat_requests_spend_both_budgets() -> None:
    respx.post(f"{ROOT}/chat/completions").respond(200, json={})
    target, _ = make_target(chat_budget=Budget("chat", 1))
    target.post("/chat/completions", json_body={"model": "a/b"})
    assert (target.budget.spent, target.chat_budget.spent) == (1, 1)
    with pytest.raises(BudgetExhausted, match="chat budget"):
        target.post("/chat/completions", json_body={"model": "a/b"})


@respx.mock
def test_429_is_retried_after_the_delay_the_target_asks_for() -> None:
    route = respx.get(f"{ROOT}/models")
    route.side_effect = [
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(200, json={"data": []}),
    ]
    target, slept = make_target()
    assert target.get("/models").status == 200
    assert slept == [3.0]
    assert target.budget.spent == 2


@respx.mock
def test_a_rate_limit_longer_than_the_kit_waits_is_no_answer_to_judge() -> None:
    """A 429 is no evidence against any requirement: past what the kit waits it is an
    error of the run (RateLimited), never an answer a check could fail."""
    in_an_hour = email.utils.format_datetime(
        datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1), usegmt=True
    )
    respx.get(f"{ROOT}/models").respond(429, headers={"Retry-After": "3600"})
    respx.get(f"{ROOT}/models/count").respond(429, headers={"Retry-After": in_an_hour})
    target, slept = make_target()
    with pytest.raises(RateLimited, match="asks for 3600 s; the kit waits at most 30 s"):
        target.get("/models")
    with pytest.raises(RateLimited, match=r"asks for 3[56][0-9]{2}"):
        target.get("/models/count")
    assert slept == []


@respx.mock
def test_a_429_without_retry_after_is_retried_with_a_growing_pause() -> None:
    respx.get(f"{ROOT}/models").respond(429)
    target, slept = make_target()
    with pytest.raises(RateLimited):
        target.get("/models")
    assert slept == [1.0, 2.0, 4.0]
    assert target.budget.spent == 4


@respx.mock
def test_the_waits_for_rate_limits_add_up_to_at_most_a_minute() -> None:
    respx.get(url__regex=rf"{ROOT}/model/.*").respond(429, headers={"Retry-After": "25"})
    target, slept = make_target(budget=Budget("request", 100))
    for name in ("a/b", "c/d", "e/f"):
        with pytest.raises(RateLimited):
            target.get(f"/model/{name}")
    assert slept == [25.0, 25.0]  # a third 25 s would pass the minute


@respx.mock
def test_bodies_are_capped() -> None:
    respx.get(f"{ROOT}/models").respond(200, content=b"x" * 5000)
    target, _ = make_target(max_body=1000)
    exchange = target.get("/models")
    assert exchange.truncated
    assert exchange.cut_by_kit == "the answer is larger than the 1000 bytes the kit reads"
    assert len(exchange.body) == 1000


@respx.mock
def test_an_answer_the_kit_did_not_read_whole_is_no_evidence() -> None:
    """What lies past the kit's own cap was never seen: inconclusive, not a broken list."""
    respx.get(f"{ROOT}/models").respond(200, content=b'{"data": [' + b'{"id": "a/b"},' * 500)
    target, _ = make_target(max_body=1000)
    with pytest.raises(Inconclusive, match="larger than the 1000 bytes the kit reads"):
        listed_models("MODELS-LIST-001", target.get("/models"))


def test_a_body_the_target_broke_off_is_a_finding() -> None:
    cut = Exchange("GET", f"{ROOT}/models", "key", 200, (), b'{"data": [', truncated=True)
    models, findings = listed_models("MODELS-LIST-001", cut)
    assert models is None
    assert "the target broke the body off midway" in findings[0].message


@respx.mock
def test_a_large_catalog_is_read_whole() -> None:
    """An aggregator's 10,000-model list is about 9.3 MB: cut at the kit's own cap it
    could not be judged, and the kit would blame the gateway for its own limit."""
    body = b'{"data": [' + b",".join([b'{"id": "a/b"}'] * 800_000) + b"]}"
    assert len(body) > 9_300_000
    respx.get(f"{ROOT}/models").respond(200, content=body)
    target, _ = make_target()
    exchange = target.get("/models")
    assert not exchange.truncated
    assert len(exchange.json()["data"]) == 800_000
    # Kept compressed in the memo, and whole again when asked for again: sent once.
    kept = target._cache.stored((f"{ROOT}/models", "key"))
    assert kept is not None
    assert kept.packed is not None
    assert target.get("/models") == exchange
    assert respx.calls.call_count == 1


@respx.mock
def test_network_trouble_is_one_line_without_the_key() -> None:
    respx.get(f"{ROOT}/models").mock(side_effect=httpx.ConnectError("connection refused"))
    respx.get(f"{ROOT}/models/count").mock(side_effect=httpx.ReadTimeout("slow"))
    target, _ = make_target()
    with pytest.raises(TargetError) as refused:
        target.get("/models")
    with pytest.raises(TargetError, match="no answer within 2 s"):
        target.get("/models/count")
    assert "\n" not in str(refused.value)
    assert KEY not in str(refused.value)


def test_keys_are_never_sent_to_another_origin() -> None:
    target, _ = make_target()
    with pytest.raises(TargetError, match="another origin"):
        target.get_url("http://elsewhere.test/api/v1/model/a/b")


@respx.mock
def test_a_dropped_connection_is_retried_once_on_a_new_one() -> None:
    route = respx.get(f"{ROOT}/models").mock(
        side_effect=[httpx.ReadError("Connection reset by peer"), httpx.Response(200, json={})]
    )
    target, _ = make_target()
    assert target.get("/models").status == 200
    assert route.call_count == 2
    assert target.budget.spent == 2  # the retry is a request like any other


@respx.mock
def test_a_connection_dropped_twice_is_one_line() -> None:
    respx.post(f"{ROOT}/chat/completions").mock(
        side_effect=httpx.RemoteProtocolError("Server disconnected without sending a response.")
    )
    target, _ = make_target()
    with pytest.raises(TargetError, match="again on a new connection") as dropped:
        target.post("/chat/completions", json_body={})
    assert "\n" not in str(dropped.value)
    assert target.chat_budget.spent == 2  # both went out, so both are paid for


class _CutStream(httpx.SyncByteStream):
    """A body that breaks after its first event, as a gateway that dies mid-stream."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        yield b'data: {"id": "x"}\n\n'
        raise httpx.ReadError("Connection reset by peer")


@respx.mock
def test_a_paid_answer_cut_midway_is_kept_as_evidence_not_sent_again() -> None:
    route = respx.post(f"{ROOT}/chat/completions").mock(
        return_value=httpx.Response(200, stream=_CutStream())
    )
    target, _ = make_target()
    exchange = target.post("/chat/completions", json_body={"stream": True})
    assert exchange.truncated
    assert exchange.body == b'data: {"id": "x"}\n\n'
    assert route.call_count == 1


@respx.mock
def test_a_connection_that_never_opens_is_unreachable_not_slow() -> None:
    respx.get(f"{ROOT}/models").mock(side_effect=httpx.ConnectTimeout("timed out"))
    target, _ = make_target()
    with pytest.raises(TargetError, match="no connection within 2 s") as refused:
        target.get("/models")
    assert not isinstance(refused.value, TargetTooSlow)


@respx.mock
def test_configured_headers_go_on_every_request_and_stay_out_of_evidence() -> None:
    route = respx.get(f"{ROOT}/models").mock(return_value=httpx.Response(200, json={"data": []}))
    target, _ = make_target(headers={"X-Gateway-Route": "secret-route-value"})
    exchange = target.get("/models", auth="none")
    assert route.calls.last.request.headers["x-gateway-route"] == "secret-route-value"
    assert "secret-route-value" not in repr(exchange)


@respx.mock
def test_a_list_cut_midway_is_asked_again() -> None:
    route = respx.get(f"{ROOT}/models").mock(
        side_effect=[httpx.Response(200, stream=_CutStream()), httpx.Response(200, json={})]
    )
    target, _ = make_target()
    assert target.get("/models").body == b"{}"
    assert route.call_count == 2


def test_rate_limit_pauses_that_overlap_are_waited_and_charged_once() -> None:
    """Threads refused at once each ask for the pause: the run waits it once, and the
    patience is spent once; a later, longer pause is charged only what it adds."""
    now = [0.0]
    rate = _RateLimit(60.0, lambda: now[0])
    assert rate.pause(10.0)
    assert rate.pause(10.0)  # another thread, the same moment
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    rate.hold(sleep)
    assert slept == [10.0]  # once, not twice
    assert not rate.pause(55.0)  # 50 s of the minute are left
    assert rate.pause(40.0)
    now[0] += 20.0  # another thread's pause, half over
    assert rate.pause(30.0)  # charged the 10 s it adds beyond the 20 s still to wait
    assert not rate.pause(41.0)  # 11 s more, and no patience is left
