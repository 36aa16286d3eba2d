"""The JSON report: the whole run, machine-readable, redacted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from arouter_conformance.evidence import finding_data
from arouter_conformance.redact import Redactor
from arouter_conformance.results import RunResult

__all__ = ["FINDINGS_CAP", "report_data", "write_json"]

FORMAT = "arouter-conformance-report/1"
FINDINGS_CAP = 25


def report_data(result: RunResult, redactor: Redactor) -> dict[str, Any]:
    """The report as a JSON value; every other format renders this same value."""
    from arouter_conformance.spec import load_spec

    spec = load_spec()
    data = {
        "format": FORMAT,
        "kit": {"name": "arouter-conformance", "version": result.meta.get("kit_version")},
        "spec_version": result.spec_version,
        "run": dict(result.meta),
        "exit_code": result.exit_code,
        "profiles": [
            {
                "name": p.name,
                "title": spec.profiles[p.name].title,
                "claimed": p.claimed,
                "verdict": p.verdict,
                "counts": {status.value: n for status, n in p.counts.items()},
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
                "reason": r.reason,
                "tests": list(r.tests),
                "example": r.example,
                "findings_total": len(r.findings),
                "findings": [finding_data(f) for f in r.findings[:FINDINGS_CAP]],
            }
            for r in result.requirements
        ],
    }
    return redactor.value(data)


def write_json(data: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
