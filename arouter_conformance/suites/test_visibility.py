"""Profile visibility: a restricted key sees its providers' models, in list, count, lookup."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from arouter_conformance.checks import chat, count, lookup, visibility
from arouter_conformance.checks.common import listed_models
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, require
from arouter_conformance.oracle import author_of, cheapest
from arouter_conformance.session import Run

requirement = pytest.mark.requirement


def _providers(run: Run) -> Sequence[str]:
    providers = run.restricted_providers
    if not providers or not run.config.restricted_key:
        pytest.skip("not applicable: the manifest declares no restricted key (restricted:)")
    return providers


def _restricted_list(run: Run) -> tuple[Exchange, list[Mapping[str, Any]] | None, list[Finding]]:
    query = {"output_modalities": run.contract.all_output_modalities}
    exchange = run.target.get("/models", query, auth="restricted")
    models, findings = listed_models("VIS-LIST-001", exchange)
    return exchange, models, findings


@requirement("VIS-LIST-001")
def test_restricted_key_sees_only_its_providers(run: Run) -> None:
    providers = _providers(run)
    exchange, models, findings = _restricted_list(run)
    require(findings)
    require(visibility.only_own_models(exchange, models or [], providers))


@requirement("VIS-LIST-002")
def test_restricted_key_sees_all_of_its_providers(run: Run) -> None:
    providers = _providers(run)
    exchange, models, _ = _restricted_list(run)
    if models is None:
        pytest.skip("not applicable: the restricted list could not be read (see VIS-LIST-001)")
    require(visibility.every_own_model(exchange, models, run.baseline().models, providers))


@requirement("VIS-COUNT-001")
def test_restricted_count_matches_its_list(run: Run) -> None:
    _providers(run)
    query = {"output_modalities": run.contract.all_output_modalities}
    list_exchange, models, _ = _restricted_list(run)
    count_exchange = run.target.get("/models/count", query, auth="restricted")
    number, findings = count.count_value("VIS-COUNT-001", count_exchange)
    require(findings)
    if models is None or number is None:
        pytest.skip("not applicable: the restricted list could not be read (see VIS-LIST-001)")
    require(
        count.count_matches("VIS-COUNT-001", count_exchange, number, list_exchange, len(models))
    )


@requirement("VIS-LOOKUP-001")
def test_restricted_key_cannot_look_up_other_providers(run: Run) -> None:
    providers = _providers(run)
    foreign = [i for i in sorted(run.baseline().ids) if author_of(i) not in providers][:3]
    if not foreign:
        pytest.skip("not applicable: every listed model belongs to the restricted providers")
    findings: list[Finding] = []
    for model_id in foreign:
        exchange = run.lookup(model_id, auth="restricted")
        findings += lookup.not_found("VIS-LOOKUP-001", exchange)
    require(findings)


@requirement("VIS-CHAT-001")
def test_restricted_key_cannot_chat_with_other_providers(run: Run) -> None:
    providers = _providers(run)
    if run.config.chat_budget == 0:
        pytest.skip("not applicable: no chat requests allowed in this run (--no-chat)")
    baseline = run.baseline()
    foreign = cheapest(
        (m for m in baseline.text_models() if author_of(str(m["id"])) not in providers),
        run.contract,
    )
    if foreign is None:
        pytest.skip("not applicable: every text model belongs to the restricted providers")
    exchange = run.chat(run.chat_body(foreign), auth="restricted")
    require(chat.refused_4xx("VIS-CHAT-001", exchange))
