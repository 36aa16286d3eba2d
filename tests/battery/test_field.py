"""The field battery: gateways far from the contract get an honest verdict.

For each target of field.py, through the real CLI: every root cause its truth table names
fails exactly once, nothing it does not name fails, nothing the target could not show
(or that needs a violated requirement) passes, and the exit code follows the rules
(1 when a MUST failed, 2 when a claimed MUST could not be judged, 0 otherwise).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from arouter_conformance.spec import load_spec
from reference_server import create_app
from tests.battery import endpoints_battery, field, pagination_battery
from tests.battery.field import FieldTarget
from tests.battery.harness import Verdict, battery_catalog, edited_catalog
from tests.battery.list_filters_battery import DATA_FILTERS
from tests.targets import live, run_cli

SPEC = load_spec()
MODEL_PARTS = frozenset(
    {
        "MODELS-MODEL-001",
        "MODELS-MODEL-003",
        "MODELS-ARCH-001",
        "MODELS-PRICING-001",
        "MODELS-TOPPROV-001",
    }
)

TARGETS = [
    FieldTarget(
        "openai-style-list-only",
        lambda: field.OpenAIStyle(create_app(battery_catalog())),
        ("models", "openai-list", "chat"),
        # Each model lacks every part the seed's table adds to OpenAI's four keys; ids have
        # no author; every query parameter is ignored, so a value naming no known modality,
        # or only a parameter no model can support, gets every model (MUSTs whatever the
        # models hold) and unknown modalities are not refused (SHOULD; sort is not claimed,
        # so its values are not sent); `auto` is unknown; errors carry no integer code
        # (SHOULD). No model says its outputs or parameters, so no other filter can be
        # judged, nor which model outputs no text.
        violated=MODEL_PARTS
        | {
            "MODELS-ID-002",
            "MODELS-FILTER-006",
            "MODELS-FILTER-007",
            "MODELS-PARAM-003",
            "MODELS-ERROR-002",
            "CHAT-AUTO-001",
        },
        unjudgeable=frozenset(
            {f"MODELS-FILTER-00{i}" for i in range(1, 6)}
            | {"MODELS-PARAM-001", "MODELS-PARAM-002", "MODELS-COMPOSE-001", "CHAT-MODALITY-001"}
        ),
        manifest={"chat_model": next(iter(sorted(field._short_ids())))},
    ),
    FieldTarget(
        "every-query-parameter-ignored",
        lambda: field.IgnoresQueries(create_app(battery_catalog())),
        ("models", "sort", "count", "lookup"),
        # Filters and sorts do nothing (one failure per documented feature; the catalog's
        # own order is newest first, so sort=newest is right by accident), invalid values
        # are not refused (SHOULDs); count and lookup are missing.
        violated=frozenset(
            {
                "MODELS-FILTER-002",
                "MODELS-PARAM-001",
                "MODELS-SPEC-003",
                "SORT-CONTEXT-001",
                "SORT-PRICE-001",
                "SORT-PRICE-002",
                "SORT-UNKNOWN-002",
                "COUNT-SHAPE-001",
                "LOOKUP-SHAPE-001",
            }
        ),
    ),
    FieldTarget(
        "seeds-only-claiming-everything-beyond",
        lambda: field.SeedsOnly(create_app(battery_catalog())),
        ("endpoints", "user-models", "providers", "pagination", "list-filters"),
        # The three operations beyond the seeds are missing: one failure each, and what
        # needs them is blocked. Paging is ignored (a whole list for every page): one
        # failure. Each newer filter that selects by what a model carries is its own
        # feature, missing: one failure each; the opaque ones and malformed values show
        # nothing wrong when ignored (the whole list is part of itself, and no 5xx).
        violated=DATA_FILTERS
        | {"ENDPOINTS-SHAPE-001", "USER-SHAPE-001", "PROVIDERS-SHAPE-001", "PAGE-SIZE-001"},
    ),
    FieldTarget(
        "bare-list-envelope-judged-with-the-sdk",
        field.bare_list,
        ("openrouter-sdk", "pagination"),
        # The list and its pages answer {"data": [...]} alone but page rightly: no
        # total_count and no links, one failure each, found by the SDK's list profile;
        # the paging requirements that read them (total_count, links.next, then the end of
        # the list, the walk and its order) need those and are blocked.
        violated=frozenset({"ORSDK-LIST-001", "ORSDK-LIST-002"}),
    ),
    FieldTarget(
        "bare-list-envelope-judged-for-paging-alone",
        field.bare_list,
        ("pagination",),
        # The same without the SDK's profile: the missing keys are paging's own failures,
        # once each (the end of the list needs links.next and is blocked, not failed again).
        violated=frozenset({"PAGE-TOTAL-001", "PAGE-NEXT-001"}),
    ),
    FieldTarget(
        "openai-style-list-claiming-list-filters",
        lambda: field.OpenAIStyle(create_app(battery_catalog()), authored=True),
        ("list-filters",),
        # LiteLLM's list: no model says its outputs, so every one is in the list of all
        # models; their ids name authors and words, and they have a created date, so the
        # ignored author, search and age filters show (one failure each). Nothing says
        # inputs, contexts or prices: those filters cannot be judged, nor composed.
        violated=frozenset({"LFILTER-AUTHOR-001", "LFILTER-Q-001", "LFILTER-AGE-001"}),
        unjudgeable=frozenset(
            {
                "LFILTER-INPUT-001",
                "LFILTER-INPUT-002",
                "LFILTER-CONTEXT-001",
                "LFILTER-PRICE-001",
                "LFILTER-PRICE-002",
            }
        ),
    ),
    FieldTarget(
        "three-models-alike-and-every-query-ignored",
        lambda: field.IgnoresQueries(create_app(field.one_author_alike())),
        ("list-filters",),
        # aimock's and anymodel's catalogs: one author, the same inputs, context, created
        # and prices of "0", so no value splits the models; a value beyond every model
        # (an input or author none has, a bound above all) selects none, and the whole
        # list comes back: one failure per ignored filter. Only the ids differ, so the
        # search splits them. No pair of input modalities tells any-of from all-of.
        violated=DATA_FILTERS,
        unjudgeable=frozenset({"LFILTER-INPUT-002"}),
    ),
    FieldTarget(
        "text-errors-and-a-stream-that-answers-500",
        field.text_errors_and_no_stream,
        ("models", "count", "lookup", "chat"),
        # Refusals keep their statuses, so only the error bodies are wrong; the stream
        # never starts, so nothing of it (nor the SDK reading it) can be judged.
        violated=frozenset({"MODELS-ERROR-001", "CHAT-ERROR-001", "CHAT-STREAM-001"}),
    ),
    FieldTarget(
        "a-tiny-catalog-where-every-model-ties",
        field.all_tie,
        ("models", "sort", "count"),
        violated=frozenset(),
        unjudgeable=frozenset(
            {
                "SORT-CONTEXT-001",
                "SORT-NEWEST-001",
                "SORT-PRICE-001",
                "SORT-PRICE-002",
                "MODELS-PARAM-001",
                "MODELS-PARAM-002",
                "MODELS-COMPOSE-001",
            }
        ),
        exit_code=2,
    ),
    FieldTarget(
        "needs-its-own-header",
        field.needs_header,
        ("models", "count", "lookup", "chat"),
        violated=frozenset(),
        exit_code=0,
        args=("--header", f"{field.TENANT_HEADER}: {field.TENANT}"),
    ),
]


def _dependants(violated: frozenset[str]) -> set[str]:
    """Every requirement that needs a violated one, directly or not: it cannot be judged."""
    return {
        rid
        for rid in SPEC.requirements
        if rid not in violated and violated & set(SPEC.prerequisites(rid))
    }


def _claimed(target: FieldTarget) -> set[str]:
    return {r.id for r in SPEC.requirements.values() if r.profile in target.profiles}


@pytest.mark.parametrize("target", [pytest.param(t, id=t.name) for t in TARGETS])
def test_a_partly_conforming_gateway_gets_an_honest_verdict(
    target: FieldTarget, judged: Callable[..., Verdict]
) -> None:
    verdict = judged(target.build(), profiles=target.profiles, args=target.args, **target.manifest)
    status = verdict.status
    claimed = _claimed(target)
    failed = {rid for rid in claimed if status[rid] == "failed"}
    assert failed == set(target.violated), verdict.explain(failed ^ set(target.violated))
    never_passed = (set(target.unjudgeable) | _dependants(target.violated)) & claimed
    passed = {rid for rid in never_passed if status[rid] == "passed"}
    assert not passed, verdict.explain(passed)
    errors = {rid for rid in claimed if status[rid] == "error"}
    assert not errors, verdict.explain(errors)
    assert verdict.code == target.exit_code, verdict.explain()


def test_a_gateway_that_needs_a_header_stops_in_one_line_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the header the very first request is refused: one line that says how to
    send one, exit 2, before any check (every check is judged against the list)."""
    with live(field.needs_header(), tmp_path) as target:
        code, _ = run_cli(target, tmp_path, "--profile", "models", monkeypatch=monkeypatch)
    said = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(said) == 1, said
    assert "-> 400" in said[0]
    assert "--header 'Name: value'" in said[0]


def test_a_header_value_is_a_secret_in_every_report(judged: Callable[..., Verdict]) -> None:
    target = next(t for t in TARGETS if t.name == "needs-its-own-header")
    verdict = judged(target.build(), profiles=("models",), args=target.args)
    assert verdict.code == 0
    assert field.TENANT not in json.dumps(verdict.report)


def test_chat_with_no_model_to_choose_is_never_a_pass(judged: Callable[..., Verdict]) -> None:
    """An OpenAI-style list gives no pricing or architecture to pick a model by: without
    chat_model the chat requirements end inconclusive, saying how to name one (exit 2),
    and no chat request is spent on a guess."""
    chosen = ("CHAT-SERVE-001", "CHAT-RESP-001", "CHAT-STREAM-001")
    verdict = judged(
        field.OpenAIStyle(create_app(battery_catalog())), requirements=chosen, chat_model=None
    )
    assert verdict.code == 2, verdict.explain()
    assert {verdict.status[rid] for rid in chosen} == {"inconclusive"}
    reasons = {r["reason"] for r in verdict.report["requirements"] if r["id"] in chosen}
    assert all("--chat-model" in str(reason) for reason in reasons), reasons
    assert verdict.report["run"]["chat_requests_sent"] == 0


def test_list_filters_on_data_the_list_lacks_say_what_is_missing(
    judged: Callable[..., Verdict],
) -> None:
    """An OpenAI-style list carries no inputs, contexts or prices: those filters end
    inconclusive, each naming the member no model has, and no request is spent on them."""
    lacking = {
        "LFILTER-INPUT-001": "architecture.input_modalities",
        "LFILTER-CONTEXT-001": "context_length",
        "LFILTER-PRICE-001": "pricing.prompt",
        "LFILTER-PRICE-002": "pricing.completion",
    }
    app = field.OpenAIStyle(create_app(battery_catalog()), authored=True)
    verdict = judged(app, requirements=lacking)
    reasons = {
        r["id"]: str(r["reason"]) for r in verdict.report["requirements"] if r["id"] in lacking
    }
    assert {verdict.status[rid] for rid in lacking} == {"inconclusive"}, verdict.explain(lacking)
    assert all(member in reasons[rid] for rid, member in lacking.items()), reasons
    assert verdict.report["run"]["requests_sent"] <= 2, verdict.report["run"]


def test_relative_links_details_resolve_under_the_list_that_carried_them(
    judged: Callable[..., Verdict],
) -> None:
    """`models/<slug>/endpoints`, relative to the list answer at {root}/models, is the
    model's page for any RFC 3986 client: the link is right, not a page at the origin's
    root."""

    def relative(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            row["links"]["details"] = "models/" + row["links"]["details"].rpartition("/models/")[2]

    verdict = judged(create_app(edited_catalog(relative)), requirements=["ENDPOINTS-LINK-001"])
    assert verdict.status["ENDPOINTS-LINK-001"] == "passed", verdict.explain()


def test_links_to_another_origin_are_never_asked_and_the_pages_are_asked_by_offset(
    judged: Callable[..., Verdict],
) -> None:
    """A gateway that writes its public base URL into links.details and links.next (behind
    a proxy, or in CI where the kit reaches it on localhost): R18 and R21 allow absolute
    URLs, the kit sends its key to no other origin, and what that origin would answer is
    not seen. Nothing fails; what only the links show ends inconclusive, saying why and
    how to judge it; the pages, asked for by offset, are judged all the same (R21)."""
    app = create_app(
        edited_catalog(endpoints_battery.links_elsewhere),
        queries=pagination_battery.NextElsewhere,
    )
    verdict = judged(app, profiles=("endpoints", "pagination"))
    reasons = {r["id"]: str(r["reason"]) for r in verdict.report["requirements"]}
    unseen = dict.fromkeys(("ENDPOINTS-LINK-001", "PAGE-NEXT-001"), "inconclusive")
    assert {rid: verdict.status[rid] for rid in unseen} == unseen, verdict.explain(unseen)
    for rid in unseen:
        assert "leads to another origin (" in reasons[rid], reasons[rid]
        assert "give a target URL on that origin (--target-url)" in reasons[rid], reasons[rid]
    by_offset = ("PAGE-CONCAT-001", "PAGE-SORT-001", "PAGE-ORDER-001")
    assert {verdict.status[rid] for rid in by_offset} == {"passed"}, verdict.explain(by_offset)
    claimed = {r["id"] for r in verdict.report["requirements"] if r["status"] != "skipped"}
    assert {verdict.status[rid] for rid in claimed - set(unseen)} == {"passed"}
    assert verdict.code == 2, verdict.explain()
