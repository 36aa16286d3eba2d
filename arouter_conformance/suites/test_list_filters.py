"""Profile list-filters: the list's filters beyond the seeds (ruling R22), alone and together.

Every value is chosen from the target's own all list so that the probe tells a working
filter from a broken one; where the list cannot (every model has the same context, one
author only), the requirement is left inconclusive, saying why. One request per probe.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable

import pytest

from arouter_conformance.checks import list_filter_rules as rules
from arouter_conformance.checks import list_filters
from arouter_conformance.checks.list_filter_rules import Filter, Probe
from arouter_conformance.findings import Finding, cannot_judge, require
from arouter_conformance.oracle import author_of, id_of
from arouter_conformance.session import Run
from arouter_conformance.spec import Contract

requirement = pytest.mark.requirement

# Documented values of the filters on data a Model object does not carry; `providers` and
# `arch` are chosen from the list (see `_opaque_values`).
OPAQUE: tuple[tuple[str, str], ...] = (
    ("category", "programming"),
    ("distillable", "true"),
    ("zdr", "true"),
    ("region", "eu"),
    ("min_intelligence_index", "50"),
    ("max_intelligence_index", "100"),
    ("min_coding_index", "50"),
    ("max_coding_index", "100"),
    ("min_agentic_index", "50"),
    ("max_agentic_index", "100"),
    ("min_tool_success_rate", "0.9"),
    ("max_tool_success_rate", "1"),
)
MALFORMED: tuple[tuple[str, str], ...] = (
    ("context", "abc"),
    ("min_price", "-1"),
    ("max_output_price", "cheap"),
    ("min_age_days", "-5"),
    ("max_age_days", "x"),
    ("input_modalities", "zz-unknown-modality"),
)


def _judge(run: Run, requirement_id: str, probe: Probe | None, why: str) -> list[Finding]:
    """Send the probe and judge its answer, or say why the list offers no telling value."""
    if probe is None or not probe.filters:
        cannot_judge(requirement_id, why)
        return []
    exchange = run.target.get("/models", probe.query)
    return list_filters.filtered_answer(requirement_id, exchange, probe, run.baseline())


def _alone(chosen: Filter | None) -> Probe | None:
    """A filter alone, in the default scope (the list clients fetch)."""
    return Probe(None, (chosen,)) if chosen else None


def _default_scope(run: Run) -> list[rules.Model]:
    return run.memo("lfilter-scope", lambda: rules.scope_models(None, run.baseline()))


@requirement("LFILTER-INPUT-001")
def test_one_input_modality_selects_its_models(run: Run) -> None:
    probe = _alone(rules.choose_input(_default_scope(run)))
    why = "no input modality is taken by some models of the default list and not others"
    require(_judge(run, "LFILTER-INPUT-001", probe, why))


@requirement("LFILTER-INPUT-002")
def test_a_list_of_input_modalities_selects_any_or_all(run: Run) -> None:
    """In the default list, or else in the list of all models, where more models may take
    something other than text."""
    scopes = (None, run.contract.all_output_modalities)
    probe = next(
        (
            Probe(scope, (chosen,))
            for scope in scopes
            if (chosen := rules.choose_input_pair(rules.scope_models(scope, run.baseline())))
        ),
        None,
    )
    why = (
        "no two input modalities select sets, under any-of and under all-of, that differ "
        "and both leave some model out"
    )
    require(_judge(run, "LFILTER-INPUT-002", probe, why))


@requirement("LFILTER-CONTEXT-001")
def test_context_is_a_minimum_context_length(run: Run) -> None:
    probe = _alone(rules.choose_context(_default_scope(run)))
    why = "every model of the default list has the same context_length, or none has one"
    require(_judge(run, "LFILTER-CONTEXT-001", probe, why))


@requirement("LFILTER-AUTHOR-001")
def test_model_authors_selects_their_models(run: Run) -> None:
    scope = _default_scope(run)
    why = "the default list has too few authors for an author filter to leave a model out"
    findings: list[Finding] = []
    for chosen in (rules.choose_authors(scope, 1), rules.choose_authors(scope, 2, skip=1)):
        findings += _judge(run, "LFILTER-AUTHOR-001", _alone(chosen), why)
    require(findings)


@requirement("LFILTER-PRICE-001")
def test_prompt_price_bounds(run: Run) -> None:
    probe = _alone(rules.choose_price(_default_scope(run), "prompt", run.contract))
    why = "the default list has fewer than two readable prompt prices"
    require(_judge(run, "LFILTER-PRICE-001", probe, why))


@requirement("LFILTER-PRICE-002")
def test_completion_price_bounds(run: Run) -> None:
    probe = _alone(rules.choose_price(_default_scope(run), "completion", run.contract))
    why = "the default list has fewer than two readable completion prices"
    require(_judge(run, "LFILTER-PRICE-002", probe, why))


@requirement("LFILTER-Q-001", "LFILTER-Q-002")
def test_q_searches_ids_slugs_and_names(run: Run) -> None:
    probe = _alone(rules.choose_q(_default_scope(run)))
    if probe is None:
        why = "no word of the ids is held by some models of the default list and not others"
        cannot_judge("LFILTER-Q-001", why)
        cannot_judge("LFILTER-Q-002", why)
        return
    exchange = run.target.get("/models", probe.query)
    require(
        list_filters.filtered_answer(
            "LFILTER-Q-001", exchange, probe, run.baseline(), missing_to="LFILTER-Q-002"
        )
    )


@requirement("LFILTER-AGE-001")
def test_age_bounds(run: Run) -> None:
    # The kit's clock: the ruling's day of tolerance covers the server's being another.
    probe = _alone(rules.choose_age(_default_scope(run), time.time()))
    why = "the default list has too few models with a created date to bound their age"
    require(_judge(run, "LFILTER-AGE-001", probe, why))


Chooser = Callable[[list[rules.Model], Contract], Filter | None]
STEPS: dict[str, Chooser] = {
    "input": lambda models, _: rules.choose_input(models),
    "context": lambda models, _: rules.choose_context(models),
    "authors": lambda models, _: rules.choose_authors(models, 2),
    "max-price": lambda models, contract: rules.choose_price(
        models, "prompt", contract, both=False
    ),
    "output-price": lambda models, contract: rules.choose_price(models, "completion", contract),
    "parameter": lambda models, _: rules.choose_parameter(models),
}


def _composed(run: Run, scope: str | None, *steps: str) -> Probe:
    """A request on `scope` with one filter per step, each chosen among the models the
    earlier ones keep, so that every filter still leaves some out and some in."""
    models = rules.scope_models(scope, run.baseline())
    chosen: list[Filter] = []
    for step in steps:
        pick = STEPS[step](models, run.contract)
        if pick is not None:
            chosen.append(pick)
            models = rules.narrowed(models, pick)
    return Probe(scope, tuple(chosen))


@requirement("LFILTER-COMPOSE-001")
def test_filters_compose_with_each_other_and_the_seed_filters(run: Run) -> None:
    baseline = run.baseline()
    sorts = run.contract.sort_values if "sort" in run.claimed else ()
    other = baseline.telling_modality()
    probes = [
        _composed(run, None, "authors", "max-price", "parameter"),
        _composed(run, run.contract.all_output_modalities, "context", "output-price", "input"),
    ]
    if other is not None:
        probes.insert(0, _composed(run, other, "input", "context"))
    findings: list[Finding] = []
    for number, probe in enumerate(probes):
        if sorts:  # sort orders the answer; the set stays what the filters select
            probe = Probe(probe.scope, probe.filters, (("sort", sorts[number % len(sorts)]),))
        why = f"{probe.label}: the list offers no two filters that each leave a model out"
        if len(probe.filters) < 2:
            cannot_judge("LFILTER-COMPOSE-001", why)
            continue
        findings += _judge(run, "LFILTER-COMPOSE-001", probe, why)
    require(findings)


def _opaque_values(run: Run) -> list[tuple[str, str]]:
    """The documented values, with a provider and an architecture family the list names
    (the most common author and tokenizer of the default list)."""
    scope = _default_scope(run)
    authors = Counter(author_of(str(id_of(m))) for m in scope)
    families = Counter(
        str(m["architecture"]["tokenizer"])
        for m in scope
        if isinstance(m.get("architecture"), dict) and m["architecture"].get("tokenizer")
    )
    provider = min(authors, key=lambda a: (-authors[a], a), default="openai")
    family = min(families, key=lambda f: (-families[f], f), default="GPT")
    return [("providers", provider), ("arch", family), *OPAQUE]


@requirement("LFILTER-OPAQUE-001")
def test_filters_on_unlisted_data_narrow_the_answer(run: Run) -> None:
    wider, wider_models = run.models()
    findings: list[Finding] = []
    for name, value in _opaque_values(run):
        exchange = run.target.get("/models", {name: value})
        findings += list_filters.narrower_answer(exchange, wider, wider_models, f"{name}={value}")
    require(findings)


@requirement("LFILTER-BAD-001")
def test_malformed_values_get_no_server_error(run: Run) -> None:
    findings: list[Finding] = []
    for name, value in MALFORMED:
        findings += list_filters.malformed_answer(run.target.get("/models", {name: value}))
    require(findings)
