"""The reference catalog is generated, so these tests pin the generator rather than the data.

They rebuild from the real snapshot (kept outside the repository, next to it) and compare with
the committed file, so the catalog cannot drift from scripts/build_catalog.py, and they check
that no prose from the snapshot leaks into what the project ships.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.snapshots import ALL_2026_08, REPO, SHARED_DATA, missing_reason

SCRIPT = REPO / "scripts" / "build_catalog.py"
COMMITTED = REPO / "reference_server" / "data" / "catalog.json"
SNAPSHOT = SHARED_DATA / ALL_2026_08

pytestmark = pytest.mark.skipif(
    not SNAPSHOT.is_file(),
    reason=missing_reason(ALL_2026_08),
)


def load_script() -> ModuleType:
    # scripts/ is not a package, so import the file by path.
    spec = importlib.util.spec_from_file_location("build_catalog", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_catalog", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("catalog") / "catalog.json"
    assert load_script().main(["--snapshot", str(SNAPSHOT), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def catalog(built: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(built.read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def snapshot_models() -> list[dict[str, Any]]:
    models: list[dict[str, Any]] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["data"]
    return models


def listed_ids(catalog: dict[str, Any]) -> list[str]:
    return [m["id"] for m in catalog["models"]]


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.json"
    load_script().main(["--snapshot", str(SNAPSHOT), "--out", str(again)])
    assert again.read_bytes() == built.read_bytes()


def test_committed_catalog_matches_a_fresh_build(built: Path) -> None:
    assert COMMITTED.is_file(), "run: python3 scripts/build_catalog.py"
    assert COMMITTED.read_bytes() == built.read_bytes(), (
        "reference_server/data/catalog.json is stale; run: python3 scripts/build_catalog.py"
    )


def test_envelope(catalog: dict[str, Any], snapshot_models: list[dict[str, Any]]) -> None:
    assert catalog["format"] == "arouter-reference-catalog/1"
    assert catalog["source"] == {"snapshot": SNAPSHOT.name, "models": len(snapshot_models)}
    assert set(catalog) == {"format", "source", "models", "aliases", "figures"}


def test_models_keep_snapshot_rows_and_order(
    catalog: dict[str, Any], snapshot_models: list[dict[str, Any]]
) -> None:
    ids = listed_ids(catalog)
    assert len(ids) >= 400
    assert len(ids) == len(set(ids))
    snapshot_ids = [m["id"] for m in snapshot_models]
    assert [i for i in ids if i in set(snapshot_ids)] == snapshot_ids
    created = [m["created"] for m in catalog["models"]]
    assert created == sorted(created, reverse=True)


def test_models_keep_snapshot_key_sets(
    catalog: dict[str, Any], snapshot_models: list[dict[str, Any]]
) -> None:
    source = {m["id"]: m for m in snapshot_models}
    for model in catalog["models"]:
        original = source.get(model["id"]) or source[model["id"].partition(":")[0]]
        assert list(model) == list(original), model["id"]


def test_facts_are_unchanged(
    catalog: dict[str, Any], snapshot_models: list[dict[str, Any]]
) -> None:
    source = {m["id"]: m for m in snapshot_models}
    prose = {"name", "description", "alias_target"}
    for model in catalog["models"]:
        original = source.get(model["id"])
        if original is None:
            continue
        for key, value in model.items():
            if key not in prose:
                assert value == original[key], (model["id"], key)
        if "alias_target" in model:
            assert model["alias_target"]["slug"] == original["alias_target"]["slug"]


def test_one_added_thinking_variant_follows_its_base(
    catalog: dict[str, Any], snapshot_models: list[dict[str, Any]]
) -> None:
    ids = listed_ids(catalog)
    snapshot_ids = {m["id"] for m in snapshot_models}
    added = [i for i in ids if i not in snapshot_ids]
    assert len(added) == 1
    (thinking,) = added
    base = thinking.removesuffix(":thinking")
    assert thinking.endswith(":thinking")
    assert ":" not in base
    assert ids.index(thinking) == ids.index(base) + 1
    rows = {m["id"]: m for m in catalog["models"]}
    assert rows[thinking]["canonical_slug"] == rows[base]["canonical_slug"]
    assert "reasoning" in rows[thinking]["supported_parameters"]
    assert rows[thinking]["architecture"]["output_modalities"] == ["text"]
    assert "reasoning" in rows[thinking]["description"]


def test_free_variants_cost_nothing(catalog: dict[str, Any]) -> None:
    ids = set(listed_ids(catalog))
    free = [m for m in catalog["models"] if m["id"].endswith(":free")]
    assert free
    for model in free:
        assert model["pricing"]["prompt"] == "0"
        assert model["pricing"]["completion"] == "0"
    assert any(m["id"].removesuffix(":free") in ids for m in free)


def test_routers_and_latest_pointers_stay(catalog: dict[str, Any]) -> None:
    rows = {m["id"]: m for m in catalog["models"]}
    assert rows["openrouter/auto"]["pricing"] == {"prompt": "-1", "completion": "-1"}
    pointers = [m for m in catalog["models"] if m["id"].startswith("~")]
    assert pointers
    for model in pointers:
        assert model["id"].endswith("-latest")
        target = model["alias_target"]
        assert set(target) == {"name", "slug"}
        if target["slug"] in rows:
            assert target["name"] == rows[target["slug"]]["name"]


@pytest.mark.parametrize("wanted", [("embeddings",), ("image",), ("audio", "speech")])
def test_non_text_outputs_present(catalog: dict[str, Any], wanted: tuple[str, ...]) -> None:
    outputs = [set(m["architecture"]["output_modalities"]) for m in catalog["models"]]
    assert any(set(wanted) & produced for produced in outputs), wanted


def test_aliases_are_valid(catalog: dict[str, Any]) -> None:
    ids = set(listed_ids(catalog))
    aliases: dict[str, str] = catalog["aliases"]
    assert 0 < len(aliases) <= 12
    for alias, target in aliases.items():
        assert alias not in ids
        assert target in ids
        assert ":" not in target
        assert not target.startswith("~")
        assert "." in target
        assert alias == target.replace(".", "-")
    assert len({target.split("/")[0] for target in aliases.values()}) > 1


def test_figures_cover_every_listed_id(catalog: dict[str, Any]) -> None:
    figures: dict[str, dict[str, Any]] = catalog["figures"]
    assert list(figures) == listed_ids(catalog)
    for values in figures.values():
        assert set(values) == {"throughput", "latency", "weekly_tokens"}
        if values["throughput"] is not None:
            assert 5 <= values["throughput"] <= 400
        if values["latency"] is not None:
            assert 0.1 <= values["latency"] <= 8.0
            assert round(values["latency"], 3) == values["latency"]
        if values["weekly_tokens"] is not None:
            assert isinstance(values["weekly_tokens"], int)
            assert 0 <= values["weekly_tokens"] <= 5 * 10**11


def test_some_figures_are_null(catalog: dict[str, Any]) -> None:
    figures: dict[str, dict[str, Any]] = catalog["figures"]
    total = len(figures)
    for dimension in ("throughput", "latency", "weekly_tokens"):
        nulls = sum(1 for f in figures.values() if f[dimension] is None)
        assert 0.05 * total < nulls < 0.30 * total, (dimension, nulls)


def test_routers_have_no_figures(catalog: dict[str, Any]) -> None:
    for model in catalog["models"]:
        if model["pricing"]["prompt"] == "-1":
            assert set(catalog["figures"][model["id"]].values()) == {None}


def test_text_models_differ_in_throughput(catalog: dict[str, Any]) -> None:
    values = {
        catalog["figures"][m["id"]]["throughput"]
        for m in catalog["models"]
        if m["architecture"]["output_modalities"] == ["text"]
    } - {None}
    assert len(values) >= 3


def test_no_snapshot_name_or_description_is_kept(
    catalog: dict[str, Any], snapshot_models: list[dict[str, Any]]
) -> None:
    source = {m["id"]: m for m in snapshot_models}
    for model in catalog["models"]:
        original = source.get(model["id"])
        if original is None:
            continue
        assert model["name"] != original["name"], model["id"]
        assert model["description"] != original["description"], model["id"]


def test_no_snapshot_sentence_appears_anywhere(
    built: Path, catalog: dict[str, Any], snapshot_models: list[dict[str, Any]]
) -> None:
    raw = built.read_text(encoding="utf-8")
    decoded = "\n".join(strings(catalog))
    sentences = {
        sentence.strip()
        for model in snapshot_models
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", model.get("description") or "")
        if len(sentence.strip()) > 40
    }
    assert sentences
    leaked = sorted(s for s in sentences if s in raw or s in decoded)
    assert not leaked, leaked[:5]


def test_snapshot_names_do_not_appear_in_alias_targets(
    catalog: dict[str, Any], snapshot_models: list[dict[str, Any]]
) -> None:
    snapshot_names = {m["name"] for m in snapshot_models}
    snapshot_names |= {m["alias_target"]["name"] for m in snapshot_models if m.get("alias_target")}
    for model in catalog["models"]:
        if "alias_target" in model:
            assert model["alias_target"]["name"] not in snapshot_names
