"""Probe planning: which models the chat checks talk to, chosen to spend as little as
possible on a live, paid target. A matter of the run's budget, not of what the contract
expects, so it lives apart from the oracle (expected answers) it reads model facts from."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from arouter_conformance.oracle import (
    Baseline,
    chat_capable,
    decimal_price,
    id_of,
    output_modalities,
    price_vector,
    router_priced,
    split_variant,
    supported_parameters,
)
from arouter_conformance.spec import Contract

__all__ = ["ChatModels", "chat_models", "cheapest", "cheapest_first", "total_price"]

Model = Mapping[str, Any]


@dataclass(frozen=True)
class ChatModels:
    """The models the chat suite talks to, chosen to spend as little as possible.

    `cheap` serves the shape, usage and streaming checks: a listed :free id when there is
    one, else the cheapest plain model. The others are the cheapest of their kind, or
    None when the target lists none (the check is then not applicable).
    """

    cheap: str | None
    base: str | None
    free: str | None
    without_free: str | None
    thinking: str | None
    without_reasoning: str | None
    non_text: str | None
    # A plain model with reasoning whose :thinking id is not listed: the suffix appended.
    reasoning_base: str | None = None


def total_price(model: Model) -> Decimal | None:
    """Every price the model lists, added up; None when one cannot be read as a price, or
    when the sum is beyond what a Decimal holds (prices near its limit, which no real
    model has, must not stop the run)."""
    pricing = model.get("pricing")
    if not isinstance(pricing, Mapping):
        return None
    total = Decimal(0)
    for value in pricing.values():
        if not isinstance(value, str):
            continue  # structured extras (overrides, discount) are not prices per unit
        price = decimal_price(value)
        if price is None:
            return None
        try:
            total += price
        except ArithmeticError:
            return None
    return total


def cheapest(models: Iterable[Model], contract: Contract) -> str | None:
    """The id of the cheapest model, preferring those that take max_tokens and do not
    reason (reasoning can spend a small max_tokens before any text)."""
    priced = [(m, total_price(m)) for m in models if not router_priced(m, contract)]
    ranked = [
        (
            "max_tokens" not in supported_parameters(m),
            "reasoning" in supported_parameters(m),
            price,
            str(id_of(m)),
        )
        for m, price in priced
        if price is not None
    ]
    return min(ranked)[3] if ranked else None


def cheapest_first(models: Iterable[Model], contract: Contract) -> list[Model]:
    """The models ordered by their pricing sort keys' prices (prompt first, then the next
    key on a tie, then the id), models with no price data (routers, unreadable prices)
    last: a sample that is the same from run to run and led by the models a client tries
    first. Compared, never added, so no price a target sends can overflow."""

    def key(model: Model) -> tuple[bool, tuple[Decimal, ...], str]:
        vector = price_vector(model, contract)
        return vector is None, vector or (), str(id_of(model))

    return sorted(models, key=key)


def chat_models(baseline: Baseline) -> ChatModels:
    contract = baseline.contract

    def cheapest_of(models: Iterable[Model]) -> str | None:
        return cheapest(models, contract)

    texts = [m for m in baseline.models if chat_capable(m, contract)]
    plain = [m for m in texts if split_variant(str(id_of(m)))[1] is None]
    listed = baseline.ids
    free = cheapest_of(m for m in texts if split_variant(str(id_of(m)))[1] == "free")
    return ChatModels(
        cheap=free or cheapest_of(plain),
        base=cheapest_of(plain),
        free=free,
        without_free=cheapest_of(m for m in plain if f"{id_of(m)}:free" not in listed),
        thinking=cheapest_of(m for m in texts if split_variant(str(id_of(m)))[1] == "thinking"),
        without_reasoning=cheapest_of(
            m for m in plain if "reasoning" not in supported_parameters(m)
        ),
        non_text=cheapest_of(
            m
            for m in baseline.models
            if contract.default_output_modality not in output_modalities(m)
        ),
        reasoning_base=cheapest_of(
            m
            for m in plain
            if "reasoning" in supported_parameters(m) and f"{id_of(m)}:thinking" not in listed
        ),
    )
