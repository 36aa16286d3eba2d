"""output_modalities and supported_parameters (rulings R8-R10), judged against the baseline.

Exactness is checked on the set of ids only: ordering is the sort profile's business and
no default order is required.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from arouter_conformance.checks.common import compare_ids, listed_models
from arouter_conformance.checks.http import no_server_error, refused_with_400
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.oracle import (
    Baseline,
    ModalitySelection,
    ParameterRule,
    id_of,
    opaque,
    says_outputs,
    says_parameters,
    select_by_parameters,
)

__all__ = [
    "ParameterObservation",
    "modality_answer",
    "parameter_answer",
    "parameter_rule_consistency",
    "spaced_modalities",
    "unknown_modality_answer",
    "unknown_parameter_answer",
]

Model = Mapping[str, Any]
RULES: tuple[ParameterRule, ...] = ("all", "any")


def modality_answer(
    requirement: str, exchange: Exchange, selection: ModalitySelection, baseline: Baseline
) -> list[Finding]:
    """Exactly the models of the all list that output one of the selected modalities."""
    models, findings = listed_models(requirement, exchange)
    if models is None:
        return findings
    hidden = _unreadable_outputs(requirement, baseline)
    if hidden is None:
        return []
    what = f"output_modalities={selection.raw}" if selection.raw is not None else "no filter"
    return compare_ids(
        requirement,
        exchange,
        _without(models, hidden),
        _without(baseline.select(selection), hidden),
        what,
    )


def _unreadable_outputs(requirement: str, baseline: Baseline) -> frozenset[str] | None:
    """The ids the modality filters cannot be judged on, or None (and inconclusive) when
    that is every listed model."""
    hidden = opaque(baseline.models, says_outputs)
    if baseline.models and len(hidden) == len(baseline.models):
        cannot_judge(
            requirement,
            "no listed model says its architecture.output_modalities: the filter cannot be judged",
        )
        return None
    return hidden


def _without(models: Sequence[Model], hidden: Collection[str]) -> list[Model]:
    return [m for m in models if id_of(m) not in hidden]


def spaced_modalities(
    exchange: Exchange, compact: Exchange, selection: ModalitySelection, baseline: Baseline
) -> list[Finding]:
    """MODELS-FILTER-005 (SHOULD): spaces around commas change nothing (which shows only
    where models say their outputs: two answers that ignore the filter agree as well)."""
    models, findings = listed_models("MODELS-FILTER-005", exchange)
    if models is None:
        return findings
    if _unreadable_outputs("MODELS-FILTER-005", baseline) is None:
        return []
    reference, _ = listed_models("MODELS-FILTER-005", compact)
    return compare_ids(
        "MODELS-FILTER-005",
        exchange,
        models,
        reference or [],
        f"{selection.raw!r} differs from {compact.path_and_query}",
    )


def unknown_modality_answer(
    exchange: Exchange, selection: ModalitySelection, baseline: Baseline
) -> list[Finding]:
    """MODELS-FILTER-006 (MUST) and -007 (SHOULD) for a value naming unknown modalities or none.

    A 400 is right (the SHOULD). A 200 is tolerated when it holds no model beyond what the
    known names in the value select: all of them (the unknown names ignored) or fewer,
    down to none (the value read as naming nothing). For an empty value, the default
    (text) list and an empty list are both tolerated (ruling R8). A value that names no
    known modality selects nothing whatever the models output, so it is judged even on
    models that do not say their outputs.
    """
    known = selection.tokens & baseline.known_modalities
    outputs_matter = exchange.status == 200 and (selection.empty or bool(known))
    hidden = _unreadable_outputs("MODELS-FILTER-006", baseline) if outputs_matter else frozenset()
    if hidden is None:
        return _not_refused(exchange)  # what the 200 holds cannot be judged
    findings = no_server_error("MODELS-FILTER-006", exchange) + _not_refused(exchange)
    if exchange.status != 200:
        return findings
    models, problems = listed_models("MODELS-FILTER-006", exchange)
    if models is None:
        return findings + problems
    models = _without(models, hidden)
    got = {id_of(m) for m in models}
    if selection.empty:
        if got and got != {id_of(m) for m in _without(baseline.text_models(), hidden)}:
            findings += compare_ids(
                "MODELS-FILTER-006", exchange, models, [], "an empty value selected models"
            )
        return findings
    expected = baseline.select(ModalitySelection(selection.raw, known))
    allowed = {id_of(m) for m in expected}
    beyond = [m for m in models if id_of(m) not in allowed]
    if not beyond:
        return findings
    named = ", ".join(sorted(known)) or "no known modality"
    return findings + compare_ids(
        "MODELS-FILTER-006",
        exchange,
        beyond,
        [],
        f"{selection.raw!r} names {named}; models beyond what that selects",
    )


def _not_refused(exchange: Exchange) -> list[Finding]:
    return refused_with_400("MODELS-FILTER-007", exchange, "an unknown or empty output_modalities")


@dataclass(frozen=True)
class ParameterObservation:
    """One supported_parameters answer and which several-value rules it agrees with."""

    exchange: Exchange
    parameters: tuple[str, ...]
    matches: frozenset[ParameterRule]


def parameter_answer(
    requirement: str,
    exchange: Exchange,
    scope: Sequence[Model],
    parameters: Sequence[str],
    rules: Collection[ParameterRule],
) -> tuple[ParameterObservation | None, list[Finding]]:
    """The answer equals the scope filtered by `parameters` under one of `rules`, on the
    models that say which parameters they support."""
    models, findings = listed_models(requirement, exchange)
    if models is None:
        return None, findings
    # A model that does not say its parameters, or its outputs (which place it in or out
    # of the scope), can be neither rightly nor wrongly listed.
    hidden = opaque(scope, says_parameters) | opaque(models, says_outputs)
    if scope and len(hidden & {id_of(m) for m in scope}) == len(scope):
        cannot_judge(
            requirement,
            "no model in scope says its supported_parameters: the filter cannot be judged",
        )
        return None, []
    scope, models = _without(scope, hidden), _without(models, hidden)
    got = {id_of(m) for m in models}
    matches = frozenset(
        rule
        for rule in RULES
        if got == {id_of(m) for m in select_by_parameters(scope, parameters, rule)}
    )
    observation = ParameterObservation(exchange, tuple(parameters), matches)
    scope_ids = {id_of(m) for m in scope}
    if any(
        {id_of(m) for m in select_by_parameters(scope, parameters, r)} != scope_ids for r in rules
    ):
        judged(requirement)
    elif scope_ids:
        cannot_judge(
            requirement,
            f"every model in scope supports {','.join(parameters)}: "
            "an answer that ignored the filter would look the same",
        )
    else:
        cannot_judge(
            requirement,
            "no model in scope says both its outputs and its supported_parameters: "
            "the filter cannot be judged",
        )
    if matches & set(rules):
        return observation, []
    rule = next(iter(rules))
    expected = select_by_parameters(scope, parameters, rule)
    label = "all-of" if rule == "all" else "any-of"
    what = f"supported_parameters={','.join(parameters)} under the {label} rule"
    return observation, compare_ids(requirement, exchange, models, expected, what)


def parameter_rule_consistency(
    observations: Sequence[ParameterObservation], declared: ParameterRule | None
) -> list[Finding]:
    """MODELS-PARAM-002: one rule explains every several-value answer (the declared one)."""
    if observations:
        judged("MODELS-PARAM-002")
    candidates = {declared} if declared else set(RULES)
    for observation in observations:
        candidates &= observation.matches
        if candidates:
            continue
        explained = {
            o.exchange.path_and_query: [str(rule) for rule in sorted(o.matches)] or ["neither"]
            for o in observations
        }
        return [
            Finding(
                "MODELS-PARAM-002",
                "no single rule (all-of or any-of) explains every several-value answer"
                + (f"; declared rule: {declared}" if declared else ""),
                expected=f"every answer follows {declared or 'one rule'}",
                observed="; ".join(f"{q} -> {', '.join(r)}" for q, r in explained.items()),
                exchange=observation.exchange,
            )
        ]
    return []


def unknown_parameter_answer(
    exchange: Exchange,
    scope: Sequence[Model],
    parameters: Sequence[str],
    rules: Collection[ParameterRule],
    unknown: Collection[str],
) -> list[Finding]:
    """MODELS-PARAM-003: no 5xx; a 200 is what the rule gives when nothing supports a name.

    `unknown` are the names no model can support (the kit's own inventions): asking for
    those alone selects nothing under either rule, whether or not the models say their
    parameters."""
    findings = no_server_error("MODELS-PARAM-003", exchange)
    if exchange.status != 200:
        return findings
    if set(parameters) <= set(unknown):
        models, problems = listed_models("MODELS-PARAM-003", exchange)
        if models is None:
            return findings + problems
        what = f"supported_parameters={','.join(parameters)} names nothing a model supports"
        return findings + compare_ids("MODELS-PARAM-003", exchange, models, [], what)
    _, problems = parameter_answer("MODELS-PARAM-003", exchange, scope, parameters, rules)
    return findings + problems
