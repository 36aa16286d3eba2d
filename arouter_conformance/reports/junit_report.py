"""JUnit XML: one testcase per requirement, named by its id, so CI lists requirements."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

__all__ = ["write_junit"]

# Characters XML 1.0 cannot carry at all; a hostile target may send them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _safe(text: str, limit: int | None = None) -> str:
    text = _NOT_XML.sub("\ufffd", text)
    return text[:limit] if limit else text


def write_junit(data: dict[str, Any], path: Path) -> None:
    requirements = data["requirements"]
    root = ET.Element("testsuites")
    suite = ET.SubElement(
        root,
        "testsuite",
        name="arouter-conformance",
        tests=str(len(requirements)),
        failures=str(sum(r["status"] == "failed" for r in requirements)),
        errors=str(sum(r["status"] == "error" for r in requirements)),
        skipped=str(sum(r["status"] == "skipped" for r in requirements)),
        time=str(data["run"].get("duration_s", 0)),
    )
    for r in requirements:
        case = ET.SubElement(
            suite, "testcase", classname=f"{r['profile']}.{r['level']}", name=r["id"]
        )
        if r["status"] == "failed":
            lines = [f["message"] for f in r["findings"]] or [r["reason"] or "failed"]
            failure = ET.SubElement(case, "failure", message=_safe(lines[0], 500))
            failure.text = _safe("\n".join(lines))
        elif r["status"] == "error":
            ET.SubElement(case, "error", message=_safe(r["reason"] or "error", 500))
        elif r["status"] == "skipped":
            ET.SubElement(case, "skipped", message=_safe(r["reason"] or "skipped", 500))
    tree = ET.ElementTree(root)
    ET.indent(tree)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)
