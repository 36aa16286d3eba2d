"""The contract files are valid, complete and consistent, and spec.py reads them faithfully."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from arouter_conformance.spec import Spec, SpecError, default_spec_dir, load_spec

SPEC_DIR = default_spec_dir()


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for item in node for ref in _refs(item)]
    return []


def test_openapi_document_is_valid() -> None:
    document, base_uri = read_from_filename(str(SPEC_DIR / "openapi.yaml"))
    validate(document, base_uri=base_uri)


def test_bundled_openapi_document_is_valid_and_self_contained(spec: Spec) -> None:
    bundled = spec.bundled_openapi()
    validate(bundled)
    assert all(ref.startswith("#/") for ref in _refs(bundled))


@pytest.mark.parametrize("name", sorted(p.name for p in (SPEC_DIR / "schemas").glob("*.json")))
def test_schema_is_valid_2020_12(name: str, spec: Spec) -> None:
    schema = spec.schemas[name]
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


def test_every_ref_resolves_offline(spec: Spec) -> None:
    """referencing resolves each $ref through the registry alone: no file or network access."""
    for schema in spec.schemas.values():
        resolver = spec.registry.resolver(base_uri=schema["$id"])
        for ref in _refs(schema):
            resolver.lookup(ref)


def test_openapi_refs_name_existing_schema_files(spec: Spec) -> None:
    for ref in _refs(spec.openapi):
        if ref.startswith("schemas/"):
            assert ref.removeprefix("schemas/").partition("#")[0] in spec.schemas, ref


def test_catalog_entries_are_complete_and_unique(spec: Spec) -> None:
    raw = yaml.safe_load((SPEC_DIR / "requirements.yaml").read_text(encoding="utf-8"))
    ids = [entry["id"] for entry in raw["requirements"]]
    assert len(ids) == len(set(ids))
    for requirement in spec.requirements.values():
        assert requirement.id
        assert requirement.level in {"MUST", "SHOULD", "MAY"}
        assert requirement.profile in spec.profiles
        assert requirement.statement.endswith(".")
        assert requirement.source
        for ref in requirement.source:
            source = spec.sources[ref.doc]
            assert source.file or (source.package and source.version)


def test_every_profile_has_requirements_and_every_ruling_is_cited(spec: Spec) -> None:
    assert set(spec.profiles) == {
        "models",
        "openai-list",
        "sort",
        "count",
        "lookup",
        "visibility",
        "chat",
        "openrouter-sdk",
        "endpoints",
        "user-models",
        "providers",
        "pagination",
        "list-filters",
    }
    assert {n for n, p in spec.profiles.items() if p.optional} == {
        "endpoints",
        "user-models",
        "providers",
        "pagination",
        "list-filters",
    }
    for profile in spec.profiles:
        assert any(r.profile == profile for r in spec.requirements.values()), profile
    cited = {ruling for r in spec.requirements.values() for ruling in r.ruling}
    assert cited == set(spec.rulings)


def test_seed_sources_exist_when_the_seeds_are_at_hand(spec: Spec) -> None:
    """Seeds live in shared/seeds, OpenRouter's OpenAPI document in shared/reference."""
    shared = SPEC_DIR.parent.parent / "shared"
    if not (shared / "seeds").is_dir():
        pytest.skip(f"seed documents not found under {shared / 'seeds'}")
    for source in spec.sources.values():
        if source.file:
            assert any((shared / d / source.file).is_file() for d in ("seeds", "reference"))


def test_schema_bindings_point_into_their_schema(spec: Spec) -> None:
    """A binding's pointer names a property path its schema declares (through $refs)."""
    for requirement in spec.requirements.values():
        if requirement.schema is None:
            continue
        resolver = spec.registry.resolver(base_uri=spec.schemas[requirement.schema.file]["$id"])
        node = spec.schemas[requirement.schema.file]
        for part in requirement.schema.path:
            while "$ref" in node:
                resolved = resolver.lookup(node["$ref"])
                resolver, node = resolved.resolver, resolved.contents
            assert part in node.get("properties", {}), (requirement.id, part)
            node = node["properties"][part]


def test_schema_bindings_are_ordered_most_specific_first(spec: Spec) -> None:
    bound = spec.schema_bindings("Model.json")
    depths = [len(r.schema.path) for r in bound if r.schema]
    assert depths == sorted(depths, reverse=True)
    assert bound[-1].id == "MODELS-MODEL-001"


def test_contract_vocabulary_comes_from_the_openapi_document(spec: Spec) -> None:
    contract = spec.contract
    assert contract.default_output_modality == "text"
    assert contract.all_output_modalities == "all"
    assert len(contract.sort_values) == 8
    assert "newest" in contract.sort_values
    assert contract.variant_suffixes == ("nitro", "floor", "free", "thinking")
    assert "stop" in contract.finish_reasons
    assert "length" in contract.finish_reasons
    assert contract.redirect_statuses == {301, 302, 307, 308}


def test_load_spec_is_parsed_once() -> None:
    assert load_spec() is load_spec()


def test_validator_names_unknown_schema_files(spec: Spec) -> None:
    with pytest.raises(SpecError, match="no schema file"):
        spec.validator("Nope.json")


def _broken_copy(tmp_path: Path, edit: Any) -> Path:
    target = tmp_path / "spec"
    shutil.copytree(SPEC_DIR, target)
    catalog = yaml.safe_load((target / "requirements.yaml").read_text(encoding="utf-8"))
    edit(catalog)
    (target / "requirements.yaml").write_text(yaml.safe_dump(catalog), encoding="utf-8")
    return target


def _needs_each_other(catalog: Any, first: str, second: str) -> None:
    entries = {entry["id"]: entry for entry in catalog["requirements"]}
    entries[first]["needs"] = [second]
    entries[second]["needs"] = [first]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda c: c["requirements"].append(dict(c["requirements"][0])), "duplicate id"),
        (lambda c: c["requirements"][0].update(profile="nope"), "unknown profile"),
        (lambda c: c["requirements"][0].update(ruling=["R99"]), "unknown ruling"),
        (lambda c: c["requirements"][0]["source"][0].update(doc="999"), "unknown source"),
        (lambda c: c["requirements"][0].update(level="MIGHT"), "level"),
        (lambda c: c["requirements"][0].pop("statement"), "statement"),
        (lambda c: c["requirements"][0].update(id="lower-case"), "/id"),
        (
            lambda c: c["requirements"][0].update(schema={"file": "Nope.json", "at": ""}),
            "no schema file",
        ),
        (lambda c: c["requirements"][0].update(needs=["NOPE-NOPE-001"]), "needs unknown"),
        (lambda c: c["requirements"][0].update(needs=["MODELS-MODEL-002"]), "not a MUST"),
        (lambda c: _needs_each_other(c, "MODELS-LIST-001", "MODELS-ID-001"), "cycle"),
    ],
)
def test_broken_catalogs_are_refused_with_the_place_named(
    tmp_path: Path, edit: Any, message: str
) -> None:
    with pytest.raises(SpecError, match=message):
        Spec(_broken_copy(tmp_path, edit))


def test_schema_with_a_wrong_id_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "spec"
    shutil.copytree(SPEC_DIR, target)
    path = target / "schemas" / "Usage.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    document["$id"] = "https://elsewhere.example/Usage.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(SpecError, match=r"\$id"):
        Spec(target)


def test_the_list_requirement_is_named_by_the_catalog(spec: Spec) -> None:
    """The run fetches the list of all models under the requirement the catalog binds to
    ModelList.json at its root; no code names it."""
    assert spec.list_requirement == "MODELS-LIST-001"
