"""The battery of the pagination profile (ruling R21): its single-defect targets and its
fair targets.

The kit pages the list of all models and the same sorted; on the battery catalog that is
86 models in pages of 29, 29 and 28, then sorted by context (the catalog already comes
newest first, so a forgotten newest sort would not show) in two pages of 43.
"""

from __future__ import annotations

import functools
import gzip
import json
from typing import Any
from urllib.parse import urlencode

from reference_server import HTTPError, Queries, create_app
from reference_server.queries import Page
from tests.battery.harness import Answer, Headers, Rewrite, Scope, battery_catalog, header
from tests.battery.mutants import Fair, Mutant, queries, wrapped

Model = dict[str, Any]
Pairs = tuple[tuple[str, str], ...]
PAGED = ("PAGE-SIZE-001", "PAGE-TOTAL-001", "PAGE-NEXT-001", "PAGE-CONCAT-001")


def lists(scope: Scope) -> bool:
    return str(scope["path"]).endswith("/models")


def in_catalog_order(queries: Queries, models: list[Model]) -> list[Model]:
    """`models` as the catalog lists them, whatever the sort asked for."""
    position = {m["id"]: n for n, m in enumerate(queries.catalog.models)}
    return sorted(models, key=lambda m: position[m["id"]])


# ----------------------------------------------------------------------------- mutants


class PagingIgnored(Queries):
    """offset and limit are ignored: every request gets the whole list."""

    def paged(self, params: Any) -> bool:
        return False


class PagesOneShort(Queries):
    """A page holds one model fewer than the limit (the next link still advances by it)."""

    def page(self, models: list[Model], offset: int, limit: int) -> list[Model]:
        return super().page(models, offset, limit)[: limit - 1]


class TotalCountsThePage(Queries):
    """total_count says how many models the page holds, as a whole answer's does."""

    def envelope(self, models: list[Model], total_count: Any = None, next_link: Any = None) -> Any:
        return super().envelope(models, None, next_link)


class NextDropsTheQuery(Queries):
    """links.next keeps offset and limit but forgets the filters and the sort."""

    def next_link(self, path: str, others: Pairs, page: Page, total: int) -> str | None:
        return super().next_link(path, (), page, total)


class NextOffByOne(Queries):
    """links.next is null only once offset + limit passes the end: a last page that ends
    exactly at the end points at an empty page."""

    def next_link(self, path: str, others: Pairs, page: Page, total: int) -> str | None:
        following = page.offset + page.limit
        if following > total:
            return None
        return f"{path}?{urlencode([*others, ('offset', following), ('limit', page.limit)])}"


class NextElsewhere(Queries):
    """links.next is an absolute URL on another host (a gateway that writes its public base
    URL): allowed, never asked, so what it leads to stays unjudged (tests/battery/
    test_field.py), which no mutant can show."""

    def next_link(self, path: str, others: Pairs, page: Page, total: int) -> str | None:
        following = super().next_link(path, others, page, total)
        return following and "http://elsewhere.invalid" + following


class SortForgottenPastTheFirstPage(Queries):
    """Pages after the first come in catalog order whatever the sort: the pages of a sorted
    query repeat some models and lose others (links and sizes are right)."""

    def page(self, models: list[Model], offset: int, limit: int) -> list[Model]:
        return super().page(in_catalog_order(self, models) if offset else models, offset, limit)


class PagesIgnoreTheSort(Queries):
    """Every page comes in catalog order: together they hold the list, but a sorted query's
    pages hold other models than its positions of the sorted answer."""

    def page(self, models: list[Model], offset: int, limit: int) -> list[Model]:
        return super().page(in_catalog_order(self, models), offset, limit)


class PagesReversed(Queries):
    """Each page holds the right models, last first."""

    def page(self, models: list[Model], offset: int, limit: int) -> list[Model]:
        return super().page(models, offset, limit)[::-1]


class NothingPastTheEnd(Queries):
    """An offset at or past the end is refused instead of answered with an empty page."""

    def paginate(self, models: list[Model], page: Page | None, path: str, others: Pairs) -> Any:
        if page is not None and page.offset >= self.total_count(models):
            raise HTTPError(400, f"offset {page.offset} is beyond the list")
        return super().paginate(models, page, path, others)


class LimitClamped(Queries):
    """A limit above 1000 is served as 1000 instead of refused."""

    def parse_limit(self, raw: str | None) -> int | None:
        if raw is not None and raw.isdigit() and int(raw) > 1000:
            return 1000
        return super().parse_limit(raw)


def refused_with_422(parse: Any) -> Any:
    @functools.wraps(parse)
    def unprocessable(self: Queries, raw: str | None) -> int | None:
        try:
            return parse(self, raw)  # type: ignore[no-any-return]
        except HTTPError as exc:
            raise HTTPError(422, str(exc)) from None

    return unprocessable


class RefusedWith422(Queries):
    """Values out of range are refused with 422, the status some frameworks give."""

    parse_limit = refused_with_422(Queries.parse_limit)
    parse_offset = refused_with_422(Queries.parse_offset)


MUTANTS: list[Mutant] = [
    # The one failure of a target without paging: everything else that needs it is blocked.
    Mutant("paging-ignored", ("PAGE-SIZE-001",), queries(PagingIgnored)),
    Mutant(
        "pages-one-short",
        ("PAGE-SIZE-001",),
        queries(PagesOneShort),
    ),
    Mutant(
        "total-counts-the-page",
        ("PAGE-TOTAL-001",),
        queries(TotalCountsThePage),
        quiet=("PAGE-SIZE-001", "PAGE-NEXT-001", "PAGE-CONCAT-001"),
    ),
    Mutant(
        "next-drops-the-query",
        ("PAGE-NEXT-001",),
        queries(NextDropsTheQuery),
        quiet=("PAGE-SIZE-001", "PAGE-TOTAL-001"),
    ),
    Mutant(
        "next-off-by-one",
        ("PAGE-NEXT-001",),
        queries(NextOffByOne),
        quiet=("PAGE-SIZE-001", "PAGE-TOTAL-001"),
    ),
    Mutant(
        "sort-forgotten-past-the-first-page",
        ("PAGE-CONCAT-001",),
        queries(SortForgottenPastTheFirstPage),
        quiet=("PAGE-SIZE-001", "PAGE-TOTAL-001", "PAGE-NEXT-001"),
    ),
    Mutant(
        "pages-ignore-the-sort",
        ("PAGE-SORT-001",),
        queries(PagesIgnoreTheSort),
        quiet=("PAGE-CONCAT-001", "PAGE-NEXT-001"),
    ),
    Mutant(
        "pages-reversed",
        ("PAGE-ORDER-001",),
        queries(PagesReversed),
        quiet=("PAGE-SORT-001", "PAGE-CONCAT-001"),
    ),
    Mutant(
        "nothing-past-the-end",
        ("PAGE-END-001",),
        queries(NothingPastTheEnd),
        quiet=("PAGE-SIZE-001", "PAGE-NEXT-001", "PAGE-RANGE-001"),
    ),
    Mutant(
        "limit-clamped",
        ("PAGE-RANGE-001",),
        queries(LimitClamped),
        quiet=("PAGE-SIZE-001",),
    ),
    Mutant(
        "refused-with-422",
        ("PAGE-RANGE-002",),
        queries(RefusedWith422),
        quiet=("PAGE-RANGE-001", "PAGE-SIZE-001"),
    ),
]


# ----------------------------------------------------------------------------- fair targets


def absolute_next(scope: Scope, status: int, headers: Headers, body: bytes) -> Answer:
    """links.next written as an absolute URL on the host the request came to."""
    if status != 200:
        return status, headers, body
    if header(headers, b"content-encoding") == b"gzip":
        body = gzip.decompress(body)
        headers = [(k, v) for k, v in headers if k.lower() != b"content-encoding"]
    answer = json.loads(body)
    following = answer["links"]["next"]
    if following is not None:
        host = (header(list(scope["headers"]), b"host") or b"").decode()
        answer["links"]["next"] = f"{scope['scheme']}://{host}{following}"
    return status, headers, json.dumps(answer).encode()


class RelativeReorderedNext(Queries):
    """links.next is a query alone ("?limit=..&offset=..&..."), limit first and the filters
    last: resolved against the page's URL it is the next page all the same."""

    def next_link(self, path: str, others: Pairs, page: Page, total: int) -> str | None:
        if page.offset + page.limit >= total:
            return None
        pairs = [("limit", page.limit), ("offset", page.offset + page.limit), *reversed(others)]
        return "?" + urlencode(pairs)


class TiesReversedOnPages(Queries):
    """Paged answers of a sort put tied models (the same value of what the sort orders by)
    in reverse catalog order, a secondary key of their own; unpaged answers keep the
    catalog order among ties."""

    def paginate(self, models: list[Model], page: Page | None, path: str, others: Pairs) -> Any:
        sort = dict(others).get("sort")
        if page is not None and sort in self.orderings:
            value = self.orderings[sort][0]
            runs: list[list[Model]] = []
            for model in models:
                if runs and value(runs[-1][0]) == value(model):
                    runs[-1].append(model)
                else:
                    runs.append([model])
            models = [m for run in runs for m in reversed(run)]
        return super().paginate(models, page, path, others)


FAIR: list[Fair] = [
    Fair(
        "next-absolute",
        wrapped(lambda app: Rewrite(app, absolute_next, when=lists)),
        ("pagination",),
        ("PAGE-NEXT-001", "PAGE-CONCAT-001"),
    ),
    Fair(
        "next-relative-reordered",
        lambda: create_app(battery_catalog(), queries=RelativeReorderedNext),
        ("pagination",),
        ("PAGE-NEXT-001", "PAGE-CONCAT-001", "PAGE-ORDER-001"),
    ),
    Fair(
        "ties-reversed-on-pages",
        lambda: create_app(battery_catalog(), queries=TiesReversedOnPages),
        ("pagination",),
        (*PAGED, "PAGE-ORDER-001"),
    ),
]
