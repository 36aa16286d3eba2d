"""Values made once per key, whoever asks first, on any thread.

With `--concurrency` the suites run on several threads at once (`speculation.py`): a GET or
a parsed list that two of them need at the same moment must still be made once, the
second asker waiting for the first. A failure is not kept: the next asker makes the value
again in its own turn, as it would have with no one ahead of it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

__all__ = ["Once", "kept_as_made"]

K = TypeVar("K")
V = TypeVar("V")
S = TypeVar("S")


class Once(Generic[K, V, S]):
    """Each value is stored as `keep(value)` once made, and handed out as `opened(stored)`
    (a large answer is kept compressed, say); the thread that made it, and those that
    waited for it, get the value itself."""

    def __init__(self, keep: Callable[[V], S], opened: Callable[[S], V]) -> None:
        self._keep = keep
        self._opened = opened
        self._values: dict[K, Future[V] | _Stored[S]] = {}
        self._lock = threading.Lock()

    def stored(self, key: K) -> S | None:
        """What is kept for `key` (None while it is being made or when it is not)."""
        with self._lock:
            entry = self._values.get(key)
        return entry.value if isinstance(entry, _Stored) else None

    def get(self, key: K, make: Callable[[], V]) -> V:
        while True:
            with self._lock:
                entry = self._values.get(key)
                mine = entry is None
                if entry is None:
                    entry = self._values[key] = Future()
            if isinstance(entry, _Stored):
                return self._opened(entry.value)
            if mine:
                return self._make(entry, key, make)
            try:
                return entry.result()
            except BaseException as exc:
                if not entry.done() or entry.exception() is not exc:
                    raise  # this thread's own interruption (Ctrl-C), not the maker's failure

    def _make(self, pending: Future[V], key: K, make: Callable[[], V]) -> V:
        try:
            value = make()
        except BaseException as exc:
            with self._lock:
                del self._values[key]
            pending.set_exception(exc)
            raise
        kept = _Stored(self._keep(value))  # keeping may take a while: not under the lock
        with self._lock:
            self._values[key] = kept
        pending.set_result(value)
        return value


class _Stored(Generic[S]):
    __slots__ = ("value",)

    def __init__(self, value: S) -> None:
        self.value = value


def _same(value: V) -> V:
    return value


def kept_as_made() -> Once[str, object, object]:
    """Values kept as they were made (the run's memo)."""
    return Once(_same, _same)
