"""The Markdown summary for CI pages (`$GITHUB_STEP_SUMMARY`): verdicts and the MUST
requirements not met (failed, blocked, inconclusive or in error), each with why.

A step summary is rendered as Markdown with inline HTML, so every piece of text that
came from a target (and, for simplicity, every other piece too) is escaped: HTML special
characters as entities, Markdown punctuation with backslashes, line breaks as spaces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from arouter_conformance.evidence import cap
from arouter_conformance.files import write_text
from arouter_conformance.reports.text import NOT_MET, STATUSES, count, headline, known_lines

__all__ = ["SUMMARY_ENV", "append_markdown", "escape", "render_markdown"]

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
SHOWN = 50  # MUST requirements listed; a step summary should stay a summary
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:/<>\"'=^$])")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def escape(text: str, limit: int = 300) -> str:
    """`text` as literal Markdown inline text: one line, no markup, no HTML."""
    text = " ".join(cap(text, limit).split())
    text = re.sub("[&<>]", lambda m: _ENTITIES[m.group()], text)
    # Entities are left alone (their `&`, `#` and `;` must stay as they are); every other
    # ASCII punctuation mark that could open markup gets a backslash.
    parts = re.split(r"(&(?:amp|lt|gt);)", text)
    return "".join(p if p in _ENTITIES.values() else _PUNCTUATION.sub(r"\\\1", p) for p in parts)


def _profile_row(profile: Mapping[str, Any]) -> str:
    counts = profile["counts"]
    cells = [
        escape(profile["name"]),
        "yes" if profile["claimed"] else "no",
        *(str(count(counts, s)) for s in STATUSES),
        f"**{profile['verdict']}**" if profile["verdict"] == "fail" else profile["verdict"],
    ]
    return "| " + " | ".join(cells) + " |"


def render_markdown(data: Mapping[str, Any]) -> str:
    run = data["run"]
    target = (
        "the embedded reference server"
        if run["embedded"]
        else escape(str(run["target_url"] or "an unrecorded target"))
    )
    lines = [
        f"### arouter-conformance: {data['verdict'].upper()}",
        "",
        f"{target} · kit {escape(str(data['kit']['version']))} · spec "
        f"{escape(data['spec_version'])} · {escape(str(run['started_at']))} · "
        f"{run['duration_s']} s · {run['requests_sent']} requests "
        f"({run['chat_requests_sent']} chat)",
        *(
            ["", f"The run stopped early: {escape(str(run['stopped']))}"]
            if run.get("stopped")
            else []
        ),
        *(
            ["", f"The target did not hold still: {escape(str(run['unsteady']))}"]
            if run.get("unsteady")
            else []
        ),
        "",
        f"| profile | claimed | {' | '.join(STATUSES)} | verdict |",
        f"| --- | --- | {' | '.join('---:' for _ in STATUSES)} | --- |",
        *(_profile_row(p) for p in data["profiles"]),
    ]
    claimed = {p["name"] for p in data["profiles"] if p["claimed"]}
    # Worst first: failed, error, then what could not be judged (inconclusive, blocked).
    broken = sorted(
        (
            r
            for r in data["requirements"]
            if r["level"] == "MUST"
            and r["status"] in NOT_MET
            and r["profile"] in claimed
            and not r.get("known")
        ),
        key=lambda r: NOT_MET.index(r["status"]),
    )
    if broken:
        lines += ["", f"**MUST requirements not met ({len(broken)})**", ""]
        lines += [
            f"- **{escape(r['id'])}** ({escape(r['profile'])}, {r['status']}): "
            f"{escape(r['statement'])} — {escape(headline(r))}"
            for r in broken[:SHOWN]
        ]
        if len(broken) > SHOWN:
            lines.append(f"- … and {len(broken) - SHOWN} more, in the full report")
    known, fixed = known_lines(data)
    if known:
        lines += ["", f"**Known failures, accepted by the baseline ({len(known)})**", ""]
        lines += [f"- {escape(line)}" for line in known[:SHOWN]]
        if len(known) > SHOWN:
            lines.append(f"- … and {len(known) - SHOWN} more, in the full report")
    if fixed:
        lines += ["", f"**Fixed: remove from the baseline ({len(fixed)})**", ""]
        lines.append(", ".join(escape(rid) for rid in fixed))
    return "\n".join(lines) + "\n\n"


def append_markdown(data: Mapping[str, Any], path: Path) -> None:
    write_text(path, render_markdown(data), append=True)
