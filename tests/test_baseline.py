"""Known failures (`--baseline`): accepted, fixed, unknown ids, and `--update-baseline`."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
import yaml

import reference_server
from arouter_conformance.cli import main as cli_main
from arouter_conformance.findings import Finding
from arouter_conformance.known import BaselineError, load_known, render_known, updated_known
from arouter_conformance.results import (
    EXIT_ERROR,
    EXIT_PASSED,
    RunStats,
    Status,
    SuiteRecord,
    aggregate,
)
from arouter_conformance.spec import Spec
from tests.targets import live, pytest_door, run_cli, statuses

COUNT = ["--profile", "count", "--examples", "2"]


class CountOffByOne(reference_server.Queries):
    """One defect: the count is one more than the list holds (COUNT-MATCH-001 fails)."""

    def count(self, *args: Any, **kwargs: Any) -> Any:
        return super().count(*args, **kwargs) + 1


def baseline(path: Path, known: dict[str, str]) -> Path:
    path.write_text(yaml.safe_dump({"known": known}), encoding="utf-8")
    return path


def requirement(report: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in report["requirements"] if r["id"] == rid)


# ---------------------------------------------------------------- the file


def test_a_baseline_naming_an_unknown_requirement_is_refused(tmp_path: Path, spec: Spec) -> None:
    path = baseline(tmp_path / "known.yaml", {"COUNT-MATCH-001": "ok", "COUNT-NOPE-009": "typo"})
    with pytest.raises(BaselineError, match="no requirement 'COUNT-NOPE-009' in the catalog"):
        load_known(path, spec)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("known: {COUNT-MATCH-001: ''}", "at known/COUNT-MATCH-001: expected a reason"),
        ("known: {count-match: why}", "at known 'count-match': expected a requirement id"),
        ("known: {}\nknown: {COUNT-MATCH-001: why}", "the key 'known' is written twice (line 2)"),
        ("known:\n  COUNT-MATCH-001: a\n  COUNT-MATCH-001: b", "'COUNT-MATCH-001' is written"),
        ("known: [COUNT-MATCH-001]", "at known"),
        ("ids: {}", "unknown key 'ids': the file has one key, known"),
        ("known: {}\nextra: 1", "unknown key 'extra'"),
        ("", "expected a mapping with one key, known:"),
        ("[]", "expected a mapping with one key, known:"),
        ("known: {a: [", "not valid YAML (line 1)"),
    ],
)
def test_a_baseline_the_schema_refuses_names_the_place(
    tmp_path: Path, spec: Spec, text: str, message: str
) -> None:
    path = tmp_path / "known.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError, match=r"baseline .*known\.yaml") as raised:
        load_known(path, spec)
    assert message in str(raised.value)


def test_an_absent_baseline_is_refused_unless_it_is_to_be_written(
    tmp_path: Path, spec: Spec
) -> None:
    with pytest.raises(BaselineError, match="does not exist"):
        load_known(tmp_path / "absent.yaml", spec)
    assert load_known(tmp_path / "absent.yaml", spec, missing_ok=True) == {}
    assert load_known(baseline(tmp_path / "empty.yaml", {}), spec) == {}


def test_the_written_file_reads_back_and_says_what_it_is(tmp_path: Path, spec: Spec) -> None:
    text = render_known({"COUNT-MATCH-001": "ticket 12: count: off by one"})
    assert text.startswith("# Known failures for arouter-conformance")
    path = tmp_path / "known.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_known(path, spec) == {"COUNT-MATCH-001": "ticket 12: count: off by one"}


# ---------------------------------------------------------------- judging with it


def record(rid: str, outcome: Status, *findings: Finding) -> SuiteRecord:
    return SuiteRecord("suite::test", (rid,), outcome, findings, judged=frozenset({rid}))


def test_a_requirement_blocked_by_a_known_failure_is_known_too(spec: Spec) -> None:
    records = [
        record("COUNT-SHAPE-001", Status.FAILED, Finding("COUNT-SHAPE-001", "no count")),
        record("COUNT-MATCH-001", Status.PASSED),
        record("COUNT-UNKNOWN-001", Status.PASSED),
    ]
    unaccepted = aggregate(spec, records, ["count"])
    result = aggregate(spec, records, ["count"], known={"COUNT-SHAPE-001": "v2 adds it"})
    by_id = {r.requirement.id: r for r in result.requirements}
    assert unaccepted.exit_code == 1
    assert result.exit_code == EXIT_PASSED
    assert by_id["COUNT-SHAPE-001"].status is Status.FAILED  # the status stays what it is
    assert by_id["COUNT-SHAPE-001"].known == "v2 adds it"
    assert by_id["COUNT-MATCH-001"].status is Status.BLOCKED
    assert by_id["COUNT-MATCH-001"].known == "blocked by COUNT-SHAPE-001, a known failure"
    count = next(p for p in result.profiles if p.name == "count")
    assert (count.verdict, count.known) == ("known", 3)


def test_a_listed_requirement_that_passes_is_fixed_not_known(spec: Spec) -> None:
    records = [record("COUNT-SHAPE-001", Status.PASSED)]
    result = aggregate(spec, records, ["count"], known={"COUNT-SHAPE-001": "v2 adds it"})
    assert result.fixed == ("COUNT-SHAPE-001",)
    assert all(r.known is None for r in result.requirements)


def test_known_failures_do_not_hide_a_new_one(spec: Spec) -> None:
    records = [
        record("COUNT-SHAPE-001", Status.PASSED),
        record("COUNT-MATCH-001", Status.FAILED, Finding("COUNT-MATCH-001", "off by one")),
        record("COUNT-UNKNOWN-001", Status.FAILED, Finding("COUNT-UNKNOWN-001", "not 0")),
    ]
    result = aggregate(spec, records, ["count"], known={"COUNT-MATCH-001": "ticket 12"})
    assert result.exit_code == 1
    assert next(p for p in result.profiles if p.name == "count").verdict == "fail"


def test_update_keeps_reasons_drops_fixed_keeps_unjudged_and_adds_root_causes(
    spec: Spec,
) -> None:
    records = [
        record("COUNT-SHAPE-001", Status.FAILED, Finding("COUNT-SHAPE-001", "no \x1b count")),
        record("COUNT-MATCH-001", Status.PASSED),
        record("SORT-SET-001", Status.PASSED),
        record("SORT-CONTEXT-001", Status.ERROR),  # the network broke: not a known failure
    ]
    previous = {"SORT-SET-001": "fixed now", "CHAT-AUTH-001": "not judged in this run"}
    result = aggregate(spec, records, ["count", "sort"], known=previous)
    updated = updated_known(
        result, previous, lambda text: text.replace("\x1b", "\\x1b"), datetime.date(2026, 1, 2)
    )
    assert updated == {
        "CHAT-AUTH-001": "not judged in this run",
        "COUNT-SHAPE-001": "failed on 2026-01-02: no \\x1b count",
    }  # COUNT-MATCH-001 is blocked by COUNT-SHAPE-001: its entry covers it


# ---------------------------------------------------------------- through the front doors


def test_a_known_failure_lets_the_run_pass_and_is_shown_as_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    known = baseline(tmp_path / "known.yaml", {"COUNT-MATCH-001": "ticket 12: off by one"})
    junit = tmp_path / "junit.xml"
    with live(reference_server.create_app(queries=CountOffByOne), tmp_path) as target:
        unaccepted, _ = run_cli(target, tmp_path, *COUNT, monkeypatch=monkeypatch)
        capsys.readouterr()
        code, report = run_cli(
            target,
            tmp_path,
            *COUNT,
            "--baseline",
            str(known),
            "--junit",
            str(junit),
            monkeypatch=monkeypatch,
        )
    assert (unaccepted, code) == (1, EXIT_PASSED)
    assert report["verdict"] == "known"
    match = requirement(report, "COUNT-MATCH-001")
    assert (match["status"], match["known"]) == ("failed", "ticket 12: off by one")
    assert report["baseline"] == {
        "path": str(known),
        "updated": False,
        "entries": 1,
        "known": ["COUNT-MATCH-001"],
        "fixed": [],
    }
    assert next(p for p in report["profiles"] if p["name"] == "count")["verdict"] == "known"
    case = ET.fromstring(junit.read_text(encoding="utf-8")).find(  # noqa: S314 - the kit's own file
        ".//testcase[@name='COUNT-MATCH-001']"
    )
    assert case is not None
    assert case.find("failure") is None
    skipped = case.find("skipped")
    assert skipped is not None
    assert "known failure" in skipped.get("message", "")
    printed = capsys.readouterr().out
    assert "Known failures, accepted by the baseline (1):" in printed
    assert "MUST requirements failed" not in printed


def test_a_listed_requirement_that_passes_is_reported_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    known = baseline(tmp_path / "known.yaml", {"COUNT-MATCH-001": "ticket 12"})
    with live(reference_server.create_app(), tmp_path) as target:
        code, report = run_cli(
            target, tmp_path, *COUNT, "--baseline", str(known), monkeypatch=monkeypatch
        )
    assert code == EXIT_PASSED
    assert report["verdict"] == "pass"
    assert report["baseline"]["fixed"] == ["COUNT-MATCH-001"]
    assert requirement(report, "COUNT-MATCH-001")["known"] is None
    assert "Fixed: remove from the baseline (1):\n  COUNT-MATCH-001" in capsys.readouterr().out


def test_an_unknown_id_stops_the_run_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    known = baseline(tmp_path / "known.yaml", {"COUNT-MATCH-01": "typo"})
    report = tmp_path / "report.json"
    code = cli_main(["run", *COUNT, "--baseline", str(known), "--json", str(report)])
    assert code == EXIT_ERROR
    err = capsys.readouterr().err.strip()
    assert err == (
        f"arouter-conformance: baseline {known}: no requirement 'COUNT-MATCH-01' in the catalog"
    )
    assert not report.exists()


def test_update_baseline_needs_the_file_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["run", *COUNT, "--update-baseline"]) == EXIT_ERROR
    assert "--update-baseline needs --baseline FILE" in capsys.readouterr().err


def test_update_baseline_writes_what_the_next_run_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    known = baseline(tmp_path / "known.yaml", {"SORT-SET-001": "another profile, kept"})
    update = [*COUNT, "--baseline", str(known), "--update-baseline"]
    with live(reference_server.create_app(queries=CountOffByOne), tmp_path) as target:
        code, report = run_cli(target, tmp_path, *update, monkeypatch=monkeypatch)
        written = yaml.safe_load(known.read_text(encoding="utf-8"))["known"]
        # A reason written by a person survives the next update.
        written["COUNT-MATCH-001"] = "ticket 12"
        baseline(known, written)
        again, _ = run_cli(target, tmp_path, *update, monkeypatch=monkeypatch)
        after, report_after = run_cli(
            target, tmp_path, *COUNT, "--baseline", str(known), monkeypatch=monkeypatch
        )
    assert (code, again, after) == (EXIT_PASSED, EXIT_PASSED, EXIT_PASSED)
    assert report["baseline"]["updated"] is True
    assert report["verdict"] == report_after["verdict"] == "known"
    final = yaml.safe_load(known.read_text(encoding="utf-8"))["known"]
    assert final == {"COUNT-MATCH-001": "ticket 12", "SORT-SET-001": "another profile, kept"}


def test_update_baseline_drops_what_is_fixed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    known = baseline(tmp_path / "known.yaml", {"COUNT-MATCH-001": "ticket 12"})
    with live(reference_server.create_app(), tmp_path) as target:
        code, report = run_cli(
            target,
            tmp_path,
            *COUNT,
            "--baseline",
            str(known),
            "--update-baseline",
            monkeypatch=monkeypatch,
        )
    assert code == EXIT_PASSED
    assert yaml.safe_load(known.read_text(encoding="utf-8")) == {"known": {}}
    assert report["baseline"]["fixed"] == []  # judged against the file as rewritten
    assert f"Baseline {known} rewritten: 0 entries" in capsys.readouterr().out


def test_the_pytest_door_takes_the_baseline_and_says_what_it_accepted(tmp_path: Path) -> None:
    known = baseline(
        tmp_path / "known.yaml", {"COUNT-MATCH-001": "ticket 12", "COUNT-SHAPE-001": "was off"}
    )
    with live(reference_server.create_app(queries=CountOffByOne), tmp_path) as target:
        done, report = pytest_door(
            target,
            tmp_path,
            "--conformance-profile",
            "count",
            "--conformance-examples",
            "2",
            "--conformance-baseline",
            str(known),
        )
    assert done.returncode == EXIT_PASSED, done.stdout[-2000:]
    assert statuses(report)["COUNT-MATCH-001"] == "failed"
    assert requirement(report, "COUNT-MATCH-001")["known"] == "ticket 12"
    # pytest shows the failed test in red; the kit says why the run still passes.
    assert " arouter-conformance: known, exit code 0 " in done.stdout
    assert (
        "Known failures, accepted by the baseline (1):\n  COUNT-MATCH-001: ticket 12" in done.stdout
    )
    assert "Fixed: remove from the baseline (1):\n  COUNT-SHAPE-001" in done.stdout
    assert json.dumps(report["baseline"]["known"]) == '["COUNT-MATCH-001"]'


def test_every_format_shows_known_and_fixed_apart_from_what_is_not_met(spec: Spec) -> None:
    from arouter_conformance.redact import Redactor
    from arouter_conformance.reports import render_html, render_junit, render_markdown, report_data

    records = [
        record("COUNT-SHAPE-001", Status.PASSED),
        record("COUNT-MATCH-001", Status.FAILED, Finding("COUNT-MATCH-001", "off by one")),
        record("COUNT-UNKNOWN-001", Status.PASSED),
    ]
    known = {"COUNT-MATCH-001": "ticket <b>12</b>", "COUNT-UNKNOWN-001": "was broken"}
    result = aggregate(spec, records, ["count"], RunStats(baseline="known.yaml"), known=known)
    data = report_data(result, Redactor())
    markdown = render_markdown(data)
    assert "**Known failures, accepted by the baseline (1)**" in markdown
    assert "COUNT\\-MATCH\\-001\\: ticket &lt;b&gt;12&lt;\\/b&gt;" in markdown
    assert "**Fixed: remove from the baseline (1)**\n\nCOUNT\\-UNKNOWN\\-001" in markdown
    assert "MUST requirements not met" not in markdown
    page = render_html(data)
    assert '<span class="badge v-known">known</span>' in page
    assert "Known failure, accepted by the baseline: ticket &lt;b&gt;12&lt;/b&gt;" in page
    assert "remove it from the baseline" in page
    assert 'fixed, remove from the baseline: <a href="#COUNT-UNKNOWN-001">' in page
    assert "<failure" not in render_junit(data)


def test_the_readme_example_is_a_valid_baseline(tmp_path: Path, spec: Spec) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Known failures", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "known.yaml"
    path.write_text(example, encoding="utf-8")
    assert set(load_known(path, spec)) == {"MODELS-ERROR-001", "SORT-PRICE-001"}


def test_a_run_that_stopped_early_leaves_the_baseline_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_cli import cut_off_app

    known = baseline(tmp_path / "known.yaml", {"COUNT-MATCH-001": "ticket 12"})
    before = known.read_text(encoding="utf-8")
    with live(cut_off_app, tmp_path) as target:
        code, report = run_cli(
            target,
            tmp_path,
            "--no-chat",
            "--baseline",
            str(known),
            "--update-baseline",
            monkeypatch=monkeypatch,
        )
    assert code == EXIT_ERROR
    assert known.read_text(encoding="utf-8") == before
    assert report["baseline"]["updated"] is False


def test_an_error_is_never_accepted_by_the_baseline(spec: Spec) -> None:
    """An error says the kit or the network broke: no file makes that the gateway's way."""
    records = [
        record("COUNT-SHAPE-001", Status.PASSED),
        SuiteRecord("suite::t", ("COUNT-MATCH-001",), Status.ERROR, reason="TargetError: reset"),
    ]
    result = aggregate(spec, records, ["count"], known={"COUNT-MATCH-001": "ticket 12"})
    match = next(r for r in result.requirements if r.requirement.id == "COUNT-MATCH-001")
    assert (match.status, match.known) == (Status.ERROR, None)
    assert result.exit_code == EXIT_ERROR


def test_update_with_a_requirement_selection_writes_no_inconclusive_bystander(
    spec: Spec,
) -> None:
    """--requirement MODELS-LIST-001: its test carries MODELS-AUTH-001 too, which another,
    deselected test judges; left inconclusive here, it says nothing about the gateway."""
    records = [
        SuiteRecord(
            "suite::test",
            ("MODELS-LIST-001", "MODELS-AUTH-001"),
            Status.PASSED,
            judged=frozenset({"MODELS-LIST-001"}),
        )
    ]
    selected = ("MODELS-LIST-001",)
    result = aggregate(spec, records, ["models"], selected=selected)
    bystander = next(r for r in result.requirements if r.requirement.id == "MODELS-AUTH-001")
    assert bystander.status is Status.INCONCLUSIVE
    assert updated_known(result, {}, str, selected=selected) == {}
    assert "MODELS-AUTH-001" in updated_known(result, {}, str)  # a whole run: it is unmet
