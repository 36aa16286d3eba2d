"""One request to the target and what came back: the unit of evidence.

Everything a target sends is untrusted. The body is kept as bytes, capped in size, and
parsed only on demand, with failures turned into `NotJson` rather than surfacing as a
crash of the kit. The request is stored without its Authorization header (and without the
headers the run was told to send, which may be credentials too): which key was used is
recorded as a role (`auth`), so a key can never leak through evidence.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "AUTH_ROLES",
    "CREDENTIAL_HEADERS",
    "MAX_BODY",
    "BeyondKit",
    "Exchange",
    "NotJson",
    "credential_tag",
    "past_the_parser",
]

# Which credential a request carried: the main key, the restricted key, none, or a
# deliberately wrong one.
AUTH_ROLES = ("key", "restricted", "none", "wrong")
# Request headers that carry a credential: never kept with an exchange someone else's
# client sent (the proxy's, a HAR's); their presence says the request was keyed.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"}
)
# The most of one answer the kit reads. Bounds a hostile or broken body, and leaves room
# for aggregators: a 10,000-model list is about 9.3 MB, and a list cut at the kit's own cap
# could not be judged at all.
MAX_BODY = 64 * 1024 * 1024
PARSED_KEPT = 256 * 1024  # bytes of body whose parsed value is kept with the exchange
# A secret of this process only: tags made with it tell one key from another within a run,
# and cannot be compared across runs or turned back into the key.
_TAG_SECRET = secrets.token_bytes(32)


def credential_tag(values: Iterable[str]) -> str | None:
    """An opaque tag for the credentials a request carried (None: it carried none), so
    that answers to different keys are never judged against one another (a restricted key
    sees fewer models) without keeping the key itself."""
    joined = "\0".join(sorted(values))
    if not joined:
        return None
    return hmac.new(_TAG_SECRET, joined.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:16]


class NotJson(ValueError):
    """The body is not the JSON it should be; the message says why, briefly."""


class BeyondKit(NotJson):
    """The body may well be JSON, but past what the kit parses (nesting deeper than
    Python's recursion allows, an integer of thousands of digits): no evidence either way."""


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    auth: str
    status: int
    headers: tuple[tuple[str, str], ...]
    # Out of the repr: pytest shows a failing test's locals, and a body may be megabytes.
    body: bytes = field(repr=False)
    request_headers: tuple[tuple[str, str], ...] = ()
    request_body: bytes | None = field(default=None, repr=False)
    truncated: bool = False
    # Why the kit itself stopped reading (its size cap, its time limit): the rest of the
    # answer was never seen, so nothing can be judged on it. None when the answer was read
    # to its end, or the target broke it off (that is the target's doing: `truncated`).
    cut_by_kit: str | None = None
    elapsed: float = 0.0
    # Observed traffic only: which credential it carried (`credential_tag`), never the key.
    credential: str | None = field(default=None, compare=False, repr=False)
    # When the request went out (wall clock, seconds since the epoch; None when unknown), for
    # the HAR report's startedDateTime. Not part of what an exchange is: two answers to the
    # same request are equal whenever they were asked.
    started: float | None = field(default=None, compare=False)
    _json: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    @property
    def path_and_query(self) -> str:
        """The URL without scheme and host: short enough for one-line messages."""
        rest = self.url.split("://", 1)[-1]
        return "/" + rest.split("/", 1)[1] if "/" in rest else "/"

    def json(self) -> Any:
        """The parsed body. Raises NotJson for anything but one complete JSON document.

        Kept once parsed only for small bodies: a run keeps every answer it asked for (the
        GET memo, the evidence), and a parsed model list weighs ten times its bytes, so a
        large catalog's lists are parsed again when asked rather than all held at once."""
        if "value" in self._json:
            value = self._json["value"]
        else:
            value = _parse(self.body, self.truncated, self.cut_by_kit)
            if len(self.body) <= PARSED_KEPT:
                self._json["value"] = value
        if isinstance(value, NotJson):
            raise value
        return value

    def json_object(self) -> Mapping[str, Any]:
        value = self.json()
        if not isinstance(value, dict):
            raise NotJson(f"expected a JSON object, got {type(value).__name__}")
        return value

    def text(self, limit: int = 2000) -> str:
        """The body as text for humans, cut at `limit` characters."""
        text = self.body.decode("utf-8", errors="replace")
        return text if len(text) <= limit else text[:limit] + f"… [{len(text) - limit} more]"

    def describe(self) -> str:
        """The request and its status in a few words; a chat request says which model it
        asked for, since every chat request goes to the same path."""
        asked = f" (model {self.requested_model})" if self.requested_model else ""
        return f"{self.method} {self.path_and_query}{asked} -> {self.status}"

    @property
    def requested_model(self) -> str | None:
        try:
            sent = json.loads(self.request_body or b"")
        except ValueError:
            return None
        model = sent.get("model") if isinstance(sent, dict) else None
        return model[:120] if isinstance(model, str) else None


@functools.lru_cache(maxsize=1)
def _decoder() -> json.JSONDecoder:
    return json.JSONDecoder(parse_constant=_refuse_constant)


def past_the_parser(exc: BaseException) -> bool:
    """The error Python raises on JSON deeper, or with an integer longer (CPython's limit
    of 4,300 digits), than it parses: the kit's limit, never evidence against a target."""
    return isinstance(exc, RecursionError) or (
        isinstance(exc, ValueError) and "integer string conversion" in str(exc)
    )


def _parse(body: bytes, truncated: bool, cut_by_kit: str | None) -> Any:
    if cut_by_kit:
        return NotJson(f"{cut_by_kit}, so it cannot be judged as JSON")
    if truncated:
        return NotJson("the target broke the body off midway, so it is not whole JSON")
    try:
        return _decoder().decode(body.decode("utf-8"))
    except UnicodeDecodeError:
        return NotJson("the body is not valid UTF-8")
    except RecursionError:
        return BeyondKit("the body nests deeper than the kit parses")
    except ValueError as exc:
        if past_the_parser(exc):
            return BeyondKit("the body holds a number with more digits than the kit parses")
        return NotJson(f"the body is not JSON ({str(exc)[:120]})")
