"""The HAR report (`--har FILE`): every request of the run in HAR 1.2, so that a failure
can be shared, or opened in a browser's network tool, exactly as it went over the wire.

What it holds: one entry per request the run paid for (`traffic.Traffic` says which, the
SDKs' included), in the order they started: the request (method, URL, query, headers,
the body of a POST) and the answer (status, headers, body), with the time to the whole
answer as `wait` (the kit does not time the phases of a request: `send` and `receive`
are 0, `blocked`, `dns`, `connect` and `ssl` -1, "not known", as HAR allows). A request
that drew no answer has status 0 (as browsers write a failed request) and says why in
its `comment`.

Redaction: every string of the file, URLs, headers and bodies alike, goes through the
run's `Redactor` like every report, and the Authorization header and the run's secret
headers were masked when they were recorded (a reader sees `Authorization: [REDACTED]`:
a key was sent, never which; the request's `_auth` says which of the run's credentials it
was: key, restricted, none or wrong). Unlike the other reports the text is not made inert:
HAR is JSON, the tools that read it escape what they show, and a body must stay the body.

Bodies: a body that is UTF-8 is the `text`; any other is base64 (`encoding`), redacted
before it is encoded (as Latin-1 text, one character per byte, so a key in it is found
like anywhere else). A request body that is not UTF-8 (HAR has no base64 for those) is
shown with `\\xNN` escapes and says so. Size: each body is at most what the client read
(`exchange.MAX_BODY`, the kit's cap; an incomplete one says so), and the file holds at most
`BODIES_CAP` (256 MiB) of bodies in all: past that, answers keep their status and headers but
not their bodies, and say so. A default run against the reference server writes about
50 MB (260 entries, most of it the model lists); the cap matters only against very large
catalogs, whose HAR no browser would open anyway. The traffic is kept in memory until the
run ends only when a HAR is asked for.
"""

from __future__ import annotations

import base64
import datetime
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from arouter_conformance import __version__
from arouter_conformance.redact import Redactor
from arouter_conformance.exchange import MAX_BODY
from arouter_conformance.files import writing
from arouter_conformance.traffic import Recorded

__all__ = ["BODIES_CAP", "har_data", "write_har"]

BODIES_CAP = 256 * 1024 * 1024
KIT = "arouter-conformance"
_UNKNOWN = -1  # HAR: "the info is not available"


def _iso(started: float | None) -> str:
    when = datetime.datetime.fromtimestamp(started or 0.0, tz=datetime.timezone.utc)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ms(seconds: float) -> float:
    return round(max(seconds, 0.0) * 1000, 3)


def _pairs(pairs: Iterable[tuple[str, str]], redactor: Redactor) -> list[dict[str, str]]:
    return [{"name": redactor.text(k), "value": redactor.text(v)} for k, v in pairs]


def _header(headers: Iterable[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


class _Bodies:
    """The bodies written so far, against the cap."""

    def __init__(self, cap: int) -> None:
        self.cap = self.left = cap

    def take(self, body: bytes) -> bool:
        if len(body) > self.left:
            self.left = 0  # later, smaller bodies are left out too: the file's order holds
            return False
        self.left -= len(body)
        return True


def _request(recorded: Recorded, redactor: Redactor, notes: list[str]) -> dict[str, Any]:
    exchange = recorded.exchange
    query = parse_qsl(urlsplit(exchange.url).query, keep_blank_values=True)
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": redactor.text(exchange.url),
        "httpVersion": recorded.http_version or "HTTP/1.1",
        "cookies": [],
        "headers": _pairs(exchange.request_headers, redactor),
        "queryString": _pairs(query, redactor),
        "headersSize": _UNKNOWN,
        "bodySize": len(exchange.request_body or b""),
        # Which credential went with it (key, restricted, none, wrong), never the key:
        # every Authorization reads [REDACTED], and `judge` needs to tell the keys apart.
        "_auth": exchange.auth,
    }
    sent = exchange.request_body
    if sent is not None:
        try:
            text = sent.decode("utf-8")
        except UnicodeDecodeError:
            text = sent.decode("utf-8", errors="backslashreplace")
            notes.append("the request body is not UTF-8: its other bytes are shown as \\xNN")
        kind = _header(exchange.request_headers, "content-type") or "application/octet-stream"
        request["postData"] = {"mimeType": redactor.text(kind), "text": redactor.text(text)}
    return request


def _content(
    recorded: Recorded, redactor: Redactor, bodies: _Bodies, notes: list[str]
) -> dict[str, Any]:
    exchange = recorded.exchange
    body = exchange.body
    kind = _header(exchange.headers, "content-type") or ""
    content: dict[str, Any] = {"size": len(body), "mimeType": redactor.text(kind)}
    if not recorded.body_read or exchange.status == 0:
        return content
    if not bodies.take(body):
        notes.append(f"the body is left out: the file holds at most {bodies.cap} bytes of bodies")
        return content
    try:
        content["text"] = redactor.text(body.decode("utf-8"))
    except UnicodeDecodeError:
        # Latin-1 maps each byte to one character and back, so the key is found in it and
        # masked like in any text, and the rest comes back byte for byte.
        masked = redactor.text(body.decode("latin-1")).encode("latin-1")
        content["text"] = base64.b64encode(masked).decode("ascii")
        content["encoding"] = "base64"
    if exchange.truncated:
        notes.append(
            f"the body is incomplete: the kit stopped reading it (its {MAX_BODY >> 20} MiB "
            "cap, its time limit, or a connection that broke midway)"
        )
    return content


def _wire_size(recorded: Recorded) -> int:
    """The body's size as received: its Content-Length, else the bytes read when they
    came uncompressed and whole; else not known."""
    exchange = recorded.exchange
    length = _header(exchange.headers, "content-length")
    if length is not None and length.strip().isdigit():
        return int(length)
    if _header(exchange.headers, "content-encoding") or not recorded.body_read:
        return _UNKNOWN
    return _UNKNOWN if exchange.truncated else len(exchange.body)


def _entry(recorded: Recorded, redactor: Redactor, bodies: _Bodies) -> dict[str, Any]:
    exchange = recorded.exchange
    notes = [recorded.note] if recorded.note else []
    request = _request(recorded, redactor, notes)
    content = _content(recorded, redactor, bodies, notes)
    wait = _ms(exchange.elapsed)
    entry: dict[str, Any] = {
        "startedDateTime": _iso(exchange.started),
        "time": wait,
        "request": request,
        "response": {
            "status": exchange.status,
            "statusText": redactor.text(recorded.status_text),
            "httpVersion": recorded.http_version,
            "cookies": [],
            "headers": _pairs(exchange.headers, redactor),
            "content": content,
            "redirectURL": redactor.text(_header(exchange.headers, "location") or ""),
            "headersSize": _UNKNOWN,
            "bodySize": _wire_size(recorded),
        },
        "cache": {},
        "timings": {
            "blocked": _UNKNOWN,
            "dns": _UNKNOWN,
            "connect": _UNKNOWN,
            "ssl": _UNKNOWN,
            "send": 0,
            "wait": wait,
            "receive": 0,
        },
    }
    if notes:
        entry["comment"] = redactor.text("; ".join(notes))
    return entry


def _entries(
    entries: Sequence[Recorded], redactor: Redactor, bodies_cap: int
) -> Iterator[dict[str, Any]]:
    bodies = _Bodies(bodies_cap)
    for recorded in sorted(entries, key=lambda r: r.exchange.started or 0.0):
        yield _entry(recorded, redactor, bodies)


def _log(entries: list[Any]) -> dict[str, Any]:
    creator = {"name": KIT, "version": __version__}
    return {"log": {"version": "1.2", "creator": creator, "entries": entries}}


def har_data(
    entries: Sequence[Recorded], redactor: Redactor, *, bodies_cap: int = BODIES_CAP
) -> dict[str, Any]:
    """The HAR 1.2 document of `entries`, in the order the requests started."""
    return _log(list(_entries(entries, redactor, bodies_cap)))


def write_har(entries: Sequence[Recorded], redactor: Redactor, path: Path) -> None:
    """The document written entry by entry: a default run's HAR is about 50 MB, and the
    whole of it as one value, then as one string, would cost several times that in
    memory on top of the traffic itself.

    Every string came from strict UTF-8 decoding, base64 or httpx's header decoding, so
    the file is valid JSON and valid UTF-8 whatever bytes the target sent."""
    head, tail = json.dumps(_log([])).split("[]")
    with writing(path) as file:
        file.write(head + "[")
        for number, entry in enumerate(_entries(entries, redactor, BODIES_CAP)):
            file.write(("," if number else "") + json.dumps(entry, ensure_ascii=False))
        file.write("]" + tail + "\n")
