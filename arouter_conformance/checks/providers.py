"""GET /providers (ruling R20): its shape and its unique slugs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from arouter_conformance.checks.common import preview
from arouter_conformance.checks.http import valid_answer
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, judged, not_applicable
from arouter_conformance.spec import Spec

__all__ = ["providers_of", "unique_slugs"]

Provider = Mapping[str, Any]


def providers_of(
    spec: Spec, requirement: str, exchange: Exchange
) -> tuple[list[Provider] | None, list[Finding]]:
    """The providers of a 200 application/json answer valid against Providers.json, or
    findings for `requirement`. Validating judges the shape (PROVIDERS-SHAPE-001), never
    `requirement`: a list of one provider shows nothing about unique slugs."""
    body, findings = valid_answer(
        spec, requirement, exchange, "Providers.json", shape="PROVIDERS-SHAPE-001"
    )
    return (None, findings) if findings else (list(body["data"]), [])


def unique_slugs(exchange: Exchange, providers: list[Provider]) -> list[Finding]:
    """PROVIDERS-UNIQUE-001: clients key their provider preferences by slug. A gateway of
    one upstream lists one provider (or none): two providers to tell apart never arise, so
    the requirement does not apply to it, which is no defect and no open question."""
    if len(providers) < 2:
        not_applicable(
            "PROVIDERS-UNIQUE-001",
            f"{exchange.describe()} lists {len(providers)} provider(s): no two to tell apart",
        )
        return []
    judged("PROVIDERS-UNIQUE-001")
    counts = Counter(str(p["slug"]) for p in providers)
    shared = {slug: n for slug, n in counts.items() if n > 1}
    if not shared:
        return []
    return [
        Finding(
            "PROVIDERS-UNIQUE-001",
            f"{exchange.describe()}: {len(shared)} slug(s) name more than one provider: "
            + preview(shared),
            expected="every slug once",
            observed=", ".join(f"{slug} x{n}" for slug, n in sorted(shared.items())[:8]),
            exchange=exchange,
            pointer="/data",
        )
    ]
