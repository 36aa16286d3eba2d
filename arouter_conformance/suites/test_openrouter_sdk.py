"""Profile openrouter-sdk: what the official openrouter SDK 1.3.x needs, and the SDK itself."""

from __future__ import annotations

import pytest

from arouter_conformance.checks.http import json_answer
from arouter_conformance.checks.sdk import sdk_list
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.findings import Finding, require
from arouter_conformance.interop import openrouter_chat, openrouter_errors, openrouter_models
from arouter_conformance.session import Run
from arouter_conformance.suites._shared import plain_completion

requirement = pytest.mark.requirement


def _chat_allowed(run: Run) -> None:
    if "chat" not in run.claimed:
        pytest.skip("not applicable: the target does not claim chat")
    if run.config.chat_budget == 0:
        pytest.skip("not applicable: no chat requests allowed in this run (--no-chat)")


@requirement("ORSDK-LIST-001", "ORSDK-LIST-002", "ORSDK-MODEL-001")
def test_list_carries_what_the_sdk_needs(run: Run) -> None:
    findings: list[Finding] = []
    for query in (None, {"output_modalities": run.contract.all_output_modalities}):
        exchange = run.target.get("/models", query)
        body, problems = json_answer("ORSDK-LIST-001", exchange)
        findings += problems or sdk_list(run.spec, exchange, body)
    require(findings)


@requirement("ORSDK-INTEROP-001")
def test_sdk_reads_list_count_and_lookup(run: Run) -> None:
    # The SDK is asked for what the target claims to serve: count and lookup only when
    # those profiles are claimed too.
    ids = sorted(run.baseline().ids) if "lookup" in run.claimed else []
    require(openrouter_models(run.target, ids[0] if ids else None, count="count" in run.claimed))


@requirement("ORSDK-CHAT-001")
def test_completion_has_a_system_fingerprint(run: Run) -> None:
    _chat_allowed(run)
    exchange = plain_completion(run)
    body, findings = json_answer("ORSDK-CHAT-001", exchange)
    require(findings)
    require(schema_findings(run.spec, "SdkChatResponse.json", body, exchange=exchange))


@requirement("ORSDK-INTEROP-002")
def test_sdk_reads_completions(run: Run) -> None:
    _chat_allowed(run)
    model = run.chat_model("cheap")
    if model is None:
        pytest.skip("not applicable: the target lists no text model with a price")
    body = run.chat_body(model)
    request = {
        "model": body["model"],
        "messages": body["messages"],
        "max_tokens": body["max_tokens"],
    }
    require(
        openrouter_chat(run.target, request, stream=False)
        + openrouter_chat(run.target, request, stream=True)
    )


@requirement("ORSDK-ERROR-001")
def test_sdk_reads_refusals(run: Run) -> None:
    """Refusals of lookup, list and (when chat is allowed) chat, read by the SDK itself."""
    chat_request = None
    if run.config.chat_budget != 0 and "chat" in run.claimed:
        body = run.chat_body("zz-unknown-author/zz-unknown-model")
        chat_request = {k: body[k] for k in ("model", "messages", "max_tokens")}
    require(
        openrouter_errors(
            run.target, chat_request, lookup="lookup" in run.claimed, count="count" in run.claimed
        )
    )
