"""Serialized answers that are built once and served many times: ETag, 304 and gzip.

List, count and lookup answers depend only on the normalized query and the key's visibility,
so their bytes are cached in an `LRUCache`. Each cached `Body` carries a strong ETag computed
from its bytes (the gzip form has its own tag, because it is another representation) and
compresses itself the first time a client accepts gzip, so neither hashing nor compression
runs per request.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

__all__ = [
    "JSON_TYPE",
    "Body",
    "LRUCache",
    "Representation",
    "accepts_gzip",
    "encode_json",
    "etag_matches",
    "represent",
]

JSON_TYPE = (b"content-type", b"application/json")
# Answers differ by key (visibility) and by encoding; shared caches must keep them apart.
VARY = (b"vary", b"Accept-Encoding, Authorization")

Headers = list[tuple[bytes, bytes]]
Representation = tuple[int, Headers, bytes]
V = TypeVar("V")


def encode_json(value: Any) -> bytes:
    """Compact JSON, ASCII-escaped: client text such as a lone surrogate escape in a model
    name can then never fail to encode on the way out."""
    return json.dumps(value, separators=(",", ":")).encode()


class Body:
    """One JSON answer: its bytes, their ETag, and their gzip form once someone asks."""

    __slots__ = ("_gzipped", "data", "etag", "gzip_etag")

    def __init__(self, value: Any) -> None:
        self.data = encode_json(value)
        self.etag = b'"' + hashlib.blake2b(self.data, digest_size=16).hexdigest().encode() + b'"'
        self.gzip_etag = self.etag[:-1] + b'-gzip"'
        self._gzipped: bytes | None = None

    @property
    def gzipped(self) -> bytes:
        if self._gzipped is None:
            # mtime=0 keeps the compressed bytes, and so the tag, stable across restarts.
            self._gzipped = gzip.compress(self.data, compresslevel=6, mtime=0)
        return self._gzipped


class LRUCache(Generic[V]):
    """A bounded LRU of built values (never None): query strings are client-chosen, so the
    key space is not. A build that raises stores nothing, so refusals are never cached."""

    def __init__(self, maxsize: int = 2048) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        value = self.find(key)
        if value is None:
            value = build()
            self.put(key, value)
        return value

    def find(self, key: Hashable) -> V | None:
        """The value kept for `key`, now the most recently used, or None."""
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        self._entries[key] = value
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


@functools.lru_cache(maxsize=256)
def accepts_gzip(accept_encoding: bytes | None) -> bool:
    """RFC 9110 content negotiation, reduced to the one question asked: may we send gzip?
    Remembered per header value: clients send the same few values again and again."""
    if not accept_encoding:
        return False
    wildcard = False
    for item in accept_encoding.lower().split(b","):
        coding, _, params = item.partition(b";")
        coding = coding.strip()
        acceptable = _quality(params) > 0
        if coding in (b"gzip", b"x-gzip"):
            return acceptable
        if coding == b"*":
            wildcard = acceptable
    return wildcard


def _quality(params: bytes) -> float:
    for param in params.split(b";"):
        name, _, value = param.partition(b"=")
        if name.strip() == b"q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """If-None-Match uses the weak comparison: a W/ prefix on either side does not matter."""
    bare = etag.removeprefix(b"W/")
    for candidate in if_none_match.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == bare:
            return True
    return False


def represent(
    body: Body, accept_encoding: bytes | None, if_none_match: bytes | None
) -> Representation:
    """Status, headers and payload for a cached body, honouring gzip and If-None-Match."""
    compressed = accepts_gzip(accept_encoding)
    etag = body.gzip_etag if compressed else body.etag
    headers: Headers = [(b"etag", etag), VARY]
    if if_none_match is not None and etag_matches(if_none_match, etag):
        return 304, headers, b""
    payload = body.gzipped if compressed else body.data
    headers.append(JSON_TYPE)
    if compressed:
        headers.append((b"content-encoding", b"gzip"))
    return 200, headers, payload
