"""Observe mode: judging exchanges someone else's traffic produced, without sending any.

A client of the gateway (an SDK, an application, a recorded HAR) chose the requests; the
kit judges the answers with the same check functions its suites call, each exchange by the
kind of answer it is (`paths.classify`), inside a ledger, so that what the checks judged,
could not judge and found is recorded as a suite test's would be (`tally.Tallies`). The
requirements two answers show (a filter, a count, a lookup, a sorted list's set, an
endpoints page's context, a user list's models) are judged against what earlier traffic
showed (`memory.Memory`).

`result()` may be called at any time, as often as wanted: it aggregates what was observed
so far. A requirement the traffic never exercised ends *skipped*, "not observed", never
passed; only observations pass a requirement, and an observed MUST that fails makes the
exit code 1.

Exchanges are taken from any thread and judged in the order they came, on the thread that
next needs the results (or that finds the queue full), one at a time: `add` stays cheap
and memory stays bounded.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from arouter_conformance import __version__
from arouter_conformance.config import RunConfig
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, Inconclusive, cannot_judge, ledger
from arouter_conformance.observe import chats, models, optional
from arouter_conformance.observe.memory import Memory
from arouter_conformance.observe.paths import Call, api_root, classify
from arouter_conformance.observe.tally import Tallies
from arouter_conformance.results import RunResult, RunStats, Status, aggregate
from arouter_conformance.spec import Spec

__all__ = ["NOT_OBSERVED", "Observations"]

NOT_OBSERVED = "not observed: the traffic did not exercise it"
QUEUED = 32  # exchanges waiting to be judged before `add` judges them itself
MEMORIES = 16  # credentials whose answers are compared with one another
_STAMP = "%Y-%m-%dT%H:%M:%SZ"
# What a check that broke was judging, when its ledger had not said yet.
_FIRST = {
    "list": "MODELS-LIST-001",
    "count": "COUNT-SHAPE-001",
    "lookup": "LOOKUP-SHAPE-001",
    "chat": "CHAT-RESP-001",
    "endpoints": "ENDPOINTS-SHAPE-001",
    "user": "USER-SHAPE-001",
    "providers": "PROVIDERS-SHAPE-001",
}

Judge = Callable[[Exchange, Call, Memory, RunConfig], list[Finding]]


def _chat(exchange: Exchange, call: Call, memory: Memory, config: RunConfig) -> list[Finding]:
    return chats.judge_chat(exchange, memory, config)


_JUDGES: dict[str, Judge] = {
    "list": models.judge_list,
    "count": models.judge_count,
    "lookup": models.judge_lookup,
    "chat": _chat,
    "endpoints": optional.judge_endpoints,
    "user": optional.judge_user,
    "providers": optional.judge_providers,
}


class Observations:
    """Exchanges observed in someone else's traffic, judged with the kit's own checks."""

    def __init__(self, spec: Spec, config: RunConfig) -> None:
        self.spec = spec
        self.config = config
        self._root = api_root(config.target_url)
        # What earlier answers showed, one memory per credential: a restricted key's list
        # is not the yardstick of another key's count. Bounded: past MEMORIES keys, a new
        # one is judged answer by answer only.
        self._memories: dict[tuple[str, str | None], Memory] = {}
        self._tallies = Tallies(spec)
        self._queue: deque[Exchange] = deque()
        self._lock = threading.Lock()  # the queue
        self._judging = threading.Lock()  # everything else
        self._started = time.time()
        self._seen = {"observed": 0, "judged": 0, "chat": 0}

    def add(self, exchange: Exchange) -> None:
        """Take one exchange (thread-safe); it is judged before the next `result()`."""
        with self._lock:
            self._queue.append(exchange)
            full = len(self._queue) >= QUEUED
        if full:
            self._drain()

    def result(self) -> RunResult:
        """What the traffic observed so far shows, requirement by requirement."""
        self._drain()
        with self._judging:
            records = self._tallies.records()
            rule = Tallies(self.spec)
            for memory in self._memories.values():  # one rule per key: answers to one key
                with ledger() as book:
                    findings = models.parameter_rule(memory, self.config)
                rule.add(book, findings)
            records += rule.records()
            now = time.time()
        stats = RunStats(
            kit_version=__version__,
            target_url=self.config.target_url,
            started_at=time.strftime(_STAMP, time.gmtime(self._started)),
            duration_s=round(now - self._started, 3),
            requests_sent=0,  # the kit sent none: it only watched
            chat_requests_sent=0,
            baseline=str(self.config.baseline) if self.config.baseline else None,
        )
        return aggregate(
            self.spec,
            records,
            self.config.profiles,
            stats,
            selected=self.config.requirements,
            known=self.config.known,
            # Traffic that exercised nothing can show no requirement holds: every claimed
            # one is then inconclusive (exit 2), never a pass on nothing.
            unrecorded=(Status.SKIPPED if records else Status.INCONCLUSIVE, NOT_OBSERVED),
        )

    @property
    def counts(self) -> Mapping[str, int]:
        """How many exchanges were observed, how many were judged (the others went to
        endpoints the contract does not cover) and how many of those were chat."""
        with self._judging:
            return dict(self._seen)

    def _memory_for(self, exchange: Exchange) -> Memory:
        key = (exchange.auth, exchange.credential)
        memory = self._memories.get(key)
        if memory is None:
            memory = Memory(self.spec)
            if len(self._memories) < MEMORIES:
                self._memories[key] = memory
        return memory

    def _drain(self) -> None:
        with self._judging:
            while True:
                with self._lock:
                    if not self._queue:
                        return
                    exchange = self._queue.popleft()
                self._judge(exchange)

    def _judge(self, exchange: Exchange) -> None:
        self._seen["observed"] += 1
        call = classify(exchange, self._root)
        if call is None:
            return
        self._seen["judged"] += 1
        self._seen["chat"] += call.kind == "chat"
        with ledger() as book:
            try:
                memory = self._memory_for(exchange)
                findings = _JUDGES[call.kind](exchange, call, memory, self.config)
            except Inconclusive as exc:  # the kit did not see the whole answer
                cannot_judge(_FIRST[call.kind], str(exc))
                findings = []
            except Exception as exc:  # a kit bug must not stop the judging of the rest
                touched = book.judged | set(book.unjudgeable) or {_FIRST[call.kind]}
                reason = f"{exchange.describe()}: {type(exc).__name__}: {str(exc)[:300]}"
                self._tallies.broke(touched, reason)
                return
        self._tallies.add(book, findings)
