"""synthetic.py: any size, the same document every time, valid, with every feature."""

from __future__ import annotations

from decimal import Decimal

import pytest

from arouter_conformance.spec import Spec
from reference_server import Catalog, create_app
from reference_server.synthetic import synthetic_document
from tests.reference_server.conftest import DEMO, AsgiClient


@pytest.mark.parametrize("size", [1, 2, 3, 9, 10, 11, 57])
def test_a_size_gives_exactly_that_many_models(size: int) -> None:
    catalog = Catalog.synthetic(size)
    assert len(catalog.models) == size


def test_the_same_size_gives_the_same_document() -> None:
    assert synthetic_document(37) == synthetic_document(37)
    assert synthetic_document(37)["models"] == synthetic_document(40)["models"][:37]


def test_sizes_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        synthetic_document(0)


def test_rows_are_valid_for_the_contract_and_the_sdk(spec: Spec) -> None:
    models = synthetic_document(120)["models"]
    for schema in ("Model.json", "SdkModel.json"):
        validator = spec.validator(schema)
        assert [m["id"] for m in models if not validator.is_valid(m)] == [], schema


def test_every_feature_of_the_real_catalog_is_there() -> None:
    catalog = Catalog.synthetic(200)
    ids = set(catalog.by_id)
    free = [m for m in catalog.models if m["id"].endswith(":free")]
    assert free
    assert all(m["id"].removesuffix(":free") in ids for m in free)
    assert all(
        Decimal(m["pricing"]["prompt"]) == Decimal(m["pricing"]["completion"]) == 0 for m in free
    )
    thinking = [i for i in ids if i.endswith(":thinking")]
    assert thinking
    assert all(
        "reasoning" in catalog.by_id[i.removesuffix(":thinking")]["supported_parameters"]
        for i in thinking
    )
    routers = [m for m in catalog.models if m["pricing"]["prompt"] == "-1"]
    assert routers
    assert all(catalog.figures[m["id"]].throughput is None for m in routers)
    assert any(i.startswith("~") for i in ids)
    assert catalog.aliases
    assert {"text", "image", "audio", "embeddings"} <= catalog.output_modalities
    assert {"openai", "anthropic"} <= set(catalog.by_author)
    for dimension in ("throughput", "latency", "weekly_tokens"):
        assert any(getattr(f, dimension) is None for f in catalog.figures.values())
    created = [m["created"] for m in catalog.models]
    assert created == sorted(created, reverse=True)


def test_a_synthetic_catalog_is_served_like_the_bundled_one() -> None:
    client = AsgiClient(create_app(Catalog.synthetic(30)))
    listed = client.get("/v1/models", headers=DEMO, params={"output_modalities": "all"}).json()
    assert listed["total_count"] == 30
    count = client.get("/v1/models/count", headers=DEMO).json()["data"]["count"]
    assert count == len(client.get("/v1/models", headers=DEMO).json()["data"])
