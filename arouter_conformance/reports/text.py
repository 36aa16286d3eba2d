"""Plain-text pieces shared by the text formats (JUnit, Markdown, terminal).

Each format escapes for its own medium; what a failure *says* is decided once here, so
the formats cannot disagree on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from arouter_conformance.evidence import cap

__all__ = [
    "NOT_MET",
    "STATUSES",
    "blocked_parts",
    "count",
    "finding_lines",
    "headline",
    "known_lines",
]

EXCERPT = 500
# Every status, in the order the formats show them: judged, then unjudged, then skipped.
STATUSES = ("passed", "failed", "blocked", "inconclusive", "error", "skipped")
# A claimed MUST in one of these keeps the run from passing; worst first.
NOT_MET = ("failed", "error", "inconclusive", "blocked")


def count(counts: Mapping[str, int], status: str) -> int:
    """A profile's count for `status`; 0 for one a report from an older kit lacks."""
    return counts.get(status, 0)


def blocked_parts(requirement: Mapping[str, Any]) -> tuple[str, str]:
    """(the requirement that blocked it, the rest of the reason after "blocked by X"),
    so a format can show the first as a link without repeating it."""
    by: str = requirement.get("blocked_by") or "another requirement"
    reason: str = requirement["reason"] or ""
    if reason.startswith(f"blocked by {by}"):
        reason = reason[len(f"blocked by {by}") :].lstrip(",: ")
    if not reason:
        return by, ""
    return by, (", " if reason.startswith("which ") else ": ") + reason


def headline(requirement: Mapping[str, Any]) -> str:
    """One line on why a requirement did not pass: for a blocked one what blocked it, for
    an inconclusive or skipped one the reason, else its first finding or the reason."""
    status: str = requirement["status"]
    if status == "blocked":
        by, rest = blocked_parts(requirement)
        return f"blocked by {by}{rest}"
    if status in ("inconclusive", "skipped"):
        why: str | None = requirement["reason"]
        return why or status
    findings = requirement["findings"]
    if findings:
        first: str = findings[0]["message"]
        more = requirement["findings_total"] - 1
        return first + (f" (and {more} more)" if more else "")
    reason: str | None = requirement["reason"]
    return reason or requirement["status"]


def known_lines(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(`ID: reason` for each unmet requirement the baseline accepts, the ids it lists that
    passed): what the text formats say about the known-failures file. A report from a kit
    without baselines has neither."""
    known = [f"{r['id']}: {r['known']}" for r in data["requirements"] if r.get("known")]
    baseline = data.get("baseline") or {}
    return known, list(baseline.get("fixed", ()))


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
