"""The list filters beyond the seeds (ruling R22), judged on the set each answer holds.

An answer to a filtered request is compared with what the target's own all list says the
same request selects (`list_filter_rules`), under each reading the ruling allows; order is
the sort profile's business. The filters on data a model does not carry are judged by
their set alone (a part of the same request's answer without them), and malformed values
by their status.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from arouter_conformance.checks.common import listed_models, preview
from arouter_conformance.checks.http import no_server_error
from arouter_conformance.checks.list_filter_rules import Probe, Reading
from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, cannot_judge, judged
from arouter_conformance.oracle import Baseline, id_of

__all__ = ["filtered_answer", "malformed_answer", "narrower_answer"]

OPAQUE = "LFILTER-OPAQUE-001"


def _ids(models: Sequence[Any]) -> set[str]:
    return {i for i in map(id_of, models) if i is not None}


def _missing(reading: Reading, got: Collection[str]) -> set[str]:
    return set(reading.keep) - set(got)


def _unexpected(reading: Reading, got: Collection[str]) -> set[str]:
    return set(got) - reading.keep - reading.free


def filtered_answer(
    requirement: str,
    exchange: Exchange,
    probe: Probe,
    baseline: Baseline,
    *,
    missing_to: str | None = None,
) -> list[Finding]:
    """Exactly the models the probe selects, under one reading the ruling allows.

    With `missing_to` the two directions are two requirements (q: every model returned
    holds the text, a MUST, under `requirement`; every model holding it is returned, a
    SHOULD, under `missing_to`); without it, a probe with a search (which may cut its
    answer) is judged in the first direction only. A probe naming what no model holds may
    be refused with a 4xx, which shows nothing; one chosen to leave every model out is
    judged by an empty answer too (no value of the list selects some and not others)."""
    if probe.refusable and 400 <= exchange.status < 500:
        cannot_judge(
            requirement,
            f"{exchange.describe()}: no model of the list holds what the value names, and "
            "refusing it is fair: the answer shows nothing of the filter",
        )
        return []
    models, findings = listed_models(requirement, exchange)
    if models is None:
        return findings
    readings = probe.readings(baseline)
    got = _ids(models)
    if missing_to is None and not probe.cuts:
        _discriminates(requirement, probe, readings, dropped=True, kept=not probe.empty)
        if any(not _missing(r, got) and not _unexpected(r, got) for r in readings):
            return []
        nearest = min(readings, key=lambda r: len(_missing(r, got)) + len(_unexpected(r, got)))
        return _gaps(requirement, exchange, probe, nearest, got)
    _discriminates(requirement, probe, readings, dropped=True, kept=False)
    if not any(not _unexpected(r, got) for r in readings):
        nearest = min(readings, key=lambda r: len(_unexpected(r, got)))
        findings += _gaps(requirement, exchange, probe, nearest, got, missing=False)
    if missing_to is None:
        return findings
    _discriminates(missing_to, probe, readings, dropped=False, kept=True)
    if not any(not _missing(r, got) for r in readings):
        findings += _gaps(missing_to, exchange, probe, readings[0], got, unexpected=False)
    return findings


def _discriminates(
    requirement: str, probe: Probe, readings: Sequence[Reading], *, dropped: bool, kept: bool
) -> None:
    """Judged when an answer that ignored the filters (`dropped`: some model of the scope
    is left out) or one that held nothing (`kept`: some model is selected) would show."""
    if dropped and not all(r.dropped for r in readings):
        cannot_judge(
            requirement,
            f"every model of the scope meets {probe.label}: an answer that ignored it would "
            "look the same",
        )
    elif kept and not all(r.keep for r in readings):
        cannot_judge(
            requirement,
            f"no model of the list surely meets {probe.label}: an empty answer would look the same",
        )
    else:
        judged(requirement)


def _gaps(
    requirement: str,
    exchange: Exchange,
    probe: Probe,
    reading: Reading,
    got: Collection[str],
    *,
    missing: bool = True,
    unexpected: bool = True,
) -> list[Finding]:
    """The finding for an answer that differs from `reading` (in the directions asked)."""
    parts = []
    absent = _missing(reading, got) if missing else set()
    beyond = _unexpected(reading, got) if unexpected else set()
    if absent:
        parts.append(f"missing {len(absent)}: {preview(absent)}")
    if beyond:
        parts.append(f"unexpected {len(beyond)}: {preview(beyond)}")
    if not parts:
        return []
    either = f" (and {len(reading.free)} either way)" if reading.free else ""
    return [
        Finding(
            requirement,
            f"{exchange.describe()}: {probe.label}: " + "; ".join(parts),
            expected=f"{len(reading.keep)} models{either}",
            observed="; ".join(parts),
            exchange=exchange,
            pointer="/data",
        )
    ]


def narrower_answer(
    exchange: Exchange, wider: Exchange, wider_models: Sequence[Any] | None, what: str
) -> list[Finding]:
    """LFILTER-OPAQUE-001: a filter on data the Model object does not carry answers a 4xx,
    or a 200 holding only models the same request without it holds; never a 5xx."""
    judged(OPAQUE)
    if exchange.status >= 500:
        return [
            Finding(
                OPAQUE,
                f"{exchange.describe()}: {what} got a server error",
                expected="a 200 answer or a 4xx refusal",
                observed=f"{exchange.status}: {exchange.text(300)}",
                exchange=exchange,
            )
        ]
    if exchange.status != 200:
        return []
    models, findings = listed_models(OPAQUE, exchange)
    if models is None:
        return findings
    if wider_models is None:
        cannot_judge(OPAQUE, f"{wider.describe()}: the request without the filter gave no list")
        return []
    beyond = _ids(models) - _ids(wider_models)
    if not beyond:
        return []
    return [
        Finding(
            OPAQUE,
            f"{exchange.describe()}: {what} added {len(beyond)} models that "
            f"{wider.path_and_query} does not list: {preview(beyond)}",
            expected=f"part of the {len(_ids(wider_models))} models of {wider.path_and_query}",
            observed=preview(beyond),
            exchange=exchange,
            pointer="/data",
        )
    ]


def malformed_answer(exchange: Exchange) -> list[Finding]:
    """LFILTER-BAD-001: a malformed value is refused or ignored, never a server error."""
    return no_server_error("LFILTER-BAD-001", exchange)
