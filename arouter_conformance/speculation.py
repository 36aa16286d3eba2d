"""Tests run ahead of their turn, so that the GETs of a far target go out concurrently.

A live gateway is far away: at 200 ms an answer, a run's two hundred GETs sent one after
another cost forty seconds of waiting. The suites stay plain sequential code, and the
run's own pass through them stays the only one that judges. Beside it, `workers` threads
run the same tests, in the same order, each with a view of the run whose target
(`Target.ahead`) shares the real one's answers: every GET they ask for is sent once and
kept, and the real pass finds it there, or waits for it while it is on its way (a GET that
failed ahead of its turn is asked again in its turn). A test
run ahead stops where it would do anything else (a chat, an SDK call); what it found, or
raised, is thrown away, in a context of its own so that nothing reaches a test's ledger.

The verdicts are those of a sequential run: the real pass runs the same code on the same
answers, since a GET is sent once whoever asks first, and Hypothesis (thread-safe from
6.136.9) draws the same examples in every thread. Only the order in which the target sees
the GETs differs. A run whose request budget runs out may stop at another test than a
sequential run would.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Container, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from arouter_conformance.session import Run

__all__ = ["Body", "ahead"]

Body = Callable[[Run], object]


@contextlib.contextmanager
def ahead(
    run: Run, tests: Sequence[tuple[str, Body]], workers: int, done: Container[str]
) -> Iterator[None]:
    """While active, `workers` threads run `tests` (node id, body) ahead of the real pass
    (none when `workers` is 0), skipping those the real pass has `done` meanwhile. On the
    way out, a test still running ahead sends nothing more, and the requests already on
    their way are waited for."""
    if workers < 1 or not tests:
        yield
        return
    closing = threading.Event()
    view = replace(run, target=run.target.ahead(closing))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ahead")
    for nodeid, body in tests:
        pool.submit(contextvars.Context().run, _quietly, body, view, lambda n=nodeid: n in done)
    try:
        yield
    finally:
        closing.set()
        pool.shutdown(wait=True, cancel_futures=True)


def _quietly(body: Body, run: Run, late: Callable[[], bool]) -> None:
    if late():  # its turn has come and gone: running it now would only spend CPU
        return
    # Whatever it found or raised, the real pass finds again, in its turn.
    with contextlib.suppress(BaseException):
        body(run)
