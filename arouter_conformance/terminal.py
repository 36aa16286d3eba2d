"""What `arouter-conformance run` prints: progress per profile, then a summary table.

By default the CLI turns pytest's own reporter off (`-p no:terminal`) and `Progress`
prints instead: one line per profile as its last test completes and, on a terminal only,
a counter that each new line replaces. Both count requirements, not tests: a requirement
is covered once every test that carries it has finished. Its status (passed, failed,
blocked, inconclusive...) is settled only after the run, so it is the summary's alone.
`-v` gives pytest's own output back (test by test, with tracebacks) and `Progress` stays
silent. Either way the run ends with `render_summary`: the profile table and the
requirements not met.

Colours only on a terminal and only when NO_COLOR is unset (https://no-color.org).
Text that came from a target reaches the terminal only from the report data, which is
redacted and inert, and passes `inert` once more here: an escape sequence in a model
name is shown as `\\x1b`, never acted on.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

import pytest

from arouter_conformance.engine import Observer, PlannedTest
from arouter_conformance.evidence import inert
from arouter_conformance.reports.text import STATUSES, count, headline, known_lines

__all__ = ["Progress", "Terminal", "baseline_lines", "render_summary"]

_SGR = {"green": "32", "red": "31", "yellow": "33", "dim": "2", "bold": "1"}
_TONE = {
    "pass": "green",
    "passed": "green",
    "known": "yellow",
    "fail": "red",
    "failed": "red",
    "error": "yellow",
    "inconclusive": "yellow",
    "blocked": "yellow",
    "skip": "dim",
    "skipped": "dim",
}
SHOWN = 20  # requirements listed per group in the summary; the report has the rest
Paint = Callable[[str, "str | None"], str]


class Terminal:
    """A text stream and what it can show: colours, a live status line, its encoding."""

    def __init__(self, stream: TextIO, environ: Mapping[str, str] = os.environ) -> None:
        self.stream = stream
        tty = stream.isatty()
        self.live = tty
        self.colour = tty and not environ.get("NO_COLOR") and environ.get("TERM") != "dumb"
        self._status = 0  # width of the status line on screen, to wipe it

    def paint(self, text: str, tone: str | None) -> str:
        if not self.colour or tone is None:
            return text
        return f"\x1b[{_SGR[tone]}m{text}\x1b[0m"

    def _write(self, text: str) -> None:
        encoding = getattr(self.stream, "encoding", None) or "utf-8"
        self.stream.write(text.encode(encoding, "replace").decode(encoding))
        self.stream.flush()

    def line(self, text: str = "") -> None:
        self.clear_status()
        self._write(text + "\n")

    def status(self, text: str) -> None:
        """A line that the next one replaces; only on a terminal."""
        if self.live:
            self._write("\r" + text.ljust(self._status))
            self._status = len(text)

    def clear_status(self) -> None:
        if self._status:
            self._write("\r" + " " * self._status + "\r")
            self._status = 0


def _one_line(text: str, width: int) -> str:
    text = " ".join(inert(text).split())
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


class Progress(Observer):
    """The run's observer: a line per profile when its tests are done, and a live counter
    of the requirements whose tests have all finished. Also a pytest plugin, for the two
    things only pytest's hooks say with its reporter off: an interrupt and a collection
    error."""

    def __init__(self, terminal: Terminal, *, quiet: bool = False) -> None:
        self.terminal = terminal
        self.quiet = quiet
        self.stopped: str | None = None  # why the session was stopped, if it was
        self._tests: Counter[str] = Counter()  # profile -> tests not finished yet
        self._pending: Counter[str] = Counter()  # requirement -> tests not finished yet
        self._requirements: defaultdict[str, set[str]] = defaultdict(set)  # profile -> ids
        self._seconds: defaultdict[str, float] = defaultdict(float)
        self._claimed: frozenset[str] = frozenset()

    def planned(self, tests: Sequence[PlannedTest], claimed: frozenset[str]) -> None:
        self._claimed = claimed
        for test in tests:
            self._tests[test.profile] += 1
            self._requirements[test.profile].update(test.requirements)
            self._pending.update(test.requirements)

    def _covered(self, profiles: Iterable[str]) -> tuple[int, int]:
        """(requirements whose tests have all finished, requirements) of `profiles`."""
        ids = [rid for profile in profiles for rid in self._requirements[profile]]
        return sum(self._pending[rid] == 0 for rid in ids), len(ids)

    def test_done(self, test: PlannedTest, duration: float) -> None:
        profile = test.profile
        self._seconds[profile] += duration
        self._tests[profile] -= 1
        self._pending.subtract(test.requirements)
        if self.quiet:
            return
        if self._tests[profile] == 0:
            self.terminal.line(self._profile_line(profile))
        else:
            done, total = self._covered([profile])
            finished, everything = self._covered(list(self._requirements))
            self.terminal.status(
                f"  {profile}: {done}/{total} requirements  ({finished}/{everything} in all)"
            )

    # pytest's reporter would say why a run stopped; with it off, these hooks keep the reason.
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if isinstance(excinfo.value, pytest.exit.Exception):
            self.stopped = _one_line(str(excinfo.value.msg), 500)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and self.stopped is None:
            error = str(report.longrepr).strip().splitlines() or ["error"]
            self.stopped = _one_line(f"cannot collect {report.nodeid}: {error[-1]}", 500)

    def pytest_sessionfinish(self) -> None:
        self.terminal.clear_status()

    def _profile_line(self, profile: str) -> str:
        done, _ = self._covered([profile])
        if profile not in self._claimed:
            return f"  {profile:<16}{done:>3} requirements  " + self.terminal.paint(
                "not claimed", "dim"
            )
        return f"  {profile:<16}{done:>3} requirements done  ({self._seconds[profile]:.1f} s)"


# The summary table's count columns: a status, and the colour its non-zero count takes.
_COLUMNS = {status: _TONE[status] if status != "passed" else None for status in STATUSES}


def _profile_rows(data: Mapping[str, Any], paint: Paint) -> list[str]:
    head = f"{'profile':<16} {'claimed':<7} " + " ".join(STATUSES)
    rows = [paint(head + "  verdict", "bold")]
    for p in data["profiles"]:
        cells = []
        for status, tone in _COLUMNS.items():
            n = count(p["counts"], status)
            # Only a count that matters is coloured: no one needs to see "0" in red.
            shown = f"{n:>{len(status)}}"
            cells.append(paint(shown, tone) if n and status != "skipped" else shown)
        verdict = paint(p["verdict"], _TONE[p["verdict"]])
        rows.append(
            f"{_one_line(p['name'], 16):<16} {'yes' if p['claimed'] else 'no':<7} "
            + " ".join(cells)
            + f"  {verdict}"
        )
    return rows


# (heading, levels, status): what the summary lists after the table, worst first.
_NOT_MET = (
    ("MUST requirements failed", ("MUST",), "failed"),
    ("MUST requirements in error", ("MUST",), "error"),
    ("MUST requirements inconclusive", ("MUST",), "inconclusive"),
    ("MUST requirements blocked by a failure", ("MUST",), "blocked"),
    (
        "SHOULD and MAY requirements failed (these never fail a run)",
        ("SHOULD", "MAY"),
        "failed",
    ),
)


def _not_met(data: Mapping[str, Any], paint: Paint, width: int) -> list[str]:
    lines: list[str] = []
    for heading, levels, status in _NOT_MET:
        chosen = [
            r
            for r in data["requirements"]
            if r["status"] == status and r["level"] in levels and not r.get("known")
        ]
        if not chosen:
            continue
        lines += ["", paint(f"{heading} ({len(chosen)}):", _TONE[status])]
        # One line per reason: twenty chat requirements with no model to chat with are
        # one thing to fix, said once.
        said: dict[tuple[str, str], list[str]] = {}
        for r in chosen:
            said.setdefault((r["profile"], headline(r)), []).append(r["id"])
        for (profile, reason), ids in list(said.items())[:SHOWN]:
            label = ids[0] if len(ids) == 1 else f"{ids[0]} (+{len(ids) - 1})"
            lead = f"  {_one_line(label, 24):<24} {_one_line(profile, 14):<14} "
            lines.append(lead + _one_line(reason, max(width - len(lead), 20)))
        if len(said) > SHOWN:
            lines.append(f"  … and {len(said) - SHOWN} more in the report")
    return lines + baseline_lines(data, paint, width)


def baseline_lines(data: Mapping[str, Any], paint: Paint, width: int) -> list[str]:
    """The known failures with their reasons, the baseline entries that passed, and whether
    the run rewrote the file: what a team keeping a baseline needs from the terminal."""
    lines: list[str] = []
    known, fixed = known_lines(data)
    if known:
        lines += ["", paint(f"Known failures, accepted by the baseline ({len(known)}):", "yellow")]
        lines += [f"  {_one_line(line, max(width - 2, 20))}" for line in known[:SHOWN]]
        if len(known) > SHOWN:
            lines.append(f"  … and {len(known) - SHOWN} more in the report")
    if fixed:
        lines += ["", paint(f"Fixed: remove from the baseline ({len(fixed)}):", "green")]
        lines.append("  " + ", ".join(fixed))
    baseline = data.get("baseline") or {}
    if baseline.get("updated"):
        entries = baseline.get("entries", 0)
        lines += [
            "",
            f"Baseline {_one_line(str(baseline['path']), 80)} rewritten: {entries} entries",
        ]
    return lines


def render_summary(
    data: Mapping[str, Any], terminal: Terminal, reports: Iterable[Path] = ()
) -> str:
    """The profile table, the requirements not met, the verdict line, the report paths."""
    width = shutil.get_terminal_size((120, 24)).columns
    run = data["run"]
    verdict = terminal.paint(data["verdict"].upper(), _TONE[data["verdict"]])
    lines = [
        "",
        *_profile_rows(data, terminal.paint),
        *_not_met(data, terminal.paint, width),
        *([f"the target did not hold still: {run['unsteady']}"] if run.get("unsteady") else []),
        "",
        f"{verdict}: {run['requests_sent']} requests sent ({run['chat_requests_sent']} chat) "
        f"in {run['duration_s']} s; exit code {data['exit_code']}",
    ]
    written = [str(path) for path in reports]
    if written:
        lines.append("reports: " + ", ".join(written))
    return "\n".join(lines)
