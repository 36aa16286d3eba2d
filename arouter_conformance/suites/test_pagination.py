"""Profile pagination: offset and limit on GET /models (ruling R21).

Two queries are paged, the list of all models and the same sorted (newest first, or by
context when the list already comes newest first), each in a few pages: the first page
asked for with the limit alone, then wherever links.next leads until it is null, and the
last page asked for by its offset as well, to compare with where the links led. The first
query's last page is short, the sorted one's ends exactly at the end when a limit allows,
so both edges of links.next are seen. Their unpaged answers are lists other suites ask
for anyway, so the GET memo sends them once.

A links.next to another origin is never asked: the walk ends there, and the pages are then
asked for by their offsets, so that whether they hold the list in its order is judged all
the same (a few more requests, only on such a target).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from arouter_conformance.checks import links, pagination
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, Inconclusive, cannot_judge, require
from arouter_conformance.session import Run

requirement = pytest.mark.requirement
# The sorts the kit may page, each with the key its tied models share, preferred first:
# the first one the default order does not follow already, so that the sorted pages tell
# a sort kept from a sort forgotten.
SORTS = {"newest": "created", "context-high-to-low": "context_length"}


@dataclass(frozen=True)
class Paged:
    """One query paged: what the checks read of its unpaged answer (each model's id, and
    the value its sort ties on), the limit chosen, where the pages were asked (the first,
    then wherever links.next led), where the last page was asked by its offset and, when
    links.next left the target's origin, where every page is asked by its offset.

    URLs rather than answers: each test asks the GET memo again (where a large answer is
    kept compressed), so a large catalog's pages are not held open for the whole run."""

    query: Mapping[str, str]
    models: tuple[Mapping[str, Any], ...]
    limit: int
    urls: tuple[str, ...]
    last_url: str
    by_offset: tuple[str, ...]  # empty unless the walk ended at another origin

    @property
    def total(self) -> int:
        return len(self.models)

    @property
    def last_offset(self) -> int:
        return (pagination.page_count(self.total, self.limit) - 1) * self.limit

    @property
    def tied_on(self) -> str | None:
        return SORTS.get(self.query.get("sort", ""))

    def pages(self, run: Run) -> tuple[Exchange, ...]:
        return tuple(run.target.get_url(url) for url in self.urls)

    def together(self, run: Run) -> tuple[Exchange, ...]:
        """The pages judged together: the walk's, or those asked by offset when the walk
        ended at another origin."""
        return tuple(run.target.get_url(url) for url in self.by_offset or self.urls)

    def last(self, run: Run) -> Exchange:
        return run.target.get_url(self.last_url)


def _queries(run: Run) -> list[dict[str, str]]:
    everything = {"output_modalities": run.contract.all_output_modalities}
    models = run.baseline().models
    sort = next((s for s, key in SORTS.items() if not pagination.ordered_by(models, key)), None)
    return [everything, {**everything, "sort": sort or next(iter(SORTS))}]


def _walk(
    run: Run, query: Mapping[str, str], total: int, limit: int
) -> tuple[tuple[str, ...], bool]:
    """Where the pages are: the first, then each page links.next leads to (on the target's
    origin, never back to a page already seen), up to the number of pages the query makes;
    and whether the walk ended at a link to another origin."""
    urls = [run.target.url("/models", {**query, "limit": str(limit)})]
    page = run.target.get_url(urls[0])
    while len(urls) < pagination.page_count(total, limit):
        try:
            url = pagination.next_url(page)
        except links.Elsewhere:
            return tuple(urls), True
        if url is None or url in urls:
            break
        urls.append(url)
        page = run.target.get_url(url)
    return tuple(urls), False


def _paged(run: Run, query: Mapping[str, str]) -> Paged | str:
    """The query paged, or why it cannot be (once per run: every test judges the same
    pages)."""

    def page() -> Paged | str:
        try:
            exchange, models = run.models(query)
        except Inconclusive as exc:
            return str(exc)
        if models is None:
            return f"{exchange.describe()}: the unpaged answer is no list to page"
        limit = pagination.page_limit(
            len(models), run.contract.page_limit_max, exact="sort" in query
        )
        if limit is None:
            return f"{exchange.path_and_query} returns {len(models)} models: nothing to page"
        tied_on = SORTS.get(query.get("sort", ""))
        kept = tuple(
            {"id": m.get("id"), **({tied_on: m.get(tied_on)} if tied_on else {})} for m in models
        )
        urls, elsewhere = _walk(run, query, len(models), limit)
        by_offset = [urls[0]] + [
            run.target.url("/models", {**query, "offset": str(n * limit), "limit": str(limit)})
            for n in range(1, pagination.page_count(len(models), limit))
        ]
        run.target.get_url(by_offset[-1])
        return Paged(query, kept, limit, urls, by_offset[-1], tuple(by_offset) if elsewhere else ())

    return run.memo("paged:" + repr(sorted(query.items())), page)


def _each_paged(run: Run, *requirements: str) -> list[Paged]:
    """The queries that can be paged; for the others, why not, for each requirement."""
    chosen = []
    for query in _queries(run):
        paged = _paged(run, query)
        if isinstance(paged, str):
            for requirement_id in requirements:
                cannot_judge(requirement_id, paged)
        else:
            chosen.append(paged)
    return chosen


@requirement("PAGE-SIZE-001")
def test_pages_hold_limit_models(run: Run) -> None:
    findings: list[Finding] = []
    for paged in _each_paged(run, "PAGE-SIZE-001"):
        first, last = paged.pages(run)[0], paged.last(run)
        findings += pagination.page_size(first, 0, paged.limit, paged.total)
        findings += pagination.page_size(last, paged.last_offset, paged.limit, paged.total)
    require(findings)


@requirement("PAGE-TOTAL-001")
def test_total_count_counts_the_query(run: Run) -> None:
    findings: list[Finding] = []
    for paged in _each_paged(run, "PAGE-TOTAL-001"):
        for page in (paged.pages(run)[0], paged.last(run)):
            findings += pagination.page_total(page, paged.total)
    require(findings)


@requirement("PAGE-NEXT-001")
def test_next_links_lead_to_the_next_page(run: Run) -> None:
    findings: list[Finding] = []
    for paged in _each_paged(run, "PAGE-NEXT-001"):
        pages = paged.pages(run)
        found = pagination.next_links(pages, paged.total, paged.limit)
        if not found and len(pages) == pagination.page_count(paged.total, paged.limit):
            found = pagination.same_page(pages[-1], paged.last(run))
        findings += found
    require(findings)


@requirement("PAGE-CONCAT-001", "PAGE-ORDER-001")
def test_pages_add_up_to_the_unpaged_answer(run: Run) -> None:
    findings: list[Finding] = []
    for paged in _each_paged(run, "PAGE-CONCAT-001", "PAGE-ORDER-001"):
        args = (paged.together(run), paged.total, paged.limit, paged.models)
        findings += pagination.pages_hold_the_list(*args)
        findings += pagination.pages_in_order(*args, paged.tied_on)
    require(findings)


@requirement("PAGE-SORT-001")
def test_sorted_pages_hold_their_positions(run: Run) -> None:
    """The sorted query only: the default order is the target's own, which PAGE-ORDER-001
    weighs as a SHOULD."""
    findings: list[Finding] = []
    for paged in _each_paged(run, "PAGE-SORT-001"):
        if paged.tied_on is not None:
            args = (paged.together(run), paged.total, paged.limit, paged.models)
            findings += pagination.pages_in_sort_positions(*args, paged.tied_on)
    require(findings)


@requirement("PAGE-END-001")
def test_offset_past_the_end(run: Run) -> None:
    """At the end with the limit paged by, and past it with the limit left to its default."""
    paged = next(iter(_each_paged(run, "PAGE-END-001")), None)
    if paged is None:
        return
    findings: list[Finding] = []
    for query in (
        {**paged.query, "offset": str(paged.total), "limit": str(paged.limit)},
        {**paged.query, "offset": str(paged.total + 5)},
    ):
        findings += pagination.past_the_end(run.target.get("/models", query))
    require(findings)


@requirement("PAGE-RANGE-001", "PAGE-RANGE-002")
def test_values_out_of_range_are_refused(run: Run) -> None:
    findings: list[Finding] = []
    for name, value, what in (
        ("limit", str(run.contract.page_limit_max + 1), "a limit above the largest"),
        ("limit", "0", "a limit of 0"),
        ("limit", "-1", "a negative limit"),
        ("offset", "-1", "a negative offset"),
        ("limit", "abc", "a limit that is no integer"),
        ("offset", "abc", "an offset that is no integer"),
    ):
        exchange = run.target.get("/models", {name: value})
        findings += pagination.refused_value(exchange, f"{what} ({name}={value})")
    require(findings)
