"""Keys (ruling R2): refused where one is needed, not asked for where the target says so."""

from __future__ import annotations

from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, judged

__all__ = ["accepted", "refused"]

_ROLES = {"none": "no key", "wrong": "a wrong key", "restricted": "the restricted key"}


def refused(requirement: str, exchange: Exchange, status: int = 401) -> list[Finding]:
    judged(requirement)
    if exchange.status == status:
        return []
    return [
        Finding(
            requirement,
            f"{exchange.describe()} with {_ROLES.get(exchange.auth, exchange.auth)}",
            expected=str(status),
            observed=f"{exchange.status}: {exchange.text(200)}",
            exchange=exchange,
        )
    ]


def accepted(requirement: str, exchange: Exchange) -> list[Finding]:
    judged(requirement)
    if exchange.status == 200:
        return []
    return [
        Finding(
            requirement,
            f"{exchange.describe()} with {_ROLES.get(exchange.auth, exchange.auth)}, "
            "though the target declares that listing needs no key",
            expected="200",
            observed=f"{exchange.status}: {exchange.text(200)}",
            exchange=exchange,
        )
    ]
