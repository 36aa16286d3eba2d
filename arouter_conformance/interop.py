"""Interop: the official openai and openrouter SDKs read the target's answers.

The SDKs are the clients gateway users actually run, so "the SDK reads it" is a
requirement of its own (OPENAI-LIST-004, CHAT-SDK-001, ORSDK-INTEROP-*). Each SDK call
is made with retries off and the run's timeout, spends from the run's budgets like any
other request, and any exception it raises becomes a finding, never a crash of the kit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import httpx
import openai
from openrouter import OpenRouter
from openrouter.utils import BackoffStrategy, RetryConfig

from arouter_conformance.checks.common import compare_ids
from arouter_conformance.client import BudgetExhausted, Target
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding

__all__ = [
    "openai_chat",
    "openai_models",
    "openrouter_chat",
    "openrouter_models",
]

Model = Mapping[str, Any]
NO_RETRIES = RetryConfig("none", BackoffStrategy(1, 1, 1.0, 1), False)


def _failure(requirement: str, what: str, exc: BaseException) -> Finding:
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return Finding(
        requirement,
        f"{what} raised {type(exc).__name__}" + (f": {text}" if text else ""),
        expected=f"{what} to read the answer",
        observed=f"{type(exc).__name__}: {text}",
    )


def openai_models(target: Target, exchange: Exchange, models: Sequence[Model]) -> list[Finding]:
    """OPENAI-LIST-004: models.list() yields the ids of the raw answer."""
    client = _openai_client(target)
    target.budget.spend()
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


def _openai_client(target: Target) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=target.base_url,
        api_key=target.credentials.key or "no-key",
        max_retries=0,
        timeout=target.timeout,
    )


def openai_chat(target: Target, request: Mapping[str, Any], stream: bool) -> list[Finding]:
    """CHAT-SDK-001: chat.completions.create, whole or streamed, reads the answer."""
    client = _openai_client(target)
    target.chat_budget.spend()
    target.budget.spend()
    what = f"openai chat.completions.create(stream={stream})"
    try:
        if stream:
            chunks = list(client.chat.completions.create(**request, stream=True))
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
    return []


@contextmanager
def _openrouter(
    target: Target, budget_hooks: Sequence[Callable[[], None]]
) -> Iterator[tuple[OpenRouter, list[str]]]:
    """An SDK client whose requests are counted and whose URLs are recorded."""
    sent: list[str] = []

    def record(request: httpx.Request) -> None:
        for spend in budget_hooks:
            spend()
        sent.append(str(request.url))

    http = httpx.Client(
        follow_redirects=True, timeout=target.timeout, event_hooks={"request": [record]}
    )
    try:
        sdk = OpenRouter(
            api_key=target.credentials.key or "no-key",
            server_url=target.base_url,
            client=http,
            retry_config=NO_RETRIES,
            timeout_ms=int(target.timeout * 1000),
        )
        yield sdk, sent
    finally:
        http.close()


def openrouter_models(target: Target, sample_id: str | None) -> list[Finding]:
    """ORSDK-INTEROP-001: models.list(), models.count(), models.get() read the answers.

    Each SDK result is compared with the raw answer to the very URL the SDK sent, so the
    SDK's own default query parameters cannot make a fair target look wrong.
    """
    findings: list[Finding] = []
    with _openrouter(target, [target.budget.spend]) as (sdk, sent):
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("openrouter models.list()", lambda: _listed_ids(sdk)),
            ("openrouter models.count()", lambda: sdk.models.count().data.count),
        ]
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
                    chunks = list(events)
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
    return []
