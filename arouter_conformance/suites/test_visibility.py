"""Profile visibility: a restricted key sees its providers' models, in list, count, lookup."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from arouter_conformance.checks import chat, count, lookup, visibility
from arouter_conformance.checks.common import listed_models
from arouter_conformance.findings import Finding, Inconclusive, cannot_judge, require
from arouter_conformance.oracle import author_of, chat_capable
from arouter_conformance.planning import cheapest
from arouter_conformance.session import Run
from arouter_conformance.suites._shared import completion_of

requirement = pytest.mark.requirement


def _providers(run: Run) -> Sequence[str]:
    providers = run.restricted_providers
    if not providers or not run.config.restricted_key:
        pytest.skip("not applicable: the manifest declares no restricted key (restricted:)")
    return providers


def _scopes(run: Run) -> list[dict[str, str] | None]:
    """The default list, the one clients fetch, and the whole list."""
    return [None, {"output_modalities": run.contract.all_output_modalities}]


@requirement("VIS-LIST-001")
def test_restricted_key_sees_only_its_providers(run: Run) -> None:
    providers = _providers(run)
    findings: list[Finding] = []
    for query in _scopes(run):
        exchange = run.target.get("/models", query, auth="restricted")
        models, problems = listed_models("VIS-LIST-001", exchange)
        findings += problems or visibility.only_own_models(exchange, models or [], providers)
    require(findings)


@requirement("VIS-LIST-002")
def test_restricted_key_sees_all_of_its_providers(run: Run) -> None:
    providers = _providers(run)
    findings: list[Finding] = []
    for query in _scopes(run):
        exchange, models = run.models(query, auth="restricted")
        _, unrestricted = run.models(query)
        if models is None or unrestricted is None:
            cannot_judge("VIS-LIST-002", "a list could not be read (see VIS-LIST-001)")
            continue
        findings += visibility.every_own_model(exchange, models, unrestricted, providers)
    require(findings)


@requirement("VIS-COUNT-001")
def test_restricted_count_matches_its_list(run: Run) -> None:
    _providers(run)
    findings: list[Finding] = []
    for query in _scopes(run):
        list_exchange, models = run.models(query, auth="restricted")
        count_exchange = run.target.get("/models/count", query, auth="restricted")
        number, problems = count.count_value(run.spec, "VIS-COUNT-001", count_exchange)
        findings += problems
        if models is None:
            cannot_judge(
                "VIS-COUNT-001", "the restricted list could not be read (see VIS-LIST-001)"
            )
            continue
        if number is not None:
            findings += count.count_matches(
                "VIS-COUNT-001", count_exchange, number, list_exchange, len(models)
            )
    require(findings)


@requirement("VIS-LOOKUP-001")
def test_restricted_key_cannot_look_up_other_providers(run: Run) -> None:
    providers = _providers(run)
    foreign = [i for i in sorted(run.baseline().ids) if author_of(i) not in providers][:3]
    if not foreign:
        pytest.skip("not applicable: every listed model belongs to the restricted providers")
    findings: list[Finding] = []
    for model_id in foreign:
        exchange = run.lookup(model_id, auth="restricted")
        findings += lookup.not_found(
            "VIS-LOOKUP-001", exchange, "a model of a provider the key has not enabled"
        )
    require(findings)


@requirement("VIS-AUTO-001")
def test_auto_serves_a_restricted_key_with_its_providers(run: Run) -> None:
    providers = _providers(run)
    if run.config.chat_budget == 0:
        pytest.skip("not applicable: no chat requests allowed in this run (--no-chat)")
    _, own = run.models(None, auth="restricted")
    if own is None:
        raise Inconclusive("the restricted list could not be read (see VIS-LIST-001)")
    if not any(chat_capable(m, run.contract) for m in own):
        pytest.skip("not applicable: the restricted key sees no text model to be routed to")
    exchange = run.chat(run.chat_body(run.auto_model), auth="restricted")
    body, findings = chat.served("VIS-AUTO-001", exchange)
    require(
        findings or visibility.auto_within_own_models(exchange, body, run.baseline(), providers)
    )


@requirement("VIS-CHAT-001")
def test_restricted_key_cannot_chat_with_other_providers(run: Run) -> None:
    providers = _providers(run)
    if run.config.chat_budget == 0:
        pytest.skip("not applicable: no chat requests allowed in this run (--no-chat)")
    baseline = run.baseline()
    foreign = cheapest(
        (
            m
            for m in baseline.models
            if chat_capable(m, run.contract) and author_of(str(m["id"])) not in providers
        ),
        run.contract,
    )
    if foreign is None:
        pytest.skip("not applicable: every text model belongs to the restricted providers")
    exchange = completion_of(run, foreign, auth="restricted")
    require(chat.refused_4xx("VIS-CHAT-001", exchange))
