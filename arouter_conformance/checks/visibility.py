"""Per-key visibility (ruling R14): a restricted key sees its providers' models, all and only."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from arouter_conformance.checks.common import preview
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.oracle import Baseline, author_of, id_of

__all__ = ["auto_within_own_models", "every_own_model", "only_own_models"]

Model = Mapping[str, Any]


def _ids(models: Sequence[Model]) -> set[str]:
    return {i for i in map(id_of, models) if i is not None}


def only_own_models(
    exchange: Exchange,
    models: Sequence[Model],
    providers: Collection[str],
    requirement: str = "VIS-LIST-001",
) -> list[Finding]:
    """VIS-LIST-001, and USER-VIS-001 on the restricted key's GET /models/user."""
    judged(requirement)
    foreign = sorted(i for i in _ids(models) if author_of(i) not in providers)
    if not foreign:
        return []
    return [
        Finding(
            requirement,
            f"{exchange.describe()}: the restricted key sees {len(foreign)} models of other "
            f"providers: {preview(foreign)}",
            expected=f"only models of {', '.join(sorted(providers))}",
            observed=preview(foreign),
            exchange=exchange,
        )
    ]


def auto_within_own_models(
    exchange: Exchange, body: Model | None, baseline: Baseline, providers: Collection[str]
) -> list[Finding]:
    """VIS-AUTO-001: `auto` asked with a restricted key is served by one of its providers.

    The answer's model is resolved through the full list, by id or canonical_slug (ruling
    R15); a name that is no listed model shows nothing about visibility (CHAT-AUTO-001
    judges it), so it cannot be judged here. The refusal itself is the caller's finding.
    """
    named = body.get("model") if body is not None else None
    served: str | None = None
    if isinstance(named, str):
        served = named if named in baseline.by_id else None
        served = served or next(
            (str(id_of(m)) for m in baseline.models if m.get("canonical_slug") == named), None
        )
    if served is None:
        cannot_judge("VIS-AUTO-001", f"the answer names {named!r}, no listed model")
        return []
    judged("VIS-AUTO-001")
    if author_of(served) in providers:
        return []
    return [
        Finding(
            "VIS-AUTO-001",
            f"{exchange.describe()}: automatic routing served the restricted key with {named}, "
            f"a model of {author_of(served)}",
            expected=f"a model of {', '.join(sorted(providers))}",
            observed=str(named),
            exchange=exchange,
            pointer="/model",
        )
    ]


def every_own_model(
    exchange: Exchange,
    models: Sequence[Model],
    unrestricted: Sequence[Model],
    providers: Collection[str],
) -> list[Finding]:
    """VIS-LIST-002."""
    judged("VIS-LIST-002")
    wanted = {i for i in _ids(unrestricted) if author_of(i) in providers}
    missing = sorted(wanted - _ids(models))
    if not missing:
        return []
    return [
        Finding(
            "VIS-LIST-002",
            f"{exchange.describe()}: the restricted key misses {len(missing)} models of its "
            f"own providers: {preview(missing)}",
            expected=f"{len(wanted)} models of {', '.join(sorted(providers))}",
            observed=f"missing {preview(missing)}",
            exchange=exchange,
        )
    ]
