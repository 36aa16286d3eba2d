"""Findings and exchanges as plain data for reports: capped, inert, keys as variables.

Reports are read by people and kept by CI, so what a target sent is cut to a size a page
can hold, and characters that a terminal or a text renderer would act on (escape
sequences, carriage returns, bidirectional overrides) are shown as visible escapes
instead. A request is rendered as a `curl` line that names the key by environment
variable; it is built from request data that has already been redacted, so the one place
a key variable appears is the one the kit wrote itself.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any

from arouter_conformance.client import WRONG_KEY
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding

__all__ = [
    "BODY_CAP",
    "KEY_VARIABLES",
    "cap",
    "curl_command",
    "exchange_data",
    "finding_data",
    "inert",
]

BODY_CAP = 4096
HEADER_CAP = 512
TEXT_CAP = 2000
KEY_VARIABLES = {"key": "$AROUTER_API_KEY", "restricted": "$AROUTER_RESTRICTED_KEY"}
_SHOWN_HEADERS = 30

# C0 controls but tab and newline, DEL and C1 controls (terminal escapes), bidirectional
# marks and overrides (text that reads differently than it is), line and paragraph
# separators, lone surrogates (cannot be encoded) and the two non-characters XML refuses.
_ACTIVE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str) -> str:
    """`text` with every character a reader's software could act on shown as an escape."""
    return _ACTIVE.sub(_escape, text.replace("\r\n", "\n"))


def cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"… [{len(text) - limit} more chars]"


def curl_command(request: Mapping[str, Any]) -> str:
    """A command that repeats `request` (as `exchange_data` gives it), key from the environment."""
    parts = ["curl", "-sS", "-i"]
    if request["method"] != "GET":
        parts += ["-X", request["method"]]
    command = " ".join(parts) + " " + shlex.quote(request["url"])
    if request["auth"] in KEY_VARIABLES:
        # Double quotes so the shell expands the variable; nothing else is inside them.
        command += f' -H "Authorization: Bearer {KEY_VARIABLES[request["auth"]]}"'
    elif request["auth"] == "wrong":
        # The kit's deliberately wrong key is a public constant, not a secret; the exact
        # value matters, since a gateway may answer a malformed key differently.
        command += " -H " + shlex.quote(f"Authorization: Bearer {WRONG_KEY}")
    if request["body"] is not None:
        command += " -H 'Content-Type: application/json' --data-binary " + shlex.quote(
            request["body"]
        )
    return command


def exchange_data(exchange: Exchange) -> dict[str, Any]:
    return {
        "request": {
            "method": exchange.method,
            "url": cap(exchange.url, TEXT_CAP),
            "auth": exchange.auth,
            "body": (
                cap(exchange.request_body.decode("utf-8", errors="replace"), BODY_CAP)
                if exchange.request_body is not None
                else None
            ),
        },
        "response": {
            "status": exchange.status,
            "headers": [
                [cap(name, HEADER_CAP), cap(value, HEADER_CAP)]
                for name, value in exchange.headers[:_SHOWN_HEADERS]
            ],
            "headers_total": len(exchange.headers),
            "body": exchange.text(BODY_CAP),
            "truncated": exchange.truncated,
            "cut_by_kit": exchange.cut_by_kit,
        },
    }


def _optional(text: str | None, limit: int) -> str | None:
    return cap(text, limit) if text is not None else None


def finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "requirement": finding.requirement,
        "message": cap(finding.message, 1000),
        "expected": _optional(finding.expected, TEXT_CAP),
        "observed": _optional(finding.observed, TEXT_CAP),
        "pointer": _optional(finding.pointer, 500),
        "schema_path": _optional(finding.schema_path, 500),
        "evidence": exchange_data(finding.exchange) if finding.exchange else None,
    }
