"""The list filters of ruling R22 as the kit reads them, and the values it probes them with.

Pure functions over the target's own all list, like `oracle.py`: no I/O, no pytest. A
filter sorts each model in (True), out (False) or either way (None: what the ruling leaves
open, such as a router priced "-1" under a price bound, or what the model does not say,
such as a created that is no integer; those are judged by other requirements). Where the
ruling allows two readings of a whole request (a comma list of input modalities as any-of
or all-of; models with a null context_length all kept or all left out), a filter carries
both and an answer must follow one of them.

The values are chosen from the list itself so that each probe tells a working filter from
a broken one: some models of the scope pass it and some do not, context bounds sit on real
contexts (so inclusive bounds show), price bounds short decimals near halfway between
real prices (so whether a price bound is inclusive is not seen: a price within a relative
1e-9 of a bound is judged either way, since gateways compare binary floats), and a search
text appears in a different case.
Where no value splits the list (a tiny catalog where every model ties), a value beyond
every model (a context above the longest, a name none holds) still tells an ignored filter
from a working one: the ruling selects no model, so an empty answer is right and any model
a failure. It is the lesser probe (a filter that always answers nothing passes it), so it
is sent only when no splitting value exists.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from arouter_conformance.checks.listing import LATEST_CREATED
from arouter_conformance.oracle import (
    Baseline,
    author_of,
    decimal_price,
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
    "beyond_ages",
    "beyond_authors",
    "beyond_context",
    "beyond_inputs",
    "beyond_prices",
    "choose_age",
    "choose_authors",
    "choose_context",
    "choose_input",
    "choose_input_pair",
    "choose_parameter",
    "choose_price",
    "choose_probe",
    "choose_q",
    "context_filter",
    "decides",
    "in_scope",
    "input_filter",
    "narrowed",
    "parameter_filter",
    "price_filter",
    "q_filter",
    "says_inputs",
    "scope_models",
]

Model = Mapping[str, Any]
Sorting = Callable[[Model], bool | None]
DAY = 86_400
MILLION = Decimal(10) ** 6
FLOAT_TOLERANCE = Decimal("1e-9")


@dataclass(frozen=True)
class Filter:
    """One filter of a request: its query pairs and the readings the ruling allows (an
    answer must follow one of them; most filters have one). `empty`: the value was chosen
    to leave every model out, so an empty answer is right. `refusable`: it names what no
    model holds (an author, an input modality), which a target may refuse with a 4xx, as
    ruling R8 lets it refuse an unknown output modality. `cuts`: a search, which may rank
    or cut its answer, so a model it selects may be missing (q's SHOULD)."""

    pairs: tuple[tuple[str, str], ...]
    readings: tuple[Sorting, ...]
    empty: bool = False
    refusable: bool = False
    cuts: bool = False


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
    def empty(self) -> bool:
        return any(f.empty for f in self.filters)

    @property
    def refusable(self) -> bool:
        return any(f.refusable for f in self.filters)

    @property
    def cuts(self) -> bool:
        return any(f.cuts for f in self.filters)

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


def says_inputs(model: Model) -> bool:
    architecture = model.get("architecture")
    return isinstance(architecture, Mapping) and isinstance(
        architecture.get("input_modalities"), list
    )


def input_filter(names: Sequence[str]) -> Filter:
    """input_modalities: one name exactly; a comma list any-of or all-of (either is fair)."""
    wanted = frozenset(names)

    def says(model: Model) -> frozenset[str] | None:
        return input_modalities(model) if says_inputs(model) else None

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


def price_per_million(model: Model, key: str) -> Decimal | None:
    """pricing[key] in dollars per million tokens, or None: no readable price (the router
    sentinel "-1" is none: a router may be kept or left out by a price bound), or one too
    large to scale."""
    pricing = model.get("pricing")
    price = decimal_price(pricing.get(key) if isinstance(pricing, Mapping) else None)
    if price is None:
        return None
    try:
        return price * MILLION
    except ArithmeticError:
        return None


def _within(price: Decimal, low: Decimal | None, high: Decimal | None) -> bool | None:
    """Whether the price meets both bounds; None within a relative 1e-9 of one, where a
    gateway comparing binary floats may land on either side (0.0000002 * 1e6 is
    0.19999999999999998 as a float, under a bound of 0.2)."""
    for bound in (low, high):
        if bound is not None and abs(price - bound) <= bound * FLOAT_TOLERANCE:
            return None
    return (low is None or price >= low) and (high is None or price <= high)


def price_filter(key: str, low: Decimal | None, high: Decimal | None) -> Filter:
    """min_/max_price on pricing.prompt, min_/max_output_price on pricing.completion:
    inclusive bounds in dollars per million tokens, compared as decimals, a price within a
    relative 1e-9 of a bound either way."""
    names = (
        ("min_price", "max_price") if key == "prompt" else ("min_output_price", "max_output_price")
    )
    pairs = tuple(
        (name, _decimal_text(bound))
        for name, bound in zip(names, (low, high), strict=True)
        if bound is not None
    )

    def sort(model: Model) -> bool | None:
        price = price_per_million(model, key)
        return None if price is None else _within(price, low, high)

    return Filter(pairs, (sort,))


def _decimal_text(value: Decimal) -> str:
    """A bound as a plain decimal: 0.15, 3, never 1.5E+1."""
    return f"{value.normalize():f}"


def haystack(model: Model) -> list[str]:
    """Where q looks: the id, canonical_slug and name the model has."""
    return [model[k] for k in ("id", "canonical_slug", "name") if isinstance(model.get(k), str)]


def _hugging_face_id(model: Model) -> str:
    value = model.get("hugging_face_id")
    return value.casefold() if isinstance(value, str) else ""


def q_filter(text: str) -> Filter:
    """q: the text, ignoring case, in the id, canonical_slug or name; a model holding it only
    in its hugging_face_id either way (the model's name on Hugging Face, which a search
    by name may read)."""
    folded = text.casefold()

    def sort(model: Model) -> bool | None:
        if any(folded in value.casefold() for value in haystack(model)):
            return True
        return None if folded in _hugging_face_id(model) else False

    return Filter((("q", text),), (sort,), cuts=True)


def age_days(model: Model, now: float) -> float | None:
    """Days since created, or None: no integer, or one past the year 3000 as seconds (a
    count of milliseconds, MODELS-CREATED-001's finding, not this filter's)."""
    created = model.get("created")
    if not isinstance(created, int) or isinstance(created, bool) or created > LATEST_CREATED:
        return None
    try:
        return (now - created) / DAY
    except OverflowError:  # a created too far before 1970 for a float
        return None


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


def _contexts(models: Sequence[Model]) -> list[int]:
    return [
        m["context_length"]
        for m in models
        if isinstance(m.get("context_length"), int) and not isinstance(m["context_length"], bool)
    ]


def choose_context(models: Sequence[Model]) -> Filter | None:
    """context at a real context_length near the median: models exactly at it show whether
    the bound is inclusive."""
    least = _threshold([n for n in _contexts(models) if n >= 1])
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


def choose_price(models: Sequence[Model], key: str, *, both: bool = True) -> Filter | None:
    """Bounds between neighbouring real prices of the scope (a third of the way up and two
    thirds), so that models sit below, between and above them and none within the
    tolerance of a bound; only a maximum when `both` is false or the scope has two prices
    (or one pair of neighbours with a short bound). A pair whose bound would be long is
    passed over for the nearest pair with a short one."""
    prices = sorted({p for m in models if (p := price_per_million(m, key)) is not None})
    bounds = [_between(prices[i], prices[i + 1]) for i in range(len(prices) - 1)]
    usable = [i for i, bound in enumerate(bounds) if bound is not None]
    if not usable:
        return None
    if len(prices) == 2 or not both or len(usable) == 1:
        kept = _nearest(usable, (len(prices) - 1) // 2)
        return price_filter(key, None, bounds[kept])
    low = _nearest(usable[:-1], max(1, len(prices) // 3) - 1)
    high = _nearest([i for i in usable if i > low], min(len(prices) - 2, (2 * len(prices)) // 3))
    return price_filter(key, bounds[low], bounds[high])


def _nearest(indices: Sequence[int], wanted: int) -> int:
    return min(indices, key=lambda i: (abs(i - wanted), i))


# A bound is written out in the URL: a few dozen digits at most, whatever the prices.
BOUND_DIGITS = 20


def _between(below: Decimal, above: Decimal) -> Decimal | None:
    """Halfway between two prices, rounded to a tenth of their gap: a short decimal strictly
    between them, far from both beside the tolerance. None when it would take more than
    BOUND_DIGITS digits written out (a price of 70,000 digits, or 1e999990, which a target
    may list: a bound that long makes no URL)."""
    gap = above - below
    try:
        bound = (below + gap / 2).quantize(Decimal(1).scaleb(gap.adjusted() - 1))
    except ArithmeticError:  # more digits than the arithmetic holds
        return None
    return bound if below < bound < above and _digits(bound) <= BOUND_DIGITS else None


def _digits(value: Decimal) -> int:
    """How many digits `_decimal_text` writes, counted without writing them (1e999990
    would take a megabyte)."""
    _, digits, exponent = value.normalize().as_tuple()
    if not isinstance(exponent, int):  # not finite
        return BOUND_DIGITS + 1
    return len(digits) + exponent if exponent >= 0 else max(len(digits), -exponent)


def choose_age(models: Sequence[Model], now: float) -> Filter | None:
    """An age window from a third of the way up to two thirds, in whole days; else (fewer
    than three models, or ages too close for the window to leave one out) a max_age_days
    in the widest gap between two ages. A model within a day of a bound is judged either
    way, so either must split the models beyond that day."""
    ages = sorted(a for m in models if (a := age_days(m, now)) is not None and a >= 0)
    candidates = []
    if len(ages) >= 3:
        least = math.floor(ages[len(ages) // 3])
        most = math.ceil(ages[(2 * len(ages)) // 3])
        candidates.append(age_filter(least, max(least, most), now))
    widest = max(itertools.pairwise(ages), key=lambda p: p[1] - p[0], default=None)
    if widest is not None:
        candidates.append(age_filter(None, math.floor(sum(widest) / 2), now))
    return next((c for c in candidates if decides(c, models)), None)


def choose_parameter(models: Sequence[Model]) -> Filter | None:
    counts = Counter(name for m in models for name in supported_parameters(m))
    name = _most_even(counts, len(models))
    return parameter_filter(name) if name else None


WORD = re.compile(r"[^\W\d_]{3,}")


def choose_q(
    models: Sequence[Model], elsewhere: Sequence[Model] = (), candidates: int = 24
) -> Filter | None:
    """A word of the ids, in upper case, that a few models of the scope hold. Preferred: one
    that models `elsewhere` (outside the request's output scope) hold too, so that a search
    ignoring the scope shows; then one that some models hold only in their name or
    canonical_slug (a search of ids alone then misses them) and that other models hold
    only in their description (a search of descriptions then finds too many); then one
    no model holds only in its hugging_face_id (such a model shows nothing either way);
    then one held by about a tenth of the scope.

    Only the `candidates` words whose count in the ids is nearest a tenth are weighed: each
    weighing reads every model, and ten thousand models have thousands of words."""
    tenth = len(models) / 10
    counts = Counter(w for m in models for w in {*WORD.findall(str(id_of(m)).casefold())})
    nearest = sorted(counts, key=lambda w: (abs(counts[w] - tenth), w))[:candidates]
    folded = [[v.casefold() for v in haystack(m)] for m in models]
    hugging = [_hugging_face_id(m) for m in models]
    outside = [v.casefold() for m in elsewhere for v in haystack(m)]
    best: tuple[tuple[bool, bool, bool, bool, float, str], str] | None = None
    for word in nearest:
        held = [any(word in v for v in values) for values in folded]
        free = [not h and word in name for h, name in zip(held, hugging, strict=True)]
        if not 0 < sum(held) < len(models) - sum(free):
            continue
        beyond_ids = any(
            h and word not in values[0] for h, values in zip(held, folded, strict=True)
        )
        described = any(
            not h and not f and word in str(m.get("description", "")).casefold()
            for h, f, m in zip(held, free, models, strict=True)
        )
        beyond_scope = any(word in value for value in outside)
        key = (beyond_scope, beyond_ids, described, not any(free), -abs(sum(held) - tenth), word)
        if best is None or key > best[0]:
            best = (key, word)
    return q_filter(best[1].upper()) if best else None


# ----------------------------------------------------------------------------- beyond every model


def _beyond(chosen: Filter, *, refusable: bool = False) -> Filter:
    return dataclasses.replace(chosen, empty=True, refusable=refusable)


def beyond_inputs(models: Sequence[Model], contract: Contract) -> Filter | None:
    """The first input modality the document names that no model of the scope takes (when
    some model says what it takes)."""
    if not any(says_inputs(m) for m in models):
        return None
    held = _inputs(models)
    name = next((n for n in contract.documented_input_modalities if n not in held), None)
    return _beyond(input_filter([name]), refusable=True) if name else None


def beyond_context(models: Sequence[Model]) -> Filter | None:
    """context one above the longest context_length of the scope."""
    lengths = _contexts(models)
    return _beyond(context_filter(max(lengths) + 1)) if lengths else None


# Real author slugs, so that the probe is an ordinary request: the first the scope lacks.
AUTHORS_ELSEWHERE = ("anthropic", "openai", "google")


def beyond_authors(models: Sequence[Model]) -> Filter | None:
    """model_authors with an author no id of the scope names (when some id names one)."""
    held = _authors(models)
    if not held:
        return None
    name = next((a for a in AUTHORS_ELSEWHERE if a not in held), None)
    return _beyond(authors_filter([name]), refusable=True) if name else None


def beyond_prices(models: Sequence[Model], key: str) -> Filter | None:
    """A minimum, in whole dollars per million, above every readable price of the scope
    (no maximum can be below a price of 0)."""
    prices = [p for m in models if (p := price_per_million(m, key)) is not None]
    if not prices:
        return None
    highest = max(prices)
    bound = highest.to_integral_value(rounding=ROUND_FLOOR) + 1
    if not bound > highest or _digits(bound) > BOUND_DIGITS:
        return None  # a price too large for a bound above it to be written
    return _beyond(price_filter(key, bound, None))


def beyond_ages(models: Sequence[Model], now: float) -> Filter | None:
    """max_age_days more than a day (the tolerance) below the youngest model's age; when
    the youngest is under two days old, min_age_days more than a day above the oldest's."""
    ages = [a for m in models if (a := age_days(m, now)) is not None]
    if not ages:
        return None
    most = math.ceil(min(ages)) - 2
    if most >= 0:
        return _beyond(age_filter(None, most, now))
    return _beyond(age_filter(max(0, math.floor(max(ages)) + 2), None, now))


# ----------------------------------------------------------------------------- the probe


def decides(chosen: Filter, models: Sequence[Model]) -> bool:
    """Under every reading, the filter surely leaves some model of `models` out and (unless
    chosen to leave out every one) surely keeps some: an answer ignoring it shows, and so
    does an empty one."""
    for sort in chosen.readings:
        verdicts = {sort(m) for m in models}
        if False not in verdicts or (True not in verdicts and not chosen.empty):
            return False
    return True


Choice = Callable[[Sequence[Model]], Filter | None]


def choose_probe(baseline: Baseline, choose: Choice, beyond: Choice | None = None) -> Probe | None:
    """A request with one filter on output_modalities=all: a value `choose` finds that
    splits the list of all models, else a value `beyond` finds that leaves every one out,
    else None (nothing to judge). The scope is explicit so that a wrong default scope
    fails MODELS-FILTER-001 alone; the default scope is composed with the filters in
    LFILTER-COMPOSE-001, which needs it. Every model belongs to that list, those that do
    not say their outputs (an OpenAI-style list) too (ruling R8)."""
    scope = baseline.contract.all_output_modalities
    models = scope_models(scope, baseline)
    for pick in (choose, beyond):
        chosen = pick(models) if pick is not None else None
        if chosen is not None and decides(chosen, models):
            return Probe(scope, (chosen,))
    return None


def scope_models(raw: str | None, baseline: Baseline) -> list[Model]:
    """The models of the all list surely in the output_modalities scope `raw`: where the
    values of a request on that scope are chosen."""
    placed = in_scope(raw, baseline.contract)
    return [m for m in baseline.models if placed(m) is True]
