"""What the checks said about observed traffic, merged into one record per profile.

A suite test is one record; observed traffic never ends, so each profile's judgements are
merged as they come: what was judged, what could not be, what did not apply, and the
findings. A requirement is named by a record only when an observation judged it, found
against it, or could not judge it: a requirement the traffic never reached is named by
none, so `aggregate` skips it as not observed, never passes it.

Memory stays bounded however long the traffic runs: at most `FINDINGS_KEPT` findings per
requirement (the reports show no more), each holding a copy of its exchange cut to
`EVIDENCE_BODY` bytes and without the parsed body.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from arouter_conformance.exchange import Exchange
from arouter_conformance.findings import Finding, Ledger
from arouter_conformance.results import Status, SuiteRecord
from arouter_conformance.spec import Spec

__all__ = ["EVIDENCE_BODY", "FINDINGS_KEPT", "Tallies", "evidence"]

FINDINGS_KEPT = 25
EVIDENCE_BODY = 64 * 1024
NODE = "observed traffic::{}"


def evidence(exchange: Exchange) -> Exchange:
    """`exchange` as kept after it was judged: no parsed body, bodies cut to EVIDENCE_BODY
    (marked cut: the evidence shows a part of the answer, never passes it off as whole)."""
    body, sent = exchange.body, exchange.request_body
    cut = len(body) > EVIDENCE_BODY
    return replace(
        exchange,
        body=body[:EVIDENCE_BODY],
        request_body=sent[:EVIDENCE_BODY] if sent is not None else None,
        truncated=exchange.truncated or cut,
        _json={},
    )


@dataclass
class _Tally:
    judged: set[str] = field(default_factory=set)
    unjudgeable: dict[str, str] = field(default_factory=dict)
    inapplicable: dict[str, str] = field(default_factory=dict)
    findings: dict[str, list[Finding]] = field(default_factory=dict)
    error: tuple[tuple[str, ...], str] | None = None  # the first time the kit broke

    def record(self, name: str) -> list[SuiteRecord]:
        found = tuple(f for kept in self.findings.values() for f in kept)
        named = self.judged | set(self.unjudgeable) | set(self.inapplicable) | set(self.findings)
        records = []
        if named:
            records.append(
                SuiteRecord(
                    nodeid=NODE.format(name),
                    requirements=tuple(sorted(named)),
                    outcome=Status.FAILED if found else Status.PASSED,
                    findings=found,
                    judged=frozenset(self.judged),
                    unjudgeable=dict(self.unjudgeable),
                    inapplicable=dict(self.inapplicable),
                )
            )
        if self.error is not None:
            ids, reason = self.error
            records.append(
                SuiteRecord(NODE.format(name) + " (kit error)", ids, Status.ERROR, reason=reason)
            )
        return records


class Tallies:
    """One tally per profile; a ledger's entries go to the profile of their requirement."""

    def __init__(self, spec: Spec) -> None:
        self._spec = spec
        self._tallies: dict[str, _Tally] = {}

    def _of(self, requirement: str) -> _Tally:
        profile = self._spec.requirement(requirement).profile
        return self._tallies.setdefault(profile, _Tally())

    def add(self, book: Ledger, findings: Iterable[Finding]) -> None:
        for rid in book.judged:
            self._of(rid).judged.add(rid)
        for rid, why in book.unjudgeable.items():
            self._of(rid).unjudgeable.setdefault(rid, why)
        for rid, why in book.inapplicable.items():
            self._of(rid).inapplicable.setdefault(rid, why)
        copies: dict[int, Exchange] = {}
        for finding in findings:
            kept = self._of(finding.requirement).findings.setdefault(finding.requirement, [])
            if len(kept) >= FINDINGS_KEPT:
                continue
            if finding.exchange is not None:
                key = id(finding.exchange)
                copies.setdefault(key, evidence(finding.exchange))
                finding = replace(finding, exchange=copies[key])
            kept.append(finding)

    def broke(self, requirements: Iterable[str], reason: str) -> None:
        """A check raised: the requirements it was judging end in error, with the reason
        (the first one per profile; later exchanges are still judged)."""
        for rid in sorted(set(requirements)):
            tally = self._of(rid)
            if tally.error is None:
                tally.error = ((rid,), reason)
            elif rid not in tally.error[0]:
                tally.error = ((*tally.error[0], rid), tally.error[1])

    def records(self) -> list[SuiteRecord]:
        return [r for name, tally in self._tallies.items() for r in tally.record(name)]
