"""GET /models/count (ruling R12): its shape and its agreement with the list."""

from __future__ import annotations

from arouter_conformance.checks.http import json_answer, json_media_type, no_server_error
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, judged
from arouter_conformance.spec import Spec

__all__ = ["count_matches", "count_value", "unknown_count_answer"]


def count_value(
    spec: Spec, requirement: str, exchange: Exchange
) -> tuple[int | None, list[Finding]]:
    """The N of {"data": {"count": N}}, or findings for `requirement`."""
    body, findings = json_answer(requirement, exchange)
    if findings:
        return None, findings
    findings = schema_findings(
        spec, "ModelCount.json", body, exchange=exchange, attribute_to=requirement
    )
    findings += json_media_type(requirement, exchange)
    if findings:
        return None, findings
    return int(body["data"]["count"]), []


def count_matches(
    requirement: str, count_exchange: Exchange, count: int, list_exchange: Exchange, listed: int
) -> list[Finding]:
    judged(requirement)
    if count == listed:
        return []
    return [
        Finding(
            requirement,
            f"{count_exchange.describe()} counts {count} but "
            f"{list_exchange.path_and_query} lists {listed}",
            expected=str(listed),
            observed=str(count),
            exchange=count_exchange,
            pointer="/data/count",
        )
    ]


def unknown_count_answer(
    spec: Spec, count_exchange: Exchange, list_exchange: Exchange, listed: int | None
) -> list[Finding]:
    """COUNT-UNKNOWN-001: no 5xx; a 200 counts what the list answers for the same value."""
    findings = no_server_error("COUNT-UNKNOWN-001", count_exchange)
    if count_exchange.status != 200:
        return findings
    count, problems = count_value(spec, "COUNT-UNKNOWN-001", count_exchange)
    if count is None:
        return findings + problems
    if listed is None:
        return [
            *findings,
            Finding(
                "COUNT-UNKNOWN-001",
                f"{count_exchange.describe()} counts {count} for a value the list refuses "
                f"({list_exchange.describe()})",
                expected="the same refusal as the list",
                observed=str(count),
                exchange=count_exchange,
            ),
        ]
    return findings + count_matches(
        "COUNT-UNKNOWN-001", count_exchange, count, list_exchange, listed
    )
