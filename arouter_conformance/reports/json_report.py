"""The JSON report, and `report_data`: the one value every output format renders.

Building one plain value first means redaction and neutralising happen once, on every
string, before any format sees it: a writer cannot forget to remove a key or to defuse
what a target sent. The value's shape is `spec/report.schema.json`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from arouter_conformance.evidence import cap, curl_command, finding_data, inert
from arouter_conformance.redact import Redactor
from arouter_conformance.files import write_text
from arouter_conformance.results import EXIT_FAILED, EXIT_PASSED, UNJUDGED, RunResult, Status

__all__ = ["FINDINGS_CAP", "FORMAT", "SCHEMA_ID", "report_data", "write_json"]

FORMAT = "arouter-conformance-report/1"
SCHEMA_ID = "https://arouter-conformance.dev/spec/report.schema.json"
FINDINGS_CAP = 25
REASON_CAP = 2000
EXAMPLE_CAP = 4000


def _verdict(result: RunResult) -> str:
    """pass (exit 0), known (0, but only because of the baseline), fail (1), and exit 2
    split in two: inconclusive when every claimed MUST was reached but one could not be
    judged (blocked or inconclusive), error when the run broke: it stopped, or a MUST ended
    in error."""
    claimed_musts = [
        r
        for r in result.requirements
        if r.requirement.level == "MUST" and r.requirement.profile in result.claimed
    ]
    if result.exit_code == EXIT_PASSED:
        return "known" if any(r.known is not None for r in claimed_musts) else "pass"
    if result.exit_code == EXIT_FAILED:
        return "fail"
    must = {r.status for r in claimed_musts if r.known is None}
    if result.stats.stopped or Status.ERROR in must or not must & UNJUDGED:
        return "error"
    return "inconclusive"


def _without_credentials(url: object) -> str | None:
    """The target URL as shown: user and password parts, should one slip through, dropped."""
    if not isinstance(url, str):
        return None
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    netloc += f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=netloc))


def _stopped(reason: object) -> str | None:
    if not reason:
        return None
    return cap(str(reason), REASON_CAP)


def _baseline(result: RunResult) -> dict[str, Any] | None:
    path = result.stats.baseline
    if not path:
        return None
    return {
        "path": str(path),
        "updated": result.stats.baseline_updated,
        "entries": result.listed,
        "known": [r.requirement.id for r in result.requirements if r.known is not None],
        "fixed": list(result.fixed),
    }


def _strings(value: Any, change: Callable[[str], str]) -> Any:
    """`value` with `change` applied to every string in it, dictionary keys included."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {change(k): _strings(v, change) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strings(v, change) for v in value]
    return value


def report_data(result: RunResult, redactor: Redactor) -> dict[str, Any]:
    """The report as a JSON value, redacted and inert; every format renders this value."""
    stats = result.stats
    data = {
        "$schema": SCHEMA_ID,
        "format": FORMAT,
        "kit": {"name": "arouter-conformance", "version": stats.kit_version},
        "spec_version": result.spec_version,
        "verdict": _verdict(result),
        "exit_code": result.exit_code,
        "run": {
            "target_url": _without_credentials(stats.target_url),
            "embedded": stats.embedded,
            "started_at": stats.started_at,
            "duration_s": stats.duration_s,
            "requests_sent": stats.requests_sent,
            "chat_requests_sent": stats.chat_requests_sent,
            "request_budget": stats.request_budget,
            "chat_budget": stats.chat_budget,
            "examples": stats.examples,
            "seed": stats.seed,
            "concurrency": stats.concurrency,
            "stopped": _stopped(stats.stopped),
            "unsteady": _stopped(stats.unsteady),
        },
        "baseline": _baseline(result),
        "profiles": [
            {
                "name": p.name,
                "title": p.title,
                "claimed": p.claimed,
                "verdict": p.verdict,
                "counts": {status.value: n for status, n in p.counts.items()},
                "known": p.known,
            }
            for p in result.profiles
        ],
        "requirements": [
            {
                "id": r.requirement.id,
                "level": r.requirement.level,
                "profile": r.requirement.profile,
                "statement": r.requirement.statement,
                "source": [{"doc": s.doc, "section": s.section} for s in r.requirement.source],
                "ruling": list(r.requirement.ruling),
                "status": r.status.value,
                "reason": cap(r.reason, REASON_CAP) if r.reason is not None else None,
                "known": cap(r.known, REASON_CAP) if r.known is not None else None,
                "blocked_by": r.blocked_by,
                "tests": list(r.tests),
                "example": cap(r.example, EXAMPLE_CAP) if r.example is not None else None,
                "findings_total": len(r.findings),
                "findings": [finding_data(f) for f in r.findings[:FINDINGS_CAP]],
            }
            for r in result.requirements
        ],
    }
    clean: dict[str, Any] = _strings(data, lambda text: inert(redactor.text(text)))
    # The curl lines are made from the redacted requests, so the key variable they name is
    # the only key-like text in them, and redaction cannot mask it.
    for requirement in clean["requirements"]:
        for finding in requirement["findings"]:
            if finding["evidence"] is not None:
                finding["evidence"]["curl"] = curl_command(finding["evidence"]["request"])
    return clean


def write_json(data: dict[str, Any], path: Path) -> None:
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
