"""Providers checks (ruling R20), on hand-made answers."""

from __future__ import annotations

from typing import Any

import pytest

from arouter_conformance.checks import providers
from arouter_conformance.findings import ledger
from arouter_conformance.spec import load_spec
from tests.factories import exchange

SPEC = load_spec()


def provider(slug: str, **overrides: Any) -> dict[str, Any]:
    return {"name": slug.title(), "slug": slug, "privacy_policy_url": None, **overrides}


def answer(*listed: dict[str, Any], **options: Any) -> Any:
    return exchange({"data": list(listed)}, path="/providers", **options)


def test_providers_with_their_keys_are_read() -> None:
    full = provider(
        "b",
        privacy_policy_url="https://b.example/privacy",
        terms_of_service_url=None,
        status_page_url="https://status.b.example",
        headquarters="US",
        datacenters=["US", "DE"],
        extra=1,
    )
    listed, found = providers.providers_of(SPEC, "PROVIDERS-SHAPE-001", answer(provider("a"), full))
    assert found == []
    assert [p["slug"] for p in listed or []] == ["a", "b"]


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"a": provider("a")}},
        {"data": [{"name": "A", "slug": "a"}]},
        {"data": [{**provider("a"), "slug": 1}]},
        {"data": [provider("a", datacenters=[1])]},
        {"providers": []},
    ],
)
def test_providers_without_their_shape_are_findings(body: Any) -> None:
    listed, found = providers.providers_of(
        SPEC, "PROVIDERS-UNIQUE-001", exchange(body, path="/providers")
    )
    assert listed is None
    assert {f.requirement for f in found} == {"PROVIDERS-UNIQUE-001"}


def test_reading_the_list_judges_its_shape_not_the_reader() -> None:
    """One provider leaves PROVIDERS-UNIQUE-001 not applicable, though the list was read."""
    with ledger() as book:
        providers.providers_of(SPEC, "PROVIDERS-UNIQUE-001", answer(provider("a")))
    assert book.judged == {"PROVIDERS-SHAPE-001"}


def test_a_refusal_or_text_is_no_list_of_providers() -> None:
    refused = exchange({"error": {"code": 404, "message": "x"}}, status=404, path="/providers")
    assert providers.providers_of(SPEC, "PROVIDERS-SHAPE-001", refused)[1]
    text = answer(provider("a"), headers={"content-type": "text/plain"})
    assert providers.providers_of(SPEC, "PROVIDERS-SHAPE-001", text)[1]


def test_slugs_are_unique() -> None:
    listed = [provider("a"), provider("b")]
    with ledger() as book:
        assert providers.unique_slugs(answer(*listed), listed) == []
    assert book.judged == {"PROVIDERS-UNIQUE-001"}
    twice = [provider("a"), provider("b"), provider("a", name="Another A")]
    found = providers.unique_slugs(answer(*twice), twice)
    assert [(f.requirement, f.observed) for f in found] == [("PROVIDERS-UNIQUE-001", "a x2")]


@pytest.mark.parametrize("count", [0, 1])
def test_fewer_than_two_providers_leave_unique_slugs_not_applicable(count: int) -> None:
    listed = [provider("a")][:count]
    with ledger() as book:
        assert providers.unique_slugs(answer(*listed), listed) == []
    assert book.judged == set()
    assert book.unjudgeable == {}
    assert "PROVIDERS-UNIQUE-001" in book.inapplicable
