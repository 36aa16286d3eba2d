"""Count and lookup checks."""

from __future__ import annotations

from arouter_conformance.checks import count, lookup
from arouter_conformance.spec import load_spec
from tests.factories import exchange, model

SPEC = load_spec()  # the catalog the checks judge by, passed in as the engine does


def test_count_shape_and_match() -> None:
    assert count.count_value(
        SPEC, "COUNT-SHAPE-001", exchange({"data": {"count": 3}}, path="/models/count")
    ) == (3, [])
    number, found = count.count_value(SPEC, "COUNT-SHAPE-001", exchange({"count": 3}))
    assert number is None
    assert found
    assert count.count_value(SPEC, "COUNT-SHAPE-001", exchange({"data": {"count": "3"}}))[1]
    ex = exchange({"data": {"count": 4}})
    assert count.count_matches("COUNT-MATCH-001", ex, 4, ex, 4) == []
    assert count.count_matches("COUNT-MATCH-001", ex, 5, ex, 4)[0].observed == "5"


def test_unknown_count_follows_the_list() -> None:
    refused = exchange({"error": {"code": 400, "message": "x"}}, status=400)
    assert count.unknown_count_answer(SPEC, refused, refused, None) == []
    counted = exchange({"data": {"count": 0}})
    assert count.unknown_count_answer(SPEC, counted, exchange({"data": []}), 0) == []
    assert count.unknown_count_answer(SPEC, counted, refused, None)
    crashed = exchange({}, status=500)
    assert (
        count.unknown_count_answer(SPEC, crashed, refused, None)[0].requirement
        == "COUNT-UNKNOWN-001"
    )


def test_lookup_matches_the_list_entry_and_may_add_keys() -> None:
    listed = model("a/b")
    answer = exchange({"data": {**listed, "extra": 1}}, path="/model/a/b")
    found, problems = lookup.looked_up(SPEC, "LOOKUP-SHAPE-001", answer)
    assert problems == []
    assert found is not None
    assert lookup.matches_listing("LOOKUP-MATCH-001", answer, found, listed) == []
    changed = {**listed, "pricing": {"prompt": "1", "completion": "1"}}
    assert (
        lookup.matches_listing("LOOKUP-MATCH-001", answer, changed, listed)[0].pointer
        == "/data/pricing"
    )
    assert lookup.looked_up(SPEC, "LOOKUP-SHAPE-001", exchange(listed))[1]


def test_aliases_may_redirect_to_the_canonical_lookup() -> None:
    url = "http://gateway.test/v1/model/a/b.1"
    statuses = frozenset({301, 302, 307, 308})
    assert lookup.alias_redirect(exchange({}, status=200), "a/b.1", url, statuses) == []
    moved = exchange({}, status=308, headers={"location": "/v1/model/a/b.1"})
    assert lookup.alias_redirect(moved, "a/b.1", url, statuses) == []
    elsewhere = exchange({}, status=302, headers={"location": "/v1/model/x/y"})
    assert lookup.alias_redirect(elsewhere, "a/b.1", url, statuses)
    missing = exchange({"error": {"code": 404, "message": "x"}}, status=404)
    assert lookup.alias_redirect(missing, "a/b.1", url, statuses)


def test_lookups_that_must_not_find_judge_the_status_only() -> None:
    """A text 404 is MODELS-ERROR-001's finding, so it fails that requirement once rather
    than every lookup requirement that asks for a 404 as well."""
    json_404 = exchange({"error": {"code": 404, "message": "x"}}, status=404)
    text_404 = exchange(raw=b"no such model", status=404, headers={"content-type": "text/plain"})
    for requirement in ("LOOKUP-404-001", "LOOKUP-FREE-001", "VIS-LOOKUP-001"):
        assert lookup.not_found(requirement, json_404) == []
        assert lookup.not_found(requirement, text_404) == []
        found = lookup.not_found(requirement, exchange({"data": model("a/b")}))
        assert [f.requirement for f in found] == [requirement]
