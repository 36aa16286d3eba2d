"""Small helpers the area checks share: model lists out of answers, id-set comparison."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from arouter_conformance.checks.http import json_answer
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, judged
from arouter_conformance.oracle import id_of

__all__ = ["compare_ids", "listed_models", "preview"]

Model = Mapping[str, Any]


def listed_models(requirement: str, exchange: Exchange) -> tuple[list[Model] | None, list[Finding]]:
    """The models of a list answer: 200, JSON, an object with a data array of objects."""
    body, findings = json_answer(requirement, exchange)
    if findings:
        return None, findings
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        return None, [
            Finding(
                requirement,
                f"{exchange.describe()}: the answer has no data array",
                expected='{"data": [...]}',
                observed=exchange.text(200),
                exchange=exchange,
                pointer="/data",
            )
        ]
    return [m for m in data if isinstance(m, dict)], []


def preview(ids: Iterable[str], limit: int = 8) -> str:
    ordered = sorted(ids)
    shown = ", ".join(ordered[:limit])
    return shown + (f" … (+{len(ordered) - limit})" if len(ordered) > limit else "")


def compare_ids(
    requirement: str,
    exchange: Exchange,
    got: Iterable[Model],
    want: Iterable[Model],
    what: str,
) -> list[Finding]:
    """One finding when the answer's set of ids differs from the expected set."""
    judged(requirement)
    got_ids = {i for i in map(id_of, got) if i is not None}
    want_ids = {i for i in map(id_of, want) if i is not None}
    missing, extra = want_ids - got_ids, got_ids - want_ids
    if not missing and not extra:
        return []
    parts = []
    if missing:
        parts.append(f"missing {len(missing)}: {preview(missing)}")
    if extra:
        parts.append(f"unexpected {len(extra)}: {preview(extra)}")
    return [
        Finding(
            requirement,
            f"{exchange.describe()}: {what}: " + "; ".join(parts),
            expected=f"{len(want_ids)} models",
            observed=f"{len(got_ids)} models; " + "; ".join(parts),
            exchange=exchange,
            pointer="/data",
        )
    ]
