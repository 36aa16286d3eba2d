"""The package's public API is what `__all__` says, and the mutation points it documents exist."""

from __future__ import annotations

import re

import reference_server
from reference_server import ChatEngine, Endpoints, Queries, create_app
from tests.reference_server.conftest import DEMO, AsgiClient

PUBLIC = {
    "DEMO_KEY",
    "RESTRICTED_KEY",
    "RESTRICTED_PROVIDERS",
    "Catalog",
    "CatalogError",
    "ChatEngine",
    "ChatRequest",
    "Completion",
    "Endpoints",
    "Figures",
    "HTTPError",
    "KeyRing",
    "KeysError",
    "ListQuery",
    "Queries",
    "ReferenceApp",
    "Visibility",
    "create_app",
    "serve_in_thread",
}


def test_all_is_the_public_api() -> None:
    assert set(reference_server.__all__) == PUBLIC
    assert all(hasattr(reference_server, name) for name in PUBLIC)


def documented_methods(owner: str) -> set[str]:
    """The backquoted names in the docstring's bullet for `owner`."""
    doc = reference_server.__doc__ or ""
    bullet = doc.split(f"- `{owner}`", 1)[1].split("\n- ", 1)[0]
    return set(re.findall(r"`([a-z_]+)`", bullet))


def test_every_documented_mutation_point_is_a_method() -> None:
    for owner, cls in (("Queries", Queries), ("ChatEngine", ChatEngine), ("Endpoints", Endpoints)):
        names = documented_methods(owner)
        assert len(names) > 10
        assert all(callable(getattr(cls, name, None)) for name in names), owner


def test_the_docstring_example_mutant_drops_one_model() -> None:
    class DropsOneModel(Queries):
        def select(self, modalities, parameters, visibility):  # type: ignore[no-untyped-def]
            return super().select(modalities, parameters, visibility)[1:]

    good = AsgiClient(create_app()).get("/v1/models", headers=DEMO).json()["data"]
    bad = AsgiClient(create_app(queries=DropsOneModel)).get("/v1/models", headers=DEMO).json()
    assert bad["data"] == good[1:]
    assert bad["total_count"] == len(good) - 1
