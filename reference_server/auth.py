"""API keys and what each one may see (rulings R2 and R14).

A key maps to a `Visibility`: every provider, or a set of providers whose models alone it
sees. Keys are held only as SHA-256 digests and checked with `hmac.compare_digest` against
every known digest, so neither the time taken nor any stored value depends on which key
matched or how many leading bytes a guess got right. No message, log line or repr holds a
key: error messages about a keys file name the entry by position, never by value.

Keys come from a YAML document, read from a file (`--keys FILE`) or from the environment
variable REFERENCE_SERVER_KEYS holding the same text; without either, the built-in demo
keys below are used:

    keys:
      - key: lr_live_my_demo_key
        providers: all
      - key: lr_live_my_restricted_key
        providers: [openai, anthropic]
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from reference_server.errors import HTTPError

__all__ = [
    "BUILT_IN",
    "DEMO_KEY",
    "EVERYONE",
    "KEYS_ENV",
    "RESTRICTED_KEY",
    "RESTRICTED_PROVIDERS",
    "KeyRing",
    "KeysError",
    "Visibility",
    "bearer_token",
]

DEMO_KEY = "lr_live_reference_demo"
RESTRICTED_KEY = "lr_live_reference_restricted"
RESTRICTED_PROVIDERS = ("anthropic", "openai")
KEYS_ENV = "REFERENCE_SERVER_KEYS"
ALL_PROVIDERS = "all"
BUILT_IN = "the built-in demo keys"

UNAUTHORIZED_HEADERS = ((b"www-authenticate", b"Bearer"),)


@dataclass(frozen=True)
class Visibility:
    """The providers whose models a caller sees; None means every provider.

    Hashable on purpose: it is part of the cache key of every list and count answer.
    """

    providers: frozenset[str] | None = None

    def allows(self, author: str) -> bool:
        return self.providers is None or author in self.providers


EVERYONE = Visibility()


class KeysError(Exception):
    """A keys document that cannot be read or breaks the format (never quotes a key)."""


def _digest(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()


class KeyRing:
    """The known keys, as digests, each with the visibility it grants."""

    def __init__(self, keys: Mapping[str, Visibility], *, source: str = "given") -> None:
        self._entries = tuple((_digest(key.encode()), seen) for key, seen in keys.items())
        self.source = source  # where the keys came from, for start-up messages

    def __repr__(self) -> str:
        return f"KeyRing({len(self._entries)} keys from {self.source})"

    def __len__(self) -> int:
        return len(self._entries)

    def authenticate(self, token: bytes) -> Visibility | None:
        """The visibility of `token`, or None; compares against every key, always."""
        presented = _digest(token)
        found: Visibility | None = None
        for digest, visibility in self._entries:
            if hmac.compare_digest(presented, digest):
                found = visibility
        return found

    def identify(self, authorization: bytes | None, *, required: bool) -> Visibility:
        """Who is calling, from the Authorization header; 401 for a wrong or missing key.

        A wrong key is refused even where none is required: a caller who sends a key
        expects it to count, and silently serving the anonymous view would hide the mistake.
        """
        token = bearer_token(authorization)
        if token is None:
            if authorization is not None:
                raise HTTPError(401, "Authorization must be 'Bearer <key>'", UNAUTHORIZED_HEADERS)
            if required:
                raise HTTPError(
                    401, "missing API key: send 'Authorization: Bearer <key>'", UNAUTHORIZED_HEADERS
                )
            return EVERYONE
        visibility = self.authenticate(token)
        if visibility is None:
            raise HTTPError(401, "invalid API key", UNAUTHORIZED_HEADERS)
        return visibility

    # --- construction ---------------------------------------------------------------------

    @classmethod
    def default(cls) -> KeyRing:
        restricted = Visibility(frozenset(RESTRICTED_PROVIDERS))
        return cls({DEMO_KEY: EVERYONE, RESTRICTED_KEY: restricted}, source=BUILT_IN)

    @classmethod
    def from_yaml(cls, text: str, *, source: str) -> KeyRing:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            # YAML's own message quotes the offending line, which may hold a key.
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise KeysError(f"{source} is not valid YAML{where}") from None
        return cls(_parse(document, source), source=source)

    @classmethod
    def load(cls, path: Path | str) -> KeyRing:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise KeysError(f"cannot read keys file {path}: {reason}") from None
        return cls.from_yaml(text, source=str(path))

    @classmethod
    def configured(cls, path: Path | str | None, environ: Mapping[str, str]) -> KeyRing:
        """The keys a server started this way uses: the file, else the environment, else
        the built-in demo keys."""
        if path is not None:
            return cls.load(path)
        if environ.get(KEYS_ENV):
            return cls.from_yaml(environ[KEYS_ENV], source=f"${KEYS_ENV}")
        return cls.default()


def bearer_token(authorization: bytes | None) -> bytes | None:
    """The token of an `Authorization: Bearer <token>` header (scheme case-insensitive)."""
    if authorization is None:
        return None
    scheme, _, token = authorization.strip().partition(b" ")
    token = token.strip()
    if scheme.lower() != b"bearer" or not token:
        return None
    return token


def _parse(document: Any, source: str) -> dict[str, Visibility]:
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise KeysError(f"{source}: expected a mapping with a non-empty 'keys' list")
    keys: dict[str, Visibility] = {}
    for position, entry in enumerate(entries):
        where = f"{source}: keys[{position}]"
        if not isinstance(entry, dict):
            raise KeysError(f"{where} must be a mapping with 'key' and 'providers'")
        key = entry.get("key")
        if not isinstance(key, str) or not _usable(key):
            raise KeysError(f"{where}.key must be printable ASCII without spaces")
        if key in keys:
            raise KeysError(f"{where} repeats an earlier key")
        keys[key] = _visibility(entry.get("providers"), where)
    return keys


def _usable(key: str) -> bool:
    """A key must survive the trip through an HTTP header unchanged."""
    return bool(key) and key.isascii() and key.isprintable() and " " not in key


def _visibility(providers: Any, where: str) -> Visibility:
    if providers == ALL_PROVIDERS:
        return EVERYONE
    if (
        isinstance(providers, list)
        and providers
        and all(isinstance(p, str) and p for p in providers)
    ):
        return Visibility(frozenset(providers))
    raise KeysError(f"{where}.providers must be 'all' or a non-empty list of provider names")
