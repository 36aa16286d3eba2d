"""catalog.py: the bundled catalog is valid and its indexes agree with a plain scan; bad
catalog files are refused with a message that says where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reference_server import Catalog, CatalogError, Figures
from reference_server.catalog import DEFAULT_PATH, author_of
from tests.reference_server.rows import document, outputs, row, write


def test_default_is_loaded_once_and_holds_the_whole_file(catalog: Catalog) -> None:
    assert Catalog.default() is catalog
    assert len(catalog.models) == len(Catalog.load(DEFAULT_PATH, validate=False).models)


def test_indexes_agree_with_a_scan(catalog: Catalog) -> None:
    def scan(values: Any) -> dict[str, frozenset[int]]:
        found: dict[str, set[int]] = {}
        for position, model in enumerate(catalog.models):
            for name in values(model):
                found.setdefault(name, set()).add(position)
        return {name: frozenset(positions) for name, positions in found.items()}

    assert catalog.by_output == scan(lambda m: m["architecture"]["output_modalities"])
    assert catalog.by_parameter == scan(lambda m: m["supported_parameters"])
    assert catalog.by_author == scan(lambda m: [m["id"].split("/")[0].lstrip("~")])
    assert catalog.by_id == {m["id"]: m for m in catalog.models}


def test_bundled_catalog_has_what_the_rulings_need(catalog: Catalog) -> None:
    ids = set(catalog.by_id)
    assert any(i.endswith(":free") and i.removesuffix(":free") in ids for i in ids)
    assert any(i.endswith(":thinking") for i in ids)
    assert any(i.startswith("~") for i in ids)
    assert any(m["pricing"]["prompt"] == "-1" for m in catalog.models)
    assert {"text", "image", "audio", "embeddings"} <= catalog.output_modalities
    assert catalog.aliases
    assert all(target in ids and alias not in ids for alias, target in catalog.aliases.items())
    for dimension in ("throughput", "latency", "weekly_tokens"):
        values = [getattr(f, dimension) for f in catalog.figures.values()]
        assert None in values
        assert len(set(values)) > 3


def test_author_is_the_id_before_the_slash_without_tilde() -> None:
    assert author_of("openai/gpt-5.4:nitro") == "openai"
    assert author_of("~anthropic/claude-latest") == "anthropic"


def test_load_round_trips_a_file(tmp_path: Path) -> None:
    doc = document(
        [row("a/one"), row("b/two", architecture=outputs("image"))],
        aliases={"a/uno": "a/one"},
        figures={"a/one": {"throughput": 5.5, "latency": None, "weekly_tokens": 7}},
    )
    loaded = Catalog.load(write(tmp_path / "c.json", doc))
    assert [m["id"] for m in loaded.models] == ["a/one", "b/two"]
    assert loaded.aliases == {"a/uno": "a/one"}
    assert loaded.figures["a/one"] == Figures(throughput=5.5, weekly_tokens=7)
    assert loaded.figures["b/two"] == Figures()
    assert loaded.output_modalities == {"text", "image"}


def test_a_saved_list_answer_is_a_catalog_of_its_rows(tmp_path: Path) -> None:
    """What `curl .../models?output_modalities=all > list.json` saves serves as it is."""
    saved = {"data": [row("a/one"), row("b/two")], "total_count": 2, "links": {"next": None}}
    loaded = Catalog.load(write(tmp_path / "list.json", saved))
    assert [m["id"] for m in loaded.models] == ["a/one", "b/two"]
    assert loaded.aliases == {}


def test_models_are_copied_so_the_caller_cannot_change_the_catalog() -> None:
    source = [row("a/one")]
    catalog = Catalog(source)
    source[0]["id"] = "changed/later"
    assert catalog.models[0]["id"] == "a/one"


BAD_DOCUMENTS: list[tuple[Any, str]] = [
    ([], "not a catalog"),
    ({"format": "other/1", "models": []}, "not a catalog"),
    ({"format": "other/1", "data": []}, "or a saved GET /models answer"),
    ({"data": {}}, "'models' must be a list of objects"),
    ({**document([]), "models": {}}, "'models' must be a list of objects"),
    ({**document([]), "models": [1]}, "'models' must be a list of objects"),
    ({**document([row("a/one")]), "aliases": ["a"]}, "'aliases' must map ids to ids"),
    ({**document([row("a/one")]), "aliases": {"a/x": 3}}, "'aliases' must map ids to ids"),
    (document([row("a/one"), row("a/one")]), "'a/one' appears twice"),
    (document([row("a/one")], aliases={"a/x": "a/none"}), "'a/none', which is not listed"),
    (document([row("a/one"), row("a/two")], aliases={"a/two": "a/one"}), "is itself a listed"),
    (document([row("a/one", pricing={"prompt": 1})]), "model 'a/one' at pricing"),
    (document([row("a/one", id="no-slash")]), "at id"),
    ({**document([row("a/one")]), "figures": []}, "'figures' must map ids to objects"),
    (document([row("a/one")], figures={"a/one": {"speed": 1}}), "must hold only throughput"),
    (document([row("a/one")], figures={"a/one": {"latency": "1"}}), "latency must be a number"),
    (document([row("a/one")], figures={"a/one": {"latency": True}}), "latency must be a number"),
]


@pytest.mark.parametrize(("doc", "message"), BAD_DOCUMENTS)
def test_bad_documents_are_refused_with_a_message_that_says_where(
    tmp_path: Path, doc: Any, message: str
) -> None:
    path = write(tmp_path / "bad.json", doc)
    with pytest.raises(CatalogError) as caught:
        Catalog.load(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


def test_a_row_without_required_keys_is_refused_even_unvalidated() -> None:
    with pytest.raises(CatalogError, match="lacks a required key"):
        Catalog.from_document(document([{"id": "a/one"}]), validate=False)


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read catalog"):
        Catalog.load(tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(CatalogError, match="is not valid JSON"):
        Catalog.load(tmp_path / "broken.json")
