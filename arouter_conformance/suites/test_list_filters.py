"""Profile list-filters: the list's filters beyond the seeds (ruling R22), alone and together.

Every value is chosen from the target's own all list so that the probe tells a working
filter from a broken one: one that splits it; where none does (every model has the same
context, one author only), one beyond every model, which the filter must answer with no
model. A filter alone is sent with output_modalities=all, so that a wrong default scope is
MODELS-FILTER-001's one failure; the scopes, the default among them, are composed with the
filters in LFILTER-COMPOSE-001. Where the list carries nothing a filter reads (no
context_length, no pricing), the requirement is left inconclusive, saying what is missing.
One request per probe.
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

requirement = pytest.mark.requirement

# Documented values of the filters on data a Model object does not carry; `providers` and
# `arch` are chosen from the list (see `_opaque_values`).
OPAQUE_VALUES: tuple[tuple[str, str], ...] = (
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
    # Well formed, but a search that compiles its text as a regular expression breaks on it.
    ("q", ".*[("),
)


def _judge(run: Run, requirement_id: str, probe: Probe | None, why: str) -> list[Finding]:
    """Send the probe and judge its answer, or say why the list offers no telling value."""
    if probe is None or not probe.filters:
        cannot_judge(requirement_id, why)
        return []
    exchange = run.target.get("/models", probe.query)
    return list_filters.filtered_answer(requirement_id, exchange, probe, run.baseline())


def _home_models(run: Run) -> list[rules.Model]:
    """The default list's models, or those of the list of all models when no model surely
    outputs text (an OpenAI-style list says no outputs)."""

    def home() -> list[rules.Model]:
        baseline = run.baseline()
        return rules.scope_models(None, baseline) or rules.scope_models(
            run.contract.all_output_modalities, baseline
        )

    return run.memo("lfilter-home", home)


ALL = "no model listed under output_modalities=all"


@requirement("LFILTER-INPUT-001")
def test_one_input_modality_selects_its_models(run: Run) -> None:
    baseline = run.baseline()
    probe = rules.choose_probe(
        baseline, rules.choose_input, lambda models: rules.beyond_inputs(models, run.contract)
    )
    if any(rules.says_inputs(m) for m in baseline.models):
        names = ", ".join(run.contract.documented_input_modalities)
        why = (
            "no input modality is taken by some models and not others, and each the "
            f"document names ({names}) is taken by some"
        )
    else:
        why = f"{ALL} says its architecture.input_modalities"
    require(_judge(run, "LFILTER-INPUT-001", probe, why))


@requirement("LFILTER-INPUT-002")
def test_a_list_of_input_modalities_selects_any_or_all(run: Run) -> None:
    probe = rules.choose_probe(run.baseline(), rules.choose_input_pair)
    why = (
        "no two input modalities select sets, under any-of and under all-of, that differ "
        "and both leave some model out, in the list of all models"
    )
    require(_judge(run, "LFILTER-INPUT-002", probe, why))


@requirement("LFILTER-CONTEXT-001")
def test_context_is_a_minimum_context_length(run: Run) -> None:
    probe = rules.choose_probe(run.baseline(), rules.choose_context, rules.beyond_context)
    require(_judge(run, "LFILTER-CONTEXT-001", probe, f"{ALL} has an integer context_length"))


@requirement("LFILTER-AUTHOR-001")
def test_model_authors_selects_their_models(run: Run) -> None:
    """The most common author, then two others; where the list has one author only, an
    author it lacks."""
    baseline = run.baseline()
    one = rules.choose_probe(
        baseline, lambda models: rules.choose_authors(models, 1), rules.beyond_authors
    )
    two = rules.choose_probe(baseline, lambda models: rules.choose_authors(models, 2, skip=1))
    why = f"{ALL} has an id that names its author (author/slug)"
    findings = _judge(run, "LFILTER-AUTHOR-001", one, why)
    if two is not None:
        findings += _judge(run, "LFILTER-AUTHOR-001", two, why)
    require(findings)


def _price_probe(run: Run, key: str) -> Probe | None:
    return rules.choose_probe(
        run.baseline(),
        lambda models: rules.choose_price(models, key),
        lambda models: rules.beyond_prices(models, key),
    )


def _no_price(run: Run, key: str) -> str:
    sentinel = run.contract.router_price_sentinel
    return f'{ALL} has a pricing.{key} that is a price (a decimal string, not "{sentinel}")'


@requirement("LFILTER-PRICE-001")
def test_prompt_price_bounds(run: Run) -> None:
    probe = _price_probe(run, "prompt")
    require(_judge(run, "LFILTER-PRICE-001", probe, _no_price(run, "prompt")))


@requirement("LFILTER-PRICE-002")
def test_completion_price_bounds(run: Run) -> None:
    probe = _price_probe(run, "completion")
    require(_judge(run, "LFILTER-PRICE-002", probe, _no_price(run, "completion")))


@requirement("LFILTER-Q-001", "LFILTER-Q-002")
def test_q_searches_ids_slugs_and_names(run: Run) -> None:
    probe = rules.choose_probe(run.baseline(), rules.choose_q)
    if probe is None:
        why = (
            "no word of the ids (three letters or more) is held by some models and not "
            "others, in the list of all models"
        )
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
    now = time.time()
    probe = rules.choose_probe(
        run.baseline(),
        lambda models: rules.choose_age(models, now),
        lambda models: rules.beyond_ages(models, now),
    )
    require(_judge(run, "LFILTER-AGE-001", probe, f"{ALL} has an integer created"))


Chooser = Callable[[list[rules.Model], list[rules.Model]], Filter | None]
STEPS: dict[str, Chooser] = {
    "input": lambda models, _: rules.choose_input(models),
    "context": lambda models, _: rules.choose_context(models),
    "authors": lambda models, _: rules.choose_authors(models, 2),
    "max-price": lambda models, _: rules.choose_price(models, "prompt", both=False),
    "output-price": lambda models, _: rules.choose_price(models, "completion"),
    "parameter": lambda models, _: rules.choose_parameter(models),
    "age": lambda models, _: rules.choose_age(models, time.time()),
    "q": rules.choose_q,
}


def _composed(run: Run, scope: str | None, *steps: str) -> Probe:
    """A request on `scope` with one filter per step, each chosen among the models the
    earlier ones keep, so that every filter still leaves some out and some in. The models
    outside the scope that the same filters keep go along: a search prefers a word they
    hold, so that one that ignores the scope shows."""
    placed = rules.in_scope(scope, run.contract)
    models = [m for m in run.baseline().models if placed(m) is True]
    elsewhere = [m for m in run.baseline().models if placed(m) is False]
    chosen: list[Filter] = []
    for step in steps:
        pick = STEPS[step](models, elsewhere)
        if pick is not None:
            chosen.append(pick)
            models = rules.narrowed(models, pick)
            elsewhere = rules.narrowed(elsewhere, pick)
    return Probe(scope, tuple(chosen))


@requirement("LFILTER-COMPOSE-001")
def test_filters_compose_with_each_other_and_the_seed_filters(run: Run) -> None:
    baseline = run.baseline()
    sorts = run.contract.sort_values if "sort" in run.claimed else ()
    other = baseline.telling_modality()
    # The search last in the default scope, where it prefers a word models of other
    # outputs hold too (a search that ignores the scope then shows).
    plans: list[tuple[str | None, tuple[str, ...]]] = [
        (None, ("authors", "max-price", "age", "q")),
        (run.contract.all_output_modalities, ("context", "output-price", "input", "parameter")),
    ]
    if other is not None:
        plans.insert(0, (other, ("context", "input")))
    findings: list[Finding] = []
    for number, (scope, steps) in enumerate(plans):
        probe = _composed(run, scope, *steps)
        if sorts:  # sort orders the answer; the set stays what the filters select
            probe = Probe(probe.scope, probe.filters, (("sort", sorts[number % len(sorts)]),))
        where = "the default list" if scope is None else f"output_modalities={scope}"
        why = (
            f"in {where}, fewer than two of the filters {', '.join(steps)} leave a model out "
            f"of those the earlier ones keep (chosen: {probe.label})"
        )
        if len(probe.filters) < 2:
            cannot_judge("LFILTER-COMPOSE-001", why)
            continue
        findings += _judge(run, "LFILTER-COMPOSE-001", probe, why)
    require(findings)


def _opaque_values(run: Run) -> list[tuple[str, str]]:
    """The documented values, with a provider and an architecture family the list names
    (the most common author and tokenizer of the default list, or of the list of all
    models when no model says it outputs text)."""
    scope = _home_models(run)
    authors = Counter(author_of(str(id_of(m))) for m in scope)
    families = Counter(
        str(m["architecture"]["tokenizer"])
        for m in scope
        if isinstance(m.get("architecture"), dict) and m["architecture"].get("tokenizer")
    )
    provider = min(authors, key=lambda a: (-authors[a], a), default="openai")
    family = min(families, key=lambda f: (-families[f], f), default="GPT")
    return [("providers", provider), ("arch", family), *OPAQUE_VALUES]


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
