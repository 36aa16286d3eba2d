"""Checks that apply to any answer: status, JSON-ness, the error shape (ruling R3)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.exchange import BeyondKit, Exchange, NotJson
from arouter_conformance.findings import Finding, Inconclusive, cannot_judge, judged
from arouter_conformance.spec import Spec

__all__ = [
    "error_body",
    "error_status_code",
    "json_answer",
    "json_media_type",
    "no_server_error",
    "refused_with_400",
    "valid_answer",
]


def json_answer(
    requirement: str, exchange: Exchange, status: int = 200
) -> tuple[Any, list[Finding]]:
    """The parsed body of an answer that must have `status` and be JSON, or findings.
    Inconclusive when the kit did not read the whole answer: what it did not see is no
    evidence against the target."""
    if exchange.status != status:
        return None, [
            Finding(
                requirement,
                f"{exchange.describe()}, expected {status}",
                expected=str(status),
                observed=f"{exchange.status}: {exchange.text(300)}",
                exchange=exchange,
            )
        ]
    if exchange.cut_by_kit:
        raise Inconclusive(f"{exchange.describe()}: {exchange.cut_by_kit}, so it cannot be judged")
    try:
        return exchange.json(), []
    except BeyondKit as exc:
        raise Inconclusive(f"{exchange.describe()}: {exc}, so it cannot be judged") from None
    except NotJson as exc:
        return None, [
            Finding(
                requirement,
                f"{exchange.describe()}: {exc}",
                expected="a JSON body",
                observed=exchange.text(300),
                exchange=exchange,
            )
        ]


def valid_answer(
    spec: Spec,
    requirement: str,
    exchange: Exchange,
    schema: str,
    *,
    shape: str,
    limit: int | None = None,
) -> tuple[Any, list[Finding]]:
    """The body of a 200 application/json answer valid against `schema`, or findings for
    `requirement`. Validating judges `shape` (the answer's shape requirement), never
    `requirement`: that one is judged by what its own check then looks at, so an answer
    with nothing for it leaves it unjudged rather than passed."""
    body, findings = json_answer(requirement, exchange)
    if findings:
        return None, findings
    findings = [
        replace(finding, requirement=requirement)
        for finding in schema_findings(
            spec, schema, body, exchange=exchange, attribute_to=shape, limit=limit
        )
    ] + json_media_type(requirement, exchange)
    return (None, findings) if findings else (body, [])


def json_media_type(requirement: str, exchange: Exchange) -> list[Finding]:
    """The answer says it is JSON: clients pick their parser by Content-Type."""
    if exchange.media_type == "application/json":
        return []
    return [
        Finding(
            requirement,
            f"{exchange.describe()}: JSON labelled {exchange.media_type or 'as nothing'}",
            expected="Content-Type: application/json",
            observed=f"Content-Type: {exchange.header('content-type')}",
            exchange=exchange,
        )
    ]


def refused_with_400(requirement: str, exchange: Exchange, what: str) -> list[Finding]:
    """The SHOULDs that ask for a 400 (an unknown sort value, an unknown modality)."""
    judged(requirement)
    if exchange.status == 400:
        return []
    return [
        Finding(
            requirement,
            f"{exchange.describe()}: {what} was not refused",
            expected="400",
            observed=str(exchange.status),
            exchange=exchange,
        )
    ]


def no_server_error(requirement: str, exchange: Exchange) -> list[Finding]:
    judged(requirement)
    if exchange.status < 500:
        return []
    return [
        Finding(
            requirement,
            f"{exchange.describe()}: bad input got a server error",
            expected="a 4xx refusal or a 200 answer",
            observed=f"{exchange.status}: {exchange.text(300)}",
            exchange=exchange,
        )
    ]


def error_body(spec: Spec, requirement: str, exchange: Exchange) -> list[Finding]:
    """A 4xx/5xx answer is application/json {"error": {"message": str, ...}} (ruling R3).

    Whatever `code` holds is left to `error_status_code`: OpenAI's form sends a string or
    null there, OpenRouter's the status as an integer.
    """
    if exchange.status < 400:
        return []
    judged(requirement)
    findings = []
    if exchange.media_type != "application/json":
        findings.append(
            Finding(
                requirement,
                f"{exchange.describe()}: error answer is not application/json",
                expected="Content-Type: application/json",
                observed=f"Content-Type: {exchange.header('content-type')}",
                exchange=exchange,
            )
        )
    if exchange.cut_by_kit:
        cannot_judge(requirement, f"{exchange.describe()}: {exchange.cut_by_kit}")
        return findings
    try:
        body = exchange.json()
    except BeyondKit as exc:
        cannot_judge(requirement, f"{exchange.describe()}: {exc}")
        return findings
    except NotJson as exc:
        return [
            *findings,
            Finding(
                requirement,
                f"{exchange.describe()}: error body {exc}",
                expected='{"error": {"message": "..."}}',
                observed=exchange.text(300),
                exchange=exchange,
            ),
        ]
    return findings + schema_findings(
        spec, "Error.json", body, exchange=exchange, attribute_to=requirement
    )


def error_status_code(spec: Spec, requirement: str, exchange: Exchange) -> list[Finding]:
    """The SHOULD of ruling R3: error.code is an integer equal to the HTTP status.

    Judged only on an error answer whose body holds an error object: an answer without
    one already breaks the MUST (`error_body`), which is where that belongs.
    """
    if exchange.status < 400:
        return []
    try:
        body = exchange.json()
    except NotJson:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        cannot_judge(
            requirement,
            f"{exchange.describe()} with no JSON error object to read a code from",
        )
        return []
    judged(requirement)
    findings = schema_findings(
        spec, "ErrorStatusCode.json", body, exchange=exchange, attribute_to=requirement
    )
    code = error.get("code")
    if isinstance(code, int) and not isinstance(code, bool) and code != exchange.status:
        findings.append(
            Finding(
                requirement,
                f"{exchange.describe()}: error.code {code} is not the HTTP status",
                expected=str(exchange.status),
                observed=str(code),
                exchange=exchange,
                pointer="/error/code",
            )
        )
    return findings
