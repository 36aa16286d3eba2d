"""Profile sort: the eight orderings of seed 002, judged as ruling R11 allows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from arouter_conformance.checks import sort
from arouter_conformance.checks.common import listed_models
from arouter_conformance.client import Query
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, require
from arouter_conformance.session import Run

requirement = pytest.mark.requirement


def _scopes(run: Run) -> list[dict[str, str]]:
    """The filters every sort is tried with: the default list and the whole list."""
    return [{}, {"output_modalities": run.contract.all_output_modalities}]


def _sorted(
    run: Run, scope: dict[str, str], value: str, requirement_id: str
) -> tuple[Exchange, list[Mapping[str, Any]]]:
    exchange = run.target.get("/models", {**scope, "sort": value})
    models, findings = listed_models(requirement_id, exchange)
    require(findings)
    return exchange, models or []


def _filtered_scopes(run: Run) -> list[dict[str, str]]:
    """Sort combined with a real filter, as seed 002's own example combines it with
    supported_parameters: a sort that drops the filter returns more than it should."""
    baseline = run.baseline()
    parameter, modality = baseline.telling_parameter(), baseline.telling_modality()
    scopes = [{"supported_parameters": parameter}] if parameter else []
    return scopes + ([{"output_modalities": modality}] if modality else [])


@requirement("SORT-SET-001")
def test_sorting_never_changes_the_set(run: Run) -> None:
    findings: list[Finding] = []
    for scope in [*_scopes(run), *_filtered_scopes(run)]:
        query: Query = scope or None
        _, unsorted = run.models(query)
        if unsorted is None:  # the list requirements' finding; nothing to compare with
            cannot_judge(
                "SORT-SET-001", f"the unsorted list for {scope or 'no filter'} is unreadable"
            )
            continue
        for value in run.contract.sort_values:
            exchange, models = _sorted(run, scope, value, "SORT-SET-001")
            findings += sort.same_set("SORT-SET-001", exchange, models, unsorted, value)
    require(findings)


@requirement("SORT-CONTEXT-001")
def test_context_high_to_low(run: Run) -> None:
    for scope in _scopes(run):
        exchange, models = _sorted(run, scope, "context-high-to-low", "SORT-CONTEXT-001")
        require(sort.context_order(exchange, models))


@requirement("SORT-NEWEST-001")
def test_newest(run: Run) -> None:
    for scope in _scopes(run):
        exchange, models = _sorted(run, scope, "newest", "SORT-NEWEST-001")
        require(sort.newest_order(exchange, models))


@requirement("SORT-PRICE-001")
def test_pricing_low_to_high(run: Run) -> None:
    for scope in _scopes(run):
        exchange, models = _sorted(run, scope, "pricing-low-to-high", "SORT-PRICE-001")
        require(sort.price_order("SORT-PRICE-001", exchange, models, run.contract, False))


@requirement("SORT-PRICE-002")
def test_pricing_high_to_low(run: Run) -> None:
    for scope in _scopes(run):
        exchange, models = _sorted(run, scope, "pricing-high-to-low", "SORT-PRICE-002")
        require(sort.price_order("SORT-PRICE-002", exchange, models, run.contract, True))


@requirement("SORT-POPULAR-001")
def test_top_weekly_is_most_popular(run: Run) -> None:
    for scope in _scopes(run):
        popular_exchange, popular = _sorted(run, scope, "most-popular", "SORT-POPULAR-001")
        exchange, weekly = _sorted(run, scope, "top-weekly", "SORT-POPULAR-001")
        require(sort.same_order("SORT-POPULAR-001", exchange, weekly, popular, popular_exchange))


@requirement("SORT-UNKNOWN-001", "SORT-UNKNOWN-002")
def test_unknown_sort_values(run: Run) -> None:
    _, unsorted = run.models()
    findings: list[Finding] = []
    for value in ("zz-unknown-order", ""):
        exchange = run.target.get("/models", {"sort": value})
        models, _ = listed_models("SORT-UNKNOWN-001", exchange)
        findings += sort.unknown_sort_answer(exchange, models, unsorted or [])
    require(findings)
