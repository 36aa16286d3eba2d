"""Profile lookup: GET /model/{author}/{slug} for listed ids, variants, aliases, unknown ids."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from arouter_conformance.checks import lookup
from arouter_conformance.findings import Finding, require
from arouter_conformance.oracle import Baseline, split_variant
from arouter_conformance.session import Run

requirement = pytest.mark.requirement
SAMPLE = 24


def _plain_sample(baseline: Baseline) -> list[Mapping[str, Any]]:
    """Listed ids without a variant or ~, one per author first, then more, up to SAMPLE."""
    plain = [m for m in baseline.models if _kind(str(m["id"])) == "plain"]
    by_author: dict[str, Mapping[str, Any]] = {}
    for model in plain:
        by_author.setdefault(str(model["id"]).split("/")[0], model)
    chosen = list(by_author.values())[:SAMPLE]
    rest = [m for m in plain if m not in chosen]
    step = max(1, len(rest) // max(1, SAMPLE - len(chosen)))
    return chosen + rest[::step][: SAMPLE - len(chosen)]


def _kind(model_id: str) -> str:
    if model_id.startswith("~"):
        return "moving"
    return "variant" if split_variant(model_id)[1] else "plain"


def _check_listed(run: Run, requirement_id: str, models: list[Mapping[str, Any]]) -> None:
    findings: list[Finding] = []
    for listed in models:
        exchange = run.lookup(str(listed["id"]))
        model, problems = lookup.looked_up(run.spec, requirement_id, exchange)
        findings += problems
        if model is not None:
            findings += lookup.matches_listing(requirement_id, exchange, model, listed)
    require(findings)


@requirement("LOOKUP-SHAPE-001")
def test_listed_ids_are_answered_with_the_model(run: Run) -> None:
    findings: list[Finding] = []
    for listed in _plain_sample(run.baseline()):
        _, problems = lookup.looked_up(run.spec, "LOOKUP-SHAPE-001", run.lookup(str(listed["id"])))
        findings += problems
    require(findings)


@requirement("LOOKUP-MATCH-001")
def test_lookup_repeats_the_list_entry(run: Run) -> None:
    _check_listed(run, "LOOKUP-MATCH-001", _plain_sample(run.baseline()))


@requirement("LOOKUP-VARIANT-001")
def test_variants_and_moving_ids_are_looked_up(run: Run) -> None:
    baseline = run.baseline()
    special: dict[str, Mapping[str, Any]] = {}
    for model in baseline.models:
        model_id = str(model["id"])
        kind = (_kind(model_id), split_variant(model_id)[1])
        if kind[0] != "plain":
            special.setdefault(f"{kind}", model)
    moving = [m for m in baseline.models if _kind(str(m["id"])) == "moving"][:3]
    chosen = list({str(m["id"]): m for m in [*special.values(), *moving]}.values())
    if not chosen:
        pytest.skip("not applicable: the target lists no variant or ~ ids")
    _check_listed(run, "LOOKUP-VARIANT-001", chosen)


@requirement("LOOKUP-ALIAS-001")
def test_declared_aliases_resolve(run: Run) -> None:
    if not run.manifest.aliases:
        pytest.skip("not applicable: the target declares no aliases")
    findings: list[Finding] = []
    for alias, canonical in sorted(run.manifest.aliases.items()):
        exchange = run.lookup(alias)
        expected_url = run.lookup_url(canonical)
        first = lookup.alias_redirect(
            exchange, canonical, expected_url, run.contract.redirect_statuses
        )
        findings += first
        if first:
            continue
        final = exchange
        if exchange.status != 200:
            location = lookup.redirect_target(exchange)
            assert location is not None
            final = run.target.get_url(location)
        findings += lookup.alias_answer(run.spec, final, alias, canonical)
    require(findings)


@requirement("LOOKUP-404-001")
def test_unknown_ids_get_404(run: Run) -> None:
    baseline = run.baseline()
    candidates = [
        "zz-unknown-author/zz-unknown-model",
        f"{next(iter(sorted(baseline.ids)), 'a/b').split('/')[0]}/zz-unknown-model",
    ]
    findings: list[Finding] = []
    for model_id in candidates:
        if model_id in baseline.ids or model_id in run.manifest.aliases:
            continue
        findings += lookup.not_found("LOOKUP-404-001", run.lookup(model_id))
    require(findings)


@requirement("LOOKUP-FREE-001")
def test_free_on_a_model_without_a_free_variant_gets_404(run: Run) -> None:
    baseline = run.baseline()
    without = [
        str(m["id"])
        for m in baseline.models
        if _kind(str(m["id"])) == "plain" and f"{m['id']}:free" not in baseline.ids
    ][:2]
    if not without:
        pytest.skip("not applicable: every listed model has a free variant")
    findings: list[Finding] = []
    for model_id in without:
        exchange = run.lookup(f"{model_id}:free")
        findings += lookup.not_found("LOOKUP-FREE-001", exchange, "a :free nobody lists")
    require(findings)
