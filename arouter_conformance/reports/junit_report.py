"""JUnit XML: one testcase per requirement, named by its id, so CI lists requirements.

One testsuite per profile, so CI systems group requirements the way profiles are
claimed. Failure text carries the evidence (expected, observed, a curl line), so a CI
page alone is enough to start reproducing a failure.

CI shows red exactly what can make the run exit non-zero: failed is a `<failure>`, error
an `<error>`, and a MUST that could not be judged (inconclusive) an `<error
type="inconclusive">`. A blocked requirement is `<skipped>`: the failure that blocked it
is already red, once. A SHOULD or MAY inconclusive is `<skipped>` too: it never fails a run,
and so is a known failure (the baseline accepts it): a CI test view that turned red on it
would undo what the baseline is for.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from arouter_conformance.files import write_text
from arouter_conformance.reports.text import finding_lines, headline

__all__ = ["render_junit", "write_junit"]

# Characters XML 1.0 cannot carry at all. Report data is already inert, but the writer
# keeps its own guarantee of well-formed output whatever it is given.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MESSAGE_CAP = 500


def _safe(text: str, limit: int | None = None) -> str:
    text = _NOT_XML.sub("\ufffd", text)
    return text[:limit] if limit else text


def _kind(requirement: Mapping[str, Any]) -> str | None:
    """The JUnit element a requirement's status becomes: failure, error, skipped or none."""
    status = requirement["status"]
    if requirement.get("known"):
        return "skipped"
    if status == "failed":
        return "failure"
    if status == "error" or (status == "inconclusive" and requirement["level"] == "MUST"):
        return "error"
    if status in ("blocked", "inconclusive", "skipped"):
        return "skipped"
    return None


def _counts(requirements: list[Mapping[str, Any]]) -> dict[str, str]:
    kinds = [_kind(r) for r in requirements]
    return {
        "tests": str(len(requirements)),
        "failures": str(kinds.count("failure")),
        "errors": str(kinds.count("error")),
        "skipped": str(kinds.count("skipped")),
    }


def _failure_text(requirement: Mapping[str, Any]) -> str:
    parts = [f"[{requirement['level']}] {requirement['statement']}"]
    parts += ["\n".join(finding_lines(f)) for f in requirement["findings"]]
    hidden = requirement["findings_total"] - len(requirement["findings"])
    if hidden:
        parts.append(f"… and {hidden} more findings")
    if not requirement["findings"] and requirement["reason"]:
        parts.append(requirement["reason"])
    if requirement["example"]:
        parts.append(f"smallest failing example:\n{requirement['example']}")
    return "\n\n".join(parts)


def _testcase(suite: ET.Element, requirement: Mapping[str, Any]) -> None:
    case = ET.SubElement(
        suite,
        "testcase",
        classname=f"arouter-conformance.{requirement['profile']}",
        name=requirement["id"],
    )
    status, kind = requirement["status"], _kind(requirement)
    message = _safe(headline(requirement), MESSAGE_CAP)
    if kind == "failure":
        failure = ET.SubElement(case, "failure", message=message, type="failed")
        failure.text = _safe(_failure_text(requirement))
    elif kind == "error":
        error = ET.SubElement(case, "error", message=message, type=status)
        statement = f"[{requirement['level']}] {requirement['statement']}"
        error.text = _safe(f"{statement}\n\n{requirement['reason'] or status}")
    elif kind == "skipped":
        # blocked: "blocked by X: why"; a SHOULD or MAY inconclusive: never red, but named.
        reason = requirement["reason"] or status
        text = f"inconclusive: {reason}" if status == "inconclusive" else headline(requirement)
        if requirement.get("known"):
            text = f"known failure ({status}), accepted by the baseline: {requirement['known']}"
        ET.SubElement(case, "skipped", message=_safe(text, MESSAGE_CAP))


def render_junit(data: Mapping[str, Any]) -> str:
    requirements = data["requirements"]
    root = ET.Element(
        "testsuites",
        {
            "name": "arouter-conformance",
            "time": str(data["run"]["duration_s"] or 0),
            **_counts(requirements),
        },
    )
    for profile in data["profiles"]:
        mine = [r for r in requirements if r["profile"] == profile["name"]]
        suite = ET.SubElement(root, "testsuite", {"name": profile["name"], **_counts(mine)})
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("target_url", data["run"]["target_url"]),
            ("claimed", "yes" if profile["claimed"] else "no"),
            ("verdict", profile["verdict"]),
        ):
            ET.SubElement(properties, "property", name=name, value=_safe(str(value)))
        for requirement in mine:
            _testcase(suite, requirement)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(data: Mapping[str, Any], path: Path) -> None:
    write_text(path, render_junit(data))
