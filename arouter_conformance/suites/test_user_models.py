"""Profile user-models: GET /models/user needs a key, holds the key's listed models as they
are listed, honours a restricted key, and chat refuses what it leaves out (ruling R19)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from arouter_conformance.checks import auth, chat, user_models, visibility
from arouter_conformance.checks.common import listed_models
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, Inconclusive, cannot_judge, require
from arouter_conformance.oracle import Baseline, chat_capable, id_of
from arouter_conformance.planning import cheapest
from arouter_conformance.session import Run
from arouter_conformance.suites._shared import completion_of

requirement = pytest.mark.requirement
SHAPE = "USER-SHAPE-001"
Model = Mapping[str, Any]


def _roles(run: Run) -> list[str]:
    """The keys whose user lists are judged: the main one, and the restricted one when the
    manifest declares it."""
    return ["key", "restricted"] if _restricted(run) else ["key"]


def _restricted(run: Run) -> Sequence[str] | None:
    return run.restricted_providers if run.config.restricted_key else None


def _answer(run: Run, role: str) -> Exchange:
    return run.target.get(user_models.PATH, auth=role)


def _models(run: Run, role: str) -> tuple[Exchange, list[Model]]:
    """The key's user list; the tests that judge what it holds stop, blocked by its shape,
    when it cannot be read."""
    exchange = _answer(run, role)
    models, _ = listed_models(SHAPE, exchange)
    if models is None:
        raise Inconclusive(
            f"{exchange.describe()} could not be read (see {SHAPE})", blocked_by=SHAPE
        )
    return exchange, models


@requirement("USER-AUTH-001")
def test_user_list_needs_a_key(run: Run) -> None:
    require(auth.refused("USER-AUTH-001", run.target.get(user_models.PATH, auth="none")))


@requirement("USER-SHAPE-001")
def test_user_list_has_the_list_shape(run: Run) -> None:
    findings: list[Finding] = []
    for role in _roles(run):
        findings += user_models.user_list(run.spec, _answer(run, role))[1]
    require(findings)


@requirement("USER-SUBSET-001")
def test_user_list_is_drawn_from_the_same_keys_list(run: Run) -> None:
    baseline = run.baseline()
    findings: list[Finding] = []
    for role in _roles(run):
        exchange, models = _models(run, role)
        if role == "key":
            findings += user_models.within_all(
                exchange, models, run.baseline_exchange(), baseline.by_id
            )
            continue
        everything, listed = run.models(run.baseline_query, auth=role)
        if listed is None:
            cannot_judge(
                "USER-SUBSET-001",
                f"{everything.describe()}: the restricted key's list of all models could not "
                "be read",
            )
            continue
        findings += user_models.within_all(
            exchange,
            models,
            everything,
            Baseline(listed, run.contract).by_id,
            providers=_restricted(run),
        )
    require(findings)


@requirement("USER-VIS-001")
def test_restricted_user_list_holds_only_its_providers(run: Run) -> None:
    providers = _restricted(run)
    if not providers:
        pytest.skip("not applicable: the manifest declares no restricted key (restricted:)")
    exchange, models = _models(run, "restricted")
    require(visibility.only_own_models(exchange, models, providers, "USER-VIS-001"))


@requirement("USER-CHAT-001")
def test_chat_refuses_what_the_user_list_leaves_out(run: Run) -> None:
    """One chat request at most: the cheapest text model the main key's user list leaves
    out, or else the restricted key's (often the one VIS-CHAT-001 asks for already)."""
    if run.config.chat_budget == 0:
        pytest.skip("not applicable: no chat requests allowed in this run (--no-chat)")
    texts = [m for m in run.baseline().models if chat_capable(m, run.contract)]
    unknown: str | None = None
    for role in _roles(run):
        exchange, models = _models(run, role)
        kept = {id_of(m) for m in models}
        why = user_models.partial(exchange)
        if why is not None:
            unknown = unknown or f"{why}: a model missing from it may be on another page"
            continue
        left_out = [m for m in texts if id_of(m) not in kept]
        model = cheapest(left_out, run.contract)
        if model is None and left_out:
            unknown = unknown or "the text models the user list leaves out show no price"
        if model is not None:
            require(chat.refused_4xx("USER-CHAT-001", completion_of(run, model, auth=role)))
            return
    if unknown is not None:
        raise Inconclusive(unknown)
    pytest.skip("not applicable: no key's user list leaves a listed text model out")
