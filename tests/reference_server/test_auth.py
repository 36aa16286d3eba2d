"""auth.py: who a key is, what it sees, and that no key ever appears in a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from reference_server import (
    DEMO_KEY,
    RESTRICTED_KEY,
    RESTRICTED_PROVIDERS,
    HTTPError,
    KeyRing,
    KeysError,
    Visibility,
)
from reference_server.auth import BUILT_IN, EVERYONE, KEYS_ENV, bearer_token

SECRET = "lr_live_do_not_print_me"


def test_the_built_in_keys() -> None:
    keys = KeyRing.default()
    assert keys.source == BUILT_IN
    assert keys.authenticate(DEMO_KEY.encode()) == EVERYONE
    assert keys.authenticate(RESTRICTED_KEY.encode()) == Visibility(frozenset(RESTRICTED_PROVIDERS))
    assert set(RESTRICTED_PROVIDERS) == {"openai", "anthropic"}
    assert keys.authenticate(b"lr_live_reference_dem") is None
    assert keys.authenticate(DEMO_KEY.encode() + b"x") is None


def test_visibility_allows_its_providers_only() -> None:
    assert EVERYONE.allows("anyone")
    restricted = Visibility(frozenset({"openai"}))
    assert restricted.allows("openai")
    assert not restricted.allows("google")


@pytest.mark.parametrize(
    ("header", "token"),
    [
        (None, None),
        (b"Bearer abc", b"abc"),
        (b"bearer abc", b"abc"),
        (b"BEARER   abc  ", b"abc"),
        (b"Bearer", None),
        (b"Bearer ", None),
        (b"Basic abc", None),
        (b"abc", None),
    ],
)
def test_bearer_token(header: bytes | None, token: bytes | None) -> None:
    assert bearer_token(header) == token


def test_identify_needs_a_key_where_required() -> None:
    keys = KeyRing.default()
    assert keys.identify(b"Bearer " + DEMO_KEY.encode(), required=True) == EVERYONE
    assert keys.identify(None, required=False) == EVERYONE
    for header in (None, b"Bearer wrong", b"Basic xyz"):
        with pytest.raises(HTTPError) as caught:
            keys.identify(header, required=True)
        assert caught.value.status == 401
        assert (b"www-authenticate", b"Bearer") in caught.value.headers


@pytest.mark.parametrize("header", [b"Bearer wrong", b"Basic xyz", b"Bearer"])
def test_a_wrong_key_is_refused_even_where_none_is_required(header: bytes) -> None:
    with pytest.raises(HTTPError) as caught:
        KeyRing.default().identify(header, required=False)
    assert caught.value.status == 401


def test_a_yaml_document_maps_keys_to_providers() -> None:
    keys = KeyRing.from_yaml(
        f"keys:\n  - key: {SECRET}\n    providers: all\n"
        "  - key: other_key\n    providers: [google]\n",
        source="test",
    )
    assert len(keys) == 2
    assert keys.authenticate(SECRET.encode()) == EVERYONE
    assert keys.authenticate(b"other_key") == Visibility(frozenset({"google"}))
    assert keys.authenticate(DEMO_KEY.encode()) is None
    assert SECRET not in repr(keys)


BAD_KEYS = [
    ("[]", "non-empty 'keys' list"),
    ("keys: []", "non-empty 'keys' list"),
    ("keys: [3]", "keys[0] must be a mapping"),
    ("keys: [{providers: all}]", "keys[0].key must be printable ASCII"),
    (f"keys: [{{key: '{SECRET} x', providers: all}}]", "keys[0].key must be printable ASCII"),
    ("keys: [{key: 5, providers: all}]", "keys[0].key must be printable ASCII"),
    (f"keys: [{{key: {SECRET}}}]", "keys[0].providers must be 'all'"),
    (f"keys: [{{key: {SECRET}, providers: []}}]", "keys[0].providers must be 'all'"),
    (f"keys: [{{key: {SECRET}, providers: openai}}]", "keys[0].providers must be 'all'"),
    (
        f"keys: [{{key: {SECRET}, providers: all}}, {{key: {SECRET}, providers: all}}]",
        "keys[1] repeats an earlier key",
    ),
    (f"keys: [{{key: {SECRET}: x, providers: all}}]", "is not valid YAML at line 1, column"),
]


@pytest.mark.parametrize(("text", "message"), BAD_KEYS)
def test_bad_keys_documents_are_refused_without_quoting_a_key(text: str, message: str) -> None:
    with pytest.raises(KeysError) as caught:
        KeyRing.from_yaml(text, source="keys.yaml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("keys.yaml")
    assert SECRET not in str(caught.value)


def test_keys_files_are_read_or_refused(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text(f"keys:\n  - key: {SECRET}\n    providers: [openai]\n", encoding="utf-8")
    assert KeyRing.load(path).source == str(path)
    with pytest.raises(KeysError, match="cannot read keys file"):
        KeyRing.load(tmp_path / "missing.yaml")
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(KeysError, match="not UTF-8 text"):
        KeyRing.load(path)


def test_configured_keys_come_from_the_file_then_the_environment_then_the_defaults(
    tmp_path: Path,
) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text("keys: [{key: from_file, providers: all}]", encoding="utf-8")
    environ = {KEYS_ENV: "keys: [{key: from_env, providers: all}]"}
    assert KeyRing.configured(path, environ).authenticate(b"from_file") == EVERYONE
    from_env = KeyRing.configured(None, environ)
    assert from_env.authenticate(b"from_env") == EVERYONE
    assert from_env.source == f"${KEYS_ENV}"
    assert KeyRing.configured(None, {}).source == BUILT_IN
    assert KeyRing.configured(None, {KEYS_ENV: ""}).source == BUILT_IN
