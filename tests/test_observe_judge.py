"""Observe mode's judging half: exchanges someone else's traffic produced, judged with the
kit's own checks (`Observations`), and recorded traffic judged by `arouter-conformance judge`
(the HAR reader), from the kit's own HAR and from a browser's export."""

from __future__ import annotations

import dataclasses
import json
import threading
import zlib
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

import reference_server
from arouter_conformance.cli import main as cli_main
from arouter_conformance.config import resolve_config
from arouter_conformance.errors import ConfigError
from arouter_conformance.exchange import Exchange, credential_tag
from arouter_conformance.observe import NOT_OBSERVED, Observations
from arouter_conformance.observe.har import read_har
from arouter_conformance.observe.tally import EVIDENCE_BODY, FINDINGS_KEPT
from arouter_conformance.redact import MASK
from arouter_conformance.results import (
    EXIT_ERROR,
    EXIT_FAILED,
    EXIT_PASSED,
    NOT_CLAIMED_OPTIONAL,
    RunResult,
)
from arouter_conformance.spec import load_spec
from tests.battery.chat_mutants import UsageOffByOne
from tests.battery.models_mutants import CountOffByOne
from tests.factories import model
from tests.targets import KEY_ENV, live, run_cli
from tests.test_checks_endpoints import endpoint, page
from tests.test_checks_providers import provider

ROOT = "http://gateway.test/v1"
CHROME = Path(__file__).parent / "chrome_export.har"
PROMPT = [{"role": "user", "content": "Count from 1 to 100."}]
SHAPES = ("MODELS-LIST-001", "MODELS-MODEL-001", "MODELS-ARCH-001", "MODELS-PRICING-001")


# ---------------------------------------------------------------------------- helpers
SPEC = load_spec()
OPTIONAL = {i for i, r in SPEC.requirements.items() if SPEC.profiles[r.profile].optional}


def observing(**options: Any) -> Observations:
    options.setdefault("target_url", ROOT)
    spec = load_spec()
    return Observations(spec, resolve_config(spec, env={}, **options))


def answer(
    body: Any,
    path: str = "/models",
    *,
    status: int = 200,
    method: str = "GET",
    sent: Any = None,
    content_type: str = "application/json",
    auth: str = "key",
    root: str = ROOT,
) -> Exchange:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = sent if isinstance(sent, bytes) or sent is None else json.dumps(sent).encode()
    return Exchange(
        method=method,
        url=root + path,
        auth=auth,
        status=status,
        headers=(("content-type", content_type),),
        body=raw,
        request_body=request,
    )


def statuses(result: RunResult) -> dict[str, tuple[str, str | None]]:
    return {r.requirement.id: (r.status.value, r.reason) for r in result.requirements}


def judged(*exchanges: Exchange, **options: Any) -> dict[str, tuple[str, str | None]]:
    observations = observing(**options)
    for exchange in exchanges:
        observations.add(exchange)
    return statuses(observations.result())


def listing(*models: dict[str, Any], query: str = "?output_modalities=all") -> Exchange:
    return answer({"data": list(models)}, "/models" + query)


CATALOG = (
    model("openai/gpt-4o-mini"),
    model("anthropic/claude-3.5-haiku"),
    model("openai/gpt-4o-mini:free", pricing={"prompt": "0", "completion": "0"}),
)


def completion(model_id: str, total: int = 13, finish: str = "length") -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model_id,
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "1 2 3 4"},
                "finish_reason": finish,
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 8, "total_tokens": total},
    }


def chat(body: Any, request: Any, *, status: int = 200, **options: Any) -> Exchange:
    return answer(body, "/chat/completions", status=status, method="POST", sent=request, **options)


def chunk(model_id: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "gen-2",
        "object": "chat.completion.chunk",
        "created": 1_700_000_000,
        "model": model_id,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def event_stream(events: Iterable[Any], done: bool = True) -> bytes:
    lines = [f"data: {json.dumps(e)}\n\n" for e in events]
    return ("".join(lines) + ("data: [DONE]\n\n" if done else "")).encode()


def streamed(done: bool = True) -> Exchange:
    model_id = "openai/gpt-4o-mini"
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    events = [
        chunk(model_id, {"role": "assistant", "content": "1 "}),
        chunk(model_id, {"content": "2"}, "stop"),
        {**chunk(model_id, {}), "choices": [], "usage": usage},
    ]
    request = {
        "model": model_id,
        "messages": PROMPT,
        "max_tokens": 8,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    return chat(event_stream(events, done), request, content_type="text/event-stream")


# ---------------------------------------------------------------------------- lists
def test_a_good_list_passes_the_model_shape_requirements() -> None:
    seen = judged(listing(*CATALOG), listing(*CATALOG, query=""))
    for rid in (*SHAPES, "MODELS-ID-001", "MODELS-ID-002", "MODELS-PRICING-002"):
        assert seen[rid] == ("passed", None), rid


def test_a_numeric_price_fails_pricing() -> None:
    bad = model("openai/gpt-4o", pricing={"prompt": 0.000001, "completion": "0.000002"})
    observations = observing()
    observations.add(listing(*CATALOG, bad))
    result = observations.result()
    assert statuses(result)["MODELS-PRICING-001"][0] == "failed"
    assert statuses(result)["MODELS-ARCH-001"] == ("passed", None)
    assert result.exit_code == EXIT_FAILED


def test_an_answer_the_recording_keeps_only_part_of_is_not_judged() -> None:
    whole = listing(*CATALOG)
    part = replace(whole, body=whole.body[:40], truncated=True, cut_by_kit="kept in part")
    status, reason = judged(part)["MODELS-LIST-001"]
    assert status == "inconclusive"
    assert reason is not None
    assert "kept in part" in reason


def test_what_the_traffic_did_not_exercise_is_skipped_not_passed() -> None:
    observations = observing()
    result = observations.result()
    # Nothing observed at all: nothing holds as far as anyone can tell, so no pass.
    assert result.exit_code == EXIT_ERROR
    claimed = [r for r in result.requirements if r.status.value != "skipped"]
    assert {r.status.value for r in claimed} == {"inconclusive"}
    assert {r.reason for r in claimed} == {NOT_OBSERVED}
    # The optional profiles are not claimed unless named (ruling R17).
    unclaimed = {r.requirement.id for r in result.requirements if r.status.value == "skipped"}
    assert unclaimed == OPTIONAL
    observations.add(listing(*CATALOG))
    seen = statuses(observations.result())
    for rid in ("COUNT-MATCH-001", "LOOKUP-MATCH-001", "CHAT-SERVE-001", "SORT-SET-001"):
        assert seen[rid] == ("skipped", NOT_OBSERVED), rid


def test_a_redirect_or_a_cached_copy_is_no_answer_to_judge() -> None:
    not_modified = answer(b"", "/models?output_modalities=all", status=304)
    moved = answer(b"", "/models/count", status=308)
    seen = judged(not_modified, moved)
    assert seen["MODELS-LIST-001"] == ("skipped", NOT_OBSERVED)
    assert seen["COUNT-SHAPE-001"] == ("skipped", NOT_OBSERVED)


def test_unclaimed_profiles_stay_skipped_whatever_the_traffic_shows() -> None:
    bad = model("openai/gpt-4o", pricing={"prompt": 1})
    seen = judged(listing(bad), profiles=["chat"])
    assert seen["MODELS-PRICING-001"] == ("skipped", "profile not claimed by the target")


def test_a_filter_is_judged_against_the_all_list_once_that_was_seen() -> None:
    image = model("google/imagen", architecture={**CATALOG[0]["architecture"]})
    image["architecture"]["output_modalities"] = ["image"]
    wrong = listing(*CATALOG, query="?output_modalities=image")  # the text models instead
    assert judged(wrong)["MODELS-FILTER-002"] == ("skipped", NOT_OBSERVED)
    seen = judged(listing(*CATALOG, image), wrong)
    assert seen["MODELS-FILTER-002"][0] == "failed"
    right = listing(image, query="?output_modalities=image")
    assert judged(listing(*CATALOG, image), right)["MODELS-FILTER-002"] == ("passed", None)


def test_a_sorted_list_is_judged_on_its_own_and_its_set_against_the_unsorted_one() -> None:
    small, large = model("a/small", context_length=1000), model("b/large", context_length=9000)
    upwards = listing(small, large, query="?sort=context-high-to-low")
    seen = judged(upwards)
    assert seen["SORT-CONTEXT-001"][0] == "failed"
    assert seen["SORT-SET-001"] == ("skipped", NOT_OBSERVED)
    downwards = listing(large, small, query="?sort=context-high-to-low")
    seen = judged(listing(small, large, model("c/extra"), query=""), downwards)
    assert seen["SORT-CONTEXT-001"] == ("passed", None)
    assert seen["SORT-SET-001"][0] == "failed"


# ---------------------------------------------------------------------------- count, lookup
def count(number: int, query: str = "") -> Exchange:
    return answer({"data": {"count": number}}, "/models/count" + query)


def test_a_count_is_judged_against_the_list_for_the_same_value_in_either_order() -> None:
    everything = listing(*CATALOG)
    assert judged(everything, count(3, "?output_modalities=all"))["COUNT-MATCH-001"] == (
        "passed",
        None,
    )
    # The count came first: it waits for its list.
    seen = judged(count(4, "?output_modalities=all"), everything)
    assert seen["COUNT-MATCH-001"][0] == "failed"
    assert seen["COUNT-SHAPE-001"] == ("passed", None)
    # A list for another value says nothing of this count.
    assert judged(count(4), everything)["COUNT-MATCH-001"] == ("skipped", NOT_OBSERVED)


def test_answers_to_different_keys_are_not_judged_against_one_another() -> None:
    """A restricted key sees fewer models: its count is no defect of the main key's list."""
    restricted = credential_tag(["Bearer restricted-key-0123456789"])
    main = credential_tag(["Bearer main-key-0123456789abcdef"])
    everything = dataclasses.replace(listing(*CATALOG), credential=main)
    fewer = dataclasses.replace(count(1, "?output_modalities=all"), credential=restricted)
    assert judged(everything, fewer)["COUNT-MATCH-001"] == ("skipped", NOT_OBSERVED)
    same_key = dataclasses.replace(count(1, "?output_modalities=all"), credential=main)
    assert judged(everything, same_key)["COUNT-MATCH-001"][0] == "failed"


def lookup(model_id: str, body: Any, status: int = 200) -> Exchange:
    return answer(body, f"/model/{model_id}", status=status)


def test_a_lookup_is_judged_against_its_list_entry() -> None:
    entry = CATALOG[0]
    same = lookup("openai/gpt-4o-mini", {"data": entry})
    assert judged(listing(*CATALOG), same)["LOOKUP-MATCH-001"] == ("passed", None)
    other = lookup("openai/gpt-4o-mini", {"data": {**entry, "context_length": 1}})
    seen = judged(other, listing(*CATALOG))  # the lookup waited for the list
    assert seen["LOOKUP-MATCH-001"][0] == "failed"
    free = lookup("openai/gpt-4o-mini:free", {"data": CATALOG[2]})
    assert judged(listing(*CATALOG), free)["LOOKUP-VARIANT-001"] == ("passed", None)


def test_a_404_is_judged_only_against_the_complete_list() -> None:
    missing = lookup("zz/unknown", {"error": {"message": "no such model", "code": 404}}, 404)
    assert judged(listing(*CATALOG, query=""), missing)["LOOKUP-404-001"] == (
        "skipped",
        NOT_OBSERVED,
    )
    seen = judged(listing(*CATALOG), missing)
    assert seen["LOOKUP-404-001"] == ("passed", None)
    assert seen["MODELS-ERROR-001"] == ("passed", None)
    listed = lookup("openai/gpt-4o-mini", {"error": {"message": "gone", "code": 404}}, 404)
    assert judged(listing(*CATALOG), listed)["LOOKUP-SHAPE-001"][0] == "failed"


def test_an_unlisted_id_answered_with_a_listed_model_is_judged_as_the_manifest_declares(
    tmp_path: Path,
) -> None:
    answered = lookup("zz/other", {"data": CATALOG[0]})
    # Without declared aliases it may be one the manifest does not name: not judged.
    assert judged(listing(*CATALOG), answered)["LOOKUP-404-001"] == ("skipped", NOT_OBSERVED)
    manifest = tmp_path / "claims.yaml"
    manifest.write_text(
        f"target_url: {ROOT}\naliases: {{a/alias: openai/gpt-4o-mini}}\n", encoding="utf-8"
    )
    seen = judged(listing(*CATALOG), answered, manifest_path=manifest)
    assert seen["LOOKUP-404-001"][0] == "failed"
    alias = lookup("a/alias", {"data": CATALOG[0]})
    seen = judged(listing(*CATALOG), alias, manifest_path=manifest)
    assert seen["LOOKUP-ALIAS-001"] == ("passed", None)


def test_auth_requirements_need_a_request_without_a_key(tmp_path: Path) -> None:
    manifest = tmp_path / "claims.yaml"
    manifest.write_text(f"target_url: {ROOT}\nlisting_requires_auth: true\n")
    assert judged(listing(*CATALOG), manifest_path=manifest)["MODELS-AUTH-001"] == (
        "skipped",
        NOT_OBSERVED,
    )
    refused = answer({"error": {"message": "key needed", "code": 401}}, status=401, auth="none")
    assert judged(refused, manifest_path=manifest)["MODELS-AUTH-001"] == ("passed", None)
    served = answer({"data": list(CATALOG)}, auth="none")
    assert judged(served, manifest_path=manifest)["MODELS-AUTH-001"][0] == "failed"


# ---------------------------------------------------------------------------- chat
def test_a_chat_answer_whose_total_is_off_fails_usage() -> None:
    request = {"model": "openai/gpt-4o-mini", "messages": PROMPT, "max_tokens": 8}
    good = chat(completion("openai/gpt-4o-mini"), request)
    seen = judged(listing(*CATALOG), good)
    for rid in ("CHAT-SERVE-001", "CHAT-RESP-001", "CHAT-RESP-002", "CHAT-USAGE-001"):
        assert seen[rid] == ("passed", None), rid
    assert seen["CHAT-USAGE-002"] == ("passed", None)
    assert seen["CHAT-FINISH-001"] == ("passed", None)  # 8 tokens for max_tokens 8: cut
    off = chat(completion("openai/gpt-4o-mini", total=14), request)
    seen = judged(listing(*CATALOG), off)
    assert seen["CHAT-USAGE-001"][0] == "failed"


def test_a_stream_without_done_fails_stream_005() -> None:
    seen = judged(listing(*CATALOG), streamed())
    for rid in ("CHAT-STREAM-001", "CHAT-STREAM-002", "CHAT-STREAM-003", "CHAT-STREAM-005"):
        assert seen[rid] == ("passed", None), rid
    assert seen["CHAT-STREAM-004"] == ("passed", None)  # asked for with include_usage
    seen = judged(listing(*CATALOG), streamed(done=False))
    assert seen["CHAT-STREAM-005"][0] == "failed"


def test_requests_the_contract_refuses_are_judged_as_refusals() -> None:
    error = {"error": {"message": "bad request", "code": 400}}
    not_json = chat(error, b'{"model": "x", "messages": [', status=400)
    no_messages = chat(error, {"model": "openai/gpt-4o-mini", "messages": []}, status=400)
    unknown = chat(error, {"model": "zz/unknown", "messages": PROMPT}, status=404)
    seen = judged(listing(*CATALOG), not_json, no_messages, unknown)
    for rid in ("CHAT-REJECT-001", "CHAT-REJECT-002", "CHAT-REJECT-004", "CHAT-ERROR-001"):
        assert seen[rid] == ("passed", None), rid
    served_anyway = chat(
        completion("openai/gpt-4o-mini"), {"model": "zz/unknown", "messages": PROMPT}
    )
    assert judged(listing(*CATALOG), served_anyway)["CHAT-REJECT-004"][0] == "failed"


def test_a_refusal_of_the_caller_is_judged_for_its_body_only() -> None:
    request = {"model": "openai/gpt-4o-mini", "messages": PROMPT}
    limited = chat({"error": {"message": "slow down", "code": 429}}, request, status=429)
    seen = judged(listing(*CATALOG), limited)
    assert seen["CHAT-SERVE-001"] == ("skipped", NOT_OBSERVED)
    assert seen["CHAT-ERROR-001"] == ("passed", None)
    # A request with more than the kit sends may be refused for reasons of the gateway's own.
    tools = {**request, "tools": [{"type": "function"}]}
    refused = chat({"error": {"message": "no tools", "code": 400}}, tools, status=400)
    assert judged(listing(*CATALOG), refused)["CHAT-SERVE-001"] == ("skipped", NOT_OBSERVED)
    # So may one past what any model is sure to take: a huge max_tokens, a long prompt.
    for beyond in (
        {**request, "max_tokens": 10**6},
        {**request, "messages": [{"role": "user", "content": "x" * 5000}]},
    ):
        too_much = chat({"error": {"message": "too long", "code": 400}}, beyond, status=400)
        assert judged(listing(*CATALOG), too_much)["CHAT-SERVE-001"] == ("skipped", NOT_OBSERVED)
    plain = chat({"error": {"message": "no", "code": 400}}, request, status=400)
    assert judged(listing(*CATALOG), plain)["CHAT-SERVE-001"][0] == "failed"


def test_a_refused_listed_variant_fails_its_own_requirement() -> None:
    thinking = model("a/reasoner:thinking", supported_parameters=["max_tokens", "reasoning"])
    request = {"model": "a/reasoner:thinking", "messages": PROMPT}
    refused = chat({"error": {"message": "no", "code": 404}}, request, status=404)
    seen = judged(listing(*CATALOG, thinking), refused)
    assert seen["CHAT-VARIANT-006"][0] == "failed"
    assert seen["CHAT-SERVE-001"] == ("skipped", NOT_OBSERVED)
    served = chat(completion("a/reasoner:thinking"), request)
    seen = judged(listing(*CATALOG, thinking), served)
    assert seen["CHAT-VARIANT-006"] == ("passed", None)
    assert seen["CHAT-SERVE-001"] == ("passed", None)


def test_a_chat_without_a_key_that_is_served_fails_auth() -> None:
    request = {"model": "openai/gpt-4o-mini", "messages": PROMPT}
    served = chat(completion("openai/gpt-4o-mini"), request, auth="none")
    assert judged(listing(*CATALOG), served)["CHAT-AUTH-001"][0] == "failed"


# ---------------------------------------------------------------------------- optional profiles
CLAIMS = {"profiles": ["models", "endpoints", "user-models", "providers"]}
NOT_FOUND = {"error": {"message": "no such model", "code": 404}}


def endpoints_page(model_id: str, body: Any, status: int = 200, **options: Any) -> Exchange:
    return answer(body, f"/models/{model_id}/endpoints", status=status, **options)


def test_an_endpoints_page_is_judged_for_its_shape_prices_and_enumerations() -> None:
    good = endpoints_page("openai/gpt-4o-mini", page("openai/gpt-4o-mini"))
    seen = judged(good, **CLAIMS)
    for rid in ("ENDPOINTS-SHAPE-001", "ENDPOINTS-PRICE-001", "ENDPOINTS-ENUM-001"):
        assert seen[rid] == ("passed", None), rid
    # The list entry it is compared with was not seen: nothing said about the context.
    assert seen["ENDPOINTS-CONTEXT-001"] == ("skipped", NOT_OBSERVED)
    shapeless = page("openai/gpt-4o-mini")
    del shapeless["data"]["endpoints"]
    seen = judged(endpoints_page("openai/gpt-4o-mini", shapeless), **CLAIMS)
    assert seen["ENDPOINTS-SHAPE-001"][0] == "failed"
    assert seen["ENDPOINTS-PRICE-001"] == ("skipped", NOT_OBSERVED)
    odd = page("openai/gpt-4o-mini", endpoint(pricing={"prompt": "1e-6", "completion": "0"}))
    seen = judged(endpoints_page("openai/gpt-4o-mini", odd), **CLAIMS)
    assert seen["ENDPOINTS-PRICE-001"][0] == "failed"
    assert seen["ENDPOINTS-SHAPE-001"] == ("passed", None)
    odd = page("openai/gpt-4o-mini", endpoint(quantization="fp7"))
    seen = judged(endpoints_page("openai/gpt-4o-mini", odd), **CLAIMS)
    assert seen["ENDPOINTS-ENUM-001"][0] == "failed"


def test_a_listed_ids_endpoints_page_must_be_served() -> None:
    refused = endpoints_page("openai/gpt-4o-mini", NOT_FOUND, 404)
    assert judged(refused, **CLAIMS)["ENDPOINTS-SHAPE-001"] == ("skipped", NOT_OBSERVED)
    seen = judged(listing(*CATALOG), refused, **CLAIMS)
    assert seen["ENDPOINTS-SHAPE-001"][0] == "failed"
    assert seen["ENDPOINTS-404-001"] == ("skipped", NOT_OBSERVED)  # it is listed


def test_endpoints_offer_no_more_context_than_the_same_keys_all_list() -> None:
    within = endpoints_page("openai/gpt-4o-mini", page("openai/gpt-4o-mini"))  # 8192 each
    assert judged(listing(*CATALOG), within, **CLAIMS)["ENDPOINTS-CONTEXT-001"] == (
        "passed",
        None,
    )
    more = endpoints_page(
        "openai/gpt-4o-mini", page("openai/gpt-4o-mini", endpoint(context_length=9000))
    )
    assert judged(listing(*CATALOG), more, **CLAIMS)["ENDPOINTS-CONTEXT-001"][0] == "failed"
    # A page seen before the list, or by another key, is not compared with it.
    assert judged(more, listing(*CATALOG), **CLAIMS)["ENDPOINTS-CONTEXT-001"] == (
        "skipped",
        NOT_OBSERVED,
    )
    other = dataclasses.replace(more, credential=credential_tag(["Bearer another-key-01234567"]))
    assert judged(listing(*CATALOG), other, **CLAIMS)["ENDPOINTS-CONTEXT-001"] == (
        "skipped",
        NOT_OBSERVED,
    )


def test_the_endpoints_of_an_unlisted_model_are_judged_against_the_complete_list() -> None:
    missing = endpoints_page("zz/unknown", NOT_FOUND, 404)
    assert judged(listing(*CATALOG, query=""), missing, **CLAIMS)["ENDPOINTS-404-001"] == (
        "skipped",
        NOT_OBSERVED,
    )
    seen = judged(listing(*CATALOG), missing, **CLAIMS)
    assert seen["ENDPOINTS-404-001"] == ("passed", None)
    assert seen["MODELS-ERROR-001"] == ("passed", None)  # the body of the 404, as run judges it
    served = endpoints_page("zz/unknown", page("zz/unknown"))
    assert judged(listing(*CATALOG), served, **CLAIMS)["ENDPOINTS-404-001"][0] == "failed"
    # A listed model's page under another name (a canonical_slug, an alias): not judged.
    dated = model("openai/gpt-4o-mini", canonical_slug="openai/gpt-4o-mini-2024")
    by_slug = endpoints_page("openai/gpt-4o-mini-2024", page("openai/gpt-4o-mini"))
    aliased = endpoints_page("zz/alias", page("openai/gpt-4o-mini"))
    assert judged(listing(dated), by_slug, aliased, **CLAIMS)["ENDPOINTS-404-001"] == (
        "skipped",
        NOT_OBSERVED,
    )


def test_a_page_fetched_where_a_listed_link_leads_must_be_that_models() -> None:
    linked = model("a/b", links={"details": "/v1/models/a/b-2024/endpoints"})
    absolute = model("c/d", links={"details": ROOT + "/models/c/d/endpoints"})
    right = endpoints_page("a/b-2024", page("a/b"))
    seen = judged(listing(linked, absolute), right, **CLAIMS)
    assert seen["ENDPOINTS-LINK-001"] == ("passed", None)
    wrong = endpoints_page("c/d", page("a/b"))
    assert judged(listing(linked, absolute), wrong, **CLAIMS)["ENDPOINTS-LINK-001"][0] == "failed"
    gone = endpoints_page("a/b-2024", NOT_FOUND, 404)
    assert judged(listing(linked, absolute), gone, **CLAIMS)["ENDPOINTS-LINK-001"][0] == "failed"
    # A page no listed link leads to shows nothing about the links.
    elsewhere = endpoints_page("a/b", page("a/b"))
    assert judged(listing(linked, absolute), elsewhere, **CLAIMS)["ENDPOINTS-LINK-001"] == (
        "skipped",
        NOT_OBSERVED,
    )


def test_a_relative_link_leads_under_the_list_that_carried_it() -> None:
    """RFC 3986, as any client: `models/e/f/endpoints` from {root}/models is under the
    root, not under the origin's root."""
    relative = model("e/f", links={"details": "models/e/f/endpoints"})
    right = endpoints_page("e/f", page("e/f"))
    assert judged(listing(relative), right, **CLAIMS)["ENDPOINTS-LINK-001"] == ("passed", None)
    wrong = endpoints_page("e/f", page("a/b"))
    assert judged(listing(relative), wrong, **CLAIMS)["ENDPOINTS-LINK-001"][0] == "failed"


def test_providers_are_judged_for_their_shape_and_unique_slugs() -> None:
    two = answer({"data": [provider("openai"), provider("anthropic")]}, "/providers")
    seen = judged(two, **CLAIMS)
    assert seen["PROVIDERS-SHAPE-001"] == ("passed", None)
    assert seen["PROVIDERS-UNIQUE-001"] == ("passed", None)
    twice = answer({"data": [provider("openai"), provider("openai")]}, "/providers")
    assert judged(twice, **CLAIMS)["PROVIDERS-UNIQUE-001"][0] == "failed"
    nameless = answer({"data": [{"slug": "openai"}]}, "/providers")
    assert judged(nameless, **CLAIMS)["PROVIDERS-SHAPE-001"][0] == "failed"


def test_the_user_list_needs_a_key_and_is_drawn_from_the_same_keys_all_list() -> None:
    refused = answer({"error": {"message": "key needed", "code": 401}}, "/models/user", status=401)
    keyless = dataclasses.replace(refused, auth="none")
    assert judged(keyless, **CLAIMS)["USER-AUTH-001"] == ("passed", None)
    served = answer({"data": [CATALOG[0]]}, "/models/user", auth="none")
    assert judged(served, **CLAIMS)["USER-AUTH-001"][0] == "failed"
    seen = judged(answer({"data": [CATALOG[0]]}, "/models/user"), **CLAIMS)
    assert seen["USER-SHAPE-001"] == ("passed", None)
    assert seen["USER-SUBSET-001"] == ("skipped", NOT_OBSERVED)  # no all list seen
    assert seen["USER-AUTH-001"] == ("skipped", NOT_OBSERVED)
    seen = judged(listing(*CATALOG), answer({"data": [CATALOG[0]]}, "/models/user"), **CLAIMS)
    assert seen["USER-SUBSET-001"] == ("passed", None)
    changed = answer({"data": [{**CATALOG[0], "context_length": 1}]}, "/models/user")
    assert judged(listing(*CATALOG), changed, **CLAIMS)["USER-SUBSET-001"][0] == "failed"
    # A refusal of the key says nothing about the user list.
    assert judged(listing(*CATALOG), refused, **CLAIMS)["USER-SHAPE-001"] == (
        "skipped",
        NOT_OBSERVED,
    )
    broken = answer({"data": "none"}, "/models/user")
    seen = judged(listing(*CATALOG), broken, **CLAIMS)
    assert seen["USER-SHAPE-001"][0] == "failed"
    # Which key is restricted, and chats paired with a user list, no traffic says.
    for rid in ("USER-VIS-001", "USER-CHAT-001"):
        assert seen[rid] == ("skipped", NOT_OBSERVED), rid


def test_pages_and_the_other_filters_are_not_judged_for_their_profiles() -> None:
    """A page is compared with the unpaged answer, a filter with the all list of the same
    query: neither is judged from traffic."""
    paged = listing(*CATALOG, query="?output_modalities=all&offset=0&limit=2")
    searched = listing(*CATALOG, query="?output_modalities=all&q=gpt")
    seen = judged(listing(*CATALOG), paged, searched, profiles=["pagination", "list-filters"])
    profiles = {"pagination", "list-filters"}
    for rid, requirement in SPEC.requirements.items():
        if requirement.profile in profiles:
            assert seen[rid] == ("skipped", NOT_OBSERVED), rid


def test_the_optional_profiles_are_judged_only_when_claimed() -> None:
    missing = endpoints_page("zz/unknown", {"error": "no such model"}, 404)
    seen = judged(listing(*CATALOG), missing)
    assert seen["ENDPOINTS-404-001"] == ("skipped", NOT_CLAIMED_OPTIONAL.format(name="endpoints"))
    # The body of its 404 is MODELS-ERROR-001's only when the endpoints profile is claimed.
    assert seen["MODELS-ERROR-001"] == ("skipped", NOT_OBSERVED)
    assert judged(listing(*CATALOG), missing, **CLAIMS)["MODELS-ERROR-001"][0] == "failed"


# ---------------------------------------------------------------------------- the engine
def test_traffic_elsewhere_is_not_judged() -> None:
    observations = observing(target_url="http://gateway.test/api/v1")
    observations.add(listing(*CATALOG))  # /v1/models: not under /api/v1
    observations.add(answer(b"<html>", "/favicon.ico", content_type="text/html"))
    result = observations.result()
    assert observations.counts == {"observed": 2, "judged": 0, "chat": 0}
    assert {r.status.value for r in result.requirements if r.requirement.id not in OPTIONAL} == {
        "inconclusive"
    }
    assert result.exit_code == EXIT_ERROR


def test_without_a_target_the_endpoints_are_recognised_by_their_suffix() -> None:
    exchange = answer({"data": list(CATALOG)}, "/models?output_modalities=all", root="http://x/a/b")
    assert judged(exchange, target_url=None)["MODELS-LIST-001"] == ("passed", None)
    too_much = page("openai/gpt-4o-mini", endpoint(context_length=9000))
    optional = (
        answer(too_much, "/models/openai/gpt-4o-mini/endpoints", root="http://x/a/b"),
        answer({"data": [provider("openai")]}, "/providers", root="http://x/a/b"),
        answer({"data": [CATALOG[1]]}, "/models/user", root="http://x/a/b"),
    )
    seen = judged(exchange, *optional, target_url=None, **CLAIMS)
    assert seen["ENDPOINTS-CONTEXT-001"][0] == "failed"
    for rid in ("PROVIDERS-SHAPE-001", "USER-SUBSET-001"):
        assert seen[rid] == ("passed", None), rid


def test_adding_from_many_threads_and_asking_repeatedly() -> None:
    observations = observing()

    def traffic(thread: int) -> None:
        for n in range(40):
            bad = model(f"a/m{thread}-{n}", pricing={"prompt": 1, "completion": "0"})
            observations.add(listing(*CATALOG, bad))

    threads = [threading.Thread(target=traffic, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    middle = observations.result()  # any time, while traffic flows
    for thread in threads:
        thread.join()
    first, second = observations.result(), observations.result()
    assert statuses(first) == statuses(second)
    assert observations.counts["judged"] == 160
    assert middle.exit_code in (EXIT_PASSED, EXIT_FAILED)
    failed = next(r for r in first.requirements if r.requirement.id == "MODELS-PRICING-001")
    assert len(failed.findings) == FINDINGS_KEPT  # bounded, however long the traffic


def test_evidence_is_cut_and_the_stats_say_the_kit_sent_nothing() -> None:
    padding = "x" * (2 * EVIDENCE_BODY)
    bad = model("openai/gpt-4o", pricing={"prompt": 1}, description=padding)
    observations = observing()
    observations.add(listing(bad))
    result = observations.result()
    finding = next(r for r in result.requirements if r.findings).findings[0]
    assert finding.exchange is not None
    assert len(finding.exchange.body) == EVIDENCE_BODY
    assert finding.exchange.truncated
    assert result.stats.requests_sent == 0


# ---------------------------------------------------------------------------- HAR
def har(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"log": {"version": "1.2", "creator": {"name": "t", "version": "1"}, "entries": entries}}


def entry(
    url: str, status: int = 200, text: str | None = "{}", headers: Iterable[tuple[str, str]] = ()
) -> dict[str, Any]:
    content: dict[str, Any] = {"size": len(text or ""), "mimeType": "application/json"}
    if text is not None:
        content["text"] = text
    return {
        "startedDateTime": "2026-03-01T10:00:00.000Z",
        "time": 12.5,
        "request": {
            "method": "GET",
            "url": url,
            "headers": [{"name": k, "value": v} for k, v in headers],
            "cookies": [],
        },
        "response": {"status": status, "headers": [], "content": content},
    }


def test_the_reader_keeps_no_credential_and_tells_keyed_from_keyless(tmp_path: Path) -> None:
    path = tmp_path / "t.har"
    empty_but_sized = entry(f"{ROOT}/models", text="")
    empty_but_sized["response"]["content"]["size"] = 5120
    key = "sk-or-v1-0123456789abcdef0123"
    path.write_text(
        json.dumps(
            har(
                entry(f"{ROOT}/models", headers=[("Authorization", f"Bearer {key}")]),
                entry(f"{ROOT}/models", headers=[("authorization", MASK)]),
                entry(f"{ROOT}/models", headers=[("Cookie", "session=1"), ("accept", "*/*")]),
                entry(f"{ROOT}/models"),
                entry(f"{ROOT}/models", text=None),  # the body was not kept
                entry(f"{ROOT}/models", status=0),  # no answer
                empty_but_sized,  # an exporter's empty text for a body it did not keep
            )
        )
    )
    recording = read_har(path)
    exchanges = list(recording.exchanges())
    assert [e.auth for e in exchanges] == ["key", "key", "key", "none"]
    assert recording.left_out == 3
    assert {key, f"Bearer {key}"} <= recording.secrets
    assert exchanges[2].request_headers == (("accept", "*/*"),)
    assert exchanges[0].elapsed == 0.0125
    # A file where no request carries a key cannot tell keyless requests: all count as keyed.
    path.write_text(json.dumps(har(entry(f"{ROOT}/models"))))
    assert [e.auth for e in read_har(path).exchanges()] == ["key"]


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("{not json", "not JSON"),
        ("[]", "no log.entries list"),
        ('{"log": {"entries": [{"request": {}}]}}', "entry 0"),
    ],
)
def test_a_file_that_is_not_har_is_one_line_and_exit_2(
    tmp_path: Path, content: str, why: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.har"
    path.write_text(content)
    assert cli_main(["judge", str(path)]) == EXIT_ERROR
    err = capsys.readouterr().err
    assert why in err
    assert len(err.strip().splitlines()) == 1


def test_the_file_judged_is_never_written_over(tmp_path: Path) -> None:
    path = tmp_path / "x.har"
    path.write_text(json.dumps(har()))
    assert cli_main(["judge", str(path), "--json", str(path)]) == EXIT_ERROR
    assert json.loads(path.read_text()) == json.loads(json.dumps(har()))


def judge(path: Path, tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "judged.json"
    code = cli_main(["judge", str(path), "--json", str(report), *args])
    return code, json.loads(report.read_text(encoding="utf-8"))


def by_status(report: dict[str, Any], profiles: Iterable[str]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for r in report["requirements"]:
        if r["profile"] in profiles:
            found.setdefault(r["status"], set()).add(r["id"])
    return found


SMALL = ("--profile", "count", "--profile", "chat")


@pytest.mark.parametrize(
    ("app", "failing"),
    [
        (reference_server.create_app(), set()),
        (reference_server.create_app(queries=CountOffByOne), {"COUNT-MATCH-001"}),
        (reference_server.create_app(chat=UsageOffByOne), {"CHAT-USAGE-001"}),
    ],
    ids=["reference", "count-off-by-one", "usage-total-off-by-one"],
)
def test_the_kits_own_har_is_judged_as_the_run_judged_it(
    app: Any, failing: set[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded = tmp_path / "run.har"
    with live(app, tmp_path) as target:
        code, run = run_cli(
            target, tmp_path, *SMALL, "--har", str(recorded), monkeypatch=monkeypatch
        )
    assert code == (EXIT_FAILED if failing else EXIT_PASSED)
    monkeypatch.delenv(KEY_ENV)  # judging sends nothing: the manifest's key is not needed
    code, report = judge(recorded, tmp_path, "--manifest", str(target.manifest), *SMALL)
    assert code == (EXIT_FAILED if failing else EXIT_PASSED)
    seen = by_status(report, ("count", "chat"))
    ran = by_status(run, ("count", "chat"))
    assert failing <= seen.get("failed", set())
    # Judged as the run judged it: the same failures, and every pass but the SDK's own
    # check (CHAT-SDK-001), which is not in the traffic, and none the run did not see.
    assert seen.get("failed", set()) == ran.get("failed", set())
    assert seen.get("blocked", set()) == ran.get("blocked", set())
    assert ran["passed"] - seen["passed"] == {"CHAT-SDK-001"}
    assert seen.get("skipped") == {"CHAT-SDK-001"}
    assert not seen.get("error")
    assert not seen.get("inconclusive")
    if failing:  # the team's baseline applies to judged traffic as to a run
        known = tmp_path / "known.yaml"
        known.write_text(yaml.safe_dump({"known": dict.fromkeys(failing, "ticket 7")}))
        args = ("--manifest", str(target.manifest), *SMALL, "--baseline", str(known))
        code, report = judge(recorded, tmp_path, *args)
        assert (code, report["verdict"]) == (EXIT_PASSED, "known")


def test_a_browser_export_is_judged(tmp_path: Path) -> None:
    """Chrome's shape: HTTP/2 pseudo-headers, `_` fields, a base64 body, an SSE answer, a
    request body in postData, an asset of the page, an answer whose body was not kept."""
    recording = read_har(CHROME)
    assert recording.keyed
    assert any(s.startswith("sk-or-v1-") for s in recording.secrets)
    assert len(list(recording.exchanges())) == 5
    assert recording.left_out == 1  # the answer whose body the export did not keep
    code, report = judge(
        CHROME,
        tmp_path,
        "--target-url",
        "https://gateway.example/api/v1",
        "--profile",
        "models",
        "--profile",
        "count",
        "--profile",
        "chat",
    )
    assert code == EXIT_PASSED, [r for r in report["requirements"] if r["status"] != "skipped"]
    seen = by_status(report, ("models", "count", "chat"))
    assert {
        "MODELS-LIST-001",
        "MODELS-PRICING-001",
        "COUNT-MATCH-001",
        "CHAT-SERVE-001",
        "CHAT-STREAM-001",
        "CHAT-STREAM-003",
        "CHAT-STREAM-005",
        "CHAT-USAGE-001",
    } <= seen["passed"]
    assert not any(s in json.dumps(report) for s in recording.secrets)


def test_with_a_target_only_its_origin_is_judged() -> None:
    """A page's own /v1/models on another host is someone else's API."""
    elsewhere = answer(
        {"data": list(CATALOG)}, "/models?output_modalities=all", root="http://other.test/v1"
    )
    observations = observing(target_url=ROOT)
    observations.add(elsewhere)
    observations.result()
    assert observations.counts == {"observed": 1, "judged": 0, "chat": 0}
    same_origin = answer({"data": list(CATALOG)}, "/models", root="http://GATEWAY.test:80/v1")
    assert judged(same_origin)["MODELS-LIST-001"] == ("passed", None)


def mitmproxy_entry(url: str, body: dict[str, Any]) -> dict[str, Any]:
    """An entry as mitmproxy's HAR export writes it: httpVersion, serverIPAddress, the
    content's `compression` field, timings with every phase."""
    text = json.dumps(body)
    return {
        "startedDateTime": "2026-03-01T10:00:00.000000+00:00",
        "time": 8.1,
        "request": {
            "method": "GET",
            "url": url,
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": "authorization", "value": "Bearer sk-mitm-0123456789abcdef"}],
            "queryString": [],
            "headersSize": 120,
            "bodySize": 0,
        },
        "response": {
            "status": 200,
            "statusText": "OK",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": [{"name": "content-type", "value": "application/json"}],
            "content": {
                "size": len(text),
                "compression": 0,
                "mimeType": "application/json",
                "text": text,
            },
            "redirectURL": "",
            "headersSize": 80,
            "bodySize": len(text),
        },
        "cache": {},
        "timings": {"connect": 1.0, "ssl": -1, "send": 0.2, "receive": 0.4, "wait": 6.5},
        "serverIPAddress": "127.0.0.1",
    }


@pytest.mark.parametrize("packed", [False, True], ids=["har", "zhar"])
def test_a_mitmproxy_export_is_judged(tmp_path: Path, packed: bool) -> None:
    document = har(
        mitmproxy_entry(f"{ROOT}/models?output_modalities=all", {"data": list(CATALOG)}),
        mitmproxy_entry(f"{ROOT}/models/count?output_modalities=all", {"data": {"count": 3}}),
    )
    raw = json.dumps(document).encode()
    path = tmp_path / ("flows.zhar" if packed else "flows.har")
    path.write_bytes(zlib.compress(raw) if packed else raw)
    observations = observing()
    for exchange in read_har(path).exchanges():
        observations.add(exchange)
    seen = statuses(observations.result())
    assert seen["MODELS-LIST-001"] == ("passed", None)
    assert seen["COUNT-MATCH-001"] == ("passed", None)


def test_a_compressed_har_that_inflates_past_its_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("arouter_conformance.observe.har.ZHAR_CAP", 1024)
    path = tmp_path / "big.zhar"
    path.write_bytes(zlib.compress(json.dumps(har(*[entry(f"{ROOT}/models")] * 50)).encode()))
    with pytest.raises(ConfigError, match="inflates past"):
        read_har(path)


def test_the_manifest_s_own_headers_are_dropped_from_a_recording_and_masked(
    tmp_path: Path,
) -> None:
    """As the proxy treats them: a gateway header that may hold a credential never reaches
    the evidence, and its value is masked in the reports."""
    path = tmp_path / "t.har"
    secret = "pk-gateway-tenant-0123456789"
    path.write_text(json.dumps(har(entry(f"{ROOT}/models", headers=[("X-Tenant-Key", secret)]))))
    recording = read_har(path, unkept=["x-tenant-key"])
    (exchange,) = recording.exchanges()
    assert "x-tenant-key" not in {k.lower() for k, _ in exchange.request_headers}
    assert secret in recording.secrets
    (kept,) = read_har(path).exchanges()  # without the manifest: an ordinary header
    assert ("X-Tenant-Key", secret) in kept.request_headers
