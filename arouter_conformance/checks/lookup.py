"""GET /model/{author}/{slug} (ruling R13): listed ids, variants, aliases and unknown ids."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

from arouter_conformance.checks.http import json_answer, json_media_type
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, judged
from arouter_conformance.oracle import id_of
from arouter_conformance.spec import Spec

__all__ = [
    "alias_answer",
    "alias_redirect",
    "looked_up",
    "lookup_path",
    "matches_listing",
    "not_found",
    "redirect_target",
]

Model = Mapping[str, Any]


def lookup_path(model_id: str) -> str:
    """Where a model is looked up, under the API root; `~` and `:` stay as they are, as
    seed 002 writes them."""
    return "/model/" + quote(model_id, safe="/~:@")


def looked_up(
    spec: Spec, requirement: str, exchange: Exchange
) -> tuple[Model | None, list[Finding]]:
    """The model of a lookup answer: 200 with {"data": Model}, valid as in the list."""
    body, findings = json_answer(requirement, exchange)
    if findings:
        return None, findings
    findings = schema_findings(
        spec, "ModelLookup.json", body, exchange=exchange, attribute_to=requirement
    ) + json_media_type(requirement, exchange)
    if findings:
        return None, findings
    return body["data"], []


def matches_listing(
    requirement: str, exchange: Exchange, model: Model, listed: Model, at: str = "/data"
) -> list[Finding]:
    """Every key of the list entry, at the same value (the lookup may add keys); `at` is
    where `model` sits in the answer (a list holds its models at /data/{index})."""
    judged(requirement)
    findings = []
    if id_of(model) != id_of(listed):
        findings.append(
            Finding(
                requirement,
                f"{exchange.describe()} answers with id {id_of(model)!r}",
                expected=repr(id_of(listed)),
                observed=repr(id_of(model)),
                exchange=exchange,
                pointer=f"{at}/id",
            )
        )
    differing = [k for k, v in listed.items() if k != "id" and model.get(k, _ABSENT) != v]
    for key in differing[:5]:
        findings.append(
            Finding(
                requirement,
                f"{exchange.describe()}: {key} differs from the list entry of {id_of(listed)}",
                expected=_excerpt(listed[key]),
                observed=_excerpt(model.get(key, _ABSENT)),
                exchange=exchange,
                pointer=f"{at}/{key}",
            )
        )
    return findings


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT: Any = _Absent()


def _excerpt(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 300 else text[:300] + "…"


def not_found(
    requirement: str, exchange: Exchange, why: str = "an id neither listed nor an alias"
) -> list[Finding]:
    """404, whatever the body: the body of an error answer is MODELS-ERROR-001's business,
    so a text 404 fails that requirement once, not every lookup requirement as well."""
    judged(requirement)
    if exchange.status == 404:
        return []
    return [
        Finding(
            requirement,
            f"{exchange.describe()}, expected 404 for {why}",
            expected="404",
            observed=f"{exchange.status}: {exchange.text(200)}",
            exchange=exchange,
        )
    ]


def redirect_target(exchange: Exchange) -> str | None:
    location = exchange.header("location")
    return urljoin(exchange.url, location) if location else None


def alias_redirect(
    exchange: Exchange, canonical: str, expected_url: str, redirect_statuses: frozenset[int]
) -> list[Finding]:
    """LOOKUP-ALIAS-001, first hop: 200 or a redirect to the canonical lookup path."""
    judged("LOOKUP-ALIAS-001")
    if exchange.status == 200:
        return []
    if exchange.status not in redirect_statuses:
        return [
            Finding(
                "LOOKUP-ALIAS-001",
                f"{exchange.describe()}: a declared alias of {canonical} was neither answered "
                "nor redirected",
                expected="200, or 301/302/307/308 to the canonical lookup path",
                observed=f"{exchange.status}: {exchange.text(200)}",
                exchange=exchange,
            )
        ]
    target = redirect_target(exchange)
    if target is None or _path(target) != _path(expected_url):
        return [
            Finding(
                "LOOKUP-ALIAS-001",
                f"{exchange.describe()} redirects elsewhere than the lookup of {canonical}",
                expected=expected_url,
                observed=str(exchange.header("location")),
                exchange=exchange,
            )
        ]
    return []


def _path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.netloc, unquote(parts.path)


def alias_answer(spec: Spec, exchange: Exchange, alias: str, canonical: str) -> list[Finding]:
    """LOOKUP-ALIAS-001 on the 200 an alias led to: the canonical model's entry."""
    model, findings = looked_up(spec, "LOOKUP-ALIAS-001", exchange)
    if model is None or model.get("id") == canonical:
        return findings
    return [
        *findings,
        Finding(
            "LOOKUP-ALIAS-001",
            f"{exchange.describe()}: the alias {alias} resolved to {model.get('id')!r}",
            expected=repr(canonical),
            observed=repr(model.get("id")),
            exchange=exchange,
            pointer="/data/id",
        ),
    ]
