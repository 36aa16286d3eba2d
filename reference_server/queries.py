"""List, count, lookup, pages and the key's own list: rulings R4, R8-R14, R19 and R21.

Each rule is one small method, so that a deliberately broken server (the kit's mutation
battery) is a subclass overriding one method; see the package docstring for the list.

- output_modalities: absent means `text`; a comma list is the union; `all` (alone or in a
  list) turns the filter off; spaces around commas are ignored. A token that is neither a
  documented modality nor one some model has, or an empty entry, is refused with 400.
- supported_parameters: a comma list, all-of (a model must support every name), within
  the output_modalities scope. Empty entries are ignored; a name no model supports gives
  an empty list, not an error.
- sort: one of the contract's eight values, else 400. Sorting is stable on the catalog
  order, and models without data for the dimension (a null figure or context, or a router
  priced "-1" for the pricing sorts, in both directions) come last. The price of a model is
  the Decimal sum of the contract's pricing sort keys, absent keys counting as 0.
- The filters beyond the seeds (input_modalities, context, prices, q, ages, ...) are
  filters.py's, applied after the indexed seed filters and before the sort.
- offset and limit: with neither, the whole answer (total_count its length, links.next
  null). Otherwise offset is an integer >= 0 (default 0) and limit one from 1 to 1000
  (default 500), else 400; the page is that slice of the whole answer, total_count the
  whole answer's length, and links.next, null on the last page, the path of the next
  page under the root the request came in on, with the request's other parameters.
- GET /models/user: the key's models of every output modality, in catalog order, with no
  filter but the pages.
- A query parameter given twice is refused with 400; unknown parameters are ignored.
- Visibility: a restricted key sees only its providers' models, judged by the author part
  of the id, in list, count, lookup and the key's own list alike.

Answers are serialized once per normalized query and visibility and kept in a bounded
cache: the key is the parsed query (sorted token sets), so `text, image` and `image,text`
share one body. A page's key adds the page, its path and the other parameters its next
link repeats.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from arouter_conformance.spec import SpecError, load_spec
from reference_server.auth import Visibility
from reference_server.catalog import Catalog, Model, author_of
from reference_server.errors import HTTPError
from reference_server.filters import BEYOND, Filters, FilterValues, integer, single
from reference_server.responses import Body, LRUCache

__all__ = ["ListQuery", "Page", "Queries", "QueryParams"]

QueryParams = Mapping[str, Sequence[str]]
Value = Callable[[Model], Any]
Pairs = tuple[tuple[str, str], ...]

PAGING = ("offset", "limit")


@dataclass(frozen=True)
class ListQuery:
    """A list request reduced to what changes the answer; hashable, it keys the cache."""

    modalities: frozenset[str] | None  # None: every modality
    parameters: frozenset[str] = frozenset()
    sort: str | None = None
    filters: FilterValues = ()  # the list filters beyond the seeds (filters.py)


@dataclass(frozen=True)
class Page:
    """Which part of an answer a request asks for (ruling R21)."""

    offset: int
    limit: int


class Queries(Filters):
    """The Models API over one catalog. Subclass and override a method to change one rule.

    `clock` (seconds since the epoch) is what the age filters count from."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        cache_size: int = 2048,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.catalog = catalog
        self.contract = load_spec().contract
        self.clock = clock
        super().__init__()
        self.known_modalities = (
            frozenset(self.contract.documented_output_modalities) | catalog.output_modalities
        )
        # Each sort: the value it orders by (None = no data) and whether larger comes first.
        self.orderings: dict[str, tuple[Value, bool]] = {
            "pricing-low-to-high": (self.price, False),
            "pricing-high-to-low": (self.price, True),
            "context-high-to-low": (self.context, True),
            "throughput-high-to-low": (self.throughput, True),
            "latency-low-to-high": (self.latency, False),
            "most-popular": (self.popularity, True),
            "top-weekly": (self.popularity, True),
            "newest": (self.created, True),
        }
        if set(self.orderings) != set(self.contract.sort_values):
            raise SpecError("the contract's sort values and the reference server's differ")
        self.bodies: LRUCache[Body] = LRUCache(cache_size)

    # --- reading the request ----------------------------------------------------------------

    def list_query(self, params: QueryParams) -> ListQuery:
        return ListQuery(
            self.parse_modalities(single(params, "output_modalities")),
            self.parse_parameters(single(params, "supported_parameters")),
            self.parse_sort(single(params, "sort")),
            self.parse_filters(params),
        )

    def parse_modalities(self, raw: str | None) -> frozenset[str] | None:
        if raw is None:
            return frozenset({self.contract.default_output_modality})
        tokens = [token.strip() for token in raw.split(",")]
        if not all(tokens):
            raise HTTPError(400, "output_modalities has an empty entry; name modalities or 'all'")
        everything = self.contract.all_output_modalities
        unknown = [t for t in tokens if t != everything and t not in self.known_modalities]
        if unknown:
            known = ", ".join([*sorted(self.known_modalities), everything])
            raise HTTPError(400, f"unknown output modality {unknown[0]!r}; known: {known}")
        return None if everything in tokens else frozenset(tokens)

    def parse_parameters(self, raw: str | None) -> frozenset[str]:
        if raw is None:
            return frozenset()
        return frozenset(token.strip() for token in raw.split(",")) - {""}

    def parse_sort(self, raw: str | None) -> str | None:
        if raw is not None and raw not in self.orderings:
            choices = ", ".join(self.contract.sort_values)
            raise HTTPError(400, f"unknown sort {raw!r}; use one of {choices}")
        return raw

    def paged(self, params: QueryParams) -> bool:
        """Whether the request names offset or limit; without both, the answer is whole."""
        return any(name in params for name in PAGING)

    def parse_page(self, params: QueryParams) -> Page | None:
        offset = self.parse_offset(single(params, "offset"))
        limit = self.parse_limit(single(params, "limit"))
        if offset is None and limit is None:
            return None
        default = self.contract.page_limit_default
        return Page(0 if offset is None else offset, default if limit is None else limit)

    def parse_offset(self, raw: str | None) -> int | None:
        return None if raw is None else integer("offset", raw, 0, BEYOND)

    def parse_limit(self, raw: str | None) -> int | None:
        return None if raw is None else integer("limit", raw, 1, self.contract.page_limit_max)

    # --- answers ------------------------------------------------------------------------------

    def select(
        self, modalities: frozenset[str] | None, parameters: frozenset[str], visibility: Visibility
    ) -> list[Model]:
        """The models meeting every filter, in catalog order, found through the indexes."""
        catalog = self.catalog
        if modalities is None:
            chosen = set(range(len(catalog.models)))
        else:
            chosen = set().union(*(catalog.by_output.get(m, ()) for m in modalities))
        for parameter in parameters:
            chosen &= catalog.by_parameter.get(parameter, frozenset())
        if visibility.providers is not None:
            chosen &= set().union(*(catalog.by_author.get(a, ()) for a in visibility.providers))
        return [catalog.models[position] for position in sorted(chosen)]

    def sort(self, models: list[Model], sort: str | None) -> list[Model]:
        if sort is None:
            return models
        value, descending = self.orderings[sort]
        known: list[tuple[Any, Model]] = []
        unknown: list[Model] = []
        for model in models:
            measured = value(model)
            if measured is None:
                unknown.append(model)
            else:
                known.append((measured, model))
        # list.sort is stable in both directions, so ties keep the catalog order.
        known.sort(key=lambda pair: pair[0], reverse=descending)
        return [model for _, model in known] + unknown

    def present(self, model: Model) -> dict[str, Any]:
        """A row as list and lookup serve it: the superset the openai SDK needs too."""
        return {**model, "object": "model", "owned_by": author_of(model["id"])}

    def list_models(self, query: ListQuery, visibility: Visibility) -> list[dict[str, Any]]:
        selected = self.select(query.modalities, query.parameters, visibility)
        selected = self.filter_models(selected, query.filters)
        return [self.present(model) for model in self.sort(selected, query.sort)]

    def envelope(
        self,
        models: list[dict[str, Any]],
        total_count: int | None = None,
        next_link: str | None = None,
    ) -> dict[str, Any]:
        """The list envelope of every profile: openai-list and openrouter-sdk keys included.
        A whole answer counts itself and has no next page."""
        return {
            "object": "list",
            "data": models,
            "total_count": len(models) if total_count is None else total_count,
            "links": {"next": next_link},
        }

    def user_models(self, visibility: Visibility) -> list[dict[str, Any]]:
        """GET /models/user: every model the key sees, of every output modality, in catalog
        order; it takes no filter (ruling R19)."""
        return [self.present(model) for model in self.select(None, frozenset(), visibility)]

    def page(self, models: list[dict[str, Any]], offset: int, limit: int) -> list[dict[str, Any]]:
        return models[offset : offset + limit]

    def total_count(self, models: list[dict[str, Any]]) -> int:
        """The number of models the query matches: the unpaged answer's length."""
        return len(models)

    def next_link(self, path: str, others: Pairs, page: Page, total: int) -> str | None:
        """The next page of the same query, as a path under the root the request came in
        on; null on the last page."""
        following = page.offset + page.limit
        if following >= total:
            return None
        return f"{path}?{urlencode([*others, ('offset', following), ('limit', page.limit)])}"

    def paginate(
        self, models: list[dict[str, Any]], page: Page | None, path: str, others: Pairs
    ) -> dict[str, Any]:
        """The envelope of `models`, whole or the page asked for."""
        if page is None:
            return self.envelope(models)
        total = self.total_count(models)
        return self.envelope(
            self.page(models, page.offset, page.limit),
            total,
            self.next_link(path, others, page, total),
        )

    def count(self, modalities: frozenset[str] | None, visibility: Visibility) -> int:
        return len(self.select(modalities, frozenset(), visibility))

    def visible(self, model: Model, visibility: Visibility) -> bool:
        return visibility.allows(author_of(model["id"]))

    def lookup(self, model_id: str, visibility: Visibility) -> Model:
        """The listed model `model_id` names, directly or through a declared alias.

        An alias is answered with the canonical model itself (whose `id` is the canonical
        id, not the alias) rather than with a redirect: one round trip, and ruling R13
        allows either. Ids the key may not see are answered exactly like unknown ids, so a
        restricted key learns nothing about other providers' models.
        """
        catalog = self.catalog
        model = catalog.by_id.get(model_id) or catalog.by_id.get(catalog.aliases.get(model_id, ""))
        if model is None or not self.visible(model, visibility):
            raise HTTPError(404, f"no model {model_id!r}")
        return model

    # --- what the sorts order by --------------------------------------------------------------

    def is_router(self, model: Model) -> bool:
        pricing = model["pricing"]
        sentinel = self.contract.router_price_sentinel
        return sentinel in (pricing.get("prompt"), pricing.get("completion"))

    def price(self, model: Model) -> Decimal | None:
        if self.is_router(model):
            return None
        pricing = model["pricing"]
        return sum(
            (Decimal(pricing.get(key, "0")) for key in self.contract.pricing_sort_keys), Decimal(0)
        )

    def context(self, model: Model) -> int | None:
        context: int | None = model["context_length"]
        return context

    def created(self, model: Model) -> int:
        created: int = model["created"]
        return created

    def throughput(self, model: Model) -> float | None:
        return self.catalog.figures[model["id"]].throughput

    def latency(self, model: Model) -> float | None:
        return self.catalog.figures[model["id"]].latency

    def popularity(self, model: Model) -> int | None:
        return self.catalog.figures[model["id"]].weekly_tokens

    # --- serialized, cached answers -------------------------------------------------------------

    def list_body(self, params: QueryParams, visibility: Visibility) -> Body:
        query = self.list_query(params)
        return self.bodies.get(
            ("list", query, visibility),
            lambda: Body(self.envelope(self.list_models(query, visibility))),
        )

    def count_body(self, params: QueryParams, visibility: Visibility) -> Body:
        modalities = self.parse_modalities(single(params, "output_modalities"))
        return self.bodies.get(
            ("count", modalities, visibility),
            lambda: Body({"data": {"count": self.count(modalities, visibility)}}),
        )

    def page_body(self, params: QueryParams, visibility: Visibility, path: str) -> Body:
        """A page of the list; `path` (root included) is where the next page is asked."""
        query = self.list_query(params)
        page = self.parse_page(params)
        others = other_pairs(params)
        return self.bodies.get(
            ("page", query, visibility, page, path, others),
            lambda: Body(self.paginate(self.list_models(query, visibility), page, path, others)),
        )

    def user_models_body(self, params: QueryParams, visibility: Visibility, path: str) -> Body:
        page = self.parse_page(params)
        others = other_pairs(params)
        return self.bodies.get(
            ("user", visibility, page, path, others),
            lambda: Body(self.paginate(self.user_models(visibility), page, path, others)),
        )

    def lookup_body(self, model_id: str, visibility: Visibility) -> Body:
        model = self.lookup(model_id, visibility)
        return self.bodies.get(("lookup", model["id"]), lambda: Body({"data": self.present(model)}))


def other_pairs(params: QueryParams) -> Pairs:
    """The request's parameters but offset and limit, which a next link keeps."""
    return tuple(
        (name, value) for name, values in params.items() if name not in PAGING for value in values
    )
