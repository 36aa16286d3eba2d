"""Tests run ahead of their turn send the GETs of a far target concurrently, and change no
verdict: the same requirements, statuses, findings and requests as one request at a time."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from arouter_conformance.client import Budget, Credentials, Speculated, Target, TargetError
from tests.battery.models_mutants import FilterDropsOneModel
from tests.battery.mutants import queries
from tests.targets import live, run_cli

ROOT = "http://gateway.test/v1"


def target_over(handler: Any) -> Target:
    return Target(
        ROOT,
        Credentials("sk-test-secret-key-123456"),
        budget=Budget("request", 10),
        chat_budget=Budget("chat", 2),
        transport=httpx.MockTransport(handler),
        retries=0,
    )


def test_a_get_asked_for_twice_at_once_is_sent_once() -> None:
    started, release, sent = threading.Event(), threading.Event(), []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        started.set()
        release.wait(10)
        return httpx.Response(200, json={"data": []})

    target = target_over(handler)
    answers: list[Any] = []
    first = threading.Thread(target=lambda: answers.append(target.get("/models")))
    first.start()
    started.wait(10)
    second = threading.Thread(target=lambda: answers.append(target.get("/models")))
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert len(sent) == 1
    assert target.budget.spent == 1
    assert len(answers) == 2
    assert answers[0] is answers[1]


def test_a_failure_on_another_thread_is_not_taken_for_an_answer() -> None:
    """The thread that sent the GET sees its failure; one that waited for it asks again."""
    started, release, calls = threading.Event(), threading.Event(), []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url)
        if len(calls) == 1:
            started.set()
            release.wait(10)
            raise httpx.ConnectError("refused")
        return httpx.Response(200, json={"data": []})

    target = target_over(handler)
    outcomes: dict[str, Any] = {}

    def ask(name: str) -> None:
        try:
            outcomes[name] = target.get("/models").status
        except TargetError as exc:
            outcomes[name] = type(exc).__name__

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    started.wait(10)
    second = threading.Thread(target=ask, args=("second",))
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert outcomes == {"first": "TargetError", "second": 200}


def test_a_test_run_ahead_only_gets() -> None:
    target = target_over(lambda request: httpx.Response(200, json={"data": []}))
    closing = threading.Event()
    view = target.ahead(closing)
    assert view.get("/models") is target.get("/models")
    assert target.budget.spent == 1  # the real target's budget, once
    with pytest.raises(Speculated):
        view.post("/chat/completions", json_body={})
    for budget in (view.budget, view.chat_budget):  # what an SDK call would spend first
        with pytest.raises(Speculated):
            budget.spend()
    closing.set()
    with pytest.raises(Speculated):
        view.get("/models")
    assert target.budget.spent == 1
    assert target.chat_budget.spent == 0


class InFlight:
    """The target: a defect, a few milliseconds of distance, and a count of the requests
    it is answering at once."""

    def __init__(self, app: Any) -> None:
        self.app, self.now, self.most = app, 0, 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            await asyncio.sleep(0.005)
            await self.app(scope, receive, send)
        finally:
            self.now -= 1


def verdicts(report: dict[str, Any]) -> dict[str, tuple[object, ...]]:
    return {
        r["id"]: (r["status"], r.get("blocked_by"), r["findings_total"])
        for r in report["requirements"]
    }


def test_overlapping_requests_give_the_verdicts_of_one_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = {}
    for concurrency in (1, 4):
        target_app = InFlight(queries(FilterDropsOneModel)())
        with live(target_app, tmp_path) as target:
            code, report = run_cli(
                target, tmp_path, "--concurrency", str(concurrency), monkeypatch=monkeypatch
            )
        assert code == 1
        assert target_app.most <= concurrency
        reports[concurrency] = (report, target_app.most)
    (alone, _), (together, most) = reports[1], reports[4]
    assert most >= 2, "nothing was sent concurrently"
    assert verdicts(together) == verdicts(alone)
    assert verdicts(alone)["MODELS-FILTER-001"][0] == "failed"
    for count in ("requests_sent", "chat_requests_sent"):
        assert together["run"][count] == alone["run"][count]
