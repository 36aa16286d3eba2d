"""Interop: the official openai and openrouter SDKs read the target's answers.

The SDKs are the clients gateway users actually run, so "the SDK reads it" is a
requirement of its own (OPENAI-LIST-004, CHAT-SDK-001, ORSDK-INTEROP-*). Each SDK call
is made with retries off and the run's timeout, spends from the run's budgets like any
other request, and any exception it raises becomes a finding, never a crash of the kit.
When the run writes a HAR, the httpx client each SDK is given records its requests
(`traffic.sdk_hooks`): they are the run's traffic too.

The SDKs are imported where they are first called, not here: openai alone costs about
half a second of imports, which a run that claims no interop profile should not pay.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeAlias
from urllib.parse import urlsplit

import httpx

from arouter_conformance.checks.common import compare_ids
from arouter_conformance.checks.links import origin
from arouter_conformance.client import (
    WRONG_KEY,
    BudgetExhausted,
    RateLimited,
    Target,
)
from arouter_conformance.errors import KitError, TargetError
from arouter_conformance.exchange import Exchange, past_the_parser
from arouter_conformance.findings import Finding, Inconclusive, cannot_judge, judged
from arouter_conformance.traffic import Hooks, sdk_hooks

if TYPE_CHECKING:
    import openai
    from openrouter import OpenRouter
    from openrouter.utils import RetryConfig

__all__ = [
    "openai_chat",
    "openai_models",
    "openrouter_chat",
    "openrouter_errors",
    "openrouter_models",
]

Model = Mapping[str, Any]


def _failure(requirement: str, what: str, exc: BaseException) -> Finding:
    """An SDK call that raised: which call, which answer (when the SDK kept it) and what
    the SDK could not read in it, e.g. `openrouter models.list(): GET /v1/models -> 200,
    but the SDK could not read data[0].pricing.prompt: Field required (and 11 more)`.

    An SDK call the target refused with 429 found nothing: `RateLimited`, as for the kit's
    own requests (the SDKs run with retries off, so they do not wait themselves)."""
    _refused_by_the_kit(exc)
    exchange = _exchange_of(exc)
    _not_rate_limited(what, exchange)
    unread = _unread_fields(exc)
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    said = f"{what}: {exchange.describe()}, but" if exchange is not None else f"{what}:"
    if unread is not None:
        message = f"{said} the SDK could not read {unread}"
        observed = unread
    else:
        message = f"{said} raised {type(exc).__name__}" + (f": {text}" if text else "")
        observed = f"{type(exc).__name__}: {text}"
    return Finding(
        requirement,
        message,
        expected=f"{what} to read the answer",
        observed=observed,
        exchange=exchange,
    )


def _refused_by_the_kit(exc: BaseException) -> None:
    """An SDK error caused by the kit's own refusal (`_guarded`: a redirect to another
    origin; a spent budget) is the kit's error, raised as such: the SDK did nothing wrong.
    One caused by a body deeper or longer than Python parses says nothing of the target."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, KitError):
            raise seen
        if past_the_parser(seen):
            raise Inconclusive(
                "an SDK could not parse an answer nested deeper, or holding a longer number, "
                "than Python parses"
            ) from None
        seen = seen.__cause__ or seen.__context__


def _guarded(target: Target, hooks: Hooks) -> Hooks:
    """`hooks`, after one that stops any request to another origin than the target's. The
    SDKs follow redirects, and one to elsewhere would carry the key and the run's secret
    headers there (httpx drops only Authorization on the way)."""
    home = origin(target.base_url)

    def same_origin(request: Any) -> None:
        there = urlsplit(str(request.url))
        if origin(str(request.url)) != home:
            raise TargetError(
                f"refusing to follow the target to another origin ({there.scheme}://"
                f"{there.hostname}): the key and the run's headers go to the target only"
            )

    return {"request": [same_origin, *hooks["request"]], "response": hooks["response"]}


def _not_rate_limited(what: str, exchange: Exchange | None) -> None:
    if exchange is not None and exchange.status == 429:
        raise RateLimited(f"{what}: {exchange.describe()}: rate-limited, so this is not judged")


SHOWN_FIELDS = 3


def _unread_fields(exc: BaseException) -> str | None:
    """The fields a pydantic ValidationError (raised, or the cause of the SDK's own error)
    names, as `data[0].pricing.prompt: Field required (and 11 more)`; None for others."""
    import pydantic

    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, pydantic.ValidationError):
        cause = cause.__cause__
    if cause is None:
        return None
    seen: dict[str, str] = {}
    for error in cause.errors():
        seen.setdefault(_field_path(error["loc"]), error["msg"])
    if not seen:
        return None
    shown = [f"{where}: {msg}" for where, msg in list(seen.items())[:SHOWN_FIELDS]]
    more = len(seen) - len(shown)
    return "; ".join(shown) + (f" (and {more} more)" if more else "")


def _field_path(loc: Sequence[int | str]) -> str:
    """A pydantic location as a path: ("body", "data", 0, "pricing") -> data[0].pricing.

    The SDK wraps every answer in a model whose one field is `body`; that step is
    dropped, and so are the names pydantic gives union members (`function-after[...]`).
    """
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif "[" in part or "(" in part:
            continue
        else:
            path += f".{part}" if path else part
    return path or "the body"


def _exchange_of(exc: BaseException) -> Exchange | None:
    """The answer an SDK error carries (openrouter `raw_response`, openai `response`):
    an `httpx.Response` from the openrouter SDK, an `httpx2.Response` from the openai SDK,
    which runs on httpx2; the two share the attributes read here."""
    import httpx2

    response = getattr(exc, "raw_response", None) or getattr(exc, "response", None)
    if not isinstance(response, (httpx.Response, httpx2.Response)):
        return None
    try:
        body = response.content
    except (httpx.ResponseNotRead, httpx2.ResponseNotRead):
        body = b""
    try:
        request = response.request
    except RuntimeError:  # a response built without its request
        return None
    try:
        sent = request.content or None
    except (httpx.RequestNotRead, httpx2.RequestNotRead):
        sent = None
    return Exchange(
        method=request.method,
        url=str(request.url),
        auth="key",
        status=response.status_code,
        headers=tuple(response.headers.multi_items()),
        body=body[:MAX_EVIDENCE],
        # Only the headers that say what was sent: the key and any header of the
        # gateway's own (which may be a secret) are never kept, as for the kit's client.
        request_headers=tuple(
            (k, v) for k, v in request.headers.multi_items() if k.lower() in _KEPT_HEADERS
        ),
        request_body=sent,
        truncated=len(body) > MAX_EVIDENCE,
    )


MAX_EVIDENCE = 64 * 1024
_KEPT_HEADERS = frozenset({"accept", "content-type", "user-agent"})


def openai_models(target: Target, exchange: Exchange, models: Sequence[Model]) -> list[Finding]:
    """OPENAI-LIST-004: models.list() yields the ids of the raw answer."""
    target.budget.spend()
    with sdk_hooks(target.traffic) as hooks:
        client = _openai_client(target, hooks)
        try:
            page = client.models.list()
            ids = [{"id": model.id} for model in page.data]
        except BudgetExhausted:
            raise
        except Exception as exc:
            return [_failure("OPENAI-LIST-004", "openai models.list()", exc)]
        finally:
            client.close()
    return compare_ids("OPENAI-LIST-004", exchange, ids, models, "openai models.list() ids")


def _openai_client(target: Target, hooks: Hooks) -> openai.OpenAI:
    """The SDK with its own defaults (its HTTP stack, httpx2, included), and the hooks
    that record its requests for a HAR (none when the run writes no HAR)."""
    import openai

    return openai.OpenAI(
        base_url=target.base_url,
        api_key=target.credentials.key or "no-key",
        max_retries=0,
        timeout=target.timeout,
        default_headers=target.headers,
        http_client=openai.DefaultHttpxClient(event_hooks=_guarded(target, hooks)),
    )


def openai_chat(target: Target, request: Mapping[str, Any], stream: bool) -> list[Finding]:
    """CHAT-SDK-001: chat.completions.create, whole or streamed, reads the answer."""
    target.chat_budget.spend()
    target.budget.spend()
    what = f"openai chat.completions.create(stream={stream})"
    with sdk_hooks(target.traffic) as hooks:
        client = _openai_client(target, hooks)
        try:
            if stream:
                with client.chat.completions.create(**request, stream=True) as events:
                    chunks = _read_stream("CHAT-SDK-001", what, events, target)
                if chunks is None:
                    return []
                if not chunks:
                    return [Finding("CHAT-SDK-001", f"{what} yielded no chunks", "chunks", "none")]
            else:
                completion = client.chat.completions.create(**request)
                if not completion.choices:
                    return [Finding("CHAT-SDK-001", f"{what} gave no choices", "a choice", "none")]
        except BudgetExhausted:
            raise
        except Exception as exc:
            return [_failure("CHAT-SDK-001", what, exc)]
        finally:
            client.close()
    judged("CHAT-SDK-001")
    return []


def no_retries() -> RetryConfig:
    """The openrouter SDK retries on its own by default: a retried request would be sent
    without the run counting it, and one answer judged twice."""
    from openrouter.utils import BackoffStrategy, RetryConfig

    return RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)


@contextmanager
def _openrouter(
    target: Target, budget_hooks: Sequence[Callable[[], None]], *, key: str | None = None
) -> Iterator[tuple[OpenRouter, list[str]]]:
    """An SDK client whose requests are counted and whose URLs are recorded (with the
    run's key, or `key`)."""
    from openrouter import OpenRouter

    sent: list[str] = []

    def record(request: httpx.Request) -> None:
        for spend in budget_hooks:
            spend()
        sent.append(str(request.url))

    with sdk_hooks(target.traffic) as hooks:
        guarded = _guarded(target, hooks)
        http = httpx.Client(
            follow_redirects=True,
            timeout=target.timeout,
            headers=target.headers,
            event_hooks={"request": [record, *guarded["request"]], "response": guarded["response"]},
        )
        try:
            sdk = OpenRouter(
                api_key=key or target.credentials.key or "no-key",
                server_url=target.base_url,
                client=http,
                retry_config=no_retries(),
                timeout_ms=int(target.timeout * 1000),
            )
            yield sdk, sent
        finally:
            http.close()


def openrouter_models(target: Target, sample_id: str | None, *, count: bool) -> list[Finding]:
    """ORSDK-INTEROP-001: models.list(), and models.count() and models.get() where the
    target serves them (`count`, a `sample_id` to look up), read the answers.

    Each SDK result is compared with the raw answer to the very URL the SDK sent, so the
    SDK's own default query parameters cannot make a fair target look wrong.
    """
    findings: list[Finding] = []
    judged("ORSDK-INTEROP-001")
    with _openrouter(target, [target.budget.spend]) as (sdk, sent):
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("openrouter models.list()", lambda: _listed_ids(sdk))
        ]
        if count:
            steps.append(("openrouter models.count()", lambda: sdk.models.count().data.count))
        if sample_id is not None:
            author, _, slug = sample_id.partition("/")
            steps.append(
                (
                    "openrouter models.get()",
                    lambda: sdk.models.get(author=author, slug=slug).data.id,
                )
            )
        for what, call in steps:
            try:
                value = call()
            except BudgetExhausted:
                raise
            except Exception as exc:
                findings.append(_failure("ORSDK-INTEROP-001", what, exc))
                continue
            findings += _agrees(target, what, value, sent[-1])
    return findings


def _listed_ids(sdk: OpenRouter) -> list[str]:
    page = sdk.models.list()
    if page is None:
        raise ValueError("models.list() returned no page")
    return [model.id for model in page.result.data]


def _agrees(target: Target, what: str, value: Any, url: str) -> list[Finding]:
    raw = target.get_url(url)
    try:
        body = raw.json()
    except ValueError:
        return []  # the SDK read something the kit cannot: the SDK is not at fault
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(value, list):
        listed = [m for m in data if isinstance(m, dict)] if isinstance(data, list) else []
        return compare_ids(
            "ORSDK-INTEROP-001", raw, [{"id": i} for i in value], listed, f"{what} ids"
        )
    expected = (
        data.get("count")
        if "count" in what and isinstance(data, dict)
        else (data.get("id") if isinstance(data, dict) else None)
    )
    if value == expected:
        return []
    return [
        Finding(
            "ORSDK-INTEROP-001",
            f"{what} gave {value!r}, the raw answer holds {expected!r}",
            expected=repr(expected),
            observed=repr(value),
            exchange=raw,
        )
    ]


def openrouter_chat(target: Target, request: Mapping[str, Any], stream: bool) -> list[Finding]:
    """ORSDK-INTEROP-002: chat.send(), whole or streamed, reads the answer."""
    what = f"openrouter chat.send(stream={stream})"
    with _openrouter(target, [target.budget.spend, target.chat_budget.spend]) as (sdk, _):
        try:
            if stream:
                with sdk.chat.send(**request, stream=True) as events:
                    chunks = _read_stream("ORSDK-INTEROP-002", what, events, target)
                if chunks is None:
                    return []
                if not chunks:
                    return [
                        Finding("ORSDK-INTEROP-002", f"{what} yielded no chunks", "chunks", "none")
                    ]
            else:
                result = sdk.chat.send(**request)
                if not result.choices:
                    return [
                        Finding("ORSDK-INTEROP-002", f"{what} gave no choices", "a choice", "none")
                    ]
        except BudgetExhausted:
            raise
        except Exception as exc:
            return [_failure("ORSDK-INTEROP-002", what, exc)]
    judged("ORSDK-INTEROP-002")
    return []


def _read_stream(
    requirement: str, what: str, events: Iterable[Any], target: Target
) -> list[Any] | None:
    """The chunks an SDK reads from a stream, for as long as the kit's own client reads
    one (`Target.reading_time`). An SDK reads a stream with no overall deadline, so a
    stream that never ends, a chunk every few milliseconds, would hold the run forever.
    None when it did not end by then: whether the SDK reads its end cannot be seen, and
    that it did not end is CHAT-STREAM-005's finding, not the SDK's."""
    allowed = target.reading_time
    late = threading.Event()

    def stop() -> None:  # also when nothing reaches the SDK's loop (comments, keep-alives)
        late.set()
        getattr(events, "close", lambda: None)()

    timer = threading.Timer(allowed, stop)
    timer.daemon = True
    timer.start()
    chunks = []
    try:
        for chunk in events:
            if late.is_set():
                break
            chunks.append(chunk)
    except Exception:
        if not late.is_set():
            raise  # the SDK's own failure to read the stream
    finally:
        timer.cancel()
    if late.is_set():
        target.overlong = True
        cannot_judge(requirement, f"{what}: the stream did not end within {allowed:g} s")
        return None
    return chunks


UNKNOWN_AUTHOR, UNKNOWN_SLUG = "zz-unknown-author", "zz-unknown-model"


# What an SDK call is, the budgets it spends from, and the key it is sent with (None: the run's).
_Probe: TypeAlias = "tuple[str, Callable[[OpenRouter], Any], list[Callable[[], None]], str | None]"


def openrouter_errors(
    target: Target, chat_request: Mapping[str, Any] | None, *, lookup: bool, count: bool
) -> list[Finding]:
    """ORSDK-ERROR-001: the SDK reads the target's refusals into its own errors.

    For a JSON error answer of a status an operation documents, the SDK validates the body
    against a model whose error.code is an int (openrouter 1.3.x, errors/*ResponseErrorData);
    when that fails the caller gets ResponseValidationError instead of the typed error, and
    the target's message is lost. A refusal the SDK does not read (another status, a body
    that is not JSON) ends in its generic OpenRouterDefaultError, which is fine. A request
    the target answers 200 shows nothing either way.
    """
    from openrouter import errors as sdk_errors

    listing = [target.budget.spend]
    chatting = [target.budget.spend, target.chat_budget.spend]
    probes: list[_Probe] = [
        (
            "openrouter models.list(output_modalities=zz-unknown-modality)",
            lambda sdk: sdk.models.list(output_modalities="zz-unknown-modality"),
            listing,
            None,
        )
    ]
    if lookup:
        probes.append(
            (
                f"openrouter models.get({UNKNOWN_AUTHOR}/{UNKNOWN_SLUG})",
                lambda sdk: sdk.models.get(author=UNKNOWN_AUTHOR, slug=UNKNOWN_SLUG),
                listing,
                None,
            )
        )
    if count:
        probes.append(
            (
                "openrouter models.count(output_modalities=zz-unknown-modality)",
                lambda sdk: sdk.models.count(output_modalities="zz-unknown-modality"),
                listing,
                None,
            )
        )
    if chat_request is not None:
        request = {**chat_request, "model": f"{UNKNOWN_AUTHOR}/{UNKNOWN_SLUG}"}
        probes.append(
            (
                f"openrouter chat.send(model={request['model']})",
                lambda sdk: sdk.chat.send(**request),
                chatting,
                None,
            )
        )
        # Every gateway refuses a wrong key, with a 401 the SDK documents for chat.send:
        # the one refusal a gateway that accepts any model or modality still draws.
        probes.append(
            (
                "openrouter chat.send() with a wrong key",
                lambda sdk: sdk.chat.send(**chat_request),
                chatting,
                WRONG_KEY,
            )
        )
    findings: list[Finding] = []
    refused = 0
    for what, call, hooks, key in probes:
        with _openrouter(target, hooks, key=key) as (sdk, _):
            try:
                call(sdk)
            except BudgetExhausted:
                raise
            except sdk_errors.ResponseValidationError as exc:
                if exc.status_code >= 400:  # a 200 it cannot read is ORSDK-INTEROP's business
                    refused += 1
                    findings.append(_failure("ORSDK-ERROR-001", what, exc))
            except sdk_errors.OpenRouterError as exc:
                _not_rate_limited(what, _exchange_of(exc))
                refused += exc.status_code >= 400
            except Exception as exc:  # no refusal to judge: the network, or the SDK itself
                cannot_judge("ORSDK-ERROR-001", f"{what} raised {type(exc).__name__}")
    if refused:
        judged("ORSDK-ERROR-001")
    else:
        cannot_judge("ORSDK-ERROR-001", "no probe drew a refusal for the SDK to read")
    return findings
