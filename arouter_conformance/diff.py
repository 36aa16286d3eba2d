"""`arouter-conformance diff OLD NEW`: what changed between two runs, per requirement.

Two JSON reports of the same format (`arouter-conformance-report/1`, whatever kit version
wrote them) are compared requirement by requirement. A requirement *fails* when its status
is `failed` or `error`; `blocked` is the consequence of another requirement's failure and
`inconclusive` is not a failure, so neither counts as one. Each requirement lands in at most
one list:

- **newly failing**: fails in NEW and did not in OLD (passed, blocked, inconclusive,
  skipped there, or absent from OLD altogether);
- **fixed**: failed in OLD, passed in NEW;
- **still failing**: fails in both;
- **no longer judged**: judged in OLD (passed, or failing), but blocked, inconclusive or
  skipped in NEW, or absent from it. This is where a failure hidden behind another one
  (now blocked) shows up, so nothing that was judged disappears without a line. It is
  information only.

Everything else (passed in both, unjudged in both, newly passing after being unjudged) is
counted, not listed. The exit code is 1 when any requirement newly fails, whatever its level
(MUST, SHOULD or MAY), and 0 otherwise, also when something is no longer judged; a
requirement NEW marks as a known failure (the `known` field a `--baseline` run writes) is
still newly failing, with the baseline's reason shown beside it. Two reports judged against
different targets or by different catalog versions are compared all the same, under a one
line note.

A file is refused, in one line naming it and why (`DiffError`, exit 2), when it cannot be
read, is larger than `MAX_BYTES`, is not JSON, is not a report, is a report of another
format, or lacks the little this module reads: requirements with `id`, `level` and
`status` (checked by the small JSON Schema `SHAPE`; every other field is optional, so that
reports from older kits, written before `blocked_by` or `known` existed, are read too).

What a report says came partly from the target (reasons, finding messages). The kit writes
it inert, but a file handed to `diff` may be anything, so the text output passes every
string through `evidence.inert` (control characters and bidirectional marks shown as
escapes) on one line, and the Markdown output through `markdown_report.escape` as well
(no markup, no HTML, no line break: a reason cannot break the comment it is quoted in).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from arouter_conformance.errors import ConfigError
from arouter_conformance.evidence import cap, inert
from arouter_conformance.reports.json_report import FORMAT
from arouter_conformance.reports.markdown_report import escape
from arouter_conformance.reports.text import STATUSES, headline
from arouter_conformance.results import EXIT_FAILED, EXIT_PASSED

__all__ = [
    "FAILS",
    "MAX_BYTES",
    "SHAPE",
    "Change",
    "Diff",
    "DiffError",
    "LoadedReport",
    "compare",
    "load_report",
    "render_markdown",
    "render_text",
]

MAX_BYTES = 100_000_000  # far above any report the kit writes (findings and bodies are capped)
FAILS = frozenset({"failed", "error"})
_JUDGED = FAILS | {"passed"}
_LEVELS = ("MUST", "SHOULD", "MAY")
_FAMILY = FORMAT.rsplit("/", 1)[0] + "/"  # "arouter-conformance-report/"
_REASON = 300  # characters of a reason shown per line
_SHOWN = 50  # lines per list in Markdown: a pull-request comment has a size limit

_TEXT = {"type": "string"}
_OPTIONAL_TEXT = {"type": ["string", "null"]}
# The little `diff` reads, and the type of each optional field it may read.
SHAPE: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["format", "requirements"],
    "properties": {
        "format": {"const": FORMAT},
        "kit": {"type": "object", "properties": {"version": _OPTIONAL_TEXT}},
        "spec_version": _OPTIONAL_TEXT,
        "run": {
            "type": "object",
            "properties": {
                "target_url": _OPTIONAL_TEXT,
                "embedded": {"type": "boolean"},
                "started_at": _OPTIONAL_TEXT,
                "stopped": _OPTIONAL_TEXT,
            },
        },
        "requirements": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "level", "status"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "level": {"enum": list(_LEVELS)},
                    "status": {"enum": list(STATUSES)},
                    "reason": _OPTIONAL_TEXT,
                    "blocked_by": _OPTIONAL_TEXT,
                    "known": _OPTIONAL_TEXT,
                    "findings_total": {"type": "integer", "minimum": 0},
                    "findings": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {"message": _TEXT},
                        },
                    },
                },
            },
        },
    },
}


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(SHAPE)  # built on first use: `cli` imports this module


class DiffError(ConfigError):
    """A report `diff` refuses; the message is one line that names the file and says why.
    A file argument that cannot be used is a bad argument: like `ReportError`, this is a
    `ConfigError` (a `ValueError`), which the CLI turns into one line and exit status 2."""


def _line(text: str) -> str:
    """`text` on one line, every character a terminal could act on shown as an escape."""
    return " ".join(inert(text).split())


@dataclass(frozen=True)
class LoadedReport:
    """A report as `diff` reads it: who wrote it, what it judged, requirement by id."""

    name: str  # the file, as given
    kit_version: str | None
    spec_version: str | None
    target: str | None  # the URL judged, or "the embedded reference server"
    started_at: str | None
    stopped: str | None
    requirements: Mapping[str, Mapping[str, Any]]  # id -> entry, in the report's order


def _read(path: Path, name: str) -> bytes:
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DiffError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DiffError(f"{name}: is a directory, not a report") from None
    except OSError as exc:
        raise DiffError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_BYTES:
        raise DiffError(
            f"{name}: larger than {MAX_BYTES // 1_000_000} MB, far more than a report holds"
        )
    return data


def _where(path: Iterable[object]) -> str:
    return "/".join(str(part) for part in path) or "the top level"


def load_report(path: Path, name: str | None = None) -> LoadedReport:
    """Read and check one report; `DiffError` (one line, naming `name`) when it is refused."""
    name = _line(name if name is not None else str(path))
    data = _read(path, name)
    try:
        document = json.loads(data)
    except RecursionError:
        raise DiffError(f"{name}: not JSON this kit can read (nested too deeply)") from None
    except UnicodeDecodeError:
        raise DiffError(f"{name}: not JSON (not UTF-8 text)") from None
    except ValueError as exc:  # json.JSONDecodeError, or an integer too long to convert
        raise DiffError(f"{name}: not JSON ({_line(str(exc))[:200]})") from None
    found = document.get("format") if isinstance(document, dict) else None
    if not isinstance(found, str) or not found.startswith(_FAMILY):
        raise DiffError(f"{name}: not an arouter-conformance report")
    if found != FORMAT:
        raise DiffError(f"{name}: report format {_line(found)[:100]}, this kit reads {FORMAT}")
    error = best_match(_validator().iter_errors(document))
    if error is not None:
        detail = _line(f"at {_where(error.absolute_path)}: {error.message}")
        raise DiffError(f"{name}: not an arouter-conformance report ({cap(detail, 200)})")
    requirements: dict[str, Mapping[str, Any]] = {}
    for entry in document["requirements"]:
        if entry["id"] in requirements:
            twice = _line(entry["id"])[:100]
            raise DiffError(f"{name}: not an arouter-conformance report ({twice} is listed twice)")
        requirements[entry["id"]] = entry
    run = document.get("run") or {}
    target = "the embedded reference server" if run.get("embedded") else run.get("target_url")
    return LoadedReport(
        name=name,
        kit_version=(document.get("kit") or {}).get("version"),
        spec_version=document.get("spec_version"),
        target=target,
        started_at=run.get("started_at"),
        stopped=run.get("stopped"),
        requirements=requirements,
    )


@dataclass(frozen=True)
class Change:
    """One requirement's line: its statuses in OLD and NEW (None: absent) and why."""

    id: str
    level: str
    old: str | None
    new: str | None
    why: str  # NEW's headline; for a fixed or vanished requirement, OLD's
    known: str | None = None  # NEW's baseline reason, when NEW marks it a known failure


@dataclass(frozen=True)
class Diff:
    old: LoadedReport
    new: LoadedReport
    newly_failing: tuple[Change, ...]
    fixed: tuple[Change, ...]
    still_failing: tuple[Change, ...]
    no_longer_judged: tuple[Change, ...]
    notes: tuple[str, ...]  # the runs differ in a way that bears on the comparison
    compared: int  # requirements in either report

    @property
    def exit_code(self) -> int:
        return EXIT_FAILED if self.newly_failing else EXIT_PASSED


def _why(entry: Mapping[str, Any]) -> str:
    """`reports.text.headline` for an entry that may lack what older kits did not write."""
    findings = entry.get("findings") or []
    return headline(
        {
            "reason": None,
            "blocked_by": None,
            **entry,
            "findings": findings,
            "findings_total": entry.get("findings_total", len(findings)),
        }
    )


def _notes(old: LoadedReport, new: LoadedReport) -> tuple[str, ...]:
    notes = []
    if old.target and new.target and old.target != new.target:
        notes.append(f"the runs judged different targets: {old.target}, then {new.target}")
    if old.spec_version and new.spec_version and old.spec_version != new.spec_version:
        notes.append(
            f"the runs judged by different catalog versions: spec {old.spec_version}, "
            f"then {new.spec_version}"
        )
    notes += [
        f"the run of {report.name} stopped early: {report.stopped}"
        for report in (old, new)
        if report.stopped
    ]
    return tuple(notes)


def compare(old: LoadedReport, new: LoadedReport) -> Diff:
    lists: dict[str, list[Change]] = {"new": [], "fixed": [], "still": [], "unjudged": []}
    ids = list(new.requirements) + [rid for rid in old.requirements if rid not in new.requirements]
    for rid in ids:
        before, after = old.requirements.get(rid), new.requirements.get(rid)
        was = before["status"] if before else None
        now = after["status"] if after else None
        if now in FAILS:
            kind = "still" if was in FAILS else "new"
        elif was in FAILS and now == "passed":
            kind = "fixed"
        elif was in _JUDGED and now not in _JUDGED:
            kind = "unjudged"
        else:
            continue
        # Why: NEW's account, unless it passed (fixed) or is gone; then OLD's.
        shown = before if kind == "fixed" or after is None else after
        if shown is None:  # cannot be: each list has a status on that side
            continue
        lists[kind].append(
            Change(
                id=rid,
                level=(after or shown)["level"],
                old=was,
                new=now,
                why=_why(shown),
                known=after.get("known") if after is not None else None,
            )
        )

    def ordered(kind: str) -> tuple[Change, ...]:
        return tuple(sorted(lists[kind], key=lambda c: _LEVELS.index(c.level)))

    return Diff(
        old=old,
        new=new,
        newly_failing=ordered("new"),
        fixed=ordered("fixed"),
        still_failing=ordered("still"),
        no_longer_judged=ordered("unjudged"),
        notes=_notes(old, new),
        compared=len(ids),
    )


# (heading, the Diff field, the colour of its heading on a terminal)
_LISTS = (
    ("Newly failing", "newly_failing", "red"),
    ("Fixed", "fixed", "green"),
    ("Still failing", "still_failing", "yellow"),
    ("No longer judged", "no_longer_judged", "dim"),
)


def _transition(change: Change) -> str:
    return f"{change.old or 'absent'} → {change.new or 'absent'}"


def _reason(change: Change) -> str:
    why = cap(change.why, _REASON)
    why = f"was: {why}" if change.new == "passed" or change.new is None else why
    return why + (f" [known failure: {cap(change.known, _REASON)}]" if change.known else "")


def _about(report: LoadedReport) -> str:
    parts = [
        f"kit {report.kit_version}" if report.kit_version else None,
        f"spec {report.spec_version}" if report.spec_version else None,
        report.started_at,
    ]
    shown = ", ".join(p for p in parts if p)
    return f"{report.name} ({cap(shown, 200)})" if shown else report.name


def _counts(diff: Diff) -> str:
    return ", ".join(
        f"{len(getattr(diff, field))} {heading.lower()}" for heading, field, _ in _LISTS
    ) + (f" (of {diff.compared} requirements)")


def render_text(diff: Diff, paint: Callable[[str, str | None], str] = lambda t, _: t) -> str:
    """Plain text for a terminal; `paint` colours the headings (`terminal.Terminal.paint`)."""
    lines = [_line(f"arouter-conformance diff: {_about(diff.old)} → {_about(diff.new)}")]
    lines += [_line(f"note: {cap(note, _REASON)}") for note in diff.notes]
    for heading, field, tone in _LISTS:
        changes: tuple[Change, ...] = getattr(diff, field)
        if not changes:
            continue
        lines += ["", paint(f"{heading} ({len(changes)}):", tone)]
        for c in changes:
            lead = f"  {c.level:<6}  {_line(cap(c.id, 100)):<24} {_transition(c):<24} "
            lines.append(lead + _line(_reason(c)))
    verdict = (
        f"{len(diff.newly_failing)} newly failing: exit code {diff.exit_code}"
        if diff.newly_failing
        else f"nothing newly fails: exit code {diff.exit_code}"
    )
    return "\n".join(
        [*lines, "", _counts(diff), paint(verdict, "red" if diff.newly_failing else "green")]
    )


def _md(text: str, limit: int = _REASON) -> str:
    return escape(inert(text), limit)


def render_markdown(diff: Diff) -> str:
    """Markdown for a pull-request comment; every piece of text escaped."""
    title = (
        f"{len(diff.newly_failing)} newly failing" if diff.newly_failing else "nothing newly fails"
    )
    lines = [
        f"### arouter-conformance diff: {title}",
        "",
        f"{_md(_about(diff.old))} → {_md(_about(diff.new))}",
    ]
    lines += ["", *(f"> **Note:** {_md(note)}  " for note in diff.notes)] if diff.notes else []
    for heading, field, _ in _LISTS:
        changes: tuple[Change, ...] = getattr(diff, field)
        if not changes:
            continue
        lines += ["", f"**{heading} ({len(changes)})**", ""]
        lines += [
            f"- **{c.level}** {_md(c.id, 100)} ({_transition(c)}): {_md(_reason(c), 1000)}"
            for c in changes[:_SHOWN]
        ]
        if len(changes) > _SHOWN:
            lines.append(f"- … and {len(changes) - _SHOWN} more")
    lines += ["", f"{_md(_counts(diff))}; exit code {diff.exit_code}"]
    return "\n".join(lines)
