"""Findings and exchanges as plain data for reports: capped, and with keys as variables.

Reports are read by people and kept by CI, so what a target sent is cut to a size a page
can hold, and a request is rendered as a `curl` line that names the key by environment
variable. Redaction of values happens after this, on the whole report.
"""

from __future__ import annotations

import shlex
from typing import Any

from arouter_conformance.client import WRONG_KEY
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding

__all__ = ["BODY_CAP", "KEY_VARIABLES", "curl_command", "exchange_data", "finding_data"]

BODY_CAP = 4096
HEADER_CAP = 512
KEY_VARIABLES = {"key": "$AROUTER_API_KEY", "restricted": "$AROUTER_RESTRICTED_KEY"}
_SHOWN_HEADERS = 30


def _cap(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"… [{len(text) - limit} more chars]"


def curl_command(exchange: Exchange) -> str:
    """A command that repeats the request, with the key taken from the environment."""
    parts = ["curl", "-sS", "-i"]
    if exchange.method != "GET":
        parts += ["-X", exchange.method]
    command = " ".join(parts) + " " + shlex.quote(exchange.url)
    if exchange.auth in KEY_VARIABLES:
        # Double quotes so the shell expands the variable; nothing else is inside them.
        command += f' -H "Authorization: Bearer {KEY_VARIABLES[exchange.auth]}"'
    elif exchange.auth == "wrong":
        command += " -H " + shlex.quote(f"Authorization: Bearer {WRONG_KEY}")
    if exchange.request_body is not None:
        body = exchange.request_body.decode("utf-8", errors="replace")
        command += " -H 'Content-Type: application/json' --data-binary " + shlex.quote(
            _cap(body, BODY_CAP)
        )
    return command


def exchange_data(exchange: Exchange) -> dict[str, Any]:
    return {
        "request": {
            "method": exchange.method,
            "url": exchange.url,
            "auth": exchange.auth,
            "body": (
                _cap(exchange.request_body.decode("utf-8", errors="replace"), BODY_CAP)
                if exchange.request_body is not None
                else None
            ),
        },
        "response": {
            "status": exchange.status,
            "headers": [
                [name, _cap(value, HEADER_CAP)] for name, value in exchange.headers[:_SHOWN_HEADERS]
            ],
            "body": exchange.text(BODY_CAP),
            "truncated": exchange.truncated,
        },
        "curl": curl_command(exchange),
    }


def finding_data(finding: Finding) -> dict[str, Any]:
    return {
        "requirement": finding.requirement,
        "message": _cap(finding.message, 1000),
        "expected": _cap(finding.expected, 2000) if finding.expected is not None else None,
        "observed": _cap(finding.observed, 2000) if finding.observed is not None else None,
        "pointer": finding.pointer,
        "schema_path": finding.schema_path,
        "evidence": exchange_data(finding.exchange) if finding.exchange else None,
    }
