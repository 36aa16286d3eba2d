"""The contract in `spec/`, loaded once and shared by everything else.

The reference server, the checks and the reports all read the rules from here, so
there is exactly one copy of each: the requirement catalog, the JSON Schemas (one
`referencing.Registry`, resolved offline through their `$id`s), the OpenAPI
document, and the vocabulary (`x-contract`) that code would otherwise hard-code.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from arouter_conformance.errors import KitError

__all__ = [
    "Contract",
    "Level",
    "Profile",
    "Requirement",
    "Ruling",
    "SchemaBinding",
    "Source",
    "SourceRef",
    "Spec",
    "SpecError",
    "default_spec_dir",
    "load_spec",
]

Level = Literal["MUST", "SHOULD", "MAY"]
SCHEMA_BASE = "https://arouter-conformance.dev/spec/schemas/"


class SpecError(KitError):
    """The files under spec/ are missing, malformed or contradict each other."""


@dataclass(frozen=True)
class SourceRef:
    doc: str
    section: str

    def __str__(self) -> str:
        return f"{self.doc} {self.section}"


@dataclass(frozen=True)
class SchemaBinding:
    """Errors found validating `file` whose instance path starts at `at` belong here."""

    file: str
    at: str

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(part for part in self.at.split("/") if part)


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    profile: str
    statement: str
    source: tuple[SourceRef, ...]
    ruling: tuple[str, ...] = ()
    schema: SchemaBinding | None = None
    # Requirements whose failure leaves this one unjudgeable (it ends blocked by them).
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    description: str
    # Beyond the seeds: claimed only when named (or by the embedded run, which serves all).
    optional: bool = False


@dataclass(frozen=True)
class Ruling:
    id: str
    title: str
    decision: str


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    file: str | None = None
    package: str | None = None
    version: str | None = None
    differences: str | None = None


@dataclass(frozen=True)
class Contract:
    """The contract's vocabulary, from `x-contract` and the parameter schemas of openapi.yaml."""

    default_output_modality: str
    all_output_modalities: str
    documented_output_modalities: tuple[str, ...]
    documented_input_modalities: tuple[str, ...]  # the input_modalities parameter's items
    documented_parameters: tuple[str, ...]
    variant_suffixes: tuple[str, ...]
    auto_model: str
    pricing_sort_keys: tuple[str, ...]
    router_price_sentinel: str
    redirect_statuses: frozenset[int]
    sort_values: tuple[str, ...]
    finish_reasons: tuple[str, ...]
    quantizations: tuple[str, ...]
    endpoint_statuses: frozenset[int]
    endpoint_price_keys: tuple[str, ...]
    page_limit_default: int  # ruling R21, from the limit parameter's schema
    page_limit_max: int


class Spec:
    """Everything under spec/, parsed and cross-checked."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.openapi: dict[str, Any] = _read_yaml(directory / "openapi.yaml")
        self.schemas: dict[str, dict[str, Any]] = _read_schemas(directory / "schemas")
        self.registry: Registry[Any] = Registry().with_resources(
            (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT202012))
            for doc in self.schemas.values()
        )
        catalog = _read_yaml(directory / "requirements.yaml")
        _check_catalog_shape(catalog, directory / "catalog.schema.json")
        self.version: str = catalog["version"]
        self.sources = {key: Source(key=key, **value) for key, value in catalog["sources"].items()}
        self.profiles = {
            name: Profile(name=name, **value) for name, value in catalog["profiles"].items()
        }
        self.rulings = {key: Ruling(id=key, **value) for key, value in catalog["rulings"].items()}
        self.requirements: dict[str, Requirement] = {}
        for entry in catalog["requirements"]:
            requirement = _requirement(entry)
            if requirement.id in self.requirements:
                raise SpecError(f"requirements.yaml: duplicate id {requirement.id}")
            self._check_references(requirement)
            self.requirements[requirement.id] = requirement
        self._check_needs()
        self.contract = _contract(self.openapi, self.schemas)

    def _check_references(self, requirement: Requirement) -> None:
        where = f"requirements.yaml: {requirement.id}"
        if requirement.profile not in self.profiles:
            raise SpecError(f"{where}: unknown profile {requirement.profile!r}")
        for ref in requirement.source:
            if ref.doc not in self.sources:
                raise SpecError(f"{where}: unknown source document {ref.doc!r}")
        for ruling in requirement.ruling:
            if ruling not in self.rulings:
                raise SpecError(f"{where}: unknown ruling {ruling!r}")
        if requirement.schema and requirement.schema.file not in self.schemas:
            raise SpecError(f"{where}: no schema file {requirement.schema.file!r}")

    def _check_needs(self) -> None:
        """Every `needs` names a catalogued requirement and the graph has no cycle, so a
        blocked requirement always leads back to one that failed."""
        for requirement in self.requirements.values():
            for need in requirement.needs:
                if need not in self.requirements:
                    raise SpecError(f"requirements.yaml: {requirement.id} needs unknown {need!r}")
                if self.requirements[need].level != "MUST":
                    # A SHOULD finding must never keep a MUST from being judged.
                    raise SpecError(
                        f"requirements.yaml: {requirement.id} needs {need}, which is not a MUST"
                    )
        done: set[str] = set()

        def visit(rid: str, path: tuple[str, ...]) -> None:
            if rid in path:
                raise SpecError(
                    f"requirements.yaml: needs form a cycle: {' -> '.join((*path, rid))}"
                )
            if rid in done:
                return
            for need in self.requirements[rid].needs:
                visit(need, (*path, rid))
            done.add(rid)

        for rid in self.requirements:
            visit(rid, ())

    def prerequisites(self, requirement_id: str) -> list[str]:
        """Every requirement `requirement_id` needs, directly or not, nearest first."""
        seen: list[str] = []
        queue = list(self.requirement(requirement_id).needs)
        while queue:
            rid = queue.pop(0)
            if rid not in seen:
                seen.append(rid)
                queue += self.requirements[rid].needs
        return seen

    def requirement(self, requirement_id: str) -> Requirement:
        try:
            return self.requirements[requirement_id]
        except KeyError:
            raise SpecError(f"no requirement {requirement_id!r} in the catalog") from None

    @property
    def list_requirement(self) -> str:
        """The requirement a whole list answer is judged by (ModelList.json at its root):
        the one a run needs before anything can be judged against the list of all models,
        named by the catalog rather than written into the code that fetches that list."""
        roots = [
            r.id for r in self.schema_bindings("ModelList.json") if r.schema and not r.schema.at
        ]
        if len(roots) != 1:
            raise SpecError(
                f"expected one requirement bound to ModelList.json at its root: {roots}"
            )
        return roots[0]

    def schema_bindings(self, file: str) -> list[Requirement]:
        """The requirements judged by `file`, deepest pointer first (most specific wins)."""
        bound = [r for r in self.requirements.values() if r.schema and r.schema.file == file]
        return sorted(bound, key=lambda r: -len(r.schema.path) if r.schema else 0)

    def validator(self, file: str) -> Validator:
        return _validator(self, file)

    def iter_errors(self, file: str, instance: Any) -> Iterator[ValidationError]:
        yield from self.validator(file).iter_errors(instance)

    def bundled_openapi(self) -> dict[str, Any]:
        """The OpenAPI document with every schema file inlined under components/schemas.

        Tools that resolve `$ref`s by retrieval location (schemathesis, code generators)
        would follow the schemas' `$id`s to the network; a self-contained copy keeps
        them offline and makes the document a single value that can be passed around.
        """
        document = _rewrite_refs(copy.deepcopy(self.openapi), _openapi_ref)
        components = document.setdefault("components", {}).setdefault("schemas", {})
        for file, schema in self.schemas.items():
            name = file.removesuffix(".json")
            inlined = {k: v for k, v in schema.items() if k not in {"$id", "$schema"}}
            components[name] = _rewrite_refs(inlined, functools.partial(_schema_ref, name))
        return cast(dict[str, Any], document)


@functools.cache
def _validator(spec: Spec, file: str) -> Validator:
    try:
        schema = spec.schemas[file]
    except KeyError:
        raise SpecError(f"no schema file {file!r} under {spec.directory / 'schemas'}") from None
    return cast(Validator, Draft202012Validator(schema, registry=spec.registry))


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as stream:
            # libyaml's loader reads the spec about five times faster: it is read on
            # every run, before anything is judged.
            document = yaml.load(stream, Loader=_LOADER)  # noqa: S506 - a safe loader
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise SpecError(f"{path.name} is not valid YAML: {exc}") from None
    if not isinstance(document, dict):
        raise SpecError(f"{path.name} must hold a mapping")
    return document


def _read_schemas(directory: Path) -> dict[str, dict[str, Any]]:
    schemas: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SpecError(f"cannot read schema {path.name}: {exc}") from None
        if document.get("$id") != SCHEMA_BASE + path.name:
            raise SpecError(f"{path.name}: $id must be {SCHEMA_BASE + path.name}")
        schemas[path.name] = document
    if not schemas:
        raise SpecError(f"no schemas under {directory}")
    return schemas


def _check_catalog_shape(catalog: dict[str, Any], schema_path: Path) -> None:
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    error = next(iter(Draft202012Validator(schema).iter_errors(catalog)), None)
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        raise SpecError(f"requirements.yaml at {where}: {error.message}")


def _requirement(entry: Mapping[str, Any]) -> Requirement:
    binding = entry.get("schema")
    return Requirement(
        id=entry["id"],
        level=entry["level"],
        profile=entry["profile"],
        statement=" ".join(entry["statement"].split()),
        source=tuple(SourceRef(doc=s["doc"], section=s["section"]) for s in entry["source"]),
        ruling=tuple(entry.get("ruling", ())),
        schema=SchemaBinding(**binding) if binding else None,
        needs=tuple(entry.get("needs", ())),
    )


def _contract(openapi: Mapping[str, Any], schemas: Mapping[str, Any]) -> Contract:
    try:
        vocabulary = openapi["x-contract"]
        sort_parameter = next(
            p for p in openapi["paths"]["/models"]["get"]["parameters"] if p.get("name") == "sort"
        )
        parameters = openapi["components"]["parameters"]
        limit = parameters["Limit"]["schema"]
        return Contract(
            default_output_modality=vocabulary["default-output-modality"],
            all_output_modalities=vocabulary["all-output-modalities"],
            documented_output_modalities=tuple(vocabulary["documented-output-modalities"]),
            documented_input_modalities=tuple(
                parameters["InputModalities"]["schema"]["items"]["enum"]
            ),
            documented_parameters=tuple(vocabulary["documented-parameters"]),
            variant_suffixes=tuple(vocabulary["variant-suffixes"]),
            auto_model=vocabulary["auto-model"],
            pricing_sort_keys=tuple(vocabulary["pricing-sort-keys"]),
            router_price_sentinel=vocabulary["router-price-sentinel"],
            redirect_statuses=frozenset(vocabulary["redirect-statuses"]),
            sort_values=tuple(sort_parameter["schema"]["enum"]),
            finish_reasons=tuple(schemas["FinishReason.json"]["enum"]),
            quantizations=tuple(vocabulary["quantizations"]),
            endpoint_statuses=frozenset(vocabulary["endpoint-statuses"]),
            endpoint_price_keys=tuple(vocabulary["endpoint-price-keys"]),
            page_limit_default=limit["default"],
            page_limit_max=limit["maximum"],
        )
    except (KeyError, StopIteration, TypeError) as exc:
        raise SpecError(
            "openapi.yaml: x-contract, the sort, limit or input_modalities parameter is "
            f"incomplete ({exc})"
        ) from None


def _rewrite_refs(node: Any, rewrite: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: rewrite(value) if key == "$ref" else _rewrite_refs(value, rewrite)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, rewrite) for item in node]
    return node


def _openapi_ref(ref: str) -> str:
    """`schemas/Model.json#/frag` in openapi.yaml becomes `#/components/schemas/Model/frag`."""
    if not ref.startswith("schemas/"):
        return ref
    file, _, fragment = ref.removeprefix("schemas/").partition("#")
    return f"#/components/schemas/{file.removesuffix('.json')}{fragment}"


def _schema_ref(owner: str, ref: str) -> str:
    """A ref inside schema `owner`, relative to its $id, rewritten into components."""
    file, _, fragment = ref.partition("#")
    target = file.removesuffix(".json") if file else owner
    return f"#/components/schemas/{target}{fragment}"


def default_spec_dir() -> Path:
    """spec/ inside an installed wheel, else the repository's spec/ next to the package."""
    package = Path(__file__).resolve().parent
    for candidate in (package / "_spec", package.parent / "spec"):
        if (candidate / "requirements.yaml").is_file():
            return candidate
    raise SpecError(f"cannot find the spec directory near {package}")


@functools.lru_cache(maxsize=4)
def load_spec(directory: Path | None = None) -> Spec:
    """The parsed contract; parsed once per directory for the life of the process."""
    return Spec(directory or default_spec_dir())
