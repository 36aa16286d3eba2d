"""`arouter-conformance diff`: newly failing (exit 1), fixed and still failing (exit 0),
no longer judged, reports of older kits read, anything else refused in one line (exit 2),
and target text that cannot break the terminal or the Markdown."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from arouter_conformance import diff as diff_module
from arouter_conformance.cli import main
from arouter_conformance.diff import load_report
from tests.targets import REPO

EXAMPLE = json.loads((REPO / "reports" / "example" / "report.json").read_text("utf-8"))
Report = dict[str, Any]
Run = Callable[..., tuple[int, str, str]]


def _first(report: Report, level: str, status: str) -> str:
    rid: str = next(
        r["id"] for r in report["requirements"] if r["level"] == level and r["status"] == status
    )
    return rid


def _entry(report: Report, rid: str) -> dict[str, Any]:
    return next(r for r in report["requirements"] if r["id"] == rid)


def _set(report: Report, rid: str, status: str, reason: str | None = None, **more: Any) -> None:
    entry = _entry(report, rid)
    entry.update(status=status, reason=reason, **more)
    if status != "failed":
        entry.update(findings=[], findings_total=0)


def _section(out: str, heading: str) -> list[str]:
    """The lines under `heading (N):` in the text output, up to the next blank line."""
    lines = out.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(heading + " (")), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines)) if not lines[i]), len(lines))
    return lines[start + 1 : end]


def _mentions(lines: list[str], rid: str) -> bool:
    return any(f" {rid} " in line for line in lines)


@pytest.fixture
def old() -> Report:
    return copy.deepcopy(EXAMPLE)


@pytest.fixture
def new() -> Report:
    return copy.deepcopy(EXAMPLE)


@pytest.fixture
def run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """`arouter-conformance diff` in-process on two report values: exit code, stdout, stderr."""

    def go(old: object, new: object, *flags: str) -> tuple[int, str, str]:
        paths = []
        for name, value in (("old.json", old), ("new.json", new)):
            path = tmp_path / name
            if isinstance(value, bytes):
                path.write_bytes(value)
            else:
                path.write_text(json.dumps(value), encoding="utf-8")
            paths.append(str(path))
        code = main(["diff", *paths, *flags])
        out, err = capsys.readouterr()
        return code, out, err

    return go


def test_the_example_has_what_these_tests_change() -> None:
    statuses = {(r["level"], r["status"]) for r in EXAMPLE["requirements"]}
    assert {("MUST", "passed"), ("MUST", "failed"), ("SHOULD", "passed")} <= statuses


def test_a_new_failure_is_listed_and_exits_1(run: Run, old: Report, new: Report) -> None:
    rid = _first(old, "MUST", "passed")
    _set(new, rid, "failed", "the list answered 500")
    code, out, err = run(old, new)
    assert code == 1
    assert err == ""
    newly = _section(out, "Newly failing")
    assert newly == [line for line in newly if rid in line]  # only the one that changed
    assert len(newly) == 1
    assert "MUST" in newly[0]
    assert "passed → failed" in newly[0]
    assert newly[0].endswith("the list answered 500")
    assert not _mentions(_section(out, "Still failing"), rid)
    assert out.rstrip().endswith("1 newly failing: exit code 1")


def test_a_new_failure_of_any_level_exits_1(run: Run, old: Report, new: Report) -> None:
    rid = _first(old, "SHOULD", "passed")
    _set(new, rid, "error", "the connection was reset")  # error fails, as failed does
    code, out, _ = run(old, new)
    assert code == 1
    assert _mentions(_section(out, "Newly failing"), rid)


def test_a_requirement_absent_from_old_that_fails_is_new(
    run: Run, old: Report, new: Report
) -> None:
    rid = _first(new, "MUST", "failed")
    old["requirements"] = [r for r in old["requirements"] if r["id"] != rid]
    code, out, _ = run(old, new)
    assert code == 1
    newly = _section(out, "Newly failing")
    assert _mentions(newly, rid)
    assert "absent → failed" in newly[0]


def test_a_fix_is_listed_and_exits_0(run: Run, old: Report, new: Report) -> None:
    rid = _first(old, "MUST", "failed")
    first_finding = _entry(old, rid)["findings"][0]["message"]
    _set(new, rid, "passed")
    code, out, err = run(old, new)
    assert code == 0
    assert err == ""
    fixed = _section(out, "Fixed")
    assert len(fixed) == 1
    assert _mentions(fixed, rid)
    assert "failed → passed" in fixed[0]
    assert f"was: {first_finding[:40]}" in fixed[0]  # what used to fail
    assert _section(out, "Newly failing") == []
    assert not _mentions(_section(out, "Still failing"), rid)
    assert "nothing newly fails: exit code 0" in out


def test_what_fails_in_both_is_still_failing_and_exits_0(run: Run, old: Report) -> None:
    failing = [r["id"] for r in old["requirements"] if r["status"] == "failed"]
    code, out, _ = run(old, old)
    assert code == 0
    still = _section(out, "Still failing")
    assert len(still) == len(failing)
    assert all(_mentions(still, rid) for rid in failing)
    # MUST first, then SHOULD
    levels = [line.split()[0] for line in still]
    assert levels == sorted(levels, key=("MUST", "SHOULD", "MAY").index)
    assert _section(out, "Newly failing") == _section(out, "Fixed") == []


def test_passed_then_unjudged_is_no_longer_judged_and_not_a_failure(
    run: Run, old: Report, new: Report
) -> None:
    blocker = _first(old, "MUST", "failed")
    blocked = _first(old, "MUST", "passed")
    vague = _first(old, "SHOULD", "passed")
    _set(new, blocked, "blocked", f"blocked by {blocker}", blocked_by=blocker)
    _set(new, vague, "inconclusive", "every model ties on the sort key")
    code, out, _ = run(old, new)
    assert code == 0
    gone = _section(out, "No longer judged")
    assert len(gone) == 2
    assert "passed → blocked" in gone[0]
    assert gone[0].endswith(f"blocked by {blocker}")
    assert "passed → inconclusive" in gone[1]
    assert gone[1].endswith("every model ties on the sort key")


def test_a_failure_now_blocked_is_no_longer_judged_not_fixed(
    run: Run, old: Report, new: Report
) -> None:
    rid = _first(old, "MUST", "failed")
    other = _first(old, "MUST", "passed")
    _set(new, other, "failed", "a new root failure")
    _set(new, rid, "blocked", f"blocked by {other}", blocked_by=other)
    code, out, _ = run(old, new)
    assert code == 1
    assert _mentions(_section(out, "No longer judged"), rid)
    assert not _mentions(_section(out, "Fixed"), rid)


def test_a_known_failure_is_marked_and_still_counts(run: Run, old: Report, new: Report) -> None:
    rid = _first(old, "MUST", "passed")
    _set(new, rid, "failed", "answered 500", known="upstream bug #12, fixed in March")
    code, out, _ = run(old, new)
    assert code == 1
    assert _section(out, "Newly failing")[0].endswith(
        "answered 500 [known failure: upstream bug #12, fixed in March]"
    )


def test_a_report_of_an_older_kit_is_read(run: Run, old: Report, new: Report) -> None:
    """Fields added later (blocked_by, known, baseline...) and all the optional ones may be
    missing: id, level and status are enough."""
    rid = _first(old, "MUST", "passed")
    old = {
        "format": old["format"],
        "requirements": [
            {key: r[key] for key in ("id", "level", "status")} for r in old["requirements"]
        ],
    }
    _set(new, rid, "failed", "now broken")
    code, out, err = run(old, new)
    assert (code, err) == (1, "")
    assert _mentions(_section(out, "Newly failing"), rid)
    code, out, err = run(new, old)  # and as NEW: a fix is told by what OLD said
    assert (code, err) == (0, "")
    assert _section(out, "Fixed")[0].endswith("was: now broken")


def test_different_targets_and_catalogs_are_one_line_notes(
    run: Run, old: Report, new: Report
) -> None:
    old["run"].update(embedded=False, target_url="https://a.example/v1")
    new["run"].update(embedded=False, target_url="https://b.example/v1")
    new["spec_version"] = "9.9.9"
    code, out, _ = run(old, new)
    assert code == 0
    notes = [line for line in out.splitlines() if line.startswith("note: ")]
    assert notes == [
        "note: the runs judged different targets: https://a.example/v1, then https://b.example/v1",
        f"note: the runs judged by different catalog versions: spec {old['spec_version']}, "
        "then 9.9.9",
    ]


def test_two_runs_of_the_embedded_server_are_the_same_target(
    run: Run, old: Report, new: Report
) -> None:
    old["run"].update(embedded=True, target_url="http://127.0.0.1:1111/v1")
    new["run"].update(embedded=True, target_url="http://127.0.0.1:2222/v1")
    _, out, _ = run(old, new)
    assert "note:" not in out


HOSTILE = "a|b `code` <img src=x onerror=alert(1)> **bold**\nsecond line\x1b[31mred\x07 \u202eevil"


def test_target_text_cannot_break_the_terminal(run: Run, old: Report, new: Report) -> None:
    rid = _first(old, "MUST", "passed")
    _set(new, rid, "failed", HOSTILE)
    code, out, _ = run(old, new)
    assert code == 1
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\u202e" not in out
    (line,) = _section(out, "Newly failing")  # the newline did not start a line of its own
    assert "second line\\x1b[31mred\\x07 \\u202eevil" in line


def test_target_text_cannot_break_the_markdown(run: Run, old: Report, new: Report) -> None:
    rid = _first(old, "MUST", "passed")
    _set(new, rid, "failed", HOSTILE)
    code, out, _ = run(old, new, "--markdown")
    assert code == 1
    assert out.startswith("### arouter-conformance diff: 1 newly failing\n")
    lines = out.splitlines()
    assert "**Newly failing (1)**" in lines
    (item,) = [line for line in lines if line.startswith("- **MUST**") and "passed" in line]
    assert "(passed → failed)" in item
    assert "<img" not in out
    assert "&lt;img" in item
    assert "\\|" in item
    assert "\\`code\\`" in item
    assert "\\*\\*bold\\*\\*" in item
    assert "\x1b" not in out
    assert "second line" in item  # joined to the same line
    assert "**Still failing" in out


def test_markdown_without_new_failures_says_so(run: Run, old: Report) -> None:
    code, out, _ = run(old, old, "--markdown")
    assert code == 0
    assert out.startswith("### arouter-conformance diff: nothing newly fails\n")
    assert "exit code 0" in out.splitlines()[-1]


def _with_format(value: str) -> Report:
    report: Report = copy.deepcopy(EXAMPLE)
    report["format"] = value
    return report


def _without_status() -> Report:
    report: Report = copy.deepcopy(EXAMPLE)
    del report["requirements"][3]["status"]
    return report


def _with_status(value: str) -> Report:
    report: Report = copy.deepcopy(EXAMPLE)
    report["requirements"][0]["status"] = value
    return report


def _twice() -> Report:
    report: Report = copy.deepcopy(EXAMPLE)
    report["requirements"].append(report["requirements"][0])
    return report


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"<html>not a report</html>", "not JSON (Expecting value: line 1 column 1 (char 0))"),
        (b"", "not JSON (Expecting value"),
        (b'{"format": "arouter-conformance-report/1", "requirements": []', "not JSON ("),
        (b"\x80\x81 not text", "not JSON (not UTF-8 text)"),
        (b"[" * 100_000 + b"]" * 100_000, "not JSON this kit can read (nested too deeply)"),
        ([1, 2, 3], "not an arouter-conformance report"),
        ({"tests": 3, "failures": 0}, "not an arouter-conformance report"),
        (_with_format("junit"), "not an arouter-conformance report"),
        (
            _with_format("arouter-conformance-report/2"),
            "report format arouter-conformance-report/2, "
            "this kit reads arouter-conformance-report/1",
        ),
        (
            {"format": "arouter-conformance-report/1"},
            "not an arouter-conformance report (at the top level: 'requirements' is a "
            "required property)",
        ),
        (
            _without_status(),
            "not an arouter-conformance report (at requirements/3: 'status' is a required "
            "property)",
        ),
        (_with_status("meh"), "not an arouter-conformance report (at requirements/0/status: "),
        (
            _twice(),
            f"not an arouter-conformance report ({EXAMPLE['requirements'][0]['id']} "
            "is listed twice)",
        ),
    ],
    ids=[
        "html",
        "empty",
        "truncated",
        "binary",
        "deep",
        "array",
        "other-json",
        "other-format",
        "later-format",
        "no-requirements",
        "no-status",
        "bad-status",
        "duplicate-id",
    ],
)
def test_a_file_that_is_not_a_report_is_refused_in_one_line(
    run: Run, old: Report, content: object, why: str
) -> None:
    for refused_as, (first, second) in (("old", (content, old)), ("new", (old, content))):
        code, out, err = run(first, second)
        assert code == 2
        assert out == ""
        assert err.count("\n") == 1
        assert err.startswith("arouter-conformance: ")
        assert f"{refused_as}.json: {why}" in err
        assert "Traceback" not in err


def test_a_missing_file_or_a_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "r.json"
    report.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    for path, why in ((tmp_path / "nope.json", "no such file"), (tmp_path, "is a directory")):
        assert main(["diff", str(path), str(report)]) == 2
        err = capsys.readouterr().err
        assert err == f"arouter-conformance: {path}: {why}" + (
            ", not a report\n" if path == tmp_path else "\n"
        )


def test_a_huge_file_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(diff_module, "MAX_BYTES", 1_000_000)
    huge = tmp_path / "huge.json"
    huge.write_bytes(b" " * 1_000_001)
    assert main(["diff", str(huge), str(huge)]) == 2
    assert capsys.readouterr().err == (
        f"arouter-conformance: {huge}: larger than 1 MB, far more than a report holds\n"
    )


def test_load_report_names_the_file_as_given(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match=r"^OLD\.json: not an arouter-conformance report$"):
        load_report(path, "OLD.json")


def test_help_says_when_it_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["diff", "--help"])
    assert exit_.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit code 1 when any requirement newly fails, whatever its level" in text
    assert "--markdown" in text


def test_the_installed_command(tmp_path: Path, old: Report, new: Report) -> None:
    command = Path(sys.executable).parent / "arouter-conformance"
    if not command.exists():
        pytest.skip("the console script is not installed beside this Python")
    rid = _first(old, "MUST", "passed")
    _set(new, rid, "failed", "broken now")
    paths = [tmp_path / "old.json", tmp_path / "new.json"]
    for path, value in zip(paths, (old, new), strict=True):
        path.write_text(json.dumps(value), encoding="utf-8")
    done = subprocess.run(
        [str(command), "diff", *map(str, paths), "--markdown"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "**Newly failing (1)**" in done.stdout
    assert done.stderr == ""
    refused = subprocess.run(
        [str(command), "diff", str(paths[0]), str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 2
    assert refused.stderr == f"arouter-conformance: {tmp_path / 'missing.json'}: no such file\n"
