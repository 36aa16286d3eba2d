"""The manifest: claims read from YAML; every error names its key."""

from __future__ import annotations

from pathlib import Path

import pytest

from arouter_conformance.manifest import FromEnv, ManifestError, load_manifest, parse_manifest

PROFILES = ["models", "sort", "chat", "visibility"]
FULL = """
target_url: http://127.0.0.1:8080/api/v1
api_key_env: MY_GATEWAY_KEY
listing_requires_auth: true
profiles: [models, sort]
aliases: {anthropic/claude-3-5-sonnet: anthropic/claude-3.5-sonnet}
supported_parameters_match: any
auto_model: openrouter/auto
restricted: {api_key_env: MY_RESTRICTED_KEY, providers: [openai, anthropic]}
headers: {X-Portkey-Provider: {env: PORTKEY_PROVIDER}, X-Team: blue}
chat_model: openai/gpt-4o-mini
"""


def test_every_documented_key_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(FULL)
    manifest = load_manifest(path, PROFILES)
    assert manifest.target_url == "http://127.0.0.1:8080/api/v1"
    assert manifest.profiles == ("models", "sort")
    assert manifest.aliases == {"anthropic/claude-3-5-sonnet": "anthropic/claude-3.5-sonnet"}
    assert manifest.supported_parameters_match == "any"
    assert manifest.restricted is not None
    assert manifest.restricted.providers == ("openai", "anthropic")
    assert manifest.restricted.api_key_env == "MY_RESTRICTED_KEY"
    assert manifest.headers == {"X-Portkey-Provider": FromEnv("PORTKEY_PROVIDER"), "X-Team": "blue"}
    assert manifest.chat_model == "openai/gpt-4o-mini"


def test_only_target_url_is_required() -> None:
    manifest = parse_manifest({"target_url": "http://h/v1"}, PROFILES)
    assert manifest.profiles is None
    assert manifest.listing_requires_auth is None
    with pytest.raises(ManifestError, match="'target_url' is required"):
        parse_manifest({}, PROFILES)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"target_url": "u", "api_key": "sk-x"}, "'api_key' is not a known key"),
        (
            {"target_url": "u", "listing_requires_auth": "yes"},
            "'listing_requires_auth': expected boolean",
        ),
        ({"target_url": "u", "profiles": ["models", "nope"]}, "unknown profile 'nope'"),
        ({"target_url": "u", "supported_parameters_match": "some"}, "expected one of all, any"),
        (
            {"target_url": "u", "restricted": {"providers": ["a"]}},
            "'restricted.api_key_env' is required",
        ),
        (
            {"target_url": "u", "restricted": {"api_key_env": "K", "providers": []}},
            "'restricted.providers': must not be empty",
        ),
        ({"target_url": "u", "api_key_env": "not a name"}, "environment variable name"),
        ({"target_url": "u", "aliases": {"a/b": 3}}, "'aliases.a/b': expected string"),
        ([1, 2], "must be a mapping"),
        ({"target_url": "u", "headers": {"Bad Name": "v"}}, "'headers': expected an HTTP header"),
        ({"target_url": "u", "headers": {"X-A": 5}}, "'headers.X-A': expected a string (sent"),
        ({"target_url": "u", "headers": {"X-A": {"env": "no-no"}}}, "or {env: VARIABLE}"),
        ({"target_url": "u", "chat_model": ""}, "'chat_model': must not be empty"),
    ],
)
def test_errors_name_the_key(document: object, message: str) -> None:
    with pytest.raises(ManifestError, match=message.replace("(", r"\(")):
        parse_manifest(document, PROFILES)


def test_unreadable_and_malformed_files_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read manifest"):
        load_manifest(tmp_path / "absent.yaml", PROFILES)
    bad = tmp_path / "bad.yaml"
    bad.write_text("target_url: [unclosed\n")
    with pytest.raises(ManifestError, match="not valid YAML"):
        load_manifest(bad, PROFILES)


def test_a_key_written_twice_is_refused_not_silently_the_last(tmp_path: Path) -> None:
    path = tmp_path / "manifest.yaml"
    path.write_text(
        "target_url: http://a.test/v1\nprofiles: [models]\ntarget_url: http://b.test/v1\n",
        encoding="utf-8",
    )
    with pytest.raises(ManifestError, match=r"the key 'target_url' is written twice \(line 3\)"):
        load_manifest(path, PROFILES)
