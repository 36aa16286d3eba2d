"""Profile endpoints: GET /models/{author}/{slug}/endpoints for a sample of listed models,
by their ids and by their links.details, and for a model nobody lists.

The sample (`endpoints.sample`) is not simply the cheapest ids: those are free video and
image models in real catalogs, whose pages show prices of "0" and contexts of 0, so it
takes the cheapest text models with real prices as well as the cheapest model of each
other output modality. Each page is validated once per run, whichever test asks first: a
hostile page of twenty thousand endpoints costs one validation, not one per requirement.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from arouter_conformance.checks import endpoints, lookup
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import (
    Finding,
    Inconclusive,
    cannot_judge,
    judged,
    judging,
    not_applicable,
)
from arouter_conformance.oracle import id_of
from arouter_conformance.planning import cheapest_first
from arouter_conformance.session import Run

requirement = pytest.mark.requirement
Model = Mapping[str, Any]


def _sample(run: Run) -> list[Model]:
    """The models whose endpoints are asked for: as many plain ids as --endpoint-models
    says, with a variant row's and a ~ row's links; 0 asks for every listed model (the
    links of every row, the path of every plain id)."""

    def choose() -> list[Model]:
        baseline = run.baseline()
        wanted = run.config.endpoint_models
        if wanted == 0:
            return list(baseline.models)
        return endpoints.sample(cheapest_first(baseline.models, run.contract), wanted, run.contract)

    return run.memo("endpoint-sample", choose)


def _by_path(run: Run) -> list[Exchange]:
    """Each sampled plain id's endpoints, asked for by the path its id makes (sent once:
    the GET memo answers the tests after the first)."""
    probed = [
        run.target.get(endpoints.endpoints_path(str(id_of(m))))
        for m in _sample(run)
        if endpoints.plain(m)
    ]
    if not probed:
        raise Inconclusive(
            "the list holds no plain author/slug id whose endpoints the kit could ask for"
        )
    return probed


def _page(run: Run, requirement_id: str, exchange: Exchange) -> tuple[Model | None, list[Finding]]:
    """`endpoints.endpoints_of` for `requirement_id`, the page validated once per run (by
    its URL: the GET memo answers the same URL with the same page) and its findings given
    to each requirement that reads it. Only the findings are kept: a large page is parsed
    again when asked, as the GET memo keeps it, rather than held open for the run."""
    findings = run.memo(
        "endpoints-page " + exchange.url,
        lambda: endpoints.endpoints_of(run.spec, requirement_id, exchange)[1],
    )
    if findings:
        return None, [dataclasses.replace(f, requirement=requirement_id) for f in findings]
    return exchange.json()["data"], []


def _judge_pages(
    run: Run,
    requirement_id: str,
    check: Callable[[Exchange, Model], list[Finding]],
    unjudged: str | None = None,
) -> None:
    """`check` on every page the sampled ids answered that has the endpoints shape; a page
    without it is ENDPOINTS-SHAPE-001's failure, found again here and blocked by it.
    `unjudged` is the reason the requirement ends inconclusive when no page held anything
    `check` judges (it is not shown when one did)."""
    with judging() as judgement:
        for exchange in _by_path(run):
            data, problems = _page(run, requirement_id, exchange)
            judgement.add(problems)
            if data is not None:
                judgement.add(check(exchange, data))
        if unjudged:
            cannot_judge(requirement_id, unjudged)


def _has_the_shape(exchange: Exchange, data: Model) -> list[Finding]:
    """A page read is one with the endpoints shape: reading judges no requirement itself."""
    judged("ENDPOINTS-SHAPE-001")
    return []


@requirement("ENDPOINTS-SHAPE-001")
def test_listed_ids_have_endpoint_pages(run: Run) -> None:
    _judge_pages(run, "ENDPOINTS-SHAPE-001", _has_the_shape)


@requirement("ENDPOINTS-LINK-001")
def test_links_details_lead_to_the_models_endpoints(run: Run) -> None:
    list_url = run.baseline_exchange().url  # the list that carried the links (R18)
    with judging() as judgement:
        for model in _sample(run):
            url, problems = endpoints.details_url(model, list_url)
            judgement.add(problems)
            if url is None:
                continue
            exchange = run.target.get_url(url)
            data, problems = _page(run, "ENDPOINTS-LINK-001", exchange)
            judgement.add(problems)
            if data is not None:
                judgement.add(endpoints.names_model(exchange, data, model))
        if any(endpoints.details_of(m) is not None for m in run.baseline().models):
            cannot_judge("ENDPOINTS-LINK-001", "no sampled model of the list has links.details")
        else:
            not_applicable("ENDPOINTS-LINK-001", "no listed model has links.details")


@requirement("ENDPOINTS-PRICE-001")
def test_endpoint_prices_are_decimal_strings(run: Run) -> None:
    _judge_pages(
        run,
        "ENDPOINTS-PRICE-001",
        lambda exchange, data: endpoints.prices(run.spec, exchange, data),
        "no sampled page lists an endpoint with prices",
    )


@requirement("ENDPOINTS-ENUM-001")
def test_endpoint_enumerations_hold_the_documents_values(run: Run) -> None:
    _judge_pages(
        run,
        "ENDPOINTS-ENUM-001",
        lambda exchange, data: endpoints.enumerations(run.contract, exchange, data),
        "no sampled endpoint gives a quantization or a status",
    )


@requirement("ENDPOINTS-CONTEXT-001")
def test_endpoints_offer_no_more_context_than_the_list(run: Run) -> None:
    listed = run.baseline().by_id
    _judge_pages(
        run,
        "ENDPOINTS-CONTEXT-001",
        lambda exchange, data: endpoints.context_within(exchange, data, listed),
        "no sampled endpoint gives a context_length",
    )


@requirement("ENDPOINTS-404-001")
def test_unknown_models_have_no_endpoints(run: Run) -> None:
    baseline = run.baseline()
    model_id = "zz-unknown-author/zz-unknown-model"
    if model_id in baseline.ids or model_id in run.manifest.aliases:
        pytest.skip(f"not applicable: the target lists {model_id}")
    exchange = run.target.get(endpoints.endpoints_path(model_id))
    with judging() as judgement:
        judgement.add(
            lookup.not_found("ENDPOINTS-404-001", exchange, "the endpoints of a model nobody lists")
        )
