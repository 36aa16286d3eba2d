"""The OpenAI-style list (profile openai-list, ruling R4)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from arouter_conformance.checks.common import preview
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.oracle import author_of, id_of

__all__ = ["owned_by_author"]

Model = Mapping[str, Any]


def owned_by_author(exchange: Exchange, models: Sequence[Model]) -> list[Finding]:
    """OPENAI-LIST-003 (SHOULD): owned_by is the author part of the id, without ~.

    Only ids that have an author part can show it: `gpt-4o` says nothing of its owner."""
    authored = [
        (index, m)
        for index, m in enumerate(models)
        if "/" in str(id_of(m) or "") and isinstance(m.get("owned_by"), str)
    ]
    if authored:
        judged("OPENAI-LIST-003")
    else:
        cannot_judge("OPENAI-LIST-003", "no listed model has both an author/slug id and owned_by")
    wrong = [
        (index, str(id_of(m)), m.get("owned_by"))
        for index, m in authored
        if id_of(m) is not None and m.get("owned_by") != author_of(str(id_of(m)))
    ]
    if not wrong:
        return []
    index, model_id, owner = wrong[0]
    return [
        Finding(
            "OPENAI-LIST-003",
            f"{len(wrong)} models have an owned_by other than their author: "
            f"{preview(i for _, i, _ in wrong)}",
            expected=repr(author_of(model_id)),
            observed=repr(owner),
            exchange=exchange,
            pointer=f"/data/{index}/owned_by",
        )
    ]
