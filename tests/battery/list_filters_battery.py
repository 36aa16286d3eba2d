"""The battery of the list-filters profile (ruling R22): its single-defect targets and its
fair targets.

Most defects replace one entry of the reference server's filter table (`filter_rules`:
a parameter's parse and keep functions), so exactly one parameter goes wrong. The fair
targets make the other choices the ruling allows: a comma list of input modalities read
as all-of, null context lengths kept, ~ rows left out of their author, routers kept by
price bounds, a search that cuts its answer or also reads hugging_face_id, 422 for a
malformed value, and the filters on data a model lacks ignored; and prices too long for a
bound beside them.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from reference_server import Catalog, HTTPError, Queries, Visibility, create_app
from reference_server.filters import INTEGER, Facts
from reference_server.queries import ListQuery, QueryParams
from tests.battery.field import one_author_alike
from tests.battery.harness import battery_catalog
from tests.battery.models_mutants import DefaultListIsEverything
from tests.battery.mutants import (
    Fair,
    Mutant,
    catalog,
    constant,
    presenting,
    queries,
    replaced,
)

Model = dict[str, Any]
SEARCHED = ("id", "canonical_slug", "name", "description")
Keep = Callable[[Facts, Any], bool]


def keeping(name: str, keep: Keep, parse: Callable[[str], Any] | None = None) -> type[Queries]:
    """A `Queries` whose filter `name` keeps what `keep` says (and reads its value with
    `parse`, when given): that one parameter changed, every other as the reference has it."""

    class Replaced(Queries):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            own_parse, _ = self.filter_rules[name]
            self.filter_rules[name] = (parse or own_parse, keep)

    return Replaced


def on_rows(name: str, keep: Callable[[Model, Any], bool]) -> type[Queries]:
    """A `Queries` whose filter `name` keeps the catalog rows `keep` says, for a defect the
    table's facts cannot express (a row's outputs, its description, its ~); every other
    filter as the reference has it."""

    class Replaced(Queries):
        def filter_models(self, models: list[Model], filters: Any) -> list[Model]:
            kept = super().filter_models(models, tuple(f for f in filters if f[0] != name))
            mine = [value for given, value in filters if given == name]
            return [m for m in kept if all(keep(m, value) for value in mine)]

    return Replaced


def outputs(row: Model) -> frozenset[str]:
    return frozenset(row["architecture"]["output_modalities"])


def tilde(row: Model) -> bool:
    return str(row["id"]).startswith("~")


def author(row: Model) -> str:
    return str(row["id"]).split("/", 1)[0].removeprefix("~")


def first_name(raw: str) -> frozenset[str]:
    """Only the first entry of a comma list, as a careless split would read it."""
    return frozenset({raw.split(",")[0].strip().casefold()})


# ----------------------------------------------------------------------------- mutants


class InputListFirstNameOnly(Queries):
    """input_modalities=a,b selects the models that take a, whatever b."""

    def parse_input_modalities(self, raw: str) -> frozenset[str]:
        return super().parse_input_modalities(raw.split(",")[0])


class QIsCaseSensitive(Queries):
    """q compares the text as given with the casefolded id, slug and name."""

    def parse_text(self, raw: str) -> str:
        return raw


class InputDroppedBesideOutputs(Queries):
    """input_modalities is forgotten when output_modalities names a modality too."""

    def parse_filters(self, params: QueryParams) -> Any:
        found = super().parse_filters(params)
        if params.get("output_modalities", ["all"]) != ["all"]:
            return tuple((name, value) for name, value in found if name != "input_modalities")
        return found


class SortedListsUnfiltered(Queries):
    """A sorted request loses the list filters (the seed filters still apply)."""

    def list_models(self, query: ListQuery, visibility: Visibility) -> list[dict[str, Any]]:
        if query.sort is not None:
            query = dataclasses.replace(query, filters=())
        return super().list_models(query, visibility)


class RegionWidensTheScope(Queries):
    """region=eu answers from every output modality, not the request's text scope."""

    def list_models(self, query: ListQuery, visibility: Visibility) -> list[dict[str, Any]]:
        if any(name == "region" for name, _ in query.filters):
            query = dataclasses.replace(query, modalities=None)
        return super().list_models(query, visibility)


class QIgnoresTheScope(Queries):
    """A request with q answers from every output modality, whatever output_modalities
    says (a search run apart from the list's filters)."""

    def list_models(self, query: ListQuery, visibility: Visibility) -> list[dict[str, Any]]:
        if any(name == "q" for name, _ in query.filters):
            query = dataclasses.replace(query, modalities=None)
        return super().list_models(query, visibility)


class QCompiledAsARegularExpression(Queries):
    """q is a regular expression: text that does not compile is a server error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filter_rules["q"] = (
            lambda raw: re.compile(raw, re.IGNORECASE),
            lambda f, v: v.search(f.text) is not None,
        )

    def parse_filters(self, params: QueryParams) -> Any:
        try:
            re.compile(params.get("q", [""])[0])
        except re.error as error:
            raise HTTPError(500, f"bad pattern: {error}") from None
        return super().parse_filters(params)


@functools.cache
def every_other_created() -> frozenset[str]:
    """Every second model of the battery catalog by age: some inside the age window the
    kit chooses, some outside, so how the kit reads them shows whichever it chooses."""
    rows = sorted(battery_catalog().models, key=lambda m: (m["created"], m["id"]))
    return frozenset(str(m["id"]) for m in rows[1::2])


def huge_prices(pricing: dict[str, Any]) -> dict[str, Any]:
    """Prices that overflow a Decimal when scaled to a million tokens."""
    return {**pricing, "prompt": "1e999999", "completion": "9e999999"}


def plain_priced(row: Model) -> bool:
    """Neither a router nor a :free variant (whose prices must be zero)."""
    return row["pricing"]["prompt"] != "-1" and not str(row["id"]).endswith(":free")


def zdr_crashes(facts: Facts, value: Any) -> bool:
    raise HTTPError(500, "zero data retention table unavailable")


class WordContextCrashes(Queries):
    """context=abc is converted before it is checked: a 500."""

    def parse_filters(self, params: QueryParams) -> Any:
        raw = params.get("context", ["1"])[0]
        if not INTEGER.fullmatch(raw):
            raise HTTPError(500, f"invalid literal for int(): {raw!r}")
        return super().parse_filters(params)


# The newer list filters that select by what a model carries: each its own feature, so a
# gateway that ignores them all fails each once.
DATA_FILTERS = frozenset(
    {
        "LFILTER-INPUT-001",
        "LFILTER-CONTEXT-001",
        "LFILTER-AUTHOR-001",
        "LFILTER-PRICE-001",
        "LFILTER-PRICE-002",
        "LFILTER-Q-001",
        "LFILTER-AGE-001",
    }
)

MUTANTS: list[Mutant] = [
    Mutant(
        "input-reads-output-modalities",
        ("LFILTER-INPUT-001",),
        queries(on_rows("input_modalities", lambda m, v: bool(outputs(m) & v))),
    ),
    Mutant(
        "input-list-first-name-only",
        ("LFILTER-INPUT-002",),
        queries(InputListFirstNameOnly),
        quiet=("LFILTER-INPUT-001",),
    ),
    Mutant(
        "context-bound-exclusive",
        ("LFILTER-CONTEXT-001",),
        queries(keeping("context", lambda f, v: f.context is not None and f.context > v)),
    ),
    Mutant(
        "model-authors-first-only",
        ("LFILTER-AUTHOR-001",),
        queries(keeping("model_authors", lambda f, v: f.author in v, parse=first_name)),
    ),
    Mutant(
        "tilde-rows-of-every-author",
        ("LFILTER-AUTHOR-001",),
        queries(on_rows("model_authors", lambda m, v: author(m) in v or tilde(m))),
    ),
    Mutant(
        "prompt-bounds-per-token",
        ("LFILTER-PRICE-001",),
        queries(
            keeping(
                "max_price",
                lambda f, v: f.prompt is not None and f.prompt / Decimal(10) ** 6 <= v,
            )
        ),
        quiet=("LFILTER-PRICE-002",),
    ),
    Mutant(
        "output-bounds-on-prompt-price",
        ("LFILTER-PRICE-002",),
        queries(keeping("min_output_price", lambda f, v: f.prompt is not None and f.prompt >= v)),
        quiet=("LFILTER-PRICE-001",),
    ),
    Mutant(
        "q-searches-descriptions",
        ("LFILTER-Q-001",),
        queries(
            on_rows("q", lambda m, v: any(v in str(m.get(k, "")).casefold() for k in SEARCHED))
        ),
    ),
    Mutant(
        "q-case-sensitive",
        ("LFILTER-Q-002",),
        queries(QIsCaseSensitive),
        quiet=("LFILTER-Q-001",),
    ),
    Mutant(
        "min-age-reversed",
        ("LFILTER-AGE-001",),
        queries(keeping("min_age_days", lambda f, v: f.created >= v)),
    ),
    Mutant(
        "input-dropped-beside-output-modalities",
        ("LFILTER-COMPOSE-001",),
        queries(InputDroppedBesideOutputs),
        quiet=("LFILTER-INPUT-001",),
    ),
    Mutant(
        "sorted-lists-unfiltered",
        ("LFILTER-COMPOSE-001",),
        queries(SortedListsUnfiltered),
    ),
    Mutant(
        # Three models alike in all but their ids: no context splits them, and context
        # one above theirs must get none of them. The other filters, right, must pass on
        # the empty answers their values beyond every model get.
        "context-ignored-where-every-model-ties",
        ("LFILTER-CONTEXT-001",),
        lambda: create_app(one_author_alike(), queries=keeping("context", lambda f, v: True)),
        quiet=(
            "LFILTER-INPUT-001",
            "LFILTER-AUTHOR-001",
            "LFILTER-PRICE-001",
            "LFILTER-PRICE-002",
            "LFILTER-AGE-001",
        ),
        manifest={"aliases": {}},
    ),
    Mutant(
        "zdr-crashes",
        ("LFILTER-OPAQUE-001",),
        queries(keeping("zdr", zdr_crashes)),
    ),
    Mutant(
        "region-widens-the-scope",
        ("LFILTER-OPAQUE-001",),
        queries(RegionWidensTheScope),
    ),
    Mutant(
        "word-context-crashes",
        ("LFILTER-BAD-001",),
        queries(WordContextCrashes),
        quiet=("LFILTER-CONTEXT-001",),
    ),
    Mutant(
        "q-compiled-as-a-regular-expression",
        ("LFILTER-BAD-001",),
        queries(QCompiledAsARegularExpression),
        quiet=("LFILTER-Q-001", "LFILTER-Q-002"),
    ),
    Mutant(
        # Alone on output_modalities=all the search is right; beside the default scope it
        # lists models of other outputs that hold its word.
        "q-ignores-the-scope",
        ("LFILTER-COMPOSE-001",),
        queries(QIgnoresTheScope),
        quiet=("LFILTER-Q-001", "LFILTER-Q-002"),
    ),
    Mutant(
        # A wrong default scope is the models profile's one failure: each filter alone is
        # probed on output_modalities=all (LFILTER-COMPOSE-001, which composes the default
        # scope, needs MODELS-FILTER-001 and ends blocked when both are run).
        "default-list-not-text-only-beside-list-filters",
        ("MODELS-FILTER-001",),
        queries(DefaultListIsEverything),
        quiet=(*sorted(DATA_FILTERS), "LFILTER-INPUT-002", "LFILTER-OPAQUE-001"),
    ),
    Mutant(
        # Every second model shows created in milliseconds; the server filters by their
        # real dates. Their ages are not the age filter's to judge.
        "created-in-milliseconds-beside-ages",
        ("MODELS-CREATED-001",),
        queries(
            presenting(
                replaced("created", by=lambda s: s * 1000),
                lambda m: m["id"] in every_other_created(),
            )
        ),
        quiet=("LFILTER-AGE-001", "LFILTER-COMPOSE-001"),
    ),
    Mutant(
        "created-beyond-a-float",
        ("MODELS-CREATED-001",),
        queries(presenting(replaced("created", by=constant(10**400)), once=True)),
        quiet=("LFILTER-AGE-001", "LFILTER-COMPOSE-001"),
    ),
    Mutant(
        "prices-beyond-a-decimal",
        ("MODELS-PRICING-001",),
        queries(presenting(replaced("pricing", by=huge_prices), plain_priced, once=True)),
        quiet=("LFILTER-PRICE-001", "LFILTER-PRICE-002", "LFILTER-COMPOSE-001"),
    ),
]


# ----------------------------------------------------------------------------- fair targets


class SearchCutsItsAnswer(Queries):
    """q answers its first match only, as a search ranking its best hit would."""

    def list_models(self, query: ListQuery, visibility: Visibility) -> list[dict[str, Any]]:
        found = super().list_models(query, visibility)
        return found[:1] if any(name == "q" for name, _ in query.filters) else found


class MalformedIs422(Queries):
    """A malformed filter value is refused with 422, not 400."""

    def parse_filters(self, params: QueryParams) -> Any:
        try:
            return super().parse_filters(params)
        except HTTPError as refusal:
            raise HTTPError(422, refusal.message) from None


OPAQUE_FILTERS = (
    "category",
    "arch",
    "providers",
    "distillable",
    "zdr",
    "region",
    "min_tool_success_rate",
    "max_tool_success_rate",
    *(
        f"{end}_{score}_index"
        for end in ("min", "max")
        for score in ("intelligence", "coding", "agentic")
    ),
)


class OpaqueFiltersIgnored(Queries):
    """The filters on data a model lacks are not implemented: ignored, as unknown
    parameters are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in OPAQUE_FILTERS:
            del self.filter_rules[name]


def null_contexts(rows: list[Model]) -> None:
    """Every fifth text model has no known context length."""
    texts = [r for r in rows if "text" in r["architecture"]["output_modalities"]]
    for row in texts[::5]:
        row["context_length"] = None


def routers_kept(bound: str) -> Keep:
    """A price bound that keeps routers (no fixed price) and judges the rest."""
    key = "prompt" if bound in ("min_price", "max_price") else "completion"
    low = bound.startswith("min_")

    def keep(facts: Facts, value: Any) -> bool:
        price = getattr(facts, key)
        if price is None:
            return True
        return bool(price >= value) if low else bool(price <= value)

    return keep


class PricesComparedAsFloats(Queries):
    """Prices and bounds compared as binary floats, as a JavaScript gateway would: a price
    per token times a million (0.0000002 * 1e6 is 0.19999999999999998) against the bound."""

    def facts_of(self, model: Model, authors: Any) -> Facts:
        found = super().facts_of(model, authors)
        pricing = model["pricing"]
        return dataclasses.replace(
            found,
            prompt=self.float_price(model, pricing.get("prompt")),
            completion=self.float_price(model, pricing.get("completion")),
        )

    def float_price(self, model: Model, price: Any) -> Any:
        return None if self.is_router(model) else float(price) * 1e6

    def parse_price(self, raw: str) -> Any:
        return float(super().parse_price(raw))


class RoutersKeptByPrices(Queries):
    """Routers priced "-1" are kept by every price bound."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("min_price", "max_price", "min_output_price", "max_output_price"):
            parse, _ = self.filter_rules[name]
            self.filter_rules[name] = (parse, routers_kept(name))


class SearchReadsHuggingFaceIds(Queries):
    """q also searches hugging_face_id, the model's name on Hugging Face."""

    def facts_of(self, model: Model, authors: Any) -> Facts:
        found = super().facts_of(model, authors)
        extra = str(model.get("hugging_face_id") or "").casefold()
        return dataclasses.replace(found, text=f"{found.text}\n{extra}")


def long_legal_prices(rows: list[Model]) -> None:
    """The dearer half of the plain-priced text models cost more than any gateway would
    ask, in legal decimal strings: one prompt price of 70,001 digits, the others 1e999990,
    2e999990... per token, so the bounds the kit would put a third and two thirds of the
    way up fall beside them, and a bound halfway between two of them is as long (no URL
    holds it)."""
    texts = sorted(
        (r for r in rows if plain_priced(r) and "text" in outputs(r)),
        key=lambda r: (Decimal(r["pricing"]["prompt"]), r["id"]),
    )
    dear = texts[len(texts) // 2 :]
    for k, row in enumerate(dear, start=1):
        row["pricing"] = {**row["pricing"], "prompt": f"{k}e999990", "completion": f"{k}e999990"}
    dear[0]["pricing"]["prompt"] = "1" + "0" * 70_000


PROFILE = ("list-filters",)
FAIR: list[Fair] = [
    Fair(
        "input-list-all-of",
        queries(keeping("input_modalities", lambda f, v: v <= f.inputs)),
        PROFILE,
        exercises=("LFILTER-INPUT-002", "LFILTER-COMPOSE-001"),
    ),
    Fair(
        "null-contexts-kept",
        catalog(
            null_contexts,
            queries=keeping("context", lambda f, v: f.context is None or f.context >= v),
        ),
        PROFILE,
        exercises=("LFILTER-CONTEXT-001", "LFILTER-COMPOSE-001"),
    ),
    Fair(
        "null-contexts-left-out",
        catalog(null_contexts),
        PROFILE,
        exercises=("LFILTER-CONTEXT-001", "LFILTER-COMPOSE-001"),
    ),
    Fair(
        "tilde-rows-left-out",
        queries(on_rows("model_authors", lambda m, v: author(m) in v and not tilde(m))),
        PROFILE,
        exercises=("LFILTER-AUTHOR-001",),
    ),
    Fair(
        "routers-kept-by-price-bounds",
        queries(RoutersKeptByPrices),
        PROFILE,
        exercises=("LFILTER-PRICE-001", "LFILTER-PRICE-002"),
    ),
    Fair(
        # On the bundled catalog, whose real prices (0.0000002 $/token) are no binary float.
        "prices-compared-as-floats",
        lambda: create_app(Catalog.default(), queries=PricesComparedAsFloats),
        PROFILE,
        exercises=("LFILTER-PRICE-001", "LFILTER-PRICE-002", "LFILTER-COMPOSE-001"),
    ),
    Fair(
        "search-cuts-its-answer",
        queries(SearchCutsItsAnswer),
        PROFILE,
        exercises=("LFILTER-Q-001",),
        should_fail=("LFILTER-Q-002",),
    ),
    Fair(
        # On the bundled catalog, where the search word the kit picks (INSTRUCT) is in the
        # hugging_face_id of models whose id, slug and name lack it.
        "search-reads-hugging-face-ids",
        lambda: create_app(Catalog.default(), queries=SearchReadsHuggingFaceIds),
        PROFILE,
        exercises=("LFILTER-Q-001", "LFILTER-Q-002", "LFILTER-COMPOSE-001"),
    ),
    Fair(
        "prices-too-long-for-a-bound",
        catalog(long_legal_prices),
        PROFILE,
        exercises=("LFILTER-PRICE-001", "LFILTER-PRICE-002", "LFILTER-COMPOSE-001"),
    ),
    Fair(
        "malformed-values-422",
        queries(MalformedIs422),
        PROFILE,
        exercises=("LFILTER-BAD-001",),
    ),
    Fair(
        "opaque-filters-ignored",
        queries(OpaqueFiltersIgnored),
        PROFILE,
        exercises=("LFILTER-OPAQUE-001",),
    ),
]
