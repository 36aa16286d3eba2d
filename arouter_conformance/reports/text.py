"""Plain-text pieces shared by the text formats (JUnit, Markdown, terminal).

Each format escapes for its own medium; what a failure *says* is decided once here, so
the formats cannot disagree on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arouter_conformance.evidence import cap

__all__ = ["finding_lines", "headline"]

EXCERPT = 500


def headline(requirement: Mapping[str, Any]) -> str:
    """One line on why a requirement did not pass: its first finding, else the reason."""
    findings = requirement["findings"]
    if findings:
        first: str = findings[0]["message"]
        more = requirement["findings_total"] - 1
        return first + (f" (and {more} more)" if more else "")
    reason: str | None = requirement["reason"]
    return reason or requirement["status"]


def finding_lines(finding: Mapping[str, Any]) -> list[str]:
    """A finding as indented text: what was expected and observed, where, how to repeat it."""
    lines = [finding["message"]]
    for label, key in (
        ("expected", "expected"),
        ("observed", "observed"),
        ("at", "pointer"),
        ("schema path", "schema_path"),
    ):
        if finding[key] is not None:
            lines.append(f"  {label}: {finding[key]}")
    evidence = finding["evidence"]
    if evidence is not None:
        response = evidence["response"]
        lines.append(f"  reproduce: {evidence['curl']}")
        lines.append(f"  response: {response['status']} {cap(response['body'], EXCERPT)}")
    return lines
