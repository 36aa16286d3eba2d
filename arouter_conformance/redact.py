"""The one place every output passes through before anyone can read it.

Keys are removed by value (every key the run used, from flags, environment or manifest,
also URL-encoded and JSON-escaped) and by pattern (bearer tokens and the common key
shapes), so that a target echoing the Authorization header into bodies, headers or error
messages cannot make a report, a log line or an exception carry a key. Evidence is cut to
size in many places before it reaches here, and a cut can fall inside a key, so the start
of a key (PREFIX characters or more, up to wherever it stops matching) is masked too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, TypeVar
from urllib.parse import quote

__all__ = ["MASK", "PREFIX", "Redactor"]

MASK = "[REDACTED]"
PREFIX = 6
_PATTERNS = (
    re.compile(r"(?i)(bearer)\s+[^\s\"',;]+"),
    re.compile(r"\bsk-[A-Za-z0-9_\-]{6,}"),
    re.compile(r"\blr_live_[A-Za-z0-9_\-]+"),
)
T = TypeVar("T")


class Redactor:
    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        values: set[str] = set()
        for secret in secrets:
            if secret and len(secret) >= 4:
                values.update({secret, quote(secret, safe=""), json.dumps(secret)[1:-1]})
        # Longest first, so a key that contains another key is masked whole.
        self._values = sorted(values, key=len, reverse=True)

    def text(self, text: str) -> str:
        # Whole keys first: two keys can share a start, and masking the start of one must
        # not keep the other from being found whole.
        for value in self._values:
            text = text.replace(value, MASK)
        for value in self._values:
            if len(value) > PREFIX + 2:
                text = _mask_starts(text, value)
        text = _PATTERNS[0].sub(lambda m: f"{m.group(1)} {MASK}", text)
        for pattern in _PATTERNS[1:]:
            text = pattern.sub(MASK, text)
        return text

    def value(self, value: T) -> T:
        """Redact every string inside a JSON-like value (dict keys included)."""
        return self._walk(value)  # type: ignore[no-any-return]

    def _walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self._walk(k): self._walk(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._walk(v) for v in value)
        return value


def _mask_starts(text: str, secret: str) -> str:
    """Mask every run of `text` that is the first PREFIX or more characters of `secret`."""
    head = secret[:PREFIX]
    parts: list[str] = []
    start = 0
    found = text.find(head)
    while found >= 0:
        end = found + PREFIX
        while end < len(text) and end - found < len(secret) and text[end] == secret[end - found]:
            end += 1
        parts += [text[start:found], MASK]
        start = end
        found = text.find(head, start)
    return "".join(parts) + text[start:]
