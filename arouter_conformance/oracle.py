"""The expected answers, computed from the baseline list (`output_modalities=all`).

Pure functions over JSON values: no I/O, no pytest, no HTTP. Every filtered, sorted,
counted or looked-up answer the target gives is judged against what these functions
derive from the one list the target gave when asked for everything, so the kit needs no
knowledge of the target's catalog beyond what the target itself says.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from arouter_conformance.spec import Contract

__all__ = [
    "Baseline",
    "ModalitySelection",
    "ParameterRule",
    "author_of",
    "chat_capable",
    "decimal_price",
    "id_of",
    "input_modalities",
    "output_modalities",
    "parse_list",
    "parse_modalities",
    "price_vector",
    "router_priced",
    "select_by_parameters",
    "split_variant",
    "strictly_dominates",
    "supported_parameters",
]

Model = Mapping[str, Any]
ParameterRule = Literal["all", "any"]


def id_of(model: Any) -> str | None:
    value = model.get("id") if isinstance(model, Mapping) else None
    return value if isinstance(value, str) else None


def author_of(model_id: str) -> str:
    """The provider a model belongs to: the id before the slash, without a leading ~."""
    return model_id.split("/", 1)[0].removeprefix("~")


def split_variant(model_id: str) -> tuple[str, str | None]:
    """`author/slug:variant` -> (`author/slug`, `variant`); an id without an author (as
    OpenAI-style gateways list them) splits the same way: `slug:variant` -> (`slug`, ...)."""
    head, slash, tail = model_id.rpartition("/")
    base, colon, variant = tail.partition(":")
    return f"{head}{slash}{base}", (variant if colon else None)


def _strings(value: Any) -> frozenset[str]:
    if not isinstance(value, list):
        return frozenset()
    return frozenset(item for item in value if isinstance(item, str))


def output_modalities(model: Model) -> frozenset[str]:
    architecture = model.get("architecture")
    if not isinstance(architecture, Mapping):
        return frozenset()
    return _strings(architecture.get("output_modalities"))


def supported_parameters(model: Model) -> frozenset[str]:
    return _strings(model.get("supported_parameters"))


def opaque(models: Iterable[Model], says: Callable[[Model], bool]) -> frozenset[str]:
    """The ids of the models that do not carry what a filter reads (`says` is false): no
    answer can be right or wrong about them, so comparisons leave them out, and a model
    without an architecture fails MODELS-ARCH-001 once rather than every filter too."""
    return frozenset(str(id_of(m)) for m in models if not says(m))


def says_outputs(model: Model) -> bool:
    architecture = model.get("architecture")
    return isinstance(architecture, Mapping) and isinstance(
        architecture.get("output_modalities"), list
    )


def says_parameters(model: Model) -> bool:
    return isinstance(model.get("supported_parameters"), list)


def parse_list(raw: str) -> tuple[str, ...]:
    """A comma-separated query value, tokens trimmed, empty tokens dropped."""
    return tuple(token.strip() for token in raw.split(",") if token.strip())


@dataclass(frozen=True)
class ModalitySelection:
    """What an output_modalities value asks for, read as ruling R8 reads it."""

    raw: str | None
    tokens: frozenset[str]
    everything: bool = False

    @property
    def empty(self) -> bool:
        return not self.everything and not self.tokens

    @property
    def spaced(self) -> bool:
        return self.raw is not None and self.raw != ",".join(parse_list(self.raw))


def parse_modalities(raw: str | None, contract: Contract) -> ModalitySelection:
    if raw is None:
        return ModalitySelection(raw, frozenset({contract.default_output_modality}))
    tokens = frozenset(parse_list(raw))
    if tokens == {contract.all_output_modalities}:
        return ModalitySelection(raw, frozenset(), everything=True)
    return ModalitySelection(raw, tokens)


def select_by_parameters(
    models: Iterable[Model], parameters: Iterable[str], rule: ParameterRule
) -> list[Model]:
    wanted = frozenset(parameters)
    if rule == "all":
        return [m for m in models if wanted <= supported_parameters(m)]
    return [m for m in models if wanted & supported_parameters(m)]


def router_priced(model: Model, contract: Contract) -> bool:
    """Priced with the router sentinel: no fixed price, so no pricing data to sort on."""
    pricing = model.get("pricing")
    return isinstance(pricing, Mapping) and contract.router_price_sentinel in (
        pricing.get("prompt"),
        pricing.get("completion"),
    )


def decimal_price(value: Any) -> Decimal | None:
    """A price as the document writes it, a decimal string, read as a finite Decimal of at
    least 0; None for anything else (a number, "NaN", "1e", the router sentinel "-1").

    Decimal, never float: "0.000001" and "0.0000010" are the same price and 1e-7 steps
    must not vanish in rounding. The one reading the oracle, the list filters and the
    planner share, so that no price is a price to one and not to another.
    """
    if not isinstance(value, str):
        return None
    try:
        price = Decimal(value)
    except InvalidOperation:
        return None
    return price if price.is_finite() and price >= 0 else None


def price_vector(model: Model, contract: Contract) -> tuple[Decimal, ...] | None:
    """The prices pricing sorts compare (absent reads as 0), or None when there is no data."""
    pricing = model.get("pricing")
    if not isinstance(pricing, Mapping) or router_priced(model, contract):
        return None
    vector = []
    for key in contract.pricing_sort_keys:
        price = decimal_price(pricing.get(key, "0"))
        if price is None:
            return None
        vector.append(price)
    return tuple(vector)


def strictly_dominates(a: Sequence[Decimal], b: Sequence[Decimal]) -> bool:
    """A is cheaper than B on one priced item and dearer on none."""
    return all(x <= y for x, y in zip(a, b, strict=True)) and any(
        x < y for x, y in zip(a, b, strict=True)
    )


class Baseline:
    """The target's complete list (output_modalities=all), indexed for the oracle. The
    list never changes once read, so what is derived from it is derived once: the checks
    ask for the ids on every chat and lookup."""

    def __init__(self, models: Iterable[Any], contract: Contract) -> None:
        self.contract = contract
        self.models: tuple[Model, ...] = tuple(m for m in models if id_of(m) is not None)
        self.by_id: dict[str, Model] = {}
        for model in self.models:
            self.by_id.setdefault(str(id_of(model)), model)

    @functools.cached_property
    def ids(self) -> frozenset[str]:
        return frozenset(self.by_id)

    @functools.cached_property
    def known_modalities(self) -> frozenset[str]:
        """Names the target evidently knows: the documented ones and every one it lists."""
        listed = {name for m in self.models for name in output_modalities(m)}
        return frozenset(self.contract.documented_output_modalities) | listed

    @functools.cached_property
    def listed_parameters(self) -> tuple[str, ...]:
        return tuple(sorted({p for m in self.models for p in supported_parameters(m)}))

    def overlapping_pair(self) -> tuple[str, str] | None:
        """The two output modalities most models share: the comma list that tells a union
        from a join or an intersection best."""
        names = sorted(self.known_modalities)
        pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
        if not pairs:
            return None
        return max(
            pairs,
            key=lambda pair: sum(1 for m in self.models if set(pair) <= output_modalities(m)),
        )

    def telling_parameter(self, preferred: str = "tools") -> str | None:
        """A supported parameter that keeps some but not all of the default (text) list: a
        filter whose loss shows. `preferred` (seed 002 combines sort with tools) when it
        qualifies, else the one that splits the list most evenly."""
        texts = self.text_models()
        splits = {
            name: len(select_by_parameters(texts, (name,), "all"))
            for name in self.listed_parameters
        }
        telling = {name: n for name, n in splits.items() if 0 < n < len(texts)}
        if preferred in telling:
            return preferred
        return min(telling, key=lambda n: (abs(2 * telling[n] - len(texts)), n), default=None)

    def telling_modality(self) -> str | None:
        """An output modality other than the default that keeps some but not all models: the
        most common one (ties by name), or None."""
        default = self.contract.default_output_modality
        sizes = {
            name: sum(1 for m in self.models if name in output_modalities(m))
            for name in self.known_modalities - {default}
        }
        telling = {name: n for name, n in sizes.items() if 0 < n < len(self.models)}
        return min(telling, key=lambda n: (-telling[n], n), default=None)

    def select(self, selection: ModalitySelection) -> list[Model]:
        """The models an output_modalities value selects; unknown names select nothing."""
        if selection.everything:
            return list(self.models)
        return [m for m in self.models if output_modalities(m) & selection.tokens]

    def text_models(self) -> list[Model]:
        return [m for m in self.models if "text" in output_modalities(m)]


def input_modalities(model: Model) -> frozenset[str]:
    architecture = model.get("architecture")
    if not isinstance(architecture, Mapping):
        return frozenset()
    return _strings(architecture.get("input_modalities"))


def chat_capable(model: Model, contract: Contract) -> bool:
    """Text in, text alone out, and not a router: a router (priced "-1", or with the
    Router tokenizer even when priced 0) answers in the name of the model it picks, and a
    model that also outputs audio or images is not what a short text probe is for."""
    architecture = model.get("architecture")
    tokenizer = architecture.get("tokenizer") if isinstance(architecture, Mapping) else None
    return (
        output_modalities(model) == {contract.default_output_modality}
        and contract.default_output_modality in input_modalities(model)
        and not router_priced(model, contract)
        and tokenizer != "Router"
        and not str(id_of(model)).startswith("~")
    )
