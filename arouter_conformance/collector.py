"""One pytest session's conformance bookkeeping: the resolved configuration, the run, the
test records, and at the end the results and the reports.

The pytest plugin creates a Collector only when a session judges a target, so the many
test sessions that merely have the kit installed never pay for importing it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest

from arouter_conformance import __version__
from arouter_conformance.client import BudgetExhausted
from arouter_conformance.config import RunConfig, resolve_config
from arouter_conformance.errors import ConfigError, RunError, TargetError
from arouter_conformance.evidence import inert
from arouter_conformance.findings import ConformanceFailure, Inconclusive, Ledger
from arouter_conformance.known import render_known, updated_known
from arouter_conformance.options import settings
from arouter_conformance.plugin import GIVEN
from arouter_conformance.redact import Redactor
from arouter_conformance.reports import check_writable, write_reports
from arouter_conformance.reports.files import write_text
from arouter_conformance.results import RunResult, Status, SuiteRecord, aggregate
from arouter_conformance.session import Run, open_run
from arouter_conformance.spec import load_spec
from arouter_conformance.traffic import Traffic

__all__ = ["Collector"]


class Collector:
    def __init__(self, config: pytest.Config) -> None:
        self.pytest_config = config
        self.spec = load_spec()
        self.records: list[SuiteRecord] = []
        self.suite_items = 0
        self.other_items = 0
        self.run: Run | None = None
        self.started = time.time()
        self.result: RunResult | None = None
        self.report: dict[str, Any] | None = None
        self.stopped: str | None = None  # why the run ended early, when it did
        self._config: RunConfig | None = None
        self.traffic: Traffic | None = None  # every request, kept only for a HAR report

    def config(self) -> RunConfig:
        """The run's configuration: the one the CLI resolved, else the prefixed pytest
        options'; a bad one is a usage error."""
        if self._config is None:
            try:
                given = self.pytest_config.stash.get(GIVEN, None)
                self._config = given or resolve_config(
                    self.spec, **settings(self.pytest_config.getoption, "pytest"), front="pytest"
                )
                chosen = self._config
                check_writable(chosen.outputs)
            except ConfigError as exc:
                raise pytest.UsageError(str(exc)) from None
        return self._config

    @property
    def redactor(self) -> Redactor:
        return self.run.redactor if self.run else Redactor(self.config().secrets)

    # ------------------------------------------------------------------ collection
    def selection(self) -> set[str]:
        """The requirements asked for with --requirement, and those they need: a failed
        prerequisite must be seen to block them rather than leave them unjudged."""
        chosen = self.config().requirements
        return {*chosen, *(need for rid in chosen for need in self.spec.prerequisites(rid))}

    def prepare(self, suites: list[pytest.Item], others: int, ids: Any) -> None:
        """Every suite test checks catalogued requirements of one profile; unclaimed skip."""
        self.suite_items, self.other_items = len(suites), others
        claimed = set(self.config().profiles)
        for item in suites:
            marked = ids(item)
            if not marked:
                raise pytest.UsageError(f"{item.nodeid} carries no requirement marker")
            profiles = {self.spec.requirement(i).profile for i in marked}
            if len(profiles) != 1:
                raise pytest.UsageError(f"{item.nodeid} mixes profiles {sorted(profiles)}")
            profile = profiles.pop()
            if profile not in claimed:
                item.add_marker(pytest.mark.skip(reason=f"profile {profile} not claimed"))

    # ------------------------------------------------------------------ the run
    @contextlib.contextmanager
    def opened(self) -> Iterator[Run]:
        config = self.config()
        if config.report_har:
            secret = (header.name for header in config.headers if header.secret)
            self.traffic = Traffic(secret)
        try:
            with open_run(self.spec, config, traffic=self.traffic) as run:
                self.run = run
                yield run
        except (RunError, ConfigError) as exc:
            self.stopped = str(exc)
            pytest.exit(str(exc), returncode=2)

    # ------------------------------------------------------------------ records
    def record(
        self,
        item: pytest.Item,
        requirements: tuple[str, ...],
        call: pytest.CallInfo[None],
        report: pytest.TestReport,
        book: Ledger | None,
    ) -> None:
        """Redact what pytest will show, and keep the test's outcome when it is decided,
        with what its checks judged (`book`, None when the test never ran its body)."""
        redactor = self.redactor
        if isinstance(report.longrepr, tuple):
            path, line, reason = report.longrepr
            report.longrepr = (path, line, inert(redactor.text(reason)))
        elif report.longrepr is not None:
            report.longrepr = inert(redactor.text(str(report.longrepr)))
        report.sections = [(name, inert(redactor.text(text))) for name, text in report.sections]
        if report.when != "call" and (report.when != "setup" or report.passed):
            return
        status, error = _classify(call, report)
        failure = error if isinstance(error, ConformanceFailure) else None
        notes = getattr(error, "__notes__", None) or []
        self.records.append(
            SuiteRecord(
                nodeid=item.nodeid,
                requirements=requirements,
                outcome=status,
                findings=tuple(failure.findings) if failure else (),
                complete=failure.complete if failure else True,
                reason=error if isinstance(error, str) else _reason(error),
                example="\n".join(n for n in notes if _is_example(n)) or None,
                duration=report.duration,
                judged=frozenset(book.judged) if book else frozenset(),
                unjudgeable=dict(book.unjudgeable) if book else {},
                inapplicable=dict(book.inapplicable) if book else {},
                blocked_by=error.blocked_by if isinstance(error, Inconclusive) else None,
                broke=_reason(error.__cause__) if failure and not failure.complete else None,
            )
        )

    def finish(self, session: pytest.Session, exitstatus: int) -> None:
        if not self.suite_items:
            return
        if exitstatus not in (0, 1):
            self.stopped = (
                self.stopped or f"the run stopped early (pytest exit status {exitstatus})"
            )
        config = self.config()
        run = self.run
        meta: dict[str, object] = {
            "kit_version": __version__,
            "target_url": config.target_url or (run.config.target_url if run else None),
            "embedded": config.embedded,
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.started)),
            "duration_s": round(time.time() - self.started, 3),
            "requests_sent": run.target.budget.spent if run else 0,
            "chat_requests_sent": run.target.chat_budget.spent if run else 0,
            "request_budget": config.request_budget,
            "chat_budget": config.chat_budget,
            "examples": config.examples,
            "seed": config.seed,
            "stopped": self.stopped,  # the report tells a broken run from an unjudged one
            "baseline": str(config.baseline) if config.baseline else None,
            # A run that stopped early does not rewrite the baseline: what it did not reach
            # would be listed as known failures.
            "baseline_updated": bool(config.update_baseline and not self.stopped),
        }
        judge = partial(
            aggregate,
            self.spec,
            self.records,
            config.profiles,
            meta,
            stopped=self.stopped,
            selected=config.requirements,
        )
        self.result = judge(known=config.known)
        if meta["baseline_updated"] and config.baseline:
            # Judged again against the file just written, so that the reports and the exit
            # code say what the next run with that file will say.
            redactor = self.redactor
            known = updated_known(
                self.result,
                config.known,
                lambda text: inert(redactor.text(text)),
                selected=self.selection() if config.requirements else (),
            )
            write_text(config.baseline, render_known(known))
            self.result = judge(known=known)
        self.report = write_reports(self.result, config, self.redactor, traffic=self.traffic)
        if self.other_items == 0 and exitstatus in (0, 1):
            session.exitstatus = self.result.exit_code


def _classify(call: pytest.CallInfo[None], report: pytest.TestReport) -> tuple[Status, Any]:
    if report.passed:
        return Status.PASSED, None
    if report.skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        return Status.SKIPPED, reason.removeprefix("Skipped: ")
    error = call.excinfo.value if call.excinfo else None
    if report.when == "call" and isinstance(error, AssertionError):
        return Status.FAILED, error
    if isinstance(error, Inconclusive):
        return (Status.BLOCKED if error.blocked_by else Status.INCONCLUSIVE), error
    return Status.ERROR, error


def _reason(error: Any) -> str | None:
    if error is None or isinstance(error, ConformanceFailure):
        return None
    if isinstance(error, (TargetError, BudgetExhausted, Inconclusive)):
        return str(error)
    if isinstance(error, AssertionError):
        return str(error).splitlines()[0][:500] if str(error) else "assertion failed"
    return f"{type(error).__name__}: {str(error)[:500]}"


def _is_example(note: str) -> bool:
    """Hypothesis's note naming the smallest failing input (worded differently by version)."""
    return note.startswith(("Falsifying", "Failing test case")) or "example" in note.lower()
