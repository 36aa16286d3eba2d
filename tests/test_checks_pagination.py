"""Pagination checks (ruling R21) on hand-made pages."""

from __future__ import annotations

from typing import Any

import pytest

from arouter_conformance.checks import links, pagination
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import ledger
from tests.factories import ROOT, exchange, model

MODELS = [model(f"a/m{n}", created=100 - n) for n in range(10)]
QUERY = "output_modalities=all"


def page(
    offset: int | None,
    limit: int,
    *,
    models: list[dict[str, Any]] | None = None,
    total: Any = 10,
    following: Any = "auto",
    query: str = QUERY,
) -> Exchange:
    """The page a right target serves at `offset` (None: not given), or with `models`."""
    start = offset or 0
    served = MODELS[start : start + limit] if models is None else models
    if following == "auto":
        ahead = start + limit
        following = f"/v1/models?{query}&offset={ahead}&limit={limit}" if ahead < 10 else None
    given = f"&offset={offset}" if offset is not None else ""
    return exchange(
        {"data": served, "total_count": total, "links": {"next": following}},
        path=f"/models?{query}{given}&limit={limit}",
    )


def walk(limit: int = 4) -> list[Exchange]:
    return [page(None, limit), page(4, limit), page(8, limit)]


def test_the_limit_makes_about_three_pages_with_a_short_last_one() -> None:
    assert pagination.page_limit(0, 1000) is None
    assert pagination.page_limit(1, 1000) is None
    assert pagination.page_limit(2, 1000) == 1
    assert pagination.page_limit(10, 1000) == 4  # 4, 4, 2
    assert pagination.page_limit(9, 1000) == 4  # 3 divides 9: 4, 4, 1
    assert pagination.page_limit(550, 1000) == 184
    # 1000 divides 3000, but no limit may exceed it
    assert pagination.page_limit(3000, 1000) == 1000
    assert pagination.page_limit(10_001, 1000) == 1000
    assert pagination.page_count(10, 4) == 3
    assert pagination.page_limit(86, 1000, exact=True) == 43  # 43, 43
    assert pagination.page_limit(9, 1000, exact=True) == 3  # 3, 3, 3
    assert pagination.page_limit(3, 1000, exact=True) == 1
    assert pagination.page_limit(10_000, 1000, exact=True) == 1000
    assert pagination.page_limit(97, 1000, exact=True) == 33  # a prime: no exact fit, the default
    assert pagination.page_limit(2 * 1009, 1000, exact=True) == 673  # 1009 is too large a limit


def test_a_list_already_in_a_sort_order_is_told() -> None:
    assert pagination.ordered_by(MODELS, "created")
    assert not pagination.ordered_by(list(reversed(MODELS)), "created")
    nulls_last = [model("a/1", context_length=9), model("a/2", context_length=None)]
    assert pagination.ordered_by(nulls_last, "context_length")
    assert not pagination.ordered_by(list(reversed(nulls_last)), "context_length")
    assert not pagination.ordered_by([model("a/1", created="9")], "created")


def test_page_size_counts_what_is_left() -> None:
    assert pagination.page_size(page(None, 4), 0, 4, 10) == []
    assert pagination.page_size(page(8, 4), 8, 4, 10) == []
    whole = page(None, 4, models=MODELS)
    assert "holds 10 models" in pagination.page_size(whole, 0, 4, 10)[0].message
    short = page(8, 4, models=MODELS[8:9])
    assert pagination.page_size(short, 8, 4, 10)[0].expected == "2 models"
    refused = exchange({"error": {"message": "no"}}, status=400)
    assert pagination.page_size(refused, 0, 4, 10)[0].requirement == "PAGE-SIZE-001"
    no_data = exchange({"models": []})
    assert pagination.page_size(no_data, 0, 4, 10)[0].pointer == "/data"


def test_total_count_is_the_query_not_the_page() -> None:
    assert pagination.page_total(page(None, 4), 10) == []
    assert pagination.page_total(page(None, 4, total=4), 10)[0].observed == "4"
    assert pagination.page_total(page(None, 4, total="10"), 10)
    assert pagination.page_total(page(None, 4, total=True), 1)
    absent = exchange({"data": MODELS[:4]})
    assert pagination.page_total(absent, 10)[0].observed == "(absent)"
    with ledger() as book:
        assert pagination.page_total(exchange({}, status=500), 10) == []
    assert "PAGE-TOTAL-001" in book.unjudgeable


def test_next_url_resolves_against_the_page() -> None:
    here = page(None, 4)
    assert pagination.next_url(here) == f"{ROOT}/models?{QUERY}&offset=4&limit=4"
    relative = page(None, 4, following=f"?{QUERY}&limit=4&offset=4")
    assert pagination.next_url(relative) == f"{ROOT}/models?{QUERY}&limit=4&offset=4"
    sibling = page(None, 4, following=" models?offset=4#top\n")
    assert pagination.next_url(sibling) == f"{ROOT}/models?offset=4"
    for unasked in (None, 4, "javascript:alert(1)", "/v1/mo\x00dels"):
        assert pagination.next_url(page(None, 4, following=unasked)) is None
    with pytest.raises(links.Elsewhere):
        pagination.next_url(page(None, 4, following="http://127.0.0.1:9/v1"))


def test_next_links_along_a_right_walk() -> None:
    with ledger() as book:
        assert pagination.next_links(walk(), 10, 4) == []
    assert "PAGE-NEXT-001" in book.judged
    absolute = [page(None, 4, following=f"http://GATEWAY.test:80/v1/models?{QUERY}&offset=4")]
    assert pagination.next_links([*absolute, *walk()[1:]], 10, 4) == []


@pytest.mark.parametrize(
    ("pages", "said"),
    [
        ([page(None, 4, following=None)], "null though 6 models remain"),
        ([page(None, 4, following=7)], "is 7 though"),
        ([page(None, 4, following="ftp://gateway.test/x")], "is no http(s) URL"),
        ([page(None, 4, following="/v1/mo\x00dels?offset=4")], "U+0000"),
        ([page(None, 4, following=f"/v1/models?{QUERY}&limit=4")], "back to page 1"),
        ([page(None, 4), exchange({}, status=500)], "not a page"),
        ([page(None, 4), page(4, 4), page(8, 4, following="/v1/models?offset=12")], "last page"),
    ],
)
def test_next_links_that_break(pages: list[Exchange], said: str) -> None:
    found = pagination.next_links(pages, 10, 4)
    assert [f.requirement for f in found] == ["PAGE-NEXT-001"]
    assert said in found[0].message


@pytest.mark.parametrize(
    "elsewhere", ["http://elsewhere.test/v1/models?offset=4", "\\\\elsewhere.test/v1/models"]
)
def test_a_next_link_to_another_origin_is_never_asked_nor_judged(elsewhere: str) -> None:
    """R21 allows absolute links, and a gateway may write its public base URL: what that
    origin answers is unseen, so the walk's earlier links do not pass the requirement."""
    walked = [page(None, 4), page(4, 4, following=elsewhere)]
    with pytest.raises(links.Elsewhere):
        pagination.next_url(walked[1])
    with ledger() as book:
        assert pagination.next_links(walked, 10, 4) == []
    assert book.judged == set()
    assert (
        "links.next leads to another origin (http://elsewhere.test), which the kit does not "
        "follow: give a target URL on that origin (--target-url)"
    ) in book.unjudgeable["PAGE-NEXT-001"]


def test_next_links_on_an_unreadable_first_page_or_a_short_walk_are_not_judged() -> None:
    with ledger() as book:
        assert pagination.next_links([exchange({}, status=404)], 10, 4) == []
        assert pagination.next_links(walk()[:2], 10, 4) == []
    assert "PAGE-NEXT-001" in book.unjudgeable
    assert book.judged == set()


def test_the_followed_page_is_the_page_asked_by_offset() -> None:
    followed = page(8, 4)
    assert pagination.same_page(followed, page(8, 4, models=list(reversed(MODELS[8:])))) == []
    unsorted = page(8, 4, models=MODELS[:2])
    found = pagination.same_page(unsorted, page(8, 4))
    assert "missing 2: a/m8, a/m9" in found[0].message
    assert pagination.same_page(exchange({}, status=500), page(8, 4)) == []


def test_pages_hold_the_unpaged_answer_once() -> None:
    assert pagination.pages_hold_the_list(walk(), 10, 4, MODELS) == []
    overlap = [page(None, 4), page(4, 4, models=MODELS[3:7]), page(8, 4)]
    found = pagination.pages_hold_the_list(overlap, 10, 4, MODELS)
    assert "missing 1: a/m7" in found[0].message
    assert "repeated 1: a/m3" in found[0].message
    with ledger() as book:
        assert pagination.pages_hold_the_list(walk()[:2], 10, 4, MODELS) == []
    assert (
        book.unjudgeable["PAGE-CONCAT-001"] == "links.next led through 2 of 3 pages (PAGE-NEXT-001)"
    )
    with ledger() as book:
        broken = [page(None, 4), exchange({}, status=500), page(8, 4)]
        assert pagination.pages_hold_the_list(broken, 10, 4, MODELS) == []
    assert book.unjudgeable["PAGE-CONCAT-001"].endswith("is no page")


def test_pages_keep_the_unpaged_order_but_for_ties() -> None:
    assert pagination.pages_in_order(walk(), 10, 4, MODELS, None) == []
    swapped = [page(None, 4), page(4, 4, models=[MODELS[5], MODELS[4], *MODELS[6:8]]), page(8, 4)]
    found = pagination.pages_in_order(swapped, 10, 4, MODELS, None)
    assert found[0].pointer == "/data/1"
    assert "a/m4 comes after a/m5" in found[0].message
    # m4 and m5 tie on created: either order is the sort's.
    tied = [{**m, "created": 50} if m["id"] in ("a/m4", "a/m5") else m for m in MODELS]
    swapped_tied = [
        page(None, 4, models=tied[:4]),
        page(4, 4, models=[tied[5], tied[4], *tied[6:8]]),
        page(8, 4, models=tied[8:]),
    ]
    assert pagination.pages_in_order(swapped_tied, 10, 4, tied, "created") == []
    assert pagination.pages_in_order(swapped, 10, 4, MODELS, "created")
    with ledger() as book:
        every_tie = [{**m, "created": 1} for m in MODELS]
        assert pagination.pages_in_order(walk(), 10, 4, every_tie, "created") == []
        overlap = [page(None, 4), page(4, 4, models=MODELS[3:7]), page(8, 4)]
        assert pagination.pages_in_order(overlap, 10, 4, MODELS, None) == []
    assert "PAGE-ORDER-001" in book.unjudgeable
    assert "PAGE-ORDER-001" not in book.judged


def test_sorted_pages_hold_their_positions_but_for_ties_across_a_boundary() -> None:
    assert pagination.pages_in_sort_positions(walk(), 10, 4, MODELS, "created") == []
    within = [
        page(None, 4, models=MODELS[3::-1]),
        page(4, 4, models=MODELS[7:3:-1]),
        page(8, 4, models=MODELS[:7:-1]),
    ]
    assert pagination.pages_in_sort_positions(within, 10, 4, MODELS, "created") == []
    # m3 and m4 tie across the boundary of the first two pages: either may be on either.
    tied = [{**m, "created": 50} if m["id"] in ("a/m3", "a/m4") else m for m in MODELS]
    crossed = [
        page(None, 4, models=[*tied[:3], tied[4]]),
        page(4, 4, models=[tied[3], *tied[5:8]]),
        page(8, 4, models=tied[8:]),
    ]
    assert pagination.pages_in_sort_positions(crossed, 10, 4, tied, "created") == []
    # m2 and m5 do not tie: swapped, each is on the other's page.
    swapped = [
        page(None, 4, models=[*MODELS[:2], MODELS[5], MODELS[3]]),
        page(4, 4, models=[MODELS[4], MODELS[2], *MODELS[6:8]]),
        page(8, 4),
    ]
    found = pagination.pages_in_sort_positions(swapped, 10, 4, MODELS, "created")
    assert [f.pointer for f in found] == ["/data/2"]
    assert "holds a/m5, which the unpaged answer puts at position 5: this page holds" in (
        found[0].message
    )


def test_sorted_pages_unjudged_without_the_whole_answer_or_an_order() -> None:
    every_tie = [{**m, "created": 1} for m in MODELS]
    overlap = [page(None, 4), page(4, 4, models=MODELS[3:7]), page(8, 4)]
    reasons = []
    for pages, unpaged in ((walk(), every_tie), (overlap, MODELS), (walk()[:2], MODELS)):
        with ledger() as book:
            assert pagination.pages_in_sort_positions(pages, 10, 4, unpaged, "created") == []
        assert "PAGE-SORT-001" not in book.judged
        reasons.append(book.unjudgeable["PAGE-SORT-001"])
    assert reasons == [
        "every model ties on created: no order to keep",
        "the pages do not hold the unpaged answer (PAGE-CONCAT-001)",
        "links.next led through 2 of 3 pages (PAGE-NEXT-001)",  # never walked: not CONCAT's
    ]


def test_past_the_end() -> None:
    assert pagination.past_the_end(page(10, 4, models=[], following=None)) == []
    found = pagination.past_the_end(page(10, 4, models=MODELS[9:], following="/v1/models"))
    assert [f.pointer for f in found] == ["/data", "/links/next"]
    assert pagination.past_the_end(page(10, 4, models=[], following="x"))
    assert pagination.past_the_end(exchange({"error": {"message": "x"}}, status=404))
    assert pagination.past_the_end(exchange({"data": []}))[0].observed == "(absent)"


@pytest.mark.parametrize(
    ("status", "failed"),
    [
        (400, []),
        (422, ["PAGE-RANGE-002"]),
        (200, ["PAGE-RANGE-001"]),
        (500, ["PAGE-RANGE-001"]),
        (302, ["PAGE-RANGE-001"]),
    ],
)
def test_values_out_of_range(status: int, failed: list[str]) -> None:
    answer = exchange({"error": {"message": "x"}}, status=status)
    found = pagination.refused_value(answer, "a limit of 0 (limit=0)")
    assert [f.requirement for f in found] == failed
