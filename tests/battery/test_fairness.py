"""Fairness doubles: targets that make OTHER choices the contract allows must pass.

A false alarm costs as much as a missed defect: a gateway team that is told it fails for
redirecting an alias, or for applying several supported_parameters as any-of, stops
trusting the kit. Each double below is the reference server with one allowed choice made
differently; it is judged on the profiles the choice touches, with every MUST required to
pass (exit 0). `exercises` names requirements that must have been judged and passed, so a
double cannot pass by being skipped; `should_fail` names the only SHOULD requirements the
choice may fail (and must: the choice is allowed but not recommended).

Doubles of a data-bound choice (orders, values, extra keys) serve the whole bundled
catalog, where more rows mean more chances to trip a check; the others serve the battery
catalog, which keeps every kind of row in a sixth of the size (harness.battery_catalog).
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from arouter_conformance.spec import load_spec
from reference_server import (
    Catalog,
    ChatEngine,
    ChatRequest,
    Completion,
    HTTPError,
    Queries,
    Visibility,
    create_app,
)
from reference_server.catalog import Model, author_of
from reference_server.queries import QueryParams
from reference_server.responses import Body
from tests.battery.harness import (
    Answer,
    Headers,
    Intercept,
    Rewrite,
    Scope,
    Verdict,
    battery_catalog,
    edited_catalog,
    header,
    json_body,
    with_header,
)
from tests.battery.models_mutants import openai_form_errors
from tests.battery.mutants import Fair, ParametersAnyOf, check_fair

ALL_PROFILES = tuple(load_spec().profiles)


# ----------------------------------------------------------------------------- lookup


def alias_redirect(status: int, absolute: bool) -> Callable[[Any], Any]:
    """Aliases answered by a redirect to the canonical lookup path (R13 allows 301/302/307/308)."""

    def answer(scope: Scope, body: bytes) -> Answer | None:
        prefix, _, model_id = str(scope["path"]).partition("/model/")
        canonical = Catalog.default().aliases.get(model_id)
        if canonical is None:
            return None
        location = f"{prefix}/model/{canonical}"
        if absolute:
            host, port = scope["server"]
            location = f"http://{host}:{port}{location}"
        return status, [(b"location", location.encode())], b""

    return lambda app: Intercept(app, answer)


# ----------------------------------------------------------------------------- models


class ReversedDefaultOrder(Queries):
    """The unsorted list (and so every tie of a sort) comes in reverse catalog order."""

    def select(self, modalities: Any, parameters: Any, visibility: Visibility) -> list[Model]:
        return super().select(modalities, parameters, visibility)[::-1]


class DefaultOrderById(Queries):
    """The unsorted list (and so every tie of a sort) comes ordered by id."""

    def select(self, modalities: Any, parameters: Any, visibility: Visibility) -> list[Model]:
        return sorted(super().select(modalities, parameters, visibility), key=lambda m: m["id"])


class UnknownModalitySelectsNothing(Queries):
    """Unknown (or empty) output_modalities names are answered 200 and select nothing."""

    def parse_modalities(self, raw: str | None) -> frozenset[str] | None:
        try:
            return super().parse_modalities(raw)
        except HTTPError:
            assert raw is not None
            names = {token.strip() for token in raw.split(",")}
            return frozenset(names & self.known_modalities)


class UnknownModalityAnswersEmpty(Queries):
    """Any output_modalities value naming an unknown modality (or none) is answered 200
    with {"data": []}, known names beside it or not: refusing to guess (ruling R8)."""

    def parse_modalities(self, raw: str | None) -> frozenset[str] | None:
        try:
            return super().parse_modalities(raw)
        except HTTPError:
            return frozenset()


class UnknownSortIgnored(Queries):
    """An unknown sort value is answered 200 with the unsorted list."""

    def parse_sort(self, raw: str | None) -> str | None:
        return raw if raw in self.orderings else None


# ----------------------------------------------------------------------------- extra fields


class ExtraQueries(Queries):
    """Keys the contract does not name, in the model, its parts and every envelope."""

    def present(self, model: Model) -> dict[str, Any]:
        served = copy.deepcopy(super().present(model))
        served["x_gateway"] = {"region": "eu-west", "tier": 2}
        served["endpoints"] = []
        served["architecture"]["x_family"] = "reference"
        served["pricing"]["discount"] = 0  # a number: keys beyond the seed's are not judged
        served["pricing"]["image_output"] = "0.00003"
        served["top_provider"]["x_region"] = "eu"
        if served.get("benchmarks"):
            served["benchmarks"]["x_internal"] = {"score": 1.5}
            for entry in served["benchmarks"].get("design_arena", []):
                entry["x_votes"] = 12
        return served

    def envelope(self, models: list[dict[str, Any]], *page: Any) -> dict[str, Any]:
        return {**super().envelope(models, *page), "x_generated_at": 1_786_000_000, "meta": {}}

    def count_body(self, params: QueryParams, visibility: Visibility) -> Body:
        value = json_body(super().count_body(params, visibility).data)
        value["data"]["x_unit"] = "models"
        return Body({**value, "meta": {"cached": True}})

    def lookup_body(self, model_id: str, visibility: Visibility) -> Body:
        value = json_body(super().lookup_body(model_id, visibility).data)
        return Body({**value, "x_cache": "hit"})


class ExtraChat(ChatEngine):
    """The keys OpenRouter-style gateways add to completions and chunks."""

    def response(self, completion: Completion) -> dict[str, Any]:
        response = super().response(completion)
        response["provider"] = "Reference"
        response["usage"] = {**response["usage"], "cost": 0.0, "is_byok": False}
        for choice in response["choices"]:
            choice["native_finish_reason"] = choice["finish_reason"]
            choice["logprobs"] = None
            choice["message"]["refusal"] = None
        return response

    def chunks(self, completion: Completion) -> Iterator[dict[str, Any]]:
        for chunk in super().chunks(completion):
            chunk = {"usage": None, **chunk, "provider": "Reference"}
            chunk["choices"] = [
                {**choice, "native_finish_reason": choice["finish_reason"], "logprobs": None}
                for choice in chunk["choices"]
            ]
            for choice in chunk["choices"]:
                if choice["delta"].get("role"):  # the opening delta, as OpenAI sends it
                    choice["delta"] = {**choice["delta"], "content": "", "refusal": None}
            yield chunk


def extras_on_the_wire(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """Media types with a charset parameter, and more keys in every error body."""
    media = header(headers, b"content-type")
    if media in (b"application/json", b"text/event-stream"):
        headers = with_header(headers, b"content-type", media + b"; charset=utf-8")
    if status < 400:
        return status, headers, body
    value = json_body(body)
    value["error"]["metadata"] = {"provider_name": None}
    value["user_id"] = None
    return status, headers, json.dumps(value).encode()


def extra_fields() -> Any:
    return Rewrite(create_app(queries=ExtraQueries, chat=ExtraChat), extras_on_the_wire)


# ----------------------------------------------------------------------------- chat


class UnknownModelIs400(ChatEngine):
    """A model that is not listed is refused with 400 (the reference server says 404)."""

    def resolve(self, requested: str, visibility: Visibility) -> Model:
        try:
            return super().resolve(requested, visibility)
        except HTTPError as refusal:
            if refusal.status != 404:
                raise
            raise HTTPError(400, refusal.message) from refusal


class KeepAlives(ChatEngine):
    """The stream opens with an SSE comment and sends keep-alive comments between events."""

    def stream_events(self, completion: Completion) -> Iterator[bytes]:
        yield b": OPENROUTER PROCESSING\n\n"
        for event in super().stream_events(completion):
            yield b":\n\n"
            yield event


class CanonicalSlugName(ChatEngine):
    """Completions name the model by its canonical_slug (its permanent name)."""

    def generate(self, request: ChatRequest, model: Model) -> Completion:
        completion = super().generate(request, model)
        return dataclasses.replace(completion, model=model["canonical_slug"])


class SuffixKeptInName(ChatEngine):
    """X:nitro, X:floor and X:thinking are answered in the requested name, suffix included
    (R15 allows the base name with or without it)."""

    def generate(self, request: ChatRequest, model: Model) -> Completion:
        completion = super().generate(request, model)
        if request.model.rpartition(":")[2] in ("nitro", "floor", "thinking"):
            return dataclasses.replace(completion, model=request.model)
        return completion


class AutoPicksTheDearestBySlug(CanonicalSlugName):
    """auto picks the dearest text model the key may see (any visible one is allowed), and
    answers name it by its canonical_slug."""

    def route_auto(self, visibility: Visibility) -> Model:
        queries = self.queries
        candidates = [
            model
            for model in queries.select(frozenset({self.text}), frozenset(), visibility)
            if not queries.is_router(model)
        ]
        return max(candidates, key=lambda model: (queries.price(model), model["id"]))


class ThoughtUntilCut(ChatEngine):
    """A reasoning model cut by max_tokens while it thought: no content at all, the tokens
    counted and finish_reason "length" (whole and streamed)."""

    def generate(self, request: ChatRequest, model: Model) -> Completion:
        completion = super().generate(request, model)
        return dataclasses.replace(completion, content="")


class ForeignChatIs403(ChatEngine):
    """A restricted key chatting with another provider's model gets 403, not 404."""

    def resolve(self, requested: str, visibility: Visibility) -> Model:
        listed = self.queries.catalog.by_id.get(requested)
        if listed is not None and not visibility.allows(author_of(listed["id"])):
            raise HTTPError(403, f"your key may not use {requested!r}")
        return super().resolve(requested, visibility)


# ----------------------------------------------------------------------------- more choices


class EmptyModalityMeansDefault(Queries):
    """An empty output_modalities value (`=` or `=,`) is read as absent: the text list."""

    def parse_modalities(self, raw: str | None) -> frozenset[str] | None:
        if raw is not None and not raw.replace(",", "").strip():
            raw = None
        return super().parse_modalities(raw)


class OtherSortOrders(Queries):
    """Pricing sorts compare (prompt, completion, request, web_search) in that order instead
    of their sum (another order that never puts a model after one it dominates), and the
    sorts on data the Model object does not carry follow other data (R11 judges their set)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.orderings["throughput-high-to-low"] = (self.latency, False)
        self.orderings["latency-low-to-high"] = (self.throughput, True)
        self.orderings["most-popular"] = self.orderings["top-weekly"] = (self.created, False)

    def price(self, model: Model) -> Any:
        if self.is_router(model):
            return None
        pricing = model["pricing"]
        return tuple(Decimal(pricing.get(k, "0")) for k in self.contract.pricing_sort_keys)


def null_contexts(rows: list[dict[str, Any]]) -> None:
    """Every fifth model of unknown context length (a SHOULD finding, nothing more)."""
    for row in rows[::5]:
        row["context_length"] = None


def other_allowed_values(rows: list[dict[str, Any]]) -> None:
    """Values R5, R6 and the openrouter SDK allow that the bundled catalog does not use."""
    texts = [r for r in rows if "text" in r["architecture"]["output_modalities"]]
    texts[0]["per_request_limits"] = {"prompt_tokens": 1_000_000, "completion_tokens": 4096}
    texts[1]["architecture"]["modality"] = None
    texts[1]["architecture"]["instruct_type"] = "chatml"
    del texts[2]["top_provider"]["context_length"]
    del texts[2]["top_provider"]["max_completion_tokens"]
    texts[3]["pricing"] = {k: texts[3]["pricing"][k] for k in ("prompt", "completion")}
    texts[4]["pricing"]["prompt"] = texts[4]["pricing"]["prompt"] + "000"  # trailing zeros
    texts[5]["default_parameters"] = {}
    texts[5]["description"] = ""
    texts[6]["supported_voices"] = ["alloy", "verse"]
    texts[7]["expiration_date"] = "2027-01-31"
    texts[8]["benchmarks"] = {"design_arena": []}


class FinishWithLastContent(ChatEngine):
    """The last content delta and the finish_reason travel in the same chunk."""

    def chunks(self, completion: Completion) -> Iterator[dict[str, Any]]:
        *content, _finish, usage = list(super().chunks(completion))
        last = content.pop()
        last["choices"] = [{**last["choices"][0], "finish_reason": completion.finish_reason}]
        yield from [*content, last, usage]


class TerseFraming(ChatEngine):
    """Events framed as `data:{...}` (no space) with CRLF line ends, as SSE allows."""

    def stream_events(self, completion: Completion) -> Iterator[bytes]:
        for event in super().stream_events(completion):
            yield event.replace(b"data: ", b"data:", 1).replace(b"\n", b"\r\n")


# ----------------------------------------------------------------------------- the table

FAIR = [
    *(
        Fair(
            f"alias-redirect-{status}{'-absolute' if absolute else ''}",
            lambda status=status, absolute=absolute: alias_redirect(status, absolute)(
                create_app(battery_catalog())
            ),
            ("lookup",),
            ("LOOKUP-ALIAS-001",),
        )
        for status, absolute in ((301, False), (302, True), (307, False), (308, True))
    ),
    Fair(
        "parameters-any-of-declared",
        lambda: create_app(battery_catalog(), queries=ParametersAnyOf),
        ("models",),
        ("MODELS-PARAM-001", "MODELS-PARAM-002", "MODELS-PARAM-003", "MODELS-COMPOSE-001"),
        manifest={"supported_parameters_match": "any"},
    ),
    Fair(
        "parameters-any-of-undeclared",
        lambda: create_app(battery_catalog(), queries=ParametersAnyOf),
        ("models",),
        ("MODELS-PARAM-001", "MODELS-PARAM-002", "MODELS-PARAM-003", "MODELS-COMPOSE-001"),
        manifest={"supported_parameters_match": None},
    ),
    Fair(
        "default-order-reversed",
        lambda: create_app(queries=ReversedDefaultOrder),
        ("models", "sort", "count", "lookup"),
        ("MODELS-FILTER-001", "SORT-SET-001", "SORT-PRICE-001", "COUNT-MATCH-001"),
    ),
    Fair(
        "default-order-by-id",
        lambda: create_app(queries=DefaultOrderById),
        ("sort", "lookup", "openai-list"),
        ("SORT-SET-001", "SORT-POPULAR-001", "LOOKUP-MATCH-001", "OPENAI-LIST-004"),
    ),
    Fair(
        "other-sort-orders",
        lambda: create_app(queries=OtherSortOrders),
        ("sort",),
        ("SORT-PRICE-001", "SORT-PRICE-002", "SORT-SET-001", "SORT-POPULAR-001"),
    ),
    Fair(
        "null-context-lengths",
        lambda: create_app(edited_catalog(null_contexts, Catalog.default())),
        ("models", "sort"),
        ("MODELS-MODEL-001", "SORT-CONTEXT-001"),
        should_fail=("MODELS-MODEL-002",),
    ),
    Fair(
        "other-allowed-values",
        lambda: create_app(edited_catalog(other_allowed_values, Catalog.default())),
        ("models", "sort", "lookup", "openrouter-sdk"),
        ("MODELS-MODEL-001", "MODELS-PRICING-001", "ORSDK-MODEL-001", "ORSDK-INTEROP-001"),
    ),
    Fair(
        "extras-everywhere",
        extra_fields,
        ALL_PROFILES,
        (
            "MODELS-MODEL-001",
            "MODELS-ERROR-001",
            "COUNT-SHAPE-001",
            "LOOKUP-MATCH-001",
            "CHAT-RESP-001",
            "CHAT-STREAM-002",
            "CHAT-SDK-001",
            "ORSDK-INTEROP-001",
            "ORSDK-INTEROP-002",
        ),
    ),
    Fair(
        "unknown-modality-200-empty",
        lambda: create_app(battery_catalog(), queries=UnknownModalitySelectsNothing),
        ("models", "count"),
        ("MODELS-FILTER-006", "COUNT-UNKNOWN-001"),
        should_fail=("MODELS-FILTER-007",),
    ),
    Fair(
        "unknown-modality-200-nothing-at-all",
        lambda: create_app(battery_catalog(), queries=UnknownModalityAnswersEmpty),
        ("models", "count"),
        ("MODELS-FILTER-006", "COUNT-UNKNOWN-001", "MODELS-FILTER-003"),
        should_fail=("MODELS-FILTER-007",),
    ),
    Fair(  # OpenAI's form: {"error": {"message", "type", "code": "model_not_found"}}
        "errors-in-openai-form",
        lambda: openai_form_errors(create_app(battery_catalog())),
        ("models", "chat", "lookup", "count"),
        ("MODELS-ERROR-001", "CHAT-ERROR-001", "LOOKUP-404-001", "MODELS-SPEC-001"),
        should_fail=("MODELS-ERROR-002", "CHAT-ERROR-002"),
    ),
    Fair(
        "empty-modality-means-default",
        lambda: create_app(battery_catalog(), queries=EmptyModalityMeansDefault),
        ("models", "count"),
        ("MODELS-FILTER-006", "COUNT-UNKNOWN-001"),
        should_fail=("MODELS-FILTER-007",),
    ),
    Fair(
        "unknown-sort-200-unsorted",
        lambda: create_app(battery_catalog(), queries=UnknownSortIgnored),
        ("sort",),
        ("SORT-UNKNOWN-001",),
        should_fail=("SORT-UNKNOWN-002",),
    ),
    Fair(
        "listing-open-without-key",
        lambda: create_app(battery_catalog(), open_listing=True),
        ("models",),
        ("MODELS-AUTH-002", "MODELS-ERROR-001"),
        manifest={"listing_requires_auth": False},
    ),
    Fair(
        "unknown-chat-model-400",
        lambda: create_app(battery_catalog(), chat=UnknownModelIs400),
        ("chat",),
        ("CHAT-REJECT-004", "CHAT-ERROR-001"),
    ),
    Fair(  # the reference server's own choice, stated here next to the other one
        "unknown-chat-model-404",
        lambda: create_app(battery_catalog()),
        ("chat",),
        ("CHAT-REJECT-004", "CHAT-ERROR-001"),
    ),
    Fair(
        "sse-comments-and-keep-alives",
        lambda: create_app(battery_catalog(), chat=KeepAlives),
        ("chat", "openrouter-sdk"),
        ("CHAT-STREAM-002", "CHAT-STREAM-005", "CHAT-SDK-001", "ORSDK-INTEROP-002"),
    ),
    Fair(
        "sse-terse-framing-crlf",
        lambda: create_app(battery_catalog(), chat=TerseFraming),
        ("chat", "openrouter-sdk"),
        ("CHAT-STREAM-002", "CHAT-STREAM-005", "CHAT-SDK-001", "ORSDK-INTEROP-002"),
    ),
    Fair(
        "finish-reason-with-last-content",
        lambda: create_app(battery_catalog(), chat=FinishWithLastContent),
        ("chat", "openrouter-sdk"),
        (
            "CHAT-STREAM-003",
            "CHAT-STREAM-004",
            "CHAT-FINISH-001",
            "CHAT-SDK-001",
            "ORSDK-INTEROP-002",
        ),
    ),
    Fair(
        "response-model-is-canonical-slug",
        lambda: create_app(battery_catalog(), chat=CanonicalSlugName),
        ("chat", "openrouter-sdk"),
        ("CHAT-RESP-002", "CHAT-AUTO-001", "CHAT-VARIANT-001", "CHAT-VARIANT-003"),
    ),
    Fair(
        "variant-suffix-kept-in-name",
        lambda: create_app(battery_catalog(), chat=SuffixKeptInName),
        ("chat",),
        ("CHAT-VARIANT-001", "CHAT-VARIANT-002", "CHAT-VARIANT-007"),
    ),
    Fair(
        "reply-cut-while-thinking-has-no-content",
        lambda: create_app(battery_catalog(), chat=ThoughtUntilCut),
        ("chat",),
        ("CHAT-USAGE-003", "CHAT-FINISH-001", "CHAT-USAGE-002", "CHAT-SDK-001"),
    ),
    Fair(
        "auto-picks-the-dearest-visible-model-by-slug",
        lambda: create_app(battery_catalog(), chat=AutoPicksTheDearestBySlug),
        ("visibility", "chat"),
        ("VIS-AUTO-001", "CHAT-AUTO-001"),
    ),
    Fair(
        "foreign-chat-403",
        lambda: create_app(battery_catalog(), chat=ForeignChatIs403),
        ("visibility",),
        ("VIS-CHAT-001",),
    ),
    Fair(
        "api-v1-prefix",
        create_app,
        ("lookup", "count", "openai-list", "visibility", "chat", "openrouter-sdk"),
        ("LOOKUP-ALIAS-001", "OPENAI-LIST-004", "CHAT-SDK-001", "ORSDK-INTEROP-001"),
        prefix="/api/v1",
    ),
]


@pytest.mark.parametrize("double", FAIR, ids=[d.name for d in FAIR])
def test_allowed_choice_passes(double: Fair, judged: Callable[..., Verdict]) -> None:
    check_fair(double, judged)
