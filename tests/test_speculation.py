"""Tests run ahead of their turn send the GETs of a far target concurrently, and change no
verdict: the same requirements, statuses, findings and requests as one request at a time."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from arouter_conformance.client import Budget, Credentials, Speculated, Target
from tests.battery.models_mutants import FilterDropsOneModel
from tests.battery.mutants import queries
from tests.targets import live, pytest_door, run_cli

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
    """The memo the GETs go through (`once.py`, tested on its own) makes them once."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(200, json={"data": []})

    target = target_over(handler)
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(target.get("/models"))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(sent) == 1
    assert target.budget.spent == 1
    assert len(answers) == 4


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
    it is answering at once. With `hold`, a request that arrives alone waits (a few
    seconds at most) for a second to arrive, until two have been seen together: so that
    the requests overlap whenever the kit sends them concurrently at all, whatever the
    machine's speed."""

    def __init__(self, app: Any, *, hold: bool = False) -> None:
        self.app, self.now, self.most, self.hold = app, 0, 0, hold
        self.held = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.now += 1
        self.most = max(self.most, self.now)
        try:
            if self.hold and self.most < 2 and self.held < 5:
                self.held += 1
                for _ in range(400):
                    if self.most >= 2:
                        break
                    await asyncio.sleep(0.005)
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
        target_app = InFlight(queries(FilterDropsOneModel)(), hold=concurrency > 1)
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


def test_tests_left_out_by_pytest_are_not_run_ahead(tmp_path: Path) -> None:
    """-k leaves tests out after the kit planned its own: what is run ahead is what runs."""
    sent = {}
    for concurrency in ("1", "4"):
        with live(queries(FilterDropsOneModel)(), tmp_path) as target:
            done, report = pytest_door(
                target,
                tmp_path,
                "-k",
                "test_list_is_an_object_with_a_data_array",
                "--conformance-concurrency",
                concurrency,
            )
        assert done.returncode == 0, done.stdout[-2000:]
        sent[concurrency] = report["run"]["requests_sent"]
    assert sent["4"] == sent["1"]


def test_a_one_requirement_run_imports_no_sdk_and_no_schemathesis() -> None:
    """Start-up pays only for what the claimed requirements use."""
    probe = (
        "import sys\n"
        "from arouter_conformance.cli import main\n"
        "code = main(['run', '--requirement', 'MODELS-LIST-001'])\n"
        "heavy = {'openai', 'openrouter', 'schemathesis'}\n"
        "print(sorted(heavy & {m.split('.')[0] for m in sys.modules}), code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "[] 0", done.stderr[-2000:]
