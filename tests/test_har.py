"""The HAR report: every request of the run in HAR 1.2, redacted like every report, valid
for a HAR reader and for the HAR schema whatever bytes the target sent."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from haralyzer import HarParser
from jsonschema import Draft202012Validator

import reference_server
from arouter_conformance.exchange import Exchange
from arouter_conformance.redact import MASK, Redactor
from arouter_conformance.reports.har import har_data
from arouter_conformance.traffic import NOT_READ, Recorded
from tests.targets import live, run_cli, run_pytest

KEY = "sk-har-test-key-0123456789"
SECRET = "gateway-route-value-for-har-0042"


@cache
def validator() -> Draft202012Validator:
    schema = json.loads((Path(__file__).parent / "har.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_valid(document: dict[str, Any]) -> None:
    errors = [f"{e.json_path}: {e.message[:200]}" for e in validator().iter_errors(document)]
    assert not errors, errors[:5]


def recorded(body: bytes = b"{}", **changes: Any) -> Recorded:
    exchange = Exchange(
        method=changes.pop("method", "GET"),
        url=changes.pop("url", "http://gateway.test/v1/models?sort=newest&empty="),
        auth="key",
        status=changes.pop("status", 200),
        headers=changes.pop("headers", (("content-type", "application/json"),)),
        body=body,
        request_headers=(("authorization", MASK), ("user-agent", "arouter-conformance/0")),
        request_body=changes.pop("request_body", None),
        truncated=changes.pop("truncated", False),
        elapsed=0.0125,
        started=changes.pop("started", 1_800_000_000.5),
    )
    return Recorded(exchange, "HTTP/1.1", "OK", **changes)


def entries(*records: Recorded, **options: Any) -> list[dict[str, Any]]:
    document = har_data(records, Redactor([KEY, SECRET]), **options)
    assert_valid(document)
    assert document["log"]["version"] == "1.2"
    assert document["log"]["creator"]["name"] == "arouter-conformance"
    return list(document["log"]["entries"])


def test_an_entry_holds_the_request_the_answer_and_the_time() -> None:
    (entry,) = entries(recorded(b'{"data": []}'))
    assert entry["startedDateTime"] == "2027-01-15T08:00:00.500Z"
    assert entry["time"] == entry["timings"]["wait"] == 12.5
    request = entry["request"]
    assert request["queryString"] == [
        {"name": "sort", "value": "newest"},
        {"name": "empty", "value": ""},
    ]
    assert {"name": "authorization", "value": MASK} in request["headers"]
    assert "postData" not in request
    assert entry["response"]["content"] == {
        "size": 12,
        "mimeType": "application/json",
        "text": '{"data": []}',
    }
    assert entry["response"]["bodySize"] == 12
    assert "comment" not in entry


def test_a_body_that_is_not_utf8_is_base64_and_redacted_first() -> None:
    body = b"\xff\xfe caf\xe9 " + KEY.encode() + b" \x00"
    (entry,) = entries(recorded(body))
    content = entry["response"]["content"]
    assert content["encoding"] == "base64"
    decoded = base64.b64decode(content["text"])
    assert decoded == b"\xff\xfe caf\xe9 " + MASK.encode() + b" \x00"


def test_every_string_is_redacted_urls_headers_and_bodies() -> None:
    (entry,) = entries(
        recorded(
            f'{{"echo": "Bearer {KEY}"}}'.encode(),
            method="POST",
            url=f"http://gateway.test/v1/models?key={KEY}",
            headers=(("x-echo", SECRET), ("content-type", "application/json")),
            request_body=f'{{"secret": "{SECRET}"}}'.encode(),
        )
    )
    text = json.dumps(entry)
    assert KEY not in text
    assert SECRET not in text
    assert entry["request"]["queryString"] == [{"name": "key", "value": MASK}]
    assert entry["request"]["postData"] == {
        "mimeType": "application/octet-stream",
        "text": f'{{"secret": "{MASK}"}}',
    }


def test_what_an_entry_lacks_it_says() -> None:
    lost = recorded(b"", status=0, headers=(), note="no answer: connection refused")
    cut = recorded(b'{"data": [', truncated=True, started=1_800_000_001.0)
    streamed = recorded(b"", body_read=False, note=NOT_READ, started=1_800_000_002.0)
    odd = recorded(b"{}", method="POST", request_body=b"\xff{}", started=1_800_000_003.0)
    first, second, third, fourth = entries(streamed, odd, cut, lost)  # ordered by start
    assert first["comment"] == "no answer: connection refused"
    assert first["response"]["status"] == 0
    assert "text" not in first["response"]["content"]
    assert "incomplete" in second["comment"]
    assert second["response"]["content"]["text"] == '{"data": ['
    assert third["comment"] == NOT_READ
    assert "text" not in third["response"]["content"]
    assert third["response"]["bodySize"] == -1
    assert fourth["request"]["postData"]["text"] == "\\xff{}"
    assert "not UTF-8" in fourth["comment"]


def test_bodies_past_the_cap_are_left_out_and_say_so() -> None:
    small, large = recorded(b'{"a": 1}'), recorded(b"x" * 100, started=1_800_000_001.0)
    kept, left = entries(small, large, bodies_cap=50)
    assert kept["response"]["content"]["text"] == '{"a": 1}'
    assert "text" not in left["response"]["content"]
    assert left["response"]["content"]["size"] == 100
    assert "left out" in left["comment"]


# ------------------------------------------------------------------ real runs


def _leaky(app: Any) -> Any:
    """The reference server, but echoing every request's Authorization and X-Secret into a
    response header, and answering /models/count with a body that is not UTF-8 and holds
    the key (a target the HAR must neither break on nor leak through)."""

    async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        sent = dict(scope["headers"])
        echo = [
            (b"x-echo-auth", sent.get(b"authorization", b"")),
            (b"x-echo-secret", sent.get(b"x-secret", b"")),
        ]
        if scope["path"] == "/v1/models/count" and not scope["query_string"]:
            key = sent.get(b"authorization", b"").removeprefix(b"Bearer ")
            body = b'{"data": {"count": 1}, "note": "caf\xe9 ' + key + b'"}'
            headers = [(b"content-type", b"application/json"), *echo]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return

        async def echoing(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *echo]}
            await send(message)

        await app(scope, receive, echoing)

    return wrapped


def _user_agent(entry: dict[str, Any]) -> str:
    return next(h["value"] for h in entry["request"]["headers"] if h["name"] == "user-agent")


def test_a_run_writes_every_exchange_redacted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    har = tmp_path / "run.har"
    with live(_leaky(reference_server.create_app()), tmp_path) as target:
        code, report = run_cli(
            target,
            tmp_path,
            *("--profile", "count", "--profile", "chat", "--har", str(har)),
            *("--requirement", "COUNT-SHAPE-001", "--requirement", "CHAT-SERVE-001"),
            *("--requirement", "CHAT-SDK-001", "--header", f"X-Secret: {SECRET}"),
            monkeypatch=monkeypatch,
        )
    assert code == 1, report  # the count answer is not UTF-8, so not JSON
    text = har.read_text(encoding="utf-8")
    assert reference_server.DEMO_KEY not in text
    assert SECRET not in text
    document = json.loads(text)
    assert_valid(document)

    found = document["log"]["entries"]
    # One entry per request paid for, the SDKs' included: the run's own count.
    assert len(found) == report["run"]["requests_sent"]
    parsed = HarParser(document)
    assert sum(len(page.entries) for page in parsed.pages) == len(found)
    started = [entry.startTime for page in parsed.pages for entry in page.entries]
    assert started == sorted(started)

    for entry in found:
        sent = {h["name"].lower(): h["value"] for h in entry["request"]["headers"]}
        assert sent["authorization"] == MASK  # a key was sent, and no more is said
        assert sent["x-secret"] == MASK
        echoed = {h["name"]: h["value"] for h in entry["response"]["headers"]}
        assert echoed["x-echo-secret"] == MASK
        assert echoed["x-echo-auth"] == f"Bearer {MASK}"

    posts = [e for e in found if e["request"]["method"] == "POST"]
    agents = {_user_agent(e).split("/")[0] for e in posts}
    assert agents == {"arouter-conformance", "OpenAI"}  # the kit's and the SDK's
    for entry in posts:
        assert json.loads(entry["request"]["postData"]["text"])["model"]
        assert entry["request"]["postData"]["mimeType"] == "application/json"
    streamed = [e for e in posts if e.get("comment") == NOT_READ]
    assert len(streamed) == 1  # the SDK's stream: status and headers, not the body
    assert streamed[0]["response"]["status"] == 200

    (count,) = [e for e in found if e["request"]["url"].endswith("/v1/models/count")]
    assert count["response"]["content"]["encoding"] == "base64"
    body = base64.b64decode(count["response"]["content"]["text"])
    assert body == b'{"data": {"count": 1}, "note": "caf\xe9 ' + MASK.encode() + b'"}'


def test_the_pytest_door_writes_it_too(tmp_path: Path) -> None:
    har = tmp_path / "pytest.har"
    with live(reference_server.create_app(), tmp_path) as target:
        code, report = run_pytest(
            target,
            tmp_path,
            *("--conformance-profile", "count", "--conformance-har", str(har)),
        )
    assert code == 0, report
    document = json.loads(har.read_text(encoding="utf-8"))
    assert_valid(document)
    assert len(document["log"]["entries"]) == report["run"]["requests_sent"] > 0
    assert reference_server.DEMO_KEY not in har.read_text(encoding="utf-8")
