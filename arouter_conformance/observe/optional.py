"""Observed answers of three optional profiles (R18-R20), judged with the checks their
suites use: a model's endpoints page, the user list and the providers.

What one answer shows is judged on its own: an endpoints page's shape, prices and
enumerations, the providers' shape and slugs, the user list's shape, and whether a user
list asked for without a key was refused. What two answers show is judged only against the
same key's lists seen before it, never against a list that comes later (a client reads the
list before what it links to): an endpoints page's context lengths and a user list's models
against the `all` list, the status of an unlisted model's endpoints against that complete
list, and a page fetched where a listed model's links.details leads against that model.

Left to the suites: USER-VIS-001 (which key is restricted is the manifest's word, not the
traffic's), USER-CHAT-001 (a chat paired with the same key's user list), and the links
no client could follow (a links.details the kit refuses is never fetched, so no page shows
it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from arouter_conformance.checks import auth, endpoints, links, lookup, providers, user_models
from arouter_conformance.checks.http import error_body, error_status_code
from arouter_conformance.config import RunConfig
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding
from arouter_conformance.observe.memory import Memory
from arouter_conformance.observe.models import judged_further, moved
from arouter_conformance.observe.paths import Call

__all__ = ["judge_endpoints", "judge_providers", "judge_user"]

Model = Mapping[str, Any]
SHAPE = "ENDPOINTS-SHAPE-001"
LINK = "ENDPOINTS-LINK-001"


# ---------------------------------------------------------------------------- endpoints
def judge_endpoints(
    exchange: Exchange, call: Call, memory: Memory, config: RunConfig
) -> list[Finding]:
    """A page is judged for its shape when it is a 200 or the endpoints of a plain id the
    same key's lists hold (a listed id must have its page), for its prices, enumerations
    and context lengths once it has the shape; where a listed link leads, for being that
    model's page (as the suite, a page without the shape fails the link as well); for an
    id nobody lists, for its status."""
    findings = _error_answer(exchange, memory, config)
    if not judged_further(exchange) or moved(exchange) or call.model_id is None:
        return findings
    model_id = call.model_id
    keyed = exchange.auth == "key"
    entry = memory.entries.get(model_id) if keyed else None
    listed = entry is not None and endpoints.plain(entry)
    linking = _linking(exchange, memory) if keyed else []
    data: Model | None = None
    problems: list[Finding] = []
    if exchange.status == 200 or listed or linking:
        data, problems = endpoints.endpoints_of(memory.spec, SHAPE, exchange)
        if exchange.status == 200 or listed:
            findings += problems
    if data is not None:
        findings += endpoints.prices(memory.spec, exchange, data)
        findings += endpoints.enumerations(memory.contract, exchange, data)
        if keyed and memory.everything is not None:
            findings += endpoints.context_within(exchange, data, memory.everything.by_id)
    if linking:
        findings += (
            [replace(f, requirement=LINK) for f in problems]
            if data is None
            else [f for model in linking for f in endpoints.names_model(exchange, data, model)]
        )
    if keyed and entry is None:
        findings += _unlisted(exchange, model_id, data, memory, config)
    return findings


def _error_answer(exchange: Exchange, memory: Memory, config: RunConfig) -> list[Finding]:
    """The error body of a 4xx or 5xx endpoints answer, which MODELS-ERROR-001 judges when
    the endpoints profile is claimed (as the models suite judges it)."""
    if exchange.status < 400 or "endpoints" not in config.profiles:
        return []
    return error_body(memory.spec, "MODELS-ERROR-001", exchange) + error_status_code(
        memory.spec, "MODELS-ERROR-002", exchange
    )


def _linking(exchange: Exchange, memory: Memory) -> list[Model]:
    """The listed models whose links.details leads where `exchange` was sent, each resolved
    against the URL of the list answer that carried it, as the suite resolves them."""
    here = links.request(exchange.url)

    def resolve(link: str, list_url: str) -> str | None:
        try:
            return links.follow(link, list_url)
        except links.Refused:
            return None  # no client sends it as given, or not to the target: no page shows it

    found = []
    for model_id, model in memory.entries.items():
        details = endpoints.details_of(model)
        if isinstance(details, str):
            url = memory.leads_to(details, memory.carried_by[model_id], resolve)
            if url is not None and links.request(url) == here:
                found.append(model)
    return found


def _unlisted(
    exchange: Exchange, model_id: str, data: Model | None, memory: Memory, config: RunConfig
) -> list[Finding]:
    """ENDPOINTS-404-001, its status only, for an id the complete `all` list neither holds
    nor names as a canonical_slug (R18 serves those), and the manifest does not declare an
    alias. A page naming a listed model is not judged: an alias the traffic cannot tell."""
    everything = memory.everything
    if everything is None or model_id in config.manifest.aliases:
        return []
    names = set(everything.ids) | {
        m["canonical_slug"] for m in everything.models if isinstance(m.get("canonical_slug"), str)
    }
    if model_id in names or (data is not None and data.get("id") in names):
        return []
    return lookup.not_found("ENDPOINTS-404-001", exchange, "a model nobody lists")


# ---------------------------------------------------------------------------- user-models
def judge_user(exchange: Exchange, call: Call, memory: Memory, config: RunConfig) -> list[Finding]:
    """Without a key, USER-AUTH-001; with one, the shape, and the models against the same
    key's `all` list when that was seen."""
    if exchange.status == 304 or moved(exchange):
        return []
    if exchange.auth == "none":
        return auth.refused("USER-AUTH-001", exchange)
    if exchange.auth != "key" or not judged_further(exchange):
        return []
    models, findings = user_models.user_list(memory.spec, exchange)
    everything, answer = memory.everything, memory.everything_from
    if models is not None and everything is not None and answer is not None:
        findings += user_models.within_all(exchange, models, answer, everything.by_id)
    return findings


# ---------------------------------------------------------------------------- providers
def judge_providers(
    exchange: Exchange, call: Call, memory: Memory, config: RunConfig
) -> list[Finding]:
    if not judged_further(exchange) or moved(exchange):
        return []
    listed, findings = providers.providers_of(memory.spec, "PROVIDERS-SHAPE-001", exchange)
    if listed is not None:
        findings += providers.unique_slugs(exchange, listed)
    return findings
