"""What the openrouter SDK needs beyond the seeds (profile openrouter-sdk, ruling R4)."""

from __future__ import annotations

from typing import Any

from arouter_conformance.checks.shape import schema_findings
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding
from arouter_conformance.spec import Spec

__all__ = ["sdk_list"]


def sdk_list(spec: Spec, exchange: Exchange, body: Any) -> list[Finding]:
    """ORSDK-LIST-001/002 and ORSDK-MODEL-001: the fields, and what their values must say."""
    findings = schema_findings(spec, "SdkList.json", body, exchange=exchange)
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return findings
    total, listed = body.get("total_count"), len(body["data"])
    if isinstance(total, int) and total != listed:
        findings.append(
            Finding(
                "ORSDK-LIST-001",
                f"{exchange.describe()}: total_count {total} but {listed} models in data",
                expected=str(listed),
                observed=str(total),
                exchange=exchange,
                pointer="/total_count",
            )
        )
    links = body.get("links")
    following = links.get("next") if isinstance(links, dict) else None
    if following is not None:
        findings.append(
            Finding(
                "ORSDK-LIST-002",
                f"{exchange.describe()}: links.next is set though the whole list was asked for",
                expected="null",
                observed=repr(following)[:200],
                exchange=exchange,
                pointer="/links/next",
            )
        )
    return findings
