"""The report writers on a hand-made run: schema, redaction, evidence, escaping, paths.

Live hostile targets are in test_report_safety.py; here every case is small and exact.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import re
import shlex
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from jsonschema import Draft202012Validator

from arouter_conformance.config import ConfigError, ReportPaths
from arouter_conformance.findings import Finding
from arouter_conformance.redact import Redactor
from arouter_conformance.reports import (
    ReportError,
    check_writable,
    render_html,
    render_junit,
    render_markdown,
    report_data,
    write_json,
    write_reports,
)
from arouter_conformance.reports.json_report import SCHEMA_ID
from arouter_conformance.results import RunResult, RunStats, Status, SuiteRecord, aggregate
from arouter_conformance.spec import Spec
from tests.factories import exchange
from tests.targets import run_subprocess

KEY = "gw-unit-key-0123456789"
RESTRICTED = "gw-unit-restricted-987654"
HOSTILE = "<script>alert(1)</script>\x1b[2J\x00\ud800\ufffe]]>"
REPO = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((REPO / "spec" / "report.schema.json").read_text(encoding="utf-8"))
ACTIVE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\ud800-\udfff\ufffe\uffff]")
META = RunStats(
    kit_version="0.1.0",
    target_url="http://user:pw@gateway.test/v1",
    embedded=False,
    started_at="2026-01-02T03:04:05Z",
    duration_s=1.5,
    requests_sent=12,
    chat_requests_sent=2,
    request_budget=1000,
    chat_budget=30,
    examples=20,
    seed=None,
)


def schema_errors(data: Any) -> list[str]:
    return [e.message for e in Draft202012Validator(SCHEMA).iter_errors(data)]


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def make_result(spec: Spec) -> RunResult:
    """A run over models and chat with a requirement in every status, hostile text in it."""
    listing = exchange({"error": HOSTILE, "echo": f"Bearer {KEY}"}, status=500)
    chat = exchange(
        {"usage": {"total_tokens": 3}},
        method="POST",
        path="/chat/completions",
        auth="restricted",
        request_body=b'{"model": "a/b", "note": "it\'s"}',
    )
    findings = (
        Finding(
            "MODELS-LIST-001",
            f"GET /v1/models -> 500: {HOSTILE} {KEY}",
            expected="200",
            observed=f"500 {KEY}",
            exchange=listing,
            pointer="/data",
            schema_path="/properties/data/type",
        ),
        Finding("MODELS-LIST-001", "a second finding on the same answer", exchange=listing),
    )
    records = [
        SuiteRecord(
            "test_models.py::test_list",
            ("MODELS-LIST-001",),
            Status.FAILED,
            findings,
            example="Failing test case: spaced(drawn=(('text',), 'text , image'))",
        ),
        SuiteRecord("test_models.py::test_len", ("MODELS-MODEL-002",), Status.FAILED, reason="no"),
        SuiteRecord(
            "test_chat.py::test_usage",
            ("CHAT-USAGE-001",),
            Status.FAILED,
            (Finding("CHAT-USAGE-001", "total_tokens 3 is not 1 + 1", exchange=chat),),
        ),
        SuiteRecord("test_chat.py::t", ("CHAT-AUTH-001",), Status.ERROR, reason=f"boom {KEY}"),
        SuiteRecord(
            "test_models.py::test_ok",
            ("MODELS-ERROR-001",),
            Status.PASSED,
            judged=frozenset({"MODELS-ERROR-001"}),
        ),
        # One requirement in each of the other statuses: blocked (its prerequisite
        # MODELS-FILTER-002 failed), inconclusive (a MUST and a SHOULD), skipped.
        SuiteRecord(
            "test_models.py::test_arch",
            ("MODELS-FILTER-002",),
            Status.FAILED,
            (Finding("MODELS-FILTER-002", "architecture.modality is missing"),),
        ),
        SuiteRecord(
            "test_models.py::test_filter",
            ("MODELS-FILTER-003",),
            Status.PASSED,
            judged=frozenset({"MODELS-FILTER-003"}),
        ),
        SuiteRecord(
            "test_chat.py::test_stream",
            ("CHAT-STREAM-002",),
            Status.PASSED,
            unjudgeable={"CHAT-STREAM-002": f"the stream held no events {HOSTILE}"},
        ),
        SuiteRecord(
            "test_models.py::test_errors",
            ("MODELS-ERROR-002",),
            Status.PASSED,
            unjudgeable={"MODELS-ERROR-002": "every model ties on the sort key"},
        ),
        SuiteRecord(
            "test_models.py::test_spec",
            ("MODELS-SPEC-003",),
            Status.SKIPPED,
            reason="not applicable: the target declares no such thing",
        ),
    ]
    return aggregate(spec, records, ["models", "chat"], META)


@pytest.fixture
def result(spec: Spec) -> RunResult:
    return make_result(spec)


@pytest.fixture
def data(result: RunResult) -> dict[str, Any]:
    return report_data(result, Redactor([KEY, RESTRICTED]))


def requirement(data: dict[str, Any], rid: str) -> dict[str, Any]:
    found: dict[str, Any] = next(r for r in data["requirements"] if r["id"] == rid)
    return found


# ------------------------------------------------------------------------------ JSON


def test_report_data_is_valid_against_its_schema(data: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$id"] == SCHEMA_ID == data["$schema"]
    assert schema_errors(data) == []
    assert schema_errors(json.loads(json.dumps(data))) == []


def test_every_status_is_reported_with_its_reason_and_counts(data: dict[str, Any]) -> None:
    statuses = {r["id"]: r["status"] for r in data["requirements"]}
    assert {
        rid: statuses[rid]
        for rid in (
            "MODELS-ERROR-001",
            "MODELS-LIST-001",
            "MODELS-FILTER-003",
            "CHAT-STREAM-002",
            "MODELS-SPEC-003",
            "CHAT-AUTH-001",
        )
    } == {
        "MODELS-ERROR-001": "passed",
        "MODELS-LIST-001": "failed",
        "MODELS-FILTER-003": "blocked",
        "CHAT-STREAM-002": "inconclusive",
        "MODELS-SPEC-003": "skipped",
        "CHAT-AUTH-001": "error",
    }
    blocked = requirement(data, "MODELS-FILTER-003")
    assert blocked["blocked_by"] == "MODELS-FILTER-002"
    assert "MODELS-FILTER-002" in blocked["reason"]
    assert all(r["blocked_by"] is None for r in data["requirements"] if r is not blocked)
    inconclusive = requirement(data, "CHAT-STREAM-002")
    assert inconclusive["reason"].startswith("the stream held no events <script>")
    models = next(p for p in data["profiles"] if p["name"] == "models")
    assert models["counts"] == {
        "passed": 1,
        "failed": 3,
        "blocked": 1,
        "inconclusive": 1,
        "skipped": 24,
        "error": 0,
    }
    assert data["run"]["stopped"] is None


def _must_unjudged(spec: Spec, status: Status, *, stopped: str | None = None) -> dict[str, Any]:
    """The report of a run over `count` whose one MUST test ended in `status`."""
    rid = "COUNT-SHAPE-001"
    record = SuiteRecord(
        "t::t",
        (rid,),
        Status.ERROR if status is Status.ERROR else Status.PASSED,
        reason="TargetError: refused" if status is Status.ERROR else None,
        unjudgeable={rid: "no model to count"} if status is Status.INCONCLUSIVE else {},
    )
    others = [
        SuiteRecord("t::o", (r.id,), Status.PASSED, judged=frozenset({r.id}))
        for r in spec.requirements.values()
        if r.profile == "count" and r.id != rid
    ]
    meta = dataclasses.replace(META, stopped=stopped)
    return report_data(aggregate(spec, [record, *others], ["count"], meta), Redactor())


def test_the_run_verdict_tells_an_unjudged_must_from_a_broken_run(spec: Spec) -> None:
    inconclusive = _must_unjudged(spec, Status.INCONCLUSIVE)
    assert (inconclusive["verdict"], inconclusive["exit_code"]) == ("inconclusive", 2)
    assert schema_errors(inconclusive) == []
    error = _must_unjudged(spec, Status.ERROR)
    assert (error["verdict"], error["exit_code"]) == ("error", 2)
    stopped = _must_unjudged(spec, Status.INCONCLUSIVE, stopped=f"interrupted {KEY}")
    assert (stopped["verdict"], stopped["exit_code"]) == ("error", 2)
    assert stopped["run"]["stopped"] == f"interrupted {KEY}"  # no redactor given here
    assert "The run stopped early: interrupted" in render_html(stopped)
    assert "The run stopped early: interrupted" in render_markdown(stopped)


def test_reports_of_an_older_kit_still_validate_and_render(data: dict[str, Any]) -> None:
    """Format /1 gained statuses, counts, blocked_by and run.stopped; a report written
    before them (four statuses, none of the new keys) is still a valid /1 report."""
    old = json.loads(json.dumps(data))
    old["verdict"] = "fail"
    del old["run"]["stopped"]
    for profile in old["profiles"]:
        counts = profile["counts"]
        counts["skipped"] += counts.pop("blocked") + counts.pop("inconclusive")
        profile["verdict"] = profile["verdict"].replace("inconclusive", "error")
    for r in old["requirements"]:
        del r["blocked_by"]
        if r["status"] in ("blocked", "inconclusive"):
            r["status"] = "skipped"
    assert schema_errors(old) == []
    assert "MODELS-LIST-001" in render_html(old)
    assert "| models | yes | 1 | 3 | 0 | 0 | 0 | 26 | **fail** |" in render_markdown(old)
    ET.fromstring(render_junit(old))  # noqa: S314 - the kit's own output


def test_a_blocked_requirement_must_name_what_blocked_it(data: dict[str, Any]) -> None:
    broken = json.loads(json.dumps(data))
    requirement(broken, "MODELS-FILTER-003")["blocked_by"] = None
    assert schema_errors(broken)
    requirement(broken, "MODELS-FILTER-003")["status"] = "unheard-of"
    assert schema_errors(broken)


def test_the_example_report_is_valid_and_current() -> None:
    example = json.loads((REPO / "reports/example/report.json").read_text(encoding="utf-8"))
    assert schema_errors(example) == []
    assert example["verdict"] == "fail"
    page = (REPO / "reports/example/report.html").read_text(encoding="utf-8")
    assert page == render_html(example), "run python3 scripts/make_example_report.py"


def test_every_string_is_redacted_and_inert(data: dict[str, Any]) -> None:
    texts = strings(data)
    assert not [t for t in texts if KEY in t or RESTRICTED in t]
    assert not [t for t in texts if ACTIVE.search(t)]
    failed = requirement(data, "MODELS-LIST-001")
    assert "\\x1b[2J\\x00\\ud800\\ufffe" in failed["findings"][0]["message"]
    assert failed["findings"][0]["observed"] == "500 [REDACTED]"
    assert requirement(data, "CHAT-AUTH-001")["reason"] == "boom [REDACTED]"
    assert data["run"]["target_url"] == "http://gateway.test/v1"  # no user:pw


def test_curl_lines_repeat_the_request_with_the_key_from_the_environment(
    data: dict[str, Any],
) -> None:
    listing = requirement(data, "MODELS-LIST-001")["findings"][0]["evidence"]["curl"]
    assert shlex.split(listing) == [
        "curl", "-sS", "-i", "http://gateway.test/v1/models",
        "-H", "Authorization: Bearer $AROUTER_API_KEY",
    ]  # fmt: skip
    assert '"Authorization: Bearer $AROUTER_API_KEY"' in listing  # double quotes: expanded
    chat = requirement(data, "CHAT-USAGE-001")["findings"][0]["evidence"]["curl"]
    assert shlex.split(chat) == [
        "curl", "-sS", "-i", "-X", "POST", "http://gateway.test/v1/chat/completions",
        "-H", "Authorization: Bearer $AROUTER_RESTRICTED_KEY",
        "-H", "Content-Type: application/json",
        "--data-binary", '{"model": "a/b", "note": "it\'s"}',
    ]  # fmt: skip


def test_findings_beyond_the_cap_are_counted(spec: Spec) -> None:
    many = tuple(Finding("MODELS-LIST-001", f"finding {i}") for i in range(40))
    records = [SuiteRecord("t::t", ("MODELS-LIST-001",), Status.FAILED, many)]
    data = report_data(aggregate(spec, records, ["models"], META), Redactor())
    listed = requirement(data, "MODELS-LIST-001")
    assert (listed["findings_total"], len(listed["findings"])) == (40, 25)
    assert "… and 15 more findings" in render_html(data)


# ------------------------------------------------------------------------------ HTML


def test_html_is_one_self_contained_page_without_scripts(data: dict[str, Any]) -> None:
    page = render_html(data)
    assert "<script" not in page
    assert not re.search(r"\b(src|srcset|action|formaction)=", page)
    assert not re.search(r"<link|@import|url\(", page)
    assert set(re.findall(r'href="([^"]*)"', page)) <= {
        f"#{r['id']}" for r in data["requirements"]
    } | {f"#profile-{p['name']}" for p in data["profiles"]}
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy is not None
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert policy.group(1) == (
        f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


def test_html_opens_failures_with_their_evidence(data: dict[str, Any]) -> None:
    page = render_html(data)
    failed = page.split('id="MODELS-LIST-001"', 1)[1].split("</tbody>", 1)[0]
    assert "<details open>" in failed
    for shown in (
        "JSON pointer</dt><dd><code>/data</code>",
        "Schema path</dt><dd><code>/properties/data/type</code>",
        "Expected</dt><dd><code>200</code>",
        "Response: 500",
        "Smallest failing example",
        "spaced(drawn=((&#39;text&#39;,), &#39;text , image&#39;))",
        "$AROUTER_API_KEY",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
    ):
        assert shown in failed, shown
    assert failed.count("Reproduce") == 1  # two findings, one exchange, shown once
    error = page.split('id="CHAT-AUTH-001"', 1)[1].split("</tbody>", 1)[0]
    assert "<details open>" in error
    assert "boom [REDACTED]" in error
    passed = page.split('id="MODELS-ERROR-001"', 1)[1].split("</tbody>", 1)[0]
    assert "<details" not in passed


def test_html_shows_every_status_with_its_badge_and_reason(data: dict[str, Any]) -> None:
    page = render_html(data)

    def row(rid: str) -> str:
        return page.split(f'id="{rid}">', 1)[1].split("</tbody>", 1)[0]

    for rid, status in (
        ("MODELS-ERROR-001", "passed"),
        ("MODELS-LIST-001", "failed"),
        ("MODELS-FILTER-003", "blocked"),
        ("CHAT-STREAM-002", "inconclusive"),
        ("MODELS-SPEC-003", "skipped"),
        ("CHAT-AUTH-001", "error"),
    ):
        assert f'<tbody class="req s-{status} l-' in page.split(f'id="{rid}"', 1)[0][-60:]
        assert f'<span class="badge">{status}</span>' in row(rid)
    blocked = row("MODELS-FILTER-003")
    link = '<a href="#MODELS-FILTER-002">MODELS-FILTER-002</a>'
    assert f'<div class="reason">Blocked by {link}' in blocked
    assert "<details" not in blocked  # nothing of its own to show: its cause is the failure
    inconclusive = row("CHAT-STREAM-002")
    assert (
        '<div class="reason">the stream held no events &lt;script&gt;alert(1)&lt;/script&gt;'
        in inconclusive
    )
    assert "not applicable: the target declares no such thing" in row("MODELS-SPEC-003")
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    for rule in (".s-inconclusive .badge", ".s-blocked .badge", ".v-inconclusive"):
        assert rule in css
    for colour in ("--inconclusive:", "--blocked:"):
        assert css.count(colour) == 2  # a light and a dark palette
    profiles = page.split('id="profiles"', 1)[1].split("</table>", 1)[0]
    for heading in ("Passed", "Failed", "Blocked", "Inconclusive", "Error", "Skipped"):
        assert f'<th class="num">{heading}</th>' in profiles
    assert '<td>yes</td><td class="num">1</td><td class="num">3</td><td class="num">1</td>' in (
        profiles
    )
    lede = page.split('<p class="lede">', 1)[1].split("</p>", 1)[0]
    assert lede.startswith("6 MUST requirements not met, in models, chat: 3 failed, 1 error,")
    assert "1 passed, 4 failed, 1 blocked, 2 inconclusive, 1 error, 118 skipped of 127" in lede


def test_a_blocked_requirement_keeps_its_own_findings_closed(spec: Spec) -> None:
    records = [
        SuiteRecord(
            "t::arch",
            ("MODELS-FILTER-002", "MODELS-FILTER-003"),
            Status.FAILED,
            (
                Finding("MODELS-FILTER-002", "no architecture"),
                Finding("MODELS-FILTER-003", "text model missing from the list"),
            ),
        )
    ]
    data = report_data(aggregate(spec, records, ["models"], META), Redactor())
    assert requirement(data, "MODELS-FILTER-003")["status"] == "blocked"
    assert schema_errors(data) == []
    page = render_html(data)
    row = page.split('id="MODELS-FILTER-003">', 1)[1].split("</tbody>", 1)[0]
    assert "<details><summary>Findings seen anyway" in row
    assert "text model missing from the list" in row


def test_html_rows_carry_what_the_filters_select_on(data: dict[str, Any]) -> None:
    page = render_html(data)
    assert 'id="only-failed"' in page
    assert 'id="only-must"' in page
    assert '<tbody class="req s-failed l-must" id="MODELS-LIST-001">' in page
    assert '<tbody class="req s-failed l-should" id="MODELS-MODEL-002">' in page
    assert 'class="profile has-failed has-must-failed" id="profile-models"' in page
    assert 'class="profile" id="profile-count"' in page
    # "Failed only" keeps failed and error rows; blocked and inconclusive rows hide with passed.
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "#only-failed:checked ~ main tbody.req:not(.s-failed):not(.s-error)," in css
    assert "#only-must:checked ~ main tbody.req:not(.l-must)," in css
    assert '<tbody class="req s-blocked l-must" id="MODELS-FILTER-003">' in page
    assert '<tbody class="req s-inconclusive l-should" id="MODELS-ERROR-002">' in page


def test_a_run_with_no_metadata_still_renders(spec: Spec) -> None:
    data = report_data(aggregate(spec, [], []), Redactor())
    assert schema_errors(data) == []
    assert 'id="profiles"' in render_html(data)
    ET.fromstring(render_junit(data))  # noqa: S314 - the kit's own output
    assert "| models | no |" in render_markdown(data)


# ------------------------------------------------------------------------------ JUnit


def test_junit_has_one_testcase_per_requirement_named_by_its_id(data: dict[str, Any]) -> None:
    root = ET.fromstring(render_junit(data))  # noqa: S314 - the kit's own output
    cases = root.findall("./testsuite/testcase")
    assert [c.get("name") for c in cases] == [r["id"] for r in data["requirements"]]
    assert root.get("failures") == "4"
    assert root.get("errors") == "2"  # CHAT-AUTH-001 broke; CHAT-STREAM-002 is a MUST unjudged
    assert root.get("skipped") == str(len(cases) - 4 - 2 - 1)  # all but one passed
    assert [s.get("name") for s in root.findall("testsuite")] == [
        p["name"] for p in data["profiles"]
    ]
    failure = root.find("./testsuite/testcase[@name='MODELS-LIST-001']/failure")
    assert failure is not None
    assert failure.get("message", "").startswith("GET /v1/models -> 500: <script>")
    assert "reproduce: curl -sS -i" in (failure.text or "")
    assert "expected: 200" in (failure.text or "")
    assert "smallest failing example" in (failure.text or "")


def test_junit_shows_red_exactly_what_can_fail_the_run(data: dict[str, Any]) -> None:
    root = ET.fromstring(render_junit(data))  # noqa: S314 - the kit's own output

    def case(rid: str) -> ET.Element:
        found = root.find(f"./testsuite/testcase[@name='{rid}']")
        assert found is not None
        return found

    assert list(case("MODELS-ERROR-001")) == []  # passed
    assert [e.tag for e in case("MODELS-LIST-001")] == ["failure"]
    error = case("CHAT-AUTH-001").find("error")
    assert error is not None
    assert (error.get("type"), error.get("message")) == ("error", "boom [REDACTED]")
    must = case("CHAT-STREAM-002").find("error")  # a MUST inconclusive makes the run exit 2
    assert must is not None
    assert must.get("type") == "inconclusive"
    assert must.get("message", "").startswith("the stream held no events <script>")
    assert "[MUST] Every data event of the stream" in (must.text or "")
    blocked = case("MODELS-FILTER-003").find("skipped")  # its root cause is a failure already
    assert blocked is not None
    assert blocked.get("message", "").startswith("blocked by MODELS-FILTER-002, which failed")
    should = case("MODELS-ERROR-002").find("skipped")  # a SHOULD inconclusive never fails
    assert should is not None
    assert should.get("message") == "inconclusive: every model ties on the sort key"
    skipped = case("MODELS-SPEC-003").find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "not applicable: the target declares no such thing"
    models = root.find("./testsuite[@name='models']")
    assert models is not None
    assert (models.get("failures"), models.get("errors"), models.get("skipped")) == (
        "3",
        "0",
        "26",
    )


def test_junit_stays_well_formed_whatever_the_strings(data: dict[str, Any]) -> None:
    raw = json.loads(json.dumps(data))
    target = requirement(raw, "MODELS-LIST-001")
    target["findings"][0]["message"] = "nul \x00 esc \x1b surrogate \ud800 ]]> \"'<&"
    target["id"] = 'MODELS-LIST-001"><x>'
    root = ET.fromstring(render_junit(raw).encode("utf-8", "surrogatepass"))  # noqa: S314
    names = [c.get("name") for c in root.iter("testcase")]
    assert 'MODELS-LIST-001"><x>' in names
    assert not list(root.iter("x"))


# ------------------------------------------------------------------------------ Markdown


def test_markdown_lists_failed_musts_with_everything_escaped(data: dict[str, Any]) -> None:
    text = render_markdown(data)
    assert "| profile | claimed | passed | failed | blocked | inconclusive | error | skipped |" in (
        text
    )
    assert "| models | yes | 1 | 3 | 1 | 1 | 0 | 24 | **fail** |" in text
    assert "| chat | yes | 0 | 1 | 0 | 1 | 1 | 26 | **fail** |" in text
    assert "**MUST requirements not met (6)**" in text
    assert "**MODELS\\-LIST\\-001** (models, failed)" in text
    assert "**CHAT\\-AUTH\\-001** (chat, error)" in text
    assert "**CHAT\\-STREAM\\-002** (chat, inconclusive)" in text
    assert "— the stream held no events &lt;script&gt;" in text
    assert "**MODELS\\-FILTER\\-003** (models, blocked): With a comma" in text
    assert "— blocked by MODELS\\-FILTER\\-002, which failed" in text
    listed = re.findall(r"^- \*\*\S+\*\* \([a-z]+, ([a-z]+)\)", text, re.M)
    assert listed == [
        "failed", "failed", "failed", "error", "inconclusive", "blocked"
    ]  # fmt: skip
    assert "MODELS\\-ERROR\\-002" not in text  # a SHOULD inconclusive
    assert "MODELS\\-MODEL\\-002" not in text  # a SHOULD
    assert "<script>" not in text
    assert "&lt;script&gt;alert\\(1\\)&lt;\\/script&gt;" in text
    assert "\n" not in text.split("MODELS\\-LIST\\-001", 1)[1].split("\n", 1)[0]


def test_the_step_summary_is_appended_when_ci_asks(result: RunResult, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    config = ReportPaths(json=tmp_path / "deep" / "er" / "r.json")
    redactor = Redactor([KEY])
    write_reports(result, config, redactor, environ={"GITHUB_STEP_SUMMARY": str(summary)})
    write_reports(result, config, redactor, environ={})
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### arouter-conformance: FAIL")
    assert text.count("### arouter-conformance") == 1
    assert (tmp_path / "deep" / "er" / "r.json").exists()  # parents created


# ------------------------------------------------------------------------------ paths


def test_paths_that_cannot_be_written_are_one_line_config_errors(
    data: dict[str, Any], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    for bad in (blocker / "report.json", tmp_path):
        with pytest.raises(ReportError) as caught:
            check_writable([None, bad])
        assert isinstance(caught.value, ConfigError)
        assert str(caught.value).startswith(f"cannot write report {bad}: ")
        assert "\n" not in str(caught.value)
        with pytest.raises(ReportError):
            write_json(data, bad)
    fresh = tmp_path / "new" / "report.json"
    check_writable([fresh])
    assert not fresh.exists()  # checked, not left behind
    assert fresh.parent.is_dir()


def test_the_cli_refuses_an_unwritable_report_before_running(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    done = run_subprocess(["run", "--html", str(blocker / "r.html")], timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith(
        f"arouter-conformance: cannot write report {blocker / 'r.html'}: cannot create folder"
    )
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""
