"""The list filters beyond the seeds (ruling R22): what each parameter means and refuses.

Each filter is one entry of `Filters.filter_rules`: the parameter's name, how its value is
read (a refusal is a 400 in the error shape, never a 5xx) and which models it keeps. The
entries are built from bound methods, so a server with one defect is a subclass overriding
one parse method, one shared comparison, or replacing one entry of the table.

- input_modalities: a comma list, any-of (as output_modalities); spaces around commas are
  ignored; an empty entry, or a name neither the document lists nor some model accepts, 400.
- context=N (an integer >= 1): models whose context_length is at least N; a null context
  is left out.
- model_authors, arch, providers: comma lists, any-of, case-insensitive; empty entries are
  ignored, and nothing left means no filter. The author is the id before the slash without
  `~`; arch is architecture.tokenizer; providers are the slugs or display names of the
  model's endpoints (endpoints.py).
- min_price/max_price (pricing.prompt) and min_output_price/max_output_price
  (pricing.completion): dollars per million tokens (a number >= 0), compared inclusively
  as Decimals with the price times 10**6. Routers priced "-1" are left out.
- q: the text, case-insensitively, in the id, canonical_slug or name.
- min_age_days/max_age_days (integers >= 0): days since `created` by the server's clock,
  read to the minute so that a minute's answers share one cached body.
- category, distillable, zdr, region: one of the values the OpenAPI document lists, else
  400; the model's value is a deterministic fact (facts.py).
- min_/max_intelligence_index, _coding_index, _agentic_index (numbers >= 0): the model's
  benchmarks.artificial_analysis figure; models without it are left out.
  min_/max_tool_success_rate (numbers in [0, 1]): a fact of models that take `tools`.

Per-model facts (prices per million, search text, hosts, ...) are computed once, on the
first filtered request, so a server never asked to filter does not pay for them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from arouter_conformance.spec import Contract, load_spec
from reference_server import facts
from reference_server.catalog import Catalog, Model, author_of
from reference_server.errors import HTTPError

__all__ = ["BEYOND", "CLOCKED", "Facts", "FilterValues", "Filters", "integer", "single"]

QueryParams = Mapping[str, Sequence[str]]
FilterValues = tuple[tuple[str, Any], ...]  # (name, parsed value), sorted by name: hashable
Rule = tuple[Callable[[str], Any], Callable[["Facts", Any], bool]]

DAY = 86_400
PER_MILLION = Decimal(10) ** 6
INTEGER = re.compile(r"-?[0-9]+")
NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
# An integer this large is past anything it can bound (an offset, an age in days); longer
# numbers count as this one instead of being converted digit by digit.
BEYOND = 10**18
CLOCKED = ("min_age_days", "max_age_days")  # parameters whose answer depends on the clock
SCORES = ("intelligence_index", "coding_index", "agentic_index")


@dataclass(frozen=True, slots=True)
class Facts:
    """What the filters read of one model, computed once."""

    inputs: frozenset[str]
    context: int | None
    author: str
    prompt: Decimal | None  # dollars per million tokens; None for a router
    completion: Decimal | None
    text: str  # id, canonical_slug and name, casefolded, for q
    created: int
    tokenizer: str  # casefolded
    hosts: frozenset[str]  # the endpoints' provider slugs and display names, casefolded
    category: str
    distillable: bool
    zero_retention: bool
    regions: frozenset[str]
    scores: Mapping[str, float | None]
    tool_success_rate: float | None


class Filters:
    """The list filters, mixed into `Queries`, which supplies the catalog and contract."""

    catalog: Catalog
    contract: Contract
    clock: Callable[[], float]
    is_router: Callable[[Model], bool]

    def __init__(self) -> None:
        openapi = load_spec().openapi
        self.vocabulary = {
            name: tuple(enumeration(openapi, name))
            for name in ("input_modalities", "category", "distillable", "zdr", "region")
        }
        self.known_inputs = frozenset(self.vocabulary["input_modalities"]) | frozenset(
            name for m in self.catalog.models for name in m["architecture"]["input_modalities"]
        )
        self.filter_rules: dict[str, Rule] = {
            "input_modalities": (self.parse_input_modalities, lambda f, v: bool(f.inputs & v)),
            "context": (self.parse_context, lambda f, v: self.at_least(f.context, v)),
            "model_authors": (self.parse_names, lambda f, v: f.author in v),
            "min_price": (self.parse_price, lambda f, v: self.at_least(f.prompt, v)),
            "max_price": (self.parse_price, lambda f, v: self.at_most(f.prompt, v)),
            "min_output_price": (self.parse_price, lambda f, v: self.at_least(f.completion, v)),
            "max_output_price": (self.parse_price, lambda f, v: self.at_most(f.completion, v)),
            "q": (self.parse_text, lambda f, v: v in f.text),
            "min_age_days": (self.parse_age, lambda f, v: f.created <= v),
            "max_age_days": (self.parse_age, lambda f, v: f.created >= v),
            "arch": (self.parse_names, lambda f, v: f.tokenizer in v),
            "providers": (self.parse_names, lambda f, v: bool(f.hosts & v)),
            "category": (self.parse_category, lambda f, v: f.category == v),
            "distillable": (self.parse_distillable, lambda f, v: f.distillable is v),
            "zdr": (self.parse_zdr, lambda f, v: f.zero_retention),
            "region": (self.parse_region, lambda f, v: v in f.regions),
            "min_tool_success_rate": (self.parse_rate, self.min_tool_success_rate),
            "max_tool_success_rate": (self.parse_rate, self.max_tool_success_rate),
        }
        for score in SCORES:
            self.filter_rules[f"min_{score}"] = (self.parse_score, self.score_rule(score, True))
            self.filter_rules[f"max_{score}"] = (self.parse_score, self.score_rule(score, False))

    # --- reading the request ----------------------------------------------------------------

    def parse_filters(self, params: QueryParams) -> FilterValues:
        """The filters a request names, parsed; the ones whose value means "no filter"
        (an empty name list) are left out."""
        found = []
        for name in sorted(self.filter_rules.keys() & params.keys()):
            raw = single(params, name)
            if raw is None:
                continue
            try:
                value = self.filter_rules[name][0](raw)
            except HTTPError as refusal:
                raise HTTPError(400, f"{name}: {refusal.message}") from None
            if value != frozenset():
                found.append((name, value))
        return tuple(found)

    def clocked(self, params: QueryParams) -> bool:
        """Whether the answer depends on the clock, so must not be remembered for ever."""
        return any(name in params for name in CLOCKED)

    def parse_input_modalities(self, raw: str) -> frozenset[str]:
        tokens = [token.strip() for token in raw.split(",")]
        if not all(tokens):
            raise HTTPError(400, "an empty entry; name input modalities")
        unknown = [t for t in tokens if t not in self.known_inputs]
        if unknown:
            known = ", ".join(sorted(self.known_inputs))
            raise HTTPError(400, f"unknown input modality {unknown[0]!r}; known: {known}")
        return frozenset(tokens)

    def parse_context(self, raw: str) -> int:
        return integer("a context length", raw, 1, BEYOND)

    def parse_names(self, raw: str) -> frozenset[str]:
        return frozenset(token.strip().casefold() for token in raw.split(",")) - {""}

    def parse_price(self, raw: str) -> Decimal:
        return number("a price in dollars per million tokens", raw, None)

    def parse_score(self, raw: str) -> Decimal:
        return number("an index", raw, None)

    def parse_rate(self, raw: str) -> Decimal:
        return number("a tool success rate", raw, Decimal(1))

    def parse_text(self, raw: str) -> str:
        return raw.casefold()

    def parse_age(self, raw: str) -> int:
        """The `created` instant that many days ago: older models were created before it."""
        return self.now() - integer("an age in days", raw, 0, BEYOND) * DAY

    def parse_category(self, raw: str) -> str:
        return self.one_of("category", raw)

    def parse_distillable(self, raw: str) -> bool:
        return self.one_of("distillable", raw) == "true"

    def parse_zdr(self, raw: str) -> bool:
        return self.one_of("zdr", raw) == "true"

    def parse_region(self, raw: str) -> str:
        return self.one_of("region", raw)

    def one_of(self, name: str, raw: str) -> str:
        choices = self.vocabulary[name]
        if raw not in choices:
            raise HTTPError(400, f"unknown value {raw!r}; use one of {', '.join(choices)}")
        return raw

    def now(self) -> int:
        """The server's clock, to the minute: the instant ages are counted from."""
        return int(self.clock()) // 60 * 60

    # --- which models a filter keeps -----------------------------------------------------------

    def filter_models(self, models: list[Model], filters: FilterValues) -> list[Model]:
        """The models meeting every filter, in the order given."""
        if not filters:
            return models
        rules = [(self.filter_rules[name][1], value) for name, value in filters]
        known = self.model_facts
        return [m for m in models if all(keep(known[m["id"]], v) for keep, v in rules)]

    def at_least(self, value: Any, bound: Any) -> bool:
        return value is not None and value >= bound

    def at_most(self, value: Any, bound: Any) -> bool:
        return value is not None and value <= bound

    def score_rule(self, score: str, low: bool) -> Callable[[Facts, Any], bool]:
        compare = self.at_least if low else self.at_most
        return lambda f, bound: compare(f.scores[score], bound)

    def min_tool_success_rate(self, facts: Facts, bound: Decimal) -> bool:
        return self.at_least(facts.tool_success_rate, bound)

    def max_tool_success_rate(self, facts: Facts, bound: Decimal) -> bool:
        return self.at_most(facts.tool_success_rate, bound)

    # --- the facts filters read --------------------------------------------------------------

    @functools.cached_property
    def model_facts(self) -> dict[str, Facts]:
        authors = tuple(sorted(self.catalog.by_author))
        return {m["id"]: self.facts_of(m, authors) for m in self.catalog.models}

    def facts_of(self, model: Model, authors: Sequence[str]) -> Facts:
        model_id = model["id"]
        router = self.is_router(model)
        author = author_of(model_id)
        hosts = facts.hosts(model_id, author, authors, router=router)
        benchmarks = model.get("benchmarks")
        measured = benchmarks.get("artificial_analysis") if isinstance(benchmarks, dict) else None
        pricing = model["pricing"]
        return Facts(
            inputs=frozenset(model["architecture"]["input_modalities"]),
            context=model["context_length"],
            author=author,
            prompt=None if router else per_million(pricing.get("prompt")),
            completion=None if router else per_million(pricing.get("completion")),
            text="\n".join(
                str(model.get(key) or "") for key in ("id", "canonical_slug", "name")
            ).casefold(),
            created=model["created"],
            tokenizer=str(model["architecture"].get("tokenizer") or "").casefold(),
            hosts=frozenset(
                name.casefold() for host in hosts for name in (host, facts.display_name(host))
            ),
            category=facts.category(model_id, self.vocabulary["category"]),
            distillable=facts.distillable(model_id),
            zero_retention=facts.zero_retention(model_id),
            regions=facts.regions(model_id, self.vocabulary["region"]),
            scores={score: figure(measured, score) for score in SCORES},
            tool_success_rate=(
                facts.tool_success_rate(model_id)
                if "tools" in model["supported_parameters"]
                else None
            ),
        )


def per_million(price: Any) -> Decimal | None:
    try:
        return Decimal(price) * PER_MILLION
    except (InvalidOperation, TypeError, ValueError):
        return None


def figure(measured: Any, name: str) -> float | None:
    value = measured.get(name) if isinstance(measured, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def enumeration(openapi: Mapping[str, Any], name: str) -> list[str]:
    """The values the OpenAPI document lists for a GET /models parameter (of its items,
    for a comma list): the server accepts what the document says, from one place."""
    for parameter in openapi["paths"]["/models"]["get"]["parameters"]:
        if "$ref" in parameter:
            parameter = openapi["components"]["parameters"][parameter["$ref"].rsplit("/", 1)[-1]]
        if parameter.get("name") == name:
            schema = parameter["schema"]
            values: list[str] = schema.get("items", schema)["enum"]
            return values
    raise KeyError(f"openapi.yaml: GET /models has no parameter {name!r}")


def integer(what: str, raw: str, least: int, most: int) -> int:
    """A query value that must be a whole number from `least` to `most`, else 400."""
    if not INTEGER.fullmatch(raw):
        raise HTTPError(400, f"{what} must be an integer, not {raw!r}")
    digits = raw.removeprefix("-").lstrip("0")
    value = BEYOND if len(digits) >= len(str(BEYOND)) else int(digits or "0")
    value = -value if raw.startswith("-") else value
    if value < least or value > most:
        bound = f"from {least} to {most}" if most < BEYOND else f"at least {least}"
        raise HTTPError(400, f"{what} must be {bound}, not {raw!r}")
    return value


def number(what: str, raw: str, most: Decimal | None) -> Decimal:
    """A query value that must be a finite decimal number, at least 0 (at most `most`)."""
    if not NUMBER.fullmatch(raw):
        raise HTTPError(400, f"{what} must be a number, not {raw!r}")
    value = Decimal(raw)
    if value < 0 or (most is not None and value > most):
        bound = "at least 0" if most is None else f"from 0 to {most}"
        raise HTTPError(400, f"{what} must be {bound}, not {raw!r}")
    return value


def single(params: QueryParams, name: str) -> str | None:
    """The one value of query parameter `name`; a repeated parameter is ambiguous: 400."""
    values = params.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise HTTPError(400, f"{name} is given {len(values)} times; give it once")
    return values[0]
