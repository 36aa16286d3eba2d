"""Paging GET /models with offset and limit (ruling R21): page sizes, total_count,
links.next, pages that add up to the unpaged answer, the end of the list, refused values.

Pages are judged against the same query's unpaged answer: its length and its order. The
pages the kit asked for itself (the first page, a page asked for by its offset, pages past
the end) are judged for their size and total; a page a next link led to is judged only as
that link's answer, against the page of the same offset asked for directly. A wrong link is
then one failure (PAGE-NEXT-001), not a wrong size or total as well.

Whether the pages together hold the list, in their positions, does not depend on the links:
the pages a walk reads are judged, or, when links.next leads to another origin (which the
kit never asks), the pages asked for by their offsets.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from arouter_conformance.checks import links
from arouter_conformance.checks.common import preview
from arouter_conformance.checks.http import json_answer
from arouter_conformance.exchange import Exchange, NotJson
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.oracle import id_of

__all__ = [
    "next_links",
    "next_url",
    "ordered_by",
    "page_count",
    "page_limit",
    "page_size",
    "page_total",
    "pages_hold_the_list",
    "pages_in_order",
    "pages_in_sort_positions",
    "past_the_end",
    "refused_value",
    "same_page",
]

Model = Mapping[str, Any]
_ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "(absent)"})()


def page_limit(total: int, largest: int, *, exact: bool = False) -> int | None:
    """The limit to page `total` models by, at most `largest` (the most a target must serve,
    ruling R21); None when fewer than two leave nothing to page.

    By default about three pages, the last one short when some limit allows (so the size
    rule is seen with what is left as well as with a full page). `exact`: a limit that
    divides `total`, so that the last page ends exactly at the end, where an off-by-one in
    links.next shows; the largest that leaves two pages or more, when it leaves no more
    than four (or than the largest limit makes necessary), else the default."""
    if total < 2:
        return None
    if exact:
        most = max(4, -(-total // largest))
        fit = next(L for L in range(min(largest, total // 2), 0, -1) if total % L == 0)
        if total // fit <= most:
            return fit
    third = min(largest, -(-total // 3))
    shorts = (limit for limit in range(third, min(total, largest + 1)) if total % limit)
    return next(shorts, third)


def page_count(total: int, limit: int) -> int:
    return max(1, -(-total // limit))


def ordered_by(models: Sequence[Model], key: str) -> bool:
    """Whether `models` already come largest `key` first (integers, nulls last): then that
    sort's pages look the same whether a target keeps the sort or forgets it."""
    placed: list[tuple[int, int]] = []
    for model in models:
        value = model.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            return False
        placed.append((1, 0) if value is None else (0, -value))
    return placed == sorted(placed)


# ----------------------------------------------------------------------------- reading pages


def _page(exchange: Exchange) -> Mapping[str, Any] | None:
    """The body of a page (200, a JSON object with a data array), or None: reading a page
    here never judges it, so that only the requirement a page belongs to is judged on it."""
    if exchange.status != 200 or exchange.cut_by_kit:
        return None
    try:
        body = exchange.json()
    except NotJson:
        return None
    return body if isinstance(body, dict) and isinstance(body.get("data"), list) else None


def _read(requirement: str, exchange: Exchange) -> tuple[Mapping[str, Any] | None, list[Finding]]:
    """The body of a page that must be one, or the finding that it is not."""
    body, findings = json_answer(requirement, exchange)
    if findings:
        return None, findings
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return body, []
    return None, [
        Finding(
            requirement,
            f"{exchange.describe()}: the page has no data array",
            expected='{"data": [...]}',
            observed=exchange.text(200),
            exchange=exchange,
            pointer="/data",
        )
    ]


def _ids(body: Mapping[str, Any]) -> list[str]:
    return [i for i in map(id_of, body["data"]) if i is not None]


def _next_value(body: Mapping[str, Any]) -> Any:
    links = body.get("links")
    return links.get("next", _ABSENT) if isinstance(links, dict) else _ABSENT


def next_url(page: Exchange) -> str | None:
    """Where a page's links.next leads, resolved against the page's own URL as every link
    is (`links.follow`); None when there is no link or no client could follow it (a walk
    that ends there fails PAGE-NEXT-001). `links.Elsewhere` when it leads to another
    origin: the walk ends there too, but the pages can still be asked for by offset."""
    body = _page(page)
    value = _next_value(body) if body is not None else None
    if not isinstance(value, str):
        return None
    try:
        return links.follow(value, page.url)
    except links.Unusable:
        return None


# ----------------------------------------------------------------------------- size and total


def page_size(exchange: Exchange, offset: int, limit: int, total: int) -> list[Finding]:
    """PAGE-SIZE-001 on a page the kit asked for: `limit` models, or what is left."""
    body, findings = _read("PAGE-SIZE-001", exchange)
    if body is None:
        return findings
    judged("PAGE-SIZE-001")
    held, wanted = len(body["data"]), min(limit, max(0, total - offset))
    if held == wanted:
        return []
    return [
        Finding(
            "PAGE-SIZE-001",
            f"{exchange.describe()} holds {held} models; the query returns {total} unpaged, "
            f"so offset {offset} and limit {limit} leave {wanted}",
            expected=f"{wanted} models",
            observed=f"{held} models",
            exchange=exchange,
            pointer="/data",
        )
    ]


def page_total(exchange: Exchange, total: int) -> list[Finding]:
    """PAGE-TOTAL-001: total_count counts the whole query, not the page."""
    body = _page(exchange)
    if body is None:
        cannot_judge("PAGE-TOTAL-001", f"{exchange.describe()}: no page to read (PAGE-SIZE-001)")
        return []
    judged("PAGE-TOTAL-001")
    said = body.get("total_count", _ABSENT)
    if isinstance(said, int) and not isinstance(said, bool) and said == total:
        return []
    return [
        Finding(
            "PAGE-TOTAL-001",
            f"{exchange.describe()}: total_count is {_excerpt(said)} but the query returns "
            f"{total} models unpaged",
            expected=str(total),
            observed=_excerpt(said),
            exchange=exchange,
            pointer="/total_count",
        )
    ]


def _excerpt(value: Any) -> str:
    if value is _ABSENT:
        return "(absent)"
    text = _json_text(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _json_text(value: Any) -> str:
    """`value` as JSON text; a value nested as deep as the parser allows may be too deep to
    write back, and is then told apart by its identity alone."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except RecursionError:
        return f"(nested too deep to show: {id(value)})"


# ----------------------------------------------------------------------------- links.next


def next_links(pages: Sequence[Exchange], total: int, limit: int) -> list[Finding]:
    """PAGE-NEXT-001 along the pages links.next led through from the first: a link a
    client can follow on every page but the last, null on the last (where offset + limit
    reaches `total`).

    A link to another origin than the page's (R21 allows absolute URLs: a gateway may
    write its public base URL) is never followed, since the
    kit sends its key nowhere else, and leaves the requirement unjudged: the links before
    it showed nothing of where they lead."""
    walked = _walked(pages, total, limit)
    if isinstance(walked, str):
        cannot_judge("PAGE-NEXT-001", walked)
        return []
    judged("PAGE-NEXT-001")
    return [] if walked is None else [walked]


def _walked(pages: Sequence[Exchange], total: int, limit: int) -> Finding | str | None:
    """The walk's first wrong link, why it showed nothing (a string), or None when it
    reached the last page rightly."""
    last = page_count(total, limit) - 1
    for index, page in enumerate(pages):
        body = _page(page)
        if body is None:
            if index == 0:
                return f"{page.describe()}: the first page is no page"
            return _next_finding(pages[index - 1], f"leads to {page.describe()}, not a page")
        value = _next_value(body)
        if index == last:
            if value is None:
                return None
            return _next_finding(
                page,
                f"is {_excerpt(value)} on the last page (offset {index * limit}, limit "
                f"{limit}, {total} models)",
                expected="null",
            )
        left = total - (index + 1) * limit
        if not isinstance(value, str):
            return _next_finding(page, f"is {_excerpt(value)} though {left} models remain")
        try:
            url = links.follow(value, page.url)
        except links.Elsewhere as exc:
            return f"{page.describe()}: links.next {exc}"
        except links.Unusable as exc:
            return _next_finding(page, f"{_excerpt(value)} {exc}")
        asked = links.request(url)
        seen = (n for n, p in enumerate(pages[: index + 1]) if links.request(p.url) == asked)
        back = next(seen, None)
        if back is not None:
            return _next_finding(page, f"leads back to page {back + 1}: {url}")
    return f"the walk stopped after {len(pages)} of {last + 1} pages"


def _next_finding(page: Exchange, what: str, expected: str | None = None) -> Finding:
    body = _page(page)
    return Finding(
        "PAGE-NEXT-001",
        f"{page.describe()}: links.next {what}",
        expected=expected or "the URL of the next page of the same query",
        observed=_excerpt(_next_value(body)) if body is not None else page.text(200),
        exchange=page,
        pointer="/links/next",
    )


def same_page(followed: Exchange, direct: Exchange) -> list[Finding]:
    """PAGE-NEXT-001: the page a next link led to is the page of the same query at the
    offset advanced by limit, asked for directly (compared as sets of models: tied models
    may come in another order, the page is the same)."""
    one, other = _page(followed), _page(direct)
    if one is None or other is None:
        return []  # the link's finding, or PAGE-SIZE-001's for the page asked for
    judged("PAGE-NEXT-001")
    got, wanted = Counter(_ids(one)), Counter(_ids(other))
    if got == wanted:
        return []
    return [
        Finding(
            "PAGE-NEXT-001",
            f"{followed.describe()}, where links.next led, is not the page "
            f"{direct.path_and_query}: {_difference(got, wanted)}",
            expected=f"the {sum(wanted.values())} models of {direct.path_and_query}",
            observed=_difference(got, wanted),
            exchange=followed,
            pointer="/data",
        )
    ]


def _difference(got: Counter[str], wanted: Counter[str]) -> str:
    missing, extra = wanted - got, got - wanted
    parts = [f"missing {sum(missing.values())}: {preview(missing)}"] if missing else []
    if extra:
        parts.append(f"unexpected or repeated {sum(extra.values())}: {preview(extra)}")
    return "; ".join(parts)


# ----------------------------------------------------------------------------- pages together


def _concatenated(pages: Sequence[Exchange], total: int, limit: int) -> list[str] | str:
    """The ids of every page in turn, or why they are not all there: the walk stopped
    short (PAGE-NEXT-001), or a page is no page."""
    if len(pages) < page_count(total, limit):
        return (
            f"links.next led through {len(pages)} of {page_count(total, limit)} pages "
            "(PAGE-NEXT-001)"
        )
    ids: list[str] = []
    for page in pages:
        body = _page(page)
        if body is None:
            return f"{page.describe()} is no page"
        ids += _ids(body)
    return ids


def pages_hold_the_list(
    pages: Sequence[Exchange], total: int, limit: int, unpaged: Sequence[Model]
) -> list[Finding]:
    """PAGE-CONCAT-001: the pages together hold the unpaged answer's models, each once."""
    ids = _concatenated(pages, total, limit)
    if isinstance(ids, str):
        cannot_judge("PAGE-CONCAT-001", ids)
        return []
    judged("PAGE-CONCAT-001")
    got, wanted = Counter(ids), Counter(i for i in map(id_of, unpaged) if i is not None)
    if got == wanted:
        return []
    return [
        Finding(
            "PAGE-CONCAT-001",
            f"the {len(pages)} pages from {pages[0].path_and_query} do not hold the unpaged "
            f"answer once: {_difference(got, wanted)}",
            expected=f"the {sum(wanted.values())} models of the unpaged answer, each once",
            observed=_difference(got, wanted),
            exchange=pages[0],
        )
    ]


def _ranked(
    requirement: str,
    pages: Sequence[Exchange],
    total: int,
    limit: int,
    unpaged: Sequence[Model],
    tied_on: str | None,
) -> tuple[list[str], dict[str, int]] | None:
    """The ids of the pages in turn, and each model's rank in the unpaged answer: the run
    of models the sort leaves tied that it belongs to (the same `tied_on` value, next to
    each other; without a sort no two models tie). None, and `requirement` unjudged, when
    the pages are not all there, do not hold the unpaged answer once or every model ties."""
    ids = _concatenated(pages, total, limit)
    if isinstance(ids, str):
        cannot_judge(requirement, ids)
        return None
    unpaged_ids = [i for i in map(id_of, unpaged) if i is not None]
    if Counter(ids) != Counter(unpaged_ids) or len(set(ids)) != len(ids):
        cannot_judge(requirement, "the pages do not hold the unpaged answer (PAGE-CONCAT-001)")
        return None
    rank: dict[str, int] = {}
    group, previous = -1, None
    for model in unpaged:
        model_id = id_of(model)
        if model_id is None:
            continue
        value = _json_text(model.get(tied_on)) if tied_on else None
        if tied_on is None or group < 0 or value != previous:
            group += 1
        rank[model_id], previous = group, value
    if group < 1:
        cannot_judge(requirement, f"every model ties on {tied_on}: no order to keep")
        return None
    return ids, rank


def pages_in_sort_positions(
    pages: Sequence[Exchange], total: int, limit: int, unpaged: Sequence[Model], tied_on: str
) -> list[Finding]:
    """PAGE-SORT-001: each page of a sorted query holds the models at its positions of the
    unpaged answer. Compared by tie runs: a run the page boundary cuts may lend any of its
    models to either side, so a page is right when it holds as many models of each run as
    its positions do."""
    ranked = _ranked("PAGE-SORT-001", pages, total, limit, unpaged, tied_on)
    if ranked is None:
        return []
    rank = ranked[1]
    judged("PAGE-SORT-001")
    order = [i for i in map(id_of, unpaged) if i is not None]
    start = 0
    for page in pages:
        body = _page(page)
        held = _ids(body) if body is not None else []
        wanted = Counter(rank[i] for i in order[start : start + len(held)])
        got = Counter(rank[i] for i in held)
        stray = next((i for i in held if got[rank[i]] > wanted[rank[i]]), None)
        if stray is not None:
            position, run, at = order.index(stray), rank[stray], held.index(stray)
            return [
                Finding(
                    "PAGE-SORT-001",
                    f"{page.describe()} holds {stray}, which the unpaged answer puts at "
                    f"position {position}: this page holds {got[run]} model(s) of that "
                    f"{tied_on}, where its positions of the unpaged answer hold {wanted[run]}",
                    expected=f"the models at positions {start} to {start + len(held) - 1} of "
                    "the unpaged answer, ties across the page boundary aside",
                    observed=f"{stray} at position {start + at}",
                    exchange=page,
                    pointer=f"/data/{at}",
                )
            ]
        start += len(held)
    return []


def pages_in_order(
    pages: Sequence[Exchange],
    total: int,
    limit: int,
    unpaged: Sequence[Model],
    tied_on: str | None,
) -> list[Finding]:
    """PAGE-ORDER-001 (SHOULD): the pages come in the unpaged order, except that models the
    sort leaves tied may come in any order among themselves."""
    ranked = _ranked("PAGE-ORDER-001", pages, total, limit, unpaged, tied_on)
    if ranked is None:
        return []
    ids, rank = ranked
    judged("PAGE-ORDER-001")
    highest = (-1, "")
    for position, model_id in enumerate(ids):
        if rank[model_id] >= highest[0]:
            highest = (rank[model_id], model_id)
            continue
        page = pages[position // limit]
        return [
            Finding(
                "PAGE-ORDER-001",
                f"{page.describe()}: {model_id} comes after {highest[1]} though the unpaged "
                "answer puts it before" + (f" (and they differ in {tied_on})" if tied_on else ""),
                expected=f"{model_id} before {highest[1]}",
                observed=f"{model_id} at position {position} of the pages",
                exchange=page,
                pointer=f"/data/{position % limit}",
            )
        ]
    return []


# ----------------------------------------------------------------------------- edges


def past_the_end(exchange: Exchange) -> list[Finding]:
    """PAGE-END-001: an offset at or past the end answers 200, no model, links.next null."""
    body, findings = _read("PAGE-END-001", exchange)
    if body is None:
        return findings
    judged("PAGE-END-001")
    if body["data"]:
        findings.append(
            Finding(
                "PAGE-END-001",
                f"{exchange.describe()} holds {len(body['data'])} models past the end",
                expected="an empty data array",
                observed=f"{len(body['data'])} models: {preview(_ids(body))}",
                exchange=exchange,
                pointer="/data",
            )
        )
    following = _next_value(body)
    if following is not None:
        findings.append(
            Finding(
                "PAGE-END-001",
                f"{exchange.describe()}: links.next is {_excerpt(following)} past the end",
                expected="null",
                observed=_excerpt(following),
                exchange=exchange,
                pointer="/links/next",
            )
        )
    return findings


def refused_value(exchange: Exchange, what: str) -> list[Finding]:
    """PAGE-RANGE-001: a 4xx, never a page or a 5xx; PAGE-RANGE-002 (SHOULD): that 4xx is
    400 (judged only on a 4xx: anything else is the MUST's finding alone)."""
    judged("PAGE-RANGE-001")
    if 400 <= exchange.status < 500:
        judged("PAGE-RANGE-002")
        if exchange.status == 400:
            return []
        return [
            Finding(
                "PAGE-RANGE-002",
                f"{exchange.describe()}: {what} was refused with {exchange.status}, not 400",
                expected="400",
                observed=str(exchange.status),
                exchange=exchange,
            )
        ]
    served = "served" if exchange.status < 400 else "answered with a server error"
    return [
        Finding(
            "PAGE-RANGE-001",
            f"{exchange.describe()}: {what} was {served}",
            expected="a 4xx refusal (400)",
            observed=f"{exchange.status}: {exchange.text(200)}",
            exchange=exchange,
        )
    ]
