"""Chat completions (profile chat, ruling R15): refusals, the completion, usage, routing."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from arouter_conformance.checks.http import (
    error_body,
    error_status_code,
    json_answer,
    json_media_type,
    no_server_error,
)
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.oracle import Baseline, router_priced, split_variant
from arouter_conformance.spec import Spec

__all__ = [
    "completion",
    "max_tokens_respected",
    "refused",
    "served",
    "served_by",
    "served_names",
    "usage_adds_up",
]

Model = Mapping[str, Any]


def refused(
    requirement: str, exchange: Exchange, statuses: Collection[int], label: str | None = None
) -> list[Finding]:
    """The request is refused with one of `statuses`: one finding that names them, a 5xx
    included (that a 5xx is never right for bad input is CHAT-ERROR-001's own finding)."""
    judged(requirement)
    if exchange.status in statuses:
        return []
    wanted = label or " or ".join(map(str, sorted(statuses)))
    return [
        Finding(
            requirement,
            f"{exchange.describe()}, expected {wanted}",
            expected=wanted,
            observed=f"{exchange.status}: {exchange.text(200)}",
            exchange=exchange,
        )
    ]


def refused_4xx(requirement: str, exchange: Exchange) -> list[Finding]:
    return refused(requirement, exchange, range(400, 500), "a 4xx refusal")


def completion(spec: Spec, exchange: Exchange) -> tuple[Model | None, list[Finding]]:
    """CHAT-RESP-001 and the schema part of CHAT-USAGE-001 for a whole completion."""
    body, findings = json_answer("CHAT-RESP-001", exchange)
    if findings:
        return None, findings
    findings = schema_findings(
        spec,
        "ChatResponse.json",
        body,
        exchange=exchange,
        requirements=["CHAT-RESP-001", "CHAT-USAGE-001"],
    ) + json_media_type("CHAT-RESP-001", exchange)
    return (body if isinstance(body, dict) else None), findings


def served(requirement: str, exchange: Exchange) -> tuple[Model | None, list[Finding]]:
    """The request was served: 200 with a JSON completion."""
    judged(requirement)
    body, findings = json_answer(requirement, exchange)
    if findings or not isinstance(body, dict):
        return None, findings or [
            Finding(requirement, f"{exchange.describe()}: not a JSON object", exchange=exchange)
        ]
    return body, []


def usage_adds_up(requirement: str, exchange: Exchange, usage: Any, pointer: str) -> list[Finding]:
    """usage is there, with integer counts, and total = prompt + completion."""
    judged(requirement)
    if not isinstance(usage, dict):
        return [
            Finding(
                requirement,
                f"{exchange.describe()}: no usage object",
                expected="usage {prompt_tokens, completion_tokens, total_tokens}",
                observed=repr(usage)[:200],
                exchange=exchange,
                pointer=pointer,
            )
        ]
    counts = [usage.get(k) for k in ("prompt_tokens", "completion_tokens", "total_tokens")]
    if not all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
        return [
            Finding(
                requirement,
                f"{exchange.describe()}: usage counts are not all integers",
                expected="three integers",
                observed=repr(counts),
                exchange=exchange,
                pointer=pointer,
            )
        ]
    prompt, completion_tokens, total = counts
    if prompt + completion_tokens == total:  # type: ignore[operator]
        return []
    return [
        Finding(
            requirement,
            f"{exchange.describe()}: total_tokens {total} is not {prompt} + {completion_tokens}",
            expected=str(prompt + completion_tokens),  # type: ignore[operator]
            observed=str(total),
            exchange=exchange,
            pointer=f"{pointer}/total_tokens",
        )
    ]


def max_tokens_respected(exchange: Exchange, body: Model, max_tokens: int) -> list[Finding]:
    """CHAT-USAGE-002."""
    usage = body.get("usage")
    used = usage.get("completion_tokens") if isinstance(usage, dict) else None
    if not isinstance(used, int):
        cannot_judge("CHAT-USAGE-002", "the answer reports no completion_tokens to compare")
        return []
    judged("CHAT-USAGE-002")
    if used <= max_tokens:
        return []
    return [
        Finding(
            "CHAT-USAGE-002",
            f"{exchange.describe()}: {used} completion tokens for max_tokens={max_tokens}",
            expected=f"at most {max_tokens}",
            observed=str(used),
            exchange=exchange,
            pointer="/usage/completion_tokens",
        )
    ]


def served_names(baseline: Baseline, requested: str) -> frozenset[str]:
    """The names a completion for `requested` may carry (ruling R15).

    The id itself or its canonical_slug; for a variant, the base model's as well.
    """
    names = {requested}
    base, variant = split_variant(requested)
    for model_id in (requested, base) if variant else (requested,):
        names.add(model_id)
        slug = baseline.by_id.get(model_id, {}).get("canonical_slug")
        if isinstance(slug, str):
            names.add(slug)
    return frozenset(names)


def served_by(
    requirement: str, exchange: Exchange, body: Model, allowed: Collection[str]
) -> list[Finding]:
    judged(requirement)
    model = body.get("model")
    if model in allowed:
        return []
    return [
        Finding(
            requirement,
            f"{exchange.describe()}: answered in the name of {model!r}",
            expected=" or ".join(sorted(allowed)),
            observed=repr(model),
            exchange=exchange,
            pointer="/model",
        )
    ]


def concrete_model(
    exchange: Exchange, body: Model, baseline: Baseline, auto_id: str
) -> list[Finding]:
    """CHAT-AUTO-001: the answer names a concrete listed model, never the routing id."""
    judged("CHAT-AUTO-001")
    model = body.get("model")
    canonical = {
        m.get("canonical_slug"): m
        for m in baseline.models
        if isinstance(m.get("canonical_slug"), str)
    }
    listed = baseline.by_id.get(model) if isinstance(model, str) else None
    listed = listed or (canonical.get(model) if isinstance(model, str) else None)
    if model != auto_id and listed is not None and not router_priced(listed, baseline.contract):
        return []
    return [
        Finding(
            "CHAT-AUTO-001",
            f"{exchange.describe()}: automatic routing answered in the name of {model!r}",
            expected="the id (or canonical_slug) of a listed model that is not a router",
            observed=repr(model),
            exchange=exchange,
            pointer="/model",
        )
    ]


def error_shape(spec: Spec, exchange: Exchange) -> list[Finding]:
    """CHAT-ERROR-001: a refusal carries the error body and bad input never gets a 5xx;
    CHAT-ERROR-002 (SHOULD): its error.code is the HTTP status, as an integer."""
    judged("CHAT-ERROR-001")
    return (
        no_server_error("CHAT-ERROR-001", exchange)
        + error_body(spec, "CHAT-ERROR-001", exchange)
        + error_status_code(spec, "CHAT-ERROR-002", exchange)
    )
