"""Per-key visibility (ruling R14): a restricted key sees its providers' models, all and only."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from arouter_conformance.checks.common import preview
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding
from arouter_conformance.oracle import author_of, id_of

__all__ = ["every_own_model", "only_own_models"]

Model = Mapping[str, Any]


def _ids(models: Sequence[Model]) -> set[str]:
    return {i for i in map(id_of, models) if i is not None}


def only_own_models(
    exchange: Exchange, models: Sequence[Model], providers: Collection[str]
) -> list[Finding]:
    """VIS-LIST-001."""
    foreign = sorted(i for i in _ids(models) if author_of(i) not in providers)
    if not foreign:
        return []
    return [
        Finding(
            "VIS-LIST-001",
            f"{exchange.describe()}: the restricted key sees {len(foreign)} models of other "
            f"providers: {preview(foreign)}",
            expected=f"only models of {', '.join(sorted(providers))}",
            observed=preview(foreign),
            exchange=exchange,
        )
    ]


def every_own_model(
    exchange: Exchange,
    models: Sequence[Model],
    unrestricted: Sequence[Model],
    providers: Collection[str],
) -> list[Finding]:
    """VIS-LIST-002."""
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
