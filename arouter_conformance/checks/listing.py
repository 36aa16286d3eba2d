"""The list answer and the Model objects in it (profile models, rulings R4-R7)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from arouter_conformance.checks.common import listed_models, preview
from arouter_conformance.checks.http import json_media_type
from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged, not_applicable
from arouter_conformance.oracle import id_of, split_variant
from arouter_conformance.spec import Spec

__all__ = [
    "context_lengths",
    "created_in_seconds",
    "free_variants",
    "list_envelope",
    "model_objects",
    "unique_ids",
]

Model = Mapping[str, Any]
# 3000-01-01T00:00:00Z in Unix seconds. A created past it is no date a model was added on:
# it is milliseconds (1.7e12 today) or finer, read by clients as a date ~56,000 years ahead.
LATEST_CREATED = 32_503_680_000


def list_envelope(spec: Spec, exchange: Exchange) -> tuple[list[Model] | None, list[Finding]]:
    """MODELS-LIST-001: 200, JSON, an object with a data array (the models are judged apart)."""
    models, findings = listed_models("MODELS-LIST-001", exchange)
    if findings:
        return None, findings
    body = exchange.json()
    # Each model is judged by its own requirements; here only the envelope counts.
    envelope = {**body, "data": []}
    findings = schema_findings(
        spec, "ModelList.json", envelope, exchange=exchange, requirements=["MODELS-LIST-001"]
    )
    findings += [
        Finding(
            "MODELS-LIST-001",
            f"{exchange.describe()}: data[{index}] is not a model object",
            expected="an object",
            observed=repr(entry)[:200],
            exchange=exchange,
            pointer=f"/data/{index}",
        )
        for index, entry in enumerate(body["data"])
        if not isinstance(entry, dict)
    ]
    return models, findings + json_media_type("MODELS-LIST-001", exchange)


def model_objects(
    spec: Spec,
    models: Sequence[Model],
    exchange: Exchange,
    file: str = "Model.json",
    seen: set[str] | None = None,
) -> list[Finding]:
    """Every model against the Model schema; errors go to the requirement owning the field.

    With `seen`, a model already judged in another answer (same JSON) is not judged again:
    the lists of one run mostly repeat the same objects.
    """
    if models and not any("benchmarks" in m for m in models):
        not_applicable("MODELS-BENCH-001", "no listed model carries benchmarks")
    findings = []
    for index, model in enumerate(models):
        if seen is not None:
            key = json.dumps(model, sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
        findings += schema_findings(spec, file, model, exchange=exchange, pointer=f"/data/{index}")
    return findings


def context_lengths(models: Sequence[Model], exchange: Exchange) -> list[Finding]:
    """MODELS-MODEL-002 (SHOULD): context_length is known (where it is missing altogether,
    MODELS-MODEL-001 says so)."""
    carried = [m for m in models if "context_length" in m]
    if carried:
        judged("MODELS-MODEL-002")
    elif models:
        cannot_judge("MODELS-MODEL-002", "no listed model carries context_length")
    unknown = [str(id_of(m)) for m in carried if m["context_length"] is None]
    if not unknown:
        return []
    return [
        Finding(
            "MODELS-MODEL-002",
            f"{len(unknown)} models have a null context_length: {preview(unknown)}",
            expected="an integer",
            observed="null",
            exchange=exchange,
        )
    ]


def created_in_seconds(models: Sequence[Model], exchange: Exchange) -> list[Finding]:
    """MODELS-CREATED-001: created is Unix seconds, so never past the year 3000.

    Only integers are judged here (a created of another type is MODELS-MODEL-001's
    finding); dates in the past, even 0, are not judged: the seeds give no earliest date.
    """
    stamps = [
        (index, model, created)
        for index, model in enumerate(models)
        if isinstance(created := model.get("created"), int) and not isinstance(created, bool)
    ]
    if not stamps:
        cannot_judge("MODELS-CREATED-001", "no listed model has an integer created")
        return []
    judged("MODELS-CREATED-001")
    late = [(index, model, created) for index, model, created in stamps if created > LATEST_CREATED]
    if not late:
        return []
    index, first, created = late[0]
    return [
        Finding(
            "MODELS-CREATED-001",
            f"{len(late)} models have a created past the year 3000 as seconds (milliseconds?): "
            f"{preview(str(id_of(m)) for _, m, _ in late)}",
            expected=f"Unix seconds, at most {LATEST_CREATED}",
            observed=f"{id_of(first)}: {created}",
            exchange=exchange,
            pointer=f"/data/{index}/created",
        )
    ]


def unique_ids(models: Sequence[Model], exchange: Exchange) -> list[Finding]:
    """MODELS-ID-001: no id twice in one answer (one model cannot repeat itself)."""
    if len(models) > 1:
        judged("MODELS-ID-001")
    counts = Counter(i for i in map(id_of, models) if i is not None)
    repeated = sorted(i for i, n in counts.items() if n > 1)
    if not repeated:
        return []
    return [
        Finding(
            "MODELS-ID-001",
            f"{exchange.describe()}: {len(repeated)} ids appear more than once: "
            f"{preview(repeated)}",
            expected="each id once",
            observed=", ".join(f"{i} x{counts[i]}" for i in repeated[:8]),
            exchange=exchange,
        )
    ]


def free_variants(models: Sequence[Model], exchange: Exchange) -> list[Finding]:
    """MODELS-PRICING-002: :free ids price prompt and completion at zero, as decimals."""
    findings = []
    for index, model in enumerate(models):
        model_id = id_of(model)
        if model_id is None or split_variant(model_id)[1] != "free":
            continue
        judged("MODELS-PRICING-002")
        pricing = model.get("pricing")
        for key in ("prompt", "completion"):
            value = pricing.get(key) if isinstance(pricing, Mapping) else None
            if not _is_zero(value):
                findings.append(
                    Finding(
                        "MODELS-PRICING-002",
                        f"{model_id} is a :free variant but its {key} price is not zero",
                        expected='"0"',
                        observed=repr(value),
                        exchange=exchange,
                        pointer=f"/data/{index}/pricing/{key}",
                    )
                )
    return findings


def _is_zero(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return Decimal(value) == 0
    except InvalidOperation:
        return False
