"""The target's claims: which profiles it answers for and the choices the contract leaves
to it (listing auth, aliases, the several-parameters rule, the automatic-routing id), and
what it takes to reach it (extra headers, a model to chat with).

Read from YAML and validated by `manifest.schema.json`; every error names the key at
fault, because the person reading it is configuring a CI job, not debugging the kit.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from arouter_conformance.errors import ConfigError
from arouter_conformance.yamlfile import read_yaml

__all__ = [
    "FromEnv",
    "Manifest",
    "ManifestError",
    "Restricted",
    "load_manifest",
    "parse_manifest",
]

_SCHEMA = json.loads((Path(__file__).parent / "manifest.schema.json").read_text("utf-8"))


class ManifestError(ConfigError):
    """The manifest cannot be used; the message names the key."""


@dataclass(frozen=True)
class Restricted:
    providers: tuple[str, ...]
    api_key_env: str | None = None  # None for the embedded server, whose key the kit knows


@dataclass(frozen=True)
class FromEnv:
    """A header value the file only names: it lives in this environment variable."""

    env: str


@dataclass(frozen=True)
class Manifest:
    target_url: str | None = None
    api_key_env: str | None = None
    listing_requires_auth: bool | None = None
    profiles: tuple[str, ...] | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)
    supported_parameters_match: Literal["all", "any"] | None = None
    auto_model: str | None = None
    restricted: Restricted | None = None
    headers: Mapping[str, str | FromEnv] = field(default_factory=dict)
    chat_model: str | None = None


def load_manifest(path: Path, known_profiles: Sequence[str]) -> Manifest:
    try:
        document = read_yaml(path, "manifest", ManifestError)
    except FileNotFoundError:
        raise ManifestError(f"cannot read manifest {path}: No such file or directory") from None
    return parse_manifest(document, known_profiles)


def parse_manifest(document: Any, known_profiles: Sequence[str]) -> Manifest:
    if not isinstance(document, dict):
        raise ManifestError("the manifest must be a mapping of keys to values")
    error = next(iter(Draft202012Validator(_SCHEMA).iter_errors(document)), None)
    if error is not None:
        raise ManifestError(_describe(error))
    unknown = [p for p in document.get("profiles", ()) if p not in known_profiles]
    if unknown:
        raise ManifestError(
            f"manifest key 'profiles': unknown profile {unknown[0]!r} "
            f"(known: {', '.join(known_profiles)})"
        )
    restricted = document.get("restricted")
    return Manifest(
        target_url=document["target_url"],
        api_key_env=document.get("api_key_env"),
        listing_requires_auth=document.get("listing_requires_auth"),
        profiles=tuple(document["profiles"]) if "profiles" in document else None,
        aliases=dict(document.get("aliases", {})),
        supported_parameters_match=document.get("supported_parameters_match"),
        auto_model=document.get("auto_model"),
        restricted=(
            Restricted(tuple(restricted["providers"]), restricted["api_key_env"])
            if restricted
            else None
        ),
        headers={
            name: FromEnv(value["env"]) if isinstance(value, dict) else value
            for name, value in document.get("headers", {}).items()
        },
        chat_model=document.get("chat_model"),
    )


def _describe(error: ValidationError) -> str:
    key = ".".join(str(part) for part in error.absolute_path)
    instance: Any = error.instance
    schema: Any = error.schema
    validator_value: Any = error.validator_value
    if error.validator == "additionalProperties":
        extra = sorted(set(instance) - set(schema.get("properties", {})))
        name = f"{key}.{extra[0]}" if key else extra[0]
        return f"manifest key {name!r} is not a known key"
    if error.validator == "required":
        missing = next(k for k in validator_value if k not in instance)
        name = f"{key}.{missing}" if key else missing
        return f"manifest key {name!r} is required"
    return f"manifest key {key!r}: {_plain(error)}"


def _plain(error: ValidationError) -> str:
    validator_value: Any = error.validator_value
    schema: Any = error.schema
    keyword = str(error.validator)
    if keyword == "type":
        expected = f"expected {validator_value}"
    elif keyword == "enum":
        expected = f"expected one of {', '.join(map(str, validator_value))}"
    elif keyword in {"pattern", "anyOf"}:
        # What these stand for is said once, in the schema's description.
        expected = f"expected {schema['description']}"
    elif keyword in {"minLength", "minItems"}:
        expected = "must not be empty"
    elif keyword == "uniqueItems":
        expected = "must not repeat a value"
    else:
        expected = error.message
    return f"{expected}, got {json.dumps(error.instance)[:80]}"
