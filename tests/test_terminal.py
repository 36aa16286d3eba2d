"""What the CLI prints: progress per profile, the summary, colours only where they belong."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from arouter_conformance.cli import main as cli_main
from arouter_conformance.engine import PlannedTest
from arouter_conformance.findings import Finding
from arouter_conformance.redact import Redactor
from arouter_conformance.reports import report_data
from arouter_conformance.results import RunStats, Status, SuiteRecord, aggregate
from arouter_conformance.spec import Spec
from arouter_conformance.terminal import Progress, Terminal, render_summary
from tests.targets import live

SGR = re.compile(r"\x1b\[[0-9;]*m")


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stream", "environ", "colour"),
    [
        (FakeTTY(), {}, True),
        (FakeTTY(), {"NO_COLOR": "1"}, False),
        (FakeTTY(), {"NO_COLOR": ""}, True),  # no-color.org: only a non-empty value counts
        (FakeTTY(), {"TERM": "dumb"}, False),
        (io.StringIO(), {}, False),  # a pipe or a file
    ],
)
def test_colours_only_on_a_terminal_without_no_color(
    stream: io.StringIO, environ: dict[str, str], colour: bool
) -> None:
    terminal = Terminal(stream, environ)
    assert terminal.colour is colour
    assert (terminal.paint("fail", "red") != "fail") is colour


def test_the_status_line_is_replaced_and_wiped_on_a_terminal_only() -> None:
    tty = FakeTTY()
    terminal = Terminal(tty, {})
    terminal.status("  chat: 3/14 tests")
    terminal.status("  chat: 4/14")
    terminal.line("  chat  done")
    assert tty.getvalue() == (
        "\r  chat: 3/14 tests" + "\r  chat: 4/14" + " " * 6 + "\r" + " " * 12 + "\r  chat  done\n"
    )
    pipe = io.StringIO()
    Terminal(pipe, {}).status("  chat: 3/14 tests")
    assert pipe.getvalue() == ""


def test_text_the_stream_cannot_encode_is_replaced_not_fatal() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii")
    Terminal(stream, {}).line("model “quoted” …")
    assert raw.getvalue() == b"model ?quoted? ?\n"


@pytest.fixture
def data(spec: Spec) -> dict[str, Any]:
    hostile = "\x1b[2J\x1b]0;owned\x07<b>x</b>\r\u202eevil sk-abcdef123456 key-0123456789"
    records = [
        SuiteRecord(
            "t::a", ("MODELS-LIST-001",), Status.FAILED, (Finding("MODELS-LIST-001", hostile),)
        ),
        SuiteRecord("t::b", ("MODELS-MODEL-002",), Status.FAILED, reason="a SHOULD"),
        SuiteRecord("t::c", ("CHAT-AUTH-001",), Status.ERROR, reason="TargetError: refused"),
        SuiteRecord(
            "t::d", ("MODELS-ERROR-001",), Status.PASSED, judged=frozenset({"MODELS-ERROR-001"})
        ),
        # MODELS-FILTER-002 fails, so MODELS-FILTER-003, which needs it, is blocked.
        SuiteRecord(
            "t::e",
            ("MODELS-FILTER-002",),
            Status.FAILED,
            (Finding("MODELS-FILTER-002", "audio answered the text list"),),
        ),
        SuiteRecord(
            "t::f", ("MODELS-FILTER-003",), Status.PASSED, judged=frozenset({"MODELS-FILTER-003"})
        ),
        SuiteRecord(
            "t::g",
            ("CHAT-STREAM-002",),
            Status.PASSED,
            unjudgeable={"CHAT-STREAM-002": "the stream held no events"},
        ),
    ]
    meta = RunStats(requests_sent=7, chat_requests_sent=1, duration_s=0.5)
    result = aggregate(spec, records, ["models", "chat"], meta)
    return report_data(result, Redactor(["key-0123456789"]))


def test_the_summary_table_and_what_was_not_met(data: dict[str, Any]) -> None:
    text = render_summary(data, Terminal(io.StringIO(), {}), [Path("r.html"), Path("r.json")])
    lines = text.splitlines()
    assert "profile          claimed passed failed blocked inconclusive error skipped  verdict" in (
        lines
    )
    assert (
        "models           yes          1      3       1            0     0      25  fail" in lines
    )
    assert (
        "chat             yes          0      0       0            1     1      27  error" in lines
    )
    assert (
        "count            no           0      0       0            0     0       3  skip" in lines
    )
    headings = [line for line in lines if line.endswith("):")]
    assert headings == [
        "MUST requirements failed (2):",
        "MUST requirements in error (1):",
        "MUST requirements inconclusive (1):",
        "MUST requirements blocked by a failure (1):",
        "SHOULD and MAY requirements failed (these never fail a run) (1):",
    ]
    assert any(line.startswith("  CHAT-AUTH-001            chat") for line in lines)
    assert any(
        re.match(r"  CHAT-STREAM-002 +chat +the stream held no events$", line) for line in lines
    )
    assert any(
        re.match(r"  MODELS-FILTER-003 +models +blocked by MODELS-FILTER-002, which failed", line)
        for line in lines
    )
    assert lines[-2] == "FAIL: 7 requests sent (1 chat) in 0.5 s; exit code 1"
    assert lines[-1] == "reports: r.html, r.json"


def test_nothing_from_the_target_acts_on_the_terminal(data: dict[str, Any]) -> None:
    for environ in ({}, {"NO_COLOR": "1"}):
        text = render_summary(data, Terminal(FakeTTY(), environ), [])
        ours = SGR.sub("", text)
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", ours)
        assert "\\x1b[2J\\x1b]0;owned\\x07<b>x</b>\\x0d\\u202eevil" in ours
        assert "sk-abcdef123456" not in ours
        assert "key-0123456789" not in ours
        assert (text != ours) == (not environ)  # colour codes only without NO_COLOR


def test_a_run_prints_a_line_per_profile_then_the_summary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = io.StringIO()
    monkeypatch.setenv("COLUMNS", "120")
    with contextlib.redirect_stdout(out):
        code = cli_main(["run", "--profile", "count", "--no-chat", "--json", str(tmp_path / "r")])
    assert code == 0
    text = out.getvalue()
    # Progress counts requirements (the summary's unit), never tests or their outcomes.
    assert re.search(r"^  count +3 requirements done  \(\d+\.\d s\)$", text, re.M)
    assert re.search(r"^  chat +\d+ requirements  not claimed$", text, re.M)
    assert " tests" not in text
    assert "count            yes          3      0       0            0     0       0  pass" in text
    assert "PASS: " in text
    assert "\x1b" not in text  # not a terminal: no colour
    assert "\r" not in text  # and no live status line
    assert " passed in " not in text  # pytest's own reporter is off without -v


async def _slow_baseline(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers /models at once, but never the list of all models in time."""
    if scope["type"] != "http":
        return
    if b"output_modalities=all" in scope["query_string"]:
        await asyncio.sleep(1.5)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b'{"data": []}'})


def test_why_a_run_stopped_is_one_line_even_without_pytest_s_reporter(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with live(_slow_baseline, tmp_path) as target:
        code = cli_main(["run", "--target-url", target.url, "--timeout", "0.3", "--no-chat"])
    assert code == 2
    err = capsys.readouterr().err
    assert err == (
        "arouter-conformance: target too slow: no answer to GET /models within 0.3 s"
        " (raise --timeout)\n"
    )
    assert len(err.strip().splitlines()) == 1


def test_a_suite_that_cannot_be_collected_is_named() -> None:
    progress = Progress(Terminal(io.StringIO(), {}))
    broken = pytest.CollectReport(
        "suites/test_x.py", "failed", "Traceback …\nE   ImportError: no module x", []
    )
    progress.pytest_collectreport(broken)
    assert progress.stopped == "cannot collect suites/test_x.py: E ImportError: no module x"


class _Item:
    def __init__(self, nodeid: str, *ids: str) -> None:
        self.nodeid = nodeid
        self._ids = ids

    def iter_markers(self, name: str) -> list[Any]:
        return [SimpleNamespace(args=self._ids)]


def test_progress_counts_requirements_whose_tests_have_all_finished() -> None:
    tty = FakeTTY()
    progress = Progress(Terminal(tty, {"NO_COLOR": "1"}))
    tests = {
        "t::a": PlannedTest("t::a", "count", ("COUNT-SHAPE-001",)),
        "t::b": PlannedTest("t::b", "count", ("COUNT-SHAPE-001", "COUNT-MATCH-001")),
        "t::c": PlannedTest("t::c", "count", ("COUNT-UNKNOWN-001",)),
        "t::d": PlannedTest("t::d", "lookup", ("LOOKUP-SHAPE-001",)),
    }
    progress.planned(list(tests.values()), frozenset({"count"}))

    def finish(nodeid: str) -> str:
        progress.test_done(tests[nodeid], 3.0)
        return tty.getvalue().split("\r")[-1].strip()

    assert finish("t::a") == "count: 0/3 requirements  (0/4 in all)"  # SHAPE-001 awaits t::b
    assert finish("t::b") == "count: 2/3 requirements  (2/4 in all)"
    finish("t::c")
    assert tty.getvalue().endswith("\r  count             3 requirements done  (9.0 s)\n")
    finish("t::d")
    assert re.search(r"^  lookup +1 requirements  not claimed$", tty.getvalue(), re.M)


def test_one_reason_shared_by_many_requirements_is_said_once(spec: Spec) -> None:
    """No model to chat with leaves every chat requirement inconclusive for one reason:
    one line, with how many it covers, not twenty copies of it."""
    why = "no model to chat with: name one with --chat-model"
    chat = [r.id for r in spec.requirements.values() if r.profile == "chat"]
    records = [SuiteRecord(f"t::{rid}", (rid,), Status.INCONCLUSIVE, reason=why) for rid in chat]
    data = report_data(aggregate(spec, records, ["chat"]), Redactor([]))
    text = render_summary(data, Terminal(io.StringIO()))
    lines = [line for line in text.splitlines() if why in line]
    assert len(lines) == 1, lines
    assert re.search(
        rf"\(\+{len([r for r in chat if spec.requirement(r).level == 'MUST']) - 1}\)", lines[0]
    )
