"""Profile models: the list, the Model object, the two filters, listing auth, errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import strategies as st

from arouter_conformance import strategies
from arouter_conformance.checks import auth, filters, listing, lookup
from arouter_conformance.checks.endpoints import endpoints_path
from arouter_conformance.checks.http import error_body, error_status_code
from arouter_conformance.findings import Finding, Inconclusive, judging, require
from arouter_conformance.oracle import (
    Baseline,
    ModalitySelection,
    ParameterRule,
    parse_modalities,
    supported_parameters,
)
from arouter_conformance.session import Run

requirement = pytest.mark.requirement
# With one parameter, all-of and any-of select the same models.
SINGLE: tuple[ParameterRule, ...] = ("all",)


@requirement("MODELS-LIST-001")
def test_list_is_an_object_with_a_data_array(run: Run) -> None:
    findings: list[Finding] = []
    for query in (None, {"output_modalities": run.contract.all_output_modalities}):
        findings += listing.list_envelope(run.spec, run.target.get("/models", query))[1]
    require(findings)


@requirement(
    "MODELS-MODEL-001",
    "MODELS-MODEL-003",
    "MODELS-ARCH-001",
    "MODELS-PRICING-001",
    "MODELS-TOPPROV-001",
    "MODELS-BENCH-001",
    "MODELS-ID-002",
)
def test_every_model_has_the_documented_shape(run: Run) -> None:
    run.baseline()  # an unreadable list is an error of the run, not of these requirements
    seen: set[str] = set()
    findings: list[Finding] = []
    for exchange, models in run.probe_lists():
        findings += listing.model_objects(run.spec, models, exchange, seen=seen)
    require(findings)


@requirement("MODELS-MODEL-002")
def test_context_length_is_known(run: Run) -> None:
    baseline = run.baseline()
    require(listing.context_lengths(baseline.models, run.baseline_exchange()))


@requirement("MODELS-CREATED-001")
def test_created_is_in_seconds(run: Run) -> None:
    baseline = run.baseline()
    require(listing.created_in_seconds(baseline.models, run.baseline_exchange()))


@requirement("MODELS-PRICING-002")
def test_free_variants_cost_nothing(run: Run) -> None:
    baseline = run.baseline()
    if not any(i.endswith(":free") for i in baseline.ids):
        pytest.skip("not applicable: the target lists no :free ids")
    require(listing.free_variants(baseline.models, run.baseline_exchange()))


@requirement("MODELS-ID-001")
def test_ids_are_unique(run: Run) -> None:
    findings: list[Finding] = []
    for exchange, models in run.probe_lists():
        findings += listing.unique_ids(models, exchange)
    require(findings)


@requirement("MODELS-FILTER-001")
def test_without_a_filter_the_list_holds_the_text_models(run: Run) -> None:
    baseline = run.baseline()
    exchange = run.target.get("/models")
    selection = parse_modalities(None, run.contract)
    require(filters.modality_answer("MODELS-FILTER-001", exchange, selection, baseline))


@requirement("MODELS-FILTER-002")
def test_one_modality_selects_its_models(run: Run) -> None:
    baseline = run.baseline()
    findings: list[Finding] = []
    for name in sorted(baseline.known_modalities):
        exchange = run.target.get("/models", {"output_modalities": name})
        selection = parse_modalities(name, run.contract)
        findings += filters.modality_answer("MODELS-FILTER-002", exchange, selection, baseline)
    require(findings)


@requirement("MODELS-FILTER-003")
def test_a_comma_list_selects_the_union(run: Run) -> None:
    baseline = run.baseline()

    @run.property(strategies.comma_list(strategies.modality_names(baseline), min_size=2))
    def union(drawn: tuple[tuple[str, ...], str]) -> list[Finding]:
        _, value = drawn
        exchange = run.target.get("/models", {"output_modalities": value})
        selection = parse_modalities(value, run.contract)
        return filters.modality_answer("MODELS-FILTER-003", exchange, selection, baseline)

    require(union())


@requirement("MODELS-FILTER-004")
def test_all_is_every_modality_at_once(run: Run) -> None:
    baseline = run.baseline()
    every = ",".join(sorted(baseline.known_modalities))
    exchange = run.target.get("/models", {"output_modalities": every})
    selection = ModalitySelection(every, frozenset(), everything=True)
    require(filters.modality_answer("MODELS-FILTER-004", exchange, selection, baseline))


@requirement("MODELS-FILTER-005")
def test_spaces_around_commas_are_tolerated(run: Run) -> None:
    baseline = run.baseline()

    @run.property(
        strategies.comma_list(strategies.modality_names(baseline), min_size=2, spaced=True),
        examples=max(1, run.config.examples // 4),
    )
    def spaced(drawn: tuple[tuple[str, ...], str]) -> list[Finding]:
        names, value = drawn
        exchange = run.target.get("/models", {"output_modalities": value})
        compact = run.target.get("/models", {"output_modalities": ",".join(names)})
        selection = parse_modalities(value, run.contract)
        return filters.spaced_modalities(exchange, compact, selection, baseline)

    require(spaced())


@requirement("MODELS-FILTER-006", "MODELS-FILTER-007")
def test_unknown_or_empty_modalities_are_refused_without_a_server_error(run: Run) -> None:
    baseline = run.baseline()
    names = strategies.modality_names(baseline) | strategies.unknown_names()

    @run.property(
        strategies.comma_list(names).filter(
            lambda drawn: not set(drawn[0]) <= baseline.known_modalities
        ),
        examples=max(1, run.config.examples // 2),
    )
    def unknown(drawn: tuple[tuple[str, ...], str]) -> list[Finding]:
        _, value = drawn
        exchange = run.target.get("/models", {"output_modalities": value})
        selection = parse_modalities(value, run.contract)
        return filters.unknown_modality_answer(exchange, selection, baseline)

    with judging() as judgement:
        for empty in ("", ","):
            exchange = run.target.get("/models", {"output_modalities": empty})
            selection = parse_modalities(empty, run.contract)
            judgement.add(filters.unknown_modality_answer(exchange, selection, baseline))
        judgement.add(unknown())


@requirement("MODELS-PARAM-001")
def test_one_parameter_selects_the_models_that_support_it(run: Run) -> None:
    baseline = run.baseline()
    scopes = (None, run.contract.all_output_modalities)

    @run.property(st.tuples(strategies.parameter_names(baseline), st.sampled_from(scopes)))
    def single(drawn: tuple[str, str | None]) -> list[Finding]:
        name, scope_value = drawn
        exchange = run.target.get(
            "/models", {"supported_parameters": name, "output_modalities": scope_value}
        )
        scope = baseline.select(parse_modalities(scope_value, run.contract))
        return filters.parameter_answer("MODELS-PARAM-001", exchange, scope, [name], SINGLE)[1]

    with judging() as judgement:
        unlisted = _unlisted_parameter(run, baseline)
        if unlisted is not None:
            # A documented name no model lists selects nothing: the one probe that shows the
            # filter even where every model supports the same parameters.
            scope = baseline.select(parse_modalities(None, run.contract))
            exchange = run.target.get("/models", {"supported_parameters": unlisted})
            judgement.add(
                filters.parameter_answer("MODELS-PARAM-001", exchange, scope, [unlisted], SINGLE)[1]
            )
        judgement.add(single())


def _unlisted_parameter(run: Run, baseline: Baseline) -> str | None:
    """The first parameter seed 000 documents that no listed model supports."""
    listed = set(baseline.listed_parameters)
    return next((p for p in run.contract.documented_parameters if p not in listed), None)


@requirement("MODELS-PARAM-002")
def test_several_parameters_follow_one_rule(run: Run) -> None:
    baseline = run.baseline()
    scope = baseline.select(parse_modalities(run.contract.all_output_modalities, run.contract))
    observations = []
    pairs = _discriminating_pairs(baseline, scope)
    unlisted = _unlisted_parameter(run, baseline)
    if not pairs and unlisted is not None and baseline.listed_parameters:
        # Every model supports the same names: a listed one beside one nobody lists is
        # everything under any-of and nothing under all-of.
        pairs = [(baseline.listed_parameters[0], unlisted)]
    for names in pairs:
        exchange = run.target.get(
            "/models",
            {
                "supported_parameters": ",".join(names),
                "output_modalities": run.contract.all_output_modalities,
            },
        )
        observation, findings = filters.parameter_answer(
            "MODELS-PARAM-002", exchange, scope, names, run.parameter_rules
        )
        require(findings)
        if observation:
            observations.append(observation)
    if not observations:
        raise Inconclusive("no two listed parameters tell all-of from any-of")
    declared = run.manifest.supported_parameters_match
    require(filters.parameter_rule_consistency(observations, declared))


def _discriminating_pairs(
    baseline: Baseline, scope: Sequence[Mapping[str, Any]], limit: int = 4
) -> list[tuple[str, str]]:
    """Parameter pairs for which all-of and any-of select different sets, most telling first.

    Every pair of listed names is weighed, so each name's models are gathered once and the
    pairs compare those sets: selecting the scope for every pair grew with the names
    squared times the models (a second and more on a few hundred models)."""
    names = baseline.listed_parameters
    supporting: dict[str, set[int]] = {name: set() for name in names}
    for index, model in enumerate(scope):
        for name in supported_parameters(model):
            if name in supporting:
                supporting[name].add(index)
    pairs = []
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            both = len(supporting[first] & supporting[second])
            either = len(supporting[first]) + len(supporting[second]) - both
            if both != either:
                pairs.append((either - both, (first, second)))
    pairs.sort(key=lambda item: (-item[0], item[1]))
    return [pair for _, pair in pairs[:limit]]


@requirement("MODELS-PARAM-003")
def test_unknown_parameters_get_no_server_error(run: Run) -> None:
    baseline = run.baseline()
    scope = baseline.select(parse_modalities(None, run.contract))
    known = baseline.listed_parameters[:1]
    invented = ("zz-unknown-parameter",)
    for names in (invented, (*known, *invented)):
        exchange = run.target.get("/models", {"supported_parameters": ",".join(names)})
        require(
            filters.unknown_parameter_answer(
                exchange, scope, names, run.parameter_rules, unknown=invented
            )
        )


@requirement("MODELS-COMPOSE-001")
def test_filters_compose(run: Run) -> None:
    baseline = run.baseline()

    @run.property(
        st.tuples(
            strategies.comma_list(strategies.modality_names(baseline), max_size=2),
            strategies.comma_list(strategies.parameter_names(baseline), max_size=2),
        )
    )
    def composed(
        drawn: tuple[tuple[tuple[str, ...], str], tuple[tuple[str, ...], str]],
    ) -> list[Finding]:
        (_, modalities), (names, parameters) = drawn
        exchange = run.target.get(
            "/models", {"output_modalities": modalities, "supported_parameters": parameters}
        )
        scope = baseline.select(parse_modalities(modalities, run.contract))
        _, findings = filters.parameter_answer(
            "MODELS-COMPOSE-001", exchange, scope, names, run.parameter_rules
        )
        return findings

    require(composed())


@requirement("MODELS-AUTH-001")
def test_listing_refuses_missing_and_wrong_keys(run: Run) -> None:
    if run.manifest.listing_requires_auth is not True:
        pytest.skip("not applicable: the target does not declare that listing needs a key")
    paths = ["/models", *_served_endpoints(run)]
    findings: list[Finding] = []
    for path in paths:
        for role in ("none", "wrong"):
            exchange = run.target.get(path, auth=role)
            findings += auth.refused("MODELS-AUTH-001", exchange)
    require(findings)


def _served_endpoints(run: Run) -> list[str]:
    """The claimed count, lookup, endpoints and providers paths that answer a keyed, valid
    request with anything but 404 or 405 (R2, R18 and R20 give them the listing's keys). A
    missing endpoint is its profile's shape failure; its 404 says nothing about keys or
    error bodies. (The same requests as those suites
    send, so the answers come from the run's memory.)"""
    paths = []
    if "count" in run.claimed:
        paths.append("/models/count")
    baseline = run.baseline()
    if "lookup" in run.claimed and baseline.models:
        paths.append(lookup.lookup_path(sorted(baseline.ids)[0]))
    if "endpoints" in run.claimed and baseline.models:
        paths.append(endpoints_path(sorted(baseline.ids)[0]))
    if "providers" in run.claimed:
        paths.append("/providers")
    return [p for p in paths if run.target.get(p).status not in (404, 405)]


@requirement("MODELS-AUTH-002")
def test_listing_works_without_a_key_when_declared(run: Run) -> None:
    if run.manifest.listing_requires_auth is not False:
        pytest.skip("not applicable: the target does not declare that listing needs no key")
    require(auth.accepted("MODELS-AUTH-002", run.target.get("/models", auth="none")))


@requirement("MODELS-ERROR-001", "MODELS-ERROR-002")
def test_error_answers_have_the_error_shape(run: Run) -> None:
    unknown = {"output_modalities": "zz-unknown-modality"}
    probes = [run.target.get("/models", unknown)]
    if "sort" in run.claimed:
        probes.append(run.target.get("/models", {"sort": "zz-unknown-order"}))
    served = _served_endpoints(run)
    if "/models/count" in served:
        probes.append(run.target.get("/models/count", unknown))
    if any(path.startswith("/model/") for path in served):
        probes.append(run.lookup("zz-unknown-author/zz-unknown-model"))
    if any(path.endswith("/endpoints") for path in served):  # ENDPOINTS-404-001 leaves it here
        probes.append(run.target.get(endpoints_path("zz-unknown-author/zz-unknown-model")))
    if run.manifest.listing_requires_auth:
        probes += [run.target.get("/models", auth="none")]
        if "/models/count" in served:
            probes.append(run.target.get("/models/count", auth="none"))
    errors = [e for e in probes if e.status >= 400]
    if not errors:
        pytest.skip("not applicable: no probe drew an error answer")
    findings: list[Finding] = []
    for exchange in errors:
        findings += error_body(run.spec, "MODELS-ERROR-001", exchange)
        findings += error_status_code(run.spec, "MODELS-ERROR-002", exchange)
    require(findings)
