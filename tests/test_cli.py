"""The CLI: exit codes 0/1/2, one-line reasons, no tracebacks, complete JSON reports."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import reference_server
from arouter_conformance.cli import main as cli_main
from tests.targets import (
    live,
    pytest_subprocess,
    run_cli,
    run_pytest,
    run_subprocess,
    statuses,
)


def test_default_run_passes_against_the_embedded_reference_server(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = run_subprocess(["run", "--json", str(report)])
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    data = json.loads(report.read_text())
    assert {r["status"] for r in data["requirements"]} <= {"passed", "skipped"}
    skipped = [r["id"] for r in data["requirements"] if r["status"] == "skipped"]
    assert skipped == ["MODELS-AUTH-002"]  # the reference server requires a key to list
    for entry in data["requirements"]:
        assert {"id", "level", "profile", "status", "statement", "source"} <= set(entry)
    assert data["run"]["requests_sent"] <= 400
    assert 0 < data["run"]["chat_requests_sent"] <= 30
    assert reference_server.DEMO_KEY not in report.read_text()
    assert data["exit_code"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--examples", "many"], "invalid int value"),
        (["run", "--profile", "nope"], "unknown profile 'nope'"),
        (["run", "--target-url", "ftp://x/v1"], "--target-url"),
        (["run", "--manifest", "/nonexistent/m.yaml"], "cannot read manifest"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_traceback(args: list[str], message: str) -> None:
    done = run_subprocess(args, timeout=60)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_bad_manifest_names_the_key(tmp_path: Path) -> None:
    manifest = tmp_path / "m.yaml"
    manifest.write_text("target_url: http://127.0.0.1:1/v1\nlisting_requires_auth: maybe\n")
    done = run_subprocess(["run", "--manifest", str(manifest)], timeout=60)
    assert done.returncode == 2
    assert "'listing_requires_auth'" in done.stderr
    assert "Traceback" not in done.stderr


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_target_exits_2() -> None:
    done = run_subprocess(
        ["run", "--target-url", f"http://127.0.0.1:{_closed_port()}/v1"], timeout=60
    )
    assert done.returncode == 2
    assert done.stderr.startswith("arouter-conformance: target unreachable: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stdout + done.stderr


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield int(listener.getsockname()[1])
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


def test_a_silent_target_is_too_slow_in_one_line(silent_server: int) -> None:
    done = run_subprocess(
        ["run", "--target-url", f"http://127.0.0.1:{silent_server}/v1", "--timeout", "0.5"],
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "arouter-conformance: target too slow: no answer to GET /models within 0.5 s "
        "(raise --timeout)"
    ]


def test_a_url_without_the_version_prefix_gets_a_hint_in_one_line() -> None:
    with reference_server.serve_in_thread(reference_server.create_app()) as origin:
        done = run_subprocess(["run", "--target-url", origin], timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"arouter-conformance: GET {origin}/models answered 404: is the version prefix in "
        "--target-url? (…/v1 for ARouter style, …/api/v1 for OpenRouter style)"
    ]


async def html_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """A 'gateway' that answers everything with an HTML page."""
    if scope["type"] != "http":
        return
    await send(
        {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]}
    )
    await send({"type": "http.response.body", "body": b"<html><script>alert(1)</script></html>"})


def test_a_target_that_is_not_json_fails_without_crashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(html_app, tmp_path) as target:
        code, report = run_cli(
            target, tmp_path, "--no-chat", "--examples", "2", monkeypatch=monkeypatch
        )
    assert code == 1
    assert statuses(report)["MODELS-LIST-001"] == "failed"


def test_cli_and_pytest_give_the_same_verdicts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class SlowCount(reference_server.Queries):  # one defect, so a failing verdict is compared too
        def count(self, *args: Any, **kwargs: Any) -> Any:
            return super().count(*args, **kwargs) + 1

    options = ["--profile", "sort", "--profile", "count", "--examples", "3"]
    prefixed = [f"--conformance-{o[2:]}" if o.startswith("--") else o for o in options]
    with live(reference_server.create_app(queries=SlowCount), tmp_path) as target:
        code, from_cli = run_cli(target, tmp_path, *options, monkeypatch=monkeypatch)
        done, from_pytest = run_pytest(target, tmp_path, *prefixed)
    assert (code, done) == (1, 1)
    assert statuses(from_cli)["COUNT-MATCH-001"] == "failed"
    assert statuses(from_cli) == statuses(from_pytest)


async def cut_off_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers the reachability probe, then breaks the connection on the list of all models."""
    if scope["type"] != "http":
        return
    headers = [(b"content-type", b"application/json")]
    if b"output_modalities=all" not in scope["query_string"]:
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"data": []}'})
        return
    headers.append((b"content-length", b"1000"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
    raise RuntimeError("connection cut on purpose")


def test_a_run_that_stops_early_reports_errors_not_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with live(cut_off_app, tmp_path) as target:
        code, report = run_cli(target, tmp_path, "--no-chat", monkeypatch=monkeypatch)
    assert code == 2
    assert report["exit_code"] == 2
    assert set(statuses(report).values()) <= {"error", "skipped"}
    reasons = {r["reason"] for r in report["requirements"] if r["status"] == "error"}
    assert all("target unreachable" in reason for reason in reasons)


def test_an_unknown_requirement_is_one_line() -> None:
    done = run_subprocess(["run", "--requirement", "NOPE-001"], timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "arouter-conformance: --requirement: no requirement 'NOPE-001' in the catalog"
    ]


def test_a_run_without_the_key_a_target_needs_exits_2_with_the_reason(tmp_path: Path) -> None:
    with reference_server.serve_in_thread(reference_server.create_app()) as origin:
        done = run_subprocess(
            ["run", "--target-url", f"{origin}/v1"], env={"AROUTER_API_KEY": ""}, timeout=120
        )
        wrong = run_subprocess(
            ["run", "--target-url", f"{origin}/v1", "--api-key", "lr_live_nope"], timeout=120
        )
    assert done.returncode == 2
    assert "needs a key and none was given" in done.stderr
    assert wrong.returncode == 2
    assert "refused the key" in wrong.stderr
    assert "lr_live_nope" not in wrong.stderr + wrong.stdout


def test_plain_pytest_stops_with_the_same_words(silent_server: int) -> None:
    """One classification for both front doors, each naming its own timeout flag."""
    url = f"http://127.0.0.1:{silent_server}/v1"
    slow = pytest_subprocess("--target-url", url, "--conformance-timeout", "0.5")
    with reference_server.serve_in_thread(reference_server.create_app()) as origin:
        unprefixed = pytest_subprocess("--target-url", origin)
    assert (slow.returncode, unprefixed.returncode) == (2, 2)
    assert (
        "target too slow: no answer to GET /models within 0.5 s (raise --conformance-timeout)"
        in slow.stdout
    )
    assert f"GET {origin}/models answered 404: is the version prefix in" in unprefixed.stdout
    assert "Traceback" not in slow.stdout + slow.stderr + unprefixed.stdout + unprefixed.stderr


def test_headers_reach_the_target_from_every_client_and_never_a_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[dict[bytes, bytes]] = []
    app = reference_server.create_app()

    async def recording(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            seen.append(dict(scope["headers"]))
        await app(scope, receive, send)

    monkeypatch.setenv("GATEWAY_PROVIDER", "provider-secret-0001")
    headers = {"X-Provider": {"env": "GATEWAY_PROVIDER"}, "X-Team": "blue"}
    with live(recording, tmp_path, headers=headers) as target:
        code, report = run_cli(
            target,
            tmp_path,
            *("--header", "X-Flag: flag-secret-0002", "--no-chat", "--examples", "2"),
            *("--requirement", "OPENAI-LIST-004", "--requirement", "ORSDK-INTEROP-001"),
            monkeypatch=monkeypatch,
        )
    assert code == 0, report
    agents = {request[b"user-agent"].split(b"/")[0] for request in seen}
    assert len(agents) >= 3, agents  # the kit's own client and both SDKs
    for request in seen:
        assert request[b"x-provider"] == b"provider-secret-0001"
        assert request[b"x-flag"] == b"flag-secret-0002"
        assert request[b"x-team"] == b"blue"
    text = json.dumps(report)
    assert "provider-secret-0001" not in text
    assert "flag-secret-0002" not in text


def test_flags_are_never_abbreviated(capsys: pytest.CaptureFixture[str]) -> None:
    """`--head 'X-Key: secret'` would slip past what masks `--header` values."""
    with pytest.raises(SystemExit) as exited:
        cli_main(["run", "--head", "X-Key: secret", "--profile", "count"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --head" in err
    assert "secret" not in err


def test_a_mistyped_flag_is_named_without_the_value_after_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`--api-kee KEY` in a CI job: argparse would print the key to the job's log."""
    with pytest.raises(SystemExit) as exited:
        cli_main(["run", "--api-kee", "lr_live_typed_by_mistake_123", "--json=x.json"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith("unrecognized arguments: --api-kee")
    assert "lr_live_typed_by_mistake_123" not in err
