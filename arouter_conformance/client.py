"""The kit's HTTP side: one httpx client per run, spending from a request budget.

Operators point the kit at live deployments where requests cost money and rate limits
apply, so every request is counted against a budget (chat requests against their own,
smaller one), a 429 is retried only as the target's Retry-After asks, identical GETs are
answered from memory, and bodies are read only up to a cap. Network trouble becomes a
one-line `TargetError` that never contains a key. A run that writes a HAR gives the client
its `Traffic`, which records every request sent, answered or not.
"""

from __future__ import annotations

import email.utils
import threading
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from arouter_conformance import __version__
from arouter_conformance.checks.links import origin
from arouter_conformance.errors import KitError, TargetError
from arouter_conformance.exchange import MAX_BODY, PARSED_KEPT, Exchange
from arouter_conformance.once import Once
from arouter_conformance.traffic import Traffic

__all__ = [
    "RATE_LIMIT_PATIENCE",
    "WRONG_KEY",
    "Budget",
    "BudgetExhausted",
    "Credentials",
    "Query",
    "RateLimited",
    "Speculated",
    "Target",
    "TargetError",
    "TargetTooSlow",
    "encode_query",
    "normalize_base_url",
]

# Sent where the contract says a wrong key must be refused. Shaped like a real key so
# that a gateway cannot tell it apart by format alone.
WRONG_KEY = "lr_live_conformance_kit_wrong_key_0000000000"
Query = Mapping[str, str | None] | Sequence[tuple[str, str]] | None


class TargetTooSlow(TargetError):
    """The target took the connection (or the DNS answered) but did not answer in time:
    told apart from a refusal because the cure differs (a longer timeout, not a URL)."""


class RateLimited(TargetError):
    """The target kept answering 429 past what the kit waits for. What it would have
    answered is unknown, so nothing is judged on it: a rate limit is no evidence against
    any requirement (the test ends in error, with this reason, never failed)."""


# A run waits for rate limits at most this long in all, so that a target asking for an
# hour at every request still ends the run in minutes.
RATE_LIMIT_PATIENCE = 60.0


class _RateLimit:
    """The target's rate limit as all of the run's threads see it: after a 429, none of
    them sends until the pause it asked for is over (a gateway counts the run's requests,
    not each thread's), and the pauses add up against one patience."""

    def __init__(self, patience: float, clock: Callable[[], float]) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._until = 0.0
        self._left = patience

    def hold(self, sleep: Callable[[float], None]) -> None:
        """Wait until no pause is left, one another thread set meanwhile included."""
        while True:
            with self._lock:
                delay = self._until - self._clock()
            if delay <= 0:
                return
            sleep(delay)

    def pause(self, wait: float) -> bool:
        """Pause every thread for `wait` seconds from now, if the patience left covers
        what that adds: pauses that overlap (threads refused at once) are waited once."""
        with self._lock:
            now = self._clock()
            added = max(0.0, now + wait - max(self._until, now))
            if added > self._left:
                return False
            self._left -= added
            self._until = max(self._until, now + wait)
            return True


class BudgetExhausted(KitError):
    """The run has spent the requests it was allowed; further checks cannot be made."""


class Speculated(BaseException):
    """A test run ahead of its turn (`speculation.py`) reached what only its real turn may
    do: a request that is not a GET, or one the run is closing under. A BaseException, so
    that no check's `except Exception` turns it into a finding: the test just stops."""


class Budget:
    def __init__(self, name: str, limit: int | None) -> None:
        self.name = name
        self.limit = limit
        self.spent = 0
        self._lock = threading.Lock()

    def spend(self) -> None:
        with self._lock:
            if self.limit is not None and self.spent >= self.limit:
                raise BudgetExhausted(f"the {self.name} budget of {self.limit} requests is spent")
            self.spent += 1


class _Forbidden(Budget):
    """What a test run ahead of its turn may not spend from: SDK calls and chats."""

    def spend(self) -> None:
        raise Speculated(f"no {self.name} request ahead of the test's turn")


@dataclass(frozen=True)
class Credentials:
    key: str | None = None
    restricted: str | None = None

    def for_role(self, role: str) -> str | None:
        return {"key": self.key, "restricted": self.restricted, "wrong": WRONG_KEY}.get(role)

    @property
    def secrets(self) -> tuple[str | None, ...]:
        return (self.key, self.restricted)


def normalize_base_url(url: str) -> str:
    """Ruling R1: the API root with its version prefix; a trailing slash is dropped."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if parts.username or parts.password:
        raise ValueError("the target URL must not carry credentials; pass the key separately")
    if parts.query or parts.fragment:
        raise ValueError("the target URL must not have a query or fragment")
    return url.strip().rstrip("/")


def encode_query(query: Query) -> str:
    """Commas stay literal, as the seeds write them (`output_modalities=text,image`)."""
    if not query:
        return ""
    pairs = query.items() if isinstance(query, Mapping) else query
    return "&".join(
        f"{quote(name, safe='')}={quote(value, safe=',')}"
        for name, value in pairs
        if value is not None
    )


class Target:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        budget: Budget,
        chat_budget: Budget,
        timeout: float = 15.0,
        retries: int = 3,
        max_retry_wait: float = 30.0,
        max_body: int = MAX_BODY,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        traffic: Traffic | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.credentials = credentials
        self.budget = budget
        self.chat_budget = chat_budget
        self.timeout = timeout
        self._retries = retries
        self._max_retry_wait = max_retry_wait
        self._rate = _RateLimit(RATE_LIMIT_PATIENCE, clock)
        self.overlong = False  # an answer was still coming when the kit stopped reading
        self._max_body = max_body
        self._sleep = sleep
        # Answers by (URL, credential role): with `--concurrency` a GET is still sent
        # once, whoever asks first.
        self._cache: Once[tuple[str, str], Exchange, _Kept] = Once(_Kept.of, _Kept.opened)
        # Sent on every request (a gateway may need them to route at all), and like the
        # Authorization header never kept in evidence: their values may be credentials.
        self.headers = dict(headers or {})
        self._unkept = {"authorization", *(name.lower() for name in self.headers)}
        # Every request sent, for the HAR report; None (nothing kept) unless one is asked for.
        self.traffic = traffic
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": f"arouter-conformance/{__version__}", **self.headers},
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def url(self, path: str, query: Query = None) -> str:
        encoded = encode_query(query)
        return f"{self.base_url}{path}" + (f"?{encoded}" if encoded else "")

    def get(self, path: str, query: Query = None, *, auth: str = "key") -> Exchange:
        """GET relative to the API root; the same URL with the same credential is asked once."""
        return self.get_url(self.url(path, query), auth=auth)

    def get_url(self, url: str, *, auth: str = "key") -> Exchange:
        if origin(url) != origin(self.base_url):
            raise TargetError(f"refusing to send a key to another origin: {url}")
        return self._cache.get(
            (url, auth), lambda: self._send("GET", url, auth=auth, budget=self.budget)
        )

    def get_again(self, path: str, query: Query = None) -> Exchange:
        """GET past the memo: the same question asked once more, to see whether the
        answer still holds (`Run.unsteady`)."""
        return self._send("GET", self.url(path, query), auth="key", budget=self.budget)

    def ahead(self, closing: threading.Event) -> Target:
        """A view of this target for a test run ahead of its turn: its GETs are this
        target's (sent once, paid for, kept); anything else raises `Speculated`, and so
        does every request once `closing` is set."""
        return _Ahead(self, closing)

    def post(
        self,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        auth: str = "key",
        chat: bool = True,
    ) -> Exchange:
        """POST a JSON body (or raw bytes). Chat requests spend the chat budget as well."""
        return self._send(
            "POST",
            self.url(path),
            auth=auth,
            budget=self.budget,
            also=(self.chat_budget,) if chat else (),
            json_body=json_body,
            content=content,
        )

    def _send(
        self,
        method: str,
        url: str,
        *,
        auth: str,
        budget: Budget,
        also: tuple[Budget, ...] = (),
        json_body: Any = None,
        content: bytes | None = None,
    ) -> Exchange:
        """Send, retrying as the target asks (429) or once on a dropped connection; every
        request that goes out is paid for in `budget` and in `also` (a chat's own)."""
        headers = {"Accept": "application/json"}
        secret = self.credentials.for_role(auth)
        if secret:
            headers["Authorization"] = f"Bearer {secret}"
        request = self._client.build_request(
            method, url, headers=headers, json=json_body, content=content
        )
        for attempt in range(self._retries + 1):
            self._rate.hold(self._sleep)
            for spent in (budget, *also):
                spent.spend()
            try:
                exchange = self._exchange(request, auth)
            except _Dropped:
                # A reset or a keep-alive connection the server had closed before any of
                # the answer arrived: httpx has dropped it from the pool, so the one retry
                # goes out on a new connection (and is paid for like the first).
                self._rate.hold(self._sleep)
                for spent in (budget, *also):
                    spent.spend()
                try:
                    exchange = self._exchange(request, auth)
                except _Dropped as again:
                    raise TargetError(f"{again} (and again on a new connection)") from None
            if exchange.status != 429:
                return exchange
            asked = _retry_after(exchange)
            wait = 2.0**attempt if asked is None else asked  # no Retry-After: back off
            if (
                attempt == self._retries
                or wait > self._max_retry_wait
                or not self._rate.pause(wait)
            ):
                raise RateLimited(
                    f"{exchange.describe()}: the target is rate-limiting the kit"
                    + (f" and asks for {asked:g} s" if asked is not None else "")
                    + f"; the kit waits at most {self._max_retry_wait:g} s for one answer and "
                    f"{RATE_LIMIT_PATIENCE:g} s in all, so this is not judged"
                )
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(self, request: httpx.Request, auth: str) -> Exchange:
        """One request and its answer (recorded in `traffic`, answered or not)."""
        wall = time.time()
        started = time.monotonic()
        try:
            exchange, response = self._receive(request, auth, started, wall)
        except (TargetError, _Dropped) as exc:
            if self.traffic is not None:
                self.traffic.lost(request, wall, time.monotonic() - started, str(exc))
            raise
        if self.traffic is not None:
            self.traffic.answered(exchange, request, response)
        return exchange

    @property
    def reading_time(self) -> float:
        """How long one answer (a stream, say) is read before the kit stops: four times
        the timeout, until a stream was still coming after that long; from then on the
        timeout alone, so that a target whose streams never end costs the run one long
        wait, not one per stream."""
        return self.timeout if self.overlong else 4 * self.timeout

    def _cut(self, size: int, deadline: float, allowed: float, stream: bool) -> str | None:
        """Why the kit stops reading an answer here, if it does."""
        if size > self._max_body:
            return f"the answer is larger than the {_mib(self._max_body)} the kit reads"
        if time.monotonic() > deadline:
            self.overlong = self.overlong or stream  # a slow list says nothing of streams
            return f"the answer took longer than the {allowed:g} s the kit reads for"
        return None

    def _receive(
        self, request: httpx.Request, auth: str, started: float, wall: float
    ) -> tuple[Exchange, httpx.Response]:
        """Send and read the answer: a dropped connection raises `_Dropped` (worth a
        retry), any other failure TargetError."""
        allowed = self.reading_time
        deadline = started + allowed
        what = f"{request.method} {request.url.raw_path.decode('ascii', 'replace')}"
        body = bytearray()
        truncated, cut_by_kit = False, None
        try:
            response = self._client.send(request, stream=True)
            stream = response.headers.get("content-type", "").startswith("text/event-stream")
            try:
                for chunk in response.iter_bytes():
                    body += chunk
                    cut_by_kit = self._cut(len(body), deadline, allowed, stream)
                    if cut_by_kit:
                        truncated = True
                        break
            except httpx.TransportError:
                if request.method == "GET":
                    raise  # asking again costs nothing
                # A paid answer cut midway, its body begun or not: the target has it, so
                # it is not sent again, and what arrived is evidence.
                truncated = True
            finally:
                response.close()
        except httpx.ConnectTimeout:
            raise TargetError(f"{what}: no connection within {self.timeout:g} s") from None
        except httpx.TimeoutException:
            raise TargetTooSlow(f"{what}: no answer within {self.timeout:g} s") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            reason = str(exc).splitlines()[0][:200] or type(exc).__name__
            raise _Dropped(f"{what}: {reason}") from None
        except httpx.TransportError as exc:
            reason = str(exc).splitlines()[0][:200] or type(exc).__name__
            raise TargetError(f"{what}: {reason}") from None
        exchange = Exchange(
            method=request.method,
            url=str(request.url),
            auth=auth,
            status=response.status_code,
            headers=tuple(response.headers.multi_items()),
            body=bytes(body[: self._max_body]),
            request_headers=tuple(
                (k, v) for k, v in request.headers.multi_items() if k.lower() not in self._unkept
            ),
            request_body=request.content or None,
            truncated=truncated,
            cut_by_kit=cut_by_kit,
            elapsed=time.monotonic() - started,
            started=wall,
        )
        return exchange, response


@dataclass(frozen=True)
class _Kept:
    """An answer kept in the GET memo. A run asks for a list dozens of times over, and
    against ten thousand models the lists it keeps are half a gigabyte of JSON: a large
    body is kept compressed (JSON shrinks about tenfold, at little cost) and opened anew
    for each ask; a small one is kept as it is, its parsed value with it."""

    exchange: Exchange
    packed: bytes | None = None

    @classmethod
    def of(cls, exchange: Exchange) -> _Kept:
        if len(exchange.body) <= PARSED_KEPT:
            return cls(exchange)
        return cls(replace(exchange, body=b"", _json={}), zlib.compress(exchange.body, 1))

    def opened(self) -> Exchange:
        if self.packed is None:
            return self.exchange
        return replace(self.exchange, body=zlib.decompress(self.packed), _json={})


class _Ahead(Target):
    """`Target.ahead`: shares the real target's answers and never sends on its own."""

    def __init__(self, real: Target, closing: threading.Event) -> None:  # no super(): a view
        self.budget = _Forbidden(real.budget.name, 0)
        self.chat_budget = _Forbidden(real.chat_budget.name, 0)
        self._real = real
        self._closing = closing

    def __getattr__(self, name: str) -> Any:
        """Everything else (the URL, the credentials, the headers) is the real target's."""
        return getattr(self._real, name)

    def get_url(self, url: str, *, auth: str = "key") -> Exchange:
        if self._closing.is_set():
            raise Speculated("the run is closing")
        return self._real.get_url(url, auth=auth)

    def post(self, path: str, **_: Any) -> Exchange:
        raise Speculated(f"POST {path} waits for the test's turn")

    def close(self) -> None:
        """The real target is closed by its owner."""


def _mib(size: int) -> str:
    return f"{size / 2**20:g} MiB" if size >= 2**20 else f"{size} bytes"


class _Dropped(Exception):
    """The connection broke under a request (reset, closed keep-alive): worth one retry."""


def _retry_after(exchange: Exchange) -> float | None:
    """Seconds to wait as the target asked (delta-seconds or an HTTP date), or None."""
    value = exchange.header("retry-after")
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
