"""The kit against broken and hostile targets, each a real server on 127.0.0.1: it ends,
in bounded time, with exit 1 or 2 and a reason, blames the target only for what it saw,
and sends the key and the run's secret headers nowhere but to the target."""

from __future__ import annotations

import json
import socketserver
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

import reference_server
from arouter_conformance.client import Budget, Credentials, Target
from tests.hostile import (
    CutMidBody,
    EndlessStreams,
    RateLimiting,
    Recorder,
    Redirecting,
    ResetAfterAnError,
    Serving,
    Shifting,
)
from tests.targets import live, run_cli, run_subprocess

SECRET_HEADER = "secret-header-value-0123456789"


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["status"] for r in report.get("requirements", [])}


def reasons(report: dict[str, Any], status: str) -> list[str]:
    return [r["reason"] or "" for r in report["requirements"] if r["status"] == status]


# ----------------------------------------------------------------------------- rate limits


def test_a_target_rate_limiting_for_an_hour_is_never_blamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(RateLimiting(free=3), tmp_path) as target:
        code, report = run_cli(target, tmp_path, "--no-chat", monkeypatch=monkeypatch)
    assert code == 2
    assert "failed" not in statuses(report).values()
    assert any("rate-limiting" in reason for reason in reasons(report, "error"))


def test_a_rate_limit_on_chat_alone_leaves_the_rest_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(RateLimiting(chat_only=True), tmp_path) as target:
        code, report = run_cli(
            target, tmp_path, "--profile", "models", "--profile", "chat", monkeypatch=monkeypatch
        )
    seen = statuses(report)
    assert code == 2
    assert "failed" not in seen.values()
    assert seen["MODELS-LIST-001"] == "passed"
    assert seen["CHAT-SERVE-001"] == "error"


# ----------------------------------------------------------------------------- streams


@pytest.mark.parametrize("comments", [False, True], ids=["chunks", "comments"])
def test_a_stream_that_never_ends_is_a_finding_not_a_hang(tmp_path: Path, comments: bool) -> None:
    """Every reader of the stream (the kit's client and both SDKs) stops at four times the
    timeout; the stream that did not end fails CHAT-STREAM-005 and nothing else."""
    with live(EndlessStreams(comments=comments), tmp_path) as target:
        done = run_subprocess(
            [
                "run",
                "--manifest",
                str(target.manifest),
                "--json",
                str(tmp_path / "r.json"),
                "--profile",
                "chat",
                "--profile",
                "openrouter-sdk",
                "--timeout",
                "1",
            ],
            env=target.env,
            timeout=120,
        )
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    seen = statuses(report)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert {rid for rid, status in seen.items() if status == "failed"} == {"CHAT-STREAM-005"}
    assert seen["CHAT-STREAM-003"] == seen["CHAT-STREAM-004"] == "inconclusive"


# ----------------------------------------------------------------------------- redirects


# The profiles whose requests the SDKs send (the kit's own client follows no redirect).
SDK_LISTS = ("--profile", "openai-list", "--profile", "openrouter-sdk", "--no-chat")


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_another_origin_gets_neither_key_nor_headers(
    status: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = Recorder()
    with (
        reference_server.serve_in_thread(recorder) as elsewhere,
        live(Redirecting(status, elsewhere), tmp_path) as target,
    ):
        code, report = run_cli(
            target,
            tmp_path,
            *SDK_LISTS,
            "--header",
            f"X-Gateway-Token: {SECRET_HEADER}",
            monkeypatch=monkeypatch,
        )
    assert recorder.seen == []
    assert code == 2
    assert "failed" not in statuses(report).values()
    assert any("another origin" in reason for reason in reasons(report, "error"))
    assert SECRET_HEADER not in json.dumps(report)


def test_a_redirect_within_the_target_is_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(Redirecting(307, None), tmp_path) as target:
        code, report = run_cli(target, tmp_path, *SDK_LISTS, monkeypatch=monkeypatch)
    seen = statuses(report)
    assert seen["OPENAI-LIST-004"] == "passed"
    assert seen["ORSDK-INTEROP-001"] == "passed"
    assert code == 0


# ----------------------------------------------------------------------------- bodies


@pytest.mark.parametrize(
    ("body", "status", "why"),
    [
        (b'{"data": [\xff\xfe]}', "failed", "not valid UTF-8"),
        (b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "inconclusive", "nests deeper"),
        (b'{"data": [' + b"7" * 100_000 + b"]}", "inconclusive", "more digits"),
    ],
    ids=["invalid-utf-8", "nested-100000-deep", "a-100000-digit-number"],
)
def test_a_body_the_kit_cannot_read_is_named_and_blamed_only_when_it_is_broken(
    body: bytes, status: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(Serving(body), tmp_path) as target:
        code, report = run_cli(
            target, tmp_path, "--requirement", "MODELS-LIST-001", monkeypatch=monkeypatch
        )
    [judged] = [r for r in report["requirements"] if r["id"] == "MODELS-LIST-001"]
    assert judged["status"] == status
    text = json.dumps(judged)
    assert why in text
    assert "RecursionError" not in text
    assert code == (1 if status == "failed" else 2)


def test_a_key_written_twice_is_read_as_json_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RFC 8259 leaves duplicate names to the reader; the kit reads the last, as the
    SDKs' parsers do, and judges what it read."""
    listing = list(reference_server.Catalog.default().models[:3])
    body = b'{"data": [], "data": ' + json.dumps(listing).encode() + b"}"
    with live(Serving(body), tmp_path) as target:
        code, report = run_cli(
            target, tmp_path, "--requirement", "MODELS-LIST-001", monkeypatch=monkeypatch
        )
    assert statuses(report)["MODELS-LIST-001"] == "passed"
    assert code == 0


# ----------------------------------------------------------------------------- connections


def test_a_connection_reset_after_an_error_is_asked_again_on_a_new_one() -> None:
    """One retry on a new connection; the answer already in hand (the 500) is kept."""
    ResetAfterAnError.answered = 0
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), ResetAfterAnError) as server:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        target = Target(
            f"http://127.0.0.1:{port}/v1",
            Credentials("sk-test-secret-key-123456"),
            budget=Budget("request", 10),
            chat_budget=Budget("chat", 0),
            timeout=5,
        )
        try:
            first = target.get("/models")
            second = target.get("/models/count")
            assert target.get("/models") == first  # kept, not asked again
        finally:
            target.close()
            server.shutdown()
    assert first.status == 500
    assert second.status == 200
    assert target.budget.spent == 3  # the 500, the reset request and its one retry


def test_the_script_that_runs_them_at_default_settings_still_works(tmp_path: Path) -> None:
    """benchmarks/hostile_targets.py records each case at the kit's default settings; one
    quick case keeps it working (its wall and memory are figures, not asserted here)."""
    out = tmp_path / "hostile.json"
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "hostile_targets.py"
    subprocess.run(
        [sys.executable, str(script), "--case", "invalid-utf-8", "--out", str(out)],
        check=False,
        timeout=600,
    )
    case = json.loads(out.read_text(encoding="utf-8"))["cases"]["invalid-utf-8"]
    assert case["exit_code"] == 1
    assert case["traceback"] is False
    assert case["secret_in_output"] is False
    assert "FAIL" in case["reason"]


def test_a_target_whose_catalog_changes_gets_verdicts_and_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verdicts stay defined; the report says the answers did not hold still."""
    with live(Shifting(), tmp_path) as target:
        code, report = run_cli(target, tmp_path, "--no-chat", monkeypatch=monkeypatch)
    assert code == 1
    assert "error" not in statuses(report).values()
    assert "changed while the run judged it" in report["run"]["unsteady"]


def test_a_target_that_holds_still_gets_no_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(reference_server.create_app(), tmp_path) as target:
        code, report = run_cli(
            target, tmp_path, "--requirement", "MODELS-LIST-001", monkeypatch=monkeypatch
        )
    assert code == 0
    assert report["run"]["unsteady"] is None


@pytest.mark.parametrize(("method", "sent", "whole"), [("GET", 2, True), ("POST", 1, False)])
def test_a_body_cut_midway_is_asked_again_or_kept_as_evidence(
    method: str, sent: int, whole: bool
) -> None:
    """A GET cut midway is asked again (it costs nothing); a paid POST is not: what
    arrived is kept, marked as broken off by the target."""
    CutMidBody.answered = 0
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), CutMidBody) as server:
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        target = Target(
            f"http://127.0.0.1:{server.server_address[1]}/v1",
            Credentials("sk-test-secret-key-123456"),
            budget=Budget("request", 10),
            chat_budget=Budget("chat", 10),
            timeout=5,
        )
        try:
            if method == "GET":
                answer = target.get("/models")
            else:
                answer = target.post("/chat/completions", json_body={"model": "a/b"})
        finally:
            target.close()
            server.shutdown()
    assert target.budget.spent == sent
    assert answer.truncated is not whole
    assert answer.cut_by_kit is None
    assert answer.body == (b'{"data": []}' if whole else b'{"data": [')
