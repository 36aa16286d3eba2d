"""The HTML report: one self-contained page, rendered by Jinja2 with autoescaping on.

The page must be safe to open whatever a target sent, and readable offline years later
from a CI archive. So it has no script at all, no external asset, and a Content Security
Policy that allows only the kit's own stylesheet, named by its hash: even markup that
slipped past escaping could neither run nor load anything. The filters (failed only,
MUST only) are checkboxes and CSS sibling selectors.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from arouter_conformance.files import write_text
from arouter_conformance.reports.text import NOT_MET, STATUSES, blocked_parts, count

__all__ = ["render_html", "write_html"]

_ENV = Environment(
    loader=PackageLoader("arouter_conformance.reports", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# Run facts an API caller may not have recorded are shown as a dash, not as "None".
_ENV.filters["shown"] = lambda value: "—" if value is None else value
_CSS = (
    resources.files("arouter_conformance.reports")
    .joinpath("templates/report.css")
    .read_text(encoding="utf-8")
)
_STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(_CSS.encode()).digest()).decode()
_BROKEN = ("failed", "error")
_EXCHANGE_PREFIX = re.compile(r"^[A-Z]+ \S+ -> \d{3}: ")


def _groups(findings: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive findings about the same exchange, so its evidence is shown once.

    Under the exchange's own heading a finding's message drops its `GET /path -> 200: `
    prefix, which would only repeat it.
    """
    groups: list[dict[str, Any]] = []
    for finding in findings:
        evidence = finding["evidence"]
        if evidence is not None:
            finding = {**finding, "message": _EXCHANGE_PREFIX.sub("", finding["message"], 1)}
        if groups and evidence is not None and groups[-1]["evidence"] == evidence:
            groups[-1]["findings"].append(finding)
        else:
            groups.append({"evidence": evidence, "findings": [finding]})
    return groups


def _row(requirement: Mapping[str, Any]) -> dict[str, Any]:
    row = {**requirement, "groups": _groups(requirement["findings"])}
    if requirement["status"] == "blocked":
        row["blocked_link"], row["blocked_rest"] = blocked_parts(requirement)
    return row


def _sections(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    sections = []
    for profile in data["profiles"]:
        mine = [_row(r) for r in data["requirements"] if r["profile"] == profile["name"]]
        broken = [r for r in mine if r["status"] in _BROKEN]
        sections.append(
            {
                **profile,
                "requirements": mine,
                "counts": {s: count(profile["counts"], s) for s in STATUSES},
                "has_failed": bool(broken),
                "has_must_failed": any(r["level"] == "MUST" for r in broken),
            }
        )
    return sections


def render_html(data: Mapping[str, Any]) -> str:
    statuses = [r["status"] for r in data["requirements"]]
    sections = _sections(data)
    claimed = {p["name"] for p in data["profiles"] if p["claimed"]}
    unmet = [
        r
        for r in data["requirements"]
        if r["level"] == "MUST" and r["status"] in NOT_MET and r["profile"] in claimed
    ]
    not_met = [r for r in unmet if not r.get("known")]
    return _ENV.get_template("report.html.j2").render(
        report=data,
        sections=sections,
        statuses=STATUSES,
        totals={s: statuses.count(s) for s in STATUSES},
        not_met={s: sum(r["status"] == s for r in not_met) for s in NOT_MET},
        not_met_total=len(not_met),
        not_met_in=list(dict.fromkeys(r["profile"] for r in not_met)),
        known_total=len(unmet) - len(not_met),
        fixed=set((data.get("baseline") or {}).get("fixed", ())),
        css=Markup(_CSS),  # noqa: S704 - the kit's own stylesheet, not data
        style_hash=_STYLE_HASH,
    )


def write_html(data: Mapping[str, Any], path: Path) -> None:
    write_text(path, render_html(data))
