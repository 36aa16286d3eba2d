"""Observed list, count and lookup answers, judged with the checks the models-side suites use.

Each answer is judged on its own where it can be (the envelope, every Model object, ids,
error bodies, a sorted list's order) and against what earlier traffic showed where the
requirement compares two answers (a filtered list against the `all` list, a count against
the list for the same value, a lookup against its list entry, a sorted list's set against
the unsorted one). What no observation can show is left alone: a filter is judged only
once the `all` list has been seen, a 404 only against a complete list.

Answers that say something about the caller rather than the request (a refused key, no
credit, a rate limit) are judged for their error body only: nothing else about them is
the gateway's to get right or wrong.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from arouter_conformance.checks import auth, count, filters, listing, lookup, openai_list, sort
from arouter_conformance.checks.common import listed_models
from arouter_conformance.checks.http import (
    error_body,
    error_status_code,
    no_server_error,
    refused_with_400,
)
from arouter_conformance.checks.sdk import sdk_list
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.config import RunConfig
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, not_applicable
from arouter_conformance.observe.memory import (
    Listed,
    Memory,
    WaitingCount,
    WaitingLookup,
    filter_key,
)
from arouter_conformance.observe.paths import Call
from arouter_conformance.observe.tally import evidence
from arouter_conformance.oracle import (
    Baseline,
    ModalitySelection,
    ParameterRule,
    id_of,
    parse_list,
    parse_modalities,
    split_variant,
)
from arouter_conformance.spec import Spec

__all__ = [
    "CALLER_REFUSALS",
    "judge_count",
    "judge_list",
    "judge_lookup",
    "judged_further",
    "moved",
    "parameter_rule",
]

Model = Mapping[str, Any]
# Refusals about the caller (key, credit, rate), not about what was asked.
CALLER_REFUSALS = frozenset({401, 402, 403, 407, 429})
SINGLE: tuple[ParameterRule, ...] = ("all",)
_ORDERS = {
    "context-high-to-low": "SORT-CONTEXT-001",
    "newest": "SORT-NEWEST-001",
    "pricing-low-to-high": "SORT-PRICE-001",
    "pricing-high-to-low": "SORT-PRICE-002",
    "most-popular": "SORT-POPULAR-001",
    "top-weekly": "SORT-POPULAR-001",
}


def _answer_basics(spec: Spec, exchange: Exchange, kind: str, config: RunConfig) -> list[Finding]:
    """What every list, count and lookup answer shows: no 5xx, the error body of a refusal,
    and for a request without a key, whether the target refused or served it as declared."""
    findings = no_server_error("MODELS-SPEC-002", exchange)
    if exchange.status >= 400:
        findings += error_body(spec, "MODELS-ERROR-001", exchange)
        findings += error_status_code(spec, "MODELS-ERROR-002", exchange)
    if exchange.auth in ("none", "wrong"):
        declared = config.manifest.listing_requires_auth
        if declared is True:
            findings += auth.refused("MODELS-AUTH-001", exchange)
        elif declared is False and kind == "list" and exchange.auth == "none":
            findings += auth.accepted("MODELS-AUTH-002", exchange)
    return findings


def judged_further(exchange: Exchange) -> bool:
    """Whether the answer says more than the error body: not a refusal of the caller, and
    asked with the key (or with none, and served). A restricted key's answers hold what
    that key may see, which no other answer is judged against here."""
    if exchange.status in CALLER_REFUSALS or exchange.status == 304:
        return False  # a 304 says the client's cached copy holds: no answer to judge
    return exchange.auth == "key" or (exchange.auth == "none" and exchange.status == 200)


def moved(exchange: Exchange) -> bool:
    """A redirect: the answer is wherever it points, an observation of its own."""
    return 300 <= exchange.status < 400


# ---------------------------------------------------------------------------- lists
def judge_list(exchange: Exchange, call: Call, memory: Memory, config: RunConfig) -> list[Finding]:
    findings = _answer_basics(memory.spec, exchange, "list", config)
    if not judged_further(exchange) or moved(exchange):
        return findings
    query = call.query
    contract = memory.contract
    plain = query == {}
    everything = query == {"output_modalities": contract.all_output_modalities}
    models: list[Model] | None = None
    if exchange.status == 200 or plain or everything:
        models, problems = listing.list_envelope(memory.spec, exchange)
        findings += problems
    if models is not None:
        findings += _model_checks(exchange, models, memory, plain, everything)
    if query is not None and exchange.auth == "key":
        if "sort" in query:
            findings += _sorted(exchange, query, models, memory)
        else:
            findings += _filtered(exchange, query, memory, config)
            ids = None if models is None else tuple(i for i in map(id_of, models) if i is not None)
            memory.remember_list(filter_key(query), Listed(evidence(exchange), ids))
        if everything and models is not None:
            memory.everything = Baseline(models, contract)
            memory.everything_from = evidence(exchange)
    if models is not None:
        memory.remember_models(models, exchange.url)
    return findings + _resolve_waiting(memory, declared=bool(config.manifest.aliases))


def _model_checks(
    exchange: Exchange,
    models: list[Model],
    memory: Memory,
    plain: bool,
    everything: bool,
) -> list[Finding]:
    findings = listing.model_objects(memory.spec, models, exchange, seen=memory.validated())
    findings += listing.unique_ids(models, exchange)
    if models:
        findings += listing.context_lengths(models, exchange)
        findings += listing.created_in_seconds(models, exchange)
    findings += listing.free_variants(models, exchange)
    if everything and not any(str(id_of(m)).endswith(":free") for m in models):
        not_applicable("MODELS-PRICING-002", "the list of all models holds no :free ids")
    body = exchange.json()
    if plain:
        findings += schema_findings(memory.spec, "OpenAIList.json", body, exchange=exchange)
        findings += openai_list.owned_by_author(exchange, models)
    if plain or everything:
        findings += sdk_list(memory.spec, exchange, body)
    return findings


def _rules(config: RunConfig) -> tuple[ParameterRule, ...]:
    declared = config.manifest.supported_parameters_match
    return (declared,) if declared else ("all", "any")


def _filtered(
    exchange: Exchange, query: Mapping[str, str], memory: Memory, config: RunConfig
) -> list[Finding]:
    """The filters, judged against the `all` list as the models suite judges them."""
    baseline = memory.everything
    if baseline is None:
        return []
    contract = memory.contract
    raw = query.get("output_modalities")
    selection = parse_modalities(raw, contract)
    if selection.spaced:
        return []  # the SHOULD about spaces compares two answers; not judged here
    valid = selection.everything or (
        not selection.empty and selection.tokens <= baseline.known_modalities
    )
    parameters = query.get("supported_parameters")
    if parameters is None:
        if raw is None:
            return filters.modality_answer("MODELS-FILTER-001", exchange, selection, baseline)
        if selection.everything:
            return []  # the baseline itself
        if not valid:
            return filters.unknown_modality_answer(exchange, selection, baseline)
        findings: list[Finding] = []
        if selection.tokens >= baseline.known_modalities:
            every = ModalitySelection(raw, frozenset(), everything=True)
            findings += filters.modality_answer("MODELS-FILTER-004", exchange, every, baseline)
        requirement = "MODELS-FILTER-002" if len(selection.tokens) == 1 else "MODELS-FILTER-003"
        return findings + filters.modality_answer(requirement, exchange, selection, baseline)
    names = parse_list(parameters)
    if not names or not valid:
        return []
    scope = baseline.select(selection)
    listed = set(baseline.listed_parameters)
    invented = [n for n in names if n not in listed and n not in contract.documented_parameters]
    if invented:
        unknown = [n for n in names if n not in listed]
        return filters.unknown_parameter_answer(exchange, scope, names, _rules(config), unknown)
    if raw is not None and not selection.everything:
        return filters.parameter_answer(
            "MODELS-COMPOSE-001", exchange, scope, names, _rules(config)
        )[1]
    if len(names) == 1:
        return filters.parameter_answer("MODELS-PARAM-001", exchange, scope, names, SINGLE)[1]
    observation, findings = filters.parameter_answer(
        "MODELS-PARAM-002", exchange, scope, names, _rules(config)
    )
    if observation is not None:
        memory.parameter_answers.append(replace(observation, exchange=evidence(exchange)))
    return findings


def _sorted(
    exchange: Exchange, query: Mapping[str, str], models: list[Model] | None, memory: Memory
) -> list[Finding]:
    """A sorted list's order on its own, and its set against the unsorted list with the
    same filters when that was seen."""
    value = query["sort"]
    contract = memory.contract
    unsorted = memory.listed(filter_key(query))
    if value not in contract.sort_values:
        if exchange.status != 200:
            return sort.unknown_sort_answer(exchange, None, [])
        if unsorted is None or unsorted.ids is None:
            return refused_with_400("SORT-UNKNOWN-002", exchange, "an unknown sort value")
        return sort.unknown_sort_answer(exchange, models, unsorted.models())
    requirement = _ORDERS.get(value, "SORT-SET-001")
    served = unsorted is not None and unsorted.ids is not None
    if exchange.status != 200 and not served:
        return []  # refused, but so may the filters be: only a served unsorted list says
    shown, problems = listed_models(requirement, exchange)
    if shown is None:
        return problems
    findings: list[Finding] = []
    if value == "context-high-to-low":
        findings += sort.context_order(exchange, shown)
    elif value == "newest":
        findings += sort.newest_order(exchange, shown)
    elif value.startswith("pricing-"):
        descending = value == "pricing-high-to-low"
        findings += sort.price_order(requirement, exchange, shown, contract, descending)
    elif value in ("most-popular", "top-weekly"):
        findings += _popular(exchange, query, value, shown, memory)
    if served:
        assert unsorted is not None
        findings += sort.same_set("SORT-SET-001", exchange, shown, unsorted.models(), value)
    return findings


def _popular(
    exchange: Exchange, query: Mapping[str, str], value: str, shown: list[Model], memory: Memory
) -> list[Finding]:
    """SORT-POPULAR-001 once both orders were seen for the same filters."""
    key = filter_key(query)
    ids = tuple(i for i in map(id_of, shown) if i is not None)
    memory.remember_order(key, value, Listed(evidence(exchange), ids))
    weekly, popular = (
        memory.orders.get((key, "top-weekly")),
        memory.orders.get((key, "most-popular")),
    )
    if weekly is None or popular is None:
        return []
    return sort.same_order(
        "SORT-POPULAR-001",
        weekly.exchange,
        weekly.models(),
        popular.models(),
        popular.exchange,
    )


# ---------------------------------------------------------------------------- counts
def judge_count(exchange: Exchange, call: Call, memory: Memory, config: RunConfig) -> list[Finding]:
    findings = _answer_basics(memory.spec, exchange, "count", config)
    if not judged_further(exchange) or moved(exchange) or exchange.auth != "key":
        return findings
    query = call.query
    if query is None or set(query) - {"output_modalities"}:
        if exchange.status == 200:
            findings += count.count_value(memory.spec, "COUNT-SHAPE-001", exchange)[1]
        return findings
    raw = query.get("output_modalities")
    selection = parse_modalities(raw, memory.contract)
    unknown = not selection.everything and (
        selection.empty or not selection.tokens <= memory.known_modalities()
    )
    if unknown and exchange.status != 200:
        return findings + no_server_error("COUNT-UNKNOWN-001", exchange)
    requirement = "COUNT-UNKNOWN-001" if unknown else "COUNT-SHAPE-001"
    number, problems = count.count_value(memory.spec, requirement, exchange)
    if number is None:
        return findings + problems
    waiting = WaitingCount(
        evidence(exchange),
        filter_key(query),
        number,
        "COUNT-UNKNOWN-001" if unknown else "COUNT-MATCH-001",
    )
    judged = _count_against_list(waiting, memory)
    if judged is None:
        memory.counts.append(waiting)
        return findings
    return findings + judged


def _count_against_list(waiting: WaitingCount, memory: Memory) -> list[Finding] | None:
    listed = memory.listed(waiting.key)
    if listed is None:
        return None
    size = len(listed.ids) if listed.ids is not None else None
    if waiting.requirement == "COUNT-UNKNOWN-001":
        return count.unknown_count_answer(memory.spec, waiting.exchange, listed.exchange, size)
    if size is None:
        return []  # the list was refused: its own requirements say so
    return count.count_matches(
        "COUNT-MATCH-001", waiting.exchange, waiting.count, listed.exchange, size
    )


# ---------------------------------------------------------------------------- lookups
def _lookup_kind(model_id: str) -> str:
    """Which lookup requirement a listed id belongs to (as the lookup suite sorts them)."""
    if model_id.startswith("~") or split_variant(model_id)[1]:
        return "LOOKUP-VARIANT-001"
    return "LOOKUP-MATCH-001"


def judge_lookup(
    exchange: Exchange, call: Call, memory: Memory, config: RunConfig
) -> list[Finding]:
    findings = _answer_basics(memory.spec, exchange, "lookup", config)
    if not judged_further(exchange) or exchange.auth != "key" or call.model_id is None:
        return findings
    model_id = call.model_id
    aliases = config.manifest.aliases
    if model_id in aliases:
        return findings + _alias(exchange, model_id, aliases[model_id], memory)
    model: Model | None = None
    if exchange.status == 200:
        model, problems = lookup.looked_up(memory.spec, "LOOKUP-SHAPE-001", exchange)
        findings += problems
        if model is None:
            return findings
    elif exchange.status in memory.contract.redirect_statuses:
        return findings  # a redirect for an id not declared an alias: nothing says where to
    waiting = WaitingLookup(evidence(exchange), model_id, model)
    judged = _lookup_against_list(waiting, memory, declared=bool(aliases))
    if judged is None:
        memory.lookups.append(waiting)
        return findings
    return findings + judged


def _lookup_against_list(
    waiting: WaitingLookup, memory: Memory, declared: bool
) -> list[Finding] | None:
    """The lookup against its list entry; a 404 (or a 200) for an id the complete list
    does not hold; None while no list says either. An unlisted id answered with a listed
    model is an alias: a failure when the manifest declares the target's aliases (and not
    this one), unjudged when it declares none (the traffic cannot tell)."""
    model_id, exchange, model = waiting.model_id, waiting.exchange, waiting.model
    listed = memory.entries.get(model_id)
    if listed is not None:
        requirement = _lookup_kind(model_id)
        if model is None:
            shape = "LOOKUP-SHAPE-001" if requirement == "LOOKUP-MATCH-001" else requirement
            return lookup.looked_up(memory.spec, shape, exchange)[1]
        return lookup.matches_listing(requirement, exchange, model, listed)
    everything = memory.everything
    if everything is None:
        return None
    if model is not None and id_of(model) in everything.ids and not declared:
        return []
    base, variant = split_variant(model_id)
    if variant == "free" and base in everything.ids:
        return lookup.not_found("LOOKUP-FREE-001", exchange, "a :free nobody lists")
    return lookup.not_found("LOOKUP-404-001", exchange)


def _alias(exchange: Exchange, alias: str, canonical: str, memory: Memory) -> list[Finding]:
    """LOOKUP-ALIAS-001: the canonical model, or a redirect to its lookup (one hop: the
    hop after it is an observation of its own)."""
    head = exchange.url.split("?", 1)[0]
    expected = head[: head.rindex("/model/")] + lookup.lookup_path(canonical)
    findings = lookup.alias_redirect(
        exchange, canonical, expected, memory.contract.redirect_statuses
    )
    if findings or exchange.status != 200:
        return findings
    return lookup.alias_answer(memory.spec, exchange, alias, canonical)


# ---------------------------------------------------------------------------- waiting
def _resolve_waiting(memory: Memory, declared: bool) -> list[Finding]:
    """The counts and lookups a list just seen lets judge."""
    findings: list[Finding] = []
    counts = list(memory.counts)
    memory.counts.clear()
    for waiting_count in counts:
        judged = _count_against_list(waiting_count, memory)
        if judged is None:
            memory.counts.append(waiting_count)
        else:
            findings += judged
    lookups = list(memory.lookups)
    memory.lookups.clear()
    for waiting_lookup in lookups:
        judged = _lookup_against_list(waiting_lookup, memory, declared)
        if judged is None:
            memory.lookups.append(waiting_lookup)
        else:
            findings += judged
    return findings


def parameter_rule(memory: Memory, config: RunConfig) -> list[Finding]:
    """MODELS-PARAM-002 across every several-parameter answer kept so far."""
    answers: Sequence[filters.ParameterObservation] = list(memory.parameter_answers)
    return filters.parameter_rule_consistency(answers, config.manifest.supported_parameters_match)
