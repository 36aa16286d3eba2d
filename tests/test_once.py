"""A value two threads need at once is made once; a failure is not kept; an interruption
of the thread that waits is not taken for the maker's failure."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import Any

import pytest

from arouter_conformance.once import Once, kept_as_made


class Waiting:
    """Tells when a thread has started waiting for a value another thread is making."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started = threading.Event()
        original = Future.result

        def result(future: Future[Any], timeout: float | None = None) -> Any:
            self.started.set()
            return original(future, timeout)

        monkeypatch.setattr(Future, "result", result)


def test_a_value_asked_for_twice_at_once_is_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    once, made, release = kept_as_made(), [], threading.Event()
    waiting = Waiting(monkeypatch)

    def make() -> object:
        made.append(1)
        release.wait(10)
        return "value"

    got: list[object] = []
    first = threading.Thread(target=lambda: got.append(once.get("k", make)))
    first.start()
    second = threading.Thread(target=lambda: got.append(once.get("k", make)))
    second.start()
    assert waiting.started.wait(10), "the second asker never waited"
    release.set()
    first.join(10)
    second.join(10)
    assert made == [1]
    assert got == ["value", "value"]
    assert once.get("k", make) == "value"
    assert made == [1]


def test_a_failure_is_not_kept_and_a_waiter_makes_the_value_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    once, release, calls = kept_as_made(), threading.Event(), []
    waiting = Waiting(monkeypatch)

    def make() -> object:
        calls.append(1)
        if len(calls) == 1:
            release.wait(10)
            raise ConnectionError("refused")
        return "made again"

    outcomes: dict[str, object] = {}

    def ask(name: str) -> None:
        try:
            outcomes[name] = once.get("k", make)
        except ConnectionError as exc:
            outcomes[name] = str(exc)

    first = threading.Thread(target=ask, args=("first",))
    first.start()
    second = threading.Thread(target=ask, args=("second",))
    second.start()
    assert waiting.started.wait(10)
    release.set()
    first.join(10)
    second.join(10)
    assert outcomes == {"first": "refused", "second": "made again"}


def test_an_interrupted_waiter_stops_rather_than_asking_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C while waiting for another thread's GET ends the wait: it is this thread's
    interruption, not the sender's failure."""
    once = kept_as_made()
    pending: Future[object] = Future()
    once._values["k"] = pending  # another thread is making it

    def interrupted(future: Future[Any], timeout: float | None = None) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(Future, "result", interrupted)
    with pytest.raises(KeyboardInterrupt):
        once.get("k", lambda: "never made here")


def test_a_value_is_kept_as_the_keeper_says_and_opened_for_each_ask() -> None:
    once: Once[str, str, bytes] = Once(str.encode, bytes.decode)
    assert once.get("k", lambda: "value") == "value"
    assert once.stored("k") == b"value"
    assert once.get("k", lambda: "not made again") == "value"
