"""Recorded traffic: a HAR 1.2 file read into the exchanges `Observations` judges.

Two writers matter: the kit itself (`--har`, every string redacted, the key shown as
`[REDACTED]`) and the browsers' network tools (Chrome, Firefox): bodies as text or base64
(`encoding`), request bodies in `postData.text`, headers as lists (HTTP/2 pseudo-headers
among them), fields of their own with a leading `_`, and a streamed answer's event stream
as the response text. What HAR leaves optional may be missing: an entry with no answer
(status 0) or whose answer's body was not kept says nothing to judge and is left out (and
counted), never judged as an empty body.

Credentials never reach an exchange: Authorization, cookies and the other headers that
carry a key are dropped, and only their presence is kept, as the auth role: "key" when the
request carried one (masked or not), "none" when it did not. A browser's default export
leaves Authorization out of every request (Chrome's "sanitized" HAR), which would make
every request look keyless; so "none" is believed only in a file where some request does
carry a credential, and in a file where none does, every request counts as keyed (the
requirements about keyless requests are then not judged). The kit's own HAR says which of
its credentials each request carried (`_auth`: key, restricted, none, wrong), and that is
believed over the headers, whose values it masks. The values dropped are kept
(`secrets`) so that the reports can mask them should an answer echo one.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from arouter_conformance.config import ConfigError
from arouter_conformance.exchange import AUTH_ROLES, CREDENTIAL_HEADERS, Exchange, credential_tag
from arouter_conformance.redact import MASK

__all__ = ["Recording", "read_har"]

_DROPPED_ANSWER = frozenset({"set-cookie", "set-cookie2"})
_NO_BODY = frozenset({204, 205, 304})
ZHAR_CAP = 1024 * 1024 * 1024  # bytes of JSON a compressed HAR may inflate to
_LONG_COOKIE = 16  # cookie values this long may be session keys: masked in the reports


@dataclass
class Recording:
    """A HAR file's entries, turned into exchanges one at a time as they are judged."""

    path: Path
    entries: Sequence[Mapping[str, Any]]
    keyed: bool  # some request carries a credential, so one without was sent without
    secrets: frozenset[str]
    unkept: frozenset[str] = frozenset()  # more request headers never kept (lower case)
    left_out: int = field(default=0)  # entries with no answer, or no body, to judge

    def exchanges(self) -> Iterator[Exchange]:
        self.left_out = 0
        for entry in self.entries:
            exchange = _exchange(entry, self.keyed, self.unkept)
            if exchange is None:
                self.left_out += 1
            else:
                yield exchange


def read_har(path: Path, unkept: Iterable[str] = ()) -> Recording:
    """The file as a recording, or a one-line `ConfigError` saying why it is not HAR.
    `unkept` names more request headers that may be credentials (the manifest's own, as
    the proxy treats them): dropped from the evidence, their values masked."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        document = json.loads(_unpacked(raw))
    except (ValueError, RecursionError, zlib.error) as exc:
        raise ConfigError(f"{path}: not a HAR file (not JSON: {str(exc)[:120]})") from None
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: not a HAR file (no log.entries list)")
    for number, entry in enumerate(entries):
        problem = _malformed(entry)
        if problem:
            raise ConfigError(f"{path}: not a HAR file (entry {number}: {problem})")
    requests = [entry["request"] for entry in entries]
    keyed = any(_credentials(request) for request in requests)
    names = frozenset(name.lower() for name in unkept)
    secrets = frozenset(value for request in requests for value in _secret_values(request))
    secrets |= {v for r in requests for k, v in _pairs(r.get("headers")) if k.lower() in names}
    return Recording(path, entries, keyed, secrets, names)


def _unpacked(raw: bytes) -> bytes:
    """The JSON of the file: mitmproxy's `.zhar` is its HAR compressed with zlib (a zlib
    stream starts with 0x78; JSON never does). Inflated to a cap, so a small file cannot
    become gigabytes in memory."""
    if not raw.startswith(b"\x78"):
        return raw
    inflater = zlib.decompressobj()
    data = inflater.decompress(raw, ZHAR_CAP)
    if inflater.unconsumed_tail:
        raise ValueError(f"it inflates past {ZHAR_CAP // (1024 * 1024)} MiB")
    return data


def _malformed(entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return "not an object"
    request, response = entry.get("request"), entry.get("response")
    if not isinstance(request, dict) or not isinstance(response, dict):
        return "no request or response object"
    if not isinstance(request.get("method"), str) or not isinstance(request.get("url"), str):
        return "the request has no method or url"
    status = response.get("status")
    if not isinstance(status, int) or isinstance(status, bool):
        return "the response has no integer status"
    return None


def _pairs(value: Any) -> list[tuple[str, str]]:
    """A HAR header list as pairs; entries that are not name/value strings are skipped."""
    if not isinstance(value, list):
        return []
    return [
        (item["name"], item["value"])
        for item in value
        if isinstance(item, dict)
        and isinstance(item.get("name"), str)
        and isinstance(item.get("value"), str)
    ]


def _credentials(request: Mapping[str, Any]) -> list[tuple[str, str]]:
    found = [(k, v) for k, v in _pairs(request.get("headers")) if k.lower() in CREDENTIAL_HEADERS]
    cookies = [("cookie", v) for _, v in _pairs(request.get("cookies"))]
    return found + cookies


def _secret_values(request: Mapping[str, Any]) -> Iterator[str]:
    """Each credential whole and without its scheme (`Bearer`), for the redactor; cookies
    only when long enough to be a session key (a short one masked everywhere hides words)."""
    for name, value in _credentials(request):
        if value == MASK or (name == "cookie" and len(value) < _LONG_COOKIE):
            continue
        yield value
        scheme, _, credential = value.partition(" ")
        if credential.strip() and scheme.isalpha():
            yield credential.strip()


def _exchange(entry: Mapping[str, Any], keyed: bool, unkept: frozenset[str]) -> Exchange | None:
    request, response = entry["request"], entry["response"]
    status = response["status"]
    body = _body(response.get("content"), status)
    if status <= 0 or body is None:
        return None
    sent = _pairs(request.get("headers"))
    credentials = _credentials(request)
    carried = bool(credentials)
    headers = [
        (k, v) for k, v in _pairs(response.get("headers")) if k.lower() not in _DROPPED_ANSWER
    ]
    content = response.get("content")
    mime = content.get("mimeType") if isinstance(content, dict) else None
    if isinstance(mime, str) and mime and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("content-type", mime))  # what the answer said it was, as HAR keeps it
    size = content.get("size") if isinstance(content, dict) else None
    return Exchange(
        method=request["method"].upper(),
        url=request["url"],
        auth=_role(request, carried, keyed),
        credential=credential_tag(v for _, v in credentials),
        status=status,
        headers=tuple(headers),
        body=body,
        request_headers=tuple(
            (k, v)
            for k, v in sent
            if k.lower() not in CREDENTIAL_HEADERS | unkept and not k.startswith(":")
        ),
        request_body=_sent(request.get("postData")),
        truncated=isinstance(size, int) and size > len(body),
        cut_by_kit=(
            "the recording keeps only part of the body"
            if isinstance(size, int) and size > len(body)
            else None
        ),
        elapsed=_seconds(entry.get("time")),
        started=_started(entry.get("startedDateTime")),
    )


def _role(request: Mapping[str, Any], carried: bool, keyed: bool) -> str:
    """Which credential went with the request: as the kit's own HAR says (`_auth`), else
    "key" when it carried one, "none" when it did not in a file that keeps them."""
    said = request.get("_auth")
    if said in AUTH_ROLES:
        return str(said)
    return "key" if carried or not keyed else "none"


def _body(content: Any, status: int) -> bytes | None:
    """The answer's body; None when the file did not keep it (HAR leaves `text` out when
    the body is not available: a browser that did not keep it, a stream an SDK read, and
    some exporters write an empty `text` for a body whose `size` says it was not empty)."""
    if status in _NO_BODY or 100 <= status < 200:
        return b""
    body = _text(content)
    size = content.get("size") if isinstance(content, dict) else None
    if body == b"" and isinstance(size, int) and size > 0:
        return None
    return body


def _sent(post: Any) -> bytes | None:
    return _text(post)


def _text(part: Any) -> bytes | None:
    """The bytes of a HAR `content` or `postData` (base64 when it says so); None when the
    part holds no text or text that does not decode."""
    text = part.get("text") if isinstance(part, dict) else None
    if not isinstance(text, str):
        return None
    if part.get("encoding") == "base64":
        try:
            return base64.b64decode(text, validate=False)
        except (binascii.Error, ValueError):
            return None
    return text.encode("utf-8", errors="replace")


def _seconds(milliseconds: Any) -> float:
    if isinstance(milliseconds, (int, float)) and not isinstance(milliseconds, bool):
        return max(float(milliseconds), 0.0) / 1000
    return 0.0


def _started(stamp: Any) -> float | None:
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
