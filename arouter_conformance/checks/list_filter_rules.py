"""The list filters of ruling R22 as the kit reads them, and the values it probes them with.

Pure functions over the target's own all list, like `oracle.py`: no I/O, no pytest. A
filter sorts each model in (True), out (False) or either way (None: what the ruling leaves
open, such as a router priced "-1" under a price bound, or what the model does not say,
such as a created that is no integer; those are judged by other requirements). Where the
ruling allows two readings of a whole request (a comma list of input modalities as any-of
or all-of; models with a null context_length all kept or all left out), a filter carries
both and an answer must follow one of them.

The values are chosen from the list itself so that each probe tells a working filter from
a broken one: some models of the scope pass it and some do not, bounds sit on real prices
and contexts (so inclusive bounds show), and a search text appears in a different case.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from arouter_conformance.oracle import (
    Baseline,
    author_of,
    id_of,
    input_modalities,
    parse_modalities,
    says_outputs,
    supported_parameters,
)
from arouter_conformance.spec import Contract

__all__ = [
    "DAY",
    "Filter",
    "Probe",
    "Reading",
    "age_filter",
    "authors_filter",
    "choose_age",
    "choose_authors",
    "choose_context",
    "choose_input",
    "choose_input_pair",
    "choose_parameter",
    "choose_price",
    "choose_q",
    "context_filter",
    "in_scope",
    "input_filter",
    "narrowed",
    "parameter_filter",
    "price_filter",
    "q_filter",
    "scope_models",
]

Model = Mapping[str, Any]
Sorting = Callable[[Model], bool | None]
DAY = 86_400
MILLION = Decimal(10) ** 6


@dataclass(frozen=True)
class Filter:
    """One filter of a request: its query pairs and the readings the ruling allows (an
    answer must follow one of them; most filters have one)."""

    pairs: tuple[tuple[str, str], ...]
    readings: tuple[Sorting, ...]


@dataclass(frozen=True)
class Reading:
    """One allowed reading of a whole request: the ids the answer must list (`keep`), those
    it may list or not (`free`); any other id is one it must not list. `dropped` are the
    models of the scope the filters leave out: none means an answer ignoring them looks
    the same."""

    keep: frozenset[str]
    free: frozenset[str]
    dropped: frozenset[str]


@dataclass(frozen=True)
class Probe:
    """A list request: an output_modalities scope (None: absent, the default), filters,
    and parameters that must not change the set (sort)."""

    scope: str | None
    filters: tuple[Filter, ...]
    neutral: tuple[tuple[str, str], ...] = ()

    @property
    def query(self) -> list[tuple[str, str]]:
        pairs = [] if self.scope is None else [("output_modalities", self.scope)]
        pairs += [pair for f in self.filters for pair in f.pairs]
        return pairs + list(self.neutral)

    @property
    def label(self) -> str:
        return "&".join(f"{name}={value}" for name, value in self.query) or "no filter"

    def readings(self, baseline: Baseline) -> list[Reading]:
        """Every combination of the filters' readings, applied to the all list."""
        scope = in_scope(self.scope, baseline.contract)
        found = []
        for chosen in itertools.product(*(f.readings for f in self.filters)):
            keep, free, dropped = set(), set(), set()
            for model in baseline.models:
                model_id = str(id_of(model))
                placed = scope(model)
                verdict = _both(placed, *(sort(model) for sort in chosen))
                if verdict is True:
                    keep.add(model_id)
                elif verdict is None:
                    free.add(model_id)
                elif placed is True:
                    dropped.add(model_id)
            found.append(Reading(frozenset(keep), frozenset(free), frozenset(dropped)))
        return found


def _both(*verdicts: bool | None) -> bool | None:
    """Out when any says out; either way when any cannot tell; in otherwise."""
    if any(v is False for v in verdicts):
        return False
    return None if any(v is None for v in verdicts) else True


def in_scope(raw: str | None, contract: Contract) -> Sorting:
    """The output_modalities scope of a request, as ruling R8 reads it."""
    selection = parse_modalities(raw, contract)

    def placed(model: Model) -> bool | None:
        if selection.everything:
            return True
        if not says_outputs(model):
            return None
        outputs = model["architecture"]["output_modalities"]
        return any(name in selection.tokens for name in outputs if isinstance(name, str))

    return placed


def narrowed(models: Iterable[Model], chosen: Filter | None) -> list[Model]:
    """The models the filter's first reading surely keeps: the scope the next choice of a
    composed request is made in."""
    if chosen is None:
        return list(models)
    sort = chosen.readings[0]
    return [m for m in models if sort(m) is True]


# ----------------------------------------------------------------------------- the filters


def input_filter(names: Sequence[str]) -> Filter:
    """input_modalities: one name exactly; a comma list any-of or all-of (either is fair)."""
    wanted = frozenset(names)

    def says(model: Model) -> frozenset[str] | None:
        architecture = model.get("architecture")
        if not isinstance(architecture, Mapping):
            return None
        if not isinstance(architecture.get("input_modalities"), list):
            return None
        return input_modalities(model)

    def any_of(model: Model) -> bool | None:
        held = says(model)
        return None if held is None else bool(wanted & held)

    def all_of(model: Model) -> bool | None:
        held = says(model)
        return None if held is None else wanted <= held

    readings = (any_of,) if len(wanted) == 1 else (any_of, all_of)
    return Filter((("input_modalities", ",".join(names)),), readings)


def context_filter(least: int) -> Filter:
    """context=N: context_length >= N; a null context_length all kept or all left out."""

    def reading(null: bool) -> Sorting:
        def sort(model: Model) -> bool | None:
            if "context_length" not in model:
                return None
            length = model["context_length"]
            if length is None:
                return null
            if not isinstance(length, int) or isinstance(length, bool):
                return None
            return length >= least

        return sort

    return Filter((("context", str(least)),), (reading(False), reading(True)))


def authors_filter(authors: Sequence[str]) -> Filter:
    """model_authors: the id's author is listed; a ~ row of a listed author either way."""
    listed = frozenset(authors)

    def sort(model: Model) -> bool | None:
        model_id = str(id_of(model))
        if "/" not in model_id:
            return None  # an id without an author part names no author to match
        mine = author_of(model_id) in listed
        if model_id.startswith("~") and mine:
            return None
        return mine

    return Filter((("model_authors", ",".join(authors)),), (sort,))


def price_per_million(model: Model, key: str, contract: Contract) -> Decimal | None:
    """pricing[key] in dollars per million tokens, or None: no readable price, or the
    router sentinel (a router may be kept or left out by a price bound)."""
    pricing = model.get("pricing")
    value = pricing.get(key) if isinstance(pricing, Mapping) else None
    if not isinstance(value, str) or value == contract.router_price_sentinel:
        return None
    try:
        price = Decimal(value)
    except InvalidOperation:
        return None
    if not price.is_finite() or price < 0:
        return None
    return price * MILLION


def price_filter(key: str, low: Decimal | None, high: Decimal | None, contract: Contract) -> Filter:
    """min_/max_price on pricing.prompt, min_/max_output_price on pricing.completion:
    inclusive bounds in dollars per million tokens, compared as decimals."""
    names = (
        ("min_price", "max_price") if key == "prompt" else ("min_output_price", "max_output_price")
    )
    pairs = tuple(
        (name, _decimal_text(bound))
        for name, bound in zip(names, (low, high), strict=True)
        if bound is not None
    )

    def sort(model: Model) -> bool | None:
        price = price_per_million(model, key, contract)
        if price is None:
            return None
        return (low is None or price >= low) and (high is None or price <= high)

    return Filter(pairs, (sort,))


def _decimal_text(value: Decimal) -> str:
    """A bound as a plain decimal: 0.15, 3, never 1.5E+1."""
    return f"{value.normalize():f}"


def haystack(model: Model) -> list[str]:
    """Where q looks: the id, canonical_slug and name the model has."""
    return [model[k] for k in ("id", "canonical_slug", "name") if isinstance(model.get(k), str)]


def q_filter(text: str) -> Filter:
    """q: the text, ignoring case, in the id, canonical_slug or name."""
    folded = text.casefold()

    def sort(model: Model) -> bool:
        return any(folded in value.casefold() for value in haystack(model))

    return Filter((("q", text),), (sort,))


def age_days(model: Model, now: float) -> float | None:
    created = model.get("created")
    if not isinstance(created, int) or isinstance(created, bool):
        return None
    return (now - created) / DAY


def age_filter(least: int | None, most: int | None, now: float) -> Filter:
    """min_age_days / max_age_days by created against `now`; a model within a day of a
    bound either way (the kit's and the server's clocks and day boundaries differ)."""
    pairs = tuple(
        (name, str(bound))
        for name, bound in (("min_age_days", least), ("max_age_days", most))
        if bound is not None
    )

    def sort(model: Model) -> bool | None:
        age = age_days(model, now)
        if age is None:
            return None
        verdicts = []
        if least is not None:
            verdicts.append(None if abs(age - least) <= 1 else age >= least)
        if most is not None:
            verdicts.append(None if abs(age - most) <= 1 else age <= most)
        return _both(*verdicts)

    return Filter(pairs, (sort,))


def parameter_filter(name: str) -> Filter:
    """supported_parameters with one name (the seed filter, for composed requests)."""

    def sort(model: Model) -> bool | None:
        if not isinstance(model.get("supported_parameters"), list):
            return None
        return name in supported_parameters(model)

    return Filter((("supported_parameters", name),), (sort,))


# ----------------------------------------------------------------------------- the choices


def _most_even(counts: Mapping[str, int], total: int) -> str | None:
    """The name held by some but not all of `total` models, splitting them most evenly."""
    telling = {name: n for name, n in counts.items() if 0 < n < total}
    return min(telling, key=lambda n: (abs(2 * telling[n] - total), n), default=None)


def _inputs(models: Sequence[Model]) -> Counter[str]:
    return Counter(name for m in models for name in input_modalities(m))


def choose_input(models: Sequence[Model]) -> Filter | None:
    """One input modality some models of the scope take and some do not."""
    name = _most_even(_inputs(models), len(models))
    return input_filter([name]) if name else None


def choose_input_pair(models: Sequence[Model]) -> Filter | None:
    """Two input modalities whose any-of and all-of sets differ, hold some model and leave
    some out (so neither reading looks like an ignored filter or an empty answer); best
    when the first name alone selects a third set (each held without the other somewhere),
    then the most even."""
    held = {
        name: {i for i, m in enumerate(models) if name in input_modalities(m)}
        for name in _inputs(models)
    }
    everyone = set(range(len(models)))
    best: tuple[tuple[int, int], tuple[str, str]] | None = None
    for first, second in itertools.combinations(sorted(held), 2):
        a, b = held[first], held[second]
        telling = min(len(a ^ b), len(a & b), len(everyone - (a | b)))
        score = (min(len(a - b), len(b - a), len(a & b)), telling)
        if telling > 0 and (best is None or score > best[0]):
            best = (score, (first, second))
    return input_filter(best[1]) if best else None


def _threshold(values: Sequence[int]) -> int | None:
    """A value some are below and some reach, as near the median as that allows."""
    ordered = sorted(values)
    if not ordered or ordered[0] == ordered[-1]:
        return None
    median = ordered[len(ordered) // 2]
    return median if median > ordered[0] else min(v for v in ordered if v > ordered[0])


def choose_context(models: Sequence[Model]) -> Filter | None:
    """context at a real context_length near the median: models exactly at it show whether
    the bound is inclusive."""
    lengths = [
        m["context_length"]
        for m in models
        if isinstance(m.get("context_length"), int) and not isinstance(m["context_length"], bool)
    ]
    least = _threshold([n for n in lengths if n >= 1])
    return context_filter(least) if least else None


def _authors(models: Sequence[Model]) -> Counter[str]:
    return Counter(
        author_of(model_id)
        for model_id in (str(id_of(m)) for m in models)
        if "/" in model_id and not model_id.startswith("~")
    )


def choose_authors(models: Sequence[Model], how_many: int, skip: int = 0) -> Filter | None:
    """The `how_many` authors with the most models after the first `skip`, as long as they
    leave some model of the scope out."""
    ranked = sorted(_authors(models).items(), key=lambda item: (-item[1], item[0]))
    chosen = [name for name, _ in ranked[skip : skip + how_many]]
    if len(chosen) < how_many or len(chosen) >= len(ranked):
        return None
    return authors_filter(chosen)


def choose_price(
    models: Sequence[Model], key: str, contract: Contract, *, both: bool = True
) -> Filter | None:
    """Bounds on two real prices of the scope (a third of the way up and two thirds), so
    that models sit below, between, on and above them; only a maximum when `both` is false
    or the scope has two prices."""
    prices = sorted({p for m in models if (p := price_per_million(m, key, contract)) is not None})
    if len(prices) < 2:
        return None
    if len(prices) == 2 or not both:
        return price_filter(key, None, prices[max(0, (len(prices) - 1) // 2)], contract)
    low = prices[max(1, len(prices) // 3)]
    high = prices[min(len(prices) - 2, (2 * len(prices)) // 3)]
    return price_filter(key, low, max(low, high), contract)


def choose_age(models: Sequence[Model], now: float) -> Filter | None:
    """An age window from a third of the way up to two thirds, in whole days; a model
    within a day of a bound is judged either way."""
    ages = sorted(a for m in models if (a := age_days(m, now)) is not None and a >= 0)
    if len(ages) < 3:
        return None
    least = math.floor(ages[len(ages) // 3])
    most = math.ceil(ages[(2 * len(ages)) // 3])
    return age_filter(least, max(least, most), now)


def choose_parameter(models: Sequence[Model]) -> Filter | None:
    counts = Counter(name for m in models for name in supported_parameters(m))
    name = _most_even(counts, len(models))
    return parameter_filter(name) if name else None


WORD = re.compile(r"[^\W\d_]{3,}")


def choose_q(models: Sequence[Model], candidates: int = 24) -> Filter | None:
    """A word of the ids, in upper case, that a few models of the scope hold. Preferred: one
    that some models hold only in their name or canonical_slug (a search of ids alone then
    misses them) and that other models hold only in their description (a search of
    descriptions then finds too many); then one held by about a tenth of the scope.

    Only the `candidates` words whose count in the ids is nearest a tenth are weighed: each
    weighing reads every model, and ten thousand models have thousands of words."""
    tenth = len(models) / 10
    counts = Counter(w for m in models for w in {*WORD.findall(str(id_of(m)).casefold())})
    nearest = sorted(counts, key=lambda w: (abs(counts[w] - tenth), w))[:candidates]
    folded = [[v.casefold() for v in haystack(m)] for m in models]
    best: tuple[tuple[bool, bool, float, str], str] | None = None
    for word in nearest:
        held = [any(word in v for v in values) for values in folded]
        if not 0 < sum(held) < len(models):
            continue
        beyond_ids = any(
            h and word not in values[0] for h, values in zip(held, folded, strict=True)
        )
        described = any(
            not h and word in str(m.get("description", "")).casefold()
            for h, m in zip(held, models, strict=True)
        )
        key = (beyond_ids, described, -abs(sum(held) - tenth), word)
        if best is None or key > best[0]:
            best = (key, word)
    return q_filter(best[1].upper()) if best else None


def scope_models(raw: str | None, baseline: Baseline) -> list[Model]:
    """The models of the all list surely in the output_modalities scope `raw`: where the
    values of a request on that scope are chosen."""
    placed = in_scope(raw, baseline.contract)
    return [m for m in baseline.models if placed(m) is True]
