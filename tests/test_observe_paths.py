"""Which observed requests observe mode takes for a list, a count, a lookup or one of the
optional profiles' endpoints (never one for another), and that a page is never judged as
the whole list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from arouter_conformance.config import resolve_config
from arouter_conformance.exchange import Exchange
from arouter_conformance.observe import Observations
from arouter_conformance.observe.paths import Call, Root, api_root, classify
from arouter_conformance.spec import load_spec
from tests.factories import model

ROOT = "http://gateway.test/api/v1"
OPTIONAL = {
    "/models/user": Call("user", {}),
    "/models/user?offset=0&limit=5": Call("user", None),
    "/models/openai/gpt-4o/endpoints": Call("endpoints", {}, "openai/gpt-4o"),
    # an author called "model", and slugs called as other endpoints
    "/models/model/gpt-x/endpoints": Call("endpoints", {}, "model/gpt-x"),
    "/models/acme/count/endpoints": Call("endpoints", {}, "acme/count"),
    "/models/acme/models/endpoints": Call("endpoints", {}, "acme/models"),
    "/models/acme/user/endpoints": Call("endpoints", {}, "acme/user"),
    "/models/~acme/m%3Afree/endpoints": Call("endpoints", {}, "~acme/m:free"),
    "/providers": Call("providers", {}),
}


def get(path: str, body: Any = None, *, status: int = 200, root: str = ROOT) -> Exchange:
    return Exchange(
        method="GET",
        url=root + path,
        auth="key",
        status=status,
        headers=(("content-type", "application/json"),),
        body=json.dumps(body if body is not None else {"data": []}).encode(),
    )


def roots() -> list[Root | None]:
    return [api_root(ROOT), None]


@pytest.mark.parametrize("root", roots(), ids=["root", "no-root"])
@pytest.mark.parametrize("path", OPTIONAL)
def test_the_optional_profiles_paths_are_recognised_as_their_own(
    path: str, root: Root | None
) -> None:
    assert classify(get(path), root) == OPTIONAL[path]


@pytest.mark.parametrize("root", roots(), ids=["root", "no-root"])
def test_lookups_of_ids_that_end_as_the_optional_paths_stay_lookups(root: Root | None) -> None:
    """A lookup of acme/providers or models/user ends as /providers and /models/user do:
    it is the lookup, as the whole path under a root says."""
    for model_id in ("acme/providers", "models/user", "acme/endpoints"):
        assert classify(get(f"/model/{model_id}"), root) == Call("lookup", {}, model_id)


def test_with_a_root_only_paths_under_it_are_the_optional_endpoints() -> None:
    root = api_root(ROOT)
    for path in ("/other/providers", "/other/models/user", "/other/models/a/b/endpoints"):
        assert classify(get(path, root="http://gateway.test"), root) is None
    assert classify(get("/providers", root="http://elsewhere.test/api/v1"), root) is None
    # Under the root, only the whole path: an endpoints page one level down is none.
    assert classify(get("/x/models/a/b/endpoints"), root) is None
    assert classify(get("/x/models/a/b/endpoints"), None) == Call("endpoints", {}, "a/b")


@pytest.mark.parametrize("root", roots(), ids=["root", "no-root"])
def test_lookups_lists_and_counts_are_still_recognised(root: Root | None) -> None:
    assert classify(get("/model/model/gpt-x"), root) == Call("lookup", {}, "model/gpt-x")
    assert classify(get("/model/acme/m"), root) == Call("lookup", {}, "acme/m")
    assert classify(get("/models"), root) == Call("list", {})
    assert classify(get("/models/count"), root) == Call("count", {})


@pytest.mark.parametrize("root", roots(), ids=["root", "no-root"])
def test_a_page_is_a_list_whose_query_no_check_compares(root: Root | None) -> None:
    """offset and limit are no parameters the list checks read: the answer is judged on
    its own models, never compared with another list as if it were whole."""
    for query in ("?offset=0&limit=2", "?limit=2", "?output_modalities=all&offset=0"):
        assert classify(get("/models" + query), root) == Call("list", None)


def observed(*exchanges: Exchange) -> dict[str, str]:
    spec = load_spec()
    observations = Observations(spec, resolve_config(spec, env={}, target_url=ROOT))
    for exchange in exchanges:
        observations.add(exchange)
    return {r.requirement.id: r.status.value for r in observations.result().requirements}


def test_a_page_is_judged_for_its_models_never_as_the_whole_list() -> None:
    """Its total_count counts every page and its links.next points on: fine for a page,
    and neither the count nor a lookup is judged against it."""
    first = model("openai/gpt-4o-mini")
    page = {
        "data": [first],
        "total_count": 3,
        "links": {"next": "/api/v1/models?output_modalities=all&offset=1&limit=1"},
    }
    statuses = observed(
        get("/models?output_modalities=all&offset=0&limit=1", page),
        get("/models/count?output_modalities=all", {"data": {"count": 3}}),
        # listed on a later page: only a whole list could say it should be 404
        get("/model/anthropic/claude-3.5-haiku", {"data": model("anthropic/claude-3.5-haiku")}),
    )
    assert statuses["MODELS-MODEL-001"] == "passed"
    for unjudged in ("ORSDK-LIST-001", "ORSDK-LIST-002", "COUNT-MATCH-001", "LOOKUP-404-001"):
        assert statuses[unjudged] == "skipped", unjudged


def test_traffic_to_the_optional_profiles_endpoints_is_judged() -> None:
    spec = load_spec()
    observations = Observations(spec, resolve_config(spec, env={}, target_url=ROOT))
    for path in OPTIONAL:
        observations.add(get(path, {"data": [model("openai/gpt-4o-mini")]}))
    observations.result()
    assert observations.counts == {"observed": len(OPTIONAL), "judged": len(OPTIONAL), "chat": 0}
