"""The run's traffic, kept for the HAR report (`--har`), and only when a run asks for one.

A run that writes no HAR keeps nothing here: an answer's body lives as long as the checks
that judge it (and the GET memo) hold it, and a run against a large catalog must not keep
every body to the end for nothing. When a HAR is asked for, the run's `Traffic` is handed
to its client (`session.open_target`), and every request that goes out to the target
becomes one `Recorded` entry:

- the kit's own client records every attempt it pays for: an answer that was retried
  after a 429 and the retry, a request whose connection broke (no answer: status 0, with
  the reason); a GET answered from the memo was asked once, so it is one entry;
- the SDKs (`interop.py`) record through httpx event hooks on the client each SDK is given
  (`sdk_hooks`): what the SDK sent, the status and headers of the answer, and its body
  when the SDK read it whole. A streamed body is read by the SDK as it arrives and is not
  kept (capturing it would change how the SDK reads it): the entry says so.

So the entries are as many as the requests the run paid for (`requests_sent`); the CLI's
one check that a target can be judged at all, sent before the run on a budget of its own,
is not part of the run and is not recorded.
Credentials are masked as they are recorded: the Authorization header and the run's
secret headers (`--header` values, values from the environment) keep their names with the
value `[REDACTED]`, so a reader sees that a key was sent and never which. The report then
redacts every string once more, by value and by pattern, like every other report.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from arouter_conformance.exchange import MAX_BODY, Exchange
from arouter_conformance.redact import MASK

__all__ = ["NOT_READ", "Recorded", "Traffic", "sdk_hooks"]

Hooks = dict[str, list[Callable[[Any], None]]]
NOT_READ = "the body was not captured: the SDK read it as a stream, as it arrived"


@dataclass(frozen=True)
class Recorded:
    """One request that went out, and its answer (status 0 when none came)."""

    exchange: Exchange  # request_headers: every header sent, credentials masked
    http_version: str = ""  # of the answer, e.g. HTTP/1.1; empty when there was none
    status_text: str = ""
    body_read: bool = True  # False: the answer's body went to the SDK unrecorded
    note: str | None = None  # what the entry lacks, and why


class Traffic:
    """Every request of one run, in the order they were done with; `secret_headers` are the
    names of the headers whose values are credentials (Authorization always is)."""

    def __init__(self, secret_headers: Iterable[str] = ()) -> None:
        self.entries: list[Recorded] = []
        self._masked = {"authorization", *(name.lower() for name in secret_headers)}

    def masked(self, headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """The headers as sent, with the value of every credential replaced by the mask."""
        return tuple((k, MASK if k.lower() in self._masked else v) for k, v in headers)

    def answered(self, exchange: Exchange, request: Any, response: Any) -> None:
        """The kit's client got an answer (`request`, `response`: its httpx objects)."""
        self.entries.append(
            Recorded(
                replace(exchange, request_headers=self.masked(request.headers.multi_items())),
                response.http_version,
                response.reason_phrase,
            )
        )

    def lost(self, request: Any, started: float, elapsed: float, reason: str) -> None:
        """A request went out and no answer came: the connection broke, or time ran out."""
        exchange = _request_only(request, self.masked(request.headers.multi_items()), started)
        self.entries.append(
            Recorded(replace(exchange, elapsed=elapsed), note=f"no answer: {reason}")
        )


def _request_only(request: Any, headers: Any, started: float) -> Exchange:
    return Exchange(
        method=request.method,
        url=str(request.url),
        auth="key",
        status=0,
        headers=(),
        body=b"",
        request_headers=headers,
        request_body=_sent(request),
        started=started,
    )


def _sent(request: Any) -> bytes | None:
    """The request body; None when there is none, or it was streamed and is not at hand."""
    try:
        return bytes(request.content) or None
    except Exception:  # RequestNotRead, of httpx or of the httpx2 the openai SDK uses
        return None


def _received(response: Any) -> bytes | None:
    try:
        return bytes(response.content)
    except Exception:  # ResponseNotRead (httpx or httpx2): the SDK streamed the body
        return None


@dataclass
class _Pending:
    request: Any
    started: float  # wall clock
    clock: float  # monotonic, at the start
    response: Any = None
    answered: float = 0.0  # monotonic, when the answer's headers arrived


class _Watch:
    """The requests an SDK sends through one httpx client, recorded when the call is done
    (so a body the SDK read whole is there to keep)."""

    def __init__(self, traffic: Traffic) -> None:
        self._traffic = traffic
        self._pending: list[_Pending] = []
        self.hooks: Hooks = {"request": [self._request], "response": [self._response]}

    def _request(self, request: Any) -> None:
        self._pending.append(_Pending(request, time.time(), time.monotonic()))

    def _response(self, response: Any) -> None:
        waiting = [p for p in self._pending if p.response is None]
        mine = next((p for p in waiting if p.request is response.request), None)
        if mine is None and waiting:
            mine = waiting[-1]
        if mine is not None:
            mine.response, mine.answered = response, time.monotonic()

    def close(self) -> None:
        for pending in self._pending:
            self._traffic.entries.append(self._recorded(pending))
        self._pending.clear()

    def _recorded(self, pending: _Pending) -> Recorded:
        request, response = pending.request, pending.response
        headers = self._traffic.masked(request.headers.multi_items())
        if response is None:
            exchange = _request_only(request, headers, pending.started)
            return Recorded(exchange, note="no answer: the SDK's request failed")
        try:
            elapsed = response.elapsed.total_seconds()
        except RuntimeError:  # the answer was not closed: the time to its headers
            elapsed = pending.answered - pending.clock
        body = _received(response)
        exchange = Exchange(
            method=request.method,
            url=str(request.url),
            auth="key",
            status=response.status_code,
            headers=tuple(response.headers.multi_items()),
            body=(body or b"")[:MAX_BODY],
            request_headers=headers,
            request_body=_sent(request),
            truncated=body is not None and len(body) > MAX_BODY,
            elapsed=elapsed,
            started=pending.started,
        )
        return Recorded(
            exchange,
            response.http_version,
            response.reason_phrase,
            body_read=body is not None,
            note=None if body is not None else NOT_READ,
        )


@contextmanager
def sdk_hooks(traffic: Traffic | None) -> Iterator[Hooks]:
    """httpx event hooks for the client an SDK is given: they record its requests into
    `traffic` when the block ends; none when the run keeps no traffic."""
    if traffic is None:
        yield {"request": [], "response": []}
        return
    watch = _Watch(traffic)
    try:
        yield watch.hooks
    finally:
        watch.close()
